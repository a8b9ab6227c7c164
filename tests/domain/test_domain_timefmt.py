"""Readable durations for pain-score time points."""

from __future__ import annotations

import pytest

from facetdesk.domain.timefmt import format_minutes, format_minutes_at_most


@pytest.mark.parametrize(
    "minutes,expected",
    [
        (0, "0 min"),
        (5, "5 min"),
        (30, "30 min"),
        (60, "1 h"),
        (90, "1 h 30 min"),  # 60 + 30
        (240, "4 h"),  # 4 x 60
        (1440, "1 d"),  # 24 x 60
        (2880, "2 d"),
        (6 * 1440, "6 d"),
        (7 * 1440, "1 wk"),  # 7 x 24 x 60 = 10080
        (14 * 1440, "2 wk"),
        (8 * 1440, "8 d"),  # not a whole number of weeks
        (1500, "1 d 1 h"),  # 25 x 60, not a whole day: days first
        (14 * 1440 - 30, "13 d 23 h 30 min"),  # never "335 h 30 min"
    ],
)
def test_format_minutes(minutes, expected):
    assert format_minutes(minutes) == expected


@pytest.mark.parametrize(
    "minutes,expected",
    [(30, "30 min"), (90, "1 h 30 min"), (1440, "1 d"), (1470, "2 d"), (14 * 1440 - 30, "14 d"), (10080, "1 wk")],
)
def test_an_upper_bound_past_a_day_is_rounded_up_to_whole_days(minutes, expected):
    """'<14 d' for a bound of 13 d 23 h 30 min: short enough for a table cell, and still true."""
    assert format_minutes_at_most(minutes) == expected
