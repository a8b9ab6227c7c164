"""Accessible names and the error label: all the sign-in dialog, the first screen, needs of ui/common.

Kept apart from widgets.py, whose spin boxes and combos cost the first paint some 18 ms to import (each
PySide6 subclass is a new type for shiboken to build) and which the sign-in dialog does not use.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QLabel, QWidget

from facetdesk.ui.common import style

W = TypeVar("W", bound=QWidget)


def rich(text: str, line_breaks: bool = False) -> str:
    """Text shown as typed in a rich-text label: &, < and > escaped (and newlines kept, if asked)."""
    import html  # here, not at the top: the sign-in dialog, painted first, shows no typed text

    out = html.escape(text, quote=False)
    return out.replace("\n", "<br>") if line_breaks else out


def named(widget: W, name: str, tip: str | None = None) -> W:
    """Give a widget the accessible name screen readers (and tests) find it by."""
    widget.setAccessibleName(name)
    widget.setObjectName(name)
    if tip:
        widget.setToolTip(tip)
    return widget


class ErrorLabel(QLabel):
    """Red text shown beside a field when its value is rejected; hidden otherwise."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setStyleSheet(f"color: {style.ERROR_COLOR};")
        self.hide()

    def show_error(self, text: str) -> None:
        if text:
            self._selectable()
        self.setText(text)
        self.setVisible(bool(text))

    def _selectable(self) -> None:
        """The message can be selected and copied (into a support request, say).

        Set when the first message is shown, not in __init__: PySide6 builds its ``Qt`` namespace, every
        enum of it, on first use, some 15 ms the sign-in dialog's first paint would otherwise wait for.
        """
        from PySide6.QtCore import Qt

        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def clear_error(self) -> None:
        self.setText("")
        self.hide()
