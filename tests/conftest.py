"""Test-wide setup: headless Qt, no test touches the user's real settings or database, both storage backends,
the Hypothesis profile (tests/profiles.py)."""

from __future__ import annotations

import os

# Set here, before any Qt import, so the suite is headless whoever runs it.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.pop("FACETDESK_DB", None)

import pytest  # noqa: E402

import tests.profiles  # noqa: E402, F401 - loads the Hypothesis profile before any test module builds its settings

# The backend parameter (SQLite, and PostgreSQL when FACETDESK_TEST_PG_URL is set) and its fixtures.
pytest_plugins = ("tests.pg",)


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Point the user's data and config directories at a temporary folder."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("FACETDESK_DB", raising=False)
    yield home


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    """Argon2id with its cheapest parameters: the same algorithm and code path, without 64 MiB per hash."""
    import argon2
    from argon2.profiles import CHEAPEST

    from facetdesk.services import accounts

    monkeypatch.setattr(accounts, "PasswordHasher", lambda: argon2.PasswordHasher.from_parameters(CHEAPEST))


@pytest.fixture(autouse=True)
def _cheap_key_sealing(monkeypatch):
    """Signing keys sealed with Argon2id's cheapest cost: the same code path, without 64 MiB per key."""
    from facetdesk.trust import keys

    monkeypatch.setattr(keys, "DEFAULT_KDF", keys.KdfParams(time_cost=1, memory_kib=8, parallelism=1))
