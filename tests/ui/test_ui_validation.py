"""Bad input in the GUI: the message appears beside the field, names it, and nothing is saved."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from PySide6.QtCore import Qt

from facetdesk.domain.enums import Sex
from facetdesk.ui.shell.questions import WindowQuestions
from tests.builders.records import patient_data
from tests.ui.helpers import choose, choose_technique, click, find, set_datetime, set_spin, show_tab, type_into


@pytest.fixture
def patient(ctx):
    return ctx.records.save_patient(patient_data(mrn="T-1", date_of_birth=date(1980, 2, 1)))


def _new_procedure(qtbot, window, patient, when=datetime(2026, 9, 1, 10, 0)):
    window.patients.open_patient(patient.id)
    click(qtbot, find(window, "New procedure"))
    ed = window.editor
    set_datetime(find(ed, "Date and time of procedure"), when)
    type_into(qtbot, find(ed, "Performing physician"), "Dr. Test")
    choose_technique(ed)
    show_tab(ed, "Targets")
    click(qtbot, find(ed, "L4-L5 left"))
    return ed


def test_patient_without_required_fields_shows_errors_beside_them(qtbot, window, ctx):
    window.menus.new_patient_action.trigger()
    click(qtbot, find(window, "Save patient"))
    form = window.patient_page.form
    label, _ = form.errors.label_for(_err("mrn"))
    assert label.isVisible() and "use 1-32 letters" in label.text()
    label, _ = form.errors.label_for(_err("family_name"))
    assert label.isVisible() and "is required" in label.text()
    assert ctx.records.search_patients("") == []


def test_duplicate_mrn_is_refused_beside_the_mrn(qtbot, window, ctx, patient):
    window.menus.new_patient_action.trigger()
    type_into(qtbot, find(window, "MRN"), "T-1")
    type_into(qtbot, find(window, "Family name"), "Other")
    type_into(qtbot, find(window, "Given name"), "Person")
    type_into(qtbot, find(window, "Date of birth"), "1975-05-06")
    choose(find(window, "Sex"), Sex.MALE)
    click(qtbot, find(window, "Save patient"))
    label, _ = window.patient_page.form.errors.label_for(_err("mrn"))
    assert label.isVisible() and "already belongs to another patient" in label.text()
    assert [p.family_name for p in ctx.records.search_patients("")] == ["Testperson"]


def test_a_volume_not_entered_is_required_under_medications_and_nothing_is_saved(qtbot, window, ctx, patient):
    ed = _new_procedure(qtbot, window, patient)
    show_tab(ed, "Medications")
    click(qtbot, find(ed, "Medications: add row"))
    choose(find(ed, "Medication 1 agent"), "lidocaine")
    volume = find(ed, "Medication 1 volume")
    assert volume.text() == "enter volume"  # never a volume that looks recorded
    show_tab(ed, "Procedure")
    click(qtbot, find(ed, "Save procedure"))
    error = ed.medications.rows.error
    assert error.isVisible()
    assert "row 1 › Volume (mL): is required" in error.text()
    assert ed.tabs.tabText(3).startswith("⚠")
    assert ed.tabs.currentIndex() == 3  # the first tab with a problem is shown
    assert ctx.records.list_procedures(patient.id) == []


def test_a_volume_of_0_typed_is_refused_at_the_field_with_the_allowed_range(qtbot, window, patient):
    ed = _new_procedure(qtbot, window, patient)
    show_tab(ed, "Medications")
    click(qtbot, find(ed, "Medications: add row"))
    volume = find(ed, "Medication 1 volume")
    volume.setFocus()
    volume.lineEdit().selectAll()
    qtbot.keyClicks(volume.lineEdit(), "0")
    qtbot.keyClick(volume.lineEdit(), Qt.Key.Key_Enter)
    assert volume.refused_text == "Medication 1 volume: 0 is not allowed; enter 0.01 to 100 mL"
    assert volume.value_or_none() is None and volume.text() == "enter volume"  # not stored as 0, not clipped
    volume.lineEdit().selectAll()
    qtbot.keyClicks(volume.lineEdit(), "0.5")  # a 0 on the way to 0.5 is not refused
    qtbot.keyClick(volume.lineEdit(), Qt.Key.Key_Enter)
    assert volume.value_or_none() == 0.5


def test_botox_site_without_units_is_refused(qtbot, window, ctx, patient):
    ed = _new_procedure(qtbot, window, patient)
    show_tab(ed, "Botulinum toxin")
    find(ed, "Botulinum toxin given").setChecked(True)
    click(qtbot, find(ed, "Botulinum toxin sites: add row"))
    click(qtbot, find(ed, "Save procedure"))
    assert ed.botox.error.isVisible()
    assert "needs its units" in ed.botox.error.text()
    assert ctx.records.list_procedures(patient.id) == []


def test_procedure_before_date_of_birth_is_refused_beside_the_date(qtbot, window, ctx, patient):
    ed = _new_procedure(qtbot, window, patient, when=datetime(1979, 5, 5, 9, 0))
    click(qtbot, find(ed, "Save procedure"))
    label, _ = ed.errors.label_for(_err("performed_at"))
    assert label.isVisible() and "before the patient's date of birth 1980-02-01" in label.text()
    assert ctx.records.list_procedures(patient.id) == []


def test_procedure_without_targets_and_duplicate_pain_times_are_refused(qtbot, window, ctx, patient):
    ed = _new_procedure(qtbot, window, patient)
    click(qtbot, find(ed, "L4-L5 left"))  # untick the only target
    show_tab(ed, "Pain & relief")
    for _ in (1, 2):  # two "other time" rows at the same time, each scored (unscored rows are not saved)
        click(qtbot, find(ed, "Pain scores: add row"))
        n = ed.pain.rows.rows()
        set_spin(qtbot, find(ed, f"Pain score {n} minutes after injection"), 30)
        set_spin(qtbot, find(ed, f"Pain score {n} NRS"), 3)
    click(qtbot, find(ed, "Save procedure"))
    targets_label, _ = ed.errors.label_for(_err("targets"))
    assert targets_label.isVisible() and "needs at least 1" in targets_label.text()
    # The pain tab is not the one on screen; its label is shown there and the tab is marked.
    assert not ed.pain.rows.error.isHidden() and "more than one score at 30 min" in ed.pain.rows.error.text()
    assert ed.tabs.tabText(2).startswith("⚠") and ed.tabs.tabText(5).startswith("⚠")
    assert "Not saved — 2 problem(s)" in ed.error_summary.text()
    assert ctx.records.list_procedures(patient.id) == []


def test_fixing_the_error_then_saving_works_and_clears_the_message(qtbot, window, ctx, patient):
    ed = _new_procedure(qtbot, window, patient)
    show_tab(ed, "Medications")
    click(qtbot, find(ed, "Medications: add row"))
    click(qtbot, find(ed, "Save procedure"))
    assert ed.medications.rows.error.isVisible()
    choose(find(ed, "Medication 1 agent"), "lidocaine")
    set_spin(qtbot, find(ed, "Medication 1 volume"), 1.5)
    click(qtbot, find(ed, "Save procedure"))
    assert not ed.medications.rows.error.isVisible()
    assert not ed.tabs.tabText(3).startswith("⚠")
    [summary] = ctx.records.list_procedures(patient.id)
    assert summary.levels.startswith("L4-L5")


def _err(*path):
    from facetdesk.domain.errors import FieldError

    return FieldError(tuple(path), "")


def test_unsaved_edits_are_not_dropped_when_the_user_cancels(qtbot, window, ctx, patient, monkeypatch):
    ed = _new_procedure(qtbot, window, patient)
    assert ed.has_unsaved_changes()
    monkeypatch.setattr(WindowQuestions, "ask_discard", lambda self, what="procedure": False)
    click(qtbot, find(ed, "Back to patient"))
    assert window.stack.currentWidget() is ed
    assert find(ed, "L4-L5 left").isChecked()


def test_save_refused_when_another_workstation_changed_the_procedure(qtbot, window, ctx, patient):
    ed = _new_procedure(qtbot, window, patient)
    saved = ed.save()
    assert saved is not None
    # Another workstation saves the same procedure first.
    ctx.records.save_procedure(patient.id, saved.model_copy(update={"physician": "Dr. Elsewhere"}))
    type_into(qtbot, find(ed, "Performing physician"), "Dr. Here")
    assert ed.save() is None
    assert ed.error_summary.isVisible() and "changed on another workstation" in ed.error_summary.text()
    _, stored = ctx.records.get_procedure(saved.id)
    assert stored.physician == "Dr. Elsewhere"


def test_an_error_beside_a_field_goes_once_the_field_is_edited(qtbot, window):
    form = window.patient_page.form
    form.clear()
    form.date_of_birth.setText("1975-13-40")
    window.patients.save_patient()
    label, _ = form.errors.label_for(_err("date_of_birth"))
    assert "must be a date (YYYY-MM-DD)" in label.text()
    form.date_of_birth.setText("1975-12-04")  # fixed: the old message must not stay on screen
    assert label.text() == "" and label.isHidden()
