"""Botulinum toxin given elsewhere, entered on the patient page: checked as it is added, saved with the patient,
and counted by the toxin checks the physician sees in the editor."""

from __future__ import annotations

from datetime import date

from facetdesk.domain.enums import BotoxProduct
from facetdesk.domain.errors import FieldError
from facetdesk.rules import Status
from tests.builders.records import botox, procedure_data
from tests.ui.helpers import choose, click, find, set_spin, type_into


def _add_dialog(qtbot, window, patient):
    window.patients.open_patient(patient.id)
    click(qtbot, find(window.patient_page, "Add toxin given elsewhere"))
    dialog = window.patient_page.form.toxin_elsewhere.dialog
    qtbot.waitExposed(dialog)
    return dialog


def _fill(qtbot, dialog, given_on="2026-08-20", units=155.0, indication="chronic migraine"):
    type_into(qtbot, find(dialog, "Date given"), given_on)
    choose(find(dialog, "Product"), BotoxProduct.ONABOTULINUMTOXINA)
    set_spin(qtbot, find(dialog, "Units"), units)
    type_into(qtbot, find(dialog, "Indication"), indication)
    type_into(qtbot, find(dialog, "Given by / source"), "neurology clinic, letter")


def test_a_dose_elsewhere_is_saved_with_the_patient_and_counted_in_the_editor(qtbot, window, ctx, patient):
    dialog = _add_dialog(qtbot, window, patient)
    assert find(dialog, "Units").value_or_none() is None  # nothing starts as if given
    assert find(dialog, "Product").value() is None
    asked = find(window.patient_page, "Had botulinum toxin elsewhere")
    assert asked.value() is None and asked.currentText() == "not recorded"  # an empty list is not "none"
    _fill(qtbot, dialog)
    assert dialog.submit() is not None and not dialog.isVisible()
    assert asked.value() is True  # the dose added answers the question
    table = find(window.patient_page, "Botulinum toxin given elsewhere")
    assert table.rowCount() == 1 and table.item(0, 3).text() == "chronic migraine"
    assert ctx.records.get_patient(patient.id).toxin_elsewhere == []  # not saved until Save patient
    click(qtbot, find(window.patient_page, "Save patient"))
    stored = ctx.records.get_patient(patient.id).toxin_elsewhere
    assert [(t.given_on, t.product, t.units, t.indication) for t in stored] == [
        (date(2026, 8, 20), BotoxProduct.ONABOTULINUMTOXINA, 155, "chronic migraine")
    ]
    assert ctx.records.get_patient(patient.id).had_toxin_elsewhere is True
    # 300 U here, six weeks later: within 400 U alone, above it with the migraine dose.
    saved = ctx.records.save_procedure(
        patient.id, procedure_data(performed_at="2026-10-01T09:00:00", botulinum_toxin=botox([150, 150]))
    )
    window.procedures.open_procedure(saved.id)
    ed = window.editor
    qtbot.waitUntil(lambda: any(f.rule == "botox.units_window" for f in ed.findings.findings))
    found = next(f for f in ed.findings.findings if f.rule == "botox.units_window")
    assert found.status == Status.NOT_MET and "455 U" in found.message and "chronic migraine" in found.message


def test_a_bad_entry_is_refused_beside_its_field_and_not_added(qtbot, window, ctx, patient):
    dialog = _add_dialog(qtbot, window, patient)
    _fill(qtbot, dialog, given_on="2999-01-01", indication="")
    assert dialog.submit() is None and dialog.isVisible()
    beside_date, _ = dialog.errors.label_for(FieldError(("given_on",), ""))
    beside_indication, _ = dialog.errors.label_for(FieldError(("indication",), ""))
    assert "in the future" in beside_date.text() and beside_indication.text()
    assert find(window.patient_page, "Botulinum toxin given elsewhere").rowCount() == 0


def test_a_dose_removed_is_gone_after_saving(qtbot, window, ctx, patient):
    record = {"given_on": "2026-05-02", "product": "abobotulinumtoxinA", "units": 500,
              "indication": "spasticity", "source": "rehabilitation clinic"}  # fmt: skip
    ctx.records.save_patient({**ctx.records.get_patient(patient.id).model_dump(), "toxin_elsewhere": [record]})
    window.patients.open_patient(patient.id)
    table = find(window.patient_page, "Botulinum toxin given elsewhere")
    assert table.rowCount() == 1 and table.item(0, 2).text() == "Dysport"
    table.selectRow(0)
    click(qtbot, find(window.patient_page, "Remove toxin given elsewhere"))
    click(qtbot, find(window.patient_page, "Save patient"))
    assert ctx.records.get_patient(patient.id).toxin_elsewhere == []


def test_toxin_elsewhere_answered_yes_without_a_dose_is_not_counted_as_none(qtbot, window, ctx, patient):
    """'Had toxin elsewhere: Yes' with no dose listed (chosen, or left after removing the dose added by mistake):
    the editor's toxin checks must not say 'none elsewhere' nor call a total within the cap."""
    window.patients.open_patient(patient.id)
    choose(find(window.patient_page, "Had botulinum toxin elsewhere"), True)
    click(qtbot, find(window.patient_page, "Save patient"))
    stored = ctx.records.get_patient(patient.id)
    assert stored.had_toxin_elsewhere is True and stored.toxin_elsewhere == []
    saved = ctx.records.save_procedure(
        patient.id, procedure_data(performed_at="2026-10-01T09:00:00", botulinum_toxin=botox([100]))
    )
    window.procedures.open_procedure(saved.id)
    ed = window.editor
    qtbot.waitUntil(lambda: any(f.rule == "botox.interval" for f in ed.findings.findings))
    for rule in ("botox.interval", "botox.units_window"):
        found = next(f for f in ed.findings.findings if f.rule == rule)
        assert found.status == Status.NOT_EVALUATED, (rule, found.message)
        assert "none elsewhere" not in found.message
        assert "no dose is listed" in found.message and found.field == ("patient", "had_toxin_elsewhere")
