"""Shared pydantic configuration and small validators for the domain models."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, ValidationInfo, model_validator
from pydantic_core import InitErrorDetails

# Clocks on clinic workstations drift; a record a few minutes "ahead" is not an error.
CLOCK_SKEW = timedelta(minutes=5)

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
LongText = Annotated[str, StringConstraints(max_length=20000)]

# Row ids are INTEGER columns: 32-bit on PostgreSQL (64-bit in SQLite). A larger number cannot even be
# looked up on every backend, so it is refused as input rather than crashing the query.
MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]


def is_row_id(value: object) -> bool:
    """Whether ``value`` can be the id of a stored row (a whole number the database can look up)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ROW_ID


# Deeper than any record nests (procedure > botulinum toxin > sites > row > field). Deeper input is not
# a record, and validating it would exhaust the stack (an enum refusing a value repr()s it in full).
MAX_NESTING = 16


def nesting_exceeds(value: object, limit: int = MAX_NESTING) -> bool:
    """Whether lists and dicts in ``value`` nest more than ``limit`` levels (checked without recursion)."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, (list, tuple)) else None
        if children is None:
            continue
        if depth >= limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, use_enum_values=False)

    @model_validator(mode="before")
    @classmethod
    def _storable_input(cls, data: Any, info: ValidationInfo) -> Any:
        """Refuse, field by field, what no record holds: text with NUL, values nested too deep to be fields.

        Every model inherits it, so no field added later can miss it. Once per model rather than once per
        field, and on input only: records are read back far more often than typed, and one stored before
        this check must still open.
        """
        if not isinstance(data, dict) or is_stored(info):
            return data
        problems = [
            InitErrorDetails(type="value_error", loc=loc, input=value, ctx={"error": ValueError(message)})
            for name, value in data.items()
            for loc, message in _input_problems(name, value)
        ]
        if problems:
            # Raised as a ValidationError (pydantic-core merges it, pydantic-core#510) so each problem
            # keeps its field's location, as it would from a field validator.
            raise ValidationError.from_exception_data(cls.__name__, problems)
        return data


def _input_problems(name: object, value: Any) -> Iterator[tuple[tuple, str]]:
    if isinstance(value, (dict, list, tuple)) and nesting_exceeds(value):
        yield (name,), f"is nested more than {MAX_NESTING} levels deep; no field of a record is"
        return
    # PostgreSQL refuses NUL in text: a record holding one could be saved on one backend and not on the
    # other, or not be copied between them. Text in nested models is checked by those models.
    if isinstance(value, str) and "\x00" in value:
        yield (name,), _NUL
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            if isinstance(item, str) and "\x00" in item:
                yield (name, i), _NUL


_NUL = "contains a NUL character (U+0000), which cannot be stored; remove it"


def now() -> datetime:
    return datetime.now()


def local_naive(value: datetime) -> datetime:
    """Times are kept as the workstation's local wall-clock time; an offset from a file is converted."""
    if value.tzinfo is not None:
        try:
            return value.astimezone().replace(tzinfo=None)
        except OverflowError:  # e.g. 0001-01-01T00:00+14:00 is before year 1 in UTC
            raise ValueError(
                f"{value.isoformat()} is outside the calendar once converted to local time; "
                "enter a date between the years 1900 and 9999"
            ) from None
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
