"""The note's body: NoteContent -> a list of platypus flowables, section by section."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer
from reportlab.platypus import Table as RLTable

from facetdesk.note import styles as st
from facetdesk.note.chart import relief_chart_drawing
from facetdesk.note.content import NOT_ACKNOWLEDGED, DecisionSupportBlock, Fields, NoteContent, Table
from facetdesk.note.paragraphs import NoteParagraph


def para(text: str, style: ParagraphStyle = st.BODY) -> Paragraph:
    """Paragraph of user text: Paragraph parses markup, so &, < and > must be escaped to print literally."""
    return NoteParagraph(escape(text).replace("\n", "<br/>"), style)


def labelled(label: str, text: str, style: ParagraphStyle = st.LINE) -> Paragraph:
    return NoteParagraph(f"<b>{escape(label)}:</b> {escape(text)}", style)


def heading(text: str) -> Paragraph:
    return NoteParagraph(escape(text), st.HEADING)


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


def subheading(text: str) -> Paragraph:
    return NoteParagraph(f"<b>{escape(text)}</b>", st.SUBHEADING)


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
    return [heading("Patient and service"), kv_table(fields)]


def _diagnoses(c: NoteContent) -> list[Flowable]:
    return [
        heading("Pre-procedure diagnosis"),
        data_table(c.diagnoses, st.DIAGNOSES),
        heading("Post-procedure diagnosis"),
        data_table(c.post_diagnoses, st.DIAGNOSES),
    ]


def _procedure(c: NoteContent) -> list[Flowable]:
    out: list[Flowable] = [heading("Procedure performed"), para(c.procedure_performed, st.LINE)]
    coding = c.coding
    if coding is None:
        return out
    out += [subheading("Procedure codes (CPT)"), data_table(coding.procedure_codes, st.CODES)]
    out += [subheading("Drug codes (HCPCS)"), data_table(coding.drug_codes, st.CODES)]
    if coding.notes:
        out.append(subheading("Coding notes"))
        out += bullets(coding.notes, st.SMALL_BULLET)
    out.append(
        para(
            "Codes are suggestions for the coder; (verify) marks a code whose reference is secondary or unconfirmed.",
            st.SMALL_LINE,
        )
    )
    return out


def _indication(c: NoteContent) -> list[Flowable]:
    return [
        heading("Indications"),
        kv_table(c.indication, 1),
        heading("Risk factors"),
        kv_table(c.risk_facts),
        heading("Prior facet procedures"),
        data_table(c.prior_procedures, st.PRIOR),
    ]


def _consent(c: NoteContent) -> list[Flowable]:
    return [heading("Consent and time-out"), kv_table(c.consent, 1)]


def _technique(c: NoteContent) -> list[Flowable]:
    mbb = len(c.targets.header) == 4
    out: list[Flowable] = [heading("Description of procedure")]
    out += [para(p, st.NARRATIVE) for p in c.narrative]
    out += [heading("Technique details"), kv_table(c.procedure), Spacer(1, 2 * mm)]
    out.append(data_table(c.targets, st.TARGETS_MBB if mbb else st.TARGETS))
    if c.nerves:
        out.append(NoteParagraph("<b>Nerves blocked</b> (shared nerves counted once)", st.LINE))
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


def _findings(c: NoteContent) -> list[Flowable]:
    return [heading("Findings"), *_blocks(c.procedure_findings)]


def _complications(c: NoteContent) -> list[Flowable]:
    fields: Fields = (("Complications", "; ".join(c.complications)),)
    if c.complication_details:
        fields += (("Complication details", c.complication_details),)
    fields += (("Estimated blood loss", c.estimated_blood_loss),)
    return [heading("Complications"), kv_table(fields, 1)]


def _pain(c: NoteContent) -> list[Flowable]:
    p = c.pain
    out: list[Flowable] = [
        heading("Post-procedure pain response"),
        labelled(f"Pre-injection pain ({p.scale})", p.baseline),
        Spacer(1, 1.5 * mm),
        data_table(p.scores, st.PAIN),
        NoteParagraph(f"<b>{escape(p.peak)}</b>", st.LINE),
    ]
    out += [para(line, st.LINE) for line in p.durations]
    if p.chart is not None:
        # The chart and its caption are one figure: never split across pages.
        out.append(
            KeepTogether(
                [
                    Spacer(1, 3 * mm),
                    subheading("Relief chart"),
                    relief_chart_drawing(p.chart),
                    para(p.chart.caption, st.CAPTION),
                ]
            )
        )
    elif p.chart_note:
        out.append(para(p.chart_note, st.LINE))
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
        tail.append(NoteParagraph("<b>Acknowledgements on record</b>", st.LINE))
        tail += bullets(d.acknowledgements_on_record)
    for line in d.relief_interpretation:
        text = escape(line.text + _ref(line.source))
        tail.append(NoteParagraph(f"<b>Relief interpretation:</b> {text}", st.LINE))
    tail.append(para(d.met_line, st.LINE))
    tail.append(para(d.disclaimer, st.SMALL_LINE))
    if d.sources:
        tail.append(NoteParagraph("<b>Sources</b>", st.SMALL_LINE))
        tail += [para(f"[{n}] {source}", st.SMALL_LINE) for n, source in enumerate(d.sources, start=1)]
    out.append(KeepTogether(tail))
    return out


def _disposition(c: NoteContent) -> list[Flowable]:
    return [heading("Disposition"), para(c.disposition, st.LINE)]


def _discharge(c: NoteContent) -> list[Flowable]:
    lines = c.discharge_instructions + c.patient_instructions
    if not lines:
        return []
    return [heading("Discharge instructions (for the patient)"), *bullets(lines)]


def _follow_up(c: NoteContent) -> list[Flowable]:
    return [heading("Follow-up"), para(c.follow_up, st.LINE)]


def _blocks(text: str) -> list[Flowable]:
    # One Paragraph per blank-line-separated block: each splits across pages on its own,
    # and a page break falls between blocks where it can.
    blocks = [b.strip("\n") for b in text.replace("\r\n", "\n").split("\n\n")]
    return [para(b, st.NOTES) for b in blocks if b.strip()] or [para("None", st.LINE)]


def _notes(c: NoteContent) -> list[Flowable]:
    return [heading("Notes"), *_blocks(c.notes)]


def _signature(c: NoteContent) -> Flowable:
    if c.signed:
        statement = "I performed the procedure described above and reviewed this note."
        return KeepTogether(
            [
                Spacer(1, 4 * mm),
                heading("Attestation"),
                para(statement, st.SMALL_LINE),
                NoteParagraph(f"<b>{escape(c.signed)}</b>", st.LINE),
            ]
        )
    physician, signature, when = c.signature_fields
    rows = [
        [
            NoteParagraph(f"<b>{escape(physician)}:</b>", st.CELL),
            para(c.physician, st.CELL),
            NoteParagraph(f"<b>{escape(when)}:</b>", st.CELL),
            "",
        ],
        [NoteParagraph(f"<b>{escape(signature)}:</b>", st.CELL), "", "", ""],
    ]
    table = RLTable(rows, colWidths=st.widths(st.SIGNATURE), hAlign="LEFT")
    table.setStyle(st.signature_table_style())
    statement = "I performed the procedure described above and reviewed this note. The note is a draft until signed."
    return KeepTogether([Spacer(1, 4 * mm), heading("Attestation"), para(statement, st.SMALL_LINE), table])


def _addenda(c: NoteContent) -> list[Flowable]:
    """Written after signing, so printed after the signature, oldest first."""
    if not c.addenda:
        return []
    out: list[Flowable] = [heading("Addenda")]
    for a in c.addenda:
        out += [subheading(a.heading), *_blocks(a.text), NoteParagraph(f"<b>{escape(a.signed)}</b>", st.LINE)]
    return out


# In the order of a procedure note: who and why, what was done and how, what followed, sign-off.
SECTIONS = (
    _warnings,
    _critical,
    _patient,
    _diagnoses,
    _procedure,
    _indication,
    _consent,
    _technique,
    _botox,
    _findings,
    _complications,
    _pain,
    _decision_support,
    _disposition,
    _discharge,
    _follow_up,
    _notes,
)


def build_story(c: NoteContent) -> list[Flowable]:
    story: list[Flowable] = [_title(c)]
    for section in SECTIONS:
        story += section(c)
    story.append(_signature(c))
    story += _addenda(c)
    return story
