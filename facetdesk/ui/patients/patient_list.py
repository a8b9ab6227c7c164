"""Patient list: search as you type by name or MRN, read a page at a time as the list scrolls."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QLabel, QLineEdit, QTableView, QVBoxLayout, QWidget

from facetdesk.services.records import RecordService
from facetdesk.ui.common import style
from facetdesk.ui.common.paged_model import PagedRowsModel, size_columns
from facetdesk.ui.common.widgets import named

# Rows read per page: a screenful or three; more are read as the list is scrolled.
PAGE_SIZE = 100
# The MRN column fits an MRN of this shape (letters are wider than digits: "DEMO-0042" must show whole);
# a longer MRN is elided until the column is widened.
MRN_WIDTH_SAMPLE = "WWWW-000000"


class PatientTableModel(PagedRowsModel):
    """Patient search results, read a page at a time in list order (keyset paging on the folded names)."""

    HEADERS = ("Name", "MRN", "Date of birth", "Procedures")

    def __init__(self, parent=None):
        super().__init__(PAGE_SIZE, parent)

    def summary(self, row: int):
        return self.row_at(row)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
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
        # Widths from the font: the columns do not jump as the list changes with each keystroke.
        size_columns(self.table, {1: MRN_WIDTH_SAMPLE, 2: "0000-00-00", 3: "0000"}, stretch=0)
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
        self.model.rowsInserted.connect(lambda *_: self._update_count())
        self.table.activated.connect(self._activated)
        self.table.clicked.connect(self._activated)
        self.search.returnPressed.connect(self._open_first)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def clear_search(self) -> None:
        self.search.clear()

    def refresh(self) -> None:
        """Search for what is typed: the first page now, the rest as the list is scrolled."""
        text = self.search.text()
        records = self._records

        def read(last, limit: int) -> list:
            return records.search_patients(text, limit, after=None if last is None else last.cursor)

        self.model.load(read)
        self._update_count()

    def _update_count(self) -> None:
        n = self.model.rowCount()
        if self.model.complete:
            self.count_label.setText(self.tr("{n} patient(s)").format(n=n))
        else:
            self.count_label.setText(self.tr("{n} patients shown; scroll for more, or type more to narrow").format(n=n))

    def select_patient(self, patient_id: int | None) -> None:
        """Select the patient's row if it has been read (the list never reads ahead to find one); else no row, so
        the list never marks another patient than the one on show."""
        for row in range(self.model.rowCount()):
            if patient_id is not None and self.model.summary(row).id == patient_id:
                self.table.selectRow(row)
                return
        self.table.clearSelection()

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.patient_selected.emit(self.model.summary(index.row()).id)

    def _open_first(self) -> None:
        if self.model.rowCount() == 1:
            self.table.selectRow(0)
            self.patient_selected.emit(self.model.summary(0).id)
