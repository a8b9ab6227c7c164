"""Patient page: the patient form above the patient's procedures, newest first, read a page at a time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from facetdesk.domain.catalog import Catalog
from facetdesk.domain.enums import Side
from facetdesk.domain.errors import FieldError
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import PainScore
from facetdesk.domain.relief import onset_allowance, relief_thresholds, summarize_relief
from facetdesk.services.records import RecordService
from facetdesk.ui.common import style
from facetdesk.ui.common.paged_model import PagedRowsModel
from facetdesk.ui.common.widgets import named
from facetdesk.ui.patients.patient_form import PatientForm

if TYPE_CHECKING:
    from facetdesk.storage.repository import ProcedureSummary

# Procedures read per page of the timeline, newest first; older ones as it is scrolled.
TIMELINE_PAGE_SIZE = 50


def _levels(targets: tuple[tuple[str, Side], ...]) -> list[str]:
    out: list[str] = []
    for level, _side in targets:
        if level not in out:
            out.append(level)
    return out


def _laterality(targets: tuple[tuple[str, Side], ...], levels: list[str]) -> str:
    # As Procedure.laterality: both sides at every level is bilateral, both sides elsewhere mixed.
    sides = {side for _level, side in targets}
    if len(sides) == 2:
        both = all({side for lv, side in targets if lv == level} == sides for level in levels)
        return "bilateral" if both else "mixed"
    return next(iter(sides)).label.lower() if sides else ""


def _regions(levels: list[str], catalog: Catalog) -> list[str]:
    out: list[str] = []
    for level in levels:
        joint = catalog.joint(level)
        if joint is not None and joint.region not in out:
            out.append(joint.region)
    return out


def timeline_row(
    procedure: ProcedureSummary, catalog: Catalog, thresholds: tuple[float, ...] | None = None
) -> tuple[str, ...]:
    """One line of the patient's timeline: when, where, what, and how much relief it gave for how long.

    Computed from the summary the list query reads (targets, pain scores, signature), not from a
    whole Procedure, so a page of the timeline costs no record validation.
    """
    thresholds = thresholds or relief_thresholds(catalog)
    scores = [PainScore.model_construct(minutes_after=m, nrs=n, activity="") for m, n in procedure.pain_scores]
    summary = summarize_relief(procedure.pre_procedure_pain, scores, thresholds, onset_allowance(catalog))
    peak = f"{summary.peak_pct:g}%" if summary.peak_pct is not None else "—"
    meaningful = summary.duration(thresholds[0])
    if meaningful is None or not meaningful.reached:
        lasted = "—" if summary.peak_pct is None else "not reached"
    else:
        lasted = meaningful.short_text()
    levels = _levels(procedure.targets)
    return (
        f"{procedure.performed_at:%Y-%m-%d %H:%M}",
        ", ".join(r.capitalize() for r in _regions(levels, catalog)) or "—",
        procedure.technique.label,
        procedure.intent.label,
        f"{', '.join(levels)} {_laterality(procedure.targets, levels)}" if levels else "—",  # a toxin-only visit
        peak,
        lasted,
        procedure.physician,
        f"Signed {procedure.signed_at:%Y-%m-%d}" if procedure.signed_at is not None else "Draft",
    )


class TimelineModel(PagedRowsModel):
    """The patient's procedures (ProcedureSummary rows), newest first, read a page at a time.

    A row's texts are worked out when the view first shows it, then kept: a page of 50 costs the rows
    on screen, not all fifty.
    """

    def __init__(self, headers: list[str], catalog: Catalog, parent=None):
        super().__init__(TIMELINE_PAGE_SIZE, parent)
        self._headers = headers
        self.HEADERS = tuple(headers)
        self._catalog = catalog
        self._thresholds = relief_thresholds(catalog)
        self._cells: dict[int, tuple[str, ...]] = {}

    def load(self, read) -> None:
        self._cells = {}
        super().load(read)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 (Qt API)
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cells(index.row())[index.column()]
        if role == Qt.ItemDataRole.UserRole:
            return self._rows[index.row()].id
        return None

    def cells(self, row: int) -> tuple[str, ...]:
        summary: ProcedureSummary = self._rows[row]
        cells = self._cells.get(summary.id)
        if cells is None:
            cells = self._cells[summary.id] = timeline_row(summary, self._catalog, self._thresholds)
        return cells

    def procedure_id(self, row: int) -> int:
        return self.row_at(row).id


class TimelineTable(QTableView):
    """The timeline's view, with the row and cell accessors of a QTableWidget for the code that reads it."""

    def rowCount(self) -> int:  # noqa: N802 (QTableWidget's name)
        return self.model().rowCount()

    def columnCount(self) -> int:  # noqa: N802
        return self.model().columnCount()

    def currentRow(self) -> int:  # noqa: N802
        index = self.currentIndex()
        return index.row() if index.isValid() else -1

    # Columns that give way, in this order, when the table is narrower than its contents (they elide: the
    # date, region, relief figures and status stay whole, so a row's state is never off screen).
    YIELDING = (7, 2, 3, 4)
    MIN_YIELD = 40

    def fit_columns(self) -> None:
        """Size columns to their contents, then narrow the yielding ones until all fit the view's width."""
        self.resizeColumnsToContents()
        header = self.horizontalHeader()
        excess = header.length() - self.viewport().width()
        for column in self.YIELDING:
            if excess <= 0:
                break
            width = header.sectionSize(column)
            cut = min(excess, max(0, width - self.MIN_YIELD))
            header.resizeSection(column, width - cut)
            excess -= cut
        if excess < 0:  # room to spare: the physician's name gets it
            header.resizeSection(self.YIELDING[0], header.sectionSize(self.YIELDING[0]) - excess)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        if self.model() is not None:
            self.fit_columns()

    def item(self, row: int, column: int) -> QTableWidgetItem | None:
        """A detached copy of the cell (its text, and the procedure id as UserRole), or None outside the rows."""
        index = self.model().index(row, column)
        if not index.isValid():
            return None
        item = QTableWidgetItem(str(index.data()))
        item.setData(Qt.ItemDataRole.UserRole, index.data(Qt.ItemDataRole.UserRole))
        return item


class PatientPage(QWidget):
    open_procedure = Signal(int)
    new_procedure = Signal()
    start_from_previous = Signal(int)
    save_requested = Signal()  # "Save patient" pressed: the window saves (and may ask about the weight)
    follow_up_requested = Signal(int)  # "Follow-up…" pressed for the selected procedure
    pathway_requested = Signal(int)  # "Pathway…" pressed: the patient's id

    def __init__(self, catalog: Catalog, records: RecordService):
        super().__init__()
        self._records = records
        self.form = PatientForm(catalog)
        self.form.save_button.clicked.connect(self.save_requested)
        self._catalog = catalog
        # Set by the main window from the signed-in role; the reason is the tooltip of what is disabled.
        self._can_create = True
        self.timeline = TimelineModel(
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
            ],
            catalog,
        )
        self.procedures = named(TimelineTable(), "Procedures")
        self.procedures.setModel(self.timeline)
        self.procedures.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.procedures.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.procedures.setWordWrap(False)
        self.procedures.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.procedures.verticalHeader().hide()
        header = self.procedures.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # The physician column takes what is left; on a narrow window it, the technique, intent and targets
        # columns give way first (TimelineTable.fit_columns), so the status is never cut off.
        header.setStretchLastSection(False)
        # Sized to the rows in view once per patient (refresh_procedures), not at every layout as
        # ResizeToContents would: each selection or scroll step would measure the rows again.
        header.setResizeContentsPrecision(0)
        self.procedures.setAlternatingRowColors(True)
        self.new_button = named(QPushButton(self.tr("New procedure")), "New procedure", "New procedure (Ctrl+N)")
        self.open_button = named(QPushButton(self.tr("Open procedure")), "Open procedure")
        self.copy_button = named(
            QPushButton(self.tr("Start from selected")),
            "Start from previous procedure",
            "New procedure with the selected one's technique, levels and medications; never its scores, dates or notes",
        )
        self._copy_tip = self.copy_button.toolTip()
        self.follow_up_button = named(
            QPushButton(self.tr("Follow-up…")),
            "Record a follow-up",
            "Record how the patient is doing after the selected procedure (pain, function, medication)",
        )
        self.pathway_button = named(
            QPushButton(self.tr("Pathway…")),
            "Show the pathway",
            "Blocks, ablations and follow-ups by region, each step's verdict and the coverage gate for the next",
        )
        self.hint = QLabel(self.tr("Save the patient first to record procedures."))
        self.hint.setStyleSheet(f"color: {style.MUTED_COLOR};")
        self.hint.setWordWrap(True)  # it gives way to the buttons on a narrow window
        box = QGroupBox(self.tr("Procedures"))
        bl = QVBoxLayout(box)
        bl.addWidget(self.procedures)
        row = QHBoxLayout()
        row.addWidget(self.hint, 1)
        row.addWidget(self.pathway_button)
        row.addWidget(self.open_button)
        row.addWidget(self.follow_up_button)
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
        self.follow_up_button.clicked.connect(self._follow_up_selected)
        self.pathway_button.clicked.connect(
            lambda: self.pathway_requested.emit(self.patient_id) if self.patient_id is not None else None
        )
        self.procedures.doubleClicked.connect(lambda _i: self._open_selected())
        self.refresh_procedures()

    # ---- what the window asks of the page (it never reaches into the form) -------------------
    @property
    def patient_id(self) -> int | None:
        """The patient on show; None for a new, unsaved one."""
        return self.form.patient_id

    def show_new_patient(self, usual_anticoagulants: list[str]) -> None:
        """An empty form, the cursor in the MRN."""
        self.form.set_usual_agents(usual_anticoagulants)
        self.form.clear()
        self.refresh_procedures()
        self.form.mrn.setFocus()

    def show_patient(self, patient: Patient, usual_anticoagulants: list[str]) -> None:
        self.form.set_usual_agents(usual_anticoagulants)
        self.form.load(patient)
        self.refresh_procedures()

    def forget(self) -> None:
        """Nobody's record on show (another user signed in)."""
        self.form.clear()
        self.refresh_procedures()

    def has_unsaved_changes(self) -> bool:
        """The patient's details were edited and not saved."""
        return self.form.has_unsaved_changes()

    def discard_changes(self) -> None:
        """The details as stored again: the user chose to drop the edits."""
        self.form.discard_changes()

    def form_data(self) -> dict:
        """The patient as entered, for the services to validate and save."""
        return self.form.data()

    def show_field_errors(self, errors: list[FieldError]) -> None:
        self.form.errors.show(errors)

    def focus_weight(self) -> None:
        self.form.weight.setFocus()

    def set_editable(self, editable: bool, why_not: str) -> None:
        self.form.set_editable(editable, why_not)

    def show_error(self, message: str) -> None:
        self.form.general_error.show_error(message)

    def refresh_procedures(self) -> None:
        """The patient's timeline, newest first, with each procedure's peak relief and its duration.

        Only the first page is read now; older procedures are read as the timeline is scrolled.
        """
        pid = self.form.patient_id
        if pid is None:
            self.timeline.load(None)
        else:
            records = self._records

            def read(last: ProcedureSummary | None, limit: int) -> list[ProcedureSummary]:
                return records.list_procedures(pid, before=None if last is None else last.cursor, limit=limit)

            self.timeline.load(read)
        self.procedures.fit_columns()
        any_procedures = self.timeline.rowCount() > 0
        self.new_button.setEnabled(pid is not None and self._can_create)
        self.open_button.setEnabled(any_procedures)
        self.follow_up_button.setEnabled(any_procedures)
        self.pathway_button.setEnabled(any_procedures)
        self.copy_button.setEnabled(any_procedures and self._can_create)
        self.hint.setVisible(pid is None)
        if any_procedures:
            self.procedures.selectRow(0)

    def set_permissions(self, can_create: bool, create_reason: str = "") -> None:
        """Whether the signed-in user may start procedures (New, Start from selected); why not as the tooltip."""
        self._can_create = can_create
        self.new_button.setToolTip(self.tr("New procedure (Ctrl+N)") if can_create else create_reason)
        self.copy_button.setToolTip(self._copy_tip if can_create else create_reason)
        self.refresh_procedures()

    def _selected_id(self) -> int | None:
        row = self.procedures.currentRow()
        return self.timeline.procedure_id(row) if 0 <= row < self.timeline.rowCount() else None

    def _copy_selected(self) -> None:
        procedure_id = self._selected_id()
        if procedure_id is not None:
            self.start_from_previous.emit(procedure_id)

    def _follow_up_selected(self) -> None:
        procedure_id = self._selected_id()
        if procedure_id is not None:
            self.follow_up_requested.emit(procedure_id)

    def _open_selected(self) -> None:
        procedure_id = self._selected_id()
        if procedure_id is not None:
            self.open_procedure.emit(procedure_id)
