"""Unsaved patient details at a user switch: the next user neither sees nor saves them; their author gets them back,
and quitting while they are kept asks first."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox, QWidget

from facetdesk.domain.audit import AuditAction
from facetdesk.services.context import build_context
from facetdesk.ui.shell.questions import WindowQuestions
from tests.actors import ADMIN_PHYSICIAN, NURSE, PASSWORD
from tests.ui.helpers import click, find, type_into

TYPED = "iodinated contrast"


@pytest.fixture
def patient(ctx, accounts):
    return ctx.records.save_patient(
        {"mrn": "KD-1", "family_name": "Keptpatient", "given_name": "Ann", "date_of_birth": date(1950, 1, 1)}
    )


def _visible_text(window) -> str:
    """Everything a passer-by could read on the window."""
    parts = [window.statusBar().currentMessage()]
    for w in window.findChildren(QWidget):
        if w.isVisible() and isinstance(w, QLabel | QLineEdit):
            parts.append(w.text())
    return "\n".join(parts)


def _sign_in_at_lock_screen(qtbot, window, username: str) -> None:
    """The workstation locks; ``username`` signs in at the lock screen as "someone else"."""
    window.session.lock()
    screen = window.session.lock_screen
    type_into(qtbot, find(screen, "Other user name"), username)
    type_into(qtbot, find(screen, "Other user password"), PASSWORD)
    click(qtbot, find(screen, "Sign in as another user"))
    assert not window.session.is_locked and window.session._ctx.work.actor.username == username


@pytest.fixture
def typed_then_switched(qtbot, window, ctx, patient, monkeypatch):
    """The physician types an allergy and leaves it unsaved; the workstation locks and the nurse signs in."""
    window.patients.open_patient(patient.id)
    type_into(qtbot, find(window.patient_page, "Allergies"), TYPED)
    window.session.lock()
    screen = window.session.lock_screen
    assert "put aside for Dr. Synthetic Signer" in screen.draft_note.text()
    asked: list[str] = []
    monkeypatch.setattr(WindowQuestions, "ask_restore_details", lambda self, name: asked.append(name) or True)
    _sign_in_at_lock_screen(qtbot, window, NURSE.username)
    return asked


def test_the_next_user_neither_sees_nor_saves_them_and_their_author_gets_them_back(
    qtbot, window, ctx, patient, typed_then_switched
):
    asked = typed_then_switched
    page = window.patient_page
    assert asked == []  # not offered to the nurse
    assert page.patient_id is None and TYPED not in _visible_text(window)
    window.patients.open_patient(patient.id)  # the nurse opens the same patient: what is stored, not the typing
    assert page.form.allergies.text() == "" and not page.has_unsaved_changes()

    _sign_in_at_lock_screen(qtbot, window, ADMIN_PHYSICIAN.username)

    assert asked == ["Keptpatient, Ann"]
    assert window.work_area.on_show(page) and page.patient_id == patient.id
    assert page.form.allergies.text() == TYPED and page.has_unsaved_changes()
    click(qtbot, find(page, "Save patient"))
    assert ctx.records.get_patient(patient.id).allergies == [TYPED]
    (saved,) = ctx.audit.search(action=AuditAction.UPDATE, entity="patient")
    assert saved.username == ADMIN_PHYSICIAN.username and saved.fields == ("allergies",)  # saved in its author's name


def test_discarded_they_are_gone_and_not_offered_again(qtbot, window, ctx, patient, typed_then_switched, monkeypatch):
    asked = typed_then_switched
    monkeypatch.setattr(WindowQuestions, "ask_restore_details", lambda self, name: asked.append(name) and False)
    _sign_in_at_lock_screen(qtbot, window, ADMIN_PHYSICIAN.username)
    assert asked == ["Keptpatient, Ann"] and window.patient_page.patient_id is None
    _sign_in_at_lock_screen(qtbot, window, NURSE.username)
    _sign_in_at_lock_screen(qtbot, window, ADMIN_PHYSICIAN.username)
    assert asked == ["Keptpatient, Ann"]
    assert ctx.records.get_patient(patient.id).allergies == []


def test_restored_over_a_change_made_meanwhile_the_save_is_refused_not_overwriting_it(
    qtbot, window, db_url, patient, typed_then_switched
):
    other = build_context(db_url, actor=ADMIN_PHYSICIAN)  # another workstation records the weight meanwhile
    try:
        other.records.save_patient(other.records.get_patient(patient.id).model_copy(update={"weight_kg": 61.0}))
        _sign_in_at_lock_screen(qtbot, window, ADMIN_PHYSICIAN.username)
        form = window.patient_page.form
        assert form.allergies.text() == TYPED and form.weight.value_or_none() is None  # the screen as it was left

        click(qtbot, find(window.patient_page, "Save patient"))

        assert "changed on another workstation" in form.general_error.text() and "weight" in form.general_error.text()
        assert other.records.get_patient(patient.id).allergies == []
        assert form.allergies.text() == TYPED  # still on screen (the reload question was answered "keep")
    finally:
        other.close()


@pytest.mark.parametrize("answer", [False, True], ids=["stay", "quit"])
def test_quitting_while_details_are_kept_for_another_user_asks_first(
    qtbot, window, typed_then_switched, monkeypatch, answer
):
    asked: list[list[str]] = []
    monkeypatch.setattr(WindowQuestions, "ask_quit_with_kept", lambda self, authors: asked.append(authors) or answer)

    window.close()

    assert asked == [["Dr. Synthetic Signer"]]  # whose, never the patient: the nurse is at the screen
    assert window.isVisible() is not answer


def test_the_question_names_the_patient_and_enter_restores(window):
    box = window.questions.restore_details_box("Keptpatient, Ann")
    assert box.text() == "You had unsaved changes to Keptpatient, Ann."
    assert box.defaultButton().text() == "Restore" and box.escapeButton() is box.defaultButton()
    assert box.button(QMessageBox.StandardButton.Discard) is not None
