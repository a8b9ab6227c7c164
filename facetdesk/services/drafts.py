"""Autosaved drafts of the procedure being edited, kept on disk so a crash loses at most a few seconds."""

from __future__ import annotations

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

_SUFFIX = ".json"
# Draft ids become file names: only what new_draft_id() produces is accepted, so no id can point elsewhere.
_ID = re.compile(r"^[0-9a-f]{32}$")


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

    def owner_alive(self) -> bool:
        if self.owner_pid == os.getpid() and self.owner_host == socket.gethostname():
            return True
        if self.owner_host != socket.gethostname() or os.name != "posix":
            return False  # cannot tell (and os.kill would end a process on Windows): offer it
        try:
            os.kill(self.owner_pid, 0)  # signal 0: only asks whether the process exists
        except ProcessLookupError:
            return False
        except PermissionError:
            return True  # exists, but belongs to someone else
        return True

    def to_json(self) -> dict[str, Any]:
        return {
            "format": 1,
            "id": self.id,
            "database_url": self.database_url,
            "patient_id": self.patient_id,
            "procedure_id": self.procedure_id,
            "procedure_uid": self.procedure_uid,
            "procedure_version": self.procedure_version,
            "saved_at": self.saved_at.isoformat(),
            "owner_pid": self.owner_pid,
            "owner_host": self.owner_host,
            "data": to_jsonable_python(self.data),
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Draft:
        return cls(
            id=str(raw["id"]),
            database_url=str(raw["database_url"]),
            patient_id=int(raw["patient_id"]),
            procedure_id=None if raw.get("procedure_id") is None else int(raw["procedure_id"]),
            procedure_uid=raw.get("procedure_uid"),
            procedure_version=None if raw.get("procedure_version") is None else int(raw["procedure_version"]),
            data=dict(raw["data"]),
            saved_at=datetime.fromisoformat(raw["saved_at"]),
            owner_pid=int(raw.get("owner_pid") or 0),
            owner_host=str(raw.get("owner_host") or ""),
        )


class DraftStore:
    """One JSON file per editor session in a private directory; every write is atomic."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def path_of(self, draft_id: str) -> Path:
        if not _ID.match(draft_id):
            raise ValueError(f"not a draft id: {draft_id!r}")
        return self.directory / f"{draft_id}{_SUFFIX}"

    def save(self, draft: Draft) -> Path:
        """Write the draft (replacing this editor's previous one); raises OSError when the disk refuses."""
        target = self.path_of(draft.id)
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        payload = json.dumps(draft.to_json(), ensure_ascii=False, indent=1).encode("utf-8")
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
                drafts.append(Draft.from_json(json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError, KeyError, TypeError):
                continue  # a half-written or foreign file: skipping it must not stop the app from starting
        return sorted(drafts, key=lambda d: d.saved_at, reverse=True)

    def latest_for(self, database_url: str, include_live: bool = False) -> Draft | None:
        """The newest draft for this database that no running FacetDesk is still editing."""
        return next(
            (d for d in self.list() if d.database_url == database_url and (include_live or not d.owner_alive())),
            None,
        )

    def discard(self, draft: Draft | str) -> None:
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
