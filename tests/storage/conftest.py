"""Storage test fixtures: a fresh database per test on each backend (tests/pg.py) and synthetic patients/procedures."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Procedure
from facetdesk.storage.db import Database, open_database
from tests.builders.records import rich_patient, rich_procedure


@pytest.fixture(autouse=True)
def _no_real_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # A test that forgets its URL must never reach the user's real database.
    monkeypatch.setenv("FACETDESK_DB", str(tmp_path / "guard" / "unexpected.sqlite3"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """The SQLite file behind ``db``; a test asking for it runs on SQLite only (see tests/pg.py)."""
    return tmp_path / "data" / "facetdesk.sqlite3"


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = open_database(database_url)
    yield database
    database.close()


@pytest.fixture
def make_patient() -> Callable[..., Patient]:
    return rich_patient


@pytest.fixture
def make_procedure() -> Callable[..., Procedure]:
    return rich_procedure
