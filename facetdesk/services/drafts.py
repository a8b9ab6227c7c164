"""Autosaved drafts of the procedure being edited, kept on disk so a crash loses at most a few seconds.

Several FacetDesk users may share one operating-system account, and so one drafts folder: each draft records
who wrote it, and only its author is ever offered it (see ``Draft.offered_to``).
"""

from __future__ import annotations

import builtins  # DraftStore.list hides the built-in name inside the class
import json
import os
import re
import socket
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import platformdirs
from pydantic_core import to_jsonable_python

from facetdesk.domain.base import MAX_ROW_ID, is_row_id
from facetdesk.domain.errors import FieldError, InvalidRecord
from facetdesk.domain.users import Actor, Permission

_SUFFIX = ".json"
# Draft ids become file names: only what new_draft_id() produces is accepted, so no id can point elsewhere.
_ID = re.compile(r"[0-9a-f]{32}")
# Process ids are C ints (pid_t); anything else in a draft file names no process.
_MAX_PID = 2**31 - 1
# As long as Actor.username may be.
_MAX_AUTHOR = 64
# 1: no author recorded; 2: "author" names the FacetDesk user who was signed in when it was written.
_FORMAT = 2


def default_drafts_dir() -> Path:
    return Path(platformdirs.user_data_dir("FacetDesk", appauthor=False)) / "drafts"


def new_draft_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Draft:
    """What an editor held when it was last autosaved: raw form values (JSON-safe), not a validated record."""

    id: str
    database_url: str
    patient_id: int
    procedure_id: int | None
    procedure_uid: str | None
    procedure_version: int | None
    data: dict[str, Any]
    saved_at: datetime = field(default_factory=lambda: datetime.now().astimezone().replace(microsecond=0))
    # Which process wrote it: a draft whose writer still runs is being edited, not waiting to be recovered.
    owner_pid: int = field(default_factory=os.getpid)
    owner_host: str = field(default_factory=socket.gethostname)
    # The signed-in FacetDesk user (Actor.username) whose edits these are; None in a draft written before
    # drafts recorded it (format 1). Not the operating-system account: several users may share that.
    author: str | None = None

    def __post_init__(self) -> None:
        """Refuse (InvalidRecord) what cannot be written, or what a damaged or foreign draft file holds."""
        problems = [
            FieldError((name,), message)
            for name, ok, message in (
                ("id", _is_draft_id(self.id), _ID_RULE),
                ("database_url", isinstance(self.database_url, str), "must be text"),
                ("patient_id", is_row_id(self.patient_id), "must be a patient id (a whole number from 1)"),
                (
                    "procedure_id",
                    self.procedure_id is None or is_row_id(self.procedure_id),
                    "must be empty or a procedure id",
                ),
                (
                    "procedure_uid",
                    self.procedure_uid is None or isinstance(self.procedure_uid, str),
                    "must be empty or text",
                ),
                (
                    "procedure_version",
                    self.procedure_version is None or _whole(self.procedure_version, 0, MAX_ROW_ID),
                    "must be empty or a whole number from 0",
                ),
                ("data", isinstance(self.data, dict), "must be a group of form fields (a JSON object)"),
                ("saved_at", isinstance(self.saved_at, datetime), "must be a date and time"),
                ("owner_pid", _whole(self.owner_pid, 0, None), "must be a whole number from 0"),
                ("owner_host", isinstance(self.owner_host, str), "must be text"),
                (
                    "author",
                    self.author is None or (isinstance(self.author, str) and 0 < len(self.author) <= _MAX_AUTHOR),
                    f"must be empty or a user name (text of 1 to {_MAX_AUTHOR} characters)",
                ),
            )
            if not ok
        ]
        if problems:
            raise InvalidRecord(problems)
        if self.saved_at.tzinfo is None:
            # An older or hand-made file without an offset: local time. Mixing naive and aware
            # times would make sorting the drafts fail.
            try:
                object.__setattr__(self, "saved_at", self.saved_at.astimezone())
            except (OverflowError, ValueError):  # 0001-01-01 east of Greenwich, 9999-12-31 west of it
                raise InvalidRecord([FieldError(("saved_at",), "is outside the calendar in local time")]) from None

    def owner_alive(self) -> bool:
        if self.owner_pid == os.getpid() and self.owner_host == socket.gethostname():
            return True
        if self.owner_host != socket.gethostname() or os.name != "posix":
            return False  # cannot tell (and os.kill would end a process on Windows): offer it
        if not 0 < self.owner_pid <= _MAX_PID:
            return False  # 0 or -1 would ask about a whole process group, which always "exists"
        try:
            os.kill(self.owner_pid, 0)  # signal 0: only asks whether the process exists
        except ProcessLookupError:
            return False
        except PermissionError:
            return True  # exists, but belongs to someone else
        return True

    def offered_to(self, actor: Actor | None) -> bool:
        """Whether ``actor`` may be offered this draft to restore: only ever its author's own.

        A draft without a recorded author (format 1, written by an earlier FacetDesk) could be anyone's. It is
        offered to a user who may edit procedures (a nurse could not save it anyway), and the question says the
        author is unknown; a No keeps it (see DraftStore.decline), so whoever wrote it still finds it. Offered to
        nobody, the work of a crash just before the upgrade would be stranded; offered to everyone (as before),
        a nurse or any colleague would be shown it.
        """
        if not isinstance(actor, Actor):
            return False  # nobody signed in (or not a user at all): nothing is anyone's to see
        if self.author is None:
            return actor.may(Permission.EDIT_PROCEDURE)
        return self.author == actor.username

    def to_json(self) -> dict[str, Any]:
        return {
            "format": _FORMAT,
            "id": self.id,
            "database_url": self.database_url,
            "patient_id": self.patient_id,
            "procedure_id": self.procedure_id,
            "procedure_uid": self.procedure_uid,
            "procedure_version": self.procedure_version,
            "saved_at": self.saved_at.isoformat(),
            "owner_pid": self.owner_pid,
            "owner_host": self.owner_host,
            "author": self.author,
            "data": to_jsonable_python(self.data),
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Draft:
        """The draft a file holds; InvalidRecord names what is missing or wrong in it."""
        if not isinstance(raw, dict):
            raise InvalidRecord([FieldError((), "must be a JSON object (a FacetDesk draft)")])
        missing = [name for name in ("id", "database_url", "patient_id", "data", "saved_at") if name not in raw]
        if missing:
            raise InvalidRecord([FieldError((name,), "is required") for name in missing])
        saved_at = raw["saved_at"]
        try:
            saved_at = datetime.fromisoformat(saved_at) if isinstance(saved_at, str) else None
        except ValueError:
            saved_at = None
        if saved_at is None:
            raise InvalidRecord([FieldError(("saved_at",), "must be a date and time (ISO 8601)")])
        return cls(
            id=raw["id"],
            database_url=raw["database_url"],
            patient_id=raw["patient_id"],
            procedure_id=raw.get("procedure_id"),
            procedure_uid=raw.get("procedure_uid"),
            procedure_version=raw.get("procedure_version"),
            data=raw["data"],
            saved_at=saved_at,
            owner_pid=raw.get("owner_pid") or 0,
            owner_host=raw.get("owner_host") or "",
            author=raw.get("author"),  # absent in format 1: author unknown
        )


_ID_RULE = "is not a draft id (32 lowercase hexadecimal digits, as new_draft_id() makes)"


def _is_draft_id(value: object) -> bool:
    return isinstance(value, str) and _ID.fullmatch(value) is not None


def _whole(value: object, low: int, high: int | None) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= low and (high is None or value <= high)


class DraftStore:
    """One JSON file per editor session in a private directory; every write is atomic."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def path_of(self, draft_id: str) -> Path:
        if not _is_draft_id(draft_id):
            raise InvalidRecord([FieldError(("id",), _ID_RULE)])
        return self.directory / f"{draft_id}{_SUFFIX}"

    def save(self, draft: Draft) -> Path:
        """Write the draft (replacing this editor's previous one).

        Raises OSError when the disk refuses, InvalidRecord when the draft holds what JSON cannot.
        """
        if not isinstance(draft, Draft):
            raise InvalidRecord([FieldError(("draft",), "must be a Draft")])
        target = self.path_of(draft.id)
        try:
            # ASCII escapes keep any text the editor held (even an unpaired surrogate) exactly.
            payload = json.dumps(draft.to_json(), ensure_ascii=True, indent=1).encode("ascii")
        except (ValueError, TypeError, RecursionError):
            raise InvalidRecord(
                [
                    FieldError(
                        ("data",),
                        "holds a value a draft cannot keep; only text, numbers, yes/no, dates, "
                        "and lists or groups of them can be kept",
                    )
                ]
            ) from None
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        # mkstemp creates the file with mode 0600: the draft holds patient data from its first byte.
        fd, tmp_name = tempfile.mkstemp(prefix=f".{draft.id}.", suffix=".tmp", dir=self.directory)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        _fsync_directory(self.directory)
        return target

    def list(self) -> list[Draft]:
        """Every readable draft, newest first; unreadable files are left alone (never deleted, never parsed twice)."""
        if not self.directory.is_dir():
            return []
        drafts = []
        for path in self.directory.glob(f"*{_SUFFIX}"):
            try:
                draft = Draft.from_json(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, RecursionError):  # InvalidRecord and UnicodeDecodeError are ValueErrors
                continue  # a half-written or foreign file: skipping it must not stop the app from starting
            # save() names each file after its draft; a copy under another name could never be discarded,
            # and would be offered again at every start.
            if path.name == f"{draft.id}{_SUFFIX}":
                drafts.append(draft)
        return sorted(drafts, key=lambda d: d.saved_at, reverse=True)

    def drafts_of(self, actor: Actor | None, database_url: str, include_live: bool = False) -> builtins.list[Draft]:
        """The drafts for this database that ``actor`` may be offered (``Draft.offered_to``).

        Their own come first, newest first, then any without a recorded author; drafts a running FacetDesk is
        still editing are left out unless ``include_live``. Other users' drafts are neither listed nor touched.
        """
        offered = [
            d
            for d in self.list()
            if d.database_url == database_url and d.offered_to(actor) and (include_live or not d.owner_alive())
        ]
        return sorted(offered, key=lambda d: d.author is None)  # stable: each group stays newest first

    def latest_for(self, database_url: str, actor: Actor | None, include_live: bool = False) -> Draft | None:
        """The first of ``drafts_of``: the draft to offer ``actor`` for this database, or None."""
        return next(iter(self.drafts_of(actor, database_url, include_live)), None)

    def decline(self, draft: Draft, actor: Actor | None) -> bool:
        """``actor`` will not restore ``draft`` (they said No, or its record is gone); True when it was removed.

        Only the actor's own draft is removed. One without a recorded author is kept, since it may be someone
        else's work, and so is anything not offered to the actor: declining never touches another user's draft.
        """
        if not isinstance(draft, Draft):
            raise InvalidRecord([FieldError(("draft",), "must be a Draft")])
        if not isinstance(actor, Actor) or draft.author is None or draft.author != actor.username:
            return False
        self.discard(draft)
        return True

    def discard(self, draft: Draft | str) -> None:
        """Remove a draft file. For the editor's own draft (AutosaveController); an offered one goes via decline()."""
        draft_id = draft.id if isinstance(draft, Draft) else draft
        self.path_of(draft_id).unlink(missing_ok=True)


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX); Windows cannot open a directory for this and needs no help."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
