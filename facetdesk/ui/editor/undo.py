"""Undo for the procedure editor: each edit is a before/after snapshot of the form's raw values."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget

from facetdesk.domain.catalog import Catalog
from facetdesk.domain.enums import Guidance, Intent, Sedation, Side, Technique
from facetdesk.domain.procedure import Procedure
from facetdesk.domain.procedure_form import text_paths
from facetdesk.services.decision import lenient_procedure
from facetdesk.ui.common.widgets import to_qdatetime

if TYPE_CHECKING:
    from facetdesk.ui.editor.form import ProcedureForm

# Keystrokes in one field less than this far apart are one undo step (typing a name is one edit).
MERGE_SECONDS = 1.5


class SnapshotCommand(QUndoCommand):
    """Undo puts the form back to ``before``; redo to ``after``. Consecutive edits of one field merge."""

    ID = 0x4644  # any constant: all snapshot commands may merge with each other

    def __init__(
        self,
        apply: Callable[[dict[str, Any]], None],
        before: dict[str, Any],
        after: dict[str, Any],
        key: object = None,
        text: str = "",
    ):
        super().__init__(text)
        self._apply = apply
        self.before = before
        self.after = after
        self.key = key
        self.stamp = time.monotonic()
        # The form already shows 'after' when the command is pushed; QUndoStack.push calls redo() at once.
        self._applied = True

    def id(self) -> int:
        return self.ID

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self._apply(self.after)

    def undo(self) -> None:
        self._apply(self.before)

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt API)
        if not isinstance(other, SnapshotCommand) or self.key is None or other.key is not self.key:
            return False
        if other.stamp - self.stamp > MERGE_SECONDS:
            return False
        self.after = other.after
        self.stamp = other.stamp
        if self.after == self.before:  # typed and deleted again: nothing left to undo
            self.setObsolete(True)
        return True


class EditHistory(QObject):
    """The undo history of one procedure's form: each edit a snapshot of the raw values before and after it.

    ``state()`` reads what the user typed; ``show(state)`` puts the form back to a snapshot without it counting
    as a new edit. The stack is clean at what was loaded or saved: unsaved edits are a stack that is not clean.
    """

    def __init__(
        self,
        parent: QObject,
        state: Callable[[], dict[str, Any]],
        show: Callable[[dict[str, Any]], None],
    ):
        super().__init__(parent)
        self._state, self._show = state, show
        self.stack = QUndoStack(parent)
        self.snapshot: dict[str, Any] = {}  # the form as the top command left it

    def state(self) -> dict[str, Any]:
        """What the user typed; the stored identity (id, uid, version) is not theirs to undo."""
        state = self._state()
        for key in ("id", "uid", "version"):
            state.pop(key, None)
        return state

    def record(self, source: object = None) -> None:
        """An edit made (by ``source``, whose consecutive edits merge into one step)."""
        after = self.state()
        if after == self.snapshot:
            return  # a second signal for the same edit, or a change that changed nothing
        name = source.accessibleName() if isinstance(source, QWidget) else ""
        command = SnapshotCommand(self._apply, self.snapshot, after, source, name or self.tr("edit"))
        self.snapshot = after
        self.stack.push(command)

    def restart(self) -> None:
        """A record loaded: nothing to undo, its state the starting point."""
        self.snapshot = self.state()
        self.stack.clear()

    def _apply(self, state: dict[str, Any]) -> None:
        self._show(state)
        self.snapshot = self.state()


class StackShortcuts(QObject):
    """Event filter for text fields: Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y reach the editor's undo stack.

    A line edit keeps its own per-field undo and would otherwise swallow these keys, leaving two undo
    histories that disagree about what "undo" means.
    """

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) and _is_undo_key(event):
            event.ignore()  # not taken by the field: the window's Undo/Redo action gets the shortcut
            return True
        return False


def _is_undo_key(event: QKeyEvent) -> bool:
    ctrl_y = event.key() == Qt.Key.Key_Y and event.modifiers() == Qt.KeyboardModifier.ControlModifier
    return event.matches(QKeySequence.StandardKey.Undo) or event.matches(QKeySequence.StandardKey.Redo) or ctrl_y


def procedure_for_widgets(data: dict[str, Any], catalog: Catalog) -> Procedure | None:
    """A procedure to fill the widgets from raw values that need not be valid yet.

    Lenient validation drops what it can; a form with no joint ticked or a time not yet possible
    cannot be validated at all, so stand-ins let the rest through and restore_raw_fields puts
    the real values back.
    """
    shown, problems = lenient_procedure(data)
    if shown is not None:
        return shown
    heads = {e.path[0] for e in problems if e.path}
    patched = dict(data)
    if "targets" in heads:
        patched["targets"] = [{"level": catalog.joints[0].level, "side": Side.LEFT.value}]
    if "performed_at" in heads:
        patched["performed_at"] = datetime(2000, 1, 1)
    # Not chosen yet: any member reaches the widgets, and restore_raw_fields puts "— choose —" back.
    for field, stand_in in (("technique", Technique.MEDIAL_BRANCH_BLOCK), ("intent", Intent.DIAGNOSTIC_FIRST),
                            ("guidance", Guidance.FLUOROSCOPY), ("sedation", Sedation.NONE)):  # fmt: skip
        if field in heads:
            patched[field] = stand_in
    return lenient_procedure(patched)[0]


def _rows(raw: object) -> list[SimpleNamespace]:
    return [SimpleNamespace(**row) for row in raw] if isinstance(raw, list) else []


def _restore_rows(form: ProcedureForm, raw: dict[str, Any]) -> None:
    """Table rows exactly as they were, half-filled ones included (lenient validation would drop them)."""
    if isinstance(raw.get("medications"), list):
        form.medications.load(_rows(raw["medications"]))
    if isinstance(raw.get("pain_scores"), list):
        scores = [s for s in _rows(raw["pain_scores"]) if s.minutes_after is not None]
        form.pain.load(raw.get("pre_procedure_pain"), scores)
    botox = raw.get("botulinum_toxin")
    if isinstance(botox, dict):
        form.botox.load(SimpleNamespace(**{**botox, "sites": _rows(botox.get("sites"))}))


def restore_raw_fields(form: ProcedureForm, raw: dict[str, Any]) -> None:
    """Set the fields validation would change or drop exactly as the snapshot holds them."""
    _restore_time(form, raw.get("performed_at"))
    _restore_targets(form, raw.get("targets"))
    _restore_rows(form, raw)
    section = form.section
    for combo, key in ((section.technique, "technique"), (section.intent, "intent"),
                       (section.guidance, "guidance"), (section.sedation, "sedation")):  # fmt: skip
        if key in raw and combo.index_of(raw[key]) >= 0:
            combo.set_value(raw[key])
    # Free text as typed (validation strips spaces and drops text that is too long): every text field the
    # form's description names, in the widget the editor registered for it.
    for path in text_paths():
        value = _at(raw, path)
        widget = form.field_widget(path)
        if not isinstance(value, str) or widget is None:
            continue
        if isinstance(widget, QPlainTextEdit):
            if widget.toPlainText() != value:
                widget.setPlainText(value)
        elif isinstance(widget, QLineEdit) and widget.text() != value:
            widget.setText(value)


def _at(raw: dict[str, Any], path: tuple[str, ...]) -> object:
    """The value at ``path`` in raw form data, or None where the data has no such place."""
    value: object = raw
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _restore_time(form: ProcedureForm, value: object) -> None:
    try:
        when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return
    form.performed_at.setDateTime(to_qdatetime(when))


def _restore_targets(form: ProcedureForm, targets: object) -> None:
    if not isinstance(targets, list):
        return
    joints = []
    for t in targets:
        try:
            joints.append(SimpleNamespace(level=str(t["level"]), side=Side(t["side"])))
        except (KeyError, TypeError, ValueError):
            continue
    form.targets.set_targets(joints)
