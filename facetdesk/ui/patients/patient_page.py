"""Patient page: the patient form above the patient's procedures, newest first, read a page at a time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from facetdesk.domain.catalog import Catalog
from facetdesk.domain.errors import FieldError
from facetdesk.domain.patient import Patient
from facetdesk.domain.relief import relief_thresholds
from facetdesk.services.records import RecordService
from facetdesk.ui.common import style
from facetdesk.ui.common.widgets import named
from facetdesk.ui.patients.patient_form import PatientForm

# The timeline's parts, here too for the code that imports them from the page.
from facetdesk.ui.patients.timeline import TIMELINE_PAGE_SIZE, TimelineModel, TimelineTable, timeline_row

if TYPE_CHECKING:
    from facetdesk.storage.repository import ProcedureSummary, RecordVersions

__all__ = ["TIMELINE_PAGE_SIZE", "PatientPage", "TimelineModel", "TimelineTable", "timeline_row"]


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

    def show_unsaved(self, patient: Patient | None, values: dict, usual_anticoagulants: list[str]) -> None:
        """Unsaved details given back to their author, over the patient as stored now (None: a new patient)."""
        self.form.set_usual_agents(usual_anticoagulants)
        self.form.restore(patient, values)
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

    @property
    def patient_version(self) -> int:
        """The stored version of the patient details on show (0: a new patient)."""
        return self.form.version

    def reload_details(self, patient: Patient) -> None:
        """The patient's details as stored now (the form had no unsaved changes); the timeline stays as it is."""
        self.form.load(patient)

    def timeline_out_of_date(self, versions: RecordVersions) -> bool:
        """Whether the timeline's rows differ from the stored ``versions`` of the patient's procedures."""
        return self.timeline.out_of_date(versions)

    def refresh_procedures(self, keep_place: bool = False) -> None:
        """The patient's timeline, newest first, with each procedure's peak relief and its duration.

        Only the first page is read now; older procedures are read as the timeline is scrolled. ``keep_place``
        (the same patient's timeline read again): as many rows as were read, the same procedure selected and
        the same scroll position, so an update from elsewhere does not move what the user was looking at.
        """
        selected, rows_read = (self._selected_id(), self.timeline.rowCount()) if keep_place else (None, 0)
        scrolled = self.procedures.verticalScrollBar().value()
        pid = self.form.patient_id
        if pid is None:
            self.timeline.load(None)
        else:
            records = self._records

            def read(last: ProcedureSummary | None, limit: int) -> list[ProcedureSummary]:
                return records.list_procedures(pid, before=None if last is None else last.cursor, limit=limit)

            self.timeline.load(read)
            while self.timeline.rowCount() < rows_read and self.timeline.canFetchMore():
                self.timeline.fetchMore()
        self.procedures.fit_columns()
        any_procedures = self.timeline.rowCount() > 0
        self.new_button.setEnabled(pid is not None and self._can_create)
        self.open_button.setEnabled(any_procedures)
        self.follow_up_button.setEnabled(any_procedures)
        self.pathway_button.setEnabled(any_procedures)
        self.copy_button.setEnabled(any_procedures and self._can_create)
        self.hint.setVisible(pid is None)
        if any_procedures:
            self.procedures.selectRow(self.timeline.row_of(selected) or 0)
        if keep_place:
            self.procedures.verticalScrollBar().setValue(scrolled)

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
