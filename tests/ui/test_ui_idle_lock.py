"""Idle lock: the window covers patient data after the timeout; unlock, switch user, the draft kept for its author."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget

from facetdesk.domain.audit import AuditAction
from facetdesk.ui.shell.main_window import MainWindow
from facetdesk.ui.shell.questions import WindowQuestions
from facetdesk.ui.signing.idle_lock import MS_PER_MINUTE
from tests.actors import ADMIN_PHYSICIAN, NURSE, PASSWORD
from tests.builders.records import patient_data
from tests.ui.helpers import click, find, open_window, start_procedure, type_into

FAMILY_NAME = "Lockpatient"
WHEN = datetime(2026, 9, 1, 10, 0)


@pytest.fixture
def patient(ctx, accounts):
    return ctx.records.save_patient(patient_data(family_name=FAMILY_NAME))


def _window(qtbot, ctx, idle_ms: int | None = 60_000) -> MainWindow:
    return open_window(qtbot, ctx, autosave_interval_ms=60_000, idle_ms=idle_ms)


def _visible_text(window: MainWindow) -> str:
    """Everything a passer-by could read on the window."""
    parts = [window.windowTitle(), window.statusBar().currentMessage()]
    for w in window.findChildren(QWidget):
        if not w.isVisible():
            continue
        if isinstance(w, QLabel):
            parts.append(w.text())
        elif isinstance(w, QLineEdit):
            parts.append(w.text())
    return "\n".join(parts)


def _draft_files(ctx) -> list:
    return sorted(ctx.drafts.directory.glob("*.json")) if ctx.drafts.directory.is_dir() else []


def test_the_window_locks_after_the_idle_time_and_hides_patient_data(qtbot, ctx, patient):
    window = _window(qtbot, ctx, idle_ms=60_000)
    start_procedure(qtbot, window, patient.id, WHEN)
    assert FAMILY_NAME in _visible_text(window)
    window.session.idle.set_interval(30)  # the clinic's minutes, shortened for the test

    qtbot.waitUntil(lambda: window.session.is_locked, timeout=3000)

    assert not window.splitter.isVisible() and window.session.lock_screen.isVisible()
    assert FAMILY_NAME not in _visible_text(window)
    assert "Dr. Synthetic Signer" in window.session.lock_screen.who.text()
    assert not window.menus.save_action.isEnabled() and not window.menus.new_patient_action.isEnabled()
    assert window.session.lock_screen.draft_note.isVisible()  # the unsaved procedure is kept
    assert [e.action for e in ctx.audit.search(action=AuditAction.LOCK)] == [AuditAction.LOCK]


def test_a_wrong_password_keeps_it_locked_and_the_right_one_unlocks(qtbot, ctx, patient):
    window = _window(qtbot, ctx)
    ed = start_procedure(qtbot, window, patient.id, WHEN)
    window.session.lock()
    screen = window.session.lock_screen

    type_into(qtbot, find(screen, "Your password"), "not the password")
    click(qtbot, find(screen, "Unlock"))
    assert window.session.is_locked and screen.error.isVisible() and "not right" in screen.error.text()
    assert FAMILY_NAME not in _visible_text(window)

    type_into(qtbot, find(screen, "Your password"), PASSWORD)
    click(qtbot, find(screen, "Unlock"))
    assert not window.session.is_locked and window.splitter.isVisible()
    assert window.stack.currentWidget() is ed and ed.has_unsaved_changes()  # as it was left
    assert window.menus.save_action.isEnabled() and window.session.idle.armed
    assert find(screen, "Your password").text() == ""


def test_another_user_signing_in_keeps_the_draft_and_gives_it_back_to_its_author(qtbot, ctx, patient, monkeypatch):
    window = _window(qtbot, ctx)
    ed = start_procedure(qtbot, window, patient.id, WHEN, physician="Dr. Unsaved Work")
    assert ed.has_unsaved_changes()
    window.session.lock(switching=True)
    screen = window.session.lock_screen
    type_into(qtbot, find(screen, "Other user name"), NURSE.username)
    type_into(qtbot, find(screen, "Other user password"), "wrong wrong wrong")
    click(qtbot, find(screen, "Sign in as another user"))
    assert window.session.is_locked and ctx.work.actor.username == ADMIN_PHYSICIAN.username

    type_into(qtbot, find(screen, "Other user password"), PASSWORD)
    click(qtbot, find(screen, "Sign in as another user"))

    # The nurse gets a fresh window: no editor, no patient, her own permissions.
    assert not window.session.is_locked and ctx.work.actor.username == NURSE.username
    assert window.stack.currentWidget() is window.patient_page
    assert window.patient_page.form.patient_id is None
    assert not ed.has_unsaved_changes()
    assert find(window, "Signed-in user").text() == "RN Synthetic Nurse — Nurse"
    assert not window.menus.new_procedure_action.isEnabled()
    assert window.patient_list.model.rowCount() == 1  # the list was reloaded for her
    # The physician's edits are on disk, not thrown away.
    (draft_file,) = _draft_files(ctx)
    assert "Dr. Unsaved Work" in draft_file.read_text(encoding="utf-8")

    # When the physician comes back, the draft is offered to them.
    offered = []
    monkeypatch.setattr(WindowQuestions, "ask_restore", lambda self, draft: offered.append(draft) or True)
    window.session.lock(switching=True)
    type_into(qtbot, find(screen, "Other user name"), ADMIN_PHYSICIAN.username)
    type_into(qtbot, find(screen, "Other user password"), PASSWORD)
    click(qtbot, find(screen, "Sign in as another user"))
    assert len(offered) == 1
    assert window.stack.currentWidget() is ed and ed.physician.text() == "Dr. Unsaved Work"
    assert ed.has_unsaved_changes()


def test_closing_a_locked_window_keeps_the_draft(qtbot, ctx, patient):
    window = _window(qtbot, ctx)
    start_procedure(qtbot, window, patient.id, WHEN, physician="Dr. Walked Away")
    window.session.lock()
    window.close()
    (draft_file,) = _draft_files(ctx)
    assert "Dr. Walked Away" in draft_file.read_text(encoding="utf-8")


def test_keyboard_or_mouse_input_restarts_the_idle_timer(qtbot, ctx, patient):
    window = _window(qtbot, ctx, idle_ms=60_000)
    assert window.session.idle.armed
    window.session.idle.timer.stop()
    QApplication.sendEvent(
        window.patient_list.search, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "a")
    )
    assert window.session.idle.timer.isActive()
    window.session.lock()
    window.session.idle.timer.stop()
    QApplication.sendEvent(
        window.session.lock_screen.password,
        QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "a"),
    )
    assert not window.session.idle.timer.isActive()  # locked: nothing to count down to


def test_the_timeout_follows_the_clinic_settings(qtbot, ctx, patient):
    window = _window(qtbot, ctx, idle_ms=None)
    assert window.session.idle.interval_ms == ctx.settings.load().idle_lock_minutes * MS_PER_MINUTE
    dialog = window.admin.edit_settings()
    spin = find(dialog, "Lock the screen after minutes without use")
    spin.setValue(3)
    assert dialog.save() is not None
    assert ctx.settings.load().idle_lock_minutes == 3
    assert window.session.idle.interval_ms == 3 * MS_PER_MINUTE


def test_a_hidden_window_never_locks(qtbot, ctx, patient):
    window = _window(qtbot, ctx, idle_ms=20)
    window.hide()
    assert not window.session.idle.armed and not window.session.idle.timer.isActive()  # nothing left to fire
    assert not window.session.is_locked


def test_a_window_opened_with_nobody_signed_in_starts_on_the_sign_in_screen(qtbot, ctx, patient):
    ctx.work.sign_out()
    window = _window(qtbot, ctx)
    assert window.session.is_locked and not window.session.lock_screen.own_box.isVisible()
    assert find(window, "Signed-in user").text() == "Nobody signed in"
    assert window.patient_list.model.rowCount() == 0  # nothing was read for nobody
    screen = window.session.lock_screen
    type_into(qtbot, find(screen, "Other user name"), NURSE.username)
    type_into(qtbot, find(screen, "Other user password"), PASSWORD)
    click(qtbot, find(screen, "Sign in as another user"))
    assert not window.session.is_locked and window.patient_list.model.rowCount() == 1
    assert find(window, "Signed-in user").text() == "RN Synthetic Nurse — Nurse"
