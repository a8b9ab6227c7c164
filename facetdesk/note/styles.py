"""The note's one stylesheet: page geometry in mm, colours, paragraph and table styles."""

from __future__ import annotations

from functools import cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import TableStyle

from facetdesk.note.fonts import BOLD, REGULAR

PAGE_SIZES = {"letter": LETTER, "a4": A4}

# 18 mm side margins leave 174 mm on A4 and ~180 mm on Letter; every table is laid out for
# 174 mm so one set of column widths fits both paper sizes.
MARGIN_X = 18 * mm
CONTENT_WIDTH = 174 * mm
MARGIN_TOP = 10 * mm
MARGIN_BOTTOM = 15 * mm
HEADER_GAP = 3 * mm
FOOTER_Y = 9 * mm

INK = colors.HexColor("#1A1A1A")
MUTED = colors.HexColor("#5F6B76")
ACCENT = colors.HexColor("#1F4E79")
ALERT = colors.HexColor("#A3261B")
RULE = colors.HexColor("#B7C0C8")
HEADER_FILL = colors.HexColor("#E6ECF1")
ROW_FILL = colors.HexColor("#F6F8FA")
WATERMARK = colors.HexColor("#EDEFF2")

BODY_SIZE = 9
SMALL_SIZE = 7.5

# bulletFontName: bullets would otherwise be set in Helvetica, which the PDF would reference without embedding.
BODY = ParagraphStyle("body", fontName=REGULAR, bulletFontName=REGULAR, fontSize=BODY_SIZE, leading=12, textColor=INK)
NOTES = ParagraphStyle("notes", parent=BODY, spaceAfter=4)
TITLE = ParagraphStyle("title", parent=BODY, fontName=BOLD, fontSize=13.5, leading=16.5, textColor=ACCENT)
SUBTITLE = ParagraphStyle("subtitle", parent=BODY, fontSize=9.5, textColor=MUTED)
STATUS = ParagraphStyle("status", parent=BODY, fontName=BOLD, fontSize=10, textColor=ALERT, alignment=TA_RIGHT)
HEADING = ParagraphStyle(
    "heading",
    parent=BODY,
    fontName=BOLD,
    fontSize=9.5,
    leading=12,
    textColor=ACCENT,
    spaceBefore=6,
    spaceAfter=2,
    keepWithNext=1,
)
# Over free text that may run on for pages: held to its first lines by story.run_on, not to all of it.
HEADING_RUN_ON = ParagraphStyle("heading_run_on", parent=HEADING, keepWithNext=0)
LABEL = ParagraphStyle("label", parent=BODY, fontSize=SMALL_SIZE + 0.5, leading=11, textColor=MUTED)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=8.5, leading=10.5)
CELL_HEAD = ParagraphStyle("cell_head", parent=CELL, fontName=BOLD)
LINE = ParagraphStyle("line", parent=BODY, spaceBefore=2)
SOURCES = ParagraphStyle("sources", parent=BODY, fontSize=7, leading=8.5, textColor=MUTED, spaceBefore=1)
SMALL_LINE = ParagraphStyle("small_line", parent=BODY, fontSize=SMALL_SIZE, leading=9.5, textColor=MUTED, spaceBefore=1)
BULLET = ParagraphStyle("bullet", parent=LINE, leftIndent=10, bulletIndent=2)
SEVERITY = ParagraphStyle("severity", parent=CELL, fontName=BOLD, fontSize=7.5)
SEVERITY_HIGH = ParagraphStyle("severity_high", parent=SEVERITY, textColor=ALERT)
HEADER_NAME = ParagraphStyle("header_name", parent=BODY, fontName=BOLD, fontSize=11, leading=13.5)
HEADER_IDS = ParagraphStyle("header_ids", parent=BODY, fontSize=8.5, leading=11)
HEADER_RIGHT = ParagraphStyle("header_right", parent=BODY, fontSize=8, leading=10, textColor=MUTED, alignment=TA_RIGHT)
SUBHEADING = ParagraphStyle(
    "subheading", parent=BODY, fontSize=8.5, leading=11, spaceBefore=5, spaceAfter=2, keepWithNext=1
)
SUBHEADING_RUN_ON = ParagraphStyle("subheading_run_on", parent=SUBHEADING, keepWithNext=0)
NARRATIVE = ParagraphStyle("narrative", parent=BODY, leading=12, spaceAfter=3)
CAPTION = ParagraphStyle("caption", parent=BODY, fontSize=SMALL_SIZE, leading=9.5, textColor=MUTED, spaceBefore=1)
SMALL_BULLET = ParagraphStyle("small_bullet", parent=BULLET, fontSize=SMALL_SIZE, leading=9.5, spaceBefore=1)
WARNING = ParagraphStyle("warning", parent=BODY, fontName=BOLD, fontSize=8.5, leading=11, textColor=ALERT)
LETTERHEAD_NAME = ParagraphStyle(
    "letterhead_name", parent=BODY, fontName=BOLD, fontSize=13, leading=16, textColor=ACCENT
)
LETTERHEAD_LINE = ParagraphStyle("letterhead_line", parent=BODY, fontSize=8.5, leading=11, textColor=INK)
FOOTER = ParagraphStyle("footer", parent=BODY, fontSize=SMALL_SIZE, leading=9, textColor=MUTED, alignment=TA_LEFT)

# Column widths (mm) of each table; each row sums to the 174 mm content width.
KV_TWO_PAIRS = (36, 51, 36, 51)
KV_ONE_PAIR = (50, 124)
TARGETS_MBB = (22, 30, 24, 98)
TARGETS = (40, 60, 74)
MEDICATIONS = (44, 22, 60, 24, 24)
BOTOX_SITES = (66, 22, 26, 30, 30)
DECISION = (19, 155)
# The relief chart as a small figure beside the relief figures.
CHART_WIDTH = 84 * mm
# Each page's QR code (render.page_code_text), at the header's right end.
PAGE_CODE_SIZE = 16 * mm
CHART_HEIGHT = 34 * mm
SIGNATURE = (23, 40, 23, 37, 23, 28)
CODES = (30, 12, 70, 62)
HEADER = (110, 48, 16)  # identification, title, and the room for the page's QR code
# The letterhead logo is scaled to this height, narrower if it would be wider than LOGO_MAX_WIDTH.
LOGO_HEIGHT = 14 * mm
LOGO_MAX_WIDTH = 70 * mm
LETTERHEAD_GAP = 3 * mm


def widths(cols: tuple[float, ...]) -> list[float]:
    return [c * mm for c in cols]


# The table styles below are built once and shared by every table of every note (a TableStyle is only read
# when applied); building them again for each table was measurable in a note of twenty tables.
# Cells holding plain strings (blank signature lines, padding cells) would otherwise be drawn in
# Helvetica, a font the PDF would reference without embedding.
_CELL_FONT = [("FONTNAME", (0, 0), (-1, -1), REGULAR), ("FONTSIZE", (0, 0), (-1, -1), BODY_SIZE)]


@cache
def layout_table_style() -> TableStyle:
    """Tables used only to place blocks side by side: no lines, no padding."""
    return TableStyle(
        _CELL_FONT
        + [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ]
    )


@cache
def grid_table_style() -> TableStyle:
    """Data tables: light grid, shaded header row, zebra rows for reading across."""
    return TableStyle(
        _CELL_FONT
        + [
            ("GRID", (0, 0), (-1, -1), 0.4, RULE),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ROW_FILL]),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 2.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
    )


@cache
def kv_table_style() -> TableStyle:
    """Label/value blocks: no grid, a hairline under each row so the eye follows the line."""
    return TableStyle(
        _CELL_FONT
        + [
            ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 2),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 2.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
    )


@cache
def signature_table_style() -> TableStyle:
    """Blank lines to sign on, one row: the physician's name, the signature and the date/time."""
    return TableStyle(
        _CELL_FONT
        + [
            ("LINEBELOW", (1, 0), (1, 0), 0.6, INK),
            ("LINEBELOW", (3, 0), (3, 0), 0.6, INK),
            ("LINEBELOW", (5, 0), (5, 0), 0.6, INK),
            ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ("LEFTPADDING", (0, 0), (-1, -1), 2),
            ("RIGHTPADDING", (0, 0), (-1, -1), 6),
            ("TOPPADDING", (0, 0), (-1, -1), 14),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]
    )


@cache
def warning_box_style() -> TableStyle:
    """A red-ruled box: warnings about the note itself, not about the patient."""
    return TableStyle(
        _CELL_FONT
        + [
            ("BOX", (0, 0), (-1, -1), 0.8, ALERT),
            ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#FBEDEB")),
            ("LEFTPADDING", (0, 0), (-1, -1), 5),
            ("RIGHTPADDING", (0, 0), (-1, -1), 5),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]
    )


def diary_table_style() -> TableStyle:
    """The patient's diary sheet: a grid to write in, the 0-10 scores centred in their own boxes."""
    return TableStyle(
        _CELL_FONT
        + [
            ("GRID", (0, 0), (-1, -1), 0.5, RULE),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
            ("ALIGN", (2, 0), (-2, -1), "CENTER"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]
    )
