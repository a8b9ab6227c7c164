"""The patient's handout, separate from the chart note: discharge instructions and a pain diary sheet."""

from __future__ import annotations

import dataclasses
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Spacer
from reportlab.platypus import Table as RLTable

from facetdesk.note import styles as st
from facetdesk.note.content import NoteContent
from facetdesk.note.paragraphs import NoteParagraph
from facetdesk.note.story import bullets, heading, para

HANDOUT_TITLE = "After your procedure"
HANDOUT_STATUS = "For the patient"
SCORES = tuple(str(n) for n in range(11))


def _return_line(c: NoteContent) -> str:
    phone = c.letterhead.phone
    where = f"or call the clinic at {phone}" if phone else "or call the clinic"
    follow = f" ({c.follow_up})" if c.follow_up and c.follow_up != "not recorded" else ""
    return f"Bring this sheet to your next visit{follow}, {where} and read out your scores."


def _instructions(c: NoteContent) -> list[Flowable]:
    lines = c.discharge_instructions + c.patient_instructions
    out: list[Flowable] = [
        para(HANDOUT_TITLE, st.TITLE),
        para(f"{c.procedure_performed} on {c.service_date} at {c.service_time}, by {c.physician}.", st.SUBTITLE),
        heading("What to do and what to watch for"),
    ]
    return out + bullets(lines or ("Follow the instructions your care team gave you.",))


def _diary_sheet(c: NoteContent) -> list[Flowable]:
    intro = (
        "At each time below, circle how much pain you have, from 0 (no pain) to 10 (the worst pain you can "
        "imagine), and write what you were doing. The times are counted from your injection at "
        f"{c.service_time} on {c.service_date}."
    )
    pain = para("Pain: circle one (0 = none, 10 = worst)", st.CELL_HEAD)
    rows = [[para("Time", st.CELL_HEAD), para("Clock time", st.CELL_HEAD), pain, *([""] * (len(SCORES) - 1)),
             para("What you were doing", st.CELL_HEAD)]]  # fmt: skip
    for label, clock in c.diary_sheet:
        rows.append([para(label, st.CELL), para(clock, st.CELL), *(para(s, st.CELL) for s in SCORES), ""])
    score_width = 6.2 * mm
    widths = [20 * mm, 30 * mm, *(score_width for _ in SCORES)]
    widths.append(st.CONTENT_WIDTH - sum(widths))
    table = RLTable(
        rows, colWidths=widths, repeatRows=1, hAlign="LEFT", rowHeights=[None] + [9 * mm] * len(c.diary_sheet)
    )
    table.setStyle(st.diary_table_style())
    table.setStyle([("SPAN", (2, 0), (1 + len(SCORES), 0))])
    return [
        PageBreak(),
        heading("Your pain diary"),
        para(intro, st.LINE),
        Spacer(1, 2 * mm),
        KeepTogether([table]),
        Spacer(1, 3 * mm),
        NoteParagraph(f"<b>{escape(_return_line(c))}</b>", st.LINE),
    ]


def handout_story(c: NoteContent) -> list[Flowable]:
    return _instructions(c) + _diary_sheet(c)


def handout_content(c: NoteContent) -> NoteContent:
    """The note's content dressed as the handout: its own title, no DRAFT watermark (it is not the chart's note)."""
    return dataclasses.replace(c, title=HANDOUT_TITLE, status=HANDOUT_STATUS, watermark="", document="patient-handout")
