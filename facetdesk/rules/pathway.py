"""A patient's facet pathway, region by region: blocks, ablations and follow-ups on one time line, each step with
the verdict the rules gave it at its time, and the coverage gate for the next step.

Nothing here judges on its own: a step's verdict is the finding of the rule that answers it (the block response,
the LCD's prerequisites), run as of that step's day with what was recorded before it; the next step's gate is the
same rules run on the planned procedure today. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from facetdesk.domain.catalog import Catalog
from facetdesk.domain.copy_forward import start_from
from facetdesk.domain.enums import Intent, Technique
from facetdesk.domain.follow_up import FollowUp, follow_up_summary, pain_improvement_pct
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Procedure
from facetdesk.rules.finding import Finding, Status
from facetdesk.rules.registry import evaluate

# The rule whose finding is a step's verdict, and the gates that decide whether the next step is covered.
_STEP_RULES = {
    "diagnostic": ("relief.diagnostic_block",),
    "radiofrequency": ("lcd.rfa_repeat", "lcd.rfa_prerequisite"),  # a repeat is judged by its own gate first
    "therapeutic": ("lcd.repeat_therapeutic", "lcd.therapeutic_prerequisite"),
}
_GATES = {
    "confirmatory": ("lcd.confirmatory_block", "lcd.sessions_12m", "lcd.block_after_ablation"),
    "radiofrequency": ("lcd.rfa_prerequisite", "lcd.rfa_repeat", "lcd.sessions_12m"),
    "therapeutic": ("lcd.therapeutic_prerequisite", "lcd.repeat_therapeutic", "lcd.sessions_12m"),
}
_RFA_CANDIDATE = "relief.rfa_candidate"


@dataclass(frozen=True)
class Gate:
    """One rule's answer on a step or on the planned next step."""

    rule: str
    title: str
    status: Status
    message: str
    source: str

    @classmethod
    def of(cls, finding: Finding) -> Gate:
        return cls(finding.rule, finding.title or finding.rule, finding.status, finding.message, finding.source)


@dataclass(frozen=True)
class Step:
    """A procedure or a follow-up visit on the time line."""

    day: date
    what: str
    levels: str
    result: str
    gates: tuple[Gate, ...] = ()
    procedure_uid: str = ""


@dataclass(frozen=True)
class NextStep:
    """The step the pathway points to, whether its coverage gates are met, and the form data to start it."""

    what: str
    gates: tuple[Gate, ...]
    plan: dict[str, Any] | None
    reason: str = ""

    @property
    def verdict(self) -> str:
        """met (every gate met or not applicable), not met (any not met), or check by hand (the rest)."""
        statuses = {g.status for g in self.gates}
        if Status.NOT_MET in statuses:
            return "not met"
        if statuses <= {Status.MET, Status.NOT_APPLICABLE, Status.ADVISORY}:
            return "met"
        return "check by hand"


@dataclass(frozen=True)
class Point:
    """One measurement for the pathway chart: pain (NRS 0-10) or function (disability %, daily activities %)."""

    day: date
    series: str  # "pain", "disability", "daily activities"
    value: float
    label: str


@dataclass(frozen=True)
class RegionPathway:
    region: str
    steps: tuple[Step, ...]
    next_step: NextStep | None
    points: tuple[Point, ...] = field(default_factory=tuple)


def kind_of(procedure: Procedure) -> str:
    """diagnostic, therapeutic (injections) or radiofrequency: which rules judge the step."""
    if procedure.technique == Technique.RADIOFREQUENCY_ABLATION:
        return "radiofrequency"
    return "diagnostic" if procedure.intent != Intent.THERAPEUTIC else "therapeutic"


def _step_name(procedure: Procedure) -> str:
    if procedure.technique == Technique.RADIOFREQUENCY_ABLATION:
        return "Radiofrequency ablation"
    return f"{procedure.technique.label} ({procedure.intent.label.lower()})"


def _levels(procedure: Procedure) -> str:
    return f"{', '.join(procedure.levels())} ({procedure.laterality()})"


def _findings_then(patient: Patient, procedure: Procedure, history: Sequence[Procedure],
                   visits: Sequence[FollowUp], catalog: Catalog) -> dict[str, Finding]:  # fmt: skip
    """The rules' findings on ``procedure`` with what was recorded before its day."""
    before = [p for p in history if p.performed_at < procedure.performed_at]
    seen = [v for v in visits if v.seen_on <= procedure.performed_at.date()]
    return {f.rule: f for f in evaluate(patient, procedure, before, catalog, seen)}


def pathways(patient: Patient, procedures: Sequence[Procedure], visits: Sequence[FollowUp], catalog: Catalog,
             today: datetime) -> list[RegionPathway]:  # fmt: skip
    """The patient's pathway in each spinal region treated, in spinal order (cervical first)."""
    facet = sorted((p for p in procedures if p.technique.treats_joints), key=lambda p: p.performed_at)
    regions = [r for r in ("cervical", "thoracic", "lumbar") if any(r in p.regions(catalog) for p in facet)]
    out = []
    for region in regions:
        mine = [p for p in facet if region in p.regions(catalog)]
        uids = {p.uid for p in mine}
        mine_visits = sorted((v for v in visits if v.procedure_uid in uids), key=lambda v: v.seen_on)
        out.append(_region(patient, region, mine, facet, mine_visits, visits, catalog, today))
    return out


def _region(patient: Patient, region: str, mine: list[Procedure], history: list[Procedure],
            mine_visits: list[FollowUp], visits: Sequence[FollowUp], catalog: Catalog,
            today: datetime) -> RegionPathway:  # fmt: skip
    by_uid = {p.uid: p for p in mine}
    steps: list[tuple[datetime, Step]] = []
    points: list[Point] = []
    last_findings: dict[str, Finding] = {}
    for p in mine:
        found = _findings_then(patient, p, history, visits, catalog)
        last_findings = found
        gates = tuple(Gate.of(found[r]) for r in _STEP_RULES[kind_of(p)] if r in found
                      and found[r].status is not Status.NOT_APPLICABLE)  # fmt: skip
        result = gates[0].message if gates else "no rule judged this step"
        steps.append((p.performed_at, Step(p.performed_at.date(), _step_name(p), _levels(p), result, gates, p.uid)))
        pain = p.pre_procedure_pain if p.pre_procedure_pain is not None else p.indication.baseline_pain
        if pain is not None:
            points.append(Point(p.performed_at.date(), "pain", pain, f"before the {_step_name(p).lower()}"))
        if p.indication.disability_score is not None:
            points.append(Point(p.performed_at.date(), "disability", p.indication.disability_score, "at evaluation"))
    for v in mine_visits:
        procedure = by_uid[v.procedure_uid]
        when = datetime.combine(v.seen_on, datetime.max.time())
        summary = follow_up_summary(procedure, v)
        steps.append((when, Step(v.seen_on, "Follow-up", _levels(procedure), summary, (), procedure.uid)))
        if v.pain_nrs is not None:
            better = pain_improvement_pct(procedure, v)
            points.append(
                Point(v.seen_on, "pain", v.pain_nrs, "follow-up" + (f", {better:g}% better" if better else ""))
            )
        if v.disability_score is not None:
            points.append(Point(v.seen_on, "disability", v.disability_score, "follow-up"))
        if v.adl_improvement_pct is not None:
            points.append(Point(v.seen_on, "daily activities", v.adl_improvement_pct, "follow-up"))
    ordered = tuple(step for _, step in sorted(steps, key=lambda s: s[0]))
    next_step = _next(patient, mine[-1], last_findings, history, visits, catalog, today) if mine else None
    return RegionPathway(region, ordered, next_step, tuple(sorted(points, key=lambda pt: pt.day)))


def _next(patient: Patient, last: Procedure, found: dict[str, Finding], history: list[Procedure],
          visits: Sequence[FollowUp], catalog: Catalog, today: datetime) -> NextStep:  # fmt: skip
    """What the last step points to, by the rules' own verdicts, and the gates of that step today."""
    kind = kind_of(last)
    where = _levels(last)
    if kind == "diagnostic":
        candidacy = found.get(_RFA_CANDIDATE)
        verdict = candidacy.verdict if candidacy is not None else None
        if verdict == "candidate":
            return _planned(patient, last, "radiofrequency", f"Radiofrequency ablation at {where}", history, visits,
                            catalog, today)  # fmt: skip
        if verdict == "not yet":
            return _planned(patient, last, "confirmatory", f"Confirmatory medial branch block at {where}", history,
                            visits, catalog, today)  # fmt: skip
        reason = candidacy.message if candidacy is not None else "the block's response is not known"
        return NextStep("No facet procedure to plan", (), None, reason)
    if kind == "radiofrequency":
        return _planned(patient, last, "radiofrequency", f"Repeat radiofrequency ablation at {where}", history,
                        visits, catalog, today)  # fmt: skip
    return _planned(patient, last, "therapeutic", f"Repeat therapeutic injection at {where}", history, visits,
                    catalog, today)  # fmt: skip


def _planned(patient: Patient, last: Procedure, kind: str, what: str, history: list[Procedure],
             visits: Sequence[FollowUp], catalog: Catalog, today: datetime) -> NextStep:  # fmt: skip
    """The next procedure as form data (from the last one: same joints, how it was done; nothing observed), and
    the gate rules run on it as if done ``today``."""
    plan = {**start_from(last), "botulinum_toxin": None}
    if kind == "confirmatory":
        plan |= {"technique": Technique.MEDIAL_BRANCH_BLOCK, "intent": Intent.DIAGNOSTIC_CONFIRMATORY,
                 "radiofrequency": None}  # fmt: skip
    elif kind == "radiofrequency":
        # How to lesion is the physician's choice: the plan leaves it unchosen (a default is not a fact).
        keep = plan.get("radiofrequency") or {}
        plan |= {"technique": Technique.RADIOFREQUENCY_ABLATION, "intent": Intent.THERAPEUTIC, "radiofrequency": keep}
    planned_at = today.replace(second=0, microsecond=0)
    # The gates do not depend on how the nerves will be lesioned; the check needs some method to be a record.
    lesioning = {"method": "conventional", **(plan.get("radiofrequency") or {})} if kind == "radiofrequency" else None
    try:
        hypothetical = Procedure.model_validate({**plan, "performed_at": planned_at, "radiofrequency": lesioning})
    except ValidationError as exc:  # e.g. a medication of the last step that the next technique does not take
        reason = f"the gates could not be checked on the plan ({exc.error_count()} problem(s)); check by hand"
        return NextStep(what, (), plan, reason)
    findings = {f.rule: f for f in evaluate(patient, hypothetical, history, catalog, visits)}
    gates = tuple(Gate.of(findings[r]) for r in _GATES[kind] if r in findings
                  and findings[r].status is not Status.NOT_APPLICABLE)  # fmt: skip
    return NextStep(what, gates, plan)
