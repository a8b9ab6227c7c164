"""The follow-up dialog: the visits so far after a procedure, and a new one entered by a nurse or physician."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from facetdesk.domain.follow_up import FIELDS, FollowUp, follow_up_summary
from facetdesk.domain.procedure import Procedure
from facetdesk.ui.common import style
from facetdesk.ui.common.entry_dialog import EntryDialog
from facetdesk.ui.common.widgets import named


class FollowUpDialog(EntryDialog):
    """``save(data)`` stores a visit (the service: it refuses by field, and names who recorded it)."""

    saved = Signal(object)  # FollowUp

    def __init__(
        self,
        procedure: Procedure,
        earlier: list[FollowUp],
        save: Callable[[dict[str, Any]], FollowUp],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self._procedure, self._save = procedure, save
        self.setWindowTitle(self.tr("Follow-up"))
        technique = procedure.technique.label.lower()
        levels = f" ({', '.join(procedure.levels())})" if procedure.levels() else ""
        what = f"{technique} of {procedure.performed_at:%Y-%m-%d}{levels}"
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Follow-up after the {what}").format(what=what)))
        lines = (
            [self.tr("Visits so far:"), *(follow_up_summary(procedure, v) for v in earlier)]
            if earlier
            else [self.tr("No follow-up recorded yet.")]
        )
        self.history = named(QLabel("\n".join(lines)), "Earlier follow-ups")
        self.history.setStyleSheet(f"color: {style.MUTED_COLOR};")
        self.history.setWordWrap(True)
        layout.addWidget(self.history)
        form = QFormLayout()
        self.seen_on = named(QLineEdit(), "Date of the visit")
        self.seen_on.setPlaceholderText(self.tr("YYYY-MM-DD"))
        form.addRow(self.tr("Date of the visit"), self.errors.field(self.seen_on, ("seen_on",)))
        self.fields = self.add_fields(form, FollowUp, FIELDS)
        layout.addLayout(form)
        self.add_buttons(layout, QDialogButtonBox.StandardButton.Save)

    def data(self) -> dict[str, Any]:
        values = {key: fw.value() for key, fw in self.fields.items()}
        return {"procedure_uid": self._procedure.uid, "seen_on": self.seen_on.text().strip() or None, **values}

    def submit(self) -> FollowUp | None:
        """Save the visit; on a refusal every problem shows beside its field and nothing is saved."""
        visit = self.errors.saved(lambda: self._save(self.data()))
        if visit is not None:
            self.saved.emit(visit)
            self.accept()
        return visit
