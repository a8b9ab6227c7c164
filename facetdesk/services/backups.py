"""Backups of the embedded database: on demand, daily with retention, listed and pruned."""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta
from pathlib import Path

import platformdirs

from facetdesk.domain.text import shown
from facetdesk.storage.backup import (
    COMPRESSED_SUFFIX,
    BackupError,
    backup_sqlite,
    is_sqlite_url,
    restore_sqlite,
    sqlite_path_for,
)

# How many automatic backups to keep (newest first). A software retention setting, not a clinical
# number: two weeks of daily copies, enough to step back past a mistake noticed a few days late.
DEFAULT_KEEP_BACKUPS = 14
# And at most this much disk for them all (the newest is always kept): software settings, not clinical numbers.
# A clinic-scale database (1,000,000 patients) compresses to about a gigabyte; 14 of them would not fit many disks.
DEFAULT_MAX_BACKUP_BYTES = 10 * 2**30
# The first daily backup waits this long after start: copying and compressing a large database must not compete
# with the physician's first minute at the workstation.
DAILY_BACKUP_DELAY_S = 120

_NAME = re.compile(r"^facetdesk-(\d{8}-\d{6})(?:-\d+)?\.sqlite3(?:\.gz)?$")
_STAMP = "%Y%m%d-%H%M%S"
_DAY = timedelta(days=1)


def default_backup_dir() -> Path:
    return Path(platformdirs.user_data_dir("FacetDesk", appauthor=False)) / "backups"


class BackupService:
    """Backups of the SQLite database at ``url`` into ``backup_dir`` (a folder only its user can read)."""

    def __init__(
        self,
        url: str,
        backup_dir: Path | None = None,
        keep: int = DEFAULT_KEEP_BACKUPS,
        max_bytes: int = DEFAULT_MAX_BACKUP_BYTES,
    ):
        self.url = url
        self.backup_dir = Path(backup_dir) if backup_dir is not None else default_backup_dir()
        self.keep = keep
        self.max_bytes = max_bytes

    @property
    def database_path(self) -> Path:
        return sqlite_path_for(self.url)

    def backup_now(self, now: datetime | None = None) -> Path:
        """Write a new compressed backup named facetdesk-YYYYmmdd-HHMMSS.sqlite3.gz and return its path."""
        source = self.database_path
        self._ensure_dir()
        when = now or datetime.now()
        # %Y is not zero-padded below year 1000 on every platform; the name must sort and parse the same.
        stamp = f"{when.year:04d}{when:%m%d-%H%M%S}"
        dest = self.backup_dir / f"facetdesk-{stamp}.sqlite3{COMPRESSED_SUFFIX}"
        n = 1
        while dest.exists():  # two backups within one second keep both
            n += 1
            dest = self.backup_dir / f"facetdesk-{stamp}-{n}.sqlite3{COMPRESSED_SUFFIX}"
        return backup_sqlite(source, dest)

    def backup_to(self, dest: Path) -> Path:
        """Write a backup to a file the user chose (compressed when its name ends in .gz); an existing file is
        never overwritten."""
        try:
            exists = Path(dest).exists()
        except (OSError, ValueError) as exc:
            raise BackupError(f"{_printable(dest)} cannot be used as a backup file ({exc}).") from None
        if exists:
            raise BackupError(f"{dest} already exists; choose a new file name.")
        return backup_sqlite(self.database_path, dest)

    def restore(self, backup: Path) -> Path | None:
        """Replace the database with ``backup``; returns where the previous database was kept (if any)."""
        return restore_sqlite(backup, self.database_path)

    def list_backups(self) -> list[Path]:
        """The backups in the folder, newest first."""
        if not self.backup_dir.is_dir():
            return []
        found = [(taken, p) for p in self.backup_dir.iterdir() if p.is_file() and (taken := _taken_at(p)) is not None]
        return [p for _, p in sorted(found, key=lambda item: (item[0], _suffix_number(item[1])), reverse=True)]

    def prune(self, keep_daily: int | None = None) -> list[Path]:
        """Delete all but the newest ``keep_daily`` backups (default: the retention setting), and the older ones
        beyond ``max_bytes`` in all (the newest is always kept); returns the deleted."""
        keep = self.keep if keep_daily is None else keep_daily
        if not isinstance(keep, int) or isinstance(keep, bool) or keep < 1:
            raise BackupError(f"The number of backups to keep must be a whole number of at least 1, not {shown(keep)}.")
        backups = self.list_backups()
        kept, total = 0, 0
        for path in backups[:keep]:
            total += path.stat().st_size
            if kept and total > self.max_bytes:
                break
            kept += 1
        removed = backups[kept:]
        for path in removed:
            path.unlink(missing_ok=True)
        return removed

    def daily_if_due(self, now: datetime | None = None) -> Path | None:
        """Back up if the newest backup is a day old or more (or there is none), then prune; else None."""
        now = now or datetime.now()
        backups = self.list_backups()
        newest = _taken_at(backups[0]) if backups else None
        if newest is not None and now - newest < _DAY:
            return None
        made = self.backup_now(now)
        self.prune()
        return made

    def _ensure_dir(self) -> None:
        if self.backup_dir.is_dir():
            return
        try:
            self.backup_dir.parent.mkdir(parents=True, exist_ok=True)
            self.backup_dir.mkdir(exist_ok=True)
            if os.name == "posix":
                os.chmod(self.backup_dir, 0o700)  # backups hold patient records
        except OSError as exc:
            raise BackupError(f"The backup folder {self.backup_dir} cannot be created: {exc.strerror or exc}.") from exc


def _taken_at(path: Path) -> datetime | None:
    """When a backup was taken, from its name; None for any other file."""
    match = _NAME.match(path.name)
    if match is None:
        return None
    try:
        return datetime.strptime(match.group(1), _STAMP)
    except ValueError:
        return None


def _suffix_number(path: Path) -> int:
    stem = path.name.removesuffix(COMPRESSED_SUFFIX).removesuffix(".sqlite3")
    tail = stem.rsplit("-", 1)[-1]
    return int(tail) if len(tail) < 6 else 1


def startup_backup(url: str, backup_dir: Path | None = None, now: datetime | None = None) -> str:
    """The daily backup of the embedded database, run when the app starts; returns a line for the status bar.

    A shared PostgreSQL database is backed up on its server, so nothing is done for it here.
    """
    if not is_sqlite_url(url):
        return ""
    try:
        made = BackupService(url, backup_dir).daily_if_due(now)
    except BackupError as exc:
        return f"Daily backup failed: {exc}"
    return f"Daily backup written: {made.name}" if made else ""


def _printable(path: object) -> str:
    return str(path).encode("utf-8", "replace").decode("utf-8")[:200]
