"""Medicare coverage rules for facet joint interventions (CMS LCD L38773, CGS)."""

from __future__ import annotations

from facetdesk.domain.block_response import KEYS as BLOCK_KEYS
from facetdesk.domain.block_response import BlockVerdict, block_response, blocks_apart_enough, month_minutes
from facetdesk.domain.catalog import Catalog
from facetdesk.domain.enums import ExclusionAnswer, Guidance, Intent, Sedation, Technique
from facetdesk.domain.finding import SOURCE_SEPARATOR
from facetdesk.domain.follow_up import sustained_improvement
from facetdesk.domain.months import add_months, in_rolling_window, months_before  # noqa: F401 (re-exported for tests)
from facetdesk.domain.procedure import PainScore, Procedure
from facetdesk.domain.relief import summarize_relief
from facetdesk.domain.timefmt import format_minutes
from facetdesk.rules.context import RuleCase
from facetdesk.rules.definition import rule
from facetdesk.rules.finding import Finding, Severity, Status
from facetdesk.rules.verdicts import met, not_applicable, not_evaluated, not_met

CATEGORY = "coverage"
LCD = "CMS LCD L38773 v32 (S1)"

DIAGNOSTIC = (Intent.DIAGNOSTIC_FIRST, Intent.DIAGNOSTIC_CONFIRMATORY)

# LCD L38773 (clinical-facts.md §1, §9; S1, S4): T12-L1 injected together with L1-L2 is one lumbar session
# (64490 + 64494), so the thoracolumbar joint then belongs to the lumbar region. The reference says so for L1-L2
# only; with another lumbar level and no L1-L2 (T12-L1 + L4-L5) the session spans two regions, as its coding does.
THORACOLUMBAR_JOINT = "T12-L1"
JUNCTION_PARTNER = "L1-L2"
LUMBAR = "lumbar"


# ---- shared helpers -----------------------------------------------------------
def session_regions(procedure: Procedure, catalog: Catalog) -> list[str]:
    """Spinal regions of a session, with T12-L1 counted as lumbar when L1-L2 is injected too."""
    regions: list[str] = []
    levels = procedure.levels()
    junction = JUNCTION_PARTNER in levels
    for level in levels:
        joint = catalog.joint(level)
        assert joint is not None  # targets are validated against the catalog
        region = LUMBAR if level == THORACOLUMBAR_JOINT and junction else joint.region
        if region not in regions:
            regions.append(region)
    return regions


def covers(prior: Procedure, levels: list[str]) -> bool:
    """Every one of ``levels`` was injected in ``prior`` (either side)."""
    return set(levels) <= set(prior.levels())


def overlaps(prior: Procedure, levels: list[str]) -> bool:
    return bool(set(levels) & set(prior.levels()))


_KIND = {
    Intent.DIAGNOSTIC_FIRST: "first diagnostic block",
    Intent.DIAGNOSTIC_CONFIRMATORY: "confirmatory diagnostic block",
    Intent.THERAPEUTIC: "therapeutic procedure",
}


def describe_prior(prior: Procedure) -> str:
    if prior.technique == Technique.RADIOFREQUENCY_ABLATION:
        return f"the radiofrequency ablation of {prior.performed_at:%Y-%m-%d} ({', '.join(prior.levels())})"
    return f"the {_KIND[prior.intent]} of {prior.performed_at:%Y-%m-%d} ({', '.join(prior.levels())})"


def levels_text(procedure: Procedure) -> str:
    return ", ".join(procedure.levels())


def _missing_relief_data(prior: Procedure, scores: list[PainScore]) -> str | None:
    """What keeps a prior block's relief (from ``scores``, its diary) from being computed, or None when it can be."""
    missing = []
    if prior.pre_procedure_pain is None:
        missing.append("no pre-injection pain score")
    if not scores:
        missing.append("no post-injection pain scores")
    if missing:
        return " and ".join(missing)
    summary = summarize_relief(prior.pre_procedure_pain, scores, ())
    if summary.peak_pct is None:
        return summary.reason_not_computed or "relief could not be computed"
    return None


def _guidance_label(value: str) -> str:
    try:
        return Guidance(value).label
    except ValueError:
        return value


def _sedation_label(value: str) -> str:
    try:
        return Sedation(value).label
    except ValueError:
        return value


# ---- rules --------------------------------------------------------------------
@rule(
    "lcd.imaging",
    title="Image guidance accepted for coverage",
    category=CATEGORY,
    facet_only=True,
    checks="The injection is guided by an imaging modality the LCD accepts (CT or fluoroscopy).",
    thresholds=("lcd.imaging.allowed_guidance",),
)
def check_imaging(case: RuleCase) -> list[Finding]:
    rid = case.rule_id
    allowed = list(case.value("lcd.imaging.allowed_guidance"))
    allowed_text = " or ".join(_guidance_label(v) for v in allowed)
    guidance = case.procedure.guidance
    if guidance.value in allowed:
        return [met(case, rid, f"{guidance.label} guidance is accepted ({allowed_text})", ("guidance",))]
    return [
        not_met(
            case,
            rid,
            ("no image guidance recorded" if guidance is Guidance.NONE else f"{guidance.label} guidance is not covered")
            + f": the LCD requires {allowed_text} guidance",
            ("guidance",),
        )
    ]


@rule(
    "lcd.levels",
    title="Levels per session",
    category=CATEGORY,
    facet_only=True,
    checks="No more joint levels per session than the LCD allows (a level counts once, uni- or bilateral).",
    thresholds=("lcd.levels.max_per_session",),
)
def check_levels(case: RuleCase) -> list[Finding]:
    rid = case.rule_id
    limit = case.value("lcd.levels.max_per_session")
    levels = case.procedure.levels()
    text = f"{len(levels)} level(s) ({', '.join(levels)}); the LCD covers at most {limit:g} per session"
    if len(levels) <= limit:
        return [met(case, rid, text, ("targets",))]
    return [not_met(case, rid, f"{text}, uni- or bilateral", ("targets",))]


@rule(
    "lcd.regions",
    title="One spinal region per session",
    category=CATEGORY,
    facet_only=True,
    checks="One spinal region per session (T12-L1 with L1-L2 counts as one lumbar session).",
)
def check_regions(case: RuleCase) -> list[Finding]:
    rid = case.rule_id
    source = f"{LCD}: one region per session; T12-L1 with L1-L2 is one lumbar session"
    regions = session_regions(case.procedure, case.catalog)
    if len(regions) <= 1:
        note = ""
        if THORACOLUMBAR_JOINT in case.procedure.levels() and regions == [LUMBAR]:
            note = f" ({THORACOLUMBAR_JOINT} with {JUNCTION_PARTNER} counts as a lumbar session)"
        return [met(case, rid, f"one spinal region: {regions[0]}{note}", ("targets",), source=source)]
    return [
        not_met(
            case,
            rid,
            f"{len(regions)} spinal regions in one session ({', '.join(regions)}); "
            "the LCD covers one region per session",
            ("targets",),
            source=source,
        )
    ]


@rule(
    "lcd.sessions_12m",
    title="Sessions in the last 12 months",
    category=CATEGORY,
    facet_only=True,
    checks=(
        "Diagnostic, therapeutic or radiofrequency sessions per spinal region in the rolling window ending with this "
        "session (included; a session exactly N months earlier falls outside) stay within the LCD limit of their "
        "kind. One finding per region."
    ),
    thresholds=(
        "lcd.sessions.window_months",
        "lcd.sessions.diagnostic_max",
        "lcd.sessions.therapeutic_max",
        "lcd.sessions.radiofrequency_max",
    ),
)
def check_sessions_12m(case: RuleCase) -> list[Finding]:
    rid = case.rule_id
    window = case.value("lcd.sessions.window_months")
    limits = {
        "diagnostic": case.value("lcd.sessions.diagnostic_max"),
        "therapeutic": case.value("lcd.sessions.therapeutic_max"),
        "radiofrequency": case.value("lcd.sessions.radiofrequency_max"),
    }
    in_window = [p for p in case.earlier() if in_rolling_window(p.performed_at, case.when, int(window))]
    kind = session_kind(case.procedure)
    limit = limits[kind]
    findings = []
    for region in session_regions(case.procedure, case.catalog):
        regional = [p for p in in_window if region in session_regions(p, case.catalog)]
        same = 1 + sum(1 for p in regional if session_kind(p) == kind)
        others = [f"{n} {k}" for k in limits if k != kind and (n := sum(1 for p in regional if session_kind(p) == k))]
        message = (
            f"{region}: {same} {kind} session(s) in the {window:g} months up to {case.when:%Y-%m-%d}, "
            f"this one included (limit {limit:g})" + (f"; also {', '.join(others)}" if others else "")
        )
        if same <= limit:
            findings.append(met(case, rid, message, ("intent",)))
        else:
            findings.append(not_met(case, rid, message, ("intent",)))
    return findings


def session_kind(procedure: Procedure) -> str:
    """Which LCD session count a procedure belongs to: diagnostic, therapeutic (injections) or radiofrequency."""
    if procedure.technique == Technique.RADIOFREQUENCY_ABLATION:
        return "radiofrequency"
    return "diagnostic" if procedure.intent in DIAGNOSTIC else "therapeutic"


@rule(
    "lcd.confirmatory_block",
    title="Confirmatory block after a positive first block",
    category=CATEGORY,
    facet_only=True,
    checks=(
        "A confirmatory diagnostic block follows a positive earlier diagnostic block that covered every level, "
        "at least the minimum interval earlier."
    ),
    thresholds=("lcd.confirmatory.min_interval_days", *BLOCK_KEYS),
)
def check_confirmatory_block(case: RuleCase) -> list[Finding]:
    rid = case.rule_id
    proc = case.procedure
    if proc.intent != Intent.DIAGNOSTIC_CONFIRMATORY:
        return [
            not_applicable(
                case,
                rid,
                f"not applicable: the intent is {proc.intent.label.lower()}, not a confirmatory block",
                ("intent",),
                source=f"{LCD}: second diagnostic block at the same level",
            )
        ]
    min_days = case.value("lcd.confirmatory.min_interval_days")
    for key in BLOCK_KEYS:
        case.th(key)
    levels = proc.levels()
    same_site = [p for p in case.earlier() if p.intent in DIAGNOSTIC and covers(p, levels)]
    # Calendar days: a block at 09:00 two weeks after one at 10:00 is still two weeks later.
    early_enough = [p for p in same_site if (case.when.date() - p.performed_at.date()).days >= min_days]
    if not early_enough:
        text = f"no earlier diagnostic block at {levels_text(proc)} at least {min_days:g} days before this one"
        if same_site:
            last = same_site[-1]
            days = (case.when.date() - last.performed_at.date()).days
            text += f"; {describe_prior(last)} was only {days} day(s) earlier"
        return [not_met(case, rid, text, ("intent",))]
    # One definition of a positive block (domain.block_response): sustained through the agent's duration.
    unclear, negative = [], []
    for prior in reversed(early_enough):  # most recent first
        block = block_response(prior, case.catalog)
        days = (case.when.date() - prior.performed_at.date()).days
        if block.positive:
            return [
                met(
                    case,
                    rid,
                    f"{describe_prior(prior)} was positive ({block.summary()}), "
                    f"{days} days earlier (at least {min_days:g})",
                    ("intent",),
                )
            ]
        if block.verdict is BlockVerdict.NEGATIVE:
            negative.append(f"{describe_prior(prior)}: {block.summary()}")
        else:
            unclear.append(
                f"{describe_prior(prior)}: {block.summary() if block.peak_pct is not None else block.reason}"
            )
    if unclear:
        text = "not evaluated: no earlier block shown positive; " + "; ".join(unclear + negative)
        return [not_evaluated(case, rid, text, ("intent",))]
    return [not_met(case, rid, f"no positive earlier diagnostic block: {'; '.join(negative)}", ("intent",))]


@rule(
    "lcd.therapeutic_prerequisite",
    title="Diagnostic blocks before a therapeutic one",
    category=CATEGORY,
    facet_only=True,
    checks=(
        "A therapeutic IA or MBB follows enough positive diagnostic blocks covering every level, each at least the "
        "confirmatory interval after the one before it that counted, and why the patient is not a radiofrequency "
        "candidate is documented."
    ),
    thresholds=("lcd.therapeutic.min_diagnostic_blocks", *BLOCK_KEYS, "lcd.confirmatory.min_interval_days"),
)
def check_therapeutic_prerequisite(case: RuleCase) -> list[Finding]:
    rid = case.rule_id
    proc = case.procedure
    if proc.technique == Technique.RADIOFREQUENCY_ABLATION:
        return [not_applicable(case, rid, "not applicable: a radiofrequency ablation (lcd.rfa_prerequisite)")]
    if proc.intent != Intent.THERAPEUTIC:
        return [
            not_applicable(
                case,
                rid,
                f"not applicable: the intent is {proc.intent.label.lower()}, not therapeutic",
                ("intent",),
                source=f"{LCD}: therapeutic IA or MBB after two positive diagnostic blocks",
            )
        ]
    needed = case.value("lcd.therapeutic.min_diagnostic_blocks")
    for key in BLOCK_KEYS:
        case.th(key)
    threshold = case.value("relief.positive_block_pct")
    found = diagnostic_blocks(case, proc.levels(), mbb_only=False)
    positive, _, unevaluable, _ = found
    reason_ok = bool(proc.rfa_not_candidate_reason.strip())
    blocks_ok = len(positive) >= needed
    parts = blocks_found("diagnostic block(s)", proc, needed, threshold, found)
    parts.append(
        "reason the patient is not a radiofrequency candidate: " + ("documented" if reason_ok else "not documented")
    )
    message = "; ".join(parts)
    if blocks_ok and reason_ok:
        return [met(case, rid, message, ("intent",))]
    if blocks_ok:
        return [not_met(case, rid, message, ("rfa_not_candidate_reason",))]
    if len(positive) + len(unevaluable) >= needed:
        # The count is short only because blocks lack scores; a missing reason is a definite gap.
        if not reason_ok:
            return [not_met(case, rid, message, ("rfa_not_candidate_reason",))]
        return [not_evaluated(case, rid, f"not evaluated: {message}", ("intent",))]
    return [not_met(case, rid, message, ("intent",))]


def diagnostic_blocks(
    case: RuleCase, levels: list[str], mbb_only: bool
) -> tuple[list[str], list[str], list[str], list[str]]:
    """The earlier diagnostic blocks covering every one of ``levels`` (MBBs only when ``mbb_only``), by the one
    definition of a block response: (positive, negative, not evaluable, too close), each described for the message.

    A positive block counts only when it came at least lcd.confirmatory.min_interval_days after the last one counted
    (the LCD's second block is at least 2 weeks after the first; relief.rfa_candidate pairs blocks the same way);
    one sooner is listed as too close."""
    min_days = case.value("lcd.confirmatory.min_interval_days")
    positive, negative, unevaluable, too_close = [], [], [], []
    last_counted: Procedure | None = None
    for prior in case.earlier():
        if prior.intent not in DIAGNOSTIC or not covers(prior, levels):
            continue
        if mbb_only and prior.technique != Technique.MEDIAL_BRANCH_BLOCK:
            continue
        block = block_response(prior, case.catalog)
        label = f"{prior.performed_at:%Y-%m-%d}" + (f" {block.peak_pct:g}%" if block.peak_pct is not None else "")
        if block.positive:
            if last_counted is None or blocks_apart_enough(last_counted, prior, case.catalog):
                positive.append(label)
                last_counted = prior
            else:
                days = (prior.performed_at.date() - last_counted.performed_at.date()).days
                too_close.append(
                    f"{label} (only {days} day(s) after the positive block of {last_counted.performed_at:%Y-%m-%d}; "
                    f"at least {min_days:g} days apart, or a documented exception)"
                )
        elif block.verdict is BlockVerdict.NEGATIVE:
            negative.append(label)
        else:
            unevaluable.append(f"{describe_prior(prior)} ({block.verdict.value}: {block.reason})")
    return positive, negative, unevaluable, too_close


def blocks_found(
    what: str,
    proc: Procedure,
    needed: float,
    threshold: float,
    found: tuple[list[str], list[str], list[str], list[str]],
) -> list[str]:
    """The parts of a message on the blocks found before ``proc`` (diagnostic_blocks' positive, negative, unclear,
    too close)."""
    positive, negative, unevaluable, too_close = found
    parts = [
        f"{len(positive)} positive {what} at {levels_text(proc)} "
        f"(at least {needed:g} with {threshold:g}% relief or more needed)"
        + (f": {', '.join(positive)}" if positive else "")
    ]
    if too_close:
        parts.append(f"positive but too close to an earlier one to count: {'; '.join(too_close)}")
    if negative:
        parts.append(f"negative: {', '.join(negative)}")
    if unevaluable:
        parts.append(f"not evaluable: {'; '.join(unevaluable)}")
    return parts


@rule(
    "lcd.repeat_therapeutic",
    title="Repeat therapeutic procedure",
    category=CATEGORY,
    facet_only=True,
    checks=(
        "A repeat therapeutic procedure at overlapping levels follows a prior one (the most recent) whose relief "
        "stayed at or above the minimum for the minimum number of months (30-day months, as the pain diary), "
        "counted from when that relief began; or, at its follow-up visits, that improvement in pain or in daily "
        "activities on the same scale for those months."
    ),
    thresholds=(
        "lcd.repeat_therapeutic.min_relief_pct",
        "lcd.repeat_therapeutic.min_duration_months",
        "time.days_per_month",
        "relief.onset_allowance_minutes",
    ),
)
def check_repeat_therapeutic(case: RuleCase) -> list[Finding]:
    rid = case.rule_id
    proc = case.procedure
    source = f"{LCD}: repeat therapeutic at the same site"
    if proc.technique == Technique.RADIOFREQUENCY_ABLATION:
        return [not_applicable(case, rid, "not applicable: a radiofrequency ablation (lcd.rfa_repeat)", source=source)]
    if proc.intent != Intent.THERAPEUTIC:
        return [
            not_applicable(
                case, rid, f"not applicable: the intent is {proc.intent.label.lower()}", ("intent",), source=source
            )
        ]
    levels = proc.levels()
    same_site = [
        p for p in case.earlier() if p.intent == Intent.THERAPEUTIC and p.technique.is_injection and overlaps(p, levels)
    ]
    if not same_site:
        return [
            not_applicable(
                case,
                rid,
                "not applicable (first therapeutic procedure at these levels)",
                ("intent",),
                source=source,
            )
        ]
    prior = same_site[-1]
    by_diary = _repeat_by_the_diary(case, prior)
    if by_diary.status is Status.MET:
        return [by_diary]
    # The LCD's alternative: the improvement (pain, or daily activities on the same scale) at the follow-ups.
    visits = case.follow_ups_of(prior)
    if not visits:
        return [by_diary]
    min_pct = case.value("lcd.repeat_therapeutic.min_relief_pct")
    months = case.value("lcd.repeat_therapeutic.min_duration_months")
    result = sustained_improvement(prior, visits, min_pct, months, case.value("time.days_per_month"))
    text = f"{describe_prior(prior)}, by its follow-ups: {result.reason}"
    if result.met:
        return [met(case, rid, text, ("intent",))]
    if result.met is False or by_diary.status is Status.NOT_MET:
        return [not_met(case, rid, f"{by_diary.message}; {text}", ("intent",))]
    return [by_diary]


def _repeat_by_the_diary(case: RuleCase, prior: Procedure) -> Finding:
    """The repeat rule judged by the earlier procedure's pain diary (the relief over the months after it)."""
    rid = case.rule_id
    min_pct = case.value("lcd.repeat_therapeutic.min_relief_pct")
    months = case.value("lcd.repeat_therapeutic.min_duration_months")
    # Only the diary as it stood at this procedure: a later score was not known when the repeat was decided, and
    # relief after the repeat may be the repeat's own.
    since = int((case.when - prior.performed_at).total_seconds() // 60)
    scores = [s for s in prior.pain_scores if s.minutes_after <= since]
    later = len(prior.pain_scores) - len(scores)
    left_out = (
        f" ({later} diary score(s) dated after this procedure left out: not known when it was decided)" if later else ""
    )
    missing = _missing_relief_data(prior, scores)
    if missing:
        return not_evaluated(case, rid, f"not evaluated: {describe_prior(prior)} has {missing}{left_out}", ("intent",))
    case.th("time.days_per_month")
    onset = case.value("relief.onset_allowance_minutes")
    summary = summarize_relief(prior.pre_procedure_pain, scores, (min_pct,), onset)
    duration = summary.duration(min_pct)
    assert duration is not None
    span = format_minutes(int(month_minutes(months, case.catalog)))
    need = f"at least {min_pct:g}% relief for {months:g} months ({span}) needed"
    if not duration.reached or duration.minutes is None:
        return not_met(
            case,
            rid,
            f"{describe_prior(prior)} never reached {min_pct:g}% relief (peak {summary.peak_pct:g}%); {need}{left_out}",
            ("intent",),
        )
    # One unit for months of relief (time.days_per_month), the pain diary's: its "3 months" point is 90 days.
    # Counted from when relief reached the minimum; relief there within the onset allowance counts from the
    # injection (the block taking effect is no gap in relief), so relief at the diary's 3-month point is 3 months.
    began = duration.reached_at or 0
    start = 0 if began <= onset else began
    assert duration.lasted_until is not None
    lasted = duration.lasted_until - start
    tail = (
        " (still at the last score; may have lasted longer)"
        if duration.ended_before is None
        else f", below it by {format_minutes(duration.ended_before)}"
    )
    text = (
        f"{describe_prior(prior)}: at least {min_pct:g}% relief from {format_minutes(began)}, "
        f"lasting {format_minutes(lasted)}{tail}; {need}{left_out}"
    )
    if lasted >= month_minutes(months, case.catalog):
        return met(case, rid, text, ("intent",))
    return not_met(case, rid, text, ("intent",))


@rule(
    "lcd.pain_duration",
    title="Pain duration",
    category=CATEGORY,
    facet_only=True,
    checks="The pain has lasted at least the minimum number of months.",
    thresholds=("lcd.pain_duration.min_months",),
)
def check_pain_duration(case: RuleCase) -> list[Finding]:
    rid = case.rule_id
    field = ("indication", "pain_duration_months")
    minimum = case.value("lcd.pain_duration.min_months")
    months = case.procedure.indication.pain_duration_months
    if months is None:
        return [not_evaluated(case, rid, "not evaluated: the pain duration is not recorded", field)]
    text = f"pain for {months} month(s); the LCD requires at least {minimum:g}"
    if months >= minimum:
        return [met(case, rid, text, field)]
    return [not_met(case, rid, text, field)]


@rule(
    "lcd.conservative_care",
    title="Conservative care documented",
    category=CATEGORY,
    facet_only=True,
    checks="Failed noninvasive conservative care is documented (a listed treatment or details).",
)
def check_conservative_care(case: RuleCase) -> list[Finding]:
    rid = case.rule_id
    field = ("indication", "conservative_care")
    source = f"{LCD}: documented failure of noninvasive conservative management"
    ind = case.procedure.indication
    tried = [c.label for c in ind.conservative_care]
    if ind.conservative_care_details.strip():
        tried.append(ind.conservative_care_details.strip())
    if tried:
        return [met(case, rid, ", ".join(tried), field, source=source)]
    return [
        not_met(
            case,
            rid,
            "no conservative care documented: the LCD requires documented failure of noninvasive "
            "conservative management",
            field,
            source=source,
        )
    ]


@rule(
    "lcd.scales",
    title="Pain and disability scales documented",
    category=CATEGORY,
    facet_only=True,
    checks=(
        "Baseline pain and disability scales are named and scored; diagnostic blocks use the same pain scale "
        "as earlier diagnostic blocks at these levels and have post-block pain scores."
    ),
)
def check_scales(case: RuleCase) -> list[Finding]:
    rid = case.rule_id
    source = f"{LCD}: pain scale at baseline and after each diagnostic block, same scale; disability scale at baseline"
    proc = case.procedure
    ind = proc.indication
    missing: list[tuple[str, tuple[str, ...]]] = []
    if ind.baseline_pain is None:
        # Named as the Indication tab names it: the Pain tab's pre-injection score is another one.
        missing.append(
            (f"usual pain at evaluation ({ind.pain_scale.value}, Indication tab)", ("indication", "baseline_pain"))
        )
    if ind.disability_scale is None:
        missing.append(("disability scale (ODI or NDI)", ("indication", "disability_scale")))
    if ind.disability_score is None:
        missing.append(("disability score", ("indication", "disability_score")))
    if proc.intent in DIAGNOSTIC:
        levels = proc.levels()
        other_scales = [
            p
            for p in case.earlier()
            if p.intent in DIAGNOSTIC and overlaps(p, levels) and p.indication.pain_scale != ind.pain_scale
        ]
        if other_scales:
            used = ", ".join(f"{p.indication.pain_scale.value} on {p.performed_at:%Y-%m-%d}" for p in other_scales)
            missing.append(
                (
                    f"the same pain scale as earlier diagnostic blocks ({ind.pain_scale.value} now; {used})",
                    ("indication", "pain_scale"),
                )
            )
        if not proc.pain_scores:
            missing.append(("post-block pain scores", ("pain_scores",)))
    if not missing:
        disability = f"{ind.disability_scale.value} {ind.disability_score:g}" if ind.disability_scale else ""
        return [
            met(
                case,
                rid,
                f"scales documented: {ind.pain_scale.value} baseline {ind.baseline_pain}, {disability}",
                ("indication", "pain_scale"),
                source=source,
            )
        ]
    return [
        not_met(
            case,
            rid,
            "missing: " + "; ".join(what for what, _ in missing),
            missing[0][1],
            source=source,
        )
    ]


@rule(
    "lcd.diagnostic_ia",
    title="Why an intra-articular diagnostic block",
    category=CATEGORY,
    facet_only=True,
    checks="A diagnostic intra-articular injection documents why a medial branch block is not possible.",
)
def check_diagnostic_ia(case: RuleCase) -> list[Finding]:
    rid = case.rule_id
    field = ("mbb_not_possible_reason",)
    source = f"{LCD}: diagnostic IA only if MBB is not possible or a therapeutic IA is planned"
    proc = case.procedure
    if proc.technique != Technique.INTRA_ARTICULAR or proc.intent not in DIAGNOSTIC:
        return [
            not_applicable(
                case,
                rid,
                f"not applicable: {proc.technique.label.lower()}, {proc.intent.label.lower()}",
                field,
                source=source,
            )
        ]
    if proc.mbb_not_possible_reason.strip():
        return [met(case, rid, f"MBB not possible: {proc.mbb_not_possible_reason.strip()}", field, source=source)]
    return [
        not_met(
            case,
            rid,
            "diagnostic intra-articular injection without a documented reason why a medial branch block "
            "is not possible",
            field,
            source=source,
        )
    ]


@rule(
    "lcd.sedation",
    title="Sedation",
    category=CATEGORY,
    facet_only=True,
    checks="Sedation is at a level the coverage policies consider routine (otherwise document necessity).",
    thresholds=("lcd.sedation.routine_levels",),
)
def check_sedation(case: RuleCase) -> list[Finding]:
    rid = case.rule_id
    routine = list(case.value("lcd.sedation.routine_levels"))
    sedation = case.procedure.sedation
    if sedation.value in routine:
        return [met(case, rid, f"{sedation.label}, as routine for the LCD", ("sedation",))]
    routine_text = ", ".join(_sedation_label(v) for v in routine)
    why = "moderate or deep sedation and general anaesthesia are not routinely necessary"
    if case.procedure.technique == Technique.RADIOFREQUENCY_ABLATION and sedation != Sedation.GENERAL:
        # CGS denies sedation billed with a pain procedure *other than* RFA; for an ablation it is "rarely
        # indicated", not denied outright (clinical-facts.md §1, S5). NGS's general-anaesthesia line stands.
        why = "for a radiofrequency ablation the payers call it rarely indicated (CGS does not deny it outright)"
    return [
        not_met(
            case,
            rid,
            f"{sedation.label} (routine: {routine_text}); {why}; document medical necessity",
            ("sedation",),
            severity=Severity.CAUTION,
        )
    ]


@rule(
    "lcd.exclusions",
    title="LCD exclusions answered",
    category=CATEGORY,
    facet_only=True,
    checks=(
        "Each LCD patient-selection exclusion (resources/lcd_exclusions.json) is answered for this procedure, "
        "and none applies (an exclusion under the LCD's own exception does not)."
    ),
)
def check_exclusions(case: RuleCase) -> list[Finding]:
    rid, field = "lcd.exclusions", ("indication", "exclusions")
    exclusions = case.catalog.exclusions
    if not exclusions:
        return [not_applicable(case, rid, "no LCD exclusions are configured (resources/lcd_exclusions.json)", field)]
    indication = case.procedure.indication
    source = SOURCE_SEPARATOR.join(dict.fromkeys(e.source for e in exclusions))
    present = [e for e in exclusions if indication.exclusion_answer(e.key) == ExclusionAnswer.PRESENT]
    missing = [e for e in exclusions if indication.exclusion_answer(e.key) is None]
    excepted = [e for e in exclusions if indication.exclusion_answer(e.key) == ExclusionAnswer.EXCEPTED]
    excepted_text = "".join(f"; {e.exception} (the LCD's exception: not excluded)" for e in excepted)
    if present:
        msg = (
            "LCD exclusion recorded: "
            + "; ".join(e.question for e in present)
            + ": facet joint interventions are not reasonable and necessary for this patient under the LCD"
            + excepted_text
        )
        sources = SOURCE_SEPARATOR.join(dict.fromkeys(e.source for e in present))
        return [case.finding(rid, Severity.WARNING, Status.NOT_MET, msg, field, sources, verdict="excluded")]
    if missing:
        unanswered = "; ".join(e.question for e in missing)
        msg = f"not evaluated: LCD exclusion(s) not answered (Indication tab): {unanswered}{excepted_text}"
        sources = SOURCE_SEPARATOR.join(dict.fromkeys(e.source for e in missing))
        return [case.finding(rid, Severity.CAUTION, Status.NOT_EVALUATED, msg, field, sources, verdict="not recorded")]
    msg = f"none of the {len(exclusions)} LCD exclusions applies" + excepted_text
    return [case.finding(rid, Severity.INFO, Status.MET, msg, field, source, verdict="not excluded")]
