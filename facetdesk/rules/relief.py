"""Relief rules: diagnostic block interpretation, comparative-block concordance, RFA candidacy, missing scores."""

from __future__ import annotations

from dataclasses import dataclass

from facetdesk.domain.catalog import Catalog
from facetdesk.domain.enums import Intent, Technique
from facetdesk.domain.procedure import Procedure
from facetdesk.domain.relief import summarize_relief, targeted_anaesthetics
from facetdesk.domain.timefmt import format_minutes
from facetdesk.rules.context import RuleCase
from facetdesk.rules.finding import Finding, Severity, Status
from facetdesk.rules.registry import rule

CATEGORY = "relief"
POSITIVE = "positive"
NEGATIVE = "negative"
INDETERMINATE = "indeterminate"
NOT_EVALUATED = "not evaluated"

_DIAGNOSTIC = (Intent.DIAGNOSTIC_FIRST, Intent.DIAGNOSTIC_CONFIRMATORY)
_LCD = "CMS LCD L38773 (S1)"
_SCORES_SOURCE = f"{_LCD}: pain scale at baseline and after each diagnostic block, same scale each time"
_COMPARATIVE_SOURCE = "Comparative blocks, Barnsley 1993 (S11): concordant = longer relief with bupivacaine"
_RFA_SOURCE = f"{_LCD}: initial RFA needs at least 2 diagnostic medial branch blocks, each with >=80% relief"


@dataclass(frozen=True)
class BlockResult:
    """How a diagnostic block turned out against the positive-block threshold and its agent's expected duration.

    ``peak`` is the highest % relief within the expected duration; ``duration`` the minutes from the injection
    to the last score of the unbroken run at or above the threshold (all scores; None if never reached);
    ``duration_open`` says the run reached the last recorded score, so relief lasted at least that long.
    """

    result: str
    peak: float | None
    duration: int | None
    agent: str | None
    expected_hours: float | None
    reason: str
    threshold_pct: float
    peak_at: int | None = None
    duration_open: bool = False

    @property
    def positive(self) -> bool:
        return self.result == POSITIVE

    def describe_duration(self) -> str:
        if self.duration is None:
            return f"relief never reached {self.threshold_pct:g}%"
        at_least = "at least " if self.duration_open else ""
        return f"relief >={self.threshold_pct:g}% lasted {at_least}{format_minutes(self.duration)}"

    def summary(self) -> str:
        """One readable sentence with the numbers, for findings and the note."""
        parts = [f"diagnostic block {self.result}"]
        if self.peak is not None:
            parts.append(f"peak relief {self.peak:g}% at {format_minutes(self.peak_at or 0)}")
            parts.append(self.describe_duration())
        if self.agent is not None and self.expected_hours is not None:
            parts.append(f"expected duration of {self.agent} {self.expected_hours:g} h")
        parts.append(f"threshold {self.threshold_pct:g}%")
        text = "; ".join(parts)
        return f"{text} ({self.reason})" if self.reason else text


def _block_agent(procedure: Procedure, catalog: Catalog, table: dict) -> tuple[str | None, float | None, str]:
    """The block's local anaesthetic with an expected duration (several: the longest) and a note on the choice.

    Without a usable agent the note says what is missing.
    """
    las = targeted_anaesthetics(procedure, catalog)
    if not las:
        return None, None, "no local anaesthetic recorded at the targets"
    known = [a for a in las if isinstance(table.get(a), (int, float))]
    if not known:
        return None, None, f"no expected duration of {', '.join(las)} in relief.expected_duration_hours"
    agent = max(known, key=lambda a: table[a])
    note = ""
    if len(las) > 1:
        note = f"several local anaesthetics ({', '.join(las)}): the longest expected duration, {agent}, is used"
    return agent, float(table[agent]), note


def interpret_block(procedure: Procedure, catalog: Catalog) -> BlockResult:
    """Positive / negative / indeterminate / not evaluated, per LCD L38773: >= threshold for the expected duration.

    Positive: the run at or above the threshold starts at the first score and lasts to a score at or after the
    agent's expected duration. Negative: peak relief within the expected duration is below the threshold.
    Indeterminate: the threshold was reached but not shown to last the expected duration.
    Thresholds are read through the catalog, so a clinic's edited thresholds.json applies.
    """
    threshold = float(catalog.threshold("relief.positive_block_pct").value)
    table = catalog.threshold("relief.expected_duration_hours").value
    agent, hours, note = _block_agent(procedure, catalog, table)
    if agent is None or hours is None:
        return BlockResult(NOT_EVALUATED, None, None, None, None, note, threshold)

    def unevaluated(reason: str) -> BlockResult:
        return BlockResult(
            NOT_EVALUATED, None, None, agent, hours, "; ".join(r for r in (reason, note) if r), threshold
        )

    baseline = procedure.pre_procedure_pain
    scores = procedure.pain_scores
    if baseline is None:
        return unevaluated("no pre-injection pain score")
    if baseline == 0:
        return unevaluated("pre-injection pain was 0, so relief cannot be expressed as a percentage")
    if not scores:
        return unevaluated("no post-injection pain scores")
    window = hours * 60
    counted = [s for s in scores if s.minutes_after <= window]
    if not counted:
        return unevaluated(
            f"no pain score within the expected duration of {agent} ({hours:g} h); "
            f"first score at {format_minutes(scores[0].minutes_after)}"
        )
    in_window = summarize_relief(baseline, counted, (threshold,))
    # The run uses every score, so a score at or after the expected duration can show relief lasted that long.
    run = summarize_relief(baseline, scores, (threshold,)).duration(threshold)
    assert run is not None and in_window.peak_pct is not None

    first = scores[0].minutes_after
    if in_window.peak_pct < threshold:
        word, why = NEGATIVE, ""
    elif run.reached_at == first and run.lasted_until is not None and run.lasted_until >= window:
        word, why = POSITIVE, ""
    else:
        word = INDETERMINATE
        if run.reached_at != first:
            why = f"relief was below {threshold:g}% at the first score ({format_minutes(first)})"
        elif run.ended_before is not None and run.ended_before <= window:
            why = f"relief fell below {threshold:g}% at {format_minutes(run.ended_before)}, before {hours:g} h"
        elif run.ended_before is not None:
            why = (
                f"relief was >={threshold:g}% until {format_minutes(run.lasted_until or 0)} and below it at "
                f"{format_minutes(run.ended_before)}; not shown to last {hours:g} h"
            )
        else:
            why = (
                f"no score at or after the expected duration ({hours:g} h); "
                f"last score at {format_minutes(scores[-1].minutes_after)}"
            )
    return BlockResult(
        result=word,
        peak=in_window.peak_pct,
        duration=run.lasted_until,
        agent=agent,
        expected_hours=hours,
        reason="; ".join(r for r in (why, note) if r),
        threshold_pct=threshold,
        peak_at=in_window.peak_at,
        duration_open=run.reached and run.ended_before is None,
    )


def _is_diagnostic(procedure: Procedure) -> bool:
    return procedure.intent in _DIAGNOSTIC


def _earlier_diagnostic_same_levels(case: RuleCase, mbb_only: bool = False) -> list[Procedure]:
    levels = set(case.procedure.levels())
    return [
        p
        for p in case.earlier()
        if _is_diagnostic(p)
        and set(p.levels()) == levels
        and (not mbb_only or p.technique == Technique.MEDIAL_BRANCH_BLOCK)
    ]


_RELIEF_KEYS = ("relief.positive_block_pct", "relief.expected_duration_hours")


def _read_relief_thresholds(case: RuleCase) -> None:
    # interpret_block reads the catalog directly; registering the keys here makes findings cite their sources
    # (and mark the unconfirmed expected durations).
    for key in _RELIEF_KEYS:
        case.th(key)


def _with_threshold_sources(case: RuleCase, source: str) -> str:
    return "; ".join([source, *(case.catalog.threshold(k).source for k in _RELIEF_KEYS)])


def _label(procedure: Procedure, block: BlockResult) -> str:
    peak = f" {block.peak:g}%" if block.peak is not None else ""
    return f"{procedure.performed_at:%Y-%m-%d} {block.agent or 'agent unknown'}{peak}"


# ---- relief.diagnostic_block -------------------------------------------------------


@rule(
    "relief.diagnostic_block",
    category=CATEGORY,
    checks="A diagnostic block gave at least the positive-block relief for its local anaesthetic's expected duration.",
    thresholds=_RELIEF_KEYS,
)
def check_diagnostic_block(case: RuleCase) -> list[Finding]:
    rid, field = "relief.diagnostic_block", ("pain_scores",)
    _read_relief_thresholds(case)
    if not _is_diagnostic(case.procedure):
        msg = f"not applicable: {case.procedure.intent.label.lower()} procedure, not a diagnostic block"
        return [case.finding(rid, Severity.INFO, Status.MET, msg, field)]
    block = interpret_block(case.procedure, case.catalog)
    if block.result == NOT_EVALUATED:
        msg = f"not evaluated: {block.reason}"
        return [case.finding(rid, Severity.CAUTION, Status.NOT_EVALUATED, msg, field)]
    status, severity = {
        POSITIVE: (Status.MET, Severity.INFO),
        NEGATIVE: (Status.NOT_MET, Severity.WARNING),
        INDETERMINATE: (Status.NOT_MET, Severity.CAUTION),
    }[block.result]
    return [case.finding(rid, severity, status, block.summary(), field)]


# ---- relief.concordance ------------------------------------------------------------


@rule(
    "relief.concordance",
    category=CATEGORY,
    checks="Of two diagnostic blocks at the same levels, the longer-acting agent gave the longer relief.",
    thresholds=_RELIEF_KEYS,
)
def check_concordance(case: RuleCase) -> list[Finding]:
    rid, field = "relief.concordance", ("pain_scores",)
    _read_relief_thresholds(case)

    def finding(severity: Severity, status: Status, msg: str) -> Finding:
        return case.finding(
            rid, severity, status, msg, field, source=_with_threshold_sources(case, _COMPARATIVE_SOURCE)
        )

    if not _is_diagnostic(case.procedure):
        return [finding(Severity.INFO, Status.MET, "not applicable: not a diagnostic block")]
    earlier = _earlier_diagnostic_same_levels(case)
    levels = ", ".join(case.procedure.levels())
    if not earlier:
        return [finding(Severity.INFO, Status.MET, f"not applicable: no earlier diagnostic block at {levels}")]
    prior = earlier[-1]
    blocks = [
        (prior, interpret_block(prior, case.catalog)),
        (case.procedure, interpret_block(case.procedure, case.catalog)),
    ]
    for proc, block in blocks:
        if block.agent is None or block.expected_hours is None or block.result == NOT_EVALUATED:
            msg = f"not evaluated: the {proc.performed_at:%Y-%m-%d} block cannot be interpreted ({block.reason})"
            return [finding(Severity.CAUTION, Status.NOT_EVALUATED, msg)]
    (p1, b1), (p2, b2) = blocks
    if b1.agent == b2.agent:
        dates = f"{p1.performed_at:%Y-%m-%d} and {p2.performed_at:%Y-%m-%d}"
        msg = f"not a comparative pair (same agent: {b1.agent} on {dates})"
        return [finding(Severity.INFO, Status.MET, msg)]
    if b1.expected_hours == b2.expected_hours:
        msg = (
            f"not a comparative pair: {b1.agent} and {b2.agent} have the same expected duration "
            f"({b1.expected_hours:g} h)"
        )
        return [finding(Severity.INFO, Status.MET, msg)]
    for proc, block in blocks:
        if block.duration is None:
            msg = (
                f"not evaluated: the {proc.performed_at:%Y-%m-%d} {block.agent} block never reached "
                f"{block.threshold_pct:g}% relief, so there is no relief duration to compare"
            )
            return [finding(Severity.CAUTION, Status.NOT_EVALUATED, msg)]
    (lp, long_), (sp, short) = sorted(blocks, key=lambda pb: -(pb[1].expected_hours or 0))
    detail = (
        f"{long_.agent} ({long_.expected_hours:g} h expected, {lp.performed_at:%Y-%m-%d}): "
        f"{long_.describe_duration()}; {short.agent} ({short.expected_hours:g} h expected, "
        f"{sp.performed_at:%Y-%m-%d}): {short.describe_duration()}"
    )
    assert long_.duration is not None and short.duration is not None
    if long_.duration > short.duration:
        return [finding(Severity.INFO, Status.MET, f"concordant comparative blocks: {detail}")]
    msg = f"discordant comparative blocks: the longer-acting {long_.agent} did not give the longer relief; {detail}"
    return [finding(Severity.CAUTION, Status.NOT_MET, msg)]


# ---- relief.rfa_candidate ----------------------------------------------------------


@rule(
    "relief.rfa_candidate",
    category=CATEGORY,
    checks="Two positive diagnostic medial branch blocks at the same levels: consider radiofrequency ablation.",
    thresholds=_RELIEF_KEYS,
)
def check_rfa_candidate(case: RuleCase) -> list[Finding]:
    rid, field = "relief.rfa_candidate", ("pain_scores",)
    _read_relief_thresholds(case)

    def finding(msg: str) -> Finding:
        return case.finding(
            rid, Severity.INFO, Status.MET, msg, field, source=_with_threshold_sources(case, _RFA_SOURCE)
        )

    proc = case.procedure
    if not _is_diagnostic(proc) or proc.technique != Technique.MEDIAL_BRANCH_BLOCK:
        return [finding("not applicable: not a diagnostic medial branch block")]
    levels = ", ".join(proc.levels())
    this = interpret_block(proc, case.catalog)
    earlier = [(p, interpret_block(p, case.catalog)) for p in _earlier_diagnostic_same_levels(case, mbb_only=True)]
    positive_earlier = [(p, b) for p, b in earlier if b.positive]
    if this.positive and positive_earlier:
        p, b = positive_earlier[-1]
        msg = (
            f"consider radiofrequency ablation: two positive diagnostic medial branch blocks at {levels} "
            f"({_label(p, b)}; {_label(proc, this)})"
        )
        return [finding(msg)]
    existing = "; ".join(f"{_label(p, b)} {b.result}" for p, b in [*earlier, (proc, this)])
    return [finding(f"not (yet) two positive diagnostic MBBs at {levels}: {existing}")]


# ---- relief.scores_missing ---------------------------------------------------------


@rule(
    "relief.scores_missing",
    category=CATEGORY,
    checks="A pre-injection and at least one post-injection pain score are recorded (required for diagnostic blocks).",
)
def check_scores_missing(case: RuleCase) -> list[Finding]:
    rid, field = "relief.scores_missing", ("pain_scores",)
    proc = case.procedure
    missing = []
    if proc.pre_procedure_pain is None:
        missing.append("no pre-injection pain score")
    if not proc.pain_scores:
        missing.append("no post-injection pain score")
    if not missing:
        n = len(proc.pain_scores)
        msg = (
            f"pre-injection pain {proc.pre_procedure_pain} and {n} post-injection score{'s' if n != 1 else ''} recorded"
        )
        return [case.finding(rid, Severity.INFO, Status.MET, msg, field, source=_SCORES_SOURCE)]
    what = " and ".join(missing)
    if _is_diagnostic(proc):
        msg = f"{what}: the LCD requires pain scores before and after each diagnostic block"
        return [case.finding(rid, Severity.WARNING, Status.NOT_MET, msg, field, source=_SCORES_SOURCE)]
    msg = f"{what}: scores document the relief a repeat therapeutic block needs"
    return [case.finding(rid, Severity.CAUTION, Status.NOT_MET, msg, field, source=_SCORES_SOURCE)]
