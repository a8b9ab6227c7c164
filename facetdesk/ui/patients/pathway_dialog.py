"""The pathway view: for each spinal region, the blocks, ablations and follow-ups on one time line with each step's
verdict, the coverage gate for the next step, a chart of pain and function over the months, and "Plan next step".

Every verdict and gate is a rule's finding (facetdesk.rules.pathway); this dialog only shows them.
"""

from __future__ import annotations

from datetime import date
from html import escape

from PySide6.QtCharts import QChart, QChartView, QLineSeries, QValueAxis
from PySide6.QtCore import QMargins, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from facetdesk.domain.months import months_between
from facetdesk.rules.finding import Status
from facetdesk.rules.pathway import Gate, NextStep, Point, RegionPathway
from facetdesk.ui.common import style
from facetdesk.ui.common.widgets import named

_MARK = {Status.MET: "✓", Status.NOT_MET: "✗", Status.NOT_EVALUATED: "?", Status.ADVISORY: "ℹ"}
_VERDICT_COLOR = {"met": style.DERIVED_COLOR, "not met": style.ERROR_COLOR, "check by hand": style.WARNING_COLOR}
_SERIES = (("pain", "Pain (NRS 0-10)", "#c0392b"), ("disability", "Disability (ODI/NDI %)", "#2c6fbb"),
           ("daily activities", "Daily activities, % better", "#2e8b57"))  # fmt: skip


def _color(status: Status) -> str:
    return {Status.MET: style.DERIVED_COLOR, Status.NOT_MET: style.ERROR_COLOR}.get(status, style.WARNING_COLOR)


def _gate_line(gate: Gate) -> str:
    # The source's first reference inline (the policy); the whole list is in the label's tooltip.
    first = gate.source.split(" | ")[0]
    more = " …" if " | " in gate.source else ""
    return (
        f"<span style='color:{_color(gate.status)}'>{_MARK.get(gate.status, '·')} <b>{escape(gate.title)}</b>: "
        f"{escape(gate.message)}</span> <span style='color:{style.MUTED_COLOR}'>[{escape(first)}{more}]</span>"
    )


def sources_text(step: NextStep | None) -> str:
    """Every gate's whole source, one per line (the next step's tooltip)."""
    return "\n".join(f"{g.title}: {g.source}" for g in step.gates) if step else ""


def next_step_text(step: NextStep | None) -> str:
    """The next step, its gate verdict and each gate with its source (rich text)."""
    if step is None:
        return ""
    if step.plan is None:
        return f"<b>Next step:</b> {escape(step.what)}. {escape(step.reason)}"
    color = _VERDICT_COLOR[step.verdict]
    head = f"<b>Next step:</b> {escape(step.what)} — coverage gate <b style='color:{color}'>{step.verdict.upper()}</b>"
    lines = [_gate_line(g) for g in step.gates] or [escape(step.reason)]
    return head + "<br>" + "<br>".join(lines)


class PathwayChart(QChartView):
    """Pain and function against months since the region's first step."""

    def __init__(self, points: tuple[Point, ...], start: date):
        chart = QChart()
        chart.setTitle(self.tr("Pain and function over the pathway"))
        chart.setMargins(QMargins(4, 4, 4, 4))
        months = QValueAxis()
        months.setTitleText(self.tr("Months since the first step"))
        months.setLabelFormat("%.0f")
        pain = QValueAxis()
        pain.setRange(0, 10)
        pain.setTitleText(self.tr("Pain (NRS)"))
        percent = QValueAxis()
        percent.setRange(-20, 100)
        percent.setTitleText(self.tr("%"))
        chart.addAxis(months, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(pain, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(percent, Qt.AlignmentFlag.AlignRight)
        last = 1.0
        for key, title, color in _SERIES:
            series = QLineSeries()
            series.setName(self.tr(title))
            series.setPointsVisible(True)
            series.setColor(QColor(color))
            for p in (p for p in points if p.series == key):
                x = months_between(start, p.day)
                last = max(last, x)
                series.append(x, p.value)
            if series.count():
                chart.addSeries(series)
                series.attachAxis(months)
                series.attachAxis(pain if key == "pain" else percent)
        months.setRange(0, max(1.0, round(last + 0.5)))
        super().__init__(chart)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(240)


class RegionPage(QWidget):
    """One region's time line, next step and chart."""

    def __init__(self, pathway: RegionPathway):
        super().__init__()
        self.pathway = pathway
        layout = QVBoxLayout(self)
        self.table = named(QTableWidget(len(pathway.steps), 4), f"{pathway.region.capitalize()} pathway steps")
        self.table.setHorizontalHeaderLabels([self.tr("Date"), self.tr("Step"), self.tr("Levels"), self.tr("Result")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        # One line a step; the whole result and each gate's source are in the row's tooltip.
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for col in range(3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for row, step in enumerate(pathway.steps):
            cells = (f"{step.day:%Y-%m-%d}", step.what, step.levels, step.result)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(step.result)
                if step.gates:
                    item.setToolTip("\n".join(f"{g.title}: {g.status.value} — {g.message} [{g.source}]"
                                              for g in step.gates))  # fmt: skip
                    if col == 3:
                        item.setForeground(QColor(_color(step.gates[0].status)))
                self.table.setItem(row, col, item)
        layout.addWidget(self.table, 2)
        self.next_label = named(QLabel(next_step_text(pathway.next_step)), "Next step and its coverage gate")
        self.next_label.setTextFormat(Qt.TextFormat.RichText)
        self.next_label.setWordWrap(True)
        self.next_label.setToolTip(sources_text(pathway.next_step))
        layout.addWidget(self.next_label)
        start = pathway.steps[0].day if pathway.steps else date.today()
        self.chart = PathwayChart(pathway.points, start)
        layout.addWidget(self.chart, 2)


class PathwayDialog(QDialog):
    """``plan_requested(plan, what)``: "Plan next step" pressed on a region whose next step has a plan."""

    plan_requested = Signal(dict, str)

    def __init__(self, patient_name: str, regions: list[RegionPathway], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Pathway — {name}").format(name=patient_name))
        self.resize(1000, 760)
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.pages = [RegionPage(r) for r in regions]
        for page in self.pages:
            self.tabs.addTab(page, self.tr(page.pathway.region.capitalize()))
        if not self.pages:
            empty = QLabel(self.tr("No facet procedure recorded yet: the pathway starts with the first block."))
            empty.setStyleSheet(f"color: {style.MUTED_COLOR};")
            layout.addWidget(empty)
        else:
            layout.addWidget(self.tabs, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.plan_button = named(
            QPushButton(self.tr("Plan next step")),
            "Plan next step",
            "A new procedure pre-filled from the pathway: same joints and technique details, nothing observed",
        )
        buttons.addButton(self.plan_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.plan_button.clicked.connect(self.plan_next_step)
        self.tabs.currentChanged.connect(lambda _i: self._update_plan_button())
        layout.addWidget(buttons)
        self._update_plan_button()

    def current(self) -> RegionPathway | None:
        page = self.tabs.currentWidget()
        return page.pathway if isinstance(page, RegionPage) else None

    def _update_plan_button(self) -> None:
        region = self.current()
        self.plan_button.setEnabled(bool(region and region.next_step and region.next_step.plan is not None))

    def plan_next_step(self) -> None:
        region = self.current()
        if region is None or region.next_step is None or region.next_step.plan is None:
            return
        self.plan_requested.emit(region.next_step.plan, region.next_step.what)
        self.accept()
