"""The Documentation tab: every item starts unrecorded, a preset fills only the clinic's usual items, items that do
not concern the procedure are greyed out, and a dose without its unit is refused on the tab."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from PySide6.QtCore import QPoint, Qt

from facetdesk.domain.documentation_items import ITEMS
from facetdesk.domain.enums import Aspiration, Guidance, NeuroCheck, Tolerance
from facetdesk.domain.preset import Preset
from tests.ui.helpers import choose, find, set_spin, show_tab, start_procedure

USUAL = {
    "sterile_drape": True,
    "monitoring": ["pulse_oximetry", "ecg"],
    "views": ["ap", "oblique"],
    "approach": "posterior_oblique",
    "radiation_dose_unit": "air_kerma_mgy",
}


@pytest.fixture
def editor(qtbot, window, ctx):
    patient = ctx.records.save_patient(
        {"mrn": "DOC-1", "family_name": "Testperson", "given_name": "Kim", "date_of_birth": date(1970, 1, 2)}
    )
    ed = start_procedure(qtbot, window, patient.id, datetime(2026, 9, 1, 10, 0))
    show_tab(ed, "Documentation")
    return ed


def test_a_new_procedure_has_no_documentation_item_recorded(editor):
    doc = editor.data()["documentation"]
    assert all(value in (None, []) for value in doc.values()), doc
    assert editor.data()["consent_obtained"] is None and editor.data()["position"] is None
    assert set(doc) == {item.key for item in ITEMS}


def test_a_preset_fills_the_usual_items_and_nothing_observed(editor, ctx):
    preset = ctx.presets.save(
        {"name": "MBB usual", "technique": "medial_branch_block", "guidance": "fluoroscopy", "documentation": USUAL}
    )
    editor.decisions.apply_preset(preset)
    doc = editor.data()["documentation"]
    assert find(editor, "Fluoroscopic views: AP").isChecked() and find(editor, "Monitoring: ECG").isChecked()
    assert doc["sterile_drape"] is True and doc["approach"].value == "posterior_oblique"
    observed = ("risks_discussed", "aspiration", "fluoroscopy_seconds", "radiation_dose", "images_saved",
                "neuro_check", "tolerance")  # fmt: skip
    assert {key: doc[key] for key in observed} == dict.fromkeys(observed)
    assert isinstance(preset, Preset)


def test_items_that_do_not_concern_the_procedure_are_greyed_out_and_keep_their_value(qtbot, editor):
    views, seconds, off_label = (find(editor, n) for n in ("Fluoroscopic views", "Fluoroscopy time",
                                                           "Off-label use of botulinum toxin"))  # fmt: skip
    lateral = find(editor, "Fluoroscopic views: Lateral")
    # On its box: a check box in a wide grid column takes clicks on its box and label only, not its centre.
    qtbot.mouseClick(lateral, Qt.MouseButton.LeftButton, pos=QPoint(8, lateral.height() // 2))
    assert views.isEnabled() and seconds.isEnabled()
    assert not off_label.isEnabled() and "applies when botulinum toxin is given" in off_label.toolTip()
    choose(find(editor, "Image guidance"), Guidance.ULTRASOUND)
    assert not views.isEnabled() and not seconds.isEnabled()
    assert find(editor, "Images saved").isEnabled()  # any image guidance can save images
    assert [v.value for v in editor.data()["documentation"]["views"]] == ["lateral"]  # kept, not printed


def test_the_day_s_items_are_entered_and_saved(qtbot, editor, ctx):
    choose(find(editor, "Aspiration before injection"), Aspiration.NEGATIVE)
    set_spin(qtbot, find(editor, "Fluoroscopy time"), 45)
    choose(find(editor, "Post-procedure neurological check"), NeuroCheck.AT_BASELINE)
    choose(find(editor, "Tolerance"), Tolerance.WELL)
    saved = editor.save()
    assert saved is not None
    doc = ctx.records.get_procedure(saved.id)[1].documentation
    assert (doc.aspiration, doc.fluoroscopy_seconds, doc.neuro_check, doc.tolerance) == (
        Aspiration.NEGATIVE, 45, NeuroCheck.AT_BASELINE, Tolerance.WELL
    )  # fmt: skip


def test_a_dose_without_its_unit_is_refused_on_the_documentation_tab(qtbot, editor, ctx):
    set_spin(qtbot, find(editor, "Radiation dose"), 2.5)
    show_tab(editor, "Procedure")
    assert editor.save() is None
    tab = editor.TAB_TITLES.index("Documentation")
    assert editor.tabs.currentIndex() == tab and editor.tabs.tabText(tab).startswith("⚠")
    from facetdesk.domain.errors import FieldError

    label, _ = editor.errors.label_for(FieldError(("documentation", "radiation_dose_unit"), ""))
    assert label.isVisible() and "is required when a dose is entered" in label.text()
    assert ctx.records.procedures_of(editor.patient.id) == []


def test_a_fluoroscopy_time_over_an_hour_is_refused_where_it_is_typed(qtbot, editor):
    spin = find(editor, "Fluoroscopy time")
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "3601")
    assert spin.value_or_none() == 360  # the last digit refused, visibly
    assert "enter 0 to 3600 s" in spin.refused_text
