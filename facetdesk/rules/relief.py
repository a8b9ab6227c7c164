"""Relief rules: diagnostic block interpretation, comparative-block concordance, RFA candidacy, missing scores."""

from __future__ import annotations

from facetdesk.domain.block_response import KEYS as BLOCK_KEYS
from facetdesk.domain.block_response import BlockResponse, BlockVerdict, block_response, blocks_apart_enough
from facetdesk.domain.catalog import Catalog
from facetdesk.domain.enums import Intent, Technique
from facetdesk.domain.finding import SOURCE_SEPARATOR
from facetdesk.domain.procedure import Procedure
from facetdesk.domain.wording import latest_named
from facetdesk.rules.context import RuleCase
from facetdesk.rules.coverage import covers
from facetdesk.rules.definition import rule
from facetdesk.rules.finding import Finding, Severity, Status

CATEGORY = "relief"
POSITIVE = BlockVerdict.POSITIVE
NEGATIVE = BlockVerdict.NEGATIVE
INDETERMINATE = BlockVerdict.INDETERMINATE
NOT_EVALUATED = BlockVerdict.NOT_EVALUATED

_DIAGNOSTIC = (Intent.DIAGNOSTIC_FIRST, Intent.DIAGNOSTIC_CONFIRMATORY)
_LCD = "CMS LCD L38773 (S1)"
_SCORES_SOURCE = f"{_LCD}: pain scale at baseline and after each diagnostic block, same scale each time"
_COMPARATIVE_SOURCE = "Comparative blocks, Barnsley 1993 (S11): concordant = longer relief with bupivacaine"
_RFA_SOURCE = f"{_LCD}: initial RFA needs at least 2 diagnostic medial branch blocks, each with >=80% relief"


def interpret_block(procedure: Procedure, catalog: Catalog) -> BlockResponse:
    """The block's response by the one definition (facetdesk.domain.block_response)."""
    return block_response(procedure, catalog)


def _is_diagnostic(procedure: Procedure) -> bool:
    return procedure.intent in _DIAGNOSTIC


def _earlier_diagnostic_same_levels(case: RuleCase, mbb_only: bool = False) -> list[Procedure]:
    """Earlier diagnostic blocks that covered every level of this one (rules.coverage.covers, as the LCD rules count
    them: a first block at L4-L5 and L5-S1 is an earlier block at L4-L5), oldest first."""
    levels = case.procedure.levels()
    return [
        p
        for p in case.earlier()
        if _is_diagnostic(p) and covers(p, levels) and (not mbb_only or p.technique == Technique.MEDIAL_BRANCH_BLOCK)
    ]


_RELIEF_KEYS = BLOCK_KEYS


def _read_relief_thresholds(case: RuleCase) -> None:
    # block_response reads the catalog directly; registering the keys here makes findings cite their sources
    # (and mark the unconfirmed expected durations and onset allowance).
    for key in _RELIEF_KEYS:
        case.th(key)


def _with_threshold_sources(case: RuleCase, source: str) -> str:
    return SOURCE_SEPARATOR.join(dict.fromkeys([source, *(case.catalog.threshold(k).source for k in _RELIEF_KEYS)]))


def _label(procedure: Procedure, block: BlockResponse) -> str:
    peak = f" {block.peak_pct:g}%" if block.peak_pct is not None else ""
    return f"{procedure.performed_at:%Y-%m-%d} {block.agent_name or 'agent unknown'}{peak}"


# The status each verdict gives a diagnostic-block finding. A negative block is a clinical result to act on
# (other pain generators), not a rule the physician overrides: caution, so signing does not ask for a reason.
_BY_VERDICT = {
    BlockVerdict.POSITIVE: (Status.MET, Severity.INFO),
    BlockVerdict.NEGATIVE: (Status.NOT_MET, Severity.CAUTION),
    BlockVerdict.INDETERMINATE: (Status.NOT_MET, Severity.CAUTION),
    BlockVerdict.NOT_EVALUATED: (Status.NOT_EVALUATED, Severity.CAUTION),
}


# ---- relief.diagnostic_block -------------------------------------------------------


@rule(
    "relief.diagnostic_block",
    title="Diagnostic block result",
    category=CATEGORY,
    facet_only=True,
    checks=(
        "A diagnostic block gave at least the positive-block relief, sustained through its local anaesthetic's "
        "expected duration (allowing for onset): positive, negative or indeterminate (docs/rules.md)."
    ),
    thresholds=_RELIEF_KEYS,
)
def check_diagnostic_block(case: RuleCase) -> list[Finding]:
    rid, field = "relief.diagnostic_block", ("pain_scores",)
    _read_relief_thresholds(case)
    if not _is_diagnostic(case.procedure):
        msg = f"not applicable: {case.procedure.intent.label.lower()} procedure, not a diagnostic block"
        return [case.finding(rid, Severity.INFO, Status.NOT_APPLICABLE, msg, field)]
    block = block_response(case.procedure, case.catalog)
    status, severity = _BY_VERDICT[block.verdict]
    msg = block.summary() if block.verdict is not BlockVerdict.NOT_EVALUATED else f"not evaluated: {block.reason}"
    return [case.finding(rid, severity, status, msg, field, verdict=block.verdict.value)]


# ---- relief.concordance ------------------------------------------------------------


@rule(
    "relief.concordance",
    title="Comparative blocks agree",
    category=CATEGORY,
    facet_only=True,
    checks=(
        "Of two positive diagnostic blocks at the same levels (the earlier one covered every level of the later) "
        "with agents of different expected duration, "
        "the longer-acting agent gave the longer relief; undetermined while the relief that would decide it was "
        "still at or above the threshold at its last score (a duration known only as 'at least')."
    ),
    thresholds=_RELIEF_KEYS,
)
def check_concordance(case: RuleCase) -> list[Finding]:
    rid, field = "relief.concordance", ("pain_scores",)
    _read_relief_thresholds(case)

    def finding(severity: Severity, status: Status, msg: str, verdict: str | None = None) -> Finding:
        return case.finding(
            rid,
            severity,
            status,
            msg,
            field,
            source=_with_threshold_sources(case, _COMPARATIVE_SOURCE),
            verdict=verdict,
        )

    if not _is_diagnostic(case.procedure):
        return [finding(Severity.INFO, Status.NOT_APPLICABLE, "not applicable: not a diagnostic block")]
    earlier = _earlier_diagnostic_same_levels(case)
    levels = ", ".join(case.procedure.levels())
    if not earlier:
        return [
            finding(Severity.INFO, Status.NOT_APPLICABLE, f"not applicable: no earlier diagnostic block at {levels}")
        ]
    prior = earlier[-1]
    blocks = [
        (prior, block_response(prior, case.catalog)),
        (case.procedure, block_response(case.procedure, case.catalog)),
    ]
    for proc, block in blocks:
        if block.verdict is BlockVerdict.NOT_EVALUATED:
            msg = f"not evaluated: the {proc.performed_at:%Y-%m-%d} block cannot be interpreted ({block.reason})"
            return [finding(Severity.CAUTION, Status.NOT_EVALUATED, msg)]
    (p1, b1), (p2, b2) = blocks
    if b1.agent == b2.agent:
        dates = f"{p1.performed_at:%Y-%m-%d} and {p2.performed_at:%Y-%m-%d}"
        msg = f"not applicable: not a comparative pair (same agent: {b1.agent_name} on {dates})"
        return [finding(Severity.INFO, Status.NOT_APPLICABLE, msg)]
    if b1.expected_hours == b2.expected_hours:
        msg = (
            f"not applicable: not a comparative pair: {b1.agent_name} and {b2.agent_name} have the same expected "
            f"duration ({b1.expected_hours:g} h)"
        )
        return [finding(Severity.INFO, Status.NOT_APPLICABLE, msg)]
    not_positive = [(p, b) for p, b in blocks if not b.positive]
    if not_positive:
        # Concordance compares two responses; a block that was not positive is no response to compare.
        what = "; ".join(
            f"the {p.performed_at:%Y-%m-%d} {b.agent_name} block was {b.verdict.value}" for p, b in not_positive
        )
        verdict = (
            "not concordant" if any(b.verdict is BlockVerdict.NEGATIVE for _, b in not_positive) else "undetermined"
        )
        status = Status.NOT_MET if verdict == "not concordant" else Status.NOT_EVALUATED
        return [finding(Severity.CAUTION, status, f"{verdict}: {what}", verdict)]
    (lp, long_), (sp, short) = sorted(blocks, key=lambda pb: -(pb[1].expected_hours or 0))
    detail = (
        f"{long_.agent_name} ({long_.expected_hours:g} h expected, {lp.performed_at:%Y-%m-%d}): "
        f"{long_.describe_duration()}; {short.agent_name} ({short.expected_hours:g} h expected, "
        f"{sp.performed_at:%Y-%m-%d}): {short.describe_duration()}"
    )
    assert long_.duration_minutes is not None and short.duration_minutes is not None
    longer = long_.duration_minutes > short.duration_minutes
    # A relief still at or above the threshold at its last score lasted at least that long, maybe much longer:
    # it can show the other block ended sooner only when its lower bound already outlasts the other's end.
    open_ended = short if longer else long_
    if not open_ended.seen_to_end:
        msg = (
            f"undetermined: the {open_ended.agent_name} relief was still >={open_ended.threshold_pct:g}% at its last "
            f"score, so whether the longer-acting {long_.agent_name} gave the longer relief cannot be told; "
            f"record a score after relief wears off; {detail}"
        )
        return [finding(Severity.CAUTION, Status.NOT_EVALUATED, msg, "undetermined")]
    if longer:
        return [finding(Severity.INFO, Status.MET, f"concordant comparative blocks: {detail}", "concordant")]
    msg = (
        f"discordant comparative blocks: the longer-acting {long_.agent_name} did not give the longer relief; {detail}"
    )
    return [finding(Severity.CAUTION, Status.NOT_MET, msg, "discordant")]


# ---- relief.rfa_candidate ----------------------------------------------------------

CANDIDATE, NOT_YET, NOT_A_CANDIDATE = "candidate", "not yet", "not a candidate"


@rule(
    "relief.rfa_candidate",
    title="Radiofrequency candidacy",
    category=CATEGORY,
    facet_only=True,
    checks=(
        "Two positive diagnostic medial branch blocks at the same levels (the earlier one covered every level of the "
        "later), at least the confirmatory interval apart: a radiofrequency ablation candidate (candidate / not yet / "
        "not a candidate)."
    ),
    thresholds=(*_RELIEF_KEYS, "lcd.confirmatory.min_interval_days"),
)
def check_rfa_candidate(case: RuleCase) -> list[Finding]:
    rid, field = "relief.rfa_candidate", ("pain_scores",)
    _read_relief_thresholds(case)
    min_days = case.value("lcd.confirmatory.min_interval_days")

    def finding(status: Status, msg: str, verdict: str | None) -> Finding:
        severity = Severity.CAUTION if verdict == NOT_A_CANDIDATE else Severity.INFO
        return case.finding(
            rid, severity, status, msg, field, source=_with_threshold_sources(case, _RFA_SOURCE), verdict=verdict
        )

    proc = case.procedure
    if not _is_diagnostic(proc) or proc.technique != Technique.MEDIAL_BRANCH_BLOCK:
        return [finding(Status.NOT_APPLICABLE, "not applicable: not a diagnostic medial branch block", None)]
    levels = ", ".join(proc.levels())
    this = block_response(proc, case.catalog)
    earlier = [(p, block_response(p, case.catalog)) for p in _earlier_diagnostic_same_levels(case, mbb_only=True)]
    history = latest_named([f"{_label(p, b)} {b.verdict.value}" for p, b in [*earlier, (proc, this)]])
    if this.verdict is BlockVerdict.NEGATIVE:
        msg = f"not a candidate on this block: it was negative at {levels} ({history}); look for other pain generators"
        return [finding(Status.NOT_MET, msg, NOT_A_CANDIDATE)]
    pair = [(p, b) for p, b in earlier if b.positive and blocks_apart_enough(p, proc, case.catalog)]
    if this.positive and pair:
        p, b = pair[-1]
        msg = (
            f"candidate for radiofrequency ablation: two positive diagnostic medial branch blocks at {levels} "
            f"at least {min_days:g} days apart ({_label(p, b)}; {_label(proc, this)})"
        )
        return [finding(Status.MET, msg, CANDIDATE)]
    too_close = [p for p, b in earlier if b.positive and not blocks_apart_enough(p, proc, case.catalog)]
    why = f"not yet two positive diagnostic MBBs at {levels} at least {min_days:g} days apart: {history}"
    if too_close and this.positive:
        days = (proc.performed_at.date() - too_close[-1].performed_at.date()).days
        why += f" (the earlier positive block was only {days} day(s) earlier)"
    return [finding(Status.NOT_MET, why, NOT_YET)]


# ---- relief.scores_missing ---------------------------------------------------------


@rule(
    "relief.scores_missing",
    title="Pain scores recorded",
    category=CATEGORY,
    facet_only=True,
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
    if proc.technique == Technique.RADIOFREQUENCY_ABLATION:
        # An ablation's result is its improvement over months (follow-up), not scores in the recovery room.
        msg = f"{what}: not required after an ablation"
        return [case.finding(rid, Severity.INFO, Status.NOT_APPLICABLE, msg, field, source=_SCORES_SOURCE)]
    if _is_diagnostic(proc):
        msg = f"{what}: the LCD requires pain scores before and after each diagnostic block"
        return [case.finding(rid, Severity.WARNING, Status.NOT_MET, msg, field, source=_SCORES_SOURCE)]
    msg = f"{what}: scores document the relief a repeat therapeutic block needs"
    return [case.finding(rid, Severity.CAUTION, Status.NOT_MET, msg, field, source=_SCORES_SOURCE)]
