"""One clinic-outcomes figure on screen: its chart drawn with QPainter from domain.outcome_figures, the figure in
one sentence and what it counts underneath (the charts PDF draws the same Figure with reportlab)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPalette, QPen, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from facetdesk.domain.outcome_figures import NOT_ENOUGH, Figure, axis_ticks
from facetdesk.ui.common import style
from facetdesk.ui.common.widgets import named

PAD = 8
BAR_SLOT = 22  # pixels per bar: the bar and the gap to the next
BAR_FILL = 0.68  # of its slot
CURVE_HEIGHT = 180
MAX_LABEL_SHARE = 0.45  # of the width, for the categories' labels


class FigureView(QWidget):
    """Draws a Figure: title and n on top, then horizontal bars or a step curve with both axes titled;
    "Not enough data" in place of an empty chart."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.figure: Figure | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(420)

    def set_figure(self, figure: Figure) -> None:
        self.figure = figure
        # What the picture says, for a screen reader: the same sentence and counts.
        self.setAccessibleName(f"{figure.title} chart")
        parts = [figure.n_text, figure.headline, *(f"{b.label}: {b.text}" for b in figure.bars)]
        self.setAccessibleDescription(". ".join(parts))
        self.setFixedHeight(self._height())
        self.update()

    def _line(self) -> int:
        return self.fontMetrics().height()

    def _n_rect(self, width: int) -> QRectF:
        """Where the n goes under the title: as many lines as it takes at ``width``."""
        assert self.figure is not None
        flags = int(Qt.TextFlag.TextWordWrap)
        lines = self.fontMetrics().boundingRect(QRect(0, 0, width - 2 * PAD, 10_000), flags, self.figure.n_text)
        return QRectF(PAD, PAD + 1.5 * self._line(), width - 2 * PAD, lines.height())

    def _top(self) -> int:
        """Below the title, the n and (for bars) the categories' axis title."""
        assert self.figure is not None
        header = self._n_rect(self.width()).bottom() + self._line()
        return int(header) + (self._line() if self.figure.bars else 0)

    def _height(self) -> int:
        assert self.figure is not None
        if self.figure.empty:
            body = 3 * self._line()
        elif self.figure.curve:
            body = CURVE_HEIGHT
        else:
            body = len(self.figure.bars) * BAR_SLOT
        return self._top() + body + 3 * self._line() + PAD

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(560, self.height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        if self.figure is not None and self.height() != self._height():  # the n wraps to the new width
            self.setFixedHeight(self._height())

    # ---- painting ------------------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        if self.figure is None:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        ink = self.palette().color(QPalette.ColorRole.WindowText)
        muted = QColor(style.MUTED_COLOR)
        title_font = QFont(self.font())
        title_font.setBold(True)
        title_font.setPointSizeF(self.font().pointSizeF() * 1.1)
        p.setFont(title_font)
        p.setPen(ink)
        p.drawText(QPointF(PAD, PAD + self._line()), self.figure.title)
        p.setFont(self.font())
        p.setPen(muted)
        p.drawText(self._n_rect(self.width()), int(Qt.TextFlag.TextWordWrap), self.figure.n_text)
        plot = QRectF(PAD, self._top(), self.width() - 2 * PAD, self.height() - self._top() - 3 * self._line() - PAD)
        if self.figure.empty:
            p.drawText(plot, Qt.AlignmentFlag.AlignCenter, NOT_ENOUGH)
        elif self.figure.curve:
            self._paint_curve(p, plot, ink, muted)
        else:
            self._paint_bars(p, plot, ink, muted)
        p.end()

    def _value_axis(self, p: QPainter, left: float, right: float, bottom: float, top: float, ticks, muted) -> None:
        grid = QColor(muted)
        grid.setAlpha(70)
        for tick in ticks:
            x = left + (right - left) * tick / ticks[-1]
            p.setPen(QPen(grid, 1))
            p.drawLine(QPointF(x, top), QPointF(x, bottom))
            p.setPen(muted)
            label = f"{tick:g}"
            w = self.fontMetrics().horizontalAdvance(label)
            p.drawText(QPointF(x - w / 2, bottom + self._line()), label)
        p.setPen(QPen(muted, 1))
        p.drawLine(QPointF(left, bottom), QPointF(right, bottom))

    def _axis_title(self, p: QPainter, left: float, right: float, bottom: float, text: str) -> None:
        w = self.fontMetrics().horizontalAdvance(text)
        p.drawText(QPointF((left + right - w) / 2, bottom + 2.3 * self._line()), text)

    def _paint_bars(self, p: QPainter, plot: QRectF, ink: QColor, muted: QColor) -> None:
        assert self.figure is not None
        fm = self.fontMetrics()
        bars = self.figure.bars
        widest = max([fm.horizontalAdvance(b.label) for b in bars] + [fm.horizontalAdvance(self.figure.category_axis)])
        label_room = min(widest + 2 * PAD, plot.width() * MAX_LABEL_SHARE)
        value_room = max(fm.horizontalAdvance(b.text) for b in bars) + PAD
        left, right = plot.left() + label_room, plot.right() - value_room
        bottom = plot.top() + len(bars) * BAR_SLOT
        ticks = axis_ticks(max(b.value for b in bars))
        self._value_axis(p, left, right, bottom, plot.top(), ticks, muted)
        p.setPen(muted)
        head = self.figure.category_axis
        p.drawText(QPointF(left - PAD / 2 - fm.horizontalAdvance(head), plot.top() - fm.descent() - 2), head)
        self._axis_title(p, left, right, bottom, self.figure.value_axis)
        fill = self.palette().color(QPalette.ColorRole.Highlight)
        for i, bar in enumerate(bars):
            y = plot.top() + i * BAR_SLOT
            length = (right - left) * bar.value / ticks[-1]
            thickness = BAR_SLOT * BAR_FILL
            p.fillRect(QRectF(left, y + (BAR_SLOT - thickness) / 2, length, thickness), fill)
            baseline = y + BAR_SLOT / 2 + fm.ascent() / 2 - 1
            p.setPen(ink)
            label = fm.elidedText(bar.label, Qt.TextElideMode.ElideRight, int(label_room - PAD))
            p.drawText(QPointF(left - PAD / 2 - fm.horizontalAdvance(label), baseline), label)
            p.drawText(QPointF(left + length + PAD / 2, baseline), bar.text)

    def _paint_curve(self, p: QPainter, plot: QRectF, ink: QColor, muted: QColor) -> None:
        assert self.figure is not None
        fm = self.fontMetrics()
        f = self.figure
        left = plot.left() + self._line() + fm.horizontalAdvance("100") + PAD
        right = plot.right() - fm.horizontalAdvance("50%") - PAD
        top, bottom = plot.top(), plot.bottom()
        xticks = axis_ticks(f.curve[-1][0])

        def x(months: float) -> float:
            return left + (right - left) * months / xticks[-1]

        def y(pct: float) -> float:
            return bottom - (bottom - top) * pct / 100

        self._value_axis(p, left, right, bottom, top, xticks, muted)
        self._axis_title(p, left, right, bottom, f.category_axis)
        grid = QColor(muted)
        grid.setAlpha(70)
        for pct in axis_ticks(100):
            p.setPen(QPen(grid, 1))
            p.drawLine(QPointF(left, y(pct)), QPointF(right, y(pct)))
            p.setPen(muted)
            label = f"{pct:g}"
            p.drawText(QPointF(left - PAD / 2 - fm.horizontalAdvance(label), y(pct) + fm.ascent() / 2 - 1), label)
        p.save()  # the value axis title, turned to run up the left edge
        p.translate(plot.left() + fm.ascent(), (top + bottom) / 2 + fm.horizontalAdvance(f.value_axis) / 2)
        p.rotate(-90)
        p.drawText(QPointF(0, 0), f.value_axis)
        p.restore()
        if f.reference_pct is not None:
            p.setPen(QPen(muted, 1, Qt.PenStyle.DashLine))
            p.drawLine(QPointF(left, y(f.reference_pct)), QPointF(right, y(f.reference_pct)))
            p.drawText(QPointF(right + 3, y(f.reference_pct) + fm.ascent() / 2 - 1), f"{f.reference_pct:g}%")
        p.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 2.2))
        for i in range(1, len(f.curve)):
            (m0, s0), (m1, s1) = f.curve[i - 1], f.curve[i]
            p.drawLine(QPointF(x(m0), y(s0)), QPointF(x(m1), y(s0)))
            p.drawLine(QPointF(x(m1), y(s0)), QPointF(x(m1), y(s1)))
        if f.marker is not None:
            warn = QColor(style.WARNING_COLOR)
            p.setPen(QPen(warn, 1.5, Qt.PenStyle.DotLine))
            p.drawLine(QPointF(x(f.marker), top), QPointF(x(f.marker), bottom))
            p.setPen(warn)
            p.drawText(QPointF(x(f.marker) + 4, top + fm.ascent()), f.marker_label)


class FigurePanel(QWidget):
    """A figure's chart, the figure in one sentence (bold) and what is counted (muted), one under the other."""

    def __init__(self, key: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.view = FigureView()
        self.headline = named(QLabel(), f"{key} figure")
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bold = QFont(self.headline.font())
        bold.setBold(True)
        self.headline.setFont(bold)
        self.explains = named(QLabel(), f"{key} explanation")
        self.explains.setWordWrap(True)
        self.explains.setStyleSheet(f"color: {style.MUTED_COLOR};")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, style.SPACING)
        layout.setSpacing(2)
        layout.addWidget(self.view)
        layout.addWidget(self.headline)
        layout.addWidget(self.explains)
        layout.addStretch(1)  # a panel beside a taller one keeps its lines together at the top

    def show_figure(self, figure: Figure) -> None:
        self.view.set_figure(figure)
        self.headline.setText(self.tr(figure.headline))
        self.explains.setText(self.tr(figure.explains))
