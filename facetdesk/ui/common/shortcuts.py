"""The window's shortcuts win over a text field's own key bindings (Ctrl+E is 'end of line' in a Qt line edit)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence


class ShortcutsOverFields(QObject):
    """An application event filter: a key that is one of ``actions``' shortcuts goes to the action, from any field.

    Qt first offers a shortcut key to the focused widget (a ShortcutOverride event); a line edit, spin box or
    date field claims Ctrl+E, Ctrl+A and others for itself, so the documented shortcut did nothing there. For
    the actions given (not undo/redo or the clipboard keys, which a field rightly keeps), the claim is refused.
    """

    def __init__(self, actions: list[QAction], parent: QObject):
        super().__init__(parent)
        self._actions = actions

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            pressed = QKeySequence(event.keyCombination())
            for act in self._actions:
                if act.isEnabled() and any(
                    s.matches(pressed) == QKeySequence.SequenceMatch.ExactMatch for s in act.shortcuts()
                ):
                    event.ignore()  # not the field's: the shortcut machinery delivers it to the action
                    return True
        return False
