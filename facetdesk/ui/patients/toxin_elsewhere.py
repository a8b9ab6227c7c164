"""Botulinum toxin given elsewhere, on the patient page: the list, and the dialog that adds one dose to it.

The list is part of the patient form and saved with the patient (Save patient), as the anticoagulants are; an entry
is checked field by field when it is added, so a bad one never reaches the list.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from facetdesk.domain.toxin import FIELDS, ToxinElsewhere
from facetdesk.services.validation import validated
from facetdesk.ui.common.date_fields import DateTimeField
from facetdesk.ui.common.entry_dialog import EntryDialog
from facetdesk.ui.common.widgets import named

_COLUMNS = ("Date", "Units", "Product", "Indication")


class ToxinElsewhereDialog(EntryDialog):
    """One dose given elsewhere; ``entry`` is set when OK is pressed on a complete, valid entry."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.entry: ToxinElsewhere | None = None
        self.setWindowTitle(self.tr("Botulinum toxin given elsewhere"))
        layout = QVBoxLayout(self)
        hint = QLabel(
            self.tr(
                "Toxin given by another clinic or service (e.g. for migraine or spasticity). Every toxin check "
                "counts it; units of different products are never added or converted."
            )
        )
        hint.setWordWrap(True)
        layout.addWidget(hint)
        form = QFormLayout()
        self.given_on = named(DateTimeField(with_time=False), "Date given")
        form.addRow(self.tr("Date given"), self.errors.field(self.given_on, ("given_on",)))
        self.fields = self.add_fields(form, ToxinElsewhere, FIELDS)
        layout.addLayout(form)
        self.add_buttons(layout, QDialogButtonBox.StandardButton.Ok)

    def data(self) -> dict[str, Any]:
        return {"given_on": self.given_on.value(), **{key: fw.value() for key, fw in self.fields.items()}}

    def submit(self) -> ToxinElsewhere | None:
        """Check the entry; every problem shows beside its field and nothing is added until it is right."""
        entry = self.errors.saved(lambda: validated(ToxinElsewhere, self.data()))
        if entry is not None:
            self.entry = entry
            self.accept()
        return entry


class ToxinElsewhereList(QWidget):
    """The doses given elsewhere, oldest first, with Add… and Remove; ``records()`` goes into the patient's data."""

    changed = Signal()
    # A dose added by the user (not one loaded): it answers "had toxin elsewhere?" yes.
    added = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._records: list[ToxinElsewhere] = []
        self.dialog: ToxinElsewhereDialog | None = None
        self.table = named(QTableWidget(0, len(_COLUMNS)), "Botulinum toxin given elsewhere")
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in _COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        # Date, units and brand at their width; the indication takes the rest (the full entry is each row's tooltip).
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(len(_COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setWordWrap(False)
        self.table.setMaximumHeight(110)
        self.add_button = named(QPushButton(self.tr("Add dose…")), "Add toxin given elsewhere")
        self.remove_button = named(QPushButton(self.tr("Remove")), "Remove toxin given elsewhere")
        self.add_button.clicked.connect(lambda: self.open_dialog())
        self.remove_button.clicked.connect(self.remove_selected)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch()
        layout.addLayout(row)

    def set_records(self, records: list[ToxinElsewhere]) -> None:
        self._records = sorted(records, key=lambda t: t.given_on)
        self._show()

    def records(self) -> list[dict[str, Any]]:
        return [t.model_dump() for t in self._records]

    def open_dialog(self) -> ToxinElsewhereDialog:
        """The entry dialog; a dose is added to the list when it is accepted (saved with the patient)."""
        dialog = ToxinElsewhereDialog(self)
        dialog.accepted.connect(lambda: self._add(dialog.entry))
        dialog.open()
        self.dialog = dialog
        return dialog

    def remove_selected(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self._records):
            del self._records[row]
            self._show()
            self.changed.emit()

    def _add(self, entry: ToxinElsewhere | None) -> None:
        if entry is None:
            return
        self.set_records([*self._records, entry])
        self.changed.emit()
        self.added.emit()

    def _show(self) -> None:
        self.table.setRowCount(0)
        for t in self._records:
            row = self.table.rowCount()
            self.table.insertRow(row)
            cells = (f"{t.given_on:%Y-%m-%d}", f"{t.units:g} U", t.product.brand, t.indication)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(t.summary())
                self.table.setItem(row, col, item)
