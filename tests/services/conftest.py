"""Service test fixtures: an app context on a fresh database on each backend (tests/pg.py), synthetic records."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest

from facetdesk.services.context import AppContext, build_context
from tests.actors import ADMIN_PHYSICIAN


def patient_data(n: int = 1, **overrides: Any) -> dict[str, Any]:
    """Raw form data for a synthetic patient; ``n`` varies MRN and names."""
    data: dict[str, Any] = {
        "mrn": f"SVC-{n:04d}",
        "family_name": f"Servicetest{n}",
        "given_name": f"Robin{n}",
        "date_of_birth": "1970-06-15",
        "sex": "female",
        "diabetes": False,
    }
    data.update(overrides)
    return data


def procedure_data(performed_at: datetime | str = datetime(2025, 4, 2, 10, 15), **overrides: Any) -> dict[str, Any]:
    """Raw data for a synthetic lumbar medial branch block."""
    data: dict[str, Any] = {
        "performed_at": performed_at,
        "physician": "Dr. Synthetic Service",
        "technique": "medial_branch_block",
        "intent": "diagnostic_first",
        "guidance": "fluoroscopy",
        "targets": [{"level": "L4-L5", "side": "left"}, {"level": "L5-S1", "side": "left"}],
        "medications": [{"agent": "bupivacaine", "concentration_mg_per_ml": 5.0, "volume_ml": 0.5}],
        "pre_procedure_pain": 7,
        "pain_scores": [{"minutes_after": 30, "nrs": 2, "activity": "walking"}],
    }
    data.update(overrides)
    return data


def _open(url: str) -> Iterator[AppContext]:
    # An administrating physician may do everything; role limits are tested with their own actors.
    ctx = build_context(url, actor=ADMIN_PHYSICIAN)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def ctx(make_database_url: Callable[..., str]) -> Iterator[AppContext]:
    yield from _open(make_database_url("clinic-a"))


@pytest.fixture
def other_ctx(make_database_url: Callable[..., str]) -> Iterator[AppContext]:
    """A second, independent database (e.g. the receiving clinic of a case file)."""
    yield from _open(make_database_url("clinic-b"))


@pytest.fixture
def make_patient_data() -> Callable[..., dict[str, Any]]:
    return patient_data


@pytest.fixture
def make_procedure_data() -> Callable[..., dict[str, Any]]:
    return procedure_data
