"""The database server goes away while a procedure is open: saving says so, and nothing typed is lost."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from facetdesk.storage.errors import DatabaseUnavailable
from facetdesk.ui.shell.main_window import MainWindow
from tests.ui.helpers import find, start_procedure, type_into

WHEN = datetime(2026, 2, 3, 14, 45)
TYPED = {"physician": "Dr. Server Gone", "needle": "22 G 3.5 in spinal"}
TARGETS = [{"level": "L4-L5", "side": "left"}]


@pytest.fixture
def db_url(database_url: str) -> str:
    """This module's database: SQLite, and a PostgreSQL one when FACETDESK_TEST_PG_URL is set (tests/pg.py)."""
    return database_url


def _editor_with_typed_values(qtbot, ctx):
    patient = ctx.records.save_patient(
        {
            "mrn": "GONE-1",
            "family_name": "Servergone",
            "given_name": "Alex",
            "date_of_birth": "1965-07-08",
            "sex": "male",
        }
    )
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    ed = start_procedure(qtbot, window, patient.id, WHEN, physician=TYPED["physician"])
    ed.tabs.setCurrentIndex(0)
    type_into(qtbot, find(ed, "Needle"), TYPED["needle"])
    draft = window.autosave.autosave_now()  # as the timer does every few seconds
    assert draft is not None
    return window, ed, ctx.drafts.directory / f"{draft.id}.json"


def _assert_nothing_lost(ed, draft_file: Path) -> None:
    data = ed.data()
    assert {key: data[key] for key in TYPED} == TYPED
    assert data["targets"] == TARGETS
    assert data["performed_at"] == WHEN
    assert ed.has_unsaved_changes()
    assert draft_file.exists(), "the autosaved draft was removed although nothing was saved"


def _saved_without_draft(window, ed, draft_file: Path) -> None:
    window.menus.save_action.trigger()  # File > Save, as the user retries
    assert ed.procedure is not None and ed.procedure.id is not None
    assert ed.procedure.physician == TYPED["physician"] and ed.procedure.needle == TYPED["needle"]
    assert not ed.error_summary.isVisible()
    assert not draft_file.exists()


@pytest.mark.sqlite_only
def test_save_refused_by_an_unreachable_server_keeps_everything(qtbot, ctx, monkeypatch):
    # Any database: the server's absence is simulated where the services meet it, at the transaction.
    window, ed, draft_file = _editor_with_typed_values(qtbot, ctx)

    @contextmanager
    def unreachable():
        raise DatabaseUnavailable("db.clinic.example", "connection refused")
        yield  # pragma: no cover

    monkeypatch.setattr(ctx.database, "transaction", unreachable)
    window.menus.save_action.trigger()
    assert ed.procedure is None  # nothing saved
    assert ed.error_summary.isVisible()
    assert ed.error_summary.text() == (
        "Not saved: The database server on db.clinic.example is not reachable (connection refused). "
        "Your unsaved work is kept; try again."
    )
    _assert_nothing_lost(ed, draft_file)

    monkeypatch.undo()  # the server is back
    _saved_without_draft(window, ed, draft_file)


@pytest.mark.postgresql
def test_save_while_the_postgresql_server_is_gone_keeps_everything(qtbot, ctx, pg_server, db_url):
    window, ed, draft_file = _editor_with_typed_values(qtbot, ctx)
    name = make_url(db_url).database
    # As a stopped server: every connection ends and new ones are refused.
    pg_server.allow_connections(name, False)
    try:
        pg_server.terminate_backends(name)
        window.menus.save_action.trigger()
        assert ed.procedure is None
        assert ed.error_summary.isVisible()
        message = ed.error_summary.text()
        host = make_url(db_url).host
        assert message.startswith(f"Not saved: The database server on {host}")
        assert "is not reachable (" in message and "not currently accepting connections" in message
        assert message.endswith("Your unsaved work is kept; try again.")
        _assert_nothing_lost(ed, draft_file)
    finally:
        pg_server.allow_connections(name, True)
    _saved_without_draft(window, ed, draft_file)
