"""Calendar-month arithmetic for rolling windows ("12 months", "3 months") counted in calendar months."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from typing import TypeVar

D = TypeVar("D", bound=date)

# A calendar fact, taken from the calendar module so rule code holds no bare numbers.
MONTHS_PER_YEAR = len(calendar.month_name) - 1


def add_months(dt: D, n: int) -> D:
    """The same day ``n`` calendar months later (negative: earlier), clamped to the month's last day."""
    total = dt.year * MONTHS_PER_YEAR + (dt.month - 1) + n
    year, month0 = divmod(total, MONTHS_PER_YEAR)
    day = min(dt.day, calendar.monthrange(year, month0 + 1)[1])
    return dt.replace(year=year, month=month0 + 1, day=day)


def months_before(dt: D, n: int) -> D:
    """The same day ``n`` calendar months earlier, clamped to the month's last day (31 Mar - 1 = 29 Feb)."""
    return add_months(dt, -n)


def in_rolling_window(then: date, day: date, months: int) -> bool:
    """Whether ``then`` falls in the rolling window of ``months`` calendar months ending with ``day``: after the same
    calendar day ``months`` earlier, up to and including ``day`` (12 months up to 2026-03-14 run from 2025-03-15).

    The one definition of "in the last N months" for every rule (LCD sessions, cumulative steroid, toxin units), by
    calendar day: a session at 16:00 exactly a year before one at 08:00 is a year before it either way. Datetimes
    are compared by their dates."""
    then_day = then.date() if isinstance(then, datetime) else then
    end = day.date() if isinstance(day, datetime) else day
    return months_before(end, months) < then_day <= end


def months_between(start: date, day: date) -> float:
    """Calendar months from ``start`` to ``day``, the part month as a fraction of its days (for a chart's axis)."""
    whole = (day.year - start.year) * MONTHS_PER_YEAR + (day.month - start.month)
    if day.day < start.day:
        whole -= 1
    anchor = add_months(start, whole)
    following = add_months(start, whole + 1)
    return whole + (day - anchor).days / max(1, (following - anchor).days)
