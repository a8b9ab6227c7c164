"""Draft store: round trip, atomic private files, one database's drafts apart from another's."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from facetdesk.domain.enums import Technique
from facetdesk.services.drafts import Draft, DraftStore, default_drafts_dir, new_draft_id

DB_A = "sqlite:////clinic/a.sqlite3"
DB_B = "sqlite:////clinic/b.sqlite3"


def _draft(db: str = DB_A, saved_at: datetime | None = None, **data) -> Draft:
    raw = {
        "performed_at": datetime(2026, 3, 4, 9, 30),
        "physician": "Dr. Draft ",
        "technique": Technique.MEDIAL_BRANCH_BLOCK,
        "targets": [{"level": "L4-L5", "side": "left"}],
        **data,
    }
    extra = {"saved_at": saved_at} if saved_at else {}
    return Draft(new_draft_id(), db, 7, None, None, None, raw, **extra)


def test_round_trip_keeps_raw_values_json_safe(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "drafts")
    draft = _draft()
    store.save(draft)
    (loaded,) = store.list()
    assert loaded.id == draft.id and loaded.patient_id == 7 and loaded.procedure_id is None
    assert loaded.saved_at == draft.saved_at
    assert loaded.data["performed_at"] == "2026-03-04T09:30:00"
    assert loaded.data["technique"] == "medial_branch_block"
    assert loaded.data["physician"] == "Dr. Draft "  # as typed, trailing space and all
    assert loaded.data["targets"] == [{"level": "L4-L5", "side": "left"}]


def test_save_replaces_the_editors_draft_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    draft = _draft()
    store.save(draft)
    store.save(Draft(draft.id, DB_A, 7, None, None, None, {"physician": "second"}))
    assert [p.name for p in tmp_path.iterdir()] == [f"{draft.id}.json"]
    assert store.list()[0].data == {"physician": "second"}


def test_failed_write_leaves_the_previous_draft_and_no_temporary_file(tmp_path: Path, monkeypatch) -> None:
    store = DraftStore(tmp_path)
    draft = _draft()
    store.save(draft)

    def refuse(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError):
        store.save(Draft(draft.id, DB_A, 7, None, None, None, {"physician": "lost"}))
    assert [p.name for p in tmp_path.iterdir()] == [f"{draft.id}.json"]
    assert store.list()[0].data["physician"] == "Dr. Draft "


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_draft_file_is_private(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "drafts")
    path = store.save(_draft())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "drafts").stat().st_mode) & 0o077 == 0


def test_latest_for_filters_by_database_and_takes_the_newest(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    now = datetime.now().astimezone()
    old_a = _draft(DB_A, now - timedelta(hours=1))
    new_a = _draft(DB_A, now)
    newest_b = _draft(DB_B, now + timedelta(minutes=5))
    for d in (old_a, new_a, newest_b):
        store.save(d)
    assert store.latest_for(DB_A, include_live=True).id == new_a.id
    assert store.latest_for(DB_B, include_live=True).id == newest_b.id
    assert store.latest_for("sqlite:////elsewhere.sqlite3", include_live=True) is None
    assert [d.id for d in store.list()] == [newest_b.id, new_a.id, old_a.id]


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait(timeout=30)
    return proc.pid  # reaped: no process has this id now (barring immediate reuse)


def test_only_drafts_whose_writer_is_gone_are_offered(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    live = _draft()  # written by this very process: an open editor, not a crash
    store.save(live)
    assert store.latest_for(DB_A) is None
    assert store.latest_for(DB_A, include_live=True).id == live.id
    if sys.platform != "win32":
        crashed = replace(_draft(), owner_pid=_dead_pid())
        store.save(crashed)
        assert store.latest_for(DB_A).id == crashed.id
    elsewhere = replace(_draft(), owner_host="another-workstation")
    store.save(elsewhere)
    assert not elsewhere.owner_alive()


def test_discard_by_draft_or_id_and_unreadable_files_are_skipped(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    first, second = _draft(), _draft()
    store.save(first)
    store.save(second)
    (tmp_path / f"{new_draft_id()}.json").write_text("{ half written")
    store.discard(first)
    store.discard(second.id)
    store.discard(second.id)  # already gone: not an error
    assert store.list() == []
    assert store.latest_for(DB_A, include_live=True) is None


def test_draft_ids_cannot_name_other_files(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        DraftStore(tmp_path).discard("../facetdesk.sqlite3")


def test_missing_directory_lists_nothing(tmp_path: Path) -> None:
    assert DraftStore(tmp_path / "never-created").list() == []


def test_context_keeps_drafts_in_the_user_data_directory(ctx) -> None:
    assert ctx.drafts.directory == default_drafts_dir()
    assert default_drafts_dir().name == "drafts"
    assert str(default_drafts_dir()).startswith(os.environ["XDG_DATA_HOME"])
