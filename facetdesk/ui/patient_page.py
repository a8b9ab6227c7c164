"""Patient page: the patient form above the patient's procedures, newest first."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from facetdesk.domain.catalog import Catalog
from facetdesk.services.records import RecordService
from facetdesk.ui import style
from facetdesk.ui.patient_form import PatientForm
from facetdesk.ui.widgets import named


class PatientPage(QWidget):
    open_procedure = Signal(int)
    new_procedure = Signal()

    def __init__(self, catalog: Catalog, records: RecordService):
        super().__init__()
        self._records = records
        self.form = PatientForm(catalog)
        self.procedures = named(QTableWidget(0, 5), "Procedures")
        self.procedures.setHorizontalHeaderLabels(
            [self.tr("Date"), self.tr("Technique"), self.tr("Intent"), self.tr("Targets"), self.tr("Physician")]
        )
        self.procedures.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.procedures.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.procedures.verticalHeader().hide()
        self.procedures.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.procedures.setAlternatingRowColors(True)
        self.new_button = named(QPushButton(self.tr("New procedure")), "New procedure", "New procedure (Ctrl+N)")
        self.open_button = named(QPushButton(self.tr("Open procedure")), "Open procedure")
        self.hint = QLabel(self.tr("Save the patient first to record procedures."))
        self.hint.setStyleSheet(f"color: {style.MUTED_COLOR};")
        box = QGroupBox(self.tr("Procedures"))
        bl = QVBoxLayout(box)
        bl.addWidget(self.procedures)
        row = QHBoxLayout()
        row.addWidget(self.hint, 1)
        row.addWidget(self.open_button)
        row.addWidget(self.new_button)
        bl.addLayout(row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.form)
        layout.addWidget(box, 1)
        self.new_button.clicked.connect(self.new_procedure)
        self.open_button.clicked.connect(self._open_selected)
        self.procedures.doubleClicked.connect(lambda _i: self._open_selected())
        self.refresh_procedures()

    def refresh_procedures(self) -> None:
        pid = self.form.patient_id
        rows = self._records.list_procedures(pid) if pid is not None else []
        self.procedures.setRowCount(len(rows))
        for r, s in enumerate(rows):
            cells = (
                f"{s.performed_at:%Y-%m-%d %H:%M}",
                s.technique.label if hasattr(s.technique, "label") else str(s.technique),
                s.intent.label if hasattr(s.intent, "label") else str(s.intent),
                s.levels,
                s.physician,
            )
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, s.id)
                self.procedures.setItem(r, c, item)
        self.new_button.setEnabled(pid is not None)
        self.open_button.setEnabled(bool(rows))
        self.hint.setVisible(pid is None)
        if rows:
            self.procedures.selectRow(0)

    def _open_selected(self) -> None:
        row = self.procedures.currentRow()
        if row >= 0:
            self.open_procedure.emit(self.procedures.item(row, 0).data(Qt.ItemDataRole.UserRole))
