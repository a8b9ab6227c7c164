"""Drafts and undo in the procedure editor: autosave, recovery after a killed process, undo and redo."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from facetdesk.services.context import build_context
from facetdesk.ui.shell.main_window import MainWindow
from tests.actors import ADMIN_PHYSICIAN
from tests.ui.helpers import choose, click, find, open_window, set_datetime, start_procedure, type_into

ROOT = Path(__file__).resolve().parents[2]
WHEN = datetime(2026, 2, 3, 14, 45)


def _patient(ctx, mrn: str = "DRAFT-1") -> int:
    data = {"mrn": mrn, "family_name": "Drafttest", "given_name": "Alex", "date_of_birth": "1965-07-08", "sex": "male"}
    return ctx.records.save_patient(data).id


def _window(qtbot, ctx, interval_ms: int = 3000, restore: bool = False) -> MainWindow:
    return open_window(qtbot, ctx, ask_restore=lambda draft: restore, autosave_interval_ms=interval_ms)


def _draft_files(ctx) -> list[Path]:
    return sorted(ctx.drafts.directory.glob("*.json")) if ctx.drafts.directory.exists() else []


def test_edits_are_autosaved_as_a_draft_and_saving_removes_it(qtbot, ctx) -> None:
    pid = _patient(ctx)
    window = _window(qtbot, ctx, interval_ms=30)
    ed = start_procedure(qtbot, window, pid, WHEN, physician="Dr. Autosave")
    url = ctx.database.url_for_display()

    def drafted_everything() -> bool:
        draft = ctx.drafts.latest_for(url, ADMIN_PHYSICIAN, include_live=True)
        assert draft is not None, "no draft written yet"
        assert draft.data["targets"], "the draft predates the ticked target"

    qtbot.waitUntil(drafted_everything, timeout=5000)
    assert len(_draft_files(ctx)) == 1
    assert ed.status.text().startswith("Draft autosaved at ")
    draft = ctx.drafts.latest_for(url, ADMIN_PHYSICIAN, include_live=True)
    assert draft.patient_id == pid and draft.procedure_id is None
    assert draft.data["physician"] == "Dr. Autosave"
    assert draft.data["targets"] == [{"level": "L4-L5", "side": "left"}]
    assert draft.data["performed_at"] == "2026-02-03T14:45:00"

    saved = ed.save()
    assert saved is not None
    assert _draft_files(ctx) == []
    assert window.autosave.autosave_now() is None
    assert _draft_files(ctx) == []  # nothing unsaved: nothing to draft


def test_discarding_the_edits_removes_the_draft(qtbot, ctx) -> None:
    pid = _patient(ctx)
    window = _window(qtbot, ctx, interval_ms=30)
    start_procedure(qtbot, window, pid, WHEN)
    qtbot.waitUntil(lambda: len(_draft_files(ctx)) == 1, timeout=5000)
    window.patients.show_patient_page()  # ask_discard answers 'discard' in the GUI tests
    assert _draft_files(ctx) == []
    assert not window.editor.has_unsaved_changes()


def _orphan(ctx, draft) -> None:
    """Make a draft look left behind by a process that is gone."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait(timeout=30)
    ctx.drafts.save(replace(draft, owner_pid=gone.pid))


@pytest.mark.skipif(sys.platform == "win32", reason="process liveness is checked on POSIX")
def test_live_draft_is_not_offered_and_a_declined_one_is_discarded(qtbot, ctx) -> None:
    pid = _patient(ctx)
    first = _window(qtbot, ctx, interval_ms=30)
    start_procedure(qtbot, first, pid, WHEN)
    qtbot.waitUntil(lambda: len(_draft_files(ctx)) == 1, timeout=5000)
    first.autosave.timer.stop()
    asked = []
    second = _window(qtbot, ctx)
    second.questions.ask_restore = lambda draft: asked.append(draft) or False
    assert second.offer_restore() is False and asked == []  # the first window is still editing it
    assert len(_draft_files(ctx)) == 1
    _orphan(ctx, ctx.drafts.latest_for(ctx.database.url_for_display(), ADMIN_PHYSICIAN, include_live=True))
    assert second.offer_restore() is False and len(asked) == 1
    assert _draft_files(ctx) == []


def test_draft_of_another_database_is_not_offered(qtbot, ctx, tmp_path) -> None:
    pid = _patient(ctx)
    window = _window(qtbot, ctx, interval_ms=30)
    start_procedure(qtbot, window, pid, WHEN)
    qtbot.waitUntil(lambda: len(_draft_files(ctx)) == 1, timeout=5000)
    other = build_context(f"sqlite:///{tmp_path / 'other.sqlite3'}", actor=ADMIN_PHYSICIAN)
    try:
        asked = []
        w2 = _window(qtbot, other)
        w2.questions.ask_restore = lambda draft: asked.append(draft) or True
        assert w2.offer_restore() is False and asked == []
    finally:
        other.close()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_draft_survives_a_killed_process_and_is_restored(qtbot, db_url) -> None:
    env = {**os.environ, "FACETDESK_DB": db_url, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "ui" / "_crash_editor.py")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    try:
        while True:
            try:
                line = lines.get(timeout=60)
            except queue.Empty:
                pytest.fail("the editor process never reported its draft")
            if line.strip() == "DRAFTED":
                break
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()

    ctx = build_context(db_url, actor=ADMIN_PHYSICIAN)
    try:
        asked = []
        window = MainWindow(ctx)
        window.questions.ask_restore = lambda draft: asked.append(draft) or True
        qtbot.addWidget(window)
        with qtbot.waitExposed(window):
            window.show()  # the offer comes once the window is on screen
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.editor, timeout=5000)
        ed = window.editor
        assert len(asked) == 1
        assert ed.patient.mrn == "CRASH-1"
        assert ed.procedure is None  # a new procedure, not yet saved
        assert ed.physician.text() == "Dr. Killed Process"
        assert ed.documentation.needle.text() == "22-gauge spinal needle"
        assert ed.performed_at.dateTime().toString("yyyy-MM-dd HH:mm") == "2026-05-06 08:15"
        assert ed.targets.targets() == [{"level": "L4-L5", "side": ed.targets.targets()[0]["side"]}]
        assert str(ed.targets.targets()[0]["side"]) in ("left", "Side.LEFT")
        assert ed.has_unsaved_changes()  # restored, not saved: the user must save
        assert len(_draft_files(ctx)) == 1  # the recovered draft stays until saved or discarded
        assert ed.save() is not None
        assert _draft_files(ctx) == []
    finally:
        window.close()
        ctx.close()


def test_undo_and_redo_edits(qtbot, ctx) -> None:
    pid = _patient(ctx)
    window = _window(qtbot, ctx)
    window.patients.open_patient(pid)
    click(qtbot, find(window, "New procedure"))
    ed = window.editor
    set_datetime(find(ed, "Date and time of procedure"), WHEN)
    blank = ed.data()
    stack = ed.undo_stack
    stack.clear()  # the date above is part of the starting point
    ed.history.snapshot = ed.history.state()

    type_into(qtbot, find(ed, "Performing physician"), "Dr. Undo")
    ed.tabs.setCurrentIndex(2)
    click(qtbot, find(ed, "L4-L5 left"))
    typed = ed.data()
    assert typed["physician"] == "Dr. Undo" and len(typed["targets"]) == 1
    assert stack.count() == 2  # the whole name is one step, the tick another

    saves = []
    ed.saved.connect(saves.append)
    window.menus.undo_action.trigger()
    assert ed.targets.targets() == [] and ed.physician.text() == "Dr. Undo"
    assert ed.tabs.currentIndex() == 2  # undo does not jump away from where the user works
    window.menus.undo_action.trigger()
    assert ed.data() == blank
    assert not window.menus.undo_action.isEnabled()
    assert not ed.has_unsaved_changes()  # back where the editor was loaded

    window.menus.redo_action.trigger()
    window.menus.redo_action.trigger()
    assert ed.data() == typed
    assert ed.has_unsaved_changes()
    assert saves == [] and ctx.records.procedures_of(pid) == []  # undo and redo never save


def test_undo_shortcuts_reach_the_stack_from_a_text_field(qtbot, ctx) -> None:
    pid = _patient(ctx)
    window = _window(qtbot, ctx)
    window.patients.open_patient(pid)
    window.procedures.new_procedure()
    ed = window.editor
    assert window.menus.undo_action.shortcut().toString() == "Ctrl+Z"
    assert [s.toString() for s in window.menus.redo_action.shortcuts()] == ["Ctrl+Shift+Z", "Ctrl+Y"]
    physician = find(ed, "Performing physician")
    before = physician.text()
    type_into(qtbot, physician, "Dr. Keys")
    qtbot.keyClick(physician, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert physician.text() == before
    qtbot.keyClick(physician, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert physician.text() == "Dr. Keys"


def test_loading_another_procedure_clears_the_history(qtbot, ctx) -> None:
    pid = _patient(ctx)
    window = _window(qtbot, ctx)
    ed = start_procedure(qtbot, window, pid, WHEN, physician="Dr. First")
    assert ed.save() is not None
    assert ed.undo_stack.count() > 0
    window.procedures.open_procedure(ed.procedure.id)
    assert ed.undo_stack.count() == 0 and not window.menus.undo_action.isEnabled()
    type_into(qtbot, find(ed, "Performing physician"), "Dr. Second")
    window.menus.undo_action.trigger()
    assert ed.physician.text() == "Dr. First"
    assert not ed.has_unsaved_changes()


@pytest.mark.skipif(sys.platform == "win32", reason="process liveness is checked on POSIX")
def test_draft_of_a_stored_procedure_is_restored_over_it(qtbot, ctx) -> None:
    pid = _patient(ctx)
    first = _window(qtbot, ctx, interval_ms=30)
    ed = start_procedure(qtbot, first, pid, WHEN, physician="Dr. Stored")
    stored = ed.save()
    type_into(qtbot, find(ed, "Performing physician"), "Dr. Edited Later")
    qtbot.waitUntil(lambda: len(_draft_files(ctx)) == 1, timeout=5000)
    first.autosave.timer.stop()
    draft = ctx.drafts.latest_for(ctx.database.url_for_display(), ADMIN_PHYSICIAN, include_live=True)
    assert draft.procedure_id == stored.id and draft.procedure_version == stored.version
    _orphan(ctx, draft)
    second = _window(qtbot, ctx, restore=True)  # the offer is answered 'yes' when it is shown
    qtbot.waitUntil(lambda: second.stack.currentWidget() is second.editor, timeout=5000)
    assert second.editor.procedure.id == stored.id
    assert second.editor.physician.text() == "Dr. Edited Later"
    assert second.editor.has_unsaved_changes()


def test_undo_keeps_half_filled_rows(qtbot, ctx) -> None:
    """A medication row without a volume yet is not valid, but undoing another edit must not lose it."""
    pid = _patient(ctx)
    window = _window(qtbot, ctx)
    window.patients.open_patient(pid)
    click(qtbot, find(window, "New procedure"))
    ed = window.editor
    set_datetime(find(ed, "Date and time of procedure"), WHEN)
    ed.tabs.setCurrentIndex(3)
    click(qtbot, find(ed, "Medications: add row"))
    choose(find(ed, "Medication 1 agent"), "lidocaine")
    ed.tabs.setCurrentIndex(0)
    before = ed.physician.text()  # the signed-in physician performs, until someone else is typed
    type_into(qtbot, find(ed, "Performing physician"), "Dr. Undo")
    window.menus.undo_action.trigger()
    assert ed.physician.text() == before
    meds = ed.medications.data()
    assert len(meds) == 1 and meds[0]["agent"] == "lidocaine" and meds[0]["volume_ml"] is None
