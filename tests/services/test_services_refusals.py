"""Refusals that say the true reason: each message tested for the race it describes (two workstations)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa

from facetdesk.domain.errors import InvalidRecord
from facetdesk.services.context import AppContext, build_context
from facetdesk.storage.errors import RecordLocked, StaleRecord
from facetdesk.storage.tables import PatientRow
from tests import signers
from tests.actors import ADMIN_PHYSICIAN, NURSE


@pytest.fixture
def second(ctx) -> Iterator[AppContext]:
    """Another workstation on the same database (its own engine and connections)."""
    other = build_context(ctx.database.url, actor=ADMIN_PHYSICIAN)
    yield other
    other.close()


@pytest.fixture
def stored(ctx, make_patient_data, make_procedure_data):
    patient = ctx.records.save_patient(make_patient_data())
    return patient, ctx.records.save_procedure(patient.id, make_procedure_data())


def test_a_nurses_pain_scores_racing_a_physicians_edit_are_refused_as_changed_not_as_forbidden(second, stored):
    patient, procedure = stored
    second.records.save_procedure(patient.id, procedure.model_copy(update={"notes": "Physician's edit."}))
    second.work.sign_in(NURSE)
    scores = [{"minutes_after": 30, "nrs": 2}]
    with pytest.raises(StaleRecord, match="changed on another workstation"):
        # The nurse's form still holds the old notes: that is the race, not an attempt to change them.
        second.records.save_procedure(patient.id, procedure.model_dump() | {"pain_scores": scores})


def test_a_save_after_a_colleague_signed_says_signed_not_changed(ctx, second, stored):
    patient, procedure = stored
    signers.sign(second, procedure.id, procedure.version)
    with pytest.raises(RecordLocked, match="signed"):
        ctx.records.save_procedure(patient.id, procedure.model_copy(update={"notes": "Too late."}))
    ctx.work.sign_in(NURSE)
    with pytest.raises(RecordLocked, match="signed"):
        scores = [{"minutes_after": 5, "nrs": 1}]
        ctx.records.save_procedure(patient.id, procedure.model_dump() | {"pain_scores": scores})


def test_two_workstations_saving_one_patient_never_lose_a_change_silently(ctx, second, stored):
    patient, _ = stored
    ours, theirs = ctx.records.get_patient(patient.id), second.records.get_patient(patient.id)
    second.records.save_patient(theirs.model_copy(update={"allergies": ["latex"]}))
    with pytest.raises(StaleRecord, match="This patient was changed on another workstation"):
        ctx.records.save_patient(ours.model_copy(update={"allergies": ["penicillin"]}))
    assert ctx.records.get_patient(patient.id).allergies == ["latex"]


def test_a_date_of_birth_after_a_stored_procedure_is_refused_on_either_record(ctx, stored, make_procedure_data):
    patient, procedure = stored
    later = procedure.performed_at.date().replace(year=procedure.performed_at.year + 1)
    with pytest.raises(InvalidRecord) as info:
        ctx.records.save_patient(patient.model_copy(update={"date_of_birth": later}))
    assert info.value.errors[0].path == ("date_of_birth",) and "after the procedure of" in str(info.value)
    born_late = ctx.records.save_patient(
        {**patient.model_dump(exclude={"id", "version"}), "mrn": "LATE-1", "date_of_birth": later}
    )
    with pytest.raises(InvalidRecord) as info:
        ctx.records.save_procedure(born_late.id, make_procedure_data())
    assert info.value.errors[0].path == ("performed_at",) and "before the patient's date of birth" in str(info.value)


def test_records_that_disagree_behind_the_app_are_refused_by_name_not_with_a_crash(ctx, stored):
    """A date of birth set after the procedure in the database itself: signing and export name the field."""
    patient, procedure = stored
    with ctx.database.transaction() as s:
        s.execute(sa.update(PatientRow).where(PatientRow.id == patient.id).values(date_of_birth=date(2030, 1, 1)))
    with pytest.raises(InvalidRecord, match="date of birth"):
        ctx.cases.export_case(procedure.id)
    with pytest.raises(InvalidRecord, match="date of birth"):
        signers.sign(ctx, procedure.id, procedure.version)


def test_a_stale_save_names_what_the_other_workstation_changed(ctx, second, stored):
    patient, procedure = stored
    ours, theirs = ctx.records.get_patient(patient.id), second.records.get_patient(patient.id)
    second.records.save_patient(theirs.model_copy(update={"allergies": ["latex"]}))
    second.records.save_patient(
        second.records.get_patient(patient.id).model_copy(update={"weight_kg": 71.5, "diabetes": True})
    )
    with pytest.raises(StaleRecord) as info:
        ctx.records.save_patient(ours.model_copy(update={"given_name": "Renamed"}))
    message = str(info.value)
    assert all(name in message for name in ("allergies", "weight kg", "diabetes")) and "given name" not in message

    _, mine = ctx.records.get_procedure(procedure.id)
    second.records.save_procedure(patient.id, procedure.model_copy(update={"notes": "Colleague's note."}))
    with pytest.raises(StaleRecord) as info:
        ctx.records.save_procedure(patient.id, mine.model_copy(update={"sedation": mine.sedation}))
    assert "(notes)" in str(info.value) and "Nothing was saved" in str(info.value)
