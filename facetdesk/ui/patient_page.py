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
from facetdesk.domain.procedure import Procedure
from facetdesk.domain.relief import relief_thresholds, summarize_relief
from facetdesk.domain.timefmt import format_minutes
from facetdesk.services.records import RecordService
from facetdesk.ui import style
from facetdesk.ui.patient_form import PatientForm
from facetdesk.ui.widgets import named


def timeline_row(procedure: Procedure, catalog: Catalog) -> tuple[str, ...]:
    """One line of the patient's timeline: when, where, what, and how much relief it gave for how long."""
    thresholds = relief_thresholds(catalog)
    summary = summarize_relief(procedure.pre_procedure_pain, procedure.pain_scores, thresholds)
    peak = f"{summary.peak_pct:g}%" if summary.peak_pct is not None else "—"
    meaningful = summary.duration(thresholds[0])
    if meaningful is None or not meaningful.reached:
        lasted = "—" if summary.peak_pct is None else "not reached"
    else:
        lasted = format_minutes(meaningful.lasted_until) + ("+" if meaningful.ended_before is None else "")
    return (
        f"{procedure.performed_at:%Y-%m-%d %H:%M}",
        ", ".join(r.capitalize() for r in procedure.regions(catalog)),
        procedure.technique.label,
        procedure.intent.label,
        f"{', '.join(procedure.levels())} {procedure.laterality()}",
        peak,
        lasted,
        procedure.physician,
        f"Signed {procedure.signature.signed_at:%Y-%m-%d}" if procedure.signature else "Draft",
    )


class PatientPage(QWidget):
    open_procedure = Signal(int)
    new_procedure = Signal()
    start_from_previous = Signal(int)

    def __init__(self, catalog: Catalog, records: RecordService):
        super().__init__()
        self._records = records
        self.form = PatientForm(catalog)
        self._catalog = catalog
        # Set by the main window from the signed-in role; the reason is the tooltip of what is disabled.
        self._can_create = True
        self._create_reason = ""
        self.procedures = named(QTableWidget(0, 9), "Procedures")
        self.procedures.setHorizontalHeaderLabels(
            [
                self.tr("Date"),
                self.tr("Region"),
                self.tr("Technique"),
                self.tr("Intent"),
                self.tr("Targets"),
                self.tr("Peak relief"),
                self.tr("≥{p:g}% relief lasted").format(p=relief_thresholds(catalog)[0]),
                self.tr("Physician"),
                self.tr("Status"),
            ]
        )
        self.procedures.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.procedures.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.procedures.verticalHeader().hide()
        self.procedures.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.procedures.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.procedures.setAlternatingRowColors(True)
        self.new_button = named(QPushButton(self.tr("New procedure")), "New procedure", "New procedure (Ctrl+N)")
        self.open_button = named(QPushButton(self.tr("Open procedure")), "Open procedure")
        self.copy_button = named(
            QPushButton(self.tr("Start from selected")),
            "Start from previous procedure",
            "New procedure with the selected one's technique, levels and medications; never its scores, dates or notes",
        )
        self._copy_tip = self.copy_button.toolTip()
        self.hint = QLabel(self.tr("Save the patient first to record procedures."))
        self.hint.setStyleSheet(f"color: {style.MUTED_COLOR};")
        box = QGroupBox(self.tr("Procedures"))
        bl = QVBoxLayout(box)
        bl.addWidget(self.procedures)
        row = QHBoxLayout()
        row.addWidget(self.hint, 1)
        row.addWidget(self.open_button)
        row.addWidget(self.copy_button)
        row.addWidget(self.new_button)
        bl.addLayout(row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.form)
        layout.addWidget(box, 1)
        self.new_button.clicked.connect(self.new_procedure)
        self.open_button.clicked.connect(self._open_selected)
        self.copy_button.clicked.connect(self._copy_selected)
        self.procedures.doubleClicked.connect(lambda _i: self._open_selected())
        self.refresh_procedures()

    def refresh_procedures(self) -> None:
        """The patient's timeline, newest first, with each procedure's peak relief and its duration."""
        pid = self.form.patient_id
        procedures = list(reversed(self._records.procedures_of(pid))) if pid is not None else []
        self.procedures.setRowCount(len(procedures))
        for r, procedure in enumerate(procedures):
            for c, text in enumerate(timeline_row(procedure, self._catalog)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, procedure.id)
                self.procedures.setItem(r, c, item)
        self.new_button.setEnabled(pid is not None and self._can_create)
        self.open_button.setEnabled(bool(procedures))
        self.copy_button.setEnabled(bool(procedures) and self._can_create)
        self.hint.setVisible(pid is None)
        if procedures:
            self.procedures.selectRow(0)

    def set_permissions(self, can_create: bool, create_reason: str = "") -> None:
        """Whether the signed-in user may start procedures (New, Start from selected); why not as the tooltip."""
        self._can_create = can_create
        self._create_reason = create_reason
        self.new_button.setToolTip(self.tr("New procedure (Ctrl+N)") if can_create else create_reason)
        self.copy_button.setToolTip(self._copy_tip if can_create else create_reason)
        self.refresh_procedures()

    def _selected_id(self) -> int | None:
        row = self.procedures.currentRow()
        return self.procedures.item(row, 0).data(Qt.ItemDataRole.UserRole) if row >= 0 else None

    def _copy_selected(self) -> None:
        procedure_id = self._selected_id()
        if procedure_id is not None:
            self.start_from_previous.emit(procedure_id)

    def _open_selected(self) -> None:
        procedure_id = self._selected_id()
        if procedure_id is not None:
            self.open_procedure.emit(procedure_id)
