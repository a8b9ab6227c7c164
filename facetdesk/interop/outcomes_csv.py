"""Outcomes CSV files: UTF-8, a header row, one procedure per row, written atomically.

Cells: nothing recorded is an empty cell; yes/no for flags; dates YYYY-MM-DD and times
YYYY-MM-DDTHH:MM (local wall-clock time); numbers without trailing zeros; a list is its items
joined by ";" (parallel lists such as levels and sides line up item by item). A text cell that a
spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) gets a
leading apostrophe; numbers are written as numbers, so a negative relief stays a number.

The file is written beside its target under a temporary name and renamed into place only when
complete, so a failure (full disk, a bad record) never leaves a half-written export.
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from facetdesk.interop.files import atomic_file, usable_target

LIST_SEPARATOR = ";"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _number(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_cell(value: Any) -> str:
    """One value as the text of its cell (see the module docstring)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _plain(value)
    if isinstance(value, (tuple, list)):
        text = LIST_SEPARATOR.join(_plain(v) for v in value)
    else:
        text = _plain(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


class _Hashing:
    """A text sink that hashes the UTF-8 it passes on: the audit records what left the clinic."""

    def __init__(self, fh):
        self._fh = fh
        self.sha256 = hashlib.sha256()

    def write(self, text: str) -> int:
        data = text.encode("utf-8")
        self.sha256.update(data)
        self._fh.write(data)
        return len(text)


def write_outcomes_csv(
    path: str | os.PathLike[str],
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    before_rename: Callable[[int, str], None] | None = None,
) -> tuple[Path, int, str]:
    """Write the header and ``rows`` (each holding every column) to ``path``; (path, rows written, SHA-256).

    ``before_rename(rows, sha256)`` runs once the complete file is on disk, before it takes the
    target's name: if it raises, nothing is left behind (the export's audit entry goes there).
    Raises OSError when the file cannot be written; the target is then as it was, and no temporary
    file is left behind. Any other error from ``rows`` also leaves nothing behind and is re-raised.
    """
    target = usable_target(path)
    count = 0
    # Private: one file holds a whole range of patients.
    with atomic_file(target) as fh:
        sink = _Hashing(fh)
        writer = csv.writer(sink, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([csv_cell(row[c]) for c in columns])
            count += 1
        if before_rename is not None:
            before_rename(count, sink.sha256.hexdigest())
    return target, count, sink.sha256.hexdigest()
