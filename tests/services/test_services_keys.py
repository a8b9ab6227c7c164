"""Per-physician keys: signing needs the password, keys survive password changes, PDFs verify independently,
and the signed content is pinned byte for byte (a new domain field never changes an old signature)."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date, datetime

import pytest

from facetdesk.domain.errors import InvalidRecord
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Procedure
from facetdesk.domain.signed_content import CURRENT_FORMAT, canonical_bytes, identity, procedure_content, sha256_hex
from facetdesk.domain.users import Actor
from facetdesk.storage import signatures as sigstore
from facetdesk.storage import trust as key_store
from facetdesk.trust import pades
from tests import signers
from tests.pg import under_ci

GOLDEN_PROCEDURE = {
    "uid": "00000000-0000-4000-8000-000000000001",
    "performed_at": datetime(2025, 4, 2, 10, 15),
    "physician": "Dr. Golden Example",
    "technique": "medial_branch_block",
    "intent": "diagnostic_first",
    "guidance": "fluoroscopy",
    "targets": [{"level": "L4-L5", "side": "left"}],
    "medications": [{"agent": "bupivacaine", "concentration_mg_per_ml": 5.0, "volume_ml": 0.5}],
    "pre_procedure_pain": 7,
    "pain_scores": [{"minutes_after": 30, "nrs": 2, "activity": "walking"}],
    "signature": {"signed_by": "Dr. Golden Example", "signed_at": datetime(2025, 4, 2, 11, 0)},
}
GOLDEN_PATIENT = {
    "mrn": "GOLD-1",
    "family_name": "Goldperson",
    "given_name": "Ada",
    "date_of_birth": date(1960, 1, 2),
    "sex": "female",
}
# Format 1 of a fixed procedure: if this changes, every signature made under format 1 stops verifying.
GOLDEN_V1_SHA256 = "c4918dd624109beae0a27867b558ea0b8305f46e196423114033471e5cb8105a"


def _golden() -> tuple[Patient, Procedure]:
    return Patient.model_validate(GOLDEN_PATIENT), Procedure.model_validate(GOLDEN_PROCEDURE)


def test_format_1_bytes_and_hash_are_pinned():
    patient, procedure = _golden()
    data = canonical_bytes(procedure_content(identity(patient), procedure, 1))
    assert data.startswith(b'{"content":"facetdesk-procedure","format":1,"patient":{"date_of_birth":"1960-01-02",')
    assert b'"concentration_mg_per_ml":"5","site":"target","volume_basis":"total","volume_ml":"0.5"' in data
    assert b'"performed_at":"2025-04-02T10:15:00"' in data
    assert b'"signature":{"signed_at":"2025-04-02T11:00:00","signed_by":"Dr. Golden Example"}' in data
    assert sha256_hex(data) == GOLDEN_V1_SHA256


# Format 2 of the same procedure with two LCD exclusions answered: pinned like format 1.
GOLDEN_V2_SHA256 = "d7320f48f097560004cf11ef296b3f946e494e255d0e7139e34fd068b35143ae"


def test_format_2_bytes_and_hash_are_pinned():
    exclusions = [{"key": "prior_alif", "answer": "absent"}, {"key": "untreated_radiculopathy", "answer": "excepted"}]
    indication = {**GOLDEN_PROCEDURE.get("indication", {}), "exclusions": exclusions}
    procedure = Procedure.model_validate({**GOLDEN_PROCEDURE, "indication": indication})
    data = canonical_bytes(procedure_content(identity(Patient.model_validate(GOLDEN_PATIENT)), procedure, 2))
    assert data.startswith(b'{"content":"facetdesk-procedure","format":2,"patient":{"date_of_birth":"1960-01-02",')
    # In the catalogue's order, each answer by its value.
    assert (
        b'"exclusions":[{"answer":"excepted","key":"untreated_radiculopathy"},{"answer":"absent","key":"prior_alif"}]'
        in data
    )
    assert sha256_hex(data) == GOLDEN_V2_SHA256


# Format 3 of the same procedure with its documentation items recorded: pinned like formats 1 and 2.
GOLDEN_V3_SHA256 = "44ff3457516c38ca1e2a0d1cbab7f8e6c6a474af5755a026f3e8f6afb5f61fd8"
GOLDEN_DOCUMENTATION = {
    "risks_discussed": True,
    "sterile_drape": True,
    "monitoring": ["pulse_oximetry", "blood_pressure"],
    "views": ["ap", "oblique"],
    "approach": "posterior_oblique",
    "aspiration": "negative",
    "fluoroscopy_seconds": 32,
    "radiation_dose": 1.25,
    "radiation_dose_unit": "air_kerma_mgy",
    "images_saved": True,
    "neuro_check": "at_baseline",
    "tolerance": "well",
}


def test_format_3_bytes_and_hash_are_pinned():
    procedure = Procedure.model_validate({**GOLDEN_PROCEDURE, "documentation": GOLDEN_DOCUMENTATION})
    data = canonical_bytes(procedure_content(identity(Patient.model_validate(GOLDEN_PATIENT)), procedure, 3))
    assert data.startswith(b'{"content":"facetdesk-procedure","format":3,"patient":{"date_of_birth":"1960-01-02",')
    assert b'"fluoroscopy_seconds":"32","images_saved":true,"monitoring":["pulse_oximetry","blood_pressure"]' in data
    assert b'"off_label_discussed":null,"radiation_dose":"1.25","radiation_dose_unit":"air_kerma_mgy"' in data
    assert sha256_hex(data) == GOLDEN_V3_SHA256


def test_a_new_domain_field_leaves_format_1_unchanged():
    class Grown(Procedure):
        fluoroscopy_seconds: int = 42  # a field a later issue adds

    patient, procedure = _golden()
    grown = Grown.model_validate({**GOLDEN_PROCEDURE, "fluoroscopy_seconds": 17})
    assert canonical_bytes(procedure_content(identity(patient), grown, 1)) == canonical_bytes(
        procedure_content(identity(patient), procedure, 1)
    )


def _signed(ctx, make_patient_data, make_procedure_data) -> int:
    patient = ctx.records.save_patient(make_patient_data())
    procedure = ctx.records.save_procedure(patient.id, make_procedure_data())
    signers.sign(ctx, procedure.id)
    return procedure.id


def test_signing_needs_the_signers_password(ctx, make_patient_data, make_procedure_data):
    signers.enrol(ctx)
    patient = ctx.records.save_patient(make_patient_data())
    procedure = ctx.records.save_procedure(patient.id, make_procedure_data())
    for wrong in ("not the password", "", None):
        with pytest.raises(InvalidRecord, match="[Pp]assword"):
            ctx.signing.sign_procedure(procedure.id, procedure.version, wrong)
    assert not ctx.records.get_procedure(procedure.id)[1].is_signed
    acks = signers.acknowledge_all(ctx, procedure.id)
    assert ctx.signing.sign_procedure(procedure.id, procedure.version, signers.PASSWORD, acks).is_signed


def test_a_password_change_rewraps_the_key_and_old_signatures_still_verify(ctx, make_patient_data, make_procedure_data):
    first = _signed(ctx, make_patient_data, make_procedure_data)
    user = signers.enrol(ctx)
    with ctx.database.read() as s:
        before = key_store.active_key(s, user.id)
    ctx.accounts.change_own_password(signers.PASSWORD, "a brand new passphrase")
    with ctx.database.read() as s:
        after = key_store.active_key(s, user.id)
    assert after.fingerprint == before.fingerprint and after.wrapped != before.wrapped
    with pytest.raises(InvalidRecord):
        signers.add_addendum(ctx, first, "Old password no longer opens the key.")
    ctx.signing.add_addendum(first, "Signed with the new password.", "a brand new passphrase")
    assert ctx.audit.verify().ok, ctx.audit.verify().lines()


def test_an_administrators_reset_issues_a_new_key_and_keeps_the_old_public_key(
    ctx, make_patient_data, make_procedure_data
):
    first = _signed(ctx, make_patient_data, make_procedure_data)
    admin = signers.enrol(ctx)
    # The administrator's session holds the clinic CA once they sign in with their password.
    ctx.accounts.sign_in(admin.username, signers.PASSWORD)
    colleague = Actor(username="dr.colleague", display_name="Dr. Colleague", role="physician", workstation="test-ws")
    made = ctx.accounts.create_user(
        {"username": colleague.username, "display_name": colleague.display_name, "role": "physician"},
        "colleague password one",
    )
    ctx.accounts.update_user(made.model_dump(), new_password="colleague password two")
    history = ctx.accounts.key_history(made.id)
    assert len(history) == 2 and history[0].retired_at is not None and history[1].active
    assert all(k.certified for k in history)
    assert ctx.accounts.signing_keys()[made.id].status == "certified"
    assert ctx.audit.verify().ok
    assert first


def test_a_physician_added_without_the_clinic_ca_waits_for_certification(ctx, make_patient_data, make_procedure_data):
    signers.enrol(ctx)  # the clinic CA exists; this command-line-like session does not hold it
    made = ctx.accounts.create_user(
        {"username": "dr.waiting", "display_name": "Dr. Waiting", "role": "physician"}, "waiting password"
    )
    assert ctx.accounts.signing_keys()[made.id].status == "waiting for certification"
    patient = ctx.records.save_patient(make_patient_data())
    procedure = ctx.records.save_procedure(patient.id, make_procedure_data())
    ctx.work.sign_in(Actor(username="dr.waiting", display_name="Dr. Waiting", role="physician", workstation="ws"))
    with pytest.raises(InvalidRecord, match="not been certified"):
        ctx.signing.sign_procedure(procedure.id, procedure.version, "waiting password")
    # An administrator who signed in (and so holds the CA) certifies it; then it signs.
    ctx.accounts.sign_in(signers.enrol(ctx).username, signers.PASSWORD)
    assert ctx.accounts.certify_key(made.id).status == "certified"
    ctx.work.sign_in(Actor(username="dr.waiting", display_name="Dr. Waiting", role="physician", workstation="ws"))
    acks = signers.acknowledge_all(ctx, procedure.id)
    assert ctx.signing.sign_procedure(procedure.id, procedure.version, "waiting password", acks).is_signed
    ctx.accounts.sign_in(signers.enrol(ctx).username, signers.PASSWORD)
    assert ctx.audit.verify().ok


def test_the_exported_pdf_validates_with_pyhanko_and_pdfsig(ctx, make_patient_data, make_procedure_data, tmp_path):
    procedure_id = _signed(ctx, make_patient_data, make_procedure_data)
    signers.add_addendum(ctx, procedure_id, "Addendum: follow-up call done.")
    out = ctx.notes.export_procedure(procedure_id, tmp_path / "note.pdf")
    pem = ctx.accounts.clinic_ca_pem()
    from facetdesk.trust import ca as ca_mod

    checks = pades.check_pdf(out.read_bytes(), [ca_mod.load_pem(pem)])
    assert [c.field for c in checks] == ["Signature", "Addendum1"] and all(c.ok for c in checks)

    if shutil.which("pdfsig") is None or shutil.which("certutil") is None:
        if under_ci():
            pytest.fail("pdfsig and certutil (poppler-utils, libnss3-tools) are needed under CI")
        pytest.skip("pdfsig or certutil not installed (Debian: poppler-utils libnss3-tools)")
    nss = tmp_path / "nss"
    nss.mkdir()
    (tmp_path / "clinic-ca.pem").write_bytes(pem)
    env = dict(os.environ)
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True, env=env)
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{nss}", "-n", "clinic", "-t", "CT,CT,CT", "-i", str(tmp_path / "clinic-ca.pem")],
        check=True,
        env=env,
    )
    report = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nss}", str(out)], capture_output=True, text=True, env=env
    ).stdout
    assert report.count("Signature is Valid.") == 2, report
    # poppler 22.12 (Debian 12) trusts the first signature's certificate but reports "Unknown issue" for a
    # second signature in the same run; the trust of both is checked above by pyHanko.
    assert report.count("Certificate is Trusted.") >= 1, report
    assert "Total document signed" in report  # the last (addendum) signature covers the whole file


def test_addendum_format_1_bytes_are_pinned():
    from facetdesk.domain.procedure import Addendum
    from facetdesk.domain.signed_content import addendum_content

    addendum = Addendum(
        author="Dr. Golden Example",
        written_at=datetime(2025, 4, 3, 9, 5),
        text='Late entry: Ünïcode kept, "quotes" escaped.',
        signed_by="Dr. Golden Example",
        signed_at=datetime(2025, 4, 3, 9, 5),
    )
    expected = (
        '{"addendum":{"author":"Dr. Golden Example","signed_at":"2025-04-03T09:05:00","signed_by":"Dr. Golden '
        'Example","text":"Late entry: Ünïcode kept, \\"quotes\\" escaped.","written_at":"2025-04-03T09:05:00"},'
        '"content":"facetdesk-addendum","format":1,"position":"0","procedure_uid":"00000000-0000-4000-8000-000000000001"}'
    ).encode()
    assert canonical_bytes(addendum_content(GOLDEN_PROCEDURE["uid"], 0, addendum, 1)) == expected


def test_a_critical_finding_is_never_signed_over_unacknowledged(ctx, make_patient_data, make_procedure_data):
    """The issue: iodinated-contrast allergy with iohexol given could be signed without acknowledgement."""
    signers.enrol(ctx)
    patient = ctx.records.save_patient(make_patient_data(allergies=["Omnipaque"]))
    data = make_procedure_data(contrast=True)
    data["medications"] = [*data["medications"], {"agent": "iohexol", "concentration_mg_per_ml": 300, "volume_ml": 0.5}]
    procedure = ctx.records.save_procedure(patient.id, data)
    open_ = ctx.signing.open_findings(procedure.id)
    critical = [f for f in open_ if f.severity.value == "critical"]
    assert [f.rule for f in critical] == ["risk.allergy"]
    with pytest.raises(InvalidRecord, match="critical finding risk.allergy .* must be acknowledged"):
        ctx.signing.sign_procedure(procedure.id, procedure.version, signers.PASSWORD)
    partial = {f.rule: "reason" for f in open_ if f.severity.value != "critical"}
    with pytest.raises(InvalidRecord, match="critical finding risk.allergy"):
        ctx.signing.sign_procedure(procedure.id, procedure.version, signers.PASSWORD, partial)
    assert not ctx.records.get_procedure(procedure.id)[1].is_signed
    with pytest.raises(InvalidRecord, match="no open finding to acknowledge"):
        ctx.signing.sign_procedure(
            procedure.id,
            procedure.version,
            signers.PASSWORD,
            {**signers.acknowledge_all(ctx, procedure.id), "x.y": "z"},
        )

    acks = {f.rule: f"Synthetic reason for {f.rule}" for f in open_}
    signed = ctx.signing.sign_procedure(procedure.id, procedure.version, signers.PASSWORD, acks)
    assert signed.is_signed
    stored = signed.override_for("risk.allergy")
    assert stored is not None and stored.reason == "Synthetic reason for risk.allergy"
    assert stored.acknowledged_by == signers.enrol(ctx).display_name
    # The acknowledgement is part of what was signed and printed on page 1 of the signed note.
    import io

    from pypdf import PdfReader

    pdf = ctx.notes.render_procedure_note(procedure.id).pdf
    first_page = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "CRITICAL" in first_page and "Omnipaque" in first_page
    assert "Synthetic reason for risk.allergy" in first_page
    assert ctx.audit.verify().ok


def test_a_signature_made_under_format_1_still_verifies_beside_a_current_format_addendum(
    ctx, make_patient_data, make_procedure_data, monkeypatch
):
    """An upgrade leaves every format-1 signature verifiable: each part is checked under its own format."""
    import facetdesk.services.signing as signing_service

    with monkeypatch.context() as m:
        m.setattr(signing_service, "CURRENT_FORMAT", 1)
        first = _signed(ctx, make_patient_data, make_procedure_data)
    signers.add_addendum(ctx, first, "Written after the upgrade, signed under the current format.")
    with ctx.database.read() as s:
        formats = [part.content_format for part in sigstore.signatures_of(s, first)]
    assert formats == [1, CURRENT_FORMAT] and CURRENT_FORMAT > 1
    report = ctx.audit.verify()
    assert report.ok, report.lines()
