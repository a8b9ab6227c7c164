"""Draft store: round trip, atomic private files, one database's drafts apart from another's, each user's apart."""

from __future__ import annotations

import json
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
from tests.actors import ADMIN_PHYSICIAN, NURSE, PHYSICIAN

DB_A = "sqlite:////clinic/a.sqlite3"
DB_B = "sqlite:////clinic/b.sqlite3"


def _draft(db: str = DB_A, saved_at: datetime | None = None, author: str | None = PHYSICIAN.username, **data) -> Draft:
    raw = {
        "performed_at": datetime(2026, 3, 4, 9, 30),
        "physician": "Dr. Draft ",
        "technique": Technique.MEDIAL_BRANCH_BLOCK,
        "targets": [{"level": "L4-L5", "side": "left"}],
        **data,
    }
    extra = {"saved_at": saved_at} if saved_at else {}
    return Draft(new_draft_id(), db, 7, None, None, None, raw, author=author, **extra)


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
    assert loaded.author == PHYSICIAN.username


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
    assert store.latest_for(DB_A, PHYSICIAN, include_live=True).id == new_a.id
    assert store.latest_for(DB_B, PHYSICIAN, include_live=True).id == newest_b.id
    assert store.latest_for("sqlite:////elsewhere.sqlite3", PHYSICIAN, include_live=True) is None
    assert [d.id for d in store.list()] == [newest_b.id, new_a.id, old_a.id]


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait(timeout=30)
    return proc.pid  # reaped: no process has this id now (barring immediate reuse)


def test_only_drafts_whose_writer_is_gone_are_offered(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    live = _draft()  # written by this very process: an open editor, not a crash
    store.save(live)
    assert store.latest_for(DB_A, PHYSICIAN) is None
    assert store.latest_for(DB_A, PHYSICIAN, include_live=True).id == live.id
    if sys.platform != "win32":
        crashed = replace(_draft(), owner_pid=_dead_pid())
        store.save(crashed)
        assert store.latest_for(DB_A, PHYSICIAN).id == crashed.id
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
    assert store.latest_for(DB_A, PHYSICIAN, include_live=True) is None


def test_draft_ids_cannot_name_other_files(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        DraftStore(tmp_path).discard("../facetdesk.sqlite3")


def test_missing_directory_lists_nothing(tmp_path: Path) -> None:
    assert DraftStore(tmp_path / "never-created").list() == []


def test_context_keeps_drafts_in_the_user_data_directory(ctx) -> None:
    assert ctx.drafts.directory == default_drafts_dir()
    assert default_drafts_dir().name == "drafts"
    assert str(default_drafts_dir()).startswith(os.environ["XDG_DATA_HOME"])


# ---- whose draft it is: several FacetDesk users may share one operating-system account ----------------------

OTHER_PHYSICIAN = PHYSICIAN.model_copy(update={"username": "dr.other", "display_name": "Dr. Other Synthetic"})


def _legacy_file(store: DraftStore, saved_at: datetime) -> str:
    """A draft as FacetDesk wrote it before drafts recorded their author (format 1: no "author" key)."""
    raw = _draft(saved_at=saved_at).to_json()
    del raw["author"]
    raw["format"] = 1
    store.directory.mkdir(parents=True, exist_ok=True)
    (store.directory / f"{raw['id']}.json").write_text(json.dumps(raw), encoding="utf-8")
    return raw["id"]


def test_each_user_is_offered_only_their_own_drafts(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    now = datetime.now().astimezone()
    mine = _draft(saved_at=now - timedelta(minutes=3), author=PHYSICIAN.username)
    colleague = _draft(saved_at=now - timedelta(minutes=2), author=OTHER_PHYSICIAN.username)
    nurse = _draft(saved_at=now - timedelta(minutes=1), author=NURSE.username)
    for draft in (mine, colleague, nurse):
        store.save(draft)

    def offered(actor) -> list[str]:
        return [d.id for d in store.drafts_of(actor, DB_A, include_live=True)]

    assert offered(PHYSICIAN) == offered(ADMIN_PHYSICIAN) == [mine.id]  # same account, admin flag or not
    assert offered(OTHER_PHYSICIAN) == [colleague.id]
    assert offered(NURSE) == [nurse.id]
    assert offered(None) == [] and store.latest_for(DB_A, None, include_live=True) is None
    assert store.latest_for(DB_A, NURSE, include_live=True).id == nurse.id
    assert store.drafts_of(PHYSICIAN, DB_B, include_live=True) == []  # and only for this database
    assert not mine.offered_to(NURSE) and not mine.offered_to(PHYSICIAN.username)  # a name is not a user
    # Nobody's draft was touched by asking.
    assert sorted(d.id for d in store.list()) == sorted([mine.id, colleague.id, nurse.id])


def test_declining_removes_only_the_users_own_draft(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    mine, colleague = _draft(author=PHYSICIAN.username), _draft(author=OTHER_PHYSICIAN.username)
    store.save(mine)
    store.save(colleague)
    assert store.decline(colleague, PHYSICIAN) is False
    assert store.decline(mine, NURSE) is False
    assert store.decline(mine, None) is False
    assert {d.id for d in store.list()} == {mine.id, colleague.id}
    assert store.decline(mine, PHYSICIAN) is True
    assert [d.id for d in store.list()] == [colleague.id]
    with pytest.raises(ValueError):
        store.decline(colleague.id, OTHER_PHYSICIAN)  # a Draft as offered, not an id


def test_a_draft_without_an_author_goes_to_physicians_after_their_own_and_is_never_removed_by_a_no(
    tmp_path: Path,
) -> None:
    store = DraftStore(tmp_path)
    now = datetime.now().astimezone()
    legacy_id = _legacy_file(store, now)  # the newest of all, yet offered last
    mine = _draft(saved_at=now - timedelta(hours=1), author=PHYSICIAN.username)
    nurse = _draft(saved_at=now - timedelta(hours=1), author=NURSE.username)
    store.save(mine)
    store.save(nurse)
    (legacy,) = [d for d in store.list() if d.id == legacy_id]
    assert legacy.author is None

    assert [d.id for d in store.drafts_of(PHYSICIAN, DB_A, include_live=True)] == [mine.id, legacy_id]
    assert [d.id for d in store.drafts_of(OTHER_PHYSICIAN, DB_A, include_live=True)] == [legacy_id]
    # A nurse can save no procedure, so a draft that may be anyone's is not shown to her.
    assert [d.id for d in store.drafts_of(NURSE, DB_A, include_live=True)] == [nurse.id]
    assert store.decline(legacy, OTHER_PHYSICIAN) is False  # may be someone else's work: kept
    assert legacy_id in {d.id for d in store.list()}
    # Taken up and autosaved again, it carries the new author and is theirs from then on.
    store.save(replace(legacy, author=OTHER_PHYSICIAN.username))
    assert [d.id for d in store.drafts_of(PHYSICIAN, DB_A, include_live=True)] == [mine.id]


@pytest.mark.parametrize("author", ["", "x" * 65, 5, ["dr.synthetic"]])
def test_an_author_that_names_no_user_is_refused_and_such_a_file_is_skipped(tmp_path: Path, author) -> None:
    with pytest.raises(ValueError, match="author"):
        _draft(author=author)
    raw = _draft().to_json() | {"author": author}
    (tmp_path / f"{raw['id']}.json").write_text(json.dumps(raw), encoding="utf-8")
    assert DraftStore(tmp_path).list() == []
    assert (tmp_path / f"{raw['id']}.json").exists()  # left alone, never deleted
