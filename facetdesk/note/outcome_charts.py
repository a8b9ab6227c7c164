"""The clinic outcomes charts as a PDF (reportlab): each figure of domain.outcome_figures with its title, n,
axes, the figure in one sentence and what is counted; the same figures the outcomes dialog draws."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from reportlab.graphics.shapes import Drawing, Group, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, KeepTogether, PageTemplate, Spacer

from facetdesk.domain.clinic_outcomes import ClinicOutcomes
from facetdesk.domain.outcome_figures import Figure, axis_ticks, outcome_figures
from facetdesk.note import styles as st
from facetdesk.note.fonts import BOLD, REGULAR, register_fonts
from facetdesk.note.render import body_frame, numbered_canvas
from facetdesk.note.story import heading, para

TITLE = "Clinic outcomes"
TICK_SIZE = 7
LABEL_SIZE = 7.5
BAR_HEIGHT = 4.6 * mm
BAR_GAP = 1.8 * mm
AXIS_ROOM = 11 * mm  # under a plot: tick labels and the axis title
HEADER_ROOM = 4 * mm  # above the bars: the categories' axis title
VALUE_ROOM = 34 * mm  # right of the bars: "12 (40% of judged)"
CURVE_HEIGHT = 52 * mm
BAR_FILL = st.ACCENT
CURVE_COLOUR = st.ACCENT
GRID = colors.HexColor("#E3E7EB")
HEADLINE = ParagraphStyle("outcome_headline", parent=st.LINE, fontName=BOLD)  # the figure in one sentence


def _text(x: float, y: float, text: str, size: float = TICK_SIZE, anchor: str = "start", **kw: Any) -> String:
    return String(x, y, text, fontName=kw.pop("font", REGULAR), fontSize=size, textAnchor=anchor,
                  fillColor=kw.pop("colour", st.INK))  # fmt: skip


def _rotated(shape: String, cx: float, cy: float) -> Group:
    g = Group(shape)
    g.transform = (0, 1, -1, 0, cx, cy)
    return g


def _value_axis(d: Drawing, x0: float, width: float, y0: float, ticks: tuple[float, ...], top: float, title: str):
    """Ticks, grid lines up to ``top`` and the axis title under a horizontal value axis."""
    for tick in ticks:
        x = x0 + width * tick / ticks[-1]
        d.add(Line(x, y0, x, top, strokeColor=GRID, strokeWidth=0.4))
        d.add(_text(x, y0 - 3.6 * mm, f"{tick:g}", anchor="middle"))
    d.add(Line(x0, y0, x0 + width, y0, strokeColor=st.INK, strokeWidth=0.6))
    d.add(_text(x0 + width / 2, 1 * mm, title, anchor="middle", colour=st.MUTED))


def bars_drawing(figure: Figure, width: float = st.CONTENT_WIDTH) -> Drawing:
    """Horizontal bars, one a category, the count and its share written at the bar's end."""
    labels = [b.label for b in figure.bars]
    widest = max(
        [stringWidth(t, REGULAR, LABEL_SIZE) for t in labels] + [stringWidth(figure.category_axis, REGULAR, TICK_SIZE)]
    )
    label_room = min(widest + 3 * mm, 72 * mm)
    left = 2 * mm + label_room
    plot_width = width - left - VALUE_ROOM
    plot_top = AXIS_ROOM + len(labels) * (BAR_HEIGHT + BAR_GAP) + BAR_GAP
    height = plot_top + HEADER_ROOM
    d = Drawing(width, height)
    d.initialFontName = REGULAR  # or reportlab starts in Helvetica, referenced but not embedded
    ticks = axis_ticks(max(b.value for b in figure.bars))
    _value_axis(d, left, plot_width, AXIS_ROOM, ticks, plot_top, figure.value_axis)
    # The categories' axis title heads their column, as a table's column title would.
    d.add(_text(left - 2 * mm, plot_top + 1.2 * mm, figure.category_axis, anchor="end", colour=st.MUTED))
    for i, bar in enumerate(figure.bars):
        y = plot_top - (i + 1) * (BAR_HEIGHT + BAR_GAP)
        length = plot_width * bar.value / ticks[-1]
        if length:
            d.add(Rect(left, y, length, BAR_HEIGHT, fillColor=BAR_FILL, strokeColor=None))
        d.add(_text(left - 2 * mm, y + 1.3 * mm, bar.label, LABEL_SIZE, "end"))
        d.add(_text(left + length + 1.5 * mm, y + 1.3 * mm, bar.text, LABEL_SIZE))
    return d


def curve_drawing(figure: Figure, width: float = st.CONTENT_WIDTH, height: float = CURVE_HEIGHT) -> Drawing:
    """The step curve of (months, %), with the dashed reference level and the median's time."""
    left, top, right = 16 * mm, 4 * mm, 30 * mm
    d = Drawing(width, height)
    d.initialFontName = REGULAR
    x0, y0 = left, AXIS_ROOM
    pw, ph = width - left - right, height - AXIS_ROOM - top
    xticks = axis_ticks(figure.curve[-1][0])

    def x(months: float) -> float:
        return x0 + pw * months / xticks[-1]

    def y(pct: float) -> float:
        return y0 + ph * pct / 100

    _value_axis(d, x0, pw, y0, xticks, y0 + ph, figure.category_axis)
    for tick in axis_ticks(100):
        d.add(Line(x0, y(tick), x0 + pw, y(tick), strokeColor=GRID, strokeWidth=0.4))
        d.add(_text(x0 - 1.5 * mm, y(tick) - 2.4, f"{tick:g}", anchor="end"))
    d.add(Line(x0, y0, x0, y0 + ph, strokeColor=st.INK, strokeWidth=0.6))
    d.add(_rotated(_text(0, 0, figure.value_axis, anchor="middle", colour=st.MUTED), 3.5 * mm, y0 + ph / 2))
    if figure.reference_pct is not None:
        level = y(figure.reference_pct)
        d.add(Line(x0, level, x0 + pw, level, strokeColor=st.MUTED, strokeWidth=0.8, strokeDashArray=(3, 2)))
        d.add(_text(x0 + pw + 1.5 * mm, level - 2.4, f"{figure.reference_pct:g}%", LABEL_SIZE, colour=st.MUTED))
    points: list[float] = []
    for i, (months, pct) in enumerate(figure.curve):
        if i:
            points += [x(months), y(figure.curve[i - 1][1])]
        points += [x(months), y(pct)]
    d.add(PolyLine(points, strokeColor=CURVE_COLOUR, strokeWidth=1.3))
    if figure.marker is not None:
        at = x(figure.marker)
        d.add(Line(at, y0, at, y(100), strokeColor=st.ALERT, strokeWidth=0.8, strokeDashArray=(1.5, 1.5)))
        d.add(_text(at + 1 * mm, y(100) - 3 * mm, figure.marker_label, LABEL_SIZE, colour=st.ALERT))
    return d


def figure_flowables(figure: Figure) -> list[Flowable]:
    """One figure: its title and n, the chart (or "Not enough data"), the figure in words, what is counted."""
    out: list[Flowable] = [heading(figure.title), para(figure.n_text, st.SMALL_LINE)]
    if figure.empty:
        out.append(para(figure.headline, st.WARNING))
    else:
        out += [Spacer(1, 1.5 * mm), curve_drawing(figure) if figure.curve else bars_drawing(figure)]
        out.append(para(figure.headline, HEADLINE))
    out.append(para(figure.explains, st.CAPTION))
    return [KeepTogether(out)]


def render_outcome_charts(
    outcomes: ClinicOutcomes, *, generated_at: datetime, clinic_name: str = "", page_size: str = "letter"
) -> bytes:
    """The charts PDF; the same figures and time always give the same bytes. No patient is named in it."""
    if page_size not in st.PAGE_SIZES:
        raise ValueError(f"page_size must be one of {', '.join(st.PAGE_SIZES)}, not {page_size!r}")
    register_fonts()
    pagesize = st.PAGE_SIZES[page_size]
    period = f"{outcomes.first:%Y-%m-%d} to {outcomes.last:%Y-%m-%d} (both days included)"
    story: list[Flowable] = [
        para(TITLE + (f": {clinic_name}" if clinic_name else ""), st.TITLE),
        para(f"Procedures performed {period}. Generated {generated_at:%Y-%m-%d %H:%M} by FacetDesk.", st.SUBTITLE),
    ]
    for figure in outcome_figures(outcomes):
        story += figure_flowables(figure)
    page_width = pagesize[0]

    def footer(canv: Canvas, doc: BaseDocTemplate) -> None:
        # Left of "Page x of y" (the numbered canvas draws it): what the page is, should it come apart.
        canv.saveState()
        canv.setFont(REGULAR, st.SMALL_SIZE)
        canv.setFillColor(st.MUTED)
        canv.drawString((page_width - st.CONTENT_WIDTH) / 2, st.FOOTER_Y, f"{TITLE}, {period}")
        canv.restoreState()

    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf,
        pagesize=pagesize,
        invariant=1,
        initialFontName=REGULAR,  # or Helvetica, referenced but not embedded
        initialFontSize=st.BODY_SIZE,
        title=f"{TITLE}, {period}",
        creator="FacetDesk",
        producer="FacetDesk (reportlab)",
    )
    frame = body_frame(pagesize, st.MARGIN_TOP, "page")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=footer)])
    doc.build(story, canvasmaker=numbered_canvas(generated_at))
    return buf.getvalue()
