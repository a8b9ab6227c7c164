"""Unsaved patient details are never dropped or left beside another record without the user's say."""

from __future__ import annotations

from datetime import date

import pytest

from facetdesk.ui.shell.questions import WindowQuestions
from tests.ui.helpers import click, find, type_into


@pytest.fixture
def two_patients(ctx):
    first = ctx.records.save_patient(
        {"mrn": "PE-1", "family_name": "Former", "given_name": "Ann", "date_of_birth": date(1950, 1, 1)}
    )
    second = ctx.records.save_patient(
        {"mrn": "PE-2", "family_name": "Latter", "given_name": "Ben", "date_of_birth": date(1960, 1, 1)}
    )
    return first, second


def _click_in_list(qtbot, window, patient) -> None:
    """The user clicks the patient's row in the list (as the mouse does: the clicked signal)."""
    panel = window.patient_list
    panel.refresh()
    for row in range(panel.model.rowCount()):
        if panel.model.summary(row).id == patient.id:
            panel.table.clicked.emit(panel.model.index(row, 0))
            return
    raise AssertionError(f"{patient.mrn} not listed")


def _asked(monkeypatch, answer: bool) -> list[str]:
    asked: list[str] = []
    monkeypatch.setattr(WindowQuestions, "ask_discard", lambda self, what="procedure": asked.append(what) or answer)
    return asked


@pytest.mark.parametrize("answer", [False, True], ids=["keep", "discard"])
def test_opening_another_patient_asks_before_unsaved_patient_details_are_dropped(
    qtbot, window, ctx, two_patients, monkeypatch, answer
):
    former, latter = two_patients
    window.patients.open_patient(former.id)
    type_into(qtbot, find(window.patient_page, "Allergies"), "latex")  # typed, not saved
    asked = _asked(monkeypatch, answer)

    _click_in_list(qtbot, window, latter)

    assert asked == ["patient"]
    page = window.patient_page
    if answer:
        assert page.patient_id == latter.id and page.form.allergies.text() == ""
    else:  # kept: the same patient, the typed text, and the list still marks that patient, not the one clicked
        assert page.patient_id == former.id and page.form.allergies.text() == "latex"
        rows = window.patient_list.table.selectionModel().selectedRows()
        assert [window.patient_list.model.summary(r.row()).id for r in rows] == [former.id]
    assert ctx.records.get_patient(former.id).allergies == []  # nothing saved either way


def test_a_patient_opened_and_not_edited_is_left_without_a_question(qtbot, window, ctx, two_patients, monkeypatch):
    """Every field recorded (anticoagulants, INR, toxin given elsewhere...) reads back as loaded: no question."""
    from tests.builders.every_field import full_patient

    _, latter = two_patients
    former = ctx.records.save_patient(full_patient().model_dump(exclude={"id", "version"}))
    asked = _asked(monkeypatch, True)
    window.patients.open_patient(former.id)
    _click_in_list(qtbot, window, latter)
    window.patients.open_patient(former.id)
    assert asked == [] and window.patient_page.patient_id == former.id


@pytest.mark.parametrize("answer", [False, True], ids=["keep", "discard"])
def test_a_procedure_is_not_started_beside_unsaved_patient_details(
    qtbot, window, ctx, two_patients, monkeypatch, answer
):
    """Decision support judges the stored patient: the typed allergy would be on screen yet unchecked."""
    former, _ = two_patients
    window.patients.open_patient(former.id)
    type_into(qtbot, find(window.patient_page, "Allergies"), "iodinated contrast")
    asked = _asked(monkeypatch, answer)

    click(qtbot, find(window, "New procedure"))

    assert asked == ["patient"]
    editing = window.work_area.on_show(window.editor) if window._editor is not None else False
    assert editing is answer
    # Discarded: the page shows what is stored (what decision support judges), not the text typed.
    assert window.patient_page.form.allergies.text() == ("" if answer else "iodinated contrast")


def test_the_lock_screen_says_unsaved_patient_details_are_put_aside_for_their_author(
    qtbot, window, ctx, two_patients, accounts
):
    """A procedure's edits are kept as a draft when someone else signs in; a patient's details are kept in memory
    for their author (tests/ui/test_ui_kept_details.py)."""
    from tests.actors import PASSWORD

    former, _ = two_patients
    window.patients.open_patient(former.id)
    screen = window.session.lock_screen
    window.session.lock()
    assert not screen.draft_note.isVisibleTo(screen)  # nothing unsaved, nothing said
    type_into(qtbot, find(screen, "Your password"), PASSWORD)
    click(qtbot, find(screen, "Unlock"))

    type_into(qtbot, find(window.patient_page, "Allergies"), "latex")
    window.session.lock()

    assert screen.draft_note.isVisibleTo(screen)
    assert "patient's details" in screen.draft_note.text() and "put aside for" in screen.draft_note.text()
    type_into(qtbot, find(screen, "Your password"), PASSWORD)
    click(qtbot, find(screen, "Unlock"))
    assert window.patient_page.form.allergies.text() == "latex"  # the same user finds them as left
