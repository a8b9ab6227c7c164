"""GUI test fixtures: an app context on a fresh database, a saved patient, accounts, the window, isolated QSettings."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QSettings


@pytest.fixture(autouse=True)
def _isolated_qsettings(tmp_path):
    QCoreApplication.setOrganizationName("FacetDeskTests")
    QCoreApplication.setApplicationName("FacetDeskTests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    yield


@pytest.fixture(autouse=True)
def _no_modal_discard_dialog(monkeypatch):
    """Closing a window with unsaved edits would block on a dialog; tests answer 'discard'."""
    from facetdesk.ui.shell.questions import WindowQuestions

    monkeypatch.setattr(WindowQuestions, "ask_discard", lambda self, what="procedure": True)
    # A draft left by another test must never block a test on the restore question.
    monkeypatch.setattr(WindowQuestions, "ask_restore", lambda self, draft: False)
    # A save refused as stale would block on the reload question: keep the edits on screen (its default).
    monkeypatch.setattr(WindowQuestions, "ask_reload", lambda self, what: False)
    # Patient details kept for another user are offered back, and asked about at quitting: restore, and quit.
    monkeypatch.setattr(WindowQuestions, "ask_restore_details", lambda self, name: True)
    monkeypatch.setattr(WindowQuestions, "ask_quit_with_kept", lambda self, authors: True)
    # An unusual adult weight asks before saving: tests that are not about it answer "save as entered".
    monkeypatch.setattr(WindowQuestions, "confirm_weight", lambda self, why: True)


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'clinic.sqlite3'}"


@pytest.fixture
def ctx(db_url):
    from facetdesk.services.context import build_context
    from tests.actors import ADMIN_PHYSICIAN

    context = build_context(db_url, actor=ADMIN_PHYSICIAN)
    yield context
    context.close()


@pytest.fixture
def other(db_url):
    """A second workstation: its own context on the same database file, as a colleague's."""
    from facetdesk.services.context import build_context
    from tests.actors import ADMIN_PHYSICIAN

    context = build_context(db_url, actor=ADMIN_PHYSICIAN)
    yield context
    context.close()


@pytest.fixture
def patient(ctx):
    """A saved synthetic patient, identity only (tests/builders/records.py)."""
    from tests.builders.records import patient_data

    return ctx.records.save_patient(patient_data())


@pytest.fixture
def accounts(ctx):
    """Real accounts behind the test actors: the admin physician (ctx's actor) and a nurse, both with PASSWORD."""
    from tests.actors import ADMIN_PHYSICIAN, NURSE, PASSWORD

    admin = ctx.accounts.create_first_account(
        {"username": ADMIN_PHYSICIAN.username, "display_name": ADMIN_PHYSICIAN.display_name}, PASSWORD
    )
    nurse = ctx.accounts.create_user(
        {"username": NURSE.username, "display_name": NURSE.display_name, "role": "nurse"}, PASSWORD
    )
    return admin, nurse


@pytest.fixture
def window(qtbot, ctx):
    """The main window on ``ctx``, shown."""
    from tests.ui.helpers import open_window

    return open_window(qtbot, ctx)
