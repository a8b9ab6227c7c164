"""CaseService: exporting a stored procedure and importing case files as one all-or-nothing transaction."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from facetdesk.domain.case import CaseFile
from facetdesk.domain.errors import InvalidRecord
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Procedure
from facetdesk.services.records import NotFound
from tests.builders.cases import make_case


def _patient_fields(p: Patient) -> dict:
    return p.model_dump(exclude={"id", "version"})


def _procedure_fields(p: Procedure) -> dict:
    return p.model_dump(exclude={"id", "version"})


def _snapshot(ctx) -> list:
    """Everything a user could see: every patient with all of their procedures."""
    out = []
    for summary in ctx.records.search_patients(""):
        patient = ctx.records.get_patient(summary.id)
        procedures = [ctx.records.get_procedure(p.id)[1] for p in ctx.records.list_procedures(summary.id)]
        out.append((patient, procedures))
    return out


@pytest.fixture
def stored_case(ctx, make_patient_data, make_procedure_data):
    """A patient with an earlier, the exported and a later procedure in the first database."""
    patient = ctx.records.save_patient(make_patient_data(1, allergies=["latex"], weight_kg=68))
    prior = ctx.records.save_procedure(patient.id, make_procedure_data(datetime(2024, 9, 1, 8, 0)))
    main = ctx.records.save_procedure(
        patient.id,
        make_procedure_data(
            datetime(2025, 4, 2, 10, 15),
            complications=["other"],
            complication_details="synthetic detail",
            notes="Line one.\nLine two.",
        ),
    )
    later = ctx.records.save_procedure(patient.id, make_procedure_data(datetime(2025, 9, 9, 9, 0)))
    return patient, prior, main, later


def test_export_case_holds_patient_procedure_and_only_earlier_priors(ctx, stored_case):
    patient, prior, main, later = stored_case

    case = ctx.cases.export_case(main.id)

    assert case.patient == patient
    assert case.procedure == main
    assert [p.uid for p in case.prior_procedures] == [prior.uid]
    assert later.uid not in {p.uid for p in case.prior_procedures}


def test_export_missing_procedure_raises_not_found(ctx):
    with pytest.raises(NotFound):
        ctx.cases.export_case(777)


def test_export_then_import_into_empty_database_reproduces_records(ctx, other_ctx, stored_case):
    patient, prior, main, _ = stored_case
    case = ctx.cases.export_case(main.id)

    result = other_ctx.cases.import_case(case)

    assert result.patient_created is True
    assert result.procedures_added == 2
    assert result.procedures_already_present == 0
    imported_patient, imported_main = other_ctx.records.get_procedure(result.procedure_id)
    assert imported_patient.id == result.patient_id
    assert _patient_fields(imported_patient) == _patient_fields(patient)
    assert _procedure_fields(imported_main) == _procedure_fields(main)
    listed = other_ctx.records.list_procedures(result.patient_id)
    assert sorted(p.uid for p in listed) == sorted([prior.uid, main.uid])
    reexported = other_ctx.cases.export_case(result.procedure_id)
    assert [_procedure_fields(p) for p in reexported.prior_procedures] == [_procedure_fields(prior)]


def test_import_of_a_full_case_file_keeps_every_detail(other_ctx):
    case = make_case()

    result = other_ctx.cases.import_case(case)

    exported = other_ctx.cases.export_case(result.procedure_id)
    assert _patient_fields(exported.patient) == _patient_fields(case.patient)
    assert _procedure_fields(exported.procedure) == _procedure_fields(case.procedure)
    assert [_procedure_fields(p) for p in exported.prior_procedures] == [
        _procedure_fields(p) for p in case.prior_procedures
    ]


def test_importing_the_same_case_twice_adds_nothing_the_second_time(other_ctx):
    case = make_case()
    first = other_ctx.cases.import_case(case)
    before = _snapshot(other_ctx)

    second = other_ctx.cases.import_case(case)

    assert (first.procedures_added, first.procedures_already_present) == (2, 0)
    assert second.patient_created is False
    assert second.patient_id == first.patient_id
    assert second.procedure_id == first.procedure_id
    assert (second.procedures_added, second.procedures_already_present) == (0, 2)
    assert _snapshot(other_ctx) == before


def test_import_adds_new_procedure_to_existing_patient_by_mrn(other_ctx):
    first_case = make_case()
    other_ctx.cases.import_case(first_case)
    newer = first_case.procedure.model_copy(update={"uid": "newer-visit-0001", "performed_at": datetime(2026, 11, 1)})
    second_case = CaseFile(
        patient=first_case.patient,
        procedure=newer,
        prior_procedures=[first_case.procedure, *first_case.prior_procedures],
    )

    result = other_ctx.cases.import_case(second_case)

    assert result.patient_created is False
    assert (result.procedures_added, result.procedures_already_present) == (1, 2)
    assert len(other_ctx.records.search_patients("")) == 1
    assert len(other_ctx.records.list_procedures(result.patient_id)) == 3


@pytest.mark.parametrize(
    ("update", "named"),
    [
        ({"family_name": "Otherfamily"}, "family name"),
        ({"given_name": "Otherperson"}, "given name"),
        ({"date_of_birth": date(1961, 3, 15)}, "date of birth"),
    ],
)
def test_import_with_known_mrn_but_different_identity_is_refused_and_writes_nothing(other_ctx, update, named):
    stored = make_case()
    other_ctx.cases.import_case(stored)
    before = _snapshot(other_ctx)
    clash = make_case()  # new procedure uids, same MRN
    clash = clash.model_copy(update={"patient": clash.patient.model_copy(update=update)})

    with pytest.raises(InvalidRecord) as exc:
        other_ctx.cases.import_case(clash)

    [error] = exc.value.errors
    assert error.path == ("patient", "mrn")
    assert named in error.message
    assert "nothing was imported" in error.message
    assert _snapshot(other_ctx) == before


def test_failure_midway_through_import_leaves_database_unchanged(other_ctx):
    # Another patient already owns a procedure whose uid the case lists as a prior:
    # the new patient and the prior before it must not be left behind.
    owner_case = make_case()
    owner_case = owner_case.model_copy(update={"patient": owner_case.patient.model_copy(update={"mrn": "OWNER-1"})})
    other_ctx.cases.import_case(owner_case)
    before = _snapshot(other_ctx)
    fresh = make_case()
    fresh_prior = fresh.prior_procedures[0]
    stolen = owner_case.procedure.model_copy(update={"performed_at": datetime(2026, 6, 1, 9, 0)})
    case = fresh.model_copy(
        update={
            "patient": fresh.patient.model_copy(update={"mrn": "NEW-2"}),
            "prior_procedures": [fresh_prior, stolen],
        }
    )

    with pytest.raises(InvalidRecord) as exc:
        other_ctx.cases.import_case(case)

    assert [e.path for e in exc.value.errors] == [("procedure", "uid")]
    assert _snapshot(other_ctx) == before
    assert [s.mrn for s in other_ctx.records.search_patients("")] == ["OWNER-1"]


def test_import_adds_toxin_given_elsewhere_to_a_known_patient_once(other_ctx):
    first = make_case()
    other_ctx.cases.import_case(first)
    dose = {"given_on": date(2026, 8, 20), "product": "onabotulinumtoxinA", "units": 155,
            "indication": "chronic migraine", "source": "neurology clinic, letter"}  # fmt: skip
    patient = Patient.model_validate({**first.patient.model_dump(), "toxin_elsewhere": [dose]})
    with_dose = first.model_copy(update={"patient": patient})

    result = other_ctx.cases.import_case(with_dose)
    other_ctx.cases.import_case(with_dose)  # again: the same dose is not added twice

    stored = other_ctx.records.get_patient(result.patient_id)
    assert [(t.given_on, t.units, t.indication) for t in stored.toxin_elsewhere] == [
        (date(2026, 8, 20), 155, "chronic migraine")
    ]
    assert other_ctx.audit.verify().ok
