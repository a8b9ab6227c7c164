"""The Procedure resources: the one exported, with what the note prints about it, and the earlier ones."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.procedure import Procedure as FhirProcedure

from facetdesk.domain.coding import CodeLine, derive_codes
from facetdesk.domain.enums import Side
from facetdesk.domain.procedure import Procedure
from facetdesk.domain.relief import procedure_relief, relief_thresholds
from facetdesk.domain.wording import (
    indication_fields,
    peak_relief_text,
    procedure_fields,
    procedure_performed,
    relief_duration_text,
)
from facetdesk.interop.fhir.common import (
    CPT,
    NOT_DOCUMENTED,
    NOT_RECORDED,
    NoteProse,
    Scope,
    annotation,
    coding,
    concept,
    num,
    text_or_none,
)


def body_site(level: str, side: Side) -> str:
    """'L4-L5 facet joint, left': text only; the reference found no SNOMED CT body-site codes to use."""
    return f"{level} facet joint, {side.label.lower()}"


def code_label(line: CodeLine) -> str:
    """'64493-50': the code with its modifiers, as a coder reads it."""
    return "-".join((line.code, *line.modifiers))


def outcome_text(procedure: Procedure, scope: Scope) -> str:
    """Peak relief and how long it lasted (there is no LOINC code for % relief: it stays text)."""
    thresholds = tuple(sorted(relief_thresholds(scope.catalog), reverse=True))
    summary = procedure_relief(procedure, scope.catalog, thresholds)
    if summary.reason_not_computed:
        return peak_relief_text(summary)
    lines = [
        f"{peak_relief_text(summary)} (from pre-injection pain {summary.baseline}/10)",
        *(relief_duration_text(d) for d in summary.durations),
    ]
    return "\n".join(lines)


def _lines(title: str, fields: list[tuple[str, str]]) -> str:
    return "\n".join([title, *(f"- {label}: {value}" for label, value in fields)])


def _indication_note(p: Procedure, scope: Scope) -> str:
    return _lines("Indication", list(indication_fields(p, scope.catalog)))


def _told(value: bool | None, yes: str, no: str) -> str:
    return NOT_DOCUMENTED if value is None else (yes if value else no)


def _technique_note(p: Procedure, scope: Scope) -> str:
    fields = [
        *procedure_fields(p, scope.catalog),
        ("Informed consent", _told(p.consent_obtained, "Obtained", "Not obtained")),
        ("Time-out", _told(p.time_out_performed, "Performed", "Not performed")),
    ]
    nerves = p.nerves(scope.catalog)
    for side in (Side.LEFT, Side.RIGHT):
        names = [n for n, s in nerves if s == side]
        if names:
            fields.append((f"Nerves blocked, {side.label.lower()} ({len(names)})", ", ".join(names)))
    return _lines("Technique", fields)


def _botox_note(p: Procedure) -> str | None:
    bt = p.botulinum_toxin
    if bt is None:
        return None
    return _lines(
        "Botulinum toxin",
        [
            ("Product", bt.product.label),
            ("Dilution", f"{num(bt.vial_units)} U in {num(bt.diluent_ml)} mL ({num(bt.units_per_ml)} U/mL)"),
            ("Total", f"{num(bt.total_units)} U"),
        ],
    )


def _coding_note(p: Procedure, scope: Scope) -> str:
    summary = derive_codes(p, scope.catalog)
    rows = []
    for kind, lines in (("Procedure", summary.procedure_codes), ("Drug", summary.drug_codes)):
        for line in lines:
            verify = " (verify)" if line.confidence in ("U", "S") else ""
            rows.append(f"- {kind}: {code_label(line)}{verify} × {line.units}: {line.description} — {line.detail}")
    rows.extend(f"- Note: {n}" for n in summary.notes)
    return "\n".join(["Suggested billing codes (the coder decides)", *(rows or ["- none derived"])])


def _closing_notes(p: Procedure) -> list[str]:
    out = [f"Findings: {text_or_none(p.findings.strip()) or NOT_RECORDED}"]
    complications = ", ".join(c.label for c in p.complications) or "None"
    if p.complication_details:
        complications += f" — {p.complication_details}"
    out.append(f"Complications: {complications}")
    out.append(f"Estimated blood loss: {p.estimated_blood_loss or NOT_RECORDED}")
    out.append(f"Disposition: {p.disposition.label if p.disposition else NOT_RECORDED}")
    out.append(f"Follow-up: {p.follow_up or NOT_RECORDED}")
    if text_or_none(p.notes):
        out.append(f"Notes: {p.notes}")
    return out


def _signature_notes(p: Procedure, scope: Scope) -> list[dict[str, Any]]:
    out = []
    if p.signature is not None:
        s = p.signature
        out.append(
            annotation(
                f"Electronically signed by {s.signed_by} on {s.signed_at:%Y-%m-%d %H:%M}",
                author=scope.practitioner(s.signed_by),
                time=scope.time(s.signed_at),
            )
        )
    for n, a in enumerate(p.addenda, start=1):
        out.append(
            annotation(
                f"Addendum {n} — {a.author}, {a.written_at:%Y-%m-%d %H:%M}\n{a.text}\n"
                f"Electronically signed by {a.signed_by} on {a.signed_at:%Y-%m-%d %H:%M}",
                author=scope.practitioner(a.author),
                time=scope.time(a.written_at),
            )
        )
    return out


def procedure_resource(
    scope: Scope, procedure: Procedure, decision_support: list[str], written: NoteProse | None = None
) -> FhirProcedure:
    """The exported procedure; ``decision_support`` are the note lines findings.py wrote for it, ``written``
    the note's own paragraphs (technique narrative, instructions) when the caller has them."""
    p = procedure
    prose = written or NoteProse()
    codes = list(dict.fromkeys(line.code for line in derive_codes(p, scope.catalog).procedure_codes))
    notes = [
        _indication_note(p, scope),
        _technique_note(p, scope),
        _botox_note(p),
        _coding_note(p, scope),
        *_closing_notes(p),
        *decision_support,
        _lines_of("Technique, as narrated in the note", prose.narrative),
        _lines_of("Instructions given to the patient", prose.instructions),
    ]
    data: dict[str, Any] = {
        "id": scope.id("procedure"),
        "identifier": [{"system": scope.procedure_system, "value": p.uid}],
        "status": "completed",
        "code": concept(procedure_performed(p), *(coding(CPT, c) for c in codes)),
        "subject": scope.ref("patient"),
        "encounter": scope.ref("encounter"),
        "performedDateTime": scope.time(p.performed_at),
        "performer": [{"actor": scope.practitioner(p.physician)}],
        "bodySite": [concept(body_site(t.level, t.side)) for t in p.targets],
        "outcome": concept(outcome_text(p, scope)),
        "note": [annotation(n) for n in notes if n] + _signature_notes(p, scope),
    }
    if p.diagnoses:
        data["reasonReference"] = [scope.ref("condition", code) for code in p.diagnoses]
    if p.complications:
        data["complication"] = [concept(c.label) for c in p.complications]
    if p.follow_up:
        data["followUp"] = [concept(p.follow_up)]
    return FhirProcedure.model_validate(data)


def _lines_of(title: str, paragraphs: tuple[str, ...]) -> str:
    return f"{title}:\n" + "\n".join(paragraphs) if paragraphs else ""


def prior_procedure_resource(scope: Scope, prior: Procedure) -> FhirProcedure:
    """An earlier facet procedure, as the note's table lists it: date, technique, intent and levels."""
    what = "medial branches" if prior.technique.on_nerves else "facet joints"
    return FhirProcedure.model_validate(
        {
            "id": scope.id("prior", prior.uid),
            "identifier": [{"system": scope.procedure_system, "value": prior.uid}],
            "status": "completed",
            "code": concept(f"{prior.technique.label} ({prior.intent.label.lower()})"),
            "subject": scope.ref("patient"),
            "performedDateTime": scope.time(prior.performed_at),
            "performer": [{"actor": scope.practitioner(prior.physician)}],
            "bodySite": [concept(body_site(t.level, t.side)) for t in prior.targets],
            "note": [
                annotation(
                    f"Earlier facet procedure recorded in FacetDesk ({what}): "
                    f"{', '.join(prior.levels())} ({prior.laterality()})"
                )
            ],
        }
    )
