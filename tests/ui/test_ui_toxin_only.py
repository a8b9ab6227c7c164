"""A toxin-only visit in the editor: no facet joint to choose, the toxin recorded and saved, the facet rules out
of the way, and a clear refusal when joints are left selected."""

from __future__ import annotations

from datetime import datetime

from facetdesk.domain.enums import BotoxProduct, Guidance, Intent, Side, Technique
from facetdesk.domain.errors import FieldError
from facetdesk.rules import Status
from tests.builders.records import patient_data
from tests.ui.helpers import (
    choose,
    choose_technique,
    click,
    find,
    open_window,
    set_datetime,
    set_spin,
    show_tab,
    type_into,
)


def _toxin_visit(qtbot, window, patient):
    window.patients.open_patient(patient.id)
    click(qtbot, find(window, "New procedure"))
    ed = window.editor
    set_datetime(find(ed, "Date and time of procedure"), datetime(2026, 10, 1, 9, 0))
    type_into(qtbot, find(ed, "Performing physician"), "Dr. Test")
    choose_technique(ed, Technique.TOXIN_ONLY, Intent.THERAPEUTIC, Guidance.ULTRASOUND)
    show_tab(ed, "Botulinum toxin")
    find(ed, "Botulinum toxin given").setChecked(True)
    choose(find(ed, "Botulinum toxin product"), BotoxProduct.ONABOTULINUMTOXINA)
    set_spin(qtbot, find(ed, "Vial units"), 100.0)
    set_spin(qtbot, find(ed, "Diluent volume"), 2.0)
    for n, side in enumerate((Side.LEFT, Side.RIGHT), start=1):
        click(qtbot, find(ed, "Botulinum toxin sites: add row"))
        choose(find(ed, f"Botox site {n} muscle"), "multifidus_lumbar")
        choose(find(ed, f"Botox site {n} level"), "L4")
        choose(find(ed, f"Botox site {n} side"), side)
        set_spin(qtbot, find(ed, f"Botox site {n} units"), 40.0)
    return ed


def test_a_toxin_only_visit_is_recorded_without_a_joint(qtbot, ctx):
    # Asked about toxin elsewhere (none), so the toxin total is judged, not left to check by hand.
    patient = ctx.records.save_patient(patient_data(had_toxin_elsewhere=False))
    window = open_window(qtbot, ctx)
    ed = _toxin_visit(qtbot, window, patient)
    assert "treats no facet joint" in ed.targets.summary.text()
    saved = ed.save()
    assert saved is not None and saved.technique == Technique.TOXIN_ONLY and saved.targets == []
    assert saved.botulinum_toxin.total_units == 80
    stored = ctx.records.list_procedures(patient.id)
    assert [(p.technique, p.targets) for p in stored] == [(Technique.TOXIN_ONLY, ())]
    ed.refresh_findings()
    qtbot.waitUntil(lambda: any(f.rule == "botox.units_window" for f in ed.findings.findings))
    by_rule = {f.rule: f for f in ed.findings.findings}
    assert by_rule["botox.units_window"].status == Status.MET
    assert by_rule["lcd.imaging"].status == Status.NOT_APPLICABLE  # ultrasound is no LCD problem here


def test_joints_left_selected_on_a_toxin_only_visit_are_refused_beside_the_targets(qtbot, ctx, patient):
    window = open_window(qtbot, ctx)
    ed = _toxin_visit(qtbot, window, patient)
    show_tab(ed, "Targets")
    click(qtbot, find(ed, "L4-L5 left"))
    assert "Clear the 1 joint(s) selected" in ed.targets.summary.text()
    assert ed.save() is None
    beside, _ = ed.tabs.errors.label_for(FieldError(("targets",), ""))
    assert "treats no facet joint" in beside.text()
    assert ctx.records.list_procedures(patient.id) == []
