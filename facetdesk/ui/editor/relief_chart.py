"""Live chart of pain against time after the injection: relief lines, baseline, the anaesthetic's expected duration."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from PySide6.QtCharts import QAreaSeries, QCategoryAxis, QChart, QChartView, QLineSeries, QScatterSeries, QValueAxis
from PySide6.QtCore import QEvent, QMargins, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen

from facetdesk.domain.catalog import Catalog
from facetdesk.domain.relief import relief_pct, relief_thresholds
from facetdesk.domain.timefmt import format_minutes
from facetdesk.domain.wording import num
from facetdesk.note.chart_data import CHART_WINDOW_MIN
from facetdesk.ui.common import style
from facetdesk.ui.common.widgets import named

# Axis lengths (hours) and tick steps (hours), as in the PDF note: the smallest holding every plotted point wins.
_AXES = ((1, 0.25), (2, 0.5), (3, 0.5), (4, 1), (6, 1), (8, 1), (12, 2), (16, 2), (24, 4))
NRS_MAX = 10


@dataclass(frozen=True)
class BlockAgent:
    """The block's anaesthetic and how long it is expected to act (hours), shaded on the chart."""

    name: str
    hours: float
    unconfirmed: bool

    @property
    def label(self) -> str:
        return f"expected duration of {self.name}: {num(self.hours)} h" + (" (unconfirmed)" if self.unconfirmed else "")


def axis_hours(last_hours: float) -> tuple[float, float]:
    return next(((h, s) for h, s in _AXES if h >= last_hours), _AXES[-1])


class ReliefChart(QChartView):
    """Pain (0-10) over the first 24 h; % relief on the right axis once a baseline is known."""

    updated = Signal()  # after each redraw: legend_html and later_text are current

    def __init__(self, catalog: Catalog):
        super().__init__()
        named(self, "Relief chart", "Pain against time after the injection, with the relief thresholds")
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumSize(360, 300)
        self._thresholds = relief_thresholds(catalog)
        self.later_text = ""
        self.legend_html = ""
        chart = QChart()
        # QLegend neither wraps nor fits long names in a narrow chart: the legend is text beside it (legend_html).
        chart.legend().hide()
        chart.setMargins(QMargins(4, 4, 4, 4))
        self.setChart(chart)

        self.x_axis = QValueAxis()
        self.x_axis.setTitleText(self.tr("Hours after injection"))
        self.x_axis.setTickType(QValueAxis.TickType.TicksDynamic)
        self.x_axis.setTickAnchor(0)
        self.x_axis.setLabelFormat("%g")
        self.y_axis = QValueAxis()
        self.y_axis.setRange(0, NRS_MAX)
        self.y_axis.setTickCount(NRS_MAX + 1)
        self.y_axis.setLabelFormat("%d")
        self.y_axis.setTitleText(self.tr("Pain (NRS)"))
        # % relief is a second scale on the same line: NRS b*(1 - p/100) is p% relief from a baseline b.
        self.relief_axis = QCategoryAxis()
        self.relief_axis.setRange(0, NRS_MAX)
        self.relief_axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        self.relief_axis.setGridLineVisible(False)
        chart.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(self.relief_axis, Qt.AlignmentFlag.AlignRight)

        # The area's bounds must outlive it: QAreaSeries does not own them.
        self._upper, self._lower = QLineSeries(), QLineSeries()
        self.duration = QAreaSeries(self._upper, self._lower)
        self.relief_lines = [QLineSeries() for _ in self._thresholds]
        self.scores = QLineSeries()
        self.scores.setName(self.tr("pain (NRS)"))
        self.scores.setPointsVisible(True)
        self.baseline_point = QScatterSeries()
        self.baseline_point.setName(self.tr("baseline (before injection)"))
        self.baseline_point.setMarkerSize(11)
        for series in (self.duration, *self.relief_lines, self.scores, self.baseline_point):
            chart.addSeries(series)
            series.attachAxis(self.x_axis)
            series.attachAxis(self.y_axis)
        for line in self.relief_lines:
            line.attachAxis(self.relief_axis)  # an axis with no series is not drawn
        self._baseline: int | None = None
        self._points: list[tuple[int, int]] = []
        self._block: BlockAgent | None = None
        self._apply_palette()
        self._refresh()

    def set_block_agent(self, block: BlockAgent | None) -> None:
        self._block = block
        self._refresh()

    def block_agent(self) -> BlockAgent | None:
        """The anaesthetic whose expected duration is shaded, if any."""
        return self._block

    def set_scores(self, baseline: int | None, points: Sequence[tuple[int, int]]) -> None:
        """The pre-injection score and (minutes after injection, NRS) pairs, in any order."""
        self._baseline = baseline
        self._points = sorted(points)
        self._refresh()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_palette()
            self._refresh()

    def _apply_palette(self) -> None:
        dark = style.is_dark()
        chart = self.chart()
        chart.setTheme(QChart.ChartTheme.ChartThemeDark if dark else QChart.ChartTheme.ChartThemeLight)
        chart.setBackgroundBrush(self.palette().base())
        chart.setBackgroundRoundness(0)
        self.setBackgroundBrush(self.palette().window())
        text = self.palette().text().color()
        for axis in (self.x_axis, self.y_axis, self.relief_axis):
            axis.setLabelsColor(text)
            axis.setTitleBrush(text)
        chart.legend().setLabelColor(text)
        line = QColor("#8ab4f8" if dark else "#1f5fbf")
        pen = QPen(line, 2.5)
        self.scores.setPen(pen)
        self.scores.setColor(line)
        self.baseline_point.setColor(self.palette().base().color())
        self.baseline_point.setBorderColor(line)
        self.baseline_point.setPen(QPen(line, 2))
        colours = (style.WARNING_COLOR, style.DERIVED_COLOR)
        for i, series in enumerate(self.relief_lines):
            dashed = QPen(QColor(colours[min(i, len(colours) - 1)]), 1.5, Qt.PenStyle.DashLine)
            series.setPen(dashed)
        shade = QColor("#b0bec5" if dark else "#78909c")
        shade.setAlpha(70 if dark else 60)
        self.duration.setBrush(shade)
        self.duration.setPen(QPen(shade.darker(120) if not dark else shade.lighter(130), 1))

    def _show(self, series, visible: bool) -> None:
        series.setVisible(visible)

    def _legend(self) -> str:
        entries = []
        for series, symbol in (
            (self.scores, "●─"),
            (self.baseline_point, "○"),
            *((line, "╌╌") for line in self.relief_lines),
            (self.duration, "█"),
        ):
            if not series.isVisible():
                continue
            colour = series.brush().color() if isinstance(series, QAreaSeries) else series.pen().color()  # type: ignore[attr-defined]
            if series is self.baseline_point:
                colour = series.borderColor()
            colour = QColor(colour)
            colour.setAlpha(255 if series is not self.duration else 140)
            swatch = f'<span style="color:{colour.name(QColor.NameFormat.HexArgb)}">{symbol}</span>'
            entries.append(f"{swatch}&nbsp;{escape(series.name()).replace(' ', '&nbsp;')}")
        return " &nbsp; ".join(entries)

    def _refresh(self) -> None:
        b = self._baseline
        plotted = [(m, n) for m, n in self._points if m <= CHART_WINDOW_MIN]
        later = [(m, n) for m, n in self._points if m > CHART_WINDOW_MIN]
        block_h = self._block.hours if self._block else 0
        last = max([m / 60 for m, _ in plotted] + [block_h, 1 if plotted or b is not None else 4])
        hours, step = axis_hours(last)
        self.x_axis.setRange(0, hours)
        self.x_axis.setTickInterval(step)

        line = ([QPointF(0, b)] if b is not None else []) + [QPointF(m / 60, n) for m, n in plotted]
        self.scores.replace(line)
        self.baseline_point.replace([QPointF(0, b)] if b is not None else [])
        self._show(self.baseline_point, b is not None)

        for cat in list(self.relief_axis.categoriesLabels()):
            self.relief_axis.remove(cat)
        if b:
            levels = sorted(((b * (1 - p / 100), p) for p in (0, *self._thresholds, 100)), key=lambda t: t[0])
            # Category labels sit on their end values, which must rise above the start: start just below 0.
            self.relief_axis.setStartValue(-1e-6)
            for nrs, pct in levels:
                self.relief_axis.append(f"{num(pct)}%", nrs)
            self.relief_axis.setTitleText(self.tr("% relief from baseline {b}").format(b=b))
        else:
            self.relief_axis.setTitleText(self.tr("% relief: no baseline"))
        for pct, series in zip(self._thresholds, self.relief_lines, strict=True):
            if b:
                nrs = b * (1 - pct / 100)
                series.replace([QPointF(0, nrs), QPointF(hours, nrs)])
                series.setName(self.tr("{p}% relief (NRS {n})").format(p=num(pct), n=num(nrs)))
            self._show(series, bool(b))

        if self._block:
            self._upper.replace([QPointF(0, NRS_MAX), QPointF(self._block.hours, NRS_MAX)])
            self._lower.replace([QPointF(0, 0), QPointF(self._block.hours, 0)])
            self.duration.setName(self._block.label)
        self._show(self.duration, self._block is not None)

        self.legend_html = self._legend()
        self.later_text = ""
        if later:
            parts = []
            for m, n in later:
                relief = f", {num(relief_pct(b, n))}% relief" if b else ""
                parts.append(f"{format_minutes(m)}: NRS {n}{relief}")
            self.later_text = self.tr("After 24 h (not charted): {items}.").format(items="; ".join(parts))
        self.updated.emit()
