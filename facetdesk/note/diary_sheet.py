"""The patient's pain diary sheet as data: the clinic's time points as clock times from the injection."""

from __future__ import annotations

from datetime import datetime, timedelta

from facetdesk.domain.catalog import Catalog


def diary_times(performed_at: datetime, catalog: Catalog) -> tuple[tuple[str, str], ...]:
    """(the clinic's time point, the clock time it falls on), counted from the injection."""
    out = []
    for minutes, label in catalog.diary_timepoints:
        when = performed_at + timedelta(minutes=minutes)
        same_day = when.date() == performed_at.date()
        out.append((label, f"{when:%H:%M}" if same_day else f"{when:%a %Y-%m-%d} {when:%H:%M}"))
    return tuple(out)
