"""Service test fixtures: an app context on a fresh database on each backend (tests/pg.py), the shared builders."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from facetdesk.services.context import AppContext, build_context
from tests.actors import ADMIN_PHYSICIAN
from tests.builders.records import patient_data, scored_block_data


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
    """A saved visit's raw form data: a two-level block with its anaesthetic and a pain score."""
    return scored_block_data
