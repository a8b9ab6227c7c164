"""Patient list: search as you type by name or MRN."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QLineEdit, QTableView, QVBoxLayout, QWidget

from facetdesk.services.records import RecordService
from facetdesk.ui import style
from facetdesk.ui.rows_model import RowsTableModel
from facetdesk.ui.widgets import named

SEARCH_LIMIT = 200


class PatientTableModel(RowsTableModel):
    HEADERS = ("Name", "MRN", "Date of birth", "Procedures")

    def set_rows(self, rows: list) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def summary(self, row: int):
        return self._rows[row]

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        p = self._rows[index.row()]
        return (
            f"{p.family_name}, {p.given_name}",
            p.mrn,
            p.date_of_birth.isoformat(),
            str(p.procedure_count),
        )[index.column()]


class PatientListPanel(QWidget):
    patient_selected = Signal(int)

    def __init__(self, records: RecordService):
        super().__init__()
        self._records = records
        self.search = named(QLineEdit(), "Search patients")
        self.search.setPlaceholderText(self.tr("Search by name or MRN (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.model = PatientTableModel()
        self.table = named(QTableView(), "Patient list")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.count_label = QLabel()
        self.count_label.setStyleSheet(f"color: {style.MUTED_COLOR};")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.table)
        layout.addWidget(self.count_label)
        self.search.textChanged.connect(self.refresh)
        self.table.activated.connect(self._activated)
        self.table.clicked.connect(self._activated)
        self.search.returnPressed.connect(self._open_first)

    def refresh(self) -> None:
        rows = self._records.search_patients(self.search.text(), limit=SEARCH_LIMIT)
        self.model.set_rows(rows)
        more = (
            self.tr(" (showing the first {n}; type more to narrow)").format(n=SEARCH_LIMIT)
            if len(rows) >= SEARCH_LIMIT
            else ""
        )
        self.count_label.setText(self.tr("{n} patient(s)").format(n=len(rows)) + more)

    def select_patient(self, patient_id: int) -> None:
        for row in range(self.model.rowCount()):
            if self.model.summary(row).id == patient_id:
                self.table.selectRow(row)
                return

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.patient_selected.emit(self.model.summary(index.row()).id)

    def _open_first(self) -> None:
        if self.model.rowCount() == 1:
            self.table.selectRow(0)
            self.patient_selected.emit(self.model.summary(0).id)
