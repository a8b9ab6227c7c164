"""RecordService: saving patients and procedures validates first and stores nothing that is refused."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from facetdesk.domain.errors import InvalidRecord
from facetdesk.services.records import NotFound
from facetdesk.storage.errors import StaleRecord


def _paths(exc: pytest.ExceptionInfo[InvalidRecord]) -> list[tuple]:
    return [e.path for e in exc.value.errors]


# ---- patients ---------------------------------------------------------------


def test_save_patient_returns_stored_patient_with_id(ctx, make_patient_data):
    saved = ctx.records.save_patient(make_patient_data(1))

    assert saved.id is not None
    stored = ctx.records.get_patient(saved.id)
    assert stored == saved
    assert stored.mrn == make_patient_data(1)["mrn"]
    assert stored.date_of_birth == make_patient_data(1)["date_of_birth"]


@pytest.mark.parametrize(
    ("override", "path"),
    [
        ({"mrn": "bad mrn!"}, ("mrn",)),
        ({"mrn": ""}, ("mrn",)),
        ({"family_name": "   "}, ("family_name",)),
        ({"date_of_birth": "1970-13-40"}, ("date_of_birth",)),
        ({"date_of_birth": "2999-01-01"}, ("date_of_birth",)),
        ({"weight_kg": 0}, ("weight_kg",)),
        ({"sex": "male", "pregnant": True}, ("pregnant",)),
    ],
)
def test_save_patient_with_invalid_field_names_the_field_and_stores_nothing(ctx, make_patient_data, override, path):
    with pytest.raises(InvalidRecord) as exc:
        ctx.records.save_patient(make_patient_data(1, **override))

    assert path in _paths(exc)
    assert all(e.message for e in exc.value.errors)
    assert ctx.records.search_patients("") == []


def test_save_patient_reports_every_bad_field_at_once(ctx, make_patient_data):
    with pytest.raises(InvalidRecord) as exc:
        ctx.records.save_patient(make_patient_data(1, mrn="no spaces allowed", given_name="", weight_kg=900))

    assert {("mrn",), ("given_name",), ("weight_kg",)} <= set(_paths(exc))


def test_duplicate_mrn_is_refused_on_mrn_and_first_patient_is_unchanged(ctx, make_patient_data):
    first = ctx.records.save_patient(make_patient_data(1))

    with pytest.raises(InvalidRecord) as exc:
        # Case and surrounding spaces do not make an MRN different.
        ctx.records.save_patient(make_patient_data(2, mrn=f" {first.mrn.lower()} "))

    assert _paths(exc) == [("mrn",)]
    assert first.mrn in exc.value.errors[0].message or first.mrn.lower() in exc.value.errors[0].message
    assert ctx.records.get_patient(first.id) == first
    assert [s.id for s in ctx.records.search_patients("")] == [first.id]


def test_updating_patient_to_another_patients_mrn_is_refused(ctx, make_patient_data):
    first = ctx.records.save_patient(make_patient_data(1))
    second = ctx.records.save_patient(make_patient_data(2))

    with pytest.raises(InvalidRecord) as exc:
        ctx.records.save_patient(second.model_copy(update={"mrn": first.mrn}))

    assert _paths(exc) == [("mrn",)]
    assert ctx.records.get_patient(second.id).mrn == make_patient_data(2)["mrn"]


def test_updating_patient_keeps_id_and_stores_change(ctx, make_patient_data):
    saved = ctx.records.save_patient(make_patient_data(1))

    updated = ctx.records.save_patient(saved.model_copy(update={"family_name": "Renamed"}))

    assert updated.id == saved.id
    assert ctx.records.get_patient(saved.id).family_name == "Renamed"


def test_get_missing_patient_raises_not_found(ctx):
    with pytest.raises(NotFound):
        ctx.records.get_patient(12345)


def test_changing_dob_to_after_an_existing_procedure_is_rejected(ctx, make_patient_data, make_procedure_data):
    patient = ctx.records.save_patient(make_patient_data(1))
    ctx.records.save_procedure(patient.id, make_procedure_data(datetime(2025, 4, 2, 10, 15)))

    with pytest.raises(InvalidRecord) as exc:
        ctx.records.save_patient(patient.model_copy(update={"date_of_birth": date(2025, 5, 1)}))

    assert _paths(exc) == [("date_of_birth",)]
    assert "2025-04-02" in exc.value.errors[0].message
    assert ctx.records.get_patient(patient.id).date_of_birth == make_patient_data(1)["date_of_birth"]


def test_changing_dob_to_a_date_still_before_procedures_is_allowed(ctx, make_patient_data, make_procedure_data):
    patient = ctx.records.save_patient(make_patient_data(1))
    ctx.records.save_procedure(patient.id, make_procedure_data(datetime(2025, 4, 2, 10, 15)))

    # The procedure's own day is not "before birth".
    ctx.records.save_patient(patient.model_copy(update={"date_of_birth": date(2025, 4, 2)}))

    assert ctx.records.get_patient(patient.id).date_of_birth == date(2025, 4, 2)


# ---- procedures -------------------------------------------------------------


def test_save_procedure_stores_and_lists_it(ctx, make_patient_data, make_procedure_data):
    patient = ctx.records.save_patient(make_patient_data(1))

    saved = ctx.records.save_procedure(patient.id, make_procedure_data())

    assert saved.id is not None
    owner, stored = ctx.records.get_procedure(saved.id)
    assert owner == patient
    assert stored == saved
    listed = ctx.records.list_procedures(patient.id)
    assert [(p.id, p.uid) for p in listed] == [(saved.id, saved.uid)]
    assert "L4-L5" in listed[0].levels


def test_procedure_before_date_of_birth_is_rejected_and_nothing_stored(ctx, make_patient_data, make_procedure_data):
    patient = ctx.records.save_patient(make_patient_data(1, date_of_birth="1970-06-15"))

    with pytest.raises(InvalidRecord) as exc:
        ctx.records.save_procedure(patient.id, make_procedure_data(datetime(1970, 6, 14, 23, 0)))

    assert _paths(exc) == [("performed_at",)]
    assert "1970-06-15" in exc.value.errors[0].message
    assert ctx.records.list_procedures(patient.id) == []


@pytest.mark.parametrize(
    ("override", "path"),
    [
        ({"pain_scores": [{"minutes_after": 30, "nrs": 11}]}, ("pain_scores", 0, "nrs")),
        ({"targets": []}, ("targets",)),
        ({"targets": [{"level": "L9-L10", "side": "left"}]}, ("targets", 0, "level")),
        (
            {"medications": [{"agent": "bupivacaine", "concentration_mg_per_ml": 5.0, "volume_ml": 0}]},
            ("medications", 0, "volume_ml"),
        ),
        ({"performed_at": "2999-01-01T09:00"}, ("performed_at",)),
        ({"physician": ""}, ("physician",)),
    ],
)
def test_invalid_procedure_names_the_field_and_stores_nothing(
    ctx, make_patient_data, make_procedure_data, override, path
):
    patient = ctx.records.save_patient(make_patient_data(1))

    with pytest.raises(InvalidRecord) as exc:
        ctx.records.save_procedure(patient.id, make_procedure_data(**override))

    assert path in _paths(exc)
    assert ctx.records.list_procedures(patient.id) == []


def test_save_procedure_for_missing_patient_raises_not_found(ctx, make_procedure_data):
    with pytest.raises(NotFound):
        ctx.records.save_procedure(999, make_procedure_data())


def test_rejected_procedure_update_leaves_stored_version_intact(ctx, make_patient_data, make_procedure_data):
    patient = ctx.records.save_patient(make_patient_data(1))
    saved = ctx.records.save_procedure(patient.id, make_procedure_data())

    bad_date = saved.model_copy(update={"performed_at": datetime(1960, 1, 1, 9, 0), "physician": "Dr. Changed"})
    with pytest.raises(InvalidRecord) as exc:
        ctx.records.save_procedure(patient.id, bad_date)
    assert _paths(exc) == [("performed_at",)]

    bad_nrs = saved.model_dump()
    bad_nrs["pain_scores"] = [{"minutes_after": 30, "nrs": 11}]
    bad_nrs["physician"] = "Dr. Changed"
    with pytest.raises(InvalidRecord):
        ctx.records.save_procedure(patient.id, bad_nrs)

    _, stored = ctx.records.get_procedure(saved.id)
    assert stored == saved
    assert stored.physician == make_procedure_data()["physician"]
    assert stored.version == saved.version


def test_procedure_update_bumps_version_and_stale_copy_is_refused(ctx, make_patient_data, make_procedure_data):
    patient = ctx.records.save_patient(make_patient_data(1))
    saved = ctx.records.save_procedure(patient.id, make_procedure_data())

    updated = ctx.records.save_procedure(patient.id, saved.model_copy(update={"follow_up": "Clinic in 2 weeks"}))
    assert updated.version != saved.version

    with pytest.raises(StaleRecord):
        ctx.records.save_procedure(patient.id, saved.model_copy(update={"follow_up": "Overwrites?"}))

    _, stored = ctx.records.get_procedure(saved.id)
    assert stored.follow_up == "Clinic in 2 weeks"
    assert len(ctx.records.list_procedures(patient.id)) == 1


def test_get_missing_procedure_raises_not_found(ctx):
    with pytest.raises(NotFound):
        ctx.records.get_procedure(4242)


def test_prior_procedures_are_only_earlier_ones_of_the_same_patient(ctx, make_patient_data, make_procedure_data):
    patient = ctx.records.save_patient(make_patient_data(1))
    other = ctx.records.save_patient(make_patient_data(2))
    oldest = ctx.records.save_procedure(patient.id, make_procedure_data(datetime(2023, 1, 10, 9, 0)))
    older = ctx.records.save_procedure(patient.id, make_procedure_data(datetime(2024, 2, 20, 9, 0)))
    current = ctx.records.save_procedure(patient.id, make_procedure_data(datetime(2025, 3, 1, 9, 0)))
    ctx.records.save_procedure(patient.id, make_procedure_data(datetime(2025, 8, 1, 9, 0)))  # later
    ctx.records.save_procedure(other.id, make_procedure_data(datetime(2022, 5, 5, 9, 0)))  # other patient

    priors = ctx.records.prior_procedures(patient.id, current)

    assert [p.uid for p in priors] == [oldest.uid, older.uid]
    assert ctx.records.prior_procedures(patient.id, oldest) == []


def test_search_patients_finds_by_name_and_mrn(ctx, make_patient_data):
    a = ctx.records.save_patient(make_patient_data(1, family_name="Quillfeather"))
    b = ctx.records.save_patient(make_patient_data(2, family_name="Brookstone"))

    assert [s.id for s in ctx.records.search_patients("quill")] == [a.id]
    assert [s.id for s in ctx.records.search_patients(f"  {b.mrn} ")] == [b.id]
