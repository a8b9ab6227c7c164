"""CaseService.export_fhir: a stored procedure written as a FHIR bundle, audited, refused without permission."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from fhir.resources.R4B.bundle import Bundle

from facetdesk.domain.audit import AuditAction
from facetdesk.domain.catalog import get_catalog
from facetdesk.domain.errors import InvalidRecord
from facetdesk.domain.users import NotPermitted
from facetdesk.services.fhir_export import fhir_bundle_for_case
from facetdesk.services.records import NotFound
from tests.actors import NURSE

STAMP = datetime(2026, 10, 6, 8, 15, tzinfo=timezone.utc)


@pytest.fixture
def stored(ctx, make_patient_data, make_procedure_data):
    patient = ctx.records.save_patient(make_patient_data(1, allergies=["latex"], weight_kg=68))
    ctx.records.save_procedure(patient.id, make_procedure_data(datetime(2024, 9, 1, 8, 0)))
    procedure = ctx.records.save_procedure(patient.id, make_procedure_data(datetime(2025, 4, 2, 10, 15)))
    return patient, procedure


@pytest.fixture
def out(tmp_path):
    """A folder of its own for the bundles (tmp_path also holds the database)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def _exports(ctx) -> list:
    return list(ctx.audit.search(action=AuditAction.EXPORT))


def test_export_fhir_writes_the_bundle_and_records_the_export(ctx, stored, out):
    patient, procedure = stored
    target = out / "bundle.json"

    written = ctx.cases.export_fhir(procedure.id, target, now=STAMP)

    assert written == target and not (out / "bundle.json.part").exists()
    bundle = Bundle.model_validate_json(target.read_text(encoding="utf-8"))
    assert bundle.timestamp == STAMP
    (fhir_patient,) = [e.resource for e in bundle.entry if e.resource.get_resource_type() == "Patient"]
    assert fhir_patient.identifier[0].value == patient.mrn
    (entry,) = _exports(ctx)
    assert (entry.entity, entry.entity_id) == ("procedure", str(procedure.id))
    assert entry.detail["format"] == "fhir-r4"
    assert entry.detail["resources"] == len(bundle.entry)
    assert entry.detail["prior_procedures"] == 1
    assert entry.detail["detected_issues"] == sum(
        1 for e in bundle.entry if e.resource.get_resource_type() == "DetectedIssue"
    )
    logged = json.dumps(entry.detail)
    for private in (patient.mrn, patient.family_name, patient.given_name, str(patient.date_of_birth)):
        assert private not in logged


def test_the_service_exports_what_the_case_file_function_builds(ctx, stored, out):
    _, procedure = stored
    target = out / "bundle.json"
    ctx.cases.export_fhir(procedure.id, target, now=STAMP)

    expected = fhir_bundle_for_case(ctx.cases.case_for(procedure.id), get_catalog(), STAMP)

    assert target.read_text(encoding="utf-8") == expected


def test_two_exports_differ_only_in_the_timestamp(ctx, stored, out):
    _, procedure = stored
    first = json.loads(ctx.cases.export_fhir(procedure.id, out / "a.json").read_text(encoding="utf-8"))
    second = json.loads(ctx.cases.export_fhir(procedure.id, out / "b.json", STAMP).read_text(encoding="utf-8"))
    assert first.pop("timestamp") != second.pop("timestamp")
    assert first == second
    assert len(_exports(ctx)) == 2


def test_export_fhir_is_refused_to_nobody_signed_in(ctx, stored, out):
    _, procedure = stored
    ctx.work.sign_out()
    with pytest.raises(NotPermitted):
        ctx.cases.export_fhir(procedure.id, out / "bundle.json")
    assert list(out.iterdir()) == []


def test_a_nurse_may_export(ctx, stored, out):
    _, procedure = stored
    ctx.work.sign_in(NURSE)
    assert ctx.cases.export_fhir(procedure.id, out / "bundle.json").exists()


def test_unknown_procedure_is_not_found_and_nothing_is_written_or_recorded(ctx, out):
    with pytest.raises(NotFound):
        ctx.cases.export_fhir(777, out / "bundle.json")
    assert list(out.iterdir()) == []
    assert _exports(ctx) == []


def test_unwritable_target_is_an_os_error_and_not_recorded(ctx, stored, out):
    _, procedure = stored
    with pytest.raises(OSError):
        ctx.cases.export_fhir(procedure.id, out / "missing" / "bundle.json")
    assert _exports(ctx) == []


@pytest.mark.parametrize("now", ["2026-10-06", 1700000000, datetime.min])
def test_a_timestamp_that_is_no_time_is_refused_by_name(ctx, stored, out, now):
    _, procedure = stored
    with pytest.raises(InvalidRecord) as info:
        ctx.cases.export_fhir(procedure.id, out / "bundle.json", now)
    assert info.value.errors[0].path == ("now",)
    assert _exports(ctx) == []
