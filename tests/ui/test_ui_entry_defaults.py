"""Sensible defaults from context, never invented ones: agent lists usual-first, empty medication and toxin fields,
a level's both sides in one click."""

from __future__ import annotations

from datetime import datetime

from facetdesk.domain.enums import Side
from facetdesk.domain.errors import FieldError
from tests.ui.helpers import choose, click, find, start_procedure

MBB = {
    "name": "Cervical MBB, ropivacaine",
    "technique": "medial_branch_block",
    "medications": [{"agent": "ropivacaine", "concentration_mg_per_ml": 5.0, "volume_ml": 0.3}],
}


def _agents(combo) -> list[str]:
    return [combo.itemText(i) for i in range(combo.count())]


def test_a_new_medication_row_is_empty_and_offers_the_clinics_usual_agents_first(qtbot, window, ctx, patient):
    for p in ctx.presets.list():
        ctx.presets.delete(p.id)
    ctx.presets.save(MBB)
    for n in range(2):  # triamcinolone recorded twice, lidocaine once
        ctx.records.save_procedure(patient.id, {
            "performed_at": datetime(2026, 5, 1 + n, 9, 0), "physician": "Dr. Test", "technique": "intra_articular",
            "intent": "therapeutic", "guidance": "fluoroscopy",
            "targets": [{"level": "L4-L5", "side": "left"}],
            "medications": [{"agent": "triamcinolone_acetonide", "concentration_mg_per_ml": 40, "volume_ml": 1}]
            + ([{"agent": "lidocaine", "concentration_mg_per_ml": 10, "volume_ml": 0.5}] if n == 0 else []),
        })  # fmt: skip
    ed = start_procedure(qtbot, window, patient.id, datetime(2026, 9, 1, 10, 0))
    ed.tabs.setCurrentIndex(3)
    click(qtbot, find(ed, "Medications: add row"))
    agent = find(ed, "Medication 1 agent")
    assert agent.value() is None and agent.currentText() == "— choose —"
    assert find(ed, "Medication 1 strength").count() == 0
    assert find(ed, "Medication 1 volume").text() == "enter volume"
    names = _agents(agent)
    assert names[1:4] == ["ropivacaine", "triamcinolone acetonide", "lidocaine"]  # preset, then most recorded
    rest = names[4:]
    assert len(rest) == len(ctx.catalog.agents) - 3 and "bupivacaine" in rest


def test_the_toxin_product_and_dilution_start_empty_and_are_required(qtbot, window, patient):
    ed = start_procedure(qtbot, window, patient.id, datetime(2026, 9, 1, 10, 0))
    ed.tabs.setCurrentIndex(4)
    find(ed, "Botulinum toxin given").setChecked(True)
    assert find(ed, "Botulinum toxin product").currentText() == "— choose —"
    assert find(ed, "Vial units").text() == "enter vial units"
    assert find(ed, "Diluent volume").text() == "enter volume"
    assert ed.botox.dilution.text() == ""  # no U/mL computed from values nobody entered
    click(qtbot, find(ed, "Botulinum toxin sites: add row"))
    choose(find(ed, "Botox site 1 muscle"), "multifidus_lumbar")
    choose(find(ed, "Botox site 1 level"), "L4")
    choose(find(ed, "Botox site 1 side"), Side.LEFT)
    find(ed, "Botox site 1 units").setValue(20)
    click(qtbot, find(ed, "Save procedure"))
    text = ed.botox.error.text()
    for field in ("Product", "Vial", "Diluent"):
        assert any(line.startswith(field) and "is required" in line for line in text.splitlines()), text


def test_a_levels_name_ticks_both_sides_and_a_second_click_clears_them(qtbot, window, patient):
    ed = start_procedure(qtbot, window, patient.id, datetime(2026, 9, 1, 10, 0), joint="L3-L4 left")
    both = find(ed, "L4-L5 both sides")
    click(qtbot, both)
    assert {(t["level"], t["side"]) for t in ed.targets.targets()} == {
        ("L3-L4", Side.LEFT),
        ("L4-L5", Side.LEFT),
        ("L4-L5", Side.RIGHT),
    }
    assert ed.targets.picker.targets() == {("L3-L4", Side.LEFT), ("L4-L5", Side.LEFT), ("L4-L5", Side.RIGHT)}
    click(qtbot, find(ed, "L3-L4 both sides"))  # one side ticked: the click completes the pair
    assert len(ed.targets.targets()) == 4
    click(qtbot, both)
    assert {(t["level"], t["side"]) for t in ed.targets.targets()} == {("L3-L4", Side.LEFT), ("L3-L4", Side.RIGHT)}
    assert ed.targets.picker.targets() == {("L3-L4", Side.LEFT), ("L3-L4", Side.RIGHT)}


def test_an_unchosen_product_is_named_in_the_error_not_a_number_message(qtbot, window, patient):
    ed = start_procedure(qtbot, window, patient.id, datetime(2026, 9, 1, 10, 0))
    ed.tabs.setCurrentIndex(4)
    find(ed, "Botulinum toxin given").setChecked(True)
    click(qtbot, find(ed, "Save procedure"))
    assert "must be a number" not in ed.botox.error.text()
    assert ed.errors.label_for(FieldError(("botulinum_toxin",), ""))[0].isVisible()


def test_a_new_procedure_has_no_technique_intent_guidance_or_sedation_until_chosen(qtbot, window, ctx, patient):
    window.patients.open_patient(patient.id)
    click(qtbot, find(window, "New procedure"))
    ed = window.editor
    combos = [find(ed, n) for n in ("Technique", "Intent", "Image guidance", "Sedation")]
    assert [c.currentText() for c in combos] == ["— choose —"] * 4
    ed.tabs.setCurrentIndex(2)
    click(qtbot, find(ed, "L4-L5 left"))
    ed.physician.setText("Dr. Else")
    window.menus.undo_action.trigger()  # undo goes through the raw form data: still nothing chosen
    assert [c.currentText() for c in combos] == ["— choose —"] * 4
    assert ed.refresh_findings() == [] and "Technique: is required" in ed.findings.problems.text()
    click(qtbot, find(ed, "Save procedure"))
    for path in (("technique",), ("intent",), ("guidance",), ("sedation",)):
        label, _ = ed.errors.label_for(FieldError(path, ""))
        assert "is required" in label.text(), path
    assert ctx.records.list_procedures(patient.id) == []
