"""The pathway view from the patient page: the region's steps with their verdicts, the next step's gate with its
sources, a chart of pain and function, and "Plan next step" opening a pre-filled new procedure."""

from __future__ import annotations

from facetdesk.domain.case import CaseFile
from facetdesk.domain.enums import Intent, Technique
from tests.builders.records import WHEN
from tests.rules.test_pathway import _full_pathway
from tests.rules.test_rules_rf import mbb
from tests.ui.helpers import click, find


def _imported(ctx, procedures, visits=(), patient=None):
    *priors, last = procedures
    case = CaseFile(patient=patient, procedure=last, prior_procedures=priors, follow_ups=list(visits))
    return ctx.cases.import_case(case).patient_id


def _open(qtbot, window, patient_id):
    window.patients.open_patient(patient_id)
    click(qtbot, find(window.patient_page, "Show the pathway"))
    dialog = window.patients.pathway_dialog
    qtbot.waitExposed(dialog)
    return dialog


def test_the_pathway_shows_each_step_and_the_gate_for_the_next(qtbot, window, ctx):
    patient, procedures, visits = _full_pathway()
    dialog = _open(qtbot, window, _imported(ctx, procedures, visits, patient))
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == ["Lumbar"]
    page = dialog.pages[0]
    steps = [page.table.item(r, 1).text() for r in range(page.table.rowCount())]
    assert steps[0] == "Medial branch block (diagnostic, first block)" and steps.count("Follow-up") == 2
    assert page.table.item(2, 3).text().startswith("2 positive diagnostic medial branch block(s)")
    text = page.next_label.text()
    assert "Repeat radiofrequency ablation at L4-L5" in text and "coverage gate" in text
    assert "S1" in text or "L38773" in text  # each gate with its source
    assert page.chart.chart().series()  # pain and function plotted


def test_plan_next_step_opens_a_confirmatory_block_at_the_same_joints(qtbot, window, ctx, patient):
    first = mbb(60, 1, performed_at=WHEN)
    patient_id = _imported(ctx, [first], patient=ctx.records.get_patient(patient.id))
    dialog = _open(qtbot, window, patient_id)
    assert dialog.plan_button.isEnabled()
    click(qtbot, dialog.plan_button)
    ed = window.editor
    data = ed.data()
    assert data["technique"] == Technique.MEDIAL_BRANCH_BLOCK and data["intent"] == Intent.DIAGNOSTIC_CONFIRMATORY
    assert data["targets"] == [{"level": "L4-L5", "side": "left"}]
    assert data["pain_scores"] == [] and data["pre_procedure_pain"] is None  # nothing observed is planned
    assert "Planned from the pathway" in ed.status.text()
