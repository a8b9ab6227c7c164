"""Two workstations on one database: a save over another workstation's change is refused and offered a reload."""

from __future__ import annotations

from datetime import datetime

import pytest

from facetdesk.ui.shell.questions import WindowQuestions
from tests.ui.helpers import click, start_procedure


def _open_patient(window, patient) -> None:
    window.patient_list.refresh()
    window.patient_list.select_patient(patient.id)
    window.patient_page.form.load(window._ctx.records.get_patient(patient.id))


@pytest.mark.parametrize("answer", [True, False], ids=["reload", "keep"])
def test_a_patient_changed_elsewhere_is_not_overwritten_and_a_reload_is_offered(
    qtbot, window, other, patient, monkeypatch, answer
):
    _open_patient(window, patient)
    form = window.patient_page.form
    theirs = other.records.get_patient(patient.id).model_copy(update={"allergies": ["latex"]})
    other.records.save_patient(theirs)  # added on the other workstation meanwhile
    form.allergies.setText("penicillin")  # typed here, on the old copy
    asked: list[str] = []
    monkeypatch.setattr(WindowQuestions, "ask_reload", lambda self, what: asked.append(what) or answer)

    click(qtbot, form.save_button)

    assert asked == ["patient"]
    assert "changed on another workstation" in form.general_error.text()
    stored = other.records.get_patient(patient.id)
    assert stored.allergies == ["latex"]  # the other workstation's change is kept, not silently overwritten
    assert form.allergies.text() == ("latex" if answer else "penicillin")
    if answer:  # reloaded: a save now goes through, over the version it shows
        form.allergies.setText("latex; penicillin")
        click(qtbot, form.save_button)
        assert other.records.get_patient(patient.id).allergies == ["latex", "penicillin"]


def test_a_procedure_changed_elsewhere_offers_a_reload_of_the_stored_version(
    qtbot, window, other, patient, monkeypatch
):
    ed = start_procedure(qtbot, window, patient.id, datetime(2026, 9, 1, 10, 0))
    saved = ed.save()
    assert saved is not None
    _, theirs = other.records.get_procedure(saved.id)
    other.records.save_procedure(patient.id, theirs.model_copy(update={"notes": "Edited on workstation B."}))
    ed.outcome.notes.setPlainText("Edited here.")
    monkeypatch.setattr(WindowQuestions, "ask_reload", lambda self, what: what == "procedure")

    assert ed.save() is None

    assert ed.outcome.notes.toPlainText() == "Edited on workstation B."
    assert ed.procedure.version == saved.version + 1
    assert "reloaded" in window.statusBar().currentMessage()
