"""The note's body: NoteContent -> a list of platypus flowables, section by section."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer
from reportlab.platypus import Table as RLTable

from facetdesk.note import styles as st
from facetdesk.note.content import NOT_ACKNOWLEDGED, DecisionSupportBlock, Fields, NoteContent, Table


def para(text: str, style: ParagraphStyle = st.BODY) -> Paragraph:
    """Paragraph of user text: Paragraph parses markup, so &, < and > must be escaped to print literally."""
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def labelled(label: str, text: str, style: ParagraphStyle = st.LINE) -> Paragraph:
    return Paragraph(f"<b>{escape(label)}:</b> {escape(text)}", style)


def heading(text: str) -> Paragraph:
    return Paragraph(escape(text), st.HEADING)


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


def _title(c: NoteContent) -> RLTable:
    left = [para(c.title, st.TITLE), para(c.summary, st.SUBTITLE)]
    table = RLTable([[left, para(c.status, st.STATUS)]], colWidths=st.widths(st.HEADER), hAlign="LEFT")
    table.setStyle(st.layout_table_style())
    return table


def _patient(c: NoteContent) -> list[Flowable]:
    p = c.patient
    fields: Fields = (
        ("Patient", p.name),
        ("MRN", p.mrn),
        ("Date of birth", p.date_of_birth),
        ("Age at procedure", p.age_at_procedure),
        ("Sex", p.sex),
        ("Weight", p.weight),
        ("Date/time of service", f"{c.service_date} {c.service_time}"),
        ("Physician", c.physician),
    )
    return [heading("Patient and service"), kv_table(fields), heading("Risk factors"), kv_table(c.risk_facts)]


def _indication(c: NoteContent) -> list[Flowable]:
    out: list[Flowable] = [heading("Indication"), kv_table(c.indication, 1), Spacer(1, 2 * mm)]
    out.append(data_table(c.diagnoses, st.DIAGNOSES))
    out += [heading("Prior facet procedures"), data_table(c.prior_procedures, st.PRIOR)]
    return out


def _procedure(c: NoteContent) -> list[Flowable]:
    mbb = len(c.targets.header) == 4
    out: list[Flowable] = [heading("Procedure"), kv_table(c.procedure), Spacer(1, 2 * mm)]
    out.append(data_table(c.targets, st.TARGETS_MBB if mbb else st.TARGETS))
    if c.nerves:
        out.append(Paragraph("<b>Nerves blocked</b> (shared nerves counted once)", st.LINE))
        out += [para(line, st.LINE) for line in c.nerves]
    out += [heading("Medications"), data_table(c.medications, st.MEDICATIONS)]
    return out


def _botox(c: NoteContent) -> list[Flowable]:
    b = c.botox
    if b is None:
        return []
    return [
        heading("Botulinum toxin"),
        labelled("Product", b.product),
        labelled("Dilution", b.dilution),
        Spacer(1, 1.5 * mm),
        data_table(b.sites, st.BOTOX_SITES),
        labelled("Total", b.total_units),
    ]


def _pain(c: NoteContent) -> list[Flowable]:
    p = c.pain
    out: list[Flowable] = [
        heading("Pain response"),
        labelled(f"Pre-injection pain ({p.scale})", p.baseline),
        Spacer(1, 1.5 * mm),
        data_table(p.scores, st.PAIN),
        Paragraph(f"<b>{escape(p.peak)}</b>", st.LINE),
    ]
    out += [para(line, st.LINE) for line in p.durations]
    return out


def _ref(source: int | None) -> str:
    return f" [{source}]" if source is not None else ""


def _flagged_table(d: DecisionSupportBlock) -> Flowable:
    if not d.flagged:
        return para(d.nothing_flagged, st.LINE)
    header = ("Severity", "Rule", "Finding", "Acknowledgement")
    data: list[list[Flowable]] = [[para(h, st.CELL_HEAD) for h in header]]
    for row in d.flagged:
        severity_style = st.SEVERITY_HIGH if row.severity in ("WARNING", "CRITICAL") else st.SEVERITY
        ack_style = st.SEVERITY_HIGH if row.acknowledgement == NOT_ACKNOWLEDGED else st.CELL
        data.append(
            [
                para(row.severity, severity_style),
                para(row.rule, st.RULE_ID),
                para(row.message + _ref(row.source), st.CELL),
                para(row.acknowledgement, ack_style),
            ]
        )
    out = RLTable(data, colWidths=st.widths(st.DECISION), repeatRows=1, hAlign="LEFT")
    out.setStyle(st.grid_table_style())
    return out


def _decision_support(c: NoteContent) -> list[Flowable]:
    d = c.decision_support
    out: list[Flowable] = [heading("Decision support")]
    if not d.ran:
        return out + [para(d.not_run, st.LINE)]
    out.append(_flagged_table(d))
    # The interpretation, count, disclaimer and sources read as one block: keep them on one page.
    tail: list[Flowable] = []
    if d.acknowledgements_on_record:
        tail.append(Paragraph("<b>Acknowledgements on record</b>", st.LINE))
        tail += [Paragraph(escape(line), st.BULLET, bulletText="•") for line in d.acknowledgements_on_record]
    for line in d.relief_interpretation:
        text = escape(line.text + _ref(line.source))
        tail.append(Paragraph(f"<b>Relief interpretation:</b> {text}", st.LINE))
    tail.append(para(d.met_line, st.LINE))
    tail.append(para(d.disclaimer, st.SMALL_LINE))
    if d.sources:
        tail.append(Paragraph("<b>Sources</b>", st.SMALL_LINE))
        tail += [para(f"[{n}] {source}", st.SMALL_LINE) for n, source in enumerate(d.sources, start=1)]
    out.append(KeepTogether(tail))
    return out


def _outcome(c: NoteContent) -> list[Flowable]:
    fields: Fields = (("Complications", "; ".join(c.complications)),)
    if c.complication_details:
        fields += (("Complication details", c.complication_details),)
    fields += (("Disposition", c.disposition), ("Follow-up", c.follow_up))
    return [heading("Complications and disposition"), kv_table(fields, 1)]


def _discharge(c: NoteContent) -> list[Flowable]:
    if not c.discharge_instructions:
        return []
    out: list[Flowable] = [heading("Discharge instructions")]
    out += [Paragraph(escape(line), st.BULLET, bulletText="•") for line in c.discharge_instructions]
    return out


def _notes(c: NoteContent) -> list[Flowable]:
    out: list[Flowable] = [heading("Notes")]
    # One Paragraph per blank-line-separated block: each splits across pages on its own,
    # and a page break falls between blocks where it can.
    blocks = [b.strip("\n") for b in c.notes.replace("\r\n", "\n").split("\n\n")]
    blocks = [b for b in blocks if b.strip()]
    out += [para(b, st.NOTES) for b in blocks] or [para("None", st.LINE)]
    return out


def _signature(c: NoteContent) -> Flowable:
    physician, signature, when = c.signature_fields
    rows = [
        [
            Paragraph(f"<b>{escape(physician)}:</b>", st.CELL),
            para(c.physician, st.CELL),
            Paragraph(f"<b>{escape(when)}:</b>", st.CELL),
            "",
        ],
        [Paragraph(f"<b>{escape(signature)}:</b>", st.CELL), "", "", ""],
    ]
    table = RLTable(rows, colWidths=st.widths(st.SIGNATURE), hAlign="LEFT")
    table.setStyle(st.signature_table_style())
    return KeepTogether([Spacer(1, 4 * mm), heading("Attestation"), table])


def build_story(c: NoteContent) -> list[Flowable]:
    story: list[Flowable] = [_title(c)]
    for section in (
        _patient,
        _indication,
        _procedure,
        _botox,
        _pain,
        _decision_support,
        _outcome,
        _discharge,
        _notes,
    ):
        story += section(c)
    story.append(_signature(c))
    return story
