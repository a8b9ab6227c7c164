"""`facetdesk fhir CASE -o BUNDLE`, run as a real subprocess: a valid bundle, and the failures other commands report."""

from __future__ import annotations

import json
from pathlib import Path

from fhir.resources.R4B.bundle import Bundle

from facetdesk.interop.casefile import dump_case
from tests.builders.cases import make_case
from tests.cli_run import REPO, run

SAMPLE = REPO / "docs" / "sample-case.json"


def test_fhir_writes_a_bundle_that_validates(tmp_path: Path):
    out = tmp_path / "bundle.json"

    proc = run("fhir", str(SAMPLE), "-o", str(out))

    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"wrote {out}"
    assert not (tmp_path / "bundle.json.part").exists()
    bundle = Bundle.model_validate_json(out.read_text(encoding="utf-8"))
    kinds = {e.resource.get_resource_type() for e in bundle.entry}
    assert {"Patient", "Procedure", "MedicationAdministration", "Observation", "DetectedIssue"} <= kinds
    assert bundle.timestamp is not None
    case = json.loads(SAMPLE.read_text(encoding="utf-8"))
    (patient,) = [e.resource for e in bundle.entry if e.resource.get_resource_type() == "Patient"]
    assert patient.identifier[0].value == case["patient"]["mrn"]


def test_fhir_on_an_invalid_case_exits_2_naming_the_field(tmp_path: Path):
    raw = json.loads(dump_case(make_case()))
    raw["procedure"]["pain_scores"][0]["nrs"] = 11
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(raw), encoding="utf-8")
    out = tmp_path / "bundle.json"

    proc = run("fhir", str(bad), "-o", str(out))

    assert proc.returncode == 2
    assert f"{bad}: invalid case file" in proc.stderr
    assert "NRS" in proc.stderr and "must be at most 10" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == "" and not out.exists()


def test_fhir_to_a_missing_folder_exits_1_with_message(tmp_path: Path):
    out = tmp_path / "no-such-folder" / "bundle.json"

    proc = run("fhir", str(SAMPLE), "-o", str(out))

    assert proc.returncode == 1
    assert "cannot write" in proc.stderr and str(out) in proc.stderr
    assert "Traceback" not in proc.stderr


def test_fhir_is_listed_in_the_help():
    assert "fhir" in run("--help").stdout
