"""Audit anchors: the workstation remembers the audit entry each of its signatures was recorded in.

A signature covers the audit trail before it; the newest signature's own entries are covered by
nothing in the database. So each workstation keeps, outside the database (in its user data folder),
the hash of the newest signing entry it wrote per database; `verify` on that workstation then finds
the newest signature removed and the chain re-hashed, which the database alone cannot show.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import platformdirs
from sqlalchemy.engine import make_url

from facetdesk.interop.files import write_atomically


def default_anchor_file() -> Path:
    return Path(platformdirs.user_data_dir("FacetDesk", appauthor=False)) / "audit-anchors.json"


def database_key(url: str) -> str:
    """The database's name here, without its password: a hash of the address (the file keeps no addresses)."""
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - any address still gets a key
        shown = url
    return hashlib.sha256(shown.encode("utf-8")).hexdigest()


class AnchorStore:
    def __init__(self, path: Path, database_url: str):
        self._path = path
        self._key = database_key(database_url)

    def _read(self) -> dict:
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def remember(self, entry_id: int, entry_hash: str) -> None:
        """Keep the newest signing entry of this database; never fails the signing it follows."""
        data = self._read()
        data[self._key] = {"id": entry_id, "entry_hash": entry_hash}
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(json.dumps(data, sort_keys=True).encode("utf-8"), self._path)
            os.chmod(self._path, 0o600)
        except OSError:
            pass  # the signature stands; verify then simply has no anchor from this workstation

    def anchor(self) -> tuple[int, str] | None:
        found = self._read().get(self._key)
        if not isinstance(found, dict) or not isinstance(found.get("entry_hash"), str):
            return None
        return int(found.get("id") or 0), found["entry_hash"]
