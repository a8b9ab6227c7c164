"""The editor's message lines: a status beside the buttons and a problem with the whole record above them."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel

from facetdesk.ui.common.widgets import ErrorLabel


class EditorMessages(QObject):
    def __init__(self, status: QLabel, error_summary: ErrorLabel):
        super().__init__(status)
        self._status, self._errors = status, error_summary

    def set_status(self, text: str) -> None:
        """A line beside the buttons ("Recovered draft: review it and save")."""
        self._status.setText(text)

    def show_error(self, message: str) -> None:
        """A problem with the whole record (not one field), above the buttons."""
        self._errors.show_error(message)
