"""Hostile values and the checks of a clear refusal, shared by the hostile tests of the services and of case files.

The profile (deterministic, no example database), the values (wrong types, huge and odd numbers and text, deep
nesting), payloads with one field replaced at a time, and what a clear error, an unchanged database and a still
working service are.
"""

from __future__ import annotations

import copy
import itertools
import math
import re
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from facetdesk.domain.errors import FieldError, InvalidRecord
from facetdesk.domain.patient import Patient
from facetdesk.domain.users import NotPermitted
from facetdesk.services.accounts import SignInFailed
from facetdesk.services.records import NotFound
from facetdesk.storage.errors import StorageError
from tests import signers
from tests.builders.records import rich_patient_data, rich_procedure_data
from tests.profiles import examples

# ---- the settings: the run's profile (tests/profiles.py), fast enough for every run ---------------------

HOSTILE = settings(
    max_examples=examples(40),
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # one database per test function; properties checked per example
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
PURE = settings(HOSTILE, max_examples=examples(150))  # no database: cheap, so many more examples

# The errors a user is shown; anything else escaping a service is a crash.
CLEAR_ERRORS = (InvalidRecord, NotFound, StorageError, NotPermitted, SignInFailed)

# ---- hostile values ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Big:
    """A huge or deeply nested value, built only when used, so a failing example prints short."""

    kind: str
    size: int

    def make(self) -> Any:
        if self.kind == "text":
            return "x" * self.size
        if self.kind == "digits":
            return "9" * self.size
        if self.kind == "list":
            return list(range(self.size))
        out: Any = [] if self.kind == "deep_list" else {}
        for _ in range(self.size):
            out = [out] if self.kind == "deep_list" else {"a": out}
        return out


def materialize(value: Any) -> Any:
    if isinstance(value, Big):
        return value.make()
    if isinstance(value, dict):
        return {k: materialize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [materialize(v) for v in value]
    return value


HOSTILE_TEXT = [
    "",
    " ",
    "\x00",
    "A\x00B",
    "\ud800",
    "A\udfffB",
    "\u202eevil\u202c",
    "\u200f\u05e9\u05dc\u05d5\u05dd",
    "Robert'); DROP TABLE patients;--",
    "' OR '1'='1",
    "%_\\",
    "<b>&amp;</para>",
    "\n\r\t",
    "\x1b[31m\x07",
    "\x7f\x85\x9b",
    "\u2028\u2029",
    "\ufeff",
    "😀" * 8,
    "NaN",
    "Infinity",
    "-1",
    "1e999",
    "0x10",
    "None",
    "null",
    "true",
    "[]",
    "{}",
    "0001-01-01T00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "2025-02-30",
    "2025-04-02T25:00",
    # right type, wrong value: enum and catalog look-alikes
    "FEMALE",
    "female ",
    "Left",
    "l4-l5",
    "L6-S1",
    "C1-C2",
    "medial branch block",
    "onabotulinumtoxinb",
    "M47.81",
    "lidocaine ",
]
_EXTREME_TIMES = [
    date.min,
    date.max,
    datetime.min,
    datetime.max,
    datetime.min.replace(tzinfo=timezone(timedelta(hours=14))),
    datetime.max.replace(tzinfo=timezone(timedelta(hours=-14))),
    datetime(2025, 4, 2, 10, 15, tzinfo=timezone(timedelta(hours=-12))),
]
_offsets = st.builds(
    lambda minutes: timezone(timedelta(minutes=minutes)), st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1)
)
hostile_numbers = st.one_of(
    st.integers(),
    st.sampled_from([0, -1, 1, 2, 2**31, 2**63 - 1, 2**63, -(2**63) - 1, 10**30, 10**400, True, False]),
    st.floats(),
    st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -0.0, 5e-324]),
)
hostile_text = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=20),
    st.text(st.characters(categories=["Cc", "Cf", "Cs", "Zl", "Zp", "Mn"]), min_size=1, max_size=8),
    st.sampled_from([Big("text", 100_000), Big("digits", 5000)]),
)
hostile_times = st.one_of(
    st.sampled_from(_EXTREME_TIMES),
    st.dates(),
    st.datetimes(timezones=st.none() | _offsets),
)
hostile_scalars = st.one_of(st.none(), hostile_numbers, hostile_text, hostile_times, st.binary(max_size=12))
hostile_values = st.one_of(
    hostile_scalars,
    st.lists(hostile_scalars, max_size=3),
    st.dictionaries(st.text(max_size=6), hostile_scalars, max_size=3),
    st.sampled_from([Big("deep_list", 5000), Big("deep_dict", 5000), Big("list", 10_000)]),
)
hostile_ids = hostile_values


def preset_payload(n: int) -> dict[str, Any]:
    return {
        "name": f"Hostile preset {n}",
        "technique": "medial_branch_block",
        "intent": "diagnostic_first",
        "guidance": "fluoroscopy",
        "sedation": "none",
        "region": "lumbar",
        "medications": [
            {"agent": "bupivacaine", "concentration_mg_per_ml": 5.0, "volume_ml": 0.5, "volume_basis": "per_nerve"}
        ],
    }


SETTINGS_PAYLOAD: dict[str, Any] = {
    "clinic_name": "Synthetic Spine Clinic",
    "address": "1 Example Road\nTestville",
    "phone": "+1 555 0100",
    "logo": b"\x89PNG\r\n\x1a\n" + b"\x00" * 16,
    "page_size": "a4",
    "idle_lock_minutes": 10,
}
# Keys a valid payload may carry besides those above: tried as additions, with hostile values.
EXTRA_PROCEDURE_KEYS = ["uid", "version", "signature", "addenda", "id"]
EXTRA_PATIENT_KEYS = ["id"]
EXTRA_PRESET_KEYS = ["id"]


def all_paths(value: Any, prefix: tuple = ()) -> Iterator[tuple]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from all_paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from all_paths(item, (*prefix, i))


def _parent(payload: Any, path: tuple) -> Any:
    for key in path[:-1]:
        payload = payload[key]
    return payload


@dataclass
class Mutation:
    kind: str  # replace, delete, add
    path: tuple
    value: Any = None

    def apply(self, base: Any, *, build: bool = True) -> Any:
        """``base`` with the change made; ``build=False`` leaves Big values as markers (for JSON text)."""
        payload = copy.deepcopy(base)
        value = materialize(self.value) if build else self.value
        if not self.path:
            return value if self.kind != "delete" else {}
        parent = _parent(payload, self.path)
        if self.kind == "delete":
            del parent[self.path[-1]]
        else:
            parent[self.path[-1]] = value
        return payload


@st.composite
def mutations(draw: st.DrawFn, base: dict[str, Any], extra_keys: list[str]) -> Mutation:
    kind = draw(st.sampled_from(["replace", "replace", "replace", "delete", "add"]))
    if kind == "add":
        dicts = [p for p in all_paths(base) if isinstance(_get(base, p), dict)]
        where = draw(st.sampled_from(dicts))
        key = draw(
            st.sampled_from(extra_keys) | st.text(max_size=12) if where == () and extra_keys else st.text(max_size=12)
        )
        return Mutation("add", (*where, key), draw(hostile_values))
    path = draw(st.sampled_from([p for p in all_paths(base) if p or kind == "replace"]))
    return Mutation(kind, path, draw(hostile_values) if kind == "replace" else None)


def _get(payload: Any, path: tuple) -> Any:
    for key in path:
        payload = payload[key]
    return payload


# A field whose error may come from another field's value (cross-field rules of the domain).
DEPENDS_ON = {
    "pregnant": {"sex"},
    "medications": {"technique", "contrast"},
    "complication_details": {"complications"},
    "disability_score": {"disability_scale"},
    "radiation_dose_unit": {"radiation_dose"},  # a dose entered needs its unit (Documentation._dose_has_unit)
    # "No" beside a listed entry is refused at the answer (Patient._answered_by_list).
    "takes_anticoagulants": {"anticoagulants"},
    "had_toxin_elsewhere": {"toxin_elsewhere"},
    "sites": {"product"},
    "addenda": {"signature"},
    "performed_at": {"date_of_birth"},
    "date_to": {"date_from"},  # OutcomesService.export_csv: a range must not end before it starts
}


def related(error_path: tuple, mutated: tuple) -> bool:
    """Whether an error at ``error_path`` names the mutated field (or one it depends on)."""
    n = min(len(error_path), len(mutated))
    if error_path[:n] == mutated[:n]:
        return True
    return (
        len(error_path) == len(mutated)
        and error_path[:-1] == mutated[:-1]
        and mutated[-1] in DEPENDS_ON.get(str(error_path[-1]), set())
    )


# ---- the properties ----------------------------------------------------------------------------------------

PYDANTIC_WORDING = re.compile(
    r"Input should|Unable to|should have|Field required|Value error|Assertion failed|Extra inputs|Keys should|"
    r"Datetimes provided|Traceback|object has no attribute"
)


def assert_clear(exc: BaseException, mutated: tuple | None = None) -> None:
    """An error the user can act on: each problem names its field and says what is wrong, in FacetDesk's words."""
    text = str(exc)
    assert text.strip(), f"{type(exc).__name__} without a message"
    if not isinstance(exc, InvalidRecord):
        assert len(text) < 2000, "an error message that long is not read"
        return
    assert exc.errors, "InvalidRecord without a field error"
    for err in exc.errors:
        assert isinstance(err, FieldError)
        assert err.label and err.message.strip()
        assert err.label in text, f"{err.label!r} is not named in {text[:200]!r}"
        assert not PYDANTIC_WORDING.search(err.message), f"pydantic's wording reached the user: {err}"
        assert len(err.message) < 1000, f"a message of {len(err.message)} characters: {err.message[:80]}…"
    if mutated is not None:
        assert any(related(err.path, mutated) for err in exc.errors), (
            f"the change at {mutated} is refused with errors about other fields: {[str(e) for e in exc.errors]}"
        )


# Keyed by the objects themselves (weakly): an id() is reused once its object is gone, and a later test's
# database would then be answered with an earlier one's tables, patient or procedure.
_TABLES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def db_rows(ctx) -> dict[str, list[str]]:
    """Every row of every table, as text: what "nothing was written" is checked against."""
    engine = ctx.database.engine
    with engine.connect() as conn:
        if engine not in _TABLES:
            _TABLES[engine] = sorted(sa.inspect(conn).get_table_names())
        return {
            name: sorted(repr(tuple(row)) for row in conn.execute(sa.text(f'SELECT * FROM "{name}"')))
            for name in _TABLES[engine]
        }


def attempt(ctx, call: Callable[..., Any], *args: Any, mutated: tuple | None = None, **kwargs: Any):
    """Call; a clear error must leave the database as it was. Returns (result, error)."""
    before = db_rows(ctx)
    try:
        result = call(*args, **kwargs)
    except CLEAR_ERRORS as exc:
        assert_clear(exc, mutated)
        assert db_rows(ctx) == before, f"refused with {type(exc).__name__}, yet the database changed"
        return None, exc
    return result, None


FRESH = itertools.count(1)


def assert_still_works(ctx) -> None:
    """After a refused call the service takes a valid record as if nothing had happened."""
    saved = ctx.records.save_patient(rich_patient_data(900_000 + next(FRESH)))
    assert ctx.records.get_patient(saved.id) == saved


_PATIENTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def a_patient(ctx) -> Patient:
    if ctx not in _PATIENTS:
        _PATIENTS[ctx] = ctx.records.save_patient(rich_patient_data(next(FRESH)))
    return _PATIENTS[ctx]


def a_procedure(ctx, **overrides: Any):
    data = rich_procedure_data()
    data.update(overrides)
    return ctx.records.save_procedure(a_patient(ctx).id, data)


_SIGNED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def a_signed_procedure_id(ctx) -> int:
    """One signed procedure per database (signing renders the note, which takes a while)."""
    if ctx not in _SIGNED:
        procedure = a_procedure(ctx)
        _SIGNED[ctx] = signers.sign(ctx, procedure.id, procedure.version).id
    return _SIGNED[ctx]


class App:
    """The application context under a short repr, so a failing example prints in a few lines."""

    def __init__(self, ctx):
        self._ctx = ctx

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ctx, name)

    def __repr__(self) -> str:
        return "App(synthetic clinic database)"
