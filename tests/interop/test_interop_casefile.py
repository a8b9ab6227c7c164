"""Case files: JSON in and out, with errors that name the bad field, and a published JSON Schema."""

from __future__ import annotations

import json

import pytest

from facetdesk.domain.case import CaseFile
from facetdesk.domain.errors import InvalidRecord
from facetdesk.interop.casefile import case_schema, dump_case, parse_case, read_case, write_case
from tests.builders.cases import make_case


@pytest.fixture
def case() -> CaseFile:
    return make_case()


@pytest.fixture
def raw(case: CaseFile) -> dict:
    return json.loads(dump_case(case))


def _errors(text: str) -> list:
    with pytest.raises(InvalidRecord) as exc:
        parse_case(text)
    return exc.value.errors


def test_dump_then_parse_gives_the_same_case(case):
    assert parse_case(dump_case(case)) == case


def test_dumped_case_carries_format_tag(raw):
    assert raw["format"] == "facetdesk-case"
    assert raw["format_version"] == 3
    assert raw["patient"]["mrn"] == "FD-000123"


def test_a_version_1_file_reads_as_it_always_did_and_cannot_hold_follow_ups(raw):
    old = {k: v for k, v in raw.items() if k != "follow_ups"} | {"format_version": 1}
    case = parse_case(json.dumps(old))
    assert case.format_version == 1 and case.follow_ups == []
    visit = {"procedure_uid": old["procedure"]["uid"], "seen_on": "2026-11-01", "recorded_by": "RN Synthetic"}
    [error] = _errors(json.dumps(old | {"follow_ups": [visit]}))
    assert error.path == ("follow_ups",) and "format_version 2" in error.message


_DOSE = {"given_on": "2026-08-20", "product": "onabotulinumtoxinA", "units": 155, "indication": "chronic migraine",
         "source": "neurology clinic"}  # fmt: skip


@pytest.mark.parametrize("version", [1, 2])
def test_an_older_file_reads_without_toxin_elsewhere_and_cannot_hold_it(raw, version):
    old = {k: v for k, v in raw.items() if k != "follow_ups" or version > 1} | {"format_version": version}
    case = parse_case(json.dumps(old))
    assert case.format_version == version and case.patient.toxin_elsewhere == []
    old["patient"] = old["patient"] | {"toxin_elsewhere": [_DOSE]}
    [error] = _errors(json.dumps(old))
    assert error.path == ("patient",) and "format_version 3" in error.message


def test_toxin_elsewhere_travels_with_the_patient(raw):
    raw["patient"]["toxin_elsewhere"] = [_DOSE]
    case = parse_case(json.dumps(raw))
    assert [t.summary() for t in case.patient.toxin_elsewhere] == [
        "155 U onabotulinumtoxinA on 2026-08-20 elsewhere (chronic migraine; neurology clinic)"
    ]
    assert parse_case(dump_case(case)) == case


def test_a_follow_up_must_follow_a_procedure_of_the_case(raw):
    visit = {"procedure_uid": "elsewhere", "seen_on": "2026-11-01", "recorded_by": "RN Synthetic"}
    [error] = _errors(json.dumps(raw | {"follow_ups": [visit]}))
    assert error.path == ("follow_ups",) and "not in the case file" in error.message


def test_write_then_read_round_trip(tmp_path, case):
    path = tmp_path / "case.json"

    write_case(case, path)

    assert read_case(path) == case
    assert not (tmp_path / "case.json.part").exists()
    assert json.loads(path.read_text(encoding="utf-8"))["procedure"]["uid"] == case.procedure.uid


def test_write_case_replaces_an_existing_file(tmp_path, case):
    path = tmp_path / "case.json"
    path.write_text("old content", encoding="utf-8")

    write_case(case, path)

    assert read_case(path) == case


@pytest.mark.parametrize("text", ["", "not json", '{"patient": ', "{'single': 'quotes'}"])
def test_non_json_is_reported_on_the_file(text):
    [error] = _errors(text)
    assert error.path == ("file",)
    assert "not valid JSON" in error.message
    assert "line 1" in error.message


@pytest.mark.parametrize("text", ["[]", '[{"patient": {}}]', '"a string"', "42", "null"])
def test_json_that_is_not_an_object_is_refused(text):
    [error] = _errors(text)
    assert error.path == ("file",)
    assert "JSON object" in error.message


def test_nrs_above_ten_names_pain_scores_and_nrs(raw):
    raw["procedure"]["pain_scores"][1]["nrs"] = 11

    [error] = _errors(json.dumps(raw))

    assert error.path == ("procedure", "pain_scores", 1, "nrs")
    assert error.message == "must be at most 10"
    assert "NRS" in str(error) and "Pain scores" in str(error)


def test_unknown_field_is_extra_forbidden(raw):
    raw["procedure"]["colour"] = "blue"

    [error] = _errors(json.dumps(raw))

    assert error.path == ("procedure", "colour")
    assert error.message == "is not a field FacetDesk knows"


def test_unknown_top_level_field_is_refused(raw):
    raw["attachments"] = []

    [error] = _errors(json.dumps(raw))

    assert error.path == ("attachments",)


@pytest.mark.parametrize(("key", "value"), [("format", "other-app-case"), ("format_version", 4)])
def test_wrong_format_tag_is_refused(raw, key, value):
    raw[key] = value

    [error] = _errors(json.dumps(raw))

    assert error.path == (key,)
    assert error.message.startswith("must be")


def test_missing_patient_is_required(raw):
    del raw["patient"]

    errors = _errors(json.dumps(raw))

    assert ("patient",) in [e.path for e in errors]
    assert any(e.message == "is required" for e in errors)


def test_several_errors_are_all_reported(raw):
    raw["patient"]["mrn"] = "bad mrn!"
    raw["procedure"]["pre_procedure_pain"] = -1

    paths = {e.path for e in _errors(json.dumps(raw))}

    assert {("patient", "mrn"), ("procedure", "pre_procedure_pain")} <= paths


def test_procedure_before_birth_is_refused(raw):
    raw["procedure"]["performed_at"] = "1950-01-01T09:00:00"

    [error] = _errors(json.dumps(raw))

    assert error.path == ("procedure",)
    assert "before the patient's date of birth" in error.message


def test_prior_with_same_uid_as_main_procedure_is_refused(raw):
    raw["prior_procedures"][0]["uid"] = raw["procedure"]["uid"]

    [error] = _errors(json.dumps(raw))

    assert error.path == ("prior_procedures",)
    assert "same procedure" in error.message


def test_read_case_on_missing_file_reports_the_file(tmp_path):
    with pytest.raises(InvalidRecord) as exc:
        read_case(tmp_path / "absent.json")

    [error] = exc.value.errors
    assert error.path == ("file",)
    assert "cannot be read" in error.message


def test_read_case_on_non_utf8_file_reports_the_file(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"patient": "\xe9"}')

    with pytest.raises(InvalidRecord) as exc:
        read_case(path)

    assert exc.value.errors[0].path == ("file",)


def test_case_schema_describes_patient_and_procedure():
    schema = case_schema()

    assert schema["type"] == "object"
    assert {"patient", "procedure", "prior_procedures", "format"} <= set(schema["properties"])
    assert {"patient", "procedure"} <= set(schema["required"])
    defs = schema["$defs"]
    assert "mrn" in defs["Patient"]["properties"]
    assert {"performed_at", "targets", "pain_scores"} <= set(defs["Procedure"]["properties"])
    assert defs["PainScore"]["properties"]["nrs"]["maximum"] == 10
    assert schema["additionalProperties"] is False
    json.dumps(schema)  # serialisable as published by `facetdesk schema`
