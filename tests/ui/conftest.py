"""GUI test fixtures: an app context on a fresh database and isolated QSettings."""

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
    from facetdesk.ui.main_window import MainWindow

    monkeypatch.setattr(MainWindow, "ask_discard", lambda self: True)
    # A draft left by another test must never block a test on the restore question.
    monkeypatch.setattr(MainWindow, "ask_restore", lambda self, draft: False)


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'clinic.sqlite3'}"


@pytest.fixture
def ctx(db_url):
    from facetdesk.services.context import build_context

    context = build_context(db_url)
    yield context
    context.close()
