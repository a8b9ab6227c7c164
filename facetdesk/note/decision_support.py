"""The note's decision-support section as data: flagged findings, acknowledgements, relief interpretation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from facetdesk.domain.finding import Finding, Severity, Status, sort_findings, source_parts
from facetdesk.domain.procedure import Override, Procedure

DECISION_SUPPORT_NOT_RUN = "Decision support was not run for this note."
NOTHING_FLAGGED = "No guideline concerns flagged."
NOT_ACKNOWLEDGED = "Not acknowledged"
DECISION_SUPPORT_DISCLAIMER = (
    "Decision support flags possible problems against the configured guidelines; the treating physician decides."
)
RELIEF_DIAGNOSTIC_RULE = "relief.diagnostic_block"
RELIEF_RFA_RULE = "relief.rfa_candidate"


@dataclass(frozen=True)
class FlaggedFinding:
    """One finding that needs the reader's attention; ``source`` numbers into DecisionSupportBlock.sources
    ("1, 3")."""

    severity: str
    rule: str
    message: str
    acknowledgement: str
    source: str | None
    # The rule's plain-language title, what the note prints (the id stays for exports and tests).
    title: str = ""


@dataclass(frozen=True)
class SourcedLine:
    text: str
    source: str | None


@dataclass(frozen=True)
class DecisionSupportBlock:
    """What decision support found, as printed: flagged findings, acknowledgements, relief interpretation.

    ``ran`` is False when no findings were passed in; the note then says so instead of implying
    that everything was checked and met.
    """

    ran: bool
    flagged: tuple[FlaggedFinding, ...]
    acknowledgements_on_record: tuple[str, ...]
    relief_interpretation: tuple[SourcedLine, ...]
    met_count: int
    met_line: str
    sources: tuple[str, ...]
    disclaimer: str = DECISION_SUPPORT_DISCLAIMER
    # Printed on page 1: each critical finding with its acknowledgement (or that it has none).
    critical: tuple[str, ...] = ()
    not_run: str = DECISION_SUPPORT_NOT_RUN
    nothing_flagged: str = NOTHING_FLAGGED
    # What the block's result means for the pathway (RF candidacy: a confirmatory block, RF, or other pain
    # generators): the plan decision support suggests, printed under the interpretation.
    next_steps: tuple[SourcedLine, ...] = ()


def _datetime(dt: datetime) -> str:
    return f"{dt:%Y-%m-%d %H:%M}"


def _acknowledgement(o: Override) -> str:
    return f"Acknowledged by {o.acknowledged_by} on {_datetime(o.acknowledged_at)}: {o.reason}"


def decision_support_block(procedure: Procedure, findings: Sequence[Finding]) -> DecisionSupportBlock:
    """Findings arrive as data (the note never runs the rules): only what needs attention is listed."""
    if not findings:
        return DecisionSupportBlock(
            ran=False,
            flagged=(),
            acknowledgements_on_record=(),
            relief_interpretation=(),
            met_count=0,
            met_line="",
            sources=(),
        )
    sources: list[str] = []

    def source_no(source: str) -> str | None:
        """'[1, 3]': each distinct reference once in the list, however many findings cite it."""
        parts = source_parts(source)
        if not parts:
            return None
        for part in parts:
            if part not in sources:
                sources.append(part)
        return ", ".join(str(n) for n in sorted({sources.index(part) + 1 for part in parts}))

    ordered = sort_findings(list(findings))
    flagged_findings = [
        f
        for f in ordered
        if f.severity.rank >= Severity.CAUTION.rank and f.status in (Status.NOT_MET, Status.NOT_EVALUATED)
    ]

    # The block's interpretation and the next step it points to are printed once, under "Interpretation and plan".
    def applying(rule: str) -> list[Finding]:
        return [f for f in findings if f.rule == rule and f.status is not Status.NOT_APPLICABLE]

    relief = [SourcedLine(f.message, source_no(f.source)) for f in applying(RELIEF_DIAGNOSTIC_RULE)]
    next_steps = [SourcedLine(f.message, source_no(f.source)) for f in applying(RELIEF_RFA_RULE)]
    interpreted = applying(RELIEF_DIAGNOSTIC_RULE) + applying(RELIEF_RFA_RULE)
    flagged = []
    for f in flagged_findings:
        override = procedure.override_for(f.rule)
        if override is not None:
            ack = _acknowledgement(override)
        else:
            ack = NOT_ACKNOWLEDGED if f.needs_acknowledgement else ""
        if f in interpreted and not ack:
            continue
        flagged.append(
            FlaggedFinding(f.severity.value.upper(), f.rule, f.message, ack, source_no(f.source), f.title or f.rule)
        )
    flagged_rules = {f.rule for f in flagged}
    titles = {f.rule: f.title for f in findings if f.title}
    on_record = tuple(
        f"{titles.get(o.rule, o.rule)} — {_acknowledgement(o)}"
        for o in procedure.overrides
        if o.rule not in flagged_rules
    )
    met = sum(1 for f in findings if f.status == Status.MET)
    applied = sum(1 for f in findings if f.applies)
    critical = tuple(
        f"CRITICAL: {f.title or f.rule}: {f.message} — "
        + (_acknowledgement(o) if (o := procedure.override_for(f.rule)) is not None else NOT_ACKNOWLEDGED)
        for f in ordered
        if f.severity is Severity.CRITICAL and f.status is Status.NOT_MET
    )
    return DecisionSupportBlock(
        critical=critical,
        ran=True,
        flagged=tuple(flagged),
        acknowledgements_on_record=on_record,
        relief_interpretation=tuple(relief),
        next_steps=tuple(next_steps),
        met_count=met,
        met_line=f"{applied} guideline check{'' if applied == 1 else 's'} applied to this procedure; {met} met",
        sources=tuple(sources),
    )
