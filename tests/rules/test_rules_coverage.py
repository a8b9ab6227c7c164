"""Tests of the CMS LCD L38773 coverage rules."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from facetdesk.domain.catalog import get_catalog
from facetdesk.domain.enums import Guidance, Intent, Sedation
from facetdesk.rules.context import RuleCase
from facetdesk.rules.coverage import add_months, months_before, session_regions
from facetdesk.rules.finding import Severity, Status
from facetdesk.rules.registry import RULES
from tests.builders.records import WHEN, bilateral, left, patient, procedure
from tests.rules.rule_runs import one, run, use_threshold, value

DAY_MIN = 24 * 60


def nrs_for_relief(pct: float, baseline: int = 10) -> int:
    """The NRS that gives exactly ``pct`` relief from ``baseline`` (fails if no integer does)."""
    nrs = baseline - baseline * pct / 100
    assert nrs == int(nrs), f"{pct}% relief from {baseline} is not a whole NRS score"
    return int(nrs)


BLOCK_AGENT = "lidocaine"


def scored(relief_pct: float | None = None, *, baseline: int = 10, **overrides: Any) -> dict[str, Any]:
    """Fields for a lidocaine block with ``relief_pct`` relief from 30 minutes through lidocaine's expected duration.

    By the one definition of a block response (domain.block_response) it is positive exactly when ``relief_pct``
    is at least the positive-block threshold.
    """
    hours = value("relief.expected_duration_hours")[BLOCK_AGENT]
    data: dict[str, Any] = {
        "pre_procedure_pain": baseline,
        "medications": [{"agent": BLOCK_AGENT, "concentration_mg_per_ml": 10, "volume_ml": 0.5}],
    }
    if relief_pct is not None:
        nrs = nrs_for_relief(relief_pct, baseline)
        data["pain_scores"] = [{"minutes_after": 30, "nrs": nrs}, {"minutes_after": int(hours * 60), "nrs": nrs}]
    data.update(overrides)
    return data


def days_before(days: float, at: datetime = WHEN) -> datetime:
    return at - timedelta(days=days)


COVERAGE_IDS = (
    "lcd.imaging",
    "lcd.levels",
    "lcd.regions",
    "lcd.sessions_12m",
    "lcd.confirmatory_block",
    "lcd.therapeutic_prerequisite",
    "lcd.repeat_therapeutic",
    "lcd.pain_duration",
    "lcd.conservative_care",
    "lcd.scales",
    "lcd.diagnostic_ia",
    "lcd.sedation",
)


def assert_met(f):
    assert f.status == Status.MET, f.message
    assert f.severity == Severity.INFO


def assert_not_met(f, severity=Severity.WARNING):
    assert f.status == Status.NOT_MET, f.message
    assert f.severity == severity


def assert_not_evaluated(f):
    assert f.status == Status.NOT_EVALUATED, f.message
    assert f.severity == Severity.CAUTION


def lumbar_levels() -> list[str]:
    return [j.level for j in get_catalog().joints if j.region == "lumbar"]


def complete_indication(**overrides):
    data = {
        "pain_duration_months": 6,
        "conservative_care": ["nsaids", "physical_therapy"],
        "pain_scale": "NRS",
        "baseline_pain": 7,
        "disability_scale": "ODI",
        "disability_score": 40,
    }
    data.update(overrides)
    return data


# ---- registration and month arithmetic ------------------------------------------
def test_rules_registered_in_coverage_category():
    for rid in COVERAGE_IDS:
        assert RULES[rid].category == "coverage"
        assert RULES[rid].checks


@pytest.mark.parametrize("intent", list(Intent))
def test_rules_read_only_declared_thresholds(intent):
    priors = [
        procedure(performed_at=days_before(100), intent="therapeutic", **scored(value("relief.positive_block_pct"))),
        procedure(
            performed_at=days_before(60), intent="diagnostic_first", **scored(value("relief.positive_block_pct"))
        ),
    ]
    for rid in COVERAGE_IDS:
        case = RuleCase(patient(), procedure(intent=intent.value, **scored(50)), tuple(priors), get_catalog())
        findings = RULES[rid].func(case)
        assert findings
        assert {t.key for t in case._used} <= set(RULES[rid].thresholds), rid
        assert all(f.source and f.source != "FacetDesk record check" for f in findings), rid


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2024, 3, 31), 1, date(2024, 2, 29)),
        (date(2023, 3, 31), 1, date(2023, 2, 28)),
        (date(2024, 1, 15), 1, date(2023, 12, 15)),
        (date(2024, 3, 14), 12, date(2023, 3, 14)),
        (date(2024, 2, 29), 12, date(2023, 2, 28)),
        (date(2024, 5, 31), 3, date(2024, 2, 29)),
        (date(2024, 3, 14), 0, date(2024, 3, 14)),
    ],
)
def test_months_before(start, n, expected):
    assert months_before(start, n) == expected


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2023, 12, 15), 1, date(2024, 1, 15)),
        (date(2023, 11, 30), 3, date(2024, 2, 29)),
        (date(2024, 3, 14), -12, date(2023, 3, 14)),
        (date(2024, 8, 31), 1, date(2024, 9, 30)),
    ],
)
def test_add_months(start, n, expected):
    assert add_months(start, n) == expected


def test_month_helpers_keep_the_time_of_day():
    assert months_before(datetime(2024, 3, 31, 9, 30), 1) == datetime(2024, 2, 29, 9, 30)
    assert add_months(datetime(2024, 1, 31, 23, 59), 1) == datetime(2024, 2, 29, 23, 59)


# ---- lcd.imaging ----------------------------------------------------------------
@pytest.mark.parametrize("guidance", list(Guidance))
def test_imaging_by_guidance(guidance):
    f = one("lcd.imaging", procedure(guidance=guidance.value))
    assert f.field == ("guidance",)
    if guidance.value in value("lcd.imaging.allowed_guidance"):
        assert_met(f)
    else:
        assert_not_met(f)
        # "None guidance" read as a name: no guidance is said in words.
        assert (guidance.label in f.message) if guidance.value != "none" else "no image guidance" in f.message
    assert "CMS LCD L38773" in f.source


def test_imaging_follows_edited_threshold(tmp_path, monkeypatch):
    assert_met(one("lcd.imaging", procedure(guidance="ct")))
    use_threshold(monkeypatch, tmp_path, "lcd.imaging.allowed_guidance", ["fluoroscopy"])
    f = one("lcd.imaging", procedure(guidance="ct"))
    assert_not_met(f)
    assert "Fluoroscopy" in f.message


# ---- lcd.levels -----------------------------------------------------------------
@pytest.mark.parametrize("delta", [-1, 0, 1])
def test_levels_boundary(delta):
    limit = value("lcd.levels.max_per_session")
    n = limit + delta
    levels = lumbar_levels()[:n]
    assert len(levels) == n
    f = one("lcd.levels", procedure(targets=bilateral(*levels)))
    assert f.field == ("targets",)
    assert f"{n} level" in f.message and f"at most {limit:g}" in f.message
    if n <= limit:
        assert_met(f)
    else:
        assert_not_met(f)


def test_levels_count_bilateral_once():
    limit = value("lcd.levels.max_per_session")
    levels = lumbar_levels()[:limit]
    assert_met(one("lcd.levels", procedure(targets=bilateral(*levels))))
    assert_met(one("lcd.levels", procedure(targets=left(*levels))))


def test_levels_follow_edited_threshold(tmp_path, monkeypatch):
    limit = value("lcd.levels.max_per_session")
    levels = lumbar_levels()[: limit + 1]
    assert_not_met(one("lcd.levels", procedure(targets=bilateral(*levels))))
    use_threshold(monkeypatch, tmp_path, "lcd.levels.max_per_session", limit + 1)
    assert_met(one("lcd.levels", procedure(targets=bilateral(*levels))))


# ---- lcd.regions ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("levels", "met"),
    [
        (["L4-L5", "L5-S1"], True),
        (["T12-L1", "L1-L2"], True),
        (["T12-L1"], True),
        (["T11-T12", "T12-L1"], True),
        (["T11-T12", "L1-L2"], False),
        (["T11-T12", "T12-L1", "L1-L2"], False),
        (["C7-T1", "T1-T2"], False),
        (["C5-C6", "L4-L5"], False),
    ],
)
def test_regions(levels, met):
    f = one("lcd.regions", procedure(targets=left(*levels)))
    assert f.field == ("targets",)
    if met:
        assert_met(f)
    else:
        assert_not_met(f)
        assert "one region per session" in f.message


def test_thoracolumbar_with_lumbar_is_a_lumbar_session():
    f = one("lcd.regions", procedure(targets=left("T12-L1", "L1-L2")))
    assert "lumbar" in f.message and "T12-L1" in f.message
    assert session_regions(procedure(targets=left("T12-L1", "L1-L2")), get_catalog()) == ["lumbar"]
    assert session_regions(procedure(targets=left("T12-L1")), get_catalog()) == ["thoracic"]


# ---- lcd.sessions_12m -----------------------------------------------------------
def priors_of(intent: str, count: int, levels=("L4-L5",), start_days: int = 10) -> list:
    return [
        procedure(performed_at=days_before(start_days + 7 * i), intent=intent, targets=left(*levels))
        for i in range(count)
    ]


@pytest.mark.parametrize(
    ("intent", "key"), [("diagnostic_first", "diagnostic_max"), ("therapeutic", "therapeutic_max")]
)
@pytest.mark.parametrize("delta", [-1, 0, 1])
def test_sessions_boundary(intent, key, delta):
    limit = value(f"lcd.sessions.{key}")
    # This session counts, so limit - 1 priors reach the limit exactly.
    prior_intent = "diagnostic_confirmatory" if intent == "diagnostic_first" else intent
    priors = priors_of(prior_intent, limit - 1 + delta)
    f = one("lcd.sessions_12m", procedure(intent=intent), priors)
    assert f.field == ("intent",)
    assert f"{limit + delta} " in f.message and f"limit {limit:g}" in f.message
    if delta <= 0:
        assert_met(f)
    else:
        assert_not_met(f)


def test_sessions_count_only_this_category_but_mention_the_other():
    limit = value("lcd.sessions.diagnostic_max")
    priors = priors_of("therapeutic", limit + 2)
    f = one("lcd.sessions_12m", procedure(intent="diagnostic_first"), priors)
    assert_met(f)
    assert "1 diagnostic" in f.message and f"{limit + 2} therapeutic" in f.message


def ablation(**overrides) -> object:
    """A radiofrequency ablation (therapeutic, conventional thermal lesioning) at left L4-L5."""
    fields = {
        "technique": "radiofrequency_ablation",
        "intent": "therapeutic",
        "radiofrequency": {"method": "conventional"},
    }
    return procedure(**(fields | overrides))


def test_radiofrequency_sessions_count_against_their_own_limit_not_the_injections():
    limit = value("lcd.sessions.radiofrequency_max")
    ablations = [ablation(performed_at=days_before(30 * (i + 1))) for i in range(int(limit) - 1)]
    assert_met(one("lcd.sessions_12m", ablation(), ablations))
    f = one("lcd.sessions_12m", ablation(), [*ablations, ablation(performed_at=days_before(200))])
    assert_not_met(f)
    assert f"{limit + 1:g} radiofrequency session(s)" in f.message and f"(limit {limit:g})" in f.message
    # Ablations are not therapeutic injections: a therapeutic injection's count ignores them and names them apart.
    f = one("lcd.sessions_12m", procedure(intent="therapeutic"), ablations)
    assert "1 therapeutic session(s)" in f.message and f"also {len(ablations)} radiofrequency" in f.message


def test_sessions_other_region_does_not_count():
    limit = value("lcd.sessions.diagnostic_max")
    priors = priors_of("diagnostic_first", limit + 1, levels=("C5-C6",))
    assert_met(one("lcd.sessions_12m", procedure(), priors))


def test_sessions_thoracolumbar_prior_counts_as_lumbar_only_with_lumbar_levels():
    limit = value("lcd.sessions.diagnostic_max")
    with_lumbar = priors_of("diagnostic_first", limit, levels=("T12-L1", "L1-L2"))
    assert_not_met(one("lcd.sessions_12m", procedure(), with_lumbar))
    alone = priors_of("diagnostic_first", limit, levels=("T12-L1",))
    assert_met(one("lcd.sessions_12m", procedure(), alone))
    # ... and a thoracic session at T12-L1 counts T12-L1-alone priors.
    assert_not_met(one("lcd.sessions_12m", procedure(targets=left("T12-L1")), alone))


def test_sessions_prior_counts_if_any_target_in_region():
    limit = value("lcd.sessions.diagnostic_max")
    priors = priors_of("diagnostic_first", limit, levels=("C5-C6", "L4-L5"))
    assert_not_met(one("lcd.sessions_12m", procedure(), priors))


# One window edge for every rule (domain.months.in_rolling_window): the same calendar day N months earlier is
# outside, the day after it inside, whatever the time of day.
@pytest.mark.parametrize(
    ("after_edge", "counted"),
    [(timedelta(days=1), True), (timedelta(0), False), (timedelta(hours=6), False), (timedelta(days=-1), False)],
)
def test_sessions_window_boundary(after_edge, counted):
    limit = value("lcd.sessions.diagnostic_max")
    window = value("lcd.sessions.window_months")
    edge = months_before(WHEN, window) + after_edge
    priors = priors_of("diagnostic_first", limit - 1) + [procedure(performed_at=edge, intent="diagnostic_first")]
    f = one("lcd.sessions_12m", procedure(), priors)
    if counted:
        assert_not_met(f)
    else:
        assert_met(f)


def test_sessions_ignore_later_priors():
    limit = value("lcd.sessions.diagnostic_max")
    current = procedure(performed_at=days_before(400))
    later = priors_of("diagnostic_first", limit + 1)  # performed after the current session
    assert_met(one("lcd.sessions_12m", current, later))


def test_sessions_one_finding_per_region():
    findings = run("lcd.sessions_12m", procedure(targets=left("C5-C6", "L4-L5")))
    assert [f.message.split(":")[0] for f in findings] == ["cervical", "lumbar"]


def test_sessions_follow_edited_threshold(tmp_path, monkeypatch):
    limit = value("lcd.sessions.diagnostic_max")
    priors = priors_of("diagnostic_first", limit - 1)
    assert_met(one("lcd.sessions_12m", procedure(), priors))
    use_threshold(monkeypatch, tmp_path, "lcd.sessions.diagnostic_max", limit - 1)
    f = one("lcd.sessions_12m", procedure(), priors_of("diagnostic_first", limit - 1))
    assert_not_met(f)
    assert f"limit {limit - 1:g}" in f.message


# ---- lcd.confirmatory_block -----------------------------------------------------
def confirmatory(**kw):
    return procedure(intent="diagnostic_confirmatory", **kw)


def first_block(days: float | None = None, relief=None, **kw):
    if days is None:
        days = value("lcd.confirmatory.min_interval_days")
    if relief is None:
        relief = value("relief.positive_block_pct")
    data = {"performed_at": days_before(days), "intent": "diagnostic_first", **scored(relief)}
    data.update(kw)
    return procedure(**data)


@pytest.mark.parametrize("intent", ["diagnostic_first", "therapeutic"])
def test_confirmatory_not_applicable(intent):
    f = one("lcd.confirmatory_block", procedure(intent=intent))
    assert f.status == Status.NOT_APPLICABLE
    assert "not applicable" in f.message


def test_confirmatory_without_earlier_block():
    f = one("lcd.confirmatory_block", confirmatory())
    assert_not_met(f)
    assert f.field == ("intent",)


@pytest.mark.parametrize("delta", [-1, 0, 1])
def test_confirmatory_interval_boundary(delta):
    min_days = value("lcd.confirmatory.min_interval_days")
    f = one("lcd.confirmatory_block", confirmatory(), [first_block(min_days + delta)])
    if delta < 0:
        assert_not_met(f)
        assert f"only {min_days - 1} day" in f.message
    else:
        assert_met(f)


def test_confirmatory_interval_counts_calendar_days():
    min_days = value("lcd.confirmatory.min_interval_days")
    # An earlier time of day on the last day still makes the full number of calendar days.
    prior = first_block(min_days - 1, performed_at=days_before(min_days) + timedelta(hours=1))
    assert_met(one("lcd.confirmatory_block", confirmatory(), [prior]))


@pytest.mark.parametrize("delta", [-10, 0, 10])
def test_confirmatory_relief_boundary(delta):
    threshold = value("relief.positive_block_pct")
    f = one("lcd.confirmatory_block", confirmatory(), [first_block(relief=threshold + delta)])
    assert f"{threshold + delta:g}%" in f.message
    if delta < 0:
        assert_not_met(f)
    else:
        assert_met(f)


def test_confirmatory_needs_every_level_but_not_the_same_sides():
    assert_met(one("lcd.confirmatory_block", confirmatory(), [first_block(targets=left("L4-L5"))]))
    two = confirmatory(targets=left("L4-L5", "L5-S1"))
    f = one("lcd.confirmatory_block", two, [first_block(targets=left("L4-L5"))])
    assert_not_met(f)
    assert_met(one("lcd.confirmatory_block", two, [first_block(targets=bilateral("L3-L4", "L4-L5", "L5-S1"))]))


def test_confirmatory_earlier_confirmatory_counts_therapeutic_does_not():
    days = value("lcd.confirmatory.min_interval_days")
    relief = value("relief.positive_block_pct")
    earlier_conf = procedure(performed_at=days_before(days), intent="diagnostic_confirmatory", **scored(relief))
    assert_met(one("lcd.confirmatory_block", confirmatory(), [earlier_conf]))
    ther = procedure(performed_at=days_before(days), intent="therapeutic", **scored(relief))
    assert_not_met(one("lcd.confirmatory_block", confirmatory(), [ther]))


def test_confirmatory_any_positive_earlier_block_suffices():
    min_days = value("lcd.confirmatory.min_interval_days")
    threshold = value("relief.positive_block_pct")
    priors = [first_block(min_days + 30), first_block(min_days, relief=threshold - 10)]
    assert_met(one("lcd.confirmatory_block", confirmatory(), priors))


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"pre_procedure_pain": None}, "no pre-injection pain score"),
        ({"pain_scores": []}, "no post-injection pain scores"),
        ({"pre_procedure_pain": 0}, "pre-injection pain was 0"),
    ],
)
def test_confirmatory_not_evaluated(fields, says):
    f = one("lcd.confirmatory_block", confirmatory(), [first_block(**fields)])
    assert_not_evaluated(f)
    assert says in f.message


def test_confirmatory_follows_edited_threshold(tmp_path, monkeypatch):
    min_days = value("lcd.confirmatory.min_interval_days")
    assert_met(one("lcd.confirmatory_block", confirmatory(), [first_block(min_days)]))
    use_threshold(monkeypatch, tmp_path, "lcd.confirmatory.min_interval_days", min_days + 1)
    assert_not_met(one("lcd.confirmatory_block", confirmatory(), [first_block(min_days)]))


# ---- lcd.therapeutic_prerequisite -----------------------------------------------
def therapeutic(reason="lumbar fusion planned", **kw):
    return procedure(intent="therapeutic", rfa_not_candidate_reason=reason, **kw)


def diag_blocks(count: int, relief=None, levels=("L4-L5",), **kw):
    if relief is None:
        relief = value("relief.positive_block_pct")
    return [
        procedure(
            performed_at=days_before(20 + 20 * i),
            intent="diagnostic_first" if i else "diagnostic_confirmatory",
            targets=left(*levels),
            **scored(relief, **kw),
        )
        for i in range(count)
    ]


@pytest.mark.parametrize("intent", ["diagnostic_first", "diagnostic_confirmatory"])
def test_therapeutic_prerequisite_not_applicable(intent):
    f = one("lcd.therapeutic_prerequisite", procedure(intent=intent))
    assert f.status == Status.NOT_APPLICABLE
    assert "not applicable" in f.message


@pytest.mark.parametrize("delta", [-1, 0, 1])
def test_therapeutic_prerequisite_count_boundary(delta):
    needed = value("lcd.therapeutic.min_diagnostic_blocks")
    f = one("lcd.therapeutic_prerequisite", therapeutic(), diag_blocks(needed + delta))
    assert f"{needed + delta} positive" in f.message
    if delta < 0:
        assert_not_met(f)
        assert f.field == ("intent",)
    else:
        assert_met(f)


@pytest.mark.parametrize("delta", [-10, 0, 10])
def test_therapeutic_prerequisite_relief_boundary(delta):
    needed = value("lcd.therapeutic.min_diagnostic_blocks")
    threshold = value("relief.positive_block_pct")
    f = one("lcd.therapeutic_prerequisite", therapeutic(), diag_blocks(needed, relief=threshold + delta))
    if delta < 0:
        assert_not_met(f)
        assert "negative:" in f.message
    else:
        assert_met(f)


def test_therapeutic_prerequisite_reason_missing():
    needed = value("lcd.therapeutic.min_diagnostic_blocks")
    f = one("lcd.therapeutic_prerequisite", therapeutic(reason=""), diag_blocks(needed))
    assert_not_met(f)
    assert f.field == ("rfa_not_candidate_reason",)
    assert "not documented" in f.message


def test_therapeutic_prerequisite_both_missing_points_at_intent():
    f = one("lcd.therapeutic_prerequisite", therapeutic(reason=""), [])
    assert_not_met(f)
    assert f.field == ("intent",)
    assert "not documented" in f.message and "0 positive" in f.message


def test_therapeutic_prerequisite_blocks_must_cover_every_level():
    needed = value("lcd.therapeutic.min_diagnostic_blocks")
    f = one("lcd.therapeutic_prerequisite", therapeutic(targets=left("L4-L5", "L5-S1")), diag_blocks(needed))
    assert_not_met(f)
    assert_met(
        one(
            "lcd.therapeutic_prerequisite",
            therapeutic(targets=left("L4-L5", "L5-S1")),
            diag_blocks(needed, levels=("L4-L5", "L5-S1")),
        )
    )


def test_therapeutic_prerequisite_not_evaluated_when_scores_missing():
    needed = value("lcd.therapeutic.min_diagnostic_blocks")
    priors = diag_blocks(needed - 1) + [
        procedure(performed_at=days_before(300), intent="diagnostic_first", **scored(pre_procedure_pain=None))
    ]
    f = one("lcd.therapeutic_prerequisite", therapeutic(), priors)
    assert_not_evaluated(f)
    assert "not evaluable" in f.message and "no pre-injection pain score" in f.message
    # With the reason missing too, the missing reason is a definite gap.
    f = one("lcd.therapeutic_prerequisite", therapeutic(reason=""), priors)
    assert_not_met(f)
    assert f.field == ("rfa_not_candidate_reason",)


def test_therapeutic_prerequisite_mentions_unevaluable_blocks_even_when_met():
    needed = value("lcd.therapeutic.min_diagnostic_blocks")
    priors = diag_blocks(needed) + [
        procedure(performed_at=days_before(300), intent="diagnostic_first", **scored(baseline=8))
    ]
    f = one("lcd.therapeutic_prerequisite", therapeutic(), priors)
    assert_met(f)
    assert "not evaluable" in f.message and "no post-injection pain scores" in f.message


def test_therapeutic_prerequisite_follows_edited_threshold(tmp_path, monkeypatch):
    needed = value("lcd.therapeutic.min_diagnostic_blocks")
    assert_met(one("lcd.therapeutic_prerequisite", therapeutic(), diag_blocks(needed)))
    use_threshold(monkeypatch, tmp_path, "lcd.therapeutic.min_diagnostic_blocks", needed + 1)
    assert_not_met(one("lcd.therapeutic_prerequisite", therapeutic(), diag_blocks(needed)))


# ---- lcd.repeat_therapeutic -----------------------------------------------------
PRIOR_AT = WHEN - timedelta(days=200)


def prior_therapeutic(relief_pct=None, lasted_min: int | None = None, at=PRIOR_AT, levels=("L4-L5",), **kw):
    """A prior therapeutic block whose relief holds at ``relief_pct`` until ``lasted_min`` then wears off."""
    if relief_pct is None:
        relief_pct = value("lcd.repeat_therapeutic.min_relief_pct")
    if lasted_min is None:
        lasted_min = required_minutes(at)
    nrs = nrs_for_relief(relief_pct)
    scores = [
        {"minutes_after": 30, "nrs": nrs},
        {"minutes_after": lasted_min, "nrs": nrs},
        {"minutes_after": lasted_min + 7 * DAY_MIN, "nrs": 10},
    ]
    data = {"pre_procedure_pain": 10, "pain_scores": scores}
    data.update(kw)
    return procedure(performed_at=at, intent="therapeutic", targets=left(*levels), **data)


def required_minutes(at=PRIOR_AT) -> int:
    """N months of relief in the one convention (time.days_per_month): the diary's month, 30 days."""
    months = value("lcd.repeat_therapeutic.min_duration_months")
    return int(months * value("time.days_per_month") * DAY_MIN)


def test_repeat_not_applicable_for_diagnostic():
    f = one("lcd.repeat_therapeutic", procedure(intent="diagnostic_first"), [prior_therapeutic(lasted_min=60)])
    assert f.status == Status.NOT_APPLICABLE
    assert "not applicable" in f.message


def test_repeat_first_therapeutic_at_these_levels():
    f = one("lcd.repeat_therapeutic", therapeutic(), [prior_therapeutic(lasted_min=60, levels=("L2-L3",))])
    assert f.status == Status.NOT_APPLICABLE
    assert f.message == "not applicable (first therapeutic procedure at these levels)"


def test_repeat_any_overlap_counts():
    f = one("lcd.repeat_therapeutic", therapeutic(), [prior_therapeutic(lasted_min=60, levels=("L4-L5", "L5-S1"))])
    assert_not_met(f)


@pytest.mark.parametrize("delta_days", [-1, 0, 1])
def test_repeat_duration_boundary(delta_days):
    lasted = required_minutes() + delta_days * DAY_MIN
    f = one("lcd.repeat_therapeutic", therapeutic(), [prior_therapeutic(lasted_min=lasted)])
    assert f.field == ("intent",)
    if delta_days < 0:
        assert_not_met(f)
    else:
        assert_met(f)


def test_relief_at_the_diarys_3_month_point_supports_a_repeat():
    """The issue: >=50% relief at the pain diary's '3 months' entry was told the repeat is not supported."""
    import json

    from facetdesk.domain.catalog import resources_dir

    diary = json.loads((resources_dir() / "pain_diary.json").read_text(encoding="utf-8"))
    three_months = next(p["minutes"] for p in diary["timepoints"] if p["label"] == "3 months")
    assert value("lcd.repeat_therapeutic.min_duration_months") == 3, "the diary point below is the 3-month one"
    min_pct = value("lcd.repeat_therapeutic.min_relief_pct")
    nrs = nrs_for_relief(min_pct)
    # Month lengths differ; each prior is more than 3 months before WHEN, so its 3-month score predates the repeat.
    for at in (datetime(2023, 11, 30, 10, 0), datetime(2023, 10, 31, 10, 0), PRIOR_AT):
        diary_scores = [{"minutes_after": m, "nrs": nrs} for m in (15, 30, 60, 43200, three_months)]
        assert_met(one("lcd.repeat_therapeutic", therapeutic(), [prior_therapeutic(pain_scores=diary_scores, at=at)]))
        short = [*diary_scores[:-1], {"minutes_after": three_months - 1, "nrs": nrs}]
        assert_not_met(one("lcd.repeat_therapeutic", therapeutic(), [prior_therapeutic(pain_scores=short, at=at)]))


def test_repeat_months_count_from_when_relief_began_after_the_onset_allowance():
    min_pct = value("lcd.repeat_therapeutic.min_relief_pct")
    late = int(value("relief.onset_allowance_minutes")) + DAY_MIN  # relief only from the next day
    scores = [
        {"minutes_after": 30, "nrs": 10},
        {"minutes_after": late, "nrs": nrs_for_relief(min_pct)},
        {"minutes_after": required_minutes(), "nrs": nrs_for_relief(min_pct)},
    ]
    f = one("lcd.repeat_therapeutic", therapeutic(), [prior_therapeutic(pain_scores=scores)])
    assert_not_met(f)  # 90 days after the injection is less than 90 days of relief


@pytest.mark.parametrize("delta", [-10, 0, 10])
def test_repeat_relief_boundary(delta):
    min_pct = value("lcd.repeat_therapeutic.min_relief_pct")
    f = one("lcd.repeat_therapeutic", therapeutic(), [prior_therapeutic(relief_pct=min_pct + delta)])
    if delta < 0:
        assert_not_met(f)
        assert f"never reached {min_pct:g}%" in f.message
    else:
        assert_met(f)


def test_repeat_uses_most_recent_prior():
    good = prior_therapeutic(at=WHEN - timedelta(days=300))
    poor = prior_therapeutic(lasted_min=60)
    assert_not_met(one("lcd.repeat_therapeutic", therapeutic(), [good, poor]))
    assert_met(
        one(
            "lcd.repeat_therapeutic",
            therapeutic(),
            [poor.model_copy(update={"performed_at": WHEN - timedelta(days=330)}), good],
        )
    )


def test_repeat_last_score_still_relieved_says_so():
    min_pct = value("lcd.repeat_therapeutic.min_relief_pct")
    nrs = nrs_for_relief(min_pct)
    prior = prior_therapeutic(pain_scores=[{"minutes_after": 30, "nrs": nrs}, {"minutes_after": 60, "nrs": nrs}])
    f = one("lcd.repeat_therapeutic", therapeutic(), [prior])
    assert_not_met(f)
    assert "still at the last score" in f.message


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"pre_procedure_pain": None}, "no pre-injection pain score"),
        ({"pain_scores": []}, "no post-injection pain scores"),
    ],
)
def test_repeat_not_evaluated(fields, says):
    f = one("lcd.repeat_therapeutic", therapeutic(), [prior_therapeutic(**fields)])
    assert_not_evaluated(f)
    assert says in f.message


def test_repeat_follows_edited_threshold(tmp_path, monkeypatch):
    prior = prior_therapeutic()
    assert_met(one("lcd.repeat_therapeutic", therapeutic(), [prior]))
    months = value("lcd.repeat_therapeutic.min_duration_months")
    use_threshold(monkeypatch, tmp_path, "lcd.repeat_therapeutic.min_duration_months", months + 1)
    f = one("lcd.repeat_therapeutic", therapeutic(), [prior])
    assert_not_met(f)
    assert f"{months + 1:g} months" in f.message


# ---- lcd.pain_duration ----------------------------------------------------------
@pytest.mark.parametrize("delta", [-1, 0, 1])
def test_pain_duration_boundary(delta):
    minimum = value("lcd.pain_duration.min_months")
    f = one("lcd.pain_duration", procedure(indication={"pain_duration_months": minimum + delta}))
    assert f.field == ("indication", "pain_duration_months")
    assert f"at least {minimum:g}" in f.message
    if delta < 0:
        assert_not_met(f)
    else:
        assert_met(f)


def test_pain_duration_not_recorded():
    f = one("lcd.pain_duration", procedure())
    assert_not_evaluated(f)
    assert "pain duration is not recorded" in f.message


def test_pain_duration_follows_edited_threshold(tmp_path, monkeypatch):
    minimum = value("lcd.pain_duration.min_months")
    assert_met(one("lcd.pain_duration", procedure(indication={"pain_duration_months": minimum})))
    use_threshold(monkeypatch, tmp_path, "lcd.pain_duration.min_months", minimum + 1)
    assert_not_met(one("lcd.pain_duration", procedure(indication={"pain_duration_months": minimum})))


# ---- lcd.conservative_care ------------------------------------------------------
def test_conservative_care_missing():
    f = one("lcd.conservative_care", procedure())
    assert_not_met(f)
    assert f.field == ("indication", "conservative_care")


@pytest.mark.parametrize(
    "indication",
    [{"conservative_care": ["nsaids", "physical_therapy"]}, {"conservative_care_details": "6 weeks of yoga"}],
)
def test_conservative_care_documented(indication):
    f = one("lcd.conservative_care", procedure(indication=indication))
    assert_met(f)
    assert "NSAIDs" in f.message or "yoga" in f.message


# ---- lcd.scales -----------------------------------------------------------------
def test_scales_complete_diagnostic():
    f = one("lcd.scales", procedure(indication=complete_indication(), **scored(80)))
    assert_met(f)


@pytest.mark.parametrize(
    ("missing", "field"),
    [
        ({"baseline_pain": None}, ("indication", "baseline_pain")),
        ({"disability_scale": None, "disability_score": None}, ("indication", "disability_scale")),
        ({"disability_score": None}, ("indication", "disability_score")),
    ],
)
def test_scales_baseline_missing(missing, field):
    f = one("lcd.scales", procedure(indication=complete_indication(**missing), **scored(80)))
    assert_not_met(f)
    assert f.field == field


def test_scales_lists_everything_missing_and_points_at_the_first():
    f = one("lcd.scales", procedure(indication={}))
    assert_not_met(f)
    assert f.field == ("indication", "baseline_pain")
    for what in ("usual pain at evaluation", "disability scale", "disability score", "post-block pain scores"):
        assert what in f.message


def test_scales_diagnostic_needs_post_block_scores_therapeutic_does_not():
    f = one("lcd.scales", procedure(indication=complete_indication()))
    assert_not_met(f)
    assert f.field == ("pain_scores",)
    assert_met(one("lcd.scales", procedure(intent="therapeutic", indication=complete_indication())))


def test_scales_same_pain_scale_as_earlier_diagnostic_blocks():
    earlier = procedure(performed_at=days_before(20), indication=complete_indication(pain_scale="VAS"))
    f = one(
        "lcd.scales",
        procedure(intent="diagnostic_confirmatory", indication=complete_indication(), **scored(80)),
        [earlier],
    )
    assert_not_met(f)
    assert f.field == ("indication", "pain_scale")
    assert "VAS" in f.message
    elsewhere = earlier.model_copy(update={"targets": procedure(targets=left("C5-C6")).targets})
    assert_met(one("lcd.scales", procedure(indication=complete_indication(), **scored(80)), [elsewhere]))
    # Therapeutic procedures are not diagnostic blocks: a different scale then is not flagged.
    assert_met(one("lcd.scales", procedure(intent="therapeutic", indication=complete_indication()), [earlier]))


# ---- lcd.diagnostic_ia ----------------------------------------------------------
@pytest.mark.parametrize("intent", ["diagnostic_first", "diagnostic_confirmatory"])
def test_diagnostic_ia_needs_reason(intent):
    f = one("lcd.diagnostic_ia", procedure(technique="intra_articular", intent=intent))
    assert_not_met(f)
    assert f.field == ("mbb_not_possible_reason",)
    f = one(
        "lcd.diagnostic_ia",
        procedure(technique="intra_articular", intent=intent, mbb_not_possible_reason="posterior fusion hardware"),
    )
    assert_met(f)
    assert "fusion" in f.message


@pytest.mark.parametrize(
    ("technique", "intent"),
    [("intra_articular", "therapeutic"), ("medial_branch_block", "diagnostic_first")],
)
def test_diagnostic_ia_not_applicable(technique, intent):
    f = one("lcd.diagnostic_ia", procedure(technique=technique, intent=intent))
    assert f.status == Status.NOT_APPLICABLE
    assert "not applicable" in f.message


# ---- lcd.sedation ---------------------------------------------------------------
@pytest.mark.parametrize("sedation", list(Sedation))
def test_sedation_levels(sedation):
    f = one("lcd.sedation", procedure(sedation=sedation.value))
    assert f.field == ("sedation",)
    if sedation.value in value("lcd.sedation.routine_levels"):
        assert_met(f)
    else:
        assert_not_met(f, Severity.CAUTION)
        assert "document medical necessity" in f.message
        assert sedation.label in f.message


def test_sedation_follows_edited_threshold(tmp_path, monkeypatch):
    assert_not_met(one("lcd.sedation", procedure(sedation="moderate")), Severity.CAUTION)
    routine = list(value("lcd.sedation.routine_levels")) + ["moderate"]
    use_threshold(monkeypatch, tmp_path, "lcd.sedation.routine_levels", routine)
    assert_met(one("lcd.sedation", procedure(sedation="moderate")))


def _follow_ups(prior, *visits):
    """(months after ``prior``, NRS or None, daily-activities change % or None) follow-up visits of ``prior``."""
    from facetdesk.domain.follow_up import FollowUp

    return [
        FollowUp(procedure_uid=prior.uid, seen_on=add_months(prior.performed_at.date(), m), recorded_by="RN Synthetic",
                 pain_nrs=nrs, adl_improvement_pct=adl)
        for m, nrs, adl in visits
    ]  # fmt: skip


def test_a_repeat_therapeutic_block_is_covered_by_daily_activities_at_the_follow_ups():
    """The LCD's alternative to 50% relief for 3 months: 50% gain in daily activities, on the same scale."""
    assert (value("lcd.repeat_therapeutic.min_relief_pct"), value("lcd.repeat_therapeutic.min_duration_months")) == (
        50,
        3,
    )
    prior = procedure(performed_at=days_before(120), intent="therapeutic", pre_procedure_pain=8)
    current = procedure(intent="therapeutic")
    assert one("lcd.repeat_therapeutic", current, [prior]).status != Status.MET  # no diary: not shown by it
    kept = _follow_ups(prior, (1, 6, 60), (3, 7, 55))  # pain barely better, activities 55-60% better
    f = one("lcd.repeat_therapeutic", current, [prior], follow_ups=kept)
    assert f.status == Status.MET and "by its follow-ups" in f.message
    lost = _follow_ups(prior, (1, 6, 60), (2, 7, 20))
    f = one("lcd.repeat_therapeutic", current, [prior], follow_ups=lost)
    assert f.status == Status.NOT_MET and "below 50%" in f.message
