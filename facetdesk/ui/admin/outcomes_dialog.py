"""File → Export outcomes for a registry: a date range, de-identification and the charts PDF beside the file,
handed to the outcomes service."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from facetdesk.services.outcomes import ChartsExport, OutcomesExport, OutcomesService
from facetdesk.ui.admin.export_attempt import attempt_export
from facetdesk.ui.common import style
from facetdesk.ui.common.date_fields import day_edit, day_of
from facetdesk.ui.common.error_router import ErrorRouter
from facetdesk.ui.common.widgets import ErrorLabel, named

# The full story (every column, every rule) is `facetdesk export-outcomes --help`; here, what a physician
# needs to choose between the two files.
DEIDENTIFY_HINT = (
    "Removes names, MRN, date of birth, the physician and all free text (findings, notes, follow-up, "
    "addenda). Ages above 89 are given as 90+. Each patient's dates are shifted by the same random number "
    "of days: intervals are kept, calendar dates are not. Whether the file counts as de-identified is "
    "your privacy officer's call."
)
IDENTIFIED_HINT = "The file names each patient (MRN, name, date of birth) and holds free text: keep it in the clinic."
CHARTS_HINT = (
    "The clinic's figures for the same days, as File → Clinic outcomes shows them: counts only, no patient. "
    "Written next to the CSV, named like it with _charts.pdf."
)
COLUMNS_HINT = 'Every column is described by facetdesk export-outcomes --help (README: "Sending it on").'


def charts_path(csv_path: str | Path) -> Path:
    """Where the charts of a CSV export go: beside it, "outcomes.csv" -> "outcomes_charts.pdf"."""
    path = Path(csv_path)
    return path.with_name(f"{path.stem}_charts.pdf")


class OutcomesExportDialog(QDialog):
    """Pick the days and the kind of file; the service checks the range, writes the file and audits it."""

    exported = Signal(object)  # the OutcomesExport written

    def __init__(self, outcomes: OutcomesService, parent: QWidget | None = None, today: date | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export outcomes for a registry"))
        self._service = outcomes
        today = today or date.today()
        self.general_error = named(ErrorLabel(), "Outcomes export message")
        self.errors = ErrorRouter(self.general_error)
        self.date_from = day_edit("From date", date(today.year, 1, 1))
        self.date_to = day_edit("To date", today)
        self.deidentify = named(QCheckBox(self.tr("De-identify (for registries outside the clinic)")), "De-identify")
        self.deidentify.setChecked(True)
        self.charts = named(QCheckBox(self.tr("Also write the charts (PDF) beside it")), "Charts PDF")
        self.charts.setChecked(True)
        # What the chosen kind of file holds: muted for de-identified, a warning for identified.
        self.kind_hint = named(QLabel(), "What the file holds")
        self.kind_hint.setWordWrap(True)
        self.result_line = named(QLabel(), "Outcomes export result")
        self.result_line.setWordWrap(True)
        self.result_line.setStyleSheet(f"color: {style.DERIVED_COLOR};")
        self.result_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_line.hide()
        self.export_button = named(QPushButton(self.tr("Export…")), "Export outcomes")
        self.export_button.setDefault(True)
        self.close_button = named(QPushButton(self.tr("Close")), "Close outcomes export")
        self.close_button.setAutoDefault(False)

        form = QFormLayout()
        form.addRow(self.tr("From"), self.errors.field(self.date_from, ("date_from",)))
        form.addRow(self.tr("To (included)"), self.errors.field(self.date_to, ("date_to",)))
        kind = QWidget()  # the check box with its explanation right under it
        kind_lay = QVBoxLayout(kind)
        kind_lay.setContentsMargins(0, style.SPACING, 0, 0)
        kind_lay.setSpacing(2)
        kind_lay.addWidget(self.errors.field(self.deidentify, ("deidentify",)))
        kind_lay.addWidget(self.kind_hint)
        kind_lay.addSpacing(style.SPACING)
        kind_lay.addWidget(self.charts)
        kind_lay.addWidget(self._muted(self.tr(CHARTS_HINT)))
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(style.MARGIN, style.MARGIN, style.MARGIN, style.MARGIN)
        layout.setSpacing(style.SPACING)
        intro = QLabel(
            self.tr(
                "One row per procedure performed from the first to the last day, in a CSV file a registry "
                "can read. Each export is recorded in the audit trail."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(kind)
        layout.addWidget(self._muted(self.tr(COLUMNS_HINT)))
        layout.addWidget(self.general_error)
        layout.addWidget(self.result_line)
        layout.addStretch()
        layout.addLayout(buttons)
        self.setMinimumWidth(560)

        self.deidentify.toggled.connect(self._show_hint)
        self.export_button.clicked.connect(lambda: self.export())
        self.close_button.clicked.connect(self.accept)
        self._show_hint()

    def _fit(self) -> None:
        # A message or hint that appears needs more height; the layout's minimum size does not count the
        # lines of wrapped labels, so without this they would be squeezed over each other.
        if self.isVisible():  # before it is shown, the layout gives the size
            self.resize(self.width(), max(self.height(), self.heightForWidth(self.width())))

    def _muted(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setStyleSheet(f"color: {style.MUTED_COLOR};")
        return label

    def _show_hint(self) -> None:
        checked = self.deidentify.isChecked()
        self.kind_hint.setText(self.tr(DEIDENTIFY_HINT) if checked else self.tr(IDENTIFIED_HINT))
        self.kind_hint.setStyleSheet(f"color: {style.MUTED_COLOR if checked else style.WARNING_COLOR};")
        self._fit()

    def suggested_name(self) -> str:
        first, last = day_of(self.date_from), day_of(self.date_to)
        kind = "_deidentified" if self.deidentify.isChecked() else ""
        return f"outcomes_{first.isoformat()}_{last.isoformat()}{kind}.csv"

    def summary(self, result: OutcomesExport) -> str:
        """The sentence for a completed export (the dialog and the window's status bar show it)."""
        kind = self.tr(" (de-identified)") if result.deidentified else ""
        if result.rows == 0:
            return self.tr("No procedure in that range: {path} holds only the column names.").format(path=result.path)
        if result.rows == 1:
            return self.tr("1 procedure written to {path}{kind}").format(path=result.path, kind=kind)
        return self.tr("{n} procedures written to {path}{kind}").format(n=result.rows, path=result.path, kind=kind)

    def export(self, path: str | None = None) -> OutcomesExport | None:
        """Ask for the file (unless given) and export; errors are shown in the dialog, nothing half-written."""
        self.errors.clear()
        self.result_line.hide()
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self,
                self.tr("Export outcomes"),
                str(Path.home() / self.suggested_name()),
                self.tr("CSV (*.csv)"),
            )
            if not path:
                return None
        # In the GUI thread, on purpose: one export a day at most, the service holds no lock while it
        # writes, and the dialog is modal, so a worker thread would buy a responsive window the user
        # cannot use anyway, at the price of a second database connection and cancellation to get right.
        self._set_busy(True)
        try:
            result, charts = self._write(path)
        finally:
            self._set_busy(False)
        if result is not None:
            lines = [self.summary(result)]
            if charts is not None:
                lines.append(self.tr("The charts: {path}").format(path=charts.path))
            self.result_line.setText("\n".join(lines))
            self.result_line.show()
        self._fit()
        if result is not None:
            self.exported.emit(result)
        return result

    def _write(self, path: str) -> tuple[OutcomesExport | None, ChartsExport | None]:
        """The service's export, then the charts beside it when asked; a refusal or a failure is shown where it
        belongs and gives None (a CSV written stays written when its charts fail)."""
        first, last = day_of(self.date_from), day_of(self.date_to)
        deidentify = self.deidentify.isChecked()
        result = attempt_export(
            lambda: self._service.export_csv(path, first, last, deidentify=deidentify),
            path,
            self.errors,
            self.general_error,
        )
        if result is None or not self.charts.isChecked():
            return result, None
        pdf = str(charts_path(result.path))
        charts = attempt_export(
            lambda: self._service.export_charts_pdf(pdf, first, last), pdf, self.errors, self.general_error
        )
        return result, charts

    def _set_busy(self, busy: bool) -> None:
        inputs = (self.date_from, self.date_to, self.deidentify, self.charts)
        for widget in (*inputs, self.export_button, self.close_button):
            widget.setEnabled(not busy)
        self.export_button.setText(self.tr("Exporting…") if busy else self.tr("Export…"))
        if busy:
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            # Paint the disabled buttons now: the export keeps the event loop until it is done. repaint(), not
            # processEvents(): PySide6 6.12.0's processEvents drops a reference to None on every call (pyproject).
            self.repaint()
        else:
            QApplication.restoreOverrideCursor()
