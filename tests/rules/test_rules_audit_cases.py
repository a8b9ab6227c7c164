"""Cases from a clinical and coding audit of the rules that no other test covered, each with the defect it showed."""

from __future__ import annotations

from datetime import timedelta

from facetdesk.rules import coverage  # noqa: F401  (registers the rules)
from facetdesk.rules.finding import Status
from tests.builders.records import WHEN, left, procedure
from tests.rules.rule_runs import one, value

DAY_MIN = 24 * 60


# ---- lcd.repeat_therapeutic: the earlier procedure's diary as it stood at this one ---------------------------
def test_a_repeat_is_not_supported_by_diary_scores_recorded_after_it():
    """A repeat 40 days after a therapeutic block was 'met' on that block's 90-day diary score, a score
    taken after the repeat itself (and one the repeat's own effect may have made)."""
    months = value("lcd.repeat_therapeutic.min_duration_months")
    required_days = months * value("time.days_per_month")
    min_pct = value("lcd.repeat_therapeutic.min_relief_pct")
    nrs = int(10 - 10 * min_pct / 100)
    earlier_days = 40
    assert earlier_days < required_days
    prior = procedure(
        performed_at=WHEN - timedelta(days=earlier_days),
        intent="therapeutic",
        targets=left("L4-L5"),
        pre_procedure_pain=10,
        pain_scores=[
            {"minutes_after": 30, "nrs": nrs},
            {"minutes_after": 30 * DAY_MIN, "nrs": nrs},
            {"minutes_after": int(required_days * DAY_MIN), "nrs": nrs},
        ],
    )
    repeat = procedure(intent="therapeutic", rfa_not_candidate_reason="declines ablation", targets=left("L4-L5"))
    f = one("lcd.repeat_therapeutic", repeat, [prior])
    assert f.status == Status.NOT_MET, f.message
    assert "after this procedure" in f.message
