"""The Radiofrequency tab: an ablation's lesioning is entered there and saved with it; for any other technique
the fields are greyed out and nothing of them is kept."""

from __future__ import annotations

from datetime import datetime

import pytest

from facetdesk.domain.enums import Intent, RfMethod, Technique
from facetdesk.domain.radiofrequency import MotorTest
from tests.ui.helpers import choose, choose_technique, find, set_spin, show_tab, start_procedure

WHEN = datetime(2026, 9, 1, 10, 0)


@pytest.fixture
def editor(qtbot, window, patient):
    return start_procedure(qtbot, window, patient.id, WHEN)


def test_a_block_has_no_lesioning_and_no_rf_tab(editor):
    rf_tab = editor.TAB_TITLES.index("RF ablation")
    assert not editor.tabs.isTabVisible(rf_tab)
    method = find(editor, "Lesioning method")
    assert not method.isEnabled() and "Only a radiofrequency ablation" in editor.form.radiofrequency.note.text()
    assert editor.data()["radiofrequency"] is None
    choose_technique(editor, Technique.RADIOFREQUENCY_ABLATION, Intent.THERAPEUTIC)
    assert editor.tabs.isTabVisible(rf_tab) and method.isEnabled()


def test_an_ablation_is_entered_saved_and_read_back(qtbot, editor, ctx):
    choose_technique(editor, Technique.RADIOFREQUENCY_ABLATION, Intent.THERAPEUTIC)
    show_tab(editor, "RF ablation")
    method = find(editor, "Lesioning method")
    assert method.isEnabled() and method.currentData() is None  # a default is not a fact: nothing chosen yet
    assert editor.save() is None  # the method is required for an ablation, and said so beside it
    assert "choose how the nerves were lesioned" in editor.error_summary.text()
    choose(method, RfMethod.CONVENTIONAL)
    set_spin(qtbot, find(editor, "Lesion temperature"), 80)
    set_spin(qtbot, find(editor, "Time per lesion"), 90)
    choose(find(editor, "Motor stimulation"), MotorTest.NO_RADICULAR_RESPONSE)
    saved = editor.save()
    assert saved is not None and saved.radiofrequency is not None
    rf = ctx.records.get_procedure(saved.id)[1].radiofrequency
    assert (rf.method, rf.temperature_c, rf.seconds_per_lesion, rf.motor_test) == (
        RfMethod.CONVENTIONAL,
        80,
        90,
        MotorTest.NO_RADICULAR_RESPONSE,
    )
    assert rf.cannula_gauge is None and rf.sensory_threshold_v is None  # not entered: not recorded
    show_tab(editor, "Targets")
    assert "Ablation lesions 2 nerve(s)" in editor.targets.summary.text()


def test_switching_away_from_an_ablation_keeps_no_lesioning(qtbot, editor):
    choose_technique(editor, Technique.RADIOFREQUENCY_ABLATION, Intent.THERAPEUTIC)
    show_tab(editor, "RF ablation")
    choose(find(editor, "Lesioning method"), RfMethod.PULSED)
    choose_technique(editor, Technique.MEDIAL_BRANCH_BLOCK, Intent.DIAGNOSTIC_FIRST)
    assert not find(editor, "Lesioning method").isEnabled()
    assert not editor.tabs.isTabVisible(editor.TAB_TITLES.index("RF ablation"))
    assert editor.data()["radiofrequency"] is None
    assert editor.save() is not None


def test_decision_support_judges_an_ablation_by_the_radiofrequency_rules(qtbot, editor):
    choose_technique(editor, Technique.RADIOFREQUENCY_ABLATION, Intent.THERAPEUTIC)
    show_tab(editor, "RF ablation")
    choose(find(editor, "Lesioning method"), RfMethod.PULSED)
    findings = {f.rule: f for f in editor.refresh_findings()}
    assert findings["lcd.rfa_thermal"].status.value == "not_met"
    assert findings["lcd.rfa_prerequisite"].status.value == "not_met"  # no diagnostic block recorded
    assert findings["lcd.therapeutic_prerequisite"].status.value == "not_applicable"
