"""An addendum's own pages, appended to the signed note and signed by their author (never a re-render)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer

from facetdesk.note import styles as st
from facetdesk.note.blocks import signed_line
from facetdesk.note.fonts import REGULAR, register_fonts
from facetdesk.note.paragraphs import NoteParagraph


@dataclass(frozen=True)
class AddendumPage:
    """What an addendum page shows: whose note it belongs to, the addendum, and its signature."""

    patient_name: str
    mrn: str
    date_of_birth: str
    service: str  # date and time of the procedure
    number: int
    author: str
    written_at: str
    text: str
    signed_by: str
    signed_at_text: str
    key_fingerprint: str
    page_size: str = "letter"


def render_addendum(page: AddendumPage) -> bytes:
    """The addendum as PDF pages of the note's size, header naming the patient on every page."""
    register_fonts()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=st.PAGE_SIZES.get(page.page_size, st.PAGE_SIZES["letter"]),
        leftMargin=st.MARGIN_X,
        rightMargin=st.MARGIN_X,
        topMargin=st.MARGIN_TOP + 6 * mm,
        bottomMargin=st.MARGIN_BOTTOM,
        invariant=1,
        initialFontName=REGULAR,
        title=f"Addendum {page.number}",
        creator="FacetDesk",
    )
    ids = f"MRN {page.mrn}   ·   DOB {page.date_of_birth}   ·   Date of service {page.service}"
    story = [
        NoteParagraph(escape(page.patient_name), st.HEADER_NAME),
        NoteParagraph(escape(ids), st.HEADER_IDS),
        Spacer(1, 6),
        NoteParagraph(f"Addendum {page.number} to the signed procedure note", st.TITLE),
        NoteParagraph(escape(f"Written by {page.author} on {page.written_at}"), st.SUBTITLE),
        Spacer(1, 6),
    ]
    for block in page.text.replace("\r\n", "\n").split("\n\n"):
        if block.strip():
            story.append(NoteParagraph(escape(block.strip()).replace("\n", "<br/>"), st.NOTES))
    story += [
        Spacer(1, 8),
        NoteParagraph(
            f"<b>{escape(signed_line(page.signed_by, page.signed_at_text, page.key_fingerprint))}</b>", st.LINE
        ),
        NoteParagraph(
            "This page was added after the note was signed; the note's own pages are unchanged.", st.SMALL_LINE
        ),
    ]
    doc.build(story)
    return buf.getvalue()
