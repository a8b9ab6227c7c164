"""Readable durations for pain-score time points ("15 min", "4 h", "2 wk")."""

from __future__ import annotations

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
    if minutes % _HOUR == 0:
        return f"{minutes // _HOUR} h"
    if minutes > _HOUR:
        return f"{minutes // _HOUR} h {minutes % _HOUR} min"
    return f"{minutes} min"
