"""Pain scores: pre-injection NRS and timed post-injection scores, with % relief computed live."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QHeaderView, QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget

from facetdesk.domain.catalog import Catalog
from facetdesk.domain.procedure import PainScore
from facetdesk.domain.relief import relief_pct, summarize_relief
from facetdesk.domain.timefmt import format_minutes
from facetdesk.ui import style
from facetdesk.ui.row_table import RowTable
from facetdesk.ui.widgets import ErrorLabel, OptionalIntSpin, named

MINUTES, NRS, ACTIVITY, RELIEF = range(4)
RELIEF_THRESHOLD_KEYS = ("relief.meaningful_pct", "relief.positive_block_pct")


def relief_thresholds(catalog: Catalog) -> tuple[float, ...]:
    return tuple(catalog.threshold(k).value for k in RELIEF_THRESHOLD_KEYS)


def describe_summary(summary) -> str:
    if summary.reason_not_computed:
        return f"Relief not computed: {summary.reason_not_computed}."
    lines = [f"Peak relief {summary.peak_pct:g}% at {format_minutes(summary.peak_at)}."]
    for d in summary.durations:
        if not d.reached:
            lines.append(f"≥{d.threshold_pct:g}% relief: not reached.")
        elif d.ended_before is None:
            lines.append(
                f"≥{d.threshold_pct:g}% relief from {format_minutes(d.reached_at)}, "
                f"lasting at least {format_minutes(d.lasted_until)} (still at the last score)."
            )
        else:
            lines.append(
                f"≥{d.threshold_pct:g}% relief from {format_minutes(d.reached_at)} to "
                f"{format_minutes(d.lasted_until)} (below at {format_minutes(d.ended_before)})."
            )
    return " ".join(lines)


class PainPanel(QWidget):
    def __init__(self, catalog: Catalog):
        super().__init__()
        self._thresholds = relief_thresholds(catalog)
        self.pre_pain = named(
            OptionalIntSpin(0, 10), "Pre-injection pain (NRS)", "Pain score just before the injection, 0-10"
        )
        self.pre_error = ErrorLabel()
        self.rows = RowTable(
            "Pain scores",
            [self.tr("Minutes after injection"), self.tr("NRS 0-10"), self.tr("Provoking activity"), self.tr("Relief")],
            self._make_row,
            self.tr("Add pain score"),
        )
        header = self.rows.table.horizontalHeader()
        header.setSectionResizeMode(ACTIVITY, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet(f"color: {style.DERIVED_COLOR}; font-weight: bold;")
        form = QFormLayout()
        box = QWidget()
        bl = QVBoxLayout(box)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(self.pre_pain)
        bl.addWidget(self.pre_error)
        form.addRow(self.tr("Pre-injection pain"), box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.rows)
        layout.addWidget(self.summary)
        self.changed = self.rows.changed
        self.pre_pain.valueChanged.connect(self.rows.changed)
        self.rows.changed.connect(self.update_derived)

    def _make_row(self, row: int) -> list:
        n = row + 1
        minutes = named(QSpinBox(), f"Pain score {n} minutes after injection")
        minutes.setRange(0, 60 * 24 * 366)
        minutes.setSuffix(" min")
        nrs = named(QSpinBox(), f"Pain score {n} NRS")
        nrs.setRange(0, 10)
        activity = named(QLineEdit(), f"Pain score {n} provoking activity")
        activity.setPlaceholderText(self.tr("e.g. lumbar extension"))
        minutes.valueChanged.connect(self.rows.changed)
        nrs.valueChanged.connect(self.rows.changed)
        return [minutes, nrs, activity, ""]

    def scores(self) -> list[dict]:
        return [
            {
                "minutes_after": self.rows.cell(r, MINUTES).value(),
                "nrs": self.rows.cell(r, NRS).value(),
                "activity": self.rows.cell(r, ACTIVITY).text(),
            }
            for r in range(self.rows.rows())
        ]

    def update_derived(self) -> None:
        baseline = self.pre_pain.value_or_none()
        for r in range(self.rows.rows()):
            nrs = self.rows.cell(r, NRS).value()
            at = format_minutes(self.rows.cell(r, MINUTES).value())
            relief = f"{relief_pct(baseline, nrs):g}% relief" if baseline else "relief not computed"
            self.rows.set_text(r, RELIEF, f"at {at}: {relief}")
        # Duplicate times are reported on save; the live summary uses the first of each.
        unique: dict[int, PainScore] = {}
        for s in self.scores():
            try:
                unique.setdefault(s["minutes_after"], PainScore(**s))
            except ValueError:  # e.g. an over-long activity: reported on save, not while typing
                continue
        if unique:
            self.summary.setText(describe_summary(summarize_relief(baseline, list(unique.values()), self._thresholds)))
        else:
            self.summary.setText("")

    def load(self, pre_pain: int | None, scores) -> None:
        self.rows.clear()
        self.pre_pain.set_value_or_none(pre_pain)
        for s in scores:
            row = self.rows.add_row()
            self.rows.cell(row, MINUTES).setValue(s.minutes_after)
            self.rows.cell(row, NRS).setValue(s.nrs)
            self.rows.cell(row, ACTIVITY).setText(s.activity)
        self.update_derived()
