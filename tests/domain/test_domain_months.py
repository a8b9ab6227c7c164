"""Rolling windows in calendar months: the one definition of "in the last N months" every rule uses."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from facetdesk.domain.months import in_rolling_window


@pytest.mark.parametrize(
    ("then", "inside"),
    [
        (datetime(2025, 3, 14, 23, 59), False),  # the same calendar day 12 months earlier: outside, late or not
        (datetime(2025, 3, 15, 0, 0), True),  # the day after: the window's first day
        (date(2025, 3, 15), True),
        (datetime(2026, 3, 14, 23, 0), True),  # the window's last day, at any hour
        (date(2026, 3, 15), False),  # after the window
    ],
)
def test_a_rolling_window_is_counted_in_calendar_days(then, inside):
    assert in_rolling_window(then, datetime(2026, 3, 14, 8, 0), 12) is inside


def test_a_rolling_window_from_a_month_end_is_clamped():
    # 3 months before 31 May is 29 Feb (leap year): 29 Feb is outside, 1 Mar inside.
    assert not in_rolling_window(date(2024, 2, 29), date(2024, 5, 31), 3)
    assert in_rolling_window(date(2024, 3, 1), date(2024, 5, 31), 3)
