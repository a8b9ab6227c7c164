"""File → Clinic outcomes: the clinic's figures over a date range as charts, asked of the outcomes service.

Widgets display, the service decides: the dialog hands the two days to OutcomesService.clinic_outcomes and
draws the figures domain.outcome_figures makes of the answer; "Save as PDF…" asks the service for the same
figures as a PDF.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from facetdesk.domain.clinic_outcomes import ClinicOutcomes
from facetdesk.domain.errors import InvalidRecord
from facetdesk.domain.outcome_figures import FIGURE_KEYS, outcome_figures
from facetdesk.domain.users import NotPermitted
from facetdesk.services.outcomes import ChartsExport, OutcomesService
from facetdesk.storage.errors import StorageError
from facetdesk.ui.admin.export_attempt import attempt_export
from facetdesk.ui.admin.outcome_chart import FigurePanel
from facetdesk.ui.common import style
from facetdesk.ui.common.date_fields import day_edit, day_of
from facetdesk.ui.common.error_router import ErrorRouter
from facetdesk.ui.common.widgets import ErrorLabel, named

# A date typed digit by digit passes through other dates: count once the typing has paused.
REFRESH_DELAY_MS = 300
COLUMNS = 2
INTRO = (
    "Procedures performed from the first to the last day (both included). Each chart says what it counts and "
    "its n; with no data it says so instead of showing 0%."
)


class ClinicOutcomesDialog(QDialog):
    """The figures of the chosen days, counted again whenever a day changes (refreshed says when)."""

    refreshed = Signal(object)  # the ClinicOutcomes on show

    def __init__(self, outcomes: OutcomesService, parent: QWidget | None = None, today: date | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Clinic outcomes"))
        self._service = outcomes
        self.outcomes: ClinicOutcomes | None = None
        today = today or date.today()
        self.general_error = named(ErrorLabel(), "Clinic outcomes message")
        self.errors = ErrorRouter(self.general_error)
        self.date_from = day_edit("From date", date(today.year, 1, 1))
        self.date_to = day_edit("To date", today)
        self.panels = {key: FigurePanel(key) for key in FIGURE_KEYS}
        self.result_line = named(QLabel(), "Clinic outcomes result")
        self.result_line.setWordWrap(True)
        self.result_line.setStyleSheet(f"color: {style.DERIVED_COLOR};")
        self.result_line.hide()
        self.pdf_button = named(QPushButton(self.tr("Save as PDF…")), "Save clinic outcomes PDF")
        self.close_button = named(QPushButton(self.tr("Close")), "Close clinic outcomes")
        self.close_button.setDefault(True)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_DELAY_MS)
        self._build()
        self._timer.timeout.connect(self.refresh)
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(lambda _day: self._timer.start())
        self.pdf_button.clicked.connect(lambda: self.save_pdf())
        self.close_button.clicked.connect(self.accept)
        self.refresh()

    def _build(self) -> None:
        days = QHBoxLayout()
        for label, edit, path in ((self.tr("From"), self.date_from, "date_from"),
                                  (self.tr("To (included)"), self.date_to, "date_to")):  # fmt: skip
            days.addWidget(QLabel(label))
            days.addWidget(self.errors.field(edit, (path,)))
            days.addSpacing(style.SPACING * 2)
        days.addStretch()
        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        grid.setHorizontalSpacing(style.MARGIN * 2)
        grid.setVerticalSpacing(style.MARGIN)
        for i, panel in enumerate(self.panels.values()):
            grid.addWidget(panel, i // COLUMNS, i % COLUMNS)
        grid.setRowStretch(grid.rowCount(), 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_host)
        buttons = QHBoxLayout()
        buttons.addWidget(self.result_line, 1)
        buttons.addStretch()
        buttons.addWidget(self.pdf_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(style.MARGIN, style.MARGIN, style.MARGIN, style.MARGIN)
        layout.setSpacing(style.SPACING)
        intro = QLabel(self.tr(INTRO))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(days)
        layout.addWidget(self.general_error)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        self.resize(1220, 860)

    def refresh(self) -> ClinicOutcomes | None:
        """Count the chosen days again and redraw; a bad range is said beside its date, the charts stay as they were."""
        self._timer.stop()
        self.errors.clear()
        try:
            outcomes = self._service.clinic_outcomes(day_of(self.date_from), day_of(self.date_to))
        except InvalidRecord as exc:
            self.errors.show(exc.errors)
            return None
        except (NotPermitted, StorageError) as exc:
            self.general_error.show_error(self.tr("Could not count the outcomes: {msg}").format(msg=str(exc)))
            return None
        self.outcomes = outcomes
        for figure in outcome_figures(outcomes):
            self.panels[figure.key].show_figure(figure)
        self.refreshed.emit(outcomes)
        return outcomes

    def suggested_name(self) -> str:
        return f"clinic-outcomes_{day_of(self.date_from).isoformat()}_{day_of(self.date_to).isoformat()}.pdf"

    def save_pdf(self, path: str | None = None) -> ChartsExport | None:
        """Ask for the file (unless given) and write the charts of the chosen days; errors are shown here."""
        self.errors.clear()
        self.result_line.hide()
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, self.tr("Save clinic outcomes"), str(Path.home() / self.suggested_name()), self.tr("PDF (*.pdf)")
            )
            if not path:
                return None
        first, last = day_of(self.date_from), day_of(self.date_to)
        target = path
        result = attempt_export(
            lambda: self._service.export_charts_pdf(target, first, last), target, self.errors, self.general_error
        )
        if result is not None:
            self.result_line.setText(self.tr("Charts written to {path}").format(path=result.path))
            self.result_line.show()
        return result
