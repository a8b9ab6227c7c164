"""Readable durations for pain-score time points."""

from __future__ import annotations

import pytest

from facetdesk.domain.timefmt import format_minutes


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
        (1500, "25 h"),  # 25 x 60, not a whole day
    ],
)
def test_format_minutes(minutes, expected):
    assert format_minutes(minutes) == expected
