"""Medicare coverage rules for radiofrequency ablation of the medial branches (CMS LCD L38773)."""

from __future__ import annotations

from facetdesk.domain.block_response import KEYS as BLOCK_KEYS
from facetdesk.domain.enums import RfMethod, Technique
from facetdesk.domain.follow_up import improvement_due, sustained_improvement
from facetdesk.domain.months import MONTHS_PER_YEAR, add_months
from facetdesk.domain.procedure import Procedure
from facetdesk.rules.context import RuleCase
from facetdesk.rules.coverage import CATEGORY, DIAGNOSTIC, blocks_found, describe_prior, diagnostic_blocks, overlaps
from facetdesk.rules.definition import rule
from facetdesk.rules.finding import Finding, Severity
from facetdesk.rules.verdicts import met, not_applicable, not_evaluated, not_met

RF = Technique.RADIOFREQUENCY_ABLATION


def _ablations_at(case: RuleCase, levels: list[str]) -> list[Procedure]:
    """Earlier radiofrequency ablations at any of ``levels``, oldest first."""
    return [p for p in case.earlier() if p.technique == RF and overlaps(p, levels)]


@rule(
    "lcd.rfa_prerequisite",
    title="Diagnostic blocks before radiofrequency ablation",
    category=CATEGORY,
    facet_only=True,
    checks=(
        "An ablation follows enough positive diagnostic medial branch blocks covering every level ablated, each at "
        "least the confirmatory interval after the one before it that counted."
    ),
    thresholds=("lcd.rfa.min_diagnostic_mbbs", *BLOCK_KEYS, "lcd.confirmatory.min_interval_days"),
)
def check_rfa_prerequisite(case: RuleCase) -> list[Finding]:
    rid, proc = case.rule_id, case.procedure
    if proc.technique != RF:
        return [not_applicable(case, rid, f"not applicable: {proc.technique.label.lower()}, not an ablation")]
    needed = case.value("lcd.rfa.min_diagnostic_mbbs")
    for key in BLOCK_KEYS:
        case.th(key)
    threshold = case.value("relief.positive_block_pct")
    found = diagnostic_blocks(case, proc.levels(), mbb_only=True)
    positive, _, unevaluable, _ = found
    parts = blocks_found("diagnostic medial branch block(s)", proc, needed, threshold, found)
    message = "; ".join(parts)
    if len(positive) >= needed:
        return [met(case, rid, message, ("technique",))]
    if len(positive) + len(unevaluable) >= needed:
        return [not_evaluated(case, rid, f"not evaluated: {message}", ("technique",))]
    return [not_met(case, rid, message, ("technique",))]


@rule(
    "lcd.rfa_thermal",
    title="Thermal lesioning",
    category=CATEGORY,
    facet_only=True,
    checks="An ablation is thermal at or above the minimum lesion temperature (pulsed and cooler lesions are not).",
    thresholds=("lcd.rfa.min_temperature_c",),
)
def check_rfa_thermal(case: RuleCase) -> list[Finding]:
    rid, proc = case.rule_id, case.procedure
    rf = proc.radiofrequency
    if proc.technique != RF or rf is None:
        return [not_applicable(case, rid, f"not applicable: {proc.technique.label.lower()}, not an ablation")]
    minimum = case.value("lcd.rfa.min_temperature_c")
    field = ("radiofrequency", "temperature_c")
    if rf.method == RfMethod.PULSED:
        return [not_met(case, rid, f"pulsed radiofrequency is not thermal lesioning (at least {minimum:g} °C)",
                        ("radiofrequency", "method"))]  # fmt: skip
    if rf.temperature_c is None:
        return [not_evaluated(case, rid, f"not evaluated: no lesion temperature recorded (at least {minimum:g} °C)",
                              field)]  # fmt: skip
    message = (
        f"{rf.method.label.lower() if rf.method else 'lesions'} at {rf.temperature_c:g} °C (at least {minimum:g} °C)"
    )
    if rf.temperature_c >= minimum:
        return [met(case, rid, message, field)]
    return [not_met(case, rid, message, field)]


@rule(
    "lcd.rfa_repeat",
    title="Repeat radiofrequency ablation",
    category=CATEGORY,
    facet_only=True,
    checks=(
        "A repeat ablation at the same levels follows an earlier one whose improvement (pain, or daily activities "
        "on the same scale, at the follow-up visits) stayed at or above the minimum for the minimum number of months."
    ),
    thresholds=("lcd.rfa.repeat_min_improvement_pct", "lcd.rfa.repeat_min_duration_months", "time.days_per_month"),
)
def check_rfa_repeat(case: RuleCase) -> list[Finding]:
    rid, proc = case.rule_id, case.procedure
    if proc.technique != RF:
        return [not_applicable(case, rid, f"not applicable: {proc.technique.label.lower()}, not an ablation")]
    earlier = _ablations_at(case, proc.levels())
    if not earlier:
        return [not_applicable(case, rid, "not applicable (first ablation at these levels)", ("technique",))]
    prior = earlier[-1]
    pct = case.value("lcd.rfa.repeat_min_improvement_pct")
    months = case.value("lcd.rfa.repeat_min_duration_months")
    result = sustained_improvement(prior, case.follow_ups_of(prior), pct, months, case.value("time.days_per_month"))
    message = f"after {describe_prior(prior)}: {result.reason} (at least {pct:g}% for {months:g} months needed)"
    if result.met:
        return [met(case, rid, message, ("technique",))]
    # The improvement is counted as sustained_improvement counts it: before the months have passed since the
    # earlier ablation it cannot have lasted them, whatever the follow-ups will show.
    due = improvement_due(prior, months, case.value("time.days_per_month"))
    if case.when.date() < due:
        days = (case.when.date() - prior.performed_at.date()).days
        soon = f"only {days} day(s) after {describe_prior(prior)}, before {months:g} months ({due:%Y-%m-%d})"
        return [not_met(case, rid, f"{soon}: at least {pct:g}% for {months:g} months cannot be shown", ("technique",))]
    if result.met is False:
        return [not_met(case, rid, message, ("technique",))]
    return [not_evaluated(case, rid, f"check by hand: {message}", ("technique",))]


@rule(
    "lcd.block_after_ablation",
    title="Diagnostic block at an ablated level",
    category=CATEGORY,
    facet_only=True,
    checks=(
        "A diagnostic block at a level ablated before comes at least the minimum number of years after the last "
        "ablation (and only when the pain's source is in doubt); no diagnostic block at a successfully ablated level."
    ),
    thresholds=("lcd.rfa.rediagnose_after_years",),
)
def check_block_after_ablation(case: RuleCase) -> list[Finding]:
    rid, proc = case.rule_id, case.procedure
    if proc.intent not in DIAGNOSTIC:
        return [not_applicable(case, rid, f"not applicable: the intent is {proc.intent.label.lower()}")]
    earlier = _ablations_at(case, proc.levels())
    if not earlier:
        return [not_applicable(case, rid, "not applicable (no earlier ablation at these levels)", ("intent",))]
    prior = earlier[-1]
    years = case.value("lcd.rfa.rediagnose_after_years")
    allowed_from = add_months(prior.performed_at, int(years * MONTHS_PER_YEAR))
    if case.when >= allowed_from:
        return [
            met(
                case,
                rid,
                f"{describe_prior(prior)} was at least {years:g} years ago: repeat diagnostic blocks are covered "
                "when the pain's source is in doubt; document why",
                ("intent",),
            )
        ]
    return [
        not_met(
            case,
            rid,
            f"{describe_prior(prior)} was less than {years:g} years ago: no diagnostic block at a successfully "
            f"ablated level (repeat diagnostics from {allowed_from:%Y-%m-%d}, if the source is in doubt)",
            ("intent",),
            severity=Severity.WARNING,
        )
    ]
