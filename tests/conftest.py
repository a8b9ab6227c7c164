"""Test-wide setup: headless Qt, and no test touches the user's real settings or database."""

from __future__ import annotations

import os

# Set here, before any Qt import, so the suite is headless whoever runs it.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.pop("FACETDESK_DB", None)

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Point the user's data and config directories at a temporary folder."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("FACETDESK_DB", raising=False)
    yield home
