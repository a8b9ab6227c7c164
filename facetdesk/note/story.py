"""The note's body: NoteContent -> a list of platypus flowables, section by section."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Spacer
from reportlab.platypus import Image as RLImage
from reportlab.platypus import Table as RLTable

from facetdesk.note import styles as st
from facetdesk.note.chart import relief_chart_drawing
from facetdesk.note.content import NOT_ACKNOWLEDGED, DecisionSupportBlock, Fields, NoteContent, Table
from facetdesk.note.paragraphs import NoteParagraph


def typed(text: str) -> str:
    """User text as Paragraph markup: &, < and > escaped to print literally, and its line breaks kept (a
    physician's findings typed as lines must not run together)."""
    return escape(text).replace("\n", "<br/>")


def para(text: str, style: ParagraphStyle = st.BODY) -> Paragraph:
    return NoteParagraph(typed(text), style)


def labelled(label: str, text: str, style: ParagraphStyle = st.LINE) -> Paragraph:
    return NoteParagraph(f"<b>{escape(label)}:</b> {typed(text)}", style)


def heading(text: str, style: ParagraphStyle = st.HEADING) -> Paragraph:
    return NoteParagraph(escape(text), style)


# How many lines of free text a heading needs under it on its page (no heading over a lone line), and how
# many lines a paragraph may have and still move whole to the next page with its heading.
_RUN_ON_LINES = 3
_KEPT_WHOLE_LINES = 8


def run_on(headings: list[Paragraph], first: Paragraph) -> list[Flowable]:
    """Headings (in styles without keepWithNext) over free text that may be long: a short first paragraph stays
    whole with them; a long one starts under them on this page when its first lines fit there.

    keepWithNext holds a heading to the whole of the next paragraph, so a paragraph longer than the room left
    moved to the next page with its heading and left the rest of the page blank.
    """
    if first.wrap(st.CONTENT_WIDTH, st.CONTENT_WIDTH)[1] <= _KEPT_WHOLE_LINES * first.style.leading:
        return [KeepTogether([*headings, first])]
    room = sum(h.style.spaceBefore + h.style.leading + h.style.spaceAfter for h in headings)
    return [CondPageBreak(room + first.style.spaceBefore + _RUN_ON_LINES * first.style.leading), *headings, first]


def kv_table(fields: Fields, pairs_per_row: int = 2) -> RLTable:
    cols = st.KV_TWO_PAIRS if pairs_per_row == 2 else st.KV_ONE_PAIR
    rows = []
    for i in range(0, len(fields), pairs_per_row):
        row: list[Flowable | str] = []
        for label, value in fields[i : i + pairs_per_row]:
            row += [para(label, st.LABEL), para(value, st.CELL)]
        row += [""] * (2 * pairs_per_row - len(row))
        rows.append(row)
    table = RLTable(rows, colWidths=st.widths(cols), hAlign="LEFT")
    table.setStyle(st.kv_table_style())
    return table


def data_table(table: Table, cols: tuple[float, ...]) -> Flowable:
    if not table.rows:
        return para(table.empty, st.LINE)
    data = [[para(h, st.CELL_HEAD) for h in table.header]]
    data += [[para(cell, st.CELL) for cell in row] for row in table.rows]
    # repeatRows: a table that breaks across pages keeps its column names on the next page.
    out = RLTable(data, colWidths=st.widths(cols), repeatRows=1, hAlign="LEFT")
    out.setStyle(st.grid_table_style())
    return out


def bullets(lines: tuple[str, ...] | list[str], style: ParagraphStyle = st.BULLET) -> list[Flowable]:
    return [NoteParagraph(escape(line), style, bulletText="•") for line in lines]


def subheading(text: str, style: ParagraphStyle = st.SUBHEADING) -> Paragraph:
    return NoteParagraph(f"<b>{escape(text)}</b>", style)


def _title(c: NoteContent) -> RLTable:
    left = [para(c.title, st.TITLE), para(c.summary, st.SUBTITLE)]
    table = RLTable([[left, para(c.status, st.STATUS)]], colWidths=st.widths(st.HEADER), hAlign="LEFT")
    table.setStyle(st.layout_table_style())
    return table


def _warnings(c: NoteContent) -> list[Flowable]:
    """Printed at the top: a reader must know some text prints as boxes before trusting any of it."""
    if not c.warnings:
        return []
    box = RLTable([[[para(w, st.WARNING) for w in c.warnings]]], colWidths=[st.CONTENT_WIDTH], hAlign="LEFT")
    box.setStyle(st.warning_box_style())
    return [Spacer(1, 2 * mm), box]


def _critical(c: NoteContent) -> list[Flowable]:
    """Page 1 names every critical finding and how it was acknowledged, before any other content."""
    lines = c.decision_support.critical
    if not lines:
        return []
    box = RLTable([[[para(line, st.WARNING) for line in lines]]], colWidths=[st.CONTENT_WIDTH], hAlign="LEFT")
    box.setStyle(st.warning_box_style())
    return [Spacer(1, 2 * mm), box]


def _patient(c: NoteContent) -> list[Flowable]:
    p = c.patient
    # Name, MRN and date of birth head every page (render.page_header): not repeated here.
    fields: Fields = (
        ("Age at procedure", p.age_at_procedure),
        ("Sex", p.sex),
        ("Weight", p.weight),
        ("Date/time of service", f"{c.service_date} {c.service_time}"),
        ("Physician", c.physician),
    )
    return [heading("Patient and service"), run_in(fields)]


def _diagnosis_line(label: str, table: Table) -> Paragraph:
    text = "; ".join(f"{code} {title}".strip() for code, title in table.rows) or table.empty
    return labelled(label, text)


def run_in(fields: Fields, style: ParagraphStyle = st.LINE) -> Paragraph:
    """Label: value pairs run together in one paragraph ("Diabetes: Yes · Allergies: latex"), for facts read as
    a list rather than compared in columns."""
    return NoteParagraph(" · ".join(f"<b>{escape(label)}:</b> {typed(value)}" for label, value in fields), style)


def _indication(c: NoteContent) -> list[Flowable]:
    """Why: the diagnoses, the LCD's indication elements and the risk facts, compact."""
    return [
        heading("Indication"),
        _diagnosis_line("Pre-procedure diagnosis", c.diagnoses),
        _diagnosis_line("Post-procedure diagnosis", c.post_diagnoses),
        run_in(c.indication),
        run_in((("Risk factors — " + c.risk_facts[0][0], c.risk_facts[0][1]), *c.risk_facts[1:])),
        labelled("Prior facet procedures", _prior_text(c)),
    ]


def _prior_text(c: NoteContent) -> str:
    """Procedures of one kind together, with their dates: 'Medial branch block, Diagnostic, ...: 2026-04-14,
    2026-06-02'."""
    dates: dict[str, list[str]] = {}
    for row in c.prior_procedures.rows:
        dates.setdefault(", ".join(row[1:]), []).append(row[0])
    listed = "; ".join(f"{kind}: {', '.join(when)}" for kind, when in dates.items())
    return ". ".join(part for part in (listed or c.prior_procedures.empty, c.prior_summary) if part)


def _procedure(c: NoteContent) -> list[Flowable]:
    """What was done, once: consent and time-out, the narrative, radiation and images, the levels with their
    nerves, the drugs, the toxin sites."""
    mbb = len(c.targets.header) == 4
    out: list[Flowable] = [heading("Procedure"), para(c.procedure_performed, st.LINE)]
    out += [run_in(c.consent), Spacer(1, 1 * mm)]
    out += [para(p, st.NARRATIVE) for p in c.narrative]
    if c.radiation:
        out.append(run_in(c.radiation))
    if c.images:
        out.append(_images(c))
    # A short table is one block: its header never sits alone at the foot of a page.
    if c.targets.rows:  # none on a toxin-only visit: its sites are the toxin's table
        out.append(KeepTogether([data_table(c.targets, st.TARGETS_MBB if mbb else st.TARGETS)]))
    out += [para(line, st.SMALL_LINE) for line in c.nerves]
    # The heading inside the table's KeepTogether: reportlab's keepWithNext never binds a KeepTogether to the
    # heading before it, which was then left alone at the foot of a page.
    out.append(KeepTogether([subheading("Medications"), data_table(c.medications, st.MEDICATIONS)]))
    b = c.botox
    if b is not None:
        line = labelled("Botulinum toxin", f"{b.product}; {b.dilution}; total {b.total_units}")
        out.append(KeepTogether([Spacer(1, 1.5 * mm), line, data_table(b.sites, st.BOTOX_SITES)]))
    return out


def _after(c: NoteContent) -> list[Flowable]:
    """Complications and the post-procedure check."""
    fields: Fields = (
        *c.post_check,
        ("Findings", c.procedure_findings),
        ("Complications", "; ".join(c.complications)),
    )
    if c.complication_details:
        fields += (("Complication details", c.complication_details),)
    fields += (("Estimated blood loss", c.estimated_blood_loss), ("Disposition", c.disposition), *c.later)
    # Findings and complication details are free text: the paragraph may run on past the page.
    return run_on([heading("Complications and post-procedure check", st.HEADING_RUN_ON)], run_in(fields))


def _widest_word(texts: list[str], style: ParagraphStyle) -> float:
    return max((stringWidth(word, style.fontName, style.fontSize) for t in texts for word in t.split()), default=0.0)


def _pain_table(c: NoteContent) -> list[Flowable]:
    """The scores across the page: one column per time point, NRS and relief below it.

    A column is never narrower than its longest word ("87.5%", "Before", "min"): a long diary goes on in a second
    band of columns below the first rather than breaking a score or a relief across lines, where "87.5%" would
    read as "87", ".5" and "%".
    """
    p = c.pain
    if not p.scores.rows:
        return [para(p.scores.empty, st.LINE)] if p.scores.empty else []
    scores = p.scores.rows
    padding = 8 + 2  # the grid's left and right padding, and a point each side for the font's rounding
    heads, cells = [t for row in scores for t in (row[0],)], [t for row in scores for t in row[1:3]]
    column = max(_widest_word(heads, st.CELL_HEAD), _widest_word(cells, st.CELL)) + padding
    first = 22.0 * mm
    before = max(_widest_word(["Before"], st.CELL_HEAD), _widest_word([p.baseline], st.CELL)) + padding
    fit = max(1, int((st.CONTENT_WIDTH - first - before) // column))
    bands = -(-len(scores) // fit)
    per_band = -(-len(scores) // bands)  # as even as the bands can be
    out: list[Flowable] = []
    for start in range(0, len(scores), per_band):
        band = scores[start : start + per_band]
        lead = [[para("Time", st.CELL_HEAD)], [para(p.scale, st.CELL_HEAD)], [para("Relief", st.CELL_HEAD)]]
        if start == 0:  # the score before the injection, once: every relief is measured against it
            lead = [lead[0] + [para("Before", st.CELL_HEAD)], lead[1] + [para(p.baseline, st.CELL)],
                    lead[2] + [para("", st.CELL)]]  # fmt: skip
        rows = [
            [*lead[0], *(para(row[0], st.CELL_HEAD) for row in band)],
            [*lead[1], *(para(row[1], st.CELL) for row in band)],
            [*lead[2], *(para(row[2], st.CELL) for row in band)],
        ]
        # Every band's time columns as wide as the first band's, and under them.
        width = (st.CONTENT_WIDTH - first - before) / per_band
        lead_widths = [first, before] if start == 0 else [first + before]
        table = RLTable(rows, colWidths=lead_widths + [width] * len(band), hAlign="LEFT")
        table.setStyle(st.grid_table_style())
        out += [Spacer(1, 1.5 * mm)] if start > 0 else []
        out.append(table)
    activities = [f"{row[0]}: {row[3]}" for row in scores if row[3]]
    if activities:
        out.append(labelled("Provoking activity", "; ".join(activities), st.SMALL_LINE))
    return out


def _pain(c: NoteContent) -> list[Flowable]:
    p = c.pain
    # One block, heading to chart: never a heading or a table alone at the foot of a page.
    out: list[Flowable] = [heading("Pain response"), *_pain_table(c)]
    summary = [NoteParagraph(f"<b>{escape(p.peak)}</b>", st.LINE), *(para(line, st.LINE) for line in p.durations)]
    if p.chart is not None:
        # A small figure beside the figures it draws, its caption under them; never split.
        summary.append(para(p.chart.caption, st.CAPTION))
        figure = relief_chart_drawing(p.chart, width=st.CHART_WIDTH, height=st.CHART_HEIGHT)
        side = RLTable([[summary, figure]], colWidths=[st.CONTENT_WIDTH - st.CHART_WIDTH, st.CHART_WIDTH])
        side.setStyle(st.layout_table_style())
        out += [Spacer(1, 1.5 * mm), side]
    else:
        out += summary
        if p.chart_note:
            out.append(para(p.chart_note, st.SMALL_LINE))
    return [KeepTogether(out)]


def _ref(source: str | None) -> str:
    return f" [{source}]" if source is not None else ""


def _images(c: NoteContent) -> Flowable:
    """The images in one row, each at most 38 mm square, captioned; the count of those not printed after."""
    side = 38 * mm
    cells = []
    for image in c.images:
        scale = side / max(image.width, image.height)
        picture = RLImage(io.BytesIO(image.png), width=image.width * scale, height=image.height * scale)
        cells.append([picture, para(image.caption, st.SMALL_LINE)])
    row = RLTable([cells], colWidths=[side + 3 * mm] * len(cells), hAlign="LEFT")
    more = f"{c.images_not_printed} more image(s) in the record, not printed." if c.images_not_printed else ""
    return KeepTogether([row, *([para(more, st.SMALL_LINE)] if more else [])])


def _interpretation(c: NoteContent) -> list[Flowable]:
    """What the result means and what comes next."""
    d = c.decision_support
    out: list[Flowable] = [heading("Interpretation and plan")]
    for label, lines in (("Block response", d.relief_interpretation), ("Next step (decision support)", d.next_steps)):
        out += [NoteParagraph(f"<b>{label}:</b> {escape(line.text + _ref(line.source))}", st.LINE) for line in lines]
    out.append(labelled("Follow-up", c.follow_up))
    if c.follow_up_visits:
        out.append(labelled("Follow-up visits since", "; ".join(c.follow_up_visits)))
    return out


def _flagged_table(d: DecisionSupportBlock) -> Flowable:
    if not d.flagged:
        return para(d.nothing_flagged, st.LINE)
    data: list[list[Flowable]] = [[para("Severity", st.CELL_HEAD), para("Finding and acknowledgement", st.CELL_HEAD)]]
    for row in d.flagged:
        severity_style = st.SEVERITY_HIGH if row.severity in ("WARNING", "CRITICAL") else st.SEVERITY
        cell = [NoteParagraph(f"<b>{escape(row.title or row.rule)}:</b> {escape(row.message + _ref(row.source))}",
                              st.CELL)]  # fmt: skip
        if row.acknowledgement:
            ack_style = st.SEVERITY_HIGH if row.acknowledgement == NOT_ACKNOWLEDGED else st.CELL
            cell.append(para(row.acknowledgement, ack_style))
        data.append([para(row.severity, severity_style), cell])
    out = RLTable(data, colWidths=st.widths(st.DECISION), repeatRows=1, hAlign="LEFT")
    out.setStyle(st.grid_table_style())
    return out


def _decision_support(c: NoteContent) -> list[Flowable]:
    d = c.decision_support
    out: list[Flowable] = [heading("Decision support")]
    if not d.ran:
        return out + [para(d.not_run, st.LINE)]
    out.append(_flagged_table(d))
    # The count, acknowledgements, disclaimer and sources read as one block: keep them on one page.
    tail: list[Flowable] = []
    if d.acknowledgements_on_record:
        tail.append(NoteParagraph("<b>Acknowledgements on record</b>", st.LINE))
        tail += bullets(d.acknowledgements_on_record)
    tail.append(para(f"{d.met_line}. {d.disclaimer}", st.SOURCES))
    if d.sources:
        tail.append(para("Sources: " + " ".join(f"[{n}] {s}" for n, s in enumerate(d.sources, start=1)), st.SOURCES))
    out.append(KeepTogether(tail))
    return out


def _codes(c: NoteContent) -> list[Flowable]:
    """Codes last, one short line each, for the coder."""
    coding = c.coding
    if coding is None:
        return []
    # The detail up to its colon ("4 trunk muscles (counted per side)"): the muscles are in the toxin table.
    lines = [
        f"{code} ×{units} — {(detail or description).split(': ')[0]}"
        for table in (coding.procedure_codes, coding.drug_codes)
        for code, units, description, detail in table.rows
    ] or [coding.procedure_codes.empty]
    out: list[Flowable] = [heading("Codes (suggested; the coder confirms)")]
    # Two columns of one-line codes, read down the left then the right.
    half = (len(lines) + 1) // 2
    columns = [[para(line, st.CELL) for line in lines[:half]], [para(line, st.CELL) for line in lines[half:]]]
    table = RLTable([columns], colWidths=[st.CONTENT_WIDTH / 2] * 2, hAlign="LEFT")
    table.setStyle(st.layout_table_style())
    out.append(table)
    return out


def _appendix(c: NoteContent) -> list[Flowable]:
    """The clinic's long form, for payers that want the full documentation: consent and the technique field by
    field, the codes with their descriptors and the coding notes."""
    if not c.long_form:
        return []
    out: list[Flowable] = [heading("Appendix: LCD documentation (clinic's long form)"), subheading("Technique")]
    out.append(kv_table(c.procedure))  # consent and time-out: printed in the body
    coding = c.coding
    if coding is not None:
        out += [subheading("Procedure codes (CPT)"), data_table(coding.procedure_codes, st.CODES)]
        out += [subheading("Drug codes (HCPCS)"), data_table(coding.drug_codes, st.CODES)]
        if coding.notes:
            out.append(subheading("Coding notes"))
            out += bullets(coding.notes, st.SMALL_BULLET)
    return out


def _blocks(text: str) -> list[Paragraph]:
    # One Paragraph per blank-line-separated block: each splits across pages on its own,
    # and a page break falls between blocks where it can.
    blocks = [b.strip("\n") for b in text.replace("\r\n", "\n").split("\n\n")]
    return [para(b, st.NOTES) for b in blocks if b.strip()] or [para("None", st.LINE)]


def _notes(c: NoteContent) -> list[Flowable]:
    if not c.notes.strip():
        return []
    first, *rest = _blocks(c.notes)
    return [*run_on([heading("Notes", st.HEADING_RUN_ON)], first), *rest]


def _signature(c: NoteContent) -> list[Flowable]:
    """The attestation and the signature (or its blank lines), one block: _closing keeps it together."""
    if c.signed:
        statement = "I performed the procedure described above and reviewed this note."
        return [
            Spacer(1, 3 * mm),
            labelled("Attestation", statement, st.SMALL_LINE),
            NoteParagraph(f"<b>{escape(c.signed)}</b>", st.LINE),
        ]
    physician, signature, when = c.signature_fields
    row = [
        NoteParagraph(f"<b>{escape(physician)}:</b>", st.CELL),
        para(c.physician, st.CELL),
        NoteParagraph(f"<b>{escape(signature)}:</b>", st.CELL),
        "",
        NoteParagraph(f"<b>{escape(when)}:</b>", st.CELL),
        "",
    ]
    table = RLTable([row], colWidths=st.widths(st.SIGNATURE), hAlign="LEFT")
    table.setStyle(st.signature_table_style())
    statement = "I performed the procedure described above and reviewed this note. The note is a draft until signed."
    return [Spacer(1, 3 * mm), labelled("Attestation", statement, st.SMALL_LINE), table]


def _addenda(c: NoteContent) -> list[Flowable]:
    """Written after signing, so printed after the signature, oldest first."""
    if not c.addenda:
        return []
    out: list[Flowable] = []
    for n, a in enumerate(c.addenda):
        headings = [heading("Addenda", st.HEADING_RUN_ON)] if n == 0 else []
        first, *rest = _blocks(a.text)
        out += run_on([*headings, subheading(a.heading, st.SUBHEADING_RUN_ON)], first)
        out += [*rest, NoteParagraph(f"<b>{escape(a.signed)}</b>", st.LINE)]
    return out


# In the order a physician reads and signs: who and why, consent and what was done, what followed, what it means,
# what decision support found, codes, sign-off. Nothing is printed twice; the patient's handout is its own document.
SECTIONS = (
    _warnings,
    _critical,
    _patient,
    _indication,
    _procedure,
    _after,
    _pain,
    _interpretation,
    _decision_support,
    _notes,
    _codes,
    _appendix,
)


# The most of the body's end (the codes, as a rule) that goes over to a new page with the signature.
_CLOSING_MAX = 60 * mm


def _closing(body: list[Flowable], signature: list[Flowable]) -> list[Flowable]:
    """The body with the signature kept with its last lines (the codes and their heading), so the attestation and
    signature lines never stand alone on a page with nothing above them to sign.

    A long last section (a page of notes) is not moved whole: the signature then follows it as it falls.
    """
    start = len(body) - 1
    while start > 0 and body[start - 1].getKeepWithNext():
        start -= 1
    tail = body[start:]
    # Flowables, not a KeepTogether inside a KeepTogether: platypus measures a nested one as taller than any page.
    if start < 0 or sum(f.wrap(st.CONTENT_WIDTH, st.CONTENT_WIDTH)[1] for f in tail) > _CLOSING_MAX:
        return [*body, KeepTogether(signature)]
    return [*body[:start], KeepTogether([*tail, *signature])]


def build_story(c: NoteContent) -> list[Flowable]:
    story: list[Flowable] = [_title(c)]
    for section in SECTIONS:
        story += section(c)
    return _closing(story, _signature(c)) + _addenda(c)
