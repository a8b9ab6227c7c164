"""Every documented shortcut works from every kind of field, and the README lists exactly the window's shortcuts."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication

from tests.ui.helpers import find, start_procedure

README = Path(__file__).resolve().parents[2] / "README.md"
# Undo and redo stay with the field the cursor is in (its own typing) or the editor's history (tests/ui
# test_ui_drafts_undo.py); quitting or locking the window would end the test.
NOT_FROM_FIELDS = {"undo", "redo", "quit", "lock"}


def _shortcut_actions(window) -> list[QAction]:
    return [a for a in window.findChildren(QAction) if a.shortcuts() and a.objectName()]


def _keys(act: QAction) -> list[str]:
    return [s.toString(QKeySequence.SequenceFormat.PortableText) for s in act.shortcuts()]


@pytest.fixture
def editor(qtbot, window, ctx):
    patient = ctx.records.save_patient(
        {"mrn": "K-1", "family_name": "Keys", "given_name": "Kim", "date_of_birth": date(1970, 1, 1), "sex": "female"}
    )
    ed = start_procedure(qtbot, window, patient.id, datetime(2026, 9, 1, 10, 0))
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return ed


FIELDS = {
    "line edit": lambda ed: find(ed, "Performing physician"),
    "date-time field": lambda ed: find(ed, "Date and time of procedure"),
    "combo box": lambda ed: find(ed, "Technique"),
    "spin box": lambda ed: find(ed, "Pain duration (months)"),
    "table cell": lambda ed: find(ed, "Pain score 1 NRS") if _has(ed, "Pain score 1 NRS") else find(ed, "Notes"),
}


def _has(ed, name: str) -> bool:
    from PySide6.QtWidgets import QWidget

    return ed.findChild(QWidget, name) is not None


@pytest.mark.parametrize("field", sorted(FIELDS))
def test_every_shortcut_reaches_its_action_from_every_kind_of_field(qtbot, window, editor, field):
    fired: list[str] = []
    checked = []
    for act in _shortcut_actions(window):
        if act.objectName() in NOT_FROM_FIELDS:
            continue
        act.triggered.disconnect()  # record instead of opening dialogs
        act.triggered.connect(lambda _=False, n=act.objectName(): fired.append(n))
        act.setEnabled(True)
        widget = FIELDS[field](editor)
        tab = editor.tabs.indexOf(next(t for t in _tabs(editor) if t.isAncestorOf(widget))) if _tabs(editor) else -1
        if tab >= 0:
            editor.tabs.setCurrentIndex(tab)
        widget.setFocus()
        qtbot.waitUntil(widget.hasFocus)
        for key in _keys(act):
            sequence = QKeySequence(key)
            combo = sequence[0]
            qtbot.keyClick(widget, combo.key(), combo.keyboardModifiers())
            checked.append((act.objectName(), key))
            assert fired and fired[-1] == act.objectName(), f"{key} from a {field} did not reach {act.objectName()}"
    assert len(checked) >= 10


def _tabs(editor):
    return [editor.tabs.widget(i) for i in range(editor.tabs.count())]


def test_the_readme_lists_exactly_the_windows_shortcuts(window):
    in_window = {key for act in _shortcut_actions(window) for key in _keys(act)}
    text = README.read_text(encoding="utf-8")
    in_readme = set(re.findall(r"\b(Ctrl\+(?:Shift\+)?(?:[A-Z]|,))(?![A-Za-z])", text))
    assert in_readme == in_window, (
        f"README only: {sorted(in_readme - in_window)}; window only: {sorted(in_window - in_readme)}"
    )


def test_one_tab_leaves_the_procedure_time(qtbot, window, editor):
    from PySide6.QtCore import Qt

    when = find(editor, "Date and time of procedure")
    editor.tabs.setCurrentIndex(0)
    when.setFocus()
    qtbot.waitUntil(when.hasFocus)
    when.setCurrentSectionIndex(0)
    qtbot.keyClick(when, Qt.Key.Key_Tab)
    assert not when.hasFocus()  # one Tab: on to the next field, not into the date's month section


def test_one_tab_leaves_a_typed_date_on_the_patient_form(qtbot, window):
    from PySide6.QtCore import Qt

    form = window.patient_page.form
    form.clear()
    form.date_of_birth.setFocus()
    qtbot.waitUntil(form.date_of_birth.hasFocus)
    qtbot.keyClicks(form.date_of_birth, "1961-03-14")
    qtbot.keyClick(form.date_of_birth, Qt.Key.Key_Tab)
    assert not form.date_of_birth.hasFocus() and form.data()["date_of_birth"] == date(1961, 3, 14)
