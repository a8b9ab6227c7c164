"""A dialog for one entry (a follow-up visit, a dose given elsewhere) built from its fields' description.

Each problem shows beside its field; Enter confirms a typed number, never the half-entered entry: only the
dialog's button submits it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QPushButton, QVBoxLayout, QWidget

from facetdesk.domain.procedure_form import FormField
from facetdesk.ui.common.error_router import ErrorRouter
from facetdesk.ui.common.field_widgets import FieldWidget
from facetdesk.ui.common.widgets import ErrorLabel

if TYPE_CHECKING:  # pydantic is loaded by the domain models; importing it here first would race PySide6's hook
    from pydantic import BaseModel


class EntryDialog(QDialog):
    """Subclasses lay out their fields with ``add_fields`` and implement ``submit``."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.errors_label = ErrorLabel()
        self.errors = ErrorRouter(self.errors_label)

    def add_fields(self, form: QFormLayout, model: type[BaseModel], fields: Sequence[FormField]) -> dict:
        """A row per described field, each with its error place; returns the widgets by field key."""
        widgets = {f.key: FieldWidget(model, f) for f in fields}
        for f in fields:
            form.addRow(self.tr(f.label), self.errors.field(widgets[f.key].widget, f.path))
        return widgets

    def add_buttons(self, layout: QVBoxLayout, accept: QDialogButtonBox.StandardButton) -> None:
        """The general error line, then ``accept`` (Save, OK) and Cancel; no button is pressed by Enter."""
        layout.addWidget(self.errors_label)
        buttons = QDialogButtonBox(accept | QDialogButtonBox.StandardButton.Cancel)
        for button in buttons.buttons():
            if isinstance(button, QPushButton):
                button.setAutoDefault(False)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return
        super().keyPressEvent(event)

    def submit(self) -> object:
        raise NotImplementedError
