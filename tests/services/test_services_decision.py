"""Decision support on a half-typed procedure: invalid rows are left out, the rest is still checked."""

from __future__ import annotations

from datetime import date

from facetdesk.domain.catalog import get_catalog
from facetdesk.domain.patient import Patient
from facetdesk.services.decision import check_draft, lenient_procedure

PATIENT = Patient(mrn="D-1", family_name="Testperson", given_name="Lee", date_of_birth=date(1960, 1, 1), weight_kg=60)


def _draft(**extra):
    data = {
        "performed_at": "2026-09-01T10:00",
        "physician": "",
        "technique": "medial_branch_block",
        "intent": "diagnostic_first",
        "guidance": "fluoroscopy",
        "targets": [{"level": "L4-L5", "side": "left"}],
    }
    data.update(extra)
    return data


def test_row_without_volume_is_left_out_and_reported():
    meds = [
        {"agent": "lidocaine", "concentration_mg_per_ml": 10, "volume_ml": 0},
        {"agent": "bupivacaine", "concentration_mg_per_ml": 5, "volume_ml": 0.5, "volume_basis": "per_nerve"},
    ]
    procedure, problems = lenient_procedure(_draft(medications=meds))
    assert procedure is not None
    assert [m.agent for m in procedure.medications] == ["bupivacaine"]
    assert any(p.path[:2] == ("medications", 0) for p in problems)


def test_checks_run_on_the_valid_part_of_a_draft():
    meds = [
        {"agent": "lidocaine", "concentration_mg_per_ml": 10, "volume_ml": 0},
        {"agent": "bupivacaine", "concentration_mg_per_ml": 5, "volume_ml": 2, "volume_basis": "per_nerve"},
    ]
    result = check_draft(PATIENT, _draft(medications=meds, guidance="ultrasound"), [], get_catalog())
    assert result.evaluated
    by_rule = {f.rule: f for f in result.findings}
    assert by_rule["lcd.imaging"].status.value == "not_met"
    assert by_rule["volume.medial_branch"].status.value == "not_met"  # 2 mL per nerve


def test_draft_without_targets_is_not_evaluated_and_says_why():
    result = check_draft(PATIENT, _draft(targets=[]), [], get_catalog())
    assert not result.evaluated and result.findings == []
    assert any(p.path == ("targets",) for p in result.problems)
