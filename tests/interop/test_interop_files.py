"""Export files are written atomically: the finished file or the old one, never half of one."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from facetdesk.interop.files import atomic_file, usable_target, write_atomically


def _left_over(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_failure_half_way_keeps_the_previous_file_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "note.pdf"
    target.write_bytes(b"the note already filed")
    with pytest.raises(RuntimeError), atomic_file(target) as fh:
        fh.write(b"half a new no")
        raise RuntimeError("disk full, say")
    assert target.read_bytes() == b"the note already filed"
    assert _left_over(tmp_path) == ["note.pdf"]


def test_a_finished_file_replaces_the_old_one(tmp_path):
    target = tmp_path / "bundle.json"
    target.write_bytes(b"old")
    assert write_atomically(b'{"resourceType": "Bundle"}', target) == target
    assert target.read_bytes() == b'{"resourceType": "Bundle"}'
    assert _left_over(tmp_path) == ["bundle.json"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_exports_are_owner_only_unless_the_user_shares_them(tmp_path):
    """Patient data on a shared workstation: 0600 whatever the umask; shared on request follows the umask."""
    old = os.umask(0o022)
    try:
        write_atomically(b"one note", tmp_path / "note.pdf")
        with atomic_file(tmp_path / "outcomes.csv") as fh:
            fh.write(b"many patients")
        write_atomically(b"for the EHR folder", tmp_path / "shared.pdf", shared=True)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "note.pdf").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "outcomes.csv").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "shared.pdf").stat().st_mode) == 0o644


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
@pytest.mark.parametrize("shared", [False, True], ids=["default", "shared"])
def test_the_cli_writes_notes_case_files_and_bundles_owner_only_unless_shared(tmp_path, shared):
    import subprocess

    root = Path(__file__).resolve().parents[2]
    sample = root / "docs" / "sample-case.json"
    flag = ["--shared"] if shared else []
    env = {**os.environ, "FACETDESK_DB": str(tmp_path / "db.sqlite3")}
    for command, out in (("note", "note.pdf"), ("fhir", "bundle.json")):
        subprocess.run(
            [sys.executable, "-m", "facetdesk", command, str(sample), "-o", str(tmp_path / out), *flag],
            check=True, capture_output=True, env=env, preexec_fn=lambda: os.umask(0o022),
        )  # fmt: skip
        mode = stat.S_IMODE((tmp_path / out).stat().st_mode)
        assert mode == (0o644 if shared else 0o600), (command, oct(mode))


@pytest.mark.parametrize("bad", ["", "with\0nul.pdf", 42, None])
def test_names_that_cannot_be_files_are_refused_before_any_work(tmp_path, bad):
    with pytest.raises(OSError):
        usable_target(bad if not isinstance(bad, str) or not bad else tmp_path / bad)


def test_a_folder_is_not_overwritten(tmp_path):
    (tmp_path / "exports").mkdir()
    with pytest.raises(IsADirectoryError):
        write_atomically(b"x", tmp_path / "exports")
    assert (tmp_path / "exports").is_dir()
