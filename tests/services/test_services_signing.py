"""RecordService signing and addenda, and case import over a signed procedure."""

from __future__ import annotations

import pytest

from facetdesk.domain.errors import InvalidRecord
from facetdesk.storage.errors import AlreadySigned, NotSigned, RecordLocked, StaleRecord
from tests import signers
from tests.actors import PHYSICIAN

OTHER_PHYSICIAN = PHYSICIAN.model_copy(update={"username": "dr.other", "display_name": "Dr. Other Synthetic"})


@pytest.fixture
def saved(ctx, make_patient_data, make_procedure_data):
    patient = ctx.records.save_patient(make_patient_data())
    return patient, ctx.records.save_procedure(patient.id, make_procedure_data(notes="As performed."))


def test_sign_locks_the_procedure_for_the_save_use_case(ctx, saved):
    patient, procedure = saved
    signed = signers.sign(ctx, procedure.id, procedure.version)
    # The signer is the signed-in physician, whoever performed it.
    assert signed.signature.signed_by == "Dr. Synthetic Signer" and signed.signature.signed_at.microsecond == 0
    with pytest.raises(RecordLocked, match="add an addendum instead"):
        ctx.records.save_procedure(patient.id, signed.model_dump() | {"notes": "Changed."})
    assert ctx.records.get_procedure(procedure.id)[1] == signed


def test_sign_needs_the_version_the_signer_saw(ctx, saved):
    patient, procedure = saved
    ctx.records.save_procedure(patient.id, procedure.model_dump() | {"notes": "Edited on another workstation."})
    with pytest.raises(StaleRecord):
        signers.sign(ctx, procedure.id, procedure.version)
    assert not ctx.records.get_procedure(procedure.id)[1].is_signed


def test_sign_twice_is_refused(ctx, saved):
    _, procedure = saved
    signed = signers.sign(ctx, procedure.id, procedure.version)
    with pytest.raises(AlreadySigned):
        signers.sign(ctx, procedure.id, signed.version)


def test_addendum_is_signed_by_its_author_when_written(ctx, saved):
    _, procedure = saved
    with pytest.raises(NotSigned):
        signers.add_addendum(ctx, procedure.id, "Too early.")
    signed = signers.sign(ctx, procedure.id, procedure.version)
    first = signers.add_addendum(ctx, procedure.id, "  Correction: left only.  ")
    (a,) = first.addenda
    assert (a.author, a.text, a.signed_by, a.signed_at) == (
        "Dr. Synthetic Signer",
        "Correction: left only.",
        "Dr. Synthetic Signer",
        a.written_at,
    )
    with pytest.raises(InvalidRecord):
        signers.add_addendum(ctx, procedure.id, "   ")
    ctx.work.sign_in(OTHER_PHYSICIAN)
    second = signers.add_addendum(ctx, procedure.id, "Follow-up call.")
    assert second.addenda[0] == a and second.addenda[1].author == "Dr. Other Synthetic"
    assert second.signature == signed.signature


def test_import_case_over_a_signed_procedure_leaves_it_unchanged(ctx, saved):
    _, procedure = saved
    case = ctx.cases.export_case(procedure.id)
    signed = signers.sign(ctx, procedure.id, procedure.version)
    signed = signers.add_addendum(ctx, procedure.id, "Late entry.")
    # The same uid with other contents and no signature: kept as stored, counted as present.
    altered = case.model_copy(update={"procedure": case.procedure.model_copy(update={"notes": "Rewritten."})})

    result = ctx.cases.import_case(altered)

    assert (result.procedure_id, result.procedures_added, result.procedures_already_present) == (procedure.id, 0, 1)
    assert ctx.records.get_procedure(procedure.id)[1] == signed


def test_a_signed_case_imports_signed_elsewhere_only_where_its_clinic_ca_is_trusted(ctx, other_ctx, saved):
    _, procedure = saved
    signers.sign(ctx, procedure.id, procedure.version)
    signed = signers.add_addendum(ctx, procedure.id, "Late entry.")
    case = ctx.cases.export_case(procedure.id)
    assert [p.part for p in case.signatures] == [0, 1] and case.signatures[-1].pdf
    signers.enrol(other_ctx)  # the other database has a clinic CA of its own
    with pytest.raises(InvalidRecord, match="which this database does not trust") as refused:
        other_ctx.cases.import_case(case)
    assert "nothing was imported" in str(refused.value)
    assert other_ctx.records.search_patients("") == []

    # A file whose procedure was changed after signing is refused even by a database that trusts the CA.
    other_ctx.accounts.trust_ca(ctx.accounts.clinic_ca_pem())
    tampered = case.model_copy(update={"procedure": case.procedure.model_copy(update={"notes": "changed"})})
    with pytest.raises(InvalidRecord, match="differs from what was signed"):
        other_ctx.cases.import_case(tampered)
    stripped = case.model_copy(update={"signatures": []})
    with pytest.raises(InvalidRecord, match="does not carry the proof"):
        other_ctx.cases.import_case(stripped)

    result = other_ctx.cases.import_case(case)
    copy = other_ctx.records.get_procedure(result.procedure_id)[1]
    assert (copy.signature, copy.addenda) == (signed.signature, signed.addenda)
    # What the other database shows is the PDF that was signed, and verify checks it there.
    assert (
        other_ctx.notes.render_procedure_note(result.procedure_id).pdf
        == ctx.notes.render_procedure_note(procedure.id).pdf
    )
    report = other_ctx.audit.verify()
    assert report.ok, report.lines()
    assert report.signatures == 2 and len(report.clinic_cas) == 2
