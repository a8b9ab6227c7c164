"""`facetdesk self-test`, run from source as the installers run it on the bundle: it passes on a working app, fails
naming the step when something the app needs is missing, and never writes to the user's own folders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.cli_run import REPO

TIMEOUT = 180
STEPS = (
    "ok  a new database created and migrated to revision",
    "ok  first account, synthetic patient and procedure saved, a DICOM image attached",
    "ok  main window shown",
    "ok  procedure opened in the editor",
    "ok  note previewed: 2 page(s), the patient's name in its text, page 1 drawn",
    "ok  signed the procedure",
    "ok  verify: audit trail and signature OK",
    "ok  FHIR R4 bundle:",
    "ok  PostgreSQL driver: psycopg",
    "self-test passed in",
)


def _self_test(tmp_path: Path, *args: str, **env_changes: str) -> subprocess.CompletedProcess:
    scratch = tmp_path / "scratch"
    scratch.mkdir(exist_ok=True)
    env = dict(os.environ) | {"TMPDIR": str(scratch)} | env_changes  # user folders: tests/conftest.py's
    env.pop("QT_QPA_PLATFORM", None)  # the self-test chooses offscreen itself
    return subprocess.run(
        [sys.executable, "-m", "facetdesk", "self-test", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=TIMEOUT,
    )  # fmt: skip


def test_self_test_passes_every_step_and_leaves_nothing_behind(tmp_path, _isolated_user_dirs):
    shot = tmp_path / "window.png"
    done = _self_test(tmp_path, "--screenshot", str(shot), FACETDESK_DB=str(tmp_path / "mine.sqlite3"))
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    lines = done.stdout.splitlines()
    for step in STEPS:
        assert any(line.startswith(step) for line in lines), f"missing {step!r} in:\n{done.stdout}"
    assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    # Its database, drafts, audit anchors and Qt settings were in its temporary folder, now gone; the user's
    # database (FACETDESK_DB), data and settings folders were never touched.
    assert list((tmp_path / "scratch").iterdir()) == []
    assert not (tmp_path / "mine.sqlite3").exists()
    home = _isolated_user_dirs
    written = [p for folder in (home / "data", home / "config") if folder.exists() for p in folder.rglob("*")]
    assert written == []
    # No patient data in what it prints: the synthetic name is checked in the note, not shown.
    assert "Selftest" not in done.stdout + done.stderr


def test_self_test_fails_naming_the_step_when_the_app_is_incomplete(tmp_path):
    # An installation whose clinical data is missing (a bundle built without resources/, say).
    empty = tmp_path / "no-resources"
    empty.mkdir()
    done = _self_test(tmp_path, FACETDESK_RESOURCES=str(empty))
    assert done.returncode == 1
    failed = [line for line in done.stderr.splitlines() if line.startswith("self-test FAILED while ")]
    assert failed, done.stderr[-3000:]
    assert "saving a synthetic patient and procedure: FileNotFoundError" in failed[-1]
    assert str(empty) in failed[-1]
    assert "self-test passed" not in done.stdout
