"""Readable times: durations of pain-score points ("15 min", "4 h", "2 wk"), ISO dates and times."""

from __future__ import annotations

from datetime import date, datetime

_HOUR = 60
_DAY = 24 * _HOUR
_WEEK = 7 * _DAY


def format_minutes(minutes: int) -> str:
    if minutes == 0:
        return "0 min"
    if minutes % _WEEK == 0 and minutes >= _WEEK:
        return f"{minutes // _WEEK} wk"
    if minutes % _DAY == 0:
        return f"{minutes // _DAY} d"
    if minutes >= _DAY:
        # "13 d 23 h 30 min", never "335 h 30 min": past a day a reader counts in days.
        days, rest = divmod(minutes, _DAY)
        return f"{days} d " + format_minutes(rest)
    if minutes % _HOUR == 0:
        return f"{minutes // _HOUR} h"
    if minutes > _HOUR:
        return f"{minutes // _HOUR} h {minutes % _HOUR} min"
    return f"{minutes} min"


def format_minutes_at_most(minutes: int) -> str:
    """A short upper bound for a table cell: past a day, whole days rounded up ('14 d' for 13 d 23 h 30 min), so
    '<14 d' stays true and fits; under a day, as format_minutes."""
    if minutes > _DAY and minutes % _DAY:
        return f"{-(-minutes // _DAY)} d"
    return format_minutes(minutes)


def fmt_date(d: date) -> str:
    # ISO dates: unambiguous for readers on both sides of the Atlantic.
    return f"{d:%Y-%m-%d}"


def fmt_datetime(dt: datetime) -> str:
    return f"{dt:%Y-%m-%d %H:%M}"
