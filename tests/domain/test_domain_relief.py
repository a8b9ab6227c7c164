"""Relief summary: % relief from the pre-injection score, peak, and duration above thresholds."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facetdesk.domain.procedure import PainScore
from facetdesk.domain.relief import summarize_relief

THRESHOLDS = (50.0, 80.0)


def scores(*pairs: tuple[int, int]) -> list[PainScore]:
    return [PainScore(minutes_after=m, nrs=n) for m, n in pairs]


def test_percent_relief_arithmetic():
    # Baseline 8: NRS 2 -> (8-2)/8 = 75%; NRS 0 -> 100%; NRS 8 -> 0%; NRS 5 -> 37.5%.
    s = summarize_relief(8, scores((15, 2), (30, 0), (60, 8), (120, 5)), THRESHOLDS)
    assert [p.relief_pct for p in s.points] == [75.0, 100.0, 0.0, 37.5]
    assert s.reason_not_computed is None


def test_relief_is_rounded_to_one_decimal():
    # Baseline 3, NRS 1: 2/3 = 66.666..% -> 66.7%.
    s = summarize_relief(3, scores((30, 1)), THRESHOLDS)
    assert s.points[0].relief_pct == 66.7


def test_relief_is_negative_when_pain_is_worse():
    # Baseline 4, NRS 6: (4-6)/4 = -50%.
    s = summarize_relief(4, scores((30, 6)), THRESHOLDS)
    assert s.points[0].relief_pct == -50.0
    assert not s.duration(50.0).reached


def test_peak_relief_and_its_time():
    # Baseline 10: NRS 5 -> 50%, 1 -> 90%, 3 -> 70%.
    s = summarize_relief(10, scores((15, 5), (60, 1), (240, 3)), THRESHOLDS)
    assert s.peak_pct == 90.0
    assert s.peak_at == 60


def test_peak_time_is_the_first_time_the_peak_was_seen():
    s = summarize_relief(10, scores((15, 2), (60, 2), (240, 5)), THRESHOLDS)
    assert (s.peak_pct, s.peak_at) == (80.0, 15)


def test_scores_given_out_of_order_are_summarised_in_time_order():
    s = summarize_relief(10, scores((240, 6), (15, 1)), THRESHOLDS)
    assert [p.minutes_after for p in s.points] == [15, 240]


def test_durations_at_80_and_50_percent():
    # Baseline 10 -> relief at 15/30/60/120/240/480 min = 60, 80, 90, 70, 50, 30 %.
    s = summarize_relief(10, scores((15, 4), (30, 2), (60, 1), (120, 3), (240, 5), (480, 7)), THRESHOLDS)
    d80 = s.duration(80.0)
    assert (d80.reached_at, d80.lasted_until, d80.ended_before) == (30, 60, 120)
    # How long relief lasted is counted from when it began (30 min), not from the injection.
    assert d80.minutes == 30
    d50 = s.duration(50.0)
    assert (d50.reached_at, d50.lasted_until, d50.ended_before) == (15, 240, 480)
    assert d50.minutes == 225


def test_duration_still_above_at_the_last_point_has_no_end():
    # Baseline 6: NRS 1 -> 83.3%, NRS 0 -> 100%: at or above 80% through the last score.
    s = summarize_relief(6, scores((30, 1), (60, 0)), THRESHOLDS)
    d80 = s.duration(80.0)
    assert (d80.reached_at, d80.lasted_until, d80.ended_before) == (30, 60, None)


def test_duration_counts_only_the_first_unbroken_run():
    # Baseline 10 -> 90%, 40%, 90%: the run at >=80% ends before 60 min despite recovering later.
    s = summarize_relief(10, scores((30, 1), (60, 6), (120, 1)), THRESHOLDS)
    d80 = s.duration(80.0)
    assert (d80.reached_at, d80.lasted_until, d80.ended_before) == (30, 30, 60)


def test_threshold_is_inclusive():
    # Baseline 10, NRS 5 -> exactly 50%: counts as reached.
    s = summarize_relief(10, scores((30, 5)), THRESHOLDS)
    assert s.duration(50.0).reached_at == 30
    assert not s.duration(80.0).reached
    assert s.duration(80.0).minutes is None


def test_duration_not_reached_when_relief_never_gets_there():
    s = summarize_relief(10, scores((30, 6), (60, 7)), THRESHOLDS)
    for t in THRESHOLDS:
        d = s.duration(t)
        assert (d.reached_at, d.lasted_until, d.ended_before) == (None, None, None)


@pytest.mark.parametrize("baseline,word", [(0, "was 0"), (None, "no pre-injection")])
def test_baseline_zero_or_missing_gives_a_reason_and_no_percentages(baseline, word):
    s = summarize_relief(baseline, scores((30, 0), (60, 2)), THRESHOLDS)
    assert s.reason_not_computed is not None
    assert word in s.reason_not_computed
    assert [p.relief_pct for p in s.points] == [None, None]
    assert [p.nrs for p in s.points] == [0, 2]
    assert s.peak_pct is None and s.peak_at is None
    assert all(not d.reached for d in s.durations)


def test_no_scores_gives_a_reason():
    s = summarize_relief(7, [], THRESHOLDS)
    assert s.reason_not_computed == "no post-injection pain scores"
    assert s.points == ()
    assert s.peak_pct is None and s.peak_at is None
    assert all(not d.reached for d in s.durations)


def test_unknown_threshold_returns_none():
    s = summarize_relief(10, scores((30, 1)), THRESHOLDS)
    assert s.duration(70.0) is None


score_lists = st.lists(
    st.tuples(st.integers(min_value=0, max_value=60 * 24 * 14), st.integers(min_value=0, max_value=10)),
    min_size=1,
    max_size=12,
    unique_by=lambda t: t[0],
)


@given(baseline=st.integers(min_value=1, max_value=10), pairs=score_lists)
def test_relief_properties(baseline, pairs):
    s = summarize_relief(baseline, scores(*pairs), THRESHOLDS)
    pcts = [p.relief_pct for p in s.points]
    assert all(p is not None and p <= 100 for p in pcts)
    assert s.peak_pct == max(pcts)
    # The peak time is a time at which the peak was observed.
    assert any(p.minutes_after == s.peak_at and p.relief_pct == s.peak_pct for p in s.points)
    for d in s.durations:
        if d.reached:
            assert d.lasted_until >= d.reached_at
            if d.ended_before is not None:
                assert d.ended_before > d.lasted_until
        else:
            assert d.lasted_until is None and d.ended_before is None
    # The higher threshold can never be reached earlier or last longer than the lower one.
    d50, d80 = s.duration(50.0), s.duration(80.0)
    if d80.reached:
        assert d50.reached and d50.reached_at <= d80.reached_at


def test_a_run_of_one_score_is_said_as_seen_once_never_as_lasting_zero_minutes():
    from facetdesk.domain.wording import relief_duration_text

    # 50% relief at 30 min only (7 of 10 at 1 h): how long it held between the two scores is unknown, not 0 min.
    once = summarize_relief(10, scores((30, 5), (60, 7)), (50.0,)).duration(50.0)
    assert once is not None and once.one_score
    assert relief_duration_text(once) == "Relief ≥50%: at 30 min only (below at 1 h)"
    assert once.short_text() == "<30 min"
    # Next score two weeks later: said in days, never "335 h 30 min".
    gap = summarize_relief(10, scores((30, 5), (14 * 1440, 7)), (50.0,)).duration(50.0)
    assert gap is not None and gap.short_text() == "<14 d"
    assert relief_duration_text(gap) == "Relief ≥50%: at 30 min only (below at 2 wk)"
    last = summarize_relief(10, scores((30, 8), (60, 5)), (50.0,)).duration(50.0)
    assert last is not None and relief_duration_text(last) == "Relief ≥50%: at 1 h only (the last score)"
    assert last.short_text() == "last score"
    # A run of two scores or more keeps its length, and 'at least' when it reaches the last score.
    run = summarize_relief(10, scores((30, 5), (90, 4), (120, 8)), (50.0,)).duration(50.0)
    assert run is not None and relief_duration_text(run) == "Relief ≥50%: from 30 min, lasted 1 h (below at 2 h)"
    assert run.short_text() == "1 h"
    still = summarize_relief(10, scores((30, 5), (90, 4)), (50.0,)).duration(50.0)
    assert still is not None and still.short_text() == "1 h+"
    assert relief_duration_text(still) == "Relief ≥50%: from 30 min, lasted at least 1 h (still at last score)"
