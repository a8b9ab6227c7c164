"""Draws the relief chart (pain against time after injection) from ChartData with reportlab.graphics."""

from __future__ import annotations

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm

from facetdesk.note import styles as st
from facetdesk.note.chart_data import ChartData
from facetdesk.note.fonts import REGULAR

HEIGHT = 66 * mm
# Plot area inside the drawing: room for tick labels and axis titles left and below, the shaded
# duration's label above, and the relief lines' labels on the right.
LEFT, BOTTOM, TOP, RIGHT = 16 * mm, 12 * mm, 8 * mm, 34 * mm
LABEL_SIZE = 6.5
TICK_SIZE = 7
SHADE = colors.HexColor("#DCE8F3")
GRID = colors.HexColor("#E3E7EB")
LINE_COLOURS = (st.MUTED, st.ACCENT)  # first the lower threshold (50%), then the higher (80%)
LINE_DASHES = ((4, 2), (1.5, 1.5))
MIN_LABEL_GAP = 2.8 * mm


def relief_chart_drawing(data: ChartData, width: float = st.CONTENT_WIDTH, height: float = HEIGHT) -> Drawing:
    d = Drawing(width, height)
    # The renderer would otherwise start in Helvetica, a font the PDF would reference without embedding.
    d.initialFontName = REGULAR
    x0, y0 = LEFT, BOTTOM
    pw, ph = width - LEFT - RIGHT, height - BOTTOM - TOP

    def x(minutes: float) -> float:
        return x0 + pw * min(minutes, data.axis_minutes) / data.axis_minutes

    def y(score: float) -> float:
        return y0 + ph * score / 10

    if data.shade_minutes:
        d.add(Rect(x0, y0, x(data.shade_minutes) - x0, ph, fillColor=SHADE, strokeColor=None))
        d.add(
            String(
                x0 + 1, y0 + ph + 2.2 * mm, data.shade_label, fontName=REGULAR, fontSize=LABEL_SIZE, fillColor=st.ACCENT
            )
        )
    for score in range(0, 11, 2):
        d.add(Line(x0, y(score), x0 + pw, y(score), strokeColor=GRID, strokeWidth=0.4))
        d.add(
            String(
                x0 - 1.5 * mm,
                y(score) - 2.4,
                str(score),
                fontName=REGULAR,
                fontSize=TICK_SIZE,
                textAnchor="end",
                fillColor=st.INK,
            )
        )
    for minutes, label in data.ticks:
        d.add(Line(x(minutes), y0, x(minutes), y0 - 1.2 * mm, strokeColor=st.INK, strokeWidth=0.5))
        d.add(
            String(
                x(minutes),
                y0 - 4 * mm,
                label,
                fontName=REGULAR,
                fontSize=TICK_SIZE,
                textAnchor="middle",
                fillColor=st.INK,
            )
        )
    d.add(Line(x0, y0, x0 + pw, y0, strokeColor=st.INK, strokeWidth=0.6))
    d.add(Line(x0, y0, x0, y0 + ph, strokeColor=st.INK, strokeWidth=0.6))
    d.add(
        String(
            x0 + pw / 2,
            1.2 * mm,
            data.axis_title,
            fontName=REGULAR,
            fontSize=TICK_SIZE,
            textAnchor="middle",
            fillColor=st.INK,
        )
    )
    title = String(
        0, 0, f"Pain ({data.scale})", fontName=REGULAR, fontSize=TICK_SIZE, textAnchor="middle", fillColor=st.INK
    )
    d.add(_rotated(title, 3.5 * mm, y0 + ph / 2))

    _relief_lines(d, data, x0, pw, y)

    # Pre-injection score: hollow marker at 0, joined to the first score by a dotted line.
    first_x, first_y = x(data.points[0][0]), y(data.points[0][1])
    d.add(Line(x(0), y(data.baseline), first_x, first_y, strokeColor=st.INK, strokeWidth=0.7, strokeDashArray=(1, 1.5)))
    points = [coord for m, s in data.points for coord in (x(m), y(s))]
    if len(data.points) > 1:
        d.add(PolyLine(points, strokeColor=st.INK, strokeWidth=1.1))
    d.add(Circle(x(0), y(data.baseline), 1.5, fillColor=colors.white, strokeColor=st.INK, strokeWidth=0.9))
    for m, s in data.points:
        d.add(Circle(x(m), y(s), 1.5, fillColor=st.INK, strokeColor=st.INK, strokeWidth=0.5))
    return d


def _relief_lines(d: Drawing, data: ChartData, x0: float, pw: float, y) -> None:
    placed: list[float] = []
    # Labels are placed top-down and pushed apart so close lines (a low baseline) stay readable.
    lines = sorted(enumerate(data.relief_lines), key=lambda item: -item[1].nrs)
    for index, line in lines:
        colour = LINE_COLOURS[index % len(LINE_COLOURS)]
        dash = LINE_DASHES[index % len(LINE_DASHES)]
        d.add(Line(x0, y(line.nrs), x0 + pw, y(line.nrs), strokeColor=colour, strokeWidth=0.9, strokeDashArray=dash))
        label_y = y(line.nrs) - 2.2
        if placed and placed[-1] - label_y < MIN_LABEL_GAP:
            label_y = placed[-1] - MIN_LABEL_GAP
        placed.append(label_y)
        d.add(String(x0 + pw + 1.5 * mm, label_y, line.label, fontName=REGULAR, fontSize=LABEL_SIZE, fillColor=colour))


def _rotated(shape: String, cx: float, cy: float) -> Group:
    g = Group(shape)
    g.transform = (0, 1, -1, 0, cx, cy)
    return g
