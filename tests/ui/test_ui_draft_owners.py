"""Drafts on a shared workstation: each user is offered only their own unsaved work, after a crash or a switch."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from dataclasses import replace
from datetime import datetime

import pytest
from PySide6.QtWidgets import QMessageBox

import facetdesk.ui.shell.questions as questions_module
from facetdesk.services.context import build_context
from facetdesk.services.drafts import Draft
from facetdesk.ui.shell.main_window import MainWindow
from facetdesk.ui.shell.questions import WindowQuestions
from tests.actors import ADMIN_PHYSICIAN, NURSE, PASSWORD
from tests.builders.records import patient_data
from tests.ui.helpers import click, find, open_window, start_procedure, type_into

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="a crashed writer is recognised on POSIX")

WHEN = datetime(2026, 10, 5, 9, 0)
OTHER = {"username": "dr.other", "display_name": "Dr. Other Synthetic", "role": "physician"}
# The real question, taken before the GUI tests' fixture replaces it with "No".
_ASK_RESTORE = WindowQuestions.ask_restore


@pytest.fixture
def patient(ctx, accounts):
    ctx.accounts.create_user(OTHER, PASSWORD)
    return ctx.records.save_patient(patient_data(family_name="Ownertest"))


def _dead_pid() -> int:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait(timeout=30)
    return gone.pid


def _draft_files(ctx) -> dict[str, dict]:
    folder = ctx.drafts.directory
    paths = sorted(folder.glob("*.json")) if folder.is_dir() else []
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in paths}


def _window(qtbot, ctx, asked: list[Draft], answer: bool = True) -> MainWindow:
    return open_window(
        qtbot, ctx, ask_restore=lambda draft: asked.append(draft) or answer, autosave_interval_ms=60_000, idle_ms=60_000
    )


def _sign_in(qtbot, window: MainWindow, username: str) -> None:
    """Someone signs in at the lock screen ("Sign in as another user"), locking first if need be."""
    if not window.session.is_locked:
        window.session.lock(switching=True)
    screen = window.session.lock_screen
    type_into(qtbot, find(screen, "Other user name"), username)
    type_into(qtbot, find(screen, "Other user password"), PASSWORD)
    click(qtbot, find(screen, "Sign in as another user"))
    assert not window.session.is_locked


def _crash(qtbot, ctx, patient, physician: str) -> Draft:
    """The admin physician types a procedure, and their FacetDesk dies before it is saved."""
    window = MainWindow(ctx, autosave_interval_ms=60_000, idle_ms=60_000)
    qtbot.addWidget(window)
    window.show()
    start_procedure(qtbot, window, patient.id, WHEN, physician=physician)
    draft = window.autosave.autosave_now()
    assert draft is not None and draft.author == ADMIN_PHYSICIAN.username
    window.autosave.release()  # the window below stands for the dead process: it no longer owns the file
    window.close()
    crashed = replace(draft, owner_pid=_dead_pid())
    ctx.drafts.save(crashed)
    return crashed


def test_a_crashed_physicians_draft_is_offered_to_its_author_alone(qtbot, ctx, db_url, patient):
    crashed = _crash(qtbot, ctx, patient, "Dr. Crashed Work")
    later = build_context(db_url)  # the next start: nobody signed in yet
    try:
        asked: list[Draft] = []
        window = _window(qtbot, later, asked)
        for someone in (NURSE.username, OTHER["username"]):
            _sign_in(qtbot, window, someone)
            assert asked == [], f"{someone} was offered another user's draft"
            assert window.stack.currentWidget() is window.patient_page
            assert list(_draft_files(later)) == [crashed.id]  # kept, untouched
            assert _draft_files(later)[crashed.id]["author"] == ADMIN_PHYSICIAN.username

        _sign_in(qtbot, window, ADMIN_PHYSICIAN.username)

        assert [d.id for d in asked] == [crashed.id]
        ed = window.editor
        assert window.stack.currentWidget() is ed and ed.physician.text() == "Dr. Crashed Work"
        assert ed.has_unsaved_changes()
        window.close()
    finally:
        later.close()


def test_switching_user_after_a_lock_keeps_the_work_for_its_author_alone(qtbot, ctx, patient):
    asked: list[Draft] = []
    window = _window(qtbot, ctx, asked)
    ed = start_procedure(qtbot, window, patient.id, WHEN, physician="Dr. Switched Away")
    window.session.lock()  # idle, or Ctrl+L: the physician walks away

    _sign_in(qtbot, window, NURSE.username)

    (kept,) = _draft_files(ctx).values()
    assert kept["author"] == ADMIN_PHYSICIAN.username and kept["data"]["physician"] == "Dr. Switched Away"
    assert not ed.has_unsaved_changes() and window.stack.currentWidget() is window.patient_page
    url = ctx.database.url_for_display()
    assert ctx.drafts.drafts_of(ctx.work.actor, url, include_live=True) == []  # not hers, even to list
    _sign_in(qtbot, window, OTHER["username"])
    assert asked == []
    assert ctx.drafts.drafts_of(ctx.work.actor, url, include_live=True) == []

    _sign_in(qtbot, window, ADMIN_PHYSICIAN.username)

    assert [d.id for d in asked] == [kept["id"]]
    assert window.stack.currentWidget() is ed and ed.physician.text() == "Dr. Switched Away"


def test_work_kept_at_a_switch_waits_for_its_author_across_a_restart(qtbot, ctx, db_url, patient):
    asked: list[Draft] = []
    window = _window(qtbot, ctx, asked)
    start_procedure(qtbot, window, patient.id, WHEN, physician="Dr. Before Restart")
    _sign_in(qtbot, window, OTHER["username"])
    window.close()  # the other physician quits FacetDesk; the first one's draft stays on disk
    (kept_id,) = _draft_files(ctx)
    # As if that FacetDesk had ended: its process id no longer names a running editor.
    (kept,) = [d for d in ctx.drafts.list() if d.id == kept_id]
    ctx.drafts.save(replace(kept, owner_pid=_dead_pid()))
    assert asked == []

    later = build_context(db_url)
    try:
        again: list[Draft] = []
        # The colleague declines whatever is offered: nothing of the first physician's is, so nothing is lost.
        restarted = _window(qtbot, later, again, answer=False)
        _sign_in(qtbot, restarted, OTHER["username"])
        _sign_in(qtbot, restarted, NURSE.username)
        assert again == [] and list(_draft_files(later)) == [kept_id]
        restarted.questions.ask_restore = lambda draft: again.append(draft) or True
        _sign_in(qtbot, restarted, ADMIN_PHYSICIAN.username)
        assert [d.id for d in again] == [kept_id]
        assert restarted.editor.physician.text() == "Dr. Before Restart"
        restarted.close()
    finally:
        later.close()


def _legacy_draft(ctx, patient) -> str:
    """A crash's draft written before drafts recorded their author (format 1: no "author" key)."""
    raw = Draft("ab" * 16, ctx.database.url_for_display(), patient.id, None, None, None, {}).to_json()
    raw |= {"format": 1, "owner_pid": _dead_pid()}
    del raw["author"]
    raw["data"] = {"performed_at": WHEN.isoformat(), "physician": "Dr. Unknown Author", "targets": []}
    ctx.drafts.directory.mkdir(parents=True, exist_ok=True)
    (ctx.drafts.directory / f"{raw['id']}.json").write_text(json.dumps(raw), encoding="utf-8")
    return raw["id"]


def test_a_draft_without_an_author_is_offered_to_physicians_with_a_note_and_kept_on_no(
    qtbot, ctx, db_url, patient, monkeypatch
):
    legacy_id = _legacy_draft(ctx, patient)
    questions: list[str] = []
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]

    class Box:  # the question as the user would see it, answered from the list above
        StandardButton = QMessageBox.StandardButton

        @staticmethod
        def question(_parent, _title, text, *_args):
            questions.append(text)
            return answers.pop(0)

    monkeypatch.setattr(questions_module, "QMessageBox", Box)
    later = build_context(db_url)
    try:
        window = MainWindow(later, autosave_interval_ms=60_000, idle_ms=60_000)
        window.questions.ask_restore = types.MethodType(_ASK_RESTORE, window.questions)
        qtbot.addWidget(window)
        window.show()

        _sign_in(qtbot, window, NURSE.username)  # she could not save it, and it may not be hers
        assert questions == []
        _sign_in(qtbot, window, OTHER["username"])
        assert len(questions) == 1 and "Author unknown (written by an earlier version" in questions[0]
        assert "Ownertest" in questions[0]
        assert list(_draft_files(later)) == [legacy_id]  # "No" keeps it: it may be another physician's
        assert window.stack.currentWidget() is window.patient_page

        _sign_in(qtbot, window, ADMIN_PHYSICIAN.username)  # asked too (their first sign-in here) and says Yes
        assert len(questions) == 2
        assert window.editor.physician.text() == "Dr. Unknown Author"
        window.autosave.autosave_now()
        assert _draft_files(later)[legacy_id]["author"] == ADMIN_PHYSICIAN.username  # now theirs
        window.close()
    finally:
        later.close()
