"""Audit entries and their hash chain; which fields of a record changed (names only, never values)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict

GENESIS_HASH = "0" * 64
# Changed-field lists stop here: the audit names what changed, it is not a copy of the record.
MAX_FIELDS = 60


class AuditAction(str, Enum):
    CREATE = "create"
    UPDATE = "update"
    # A record removed (an image attached by mistake, while its procedure is unsigned).
    DELETE = "delete"
    SIGN = "sign"
    ADDENDUM = "addendum"
    EXPORT = "export"
    PRINT = "print"
    IMPORT = "import"
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    LOCK = "lock"
    USER_CREATE = "user_create"
    USER_UPDATE = "user_update"
    SETTINGS_UPDATE = "settings_update"
    PRESET_SAVE = "preset_save"
    PRESET_DELETE = "preset_delete"
    BACKUP = "backup"
    RESTORE = "restore"
    # A workstation's whole database copied into the server database (facetdesk move-to-server).
    TRANSFER = "transfer"
    # Migration 0007's list of the procedures signed before cryptographic signatures existed.
    LEGACY_SIGNATURES = "legacy_signatures"
    KEY_CREATE = "key_create"
    KEY_CERTIFY = "key_certify"
    CA_CREATE = "ca_create"
    # Another clinic's CA trusted for signatures imported from its case files.
    CA_TRUST = "ca_trust"


class AuditEntry(BaseModel):
    """One audited action. ``fields`` names changed fields; ``detail`` holds hashes and counts only."""

    model_config = ConfigDict(frozen=True)

    id: int | None = None
    at: datetime
    username: str
    workstation: str
    action: AuditAction
    entity: str
    entity_id: str | None = None
    fields: tuple[str, ...] = ()
    detail: dict[str, Any] = {}
    prev_hash: str = GENESIS_HASH
    entry_hash: str = ""

    def chained(self, prev_hash: str) -> AuditEntry:
        """This entry linked after ``prev_hash``, with its own hash filled in."""
        linked = self.model_copy(update={"prev_hash": prev_hash, "entry_hash": ""})
        return linked.model_copy(update={"entry_hash": linked.compute_hash()})

    def compute_hash(self) -> str:
        payload = {
            "at": self.at.isoformat(timespec="microseconds"),
            "username": self.username,
            "workstation": self.workstation,
            "action": self.action.value,
            "entity": self.entity,
            "entity_id": self.entity_id,
            "fields": list(self.fields),
            "detail": self.detail,
        }
        return sha256_text(self.prev_hash + canonical_json(payload))


def canonical_json(value: Any) -> str:
    """One spelling per value: sorted keys, no spaces, UTF-8 kept; the input to every hash."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def changed_fields(before: Any, after: Any, prefix: str = "") -> list[str]:
    """Dotted paths of the leaves that differ between two JSON-like values (list items by index)."""
    out: list[str] = []
    _diff(before, after, prefix, out)
    return out[:MAX_FIELDS]


def _diff(a: Any, b: Any, path: str, out: list[str]) -> None:
    if len(out) >= MAX_FIELDS:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            _diff(a.get(key), b.get(key), f"{path}.{key}" if path else str(key), out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(path)
            return
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _diff(x, y, f"{path}.{i}", out)
    elif a != b:
        out.append(path or "(record)")


class ChainBreak(BaseModel):
    """Where the audit chain does not hold, and why."""

    entry_id: int | None
    reason: str


def verify_chain(entries: list[AuditEntry]) -> list[ChainBreak]:
    """Every place where an entry's hash or its link to the previous entry does not hold, in order."""
    breaks: list[ChainBreak] = []
    prev = GENESIS_HASH
    for entry in entries:
        if entry.prev_hash != prev:
            breaks.append(
                ChainBreak(
                    entry_id=entry.id, reason="does not follow the entry before it (an entry was removed or inserted)"
                )
            )
        if entry.compute_hash() != entry.entry_hash:
            breaks.append(ChainBreak(entry_id=entry.id, reason="was changed after it was written"))
        prev = entry.entry_hash
    return breaks
