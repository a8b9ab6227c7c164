"""Follow-up visits stored and read back whole, on both engines; a stale or orphaned one is refused."""

from __future__ import annotations

from datetime import date

import pytest

from facetdesk.domain.follow_up import FollowUp
from facetdesk.storage.errors import RecordNotFound, StaleRecord
from facetdesk.storage.follow_ups import follow_ups_for_patient, get_follow_up, save_follow_up
from facetdesk.storage.repository import save_patient, save_procedure


@pytest.fixture
def saved(db, make_patient, make_procedure) -> tuple[int, str]:
    """(patient id, procedure uid) of a stored procedure."""
    with db.transaction() as s:
        patient = save_patient(s, make_patient(1))
        return patient.id, save_procedure(s, patient.id, make_procedure(1)).uid


@pytest.fixture
def procedure_uid(saved) -> str:
    return saved[1]


def _visit(procedure_uid: str, **fields) -> FollowUp:
    values = {"procedure_uid": procedure_uid, "seen_on": date(2024, 6, 5), "recorded_by": "RN Synthetic"} | fields
    return FollowUp.model_validate(values)


def test_every_field_of_a_follow_up_is_stored_and_read_back(db, procedure_uid):
    visit = _visit(procedure_uid, pain_nrs=3, disability_scale="ODI", disability_score=24.5, adl_improvement_pct=60,
                   analgesic_use="less", global_impression="much_improved", notes="Walks 2 km.")  # fmt: skip
    with db.transaction() as s:
        saved = save_follow_up(s, visit)
    with db.read() as s:
        assert get_follow_up(s, saved.id) == saved
        assert saved.model_dump(exclude={"id", "version"}) == visit.model_dump(exclude={"id", "version"})


def test_an_update_moves_the_version_and_a_stale_one_is_refused(db, procedure_uid):
    with db.transaction() as s:
        first = save_follow_up(s, _visit(procedure_uid, pain_nrs=5))
    with db.transaction() as s:
        second = save_follow_up(s, first.model_copy(update={"pain_nrs": 4}))
    assert second.version == first.version + 1
    with pytest.raises(StaleRecord), db.transaction() as s:
        save_follow_up(s, first.model_copy(update={"pain_nrs": 2}))
    with db.read() as s:
        assert get_follow_up(s, first.id).pain_nrs == 4


def test_a_patients_follow_ups_come_oldest_first_and_a_missing_procedure_is_refused(db, saved):
    patient_id, procedure_uid = saved
    with db.transaction() as s:
        later = save_follow_up(s, _visit(procedure_uid, seen_on=date(2024, 9, 1), pain_nrs=2))
        earlier = save_follow_up(s, _visit(procedure_uid, seen_on=date(2024, 4, 1), pain_nrs=6))
    with db.read() as s:
        assert [v.id for v in follow_ups_for_patient(s, patient_id)] == [earlier.id, later.id]
    with pytest.raises(RecordNotFound), db.transaction() as s:
        save_follow_up(s, _visit("no-such-procedure"))
