"""Nothing stale: the findings panel and running totals show only the open record, in every order of switching."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from facetdesk.domain.procedure import MedicationAdministration
from tests.ui.helpers import find, start_procedure


@pytest.fixture
def two_patients(ctx):
    first = ctx.records.save_patient(
        {"mrn": "ST-1", "family_name": "Heavy", "given_name": "Ann", "date_of_birth": date(1950, 1, 1),
         "weight_kg": 82}
    )  # fmt: skip
    second = ctx.records.save_patient(
        {"mrn": "ST-2", "family_name": "Light", "given_name": "Ben", "date_of_birth": date(1960, 1, 1),
         "weight_kg": 55}
    )  # fmt: skip
    return first, second


def _evaluated_procedure(qtbot, window, patient):
    """A saved procedure whose findings mention this patient's weight (the local anaesthetic maximum)."""
    ed = start_procedure(qtbot, window, patient.id, datetime(2026, 9, 1, 10, 0))
    ed.medications.load([MedicationAdministration(agent="bupivacaine", concentration_mg_per_ml=5.0, volume_ml=1.0)])
    findings = ed.refresh_findings()
    assert any(f"{patient.weight_kg:g} kg" in f.message for f in findings)
    saved = ed.save()
    assert saved is not None
    return saved


def _shown(ed) -> str:
    panel = ed.findings
    panel.show_met.setChecked(True)  # the weight appears in a met check: list those too
    return "\n".join([panel.summary.text(), *(panel.list.item(i).text() for i in range(panel.list.count()))])


def test_a_new_procedure_never_shows_the_previous_patients_findings(qtbot, window, two_patients):
    heavy, light = two_patients
    _evaluated_procedure(qtbot, window, heavy)
    window.patients.open_patient(light.id)
    window.procedures.new_procedure()
    ed = window.editor
    assert ed.findings.findings == [] and ed.findings.list.count() == 0
    assert "82 kg" not in _shown(ed) and "bupivacaine" not in _shown(ed)
    assert ed.findings.summary.text() == "Not evaluated yet"
    assert "Targets" in ed.findings.problems.text()  # says what is missing
    assert ed.botox.window_status.text() == ""


def test_opening_procedures_of_two_patients_in_turn_shows_each_ones_own(qtbot, window, two_patients):
    heavy, light = two_patients
    heavy_procedure = _evaluated_procedure(qtbot, window, heavy)
    light_procedure = _evaluated_procedure(qtbot, window, light)
    for patient, procedure, other in (
        (heavy, heavy_procedure, light),
        (light, light_procedure, heavy),
        (heavy, heavy_procedure, light),
    ):
        window.procedures.open_procedure(procedure.id)
        text = _shown(window.editor)
        assert f"{patient.weight_kg:g} kg" in text and f"{other.weight_kg:g} kg" not in text


def test_a_form_that_stops_validating_drops_its_findings_until_fixed(qtbot, window, two_patients):
    heavy, _ = two_patients
    _evaluated_procedure(qtbot, window, heavy)
    ed = window.editor
    ed.tabs.setCurrentIndex(2)
    find(ed, "L4-L5 left").click()  # the only target removed: the form no longer validates
    assert ed.refresh_findings() == []
    assert ed.findings.list.count() == 0 and ed.findings.summary.text() == "Not evaluated yet"
    find(ed, "L4-L5 left").click()
    assert ed.refresh_findings() and "82 kg" in _shown(ed)
