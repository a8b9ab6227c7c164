"""Renders NoteContent to PDF bytes: page furniture (header, footer, watermark) around the story."""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from xml.sax.saxutils import escape

from reportlab.graphics.barcode import qrencoder
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, Image, PageTemplate, Paragraph, Spacer
from reportlab.platypus import Table as RLTable

from facetdesk.note import styles as st
from facetdesk.note.content import Letterhead, NoteContent
from facetdesk.note.fonts import BOLD, REGULAR, register_fonts
from facetdesk.note.paragraphs import NoteParagraph
from facetdesk.note.story import build_story, para

PageSize = Literal["letter", "a4"]


class _NumberedCanvas(Canvas):
    """Holds pages back until the end so each can print "Page x of y"."""

    def __init__(self, *args: Any, pdf_date: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held_pages: list[dict] = []
        # The creation date is the note's generation time, not the wall clock: same content, same bytes.
        self.setDateFormatter(lambda *_: pdf_date)

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held_pages)
        for state in self._held_pages:
            self.__dict__.update(state)
            page_width = self._pagesize[0]
            self.setFont(REGULAR, st.SMALL_SIZE)
            self.setFillColor(st.MUTED)
            self.drawRightString(
                (page_width + st.CONTENT_WIDTH) / 2, st.FOOTER_Y, f"Page {self._pageNumber} of {total}"
            )
            super().showPage()
        super().save()


def numbered_canvas(generated_at: datetime) -> Callable[..., Canvas]:
    """doc.build's canvasmaker: "Page x of y" in each page's footer, and ``generated_at`` as the PDF's date."""
    pdf_date = generated_at.strftime("D:%Y%m%d%H%M%S")

    def make(*args: Any, **kwargs: Any) -> _NumberedCanvas:
        return _NumberedCanvas(*args, pdf_date=pdf_date, **kwargs)

    return make


def page_header(c: NoteContent) -> RLTable:
    """Every page names the patient: a page separated from the rest must still be attributable."""
    p = c.patient
    ids = f"MRN {p.mrn}   ·   DOB {p.date_of_birth}   ·   Date of service {c.service_date} {c.service_time}"
    right = [para(c.clinic_name, st.HEADER_RIGHT)] if c.clinic_name else []
    right.append(para(c.title, st.HEADER_RIGHT))
    table = RLTable(
        # The third cell only holds the room for the page's QR code, drawn there on each page.
        [[[para(p.name, st.HEADER_NAME), para(ids, st.HEADER_IDS)], right, Spacer(1, st.PAGE_CODE_SIZE)]],
        colWidths=st.widths(st.HEADER),
    )
    table.setStyle(st.layout_table_style())
    return table


def page_code_text(c: NoteContent, page: int) -> str:
    """What each page's QR code carries, for a clinic that scans paper charts back in: who, which procedure,
    which document and which page ("FACETDESK;DOC=procedure-note;MRN=...;UID=...;PAGE=2")."""
    return f"FACETDESK;DOC={c.document};MRN={c.patient.mrn};UID={c.procedure_uid};PAGE={page}"


# The quiet zone around a QR code, in modules (the standard's four).
_QR_QUIET = 4


def qr_modules(text: str) -> list[list[bool]]:
    """The dark (True) and light modules of ``text``'s QR code, error correction L (reportlab's encoder).

    L, not M: the code fits 16 mm either way, and L's smaller symbol (37 modules, not 41, for a 90-character
    page code) gives each module 0.36 mm instead of 0.33. At M, zbarimg read no code on A4 pages scanned at
    200 dpi (tests/note/test_note_page_codes reads Letter and A4); L still restores 7% of a smudged symbol.
    """
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.L)
    qr.addData(text)
    # The mask pattern the standard's penalty rules choose: with a fixed one, some codes of this size were not
    # read at 200 dpi (tests/note/test_note_page_codes reads every page with zbarimg).
    qr.make()
    return [[bool(m) for m in row] for row in qr.modules]


def _draw_page_code(canv: Canvas, c: NoteContent, x: float, y: float) -> None:
    """The page's QR code, PAGE_CODE_SIZE square with its quiet zone, its lower left corner at (x, y); each run of
    dark modules in a row is one filled rectangle drawn straight on the canvas."""
    modules = qr_modules(page_code_text(c, canv.getPageNumber()))
    size = st.PAGE_CODE_SIZE
    n = len(modules) + 2 * _QR_QUIET
    canv.saveState()
    # Drawn in module units (whole numbers: the PDF's numbers stay short), as one path of a rectangle per run.
    canv.translate(x, y)
    canv.scale(size / n, size / n)
    canv.setFillColorRGB(0, 0, 0)
    path = canv.beginPath()
    for r, row in enumerate(modules):
        col = 0
        for dark, run in itertools.groupby(row):
            count = len(list(run))
            if dark:
                path.rect(col + _QR_QUIET, n - _QR_QUIET - 1 - r, count, 1)
            col += count
    canv.drawPath(path, stroke=0, fill=1)
    canv.restoreState()


def page_footer(c: NoteContent) -> Paragraph:
    """The note's status and generation time, left of the page number."""
    return NoteParagraph(
        f'<font name="{BOLD}" color="{st.ALERT.hexval()}">{escape(c.status)}</font>'
        f"   ·   Generated {escape(c.generated_label)}",
        st.FOOTER,
    )


def _logo(data: bytes) -> Flowable:
    """The logo at LOGO_HEIGHT, or narrower when wide; an unreadable image is named, not dropped silently."""
    try:
        width, height = ImageReader(io.BytesIO(data)).getSize()
    except Exception:  # noqa: BLE001 (any decoding failure means the same: no logo can be drawn)
        return para("[logo could not be read]", st.HEADER_RIGHT)
    scale = min(st.LOGO_HEIGHT / height, st.LOGO_MAX_WIDTH / width)
    return Image(io.BytesIO(data), width=width * scale, height=height * scale, hAlign="LEFT")


def _letterhead(lh: Letterhead) -> RLTable | None:
    """Clinic name, address and phone beside the logo, on the first page."""
    if lh.empty:
        return None
    text = [para(lh.name, st.LETTERHEAD_NAME)] if lh.name else []
    # Address and phone run on one line: the letterhead is not where page 1's room should go.
    contact = [*lh.address, *([f"Phone {lh.phone}"] if lh.phone else [])]
    if contact:
        text.append(para(" · ".join(contact), st.LETTERHEAD_LINE))
    if lh.logo:
        logo = _logo(lh.logo)
        logo_width = logo.wrap(st.LOGO_MAX_WIDTH, st.LOGO_HEIGHT)[0]
        gap = 5 * mm
        cells, widths = [[logo, text]], [logo_width + gap, st.CONTENT_WIDTH - logo_width - gap]
    else:
        cells, widths = [[text]], [st.CONTENT_WIDTH]
    table = RLTable(cells, colWidths=widths, hAlign="LEFT")
    table.setStyle(st.layout_table_style())
    return table


@dataclass(frozen=True)
class _LaidOut:
    """A flowable wrapped once, so every page can draw it without laying it out again."""

    flowable: Flowable
    height: float

    @classmethod
    def of(cls, flowable: Flowable, width: float, height: float = 1000 * mm) -> _LaidOut:
        return cls(flowable, flowable.wrap(width, height)[1])


def _page_decorator(c: NoteContent, header: _LaidOut, footer: _LaidOut, letterhead: _LaidOut | None = None):
    """Page furniture; with a letterhead, it sits above the identification header.

    The header, footer and letterhead are laid out once per note and only drawn on each page: they are
    the same on every page, and laying them out again for each page took longer than drawing them.
    """

    def on_page(canv: Canvas, doc: BaseDocTemplate) -> None:
        width, height = doc.pagesize
        left = (width - st.CONTENT_WIDTH) / 2
        canv.saveState()
        if c.watermark:
            # Drawn first, so it sits under the text; light enough not to hide it.
            canv.setFont(BOLD, 110)
            canv.setFillColor(st.WATERMARK)
            canv.translate(width / 2, height / 2)
            canv.rotate(45)
            canv.drawCentredString(0, -38, c.watermark)
            canv.rotate(-45)
            canv.translate(-width / 2, -height / 2)
        top = height - st.MARGIN_TOP
        if letterhead is not None:
            letterhead.flowable.drawOn(canv, left, top - letterhead.height)
            top -= letterhead.height + st.LETTERHEAD_GAP
            canv.setStrokeColor(st.ACCENT)
            canv.setLineWidth(1.2)
            canv.line(left, top + st.LETTERHEAD_GAP / 2, left + st.CONTENT_WIDTH, top + st.LETTERHEAD_GAP / 2)
        header.flowable.drawOn(canv, left, top - header.height)
        # The page code sits at the header's right end, in the room the header leaves for it.
        _draw_page_code(canv, c, left + st.CONTENT_WIDTH - st.PAGE_CODE_SIZE, top - st.PAGE_CODE_SIZE)
        canv.setStrokeColor(st.RULE)
        canv.setLineWidth(0.6)
        rule_y = top - header.height - 2 * mm
        canv.line(left, rule_y, left + st.CONTENT_WIDTH, rule_y)
        canv.line(left, st.FOOTER_Y + 4 * mm, left + st.CONTENT_WIDTH, st.FOOTER_Y + 4 * mm)
        footer.flowable.drawOn(canv, left, st.FOOTER_Y - 1)
        canv.restoreState()

    return on_page


def body_frame(pagesize: tuple[float, float], top: float, frame_id: str) -> Frame:
    """The text's frame on a page: the content width, centred, from ``top`` below the page's top to the footer."""
    width, height = pagesize
    return Frame(
        (width - st.CONTENT_WIDTH) / 2,
        st.MARGIN_BOTTOM,
        st.CONTENT_WIDTH,
        height - top - st.MARGIN_BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id=frame_id,
    )


def render_note(content: NoteContent, *, page_size: PageSize | str | None = None) -> bytes:
    """The note as PDF bytes; the same content always renders to the same bytes.

    ``page_size`` ("letter" or "a4", checked here: it may come from a command line) overrides the clinic's
    paper size carried in the content.
    """
    return _render(content, build_story(content), page_size)


def render_handout(content: NoteContent, *, page_size: PageSize | str | None = None) -> bytes:
    """The patient's handout (instructions and pain diary sheet) as PDF bytes, from the note's content."""
    from facetdesk.note.handout import handout_content, handout_story

    handout = handout_content(content)
    return _render(handout, handout_story(handout), page_size)


def _render(content: NoteContent, story: list[Flowable], page_size: PageSize | str | None) -> bytes:
    page_size = page_size or content.page_size
    if page_size not in st.PAGE_SIZES:
        raise ValueError(f"page_size must be one of {', '.join(st.PAGE_SIZES)}, not {page_size!r}")
    register_fonts()
    pagesize = st.PAGE_SIZES[page_size]
    header = _LaidOut.of(page_header(content), st.CONTENT_WIDTH)
    footer = _LaidOut.of(page_footer(content), st.CONTENT_WIDTH - 30 * mm, 10 * mm)
    letterhead_table = _letterhead(content.letterhead)
    letterhead = _LaidOut.of(letterhead_table, st.CONTENT_WIDTH) if letterhead_table is not None else None
    body_top = st.MARGIN_TOP + header.height + st.HEADER_GAP
    first_top = body_top + (letterhead.height + st.LETTERHEAD_GAP if letterhead else 0)
    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf,
        pagesize=pagesize,
        invariant=1,
        # Otherwise the canvas starts in Helvetica, a non-embedded font every page would reference.
        initialFontName=REGULAR,
        initialFontSize=st.BODY_SIZE,
        title=content.title,
        author=content.physician,
        subject=content.summary,
        creator="FacetDesk",
        producer="FacetDesk (reportlab)",
    )
    # The first page carries the clinic letterhead above the identification header; every later
    # page carries the identification header alone, so a separated page is still attributable.
    doc.addPageTemplates(
        [
            PageTemplate(
                id="first",
                frames=[body_frame(pagesize, first_top, "first")],
                onPage=_page_decorator(content, header, footer, letterhead),
                autoNextPageTemplate="later",
            ),
            PageTemplate(
                id="later",
                frames=[body_frame(pagesize, body_top, "later")],
                onPage=_page_decorator(content, header, footer),
            ),
        ]
    )
    doc.build(story, canvasmaker=numbered_canvas(content.generated_at))
    return buf.getvalue()
