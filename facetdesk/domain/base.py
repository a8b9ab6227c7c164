"""Shared pydantic configuration and small validators for the domain models."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

# Clocks on clinic workstations drift; a record a few minutes "ahead" is not an error.
CLOCK_SKEW = timedelta(minutes=5)

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
LongText = Annotated[str, StringConstraints(max_length=20000)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, use_enum_values=False)


def now() -> datetime:
    return datetime.now()


def local_naive(value: datetime) -> datetime:
    """Times are kept as the workstation's local wall-clock time; an offset from a file is converted."""
    if value.tzinfo is not None:
        return value.astimezone().replace(tzinfo=None)
    return value


def not_in_future(value: datetime) -> datetime:
    value = local_naive(value)
    if value > now() + CLOCK_SKEW:
        raise ValueError(f"{value:%Y-%m-%d %H:%M} is in the future; enter a time that has passed")
    return value


def date_not_in_future(value: date) -> date:
    if value > now().date():
        raise ValueError(f"{value:%Y-%m-%d} is in the future; enter a date that has passed")
    return value


# Validation context for records read back from the database: checks that depend on *when* they run
# (the clock, a strength later removed from the catalog) must not make a stored record unreadable.
STORED = {"stored": True}


def is_stored(info) -> bool:
    return bool(info.context and info.context.get("stored"))


def duplicates(values) -> list:
    """The values that occur more than once, sorted, each listed once."""
    values = list(values)
    return sorted({v for v in values if values.count(v) > 1})
