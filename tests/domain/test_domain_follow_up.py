"""Follow-up visits and the one definition of an improvement sustained for months after a procedure."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from facetdesk.domain.catalog import get_catalog
from facetdesk.domain.follow_up import FollowUp, pain_improvement_pct, relief_span, sustained_improvement
from facetdesk.domain.months import add_months
from tests.builders.records import WHEN, procedure

DONE = procedure(pre_procedure_pain=8)
# time.days_per_month: the one month of relief, the pain diary's (its 3-month point is 90 days).
DAYS = get_catalog().threshold("time.days_per_month").value


def visit(months: float, nrs: int | None = None, adl: float | None = None, **fields) -> FollowUp:
    seen = add_months(WHEN.date(), int(months)) + timedelta(days=round((months % 1) * 30))
    values = {"procedure_uid": "proc-1", "seen_on": seen, "recorded_by": "RN Synthetic", "pain_nrs": nrs}
    return FollowUp.model_validate(values | {"adl_improvement_pct": adl} | fields)


def test_pain_improvement_is_against_the_pain_before_the_procedure():
    assert pain_improvement_pct(DONE, visit(1, nrs=4)) == 50
    assert pain_improvement_pct(procedure(indication={"baseline_pain": 5}), visit(1, nrs=1)) == 80
    assert pain_improvement_pct(procedure(), visit(1, nrs=1)) is None  # no baseline: no percentage invented


@pytest.mark.parametrize(
    "visits, met",
    [
        ([visit(1, nrs=2), visit(3, nrs=3), visit(6, nrs=4)], True),  # 75%, 62.5%, 50% through 6 months
        ([visit(1, nrs=2), visit(3, nrs=5), visit(6, nrs=2)], False),  # dipped below at 3 months
        ([visit(1, nrs=2), visit(3, nrs=2)], None),  # not yet 6 months of visits
        ([visit(2, adl=60), visit(6, nrs=6, adl=55)], True),  # daily activities carry it where pain does not
        ([visit(6, global_impression="much_improved")], None),  # nothing comparable measured
    ],
)
def test_an_improvement_is_sustained_only_when_every_visit_up_to_the_months_shows_it(visits, met):
    result = sustained_improvement(DONE, visits, 50, 6, DAYS)
    assert result.met is met, result.reason


def test_the_reason_names_the_visit_that_fell_short():
    result = sustained_improvement(DONE, [visit(1, nrs=2), visit(4, nrs=6)], 50, 6, DAYS)
    assert result.met is False and "below 50%" in result.reason and "25% better" in result.reason


def _days(months: float) -> int:
    return (visit(months).seen_on - WHEN.date()).days


@pytest.mark.parametrize(
    "visits, lasted, ended",
    [
        # 75%, 62.5%, then 25%: relief lasted to the 3-month visit, the last one at or above 50%.
        ([visit(1, nrs=2), visit(3, nrs=3), visit(5, nrs=6)], 3, True),
        ([visit(1, nrs=2), visit(4, nrs=4)], 4, False),  # still 50% at the last visit: at least 4 months
        ([visit(1, nrs=6), visit(3, nrs=2)], 0, True),  # below at the first visit: 0, a later rebound is not relief
        ([visit(2, adl=60), visit(4, global_impression="much_improved"), visit(6, nrs=7, adl=20)], 2, True),
    ],
)
def test_relief_lasts_to_the_last_visit_at_or_above_the_threshold_before_one_below(visits, lasted, ended):
    span = relief_span(DONE, visits, 50)
    assert (span.days, span.ended) == (_days(lasted) if lasted else 0, ended), span.reason


def test_relief_without_a_measured_visit_is_unknown_never_zero():
    span = relief_span(DONE, [visit(3, global_impression="much_improved")], 50)
    assert span.days is None and span.ended is None and span.months(30) is None
    assert "no follow-up with pain or daily activities" in span.reason


def test_relief_span_and_sustained_improvement_read_the_same_visits():
    """An improvement sustained for 3 months has lasted at least 3 months; one not sustained has ended before."""
    held = [visit(1, nrs=2), visit(3, nrs=3)]
    fell = [visit(1, nrs=2), visit(2, nrs=7), visit(3, nrs=2)]
    assert sustained_improvement(DONE, held, 50, 3, DAYS).met is True and relief_span(DONE, held, 50).days >= _days(3)
    assert sustained_improvement(DONE, fell, 50, 3, DAYS).met is False and relief_span(DONE, fell, 50).days < _days(3)


def test_a_visit_is_not_in_the_future_and_a_disability_score_names_its_scale():
    with pytest.raises(ValidationError, match="future"):
        FollowUp(procedure_uid="proc-1", seen_on=date.today() + timedelta(days=2), recorded_by="RN Synthetic")
    with pytest.raises(ValidationError, match="disability scale"):
        FollowUp(procedure_uid="proc-1", seen_on=date(2025, 1, 1), recorded_by="RN Synthetic", disability_score=30)


def test_three_months_after_a_procedure_are_the_diarys_90_days_not_calendar_months():
    """31 January + 3 calendar months is 30 April, 89 days: the diary's 3-month point (90 days) is 1 May. The
    follow-ups and the diary must agree on when 3 months have passed."""
    from datetime import datetime

    done = procedure(performed_at=datetime(2025, 1, 31, 9, 0), pre_procedure_pain=8)

    def seen(day: date) -> FollowUp:
        return FollowUp(procedure_uid="proc-1", seen_on=day, recorded_by="RN Synthetic", pain_nrs=2)

    assert DAYS == 30
    early = sustained_improvement(done, [seen(date(2025, 4, 30))], 50, 3, DAYS)
    assert early.met is None and "not yet 3 months (2025-05-01)" in early.reason
    assert sustained_improvement(done, [seen(date(2025, 5, 1))], 50, 3, DAYS).met is True
