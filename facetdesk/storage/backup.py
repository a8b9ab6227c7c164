"""SQLite backups and restores: online copies that stay consistent while the app writes, checked before use."""

from __future__ import annotations

import contextlib
import gzip
import os
import shutil
import sqlite3
import zlib
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url

from facetdesk.storage.errors import DatabaseError, StorageError
from facetdesk.storage.migrate import VERSION_TABLE, check_is_facetdesk

# Tables every FacetDesk schema has had; with alembic_version they tell our file from someone else's.
_FACETDESK_TABLES = frozenset({VERSION_TABLE, "patients", "procedures"})
_LOCK_TIMEOUT_S = 2.0
_POSIX = os.name == "posix"
# A compressed backup's name ends so; gzip's fastest level: a clinic database shrinks several-fold in seconds.
COMPRESSED_SUFFIX = ".gz"
_GZIP_LEVEL = 1
_CHUNK = 1024 * 1024


def is_compressed(path: str | os.PathLike[str]) -> bool:
    return str(path).endswith(COMPRESSED_SUFFIX)


class BackupError(StorageError):
    """A backup or restore could not be made; ``str(error)`` says why and what was left unchanged."""


def is_sqlite_url(url: str) -> bool:
    try:
        return make_url(url).get_backend_name() == "sqlite"
    except sa_exc.ArgumentError:
        return False


def sqlite_path_for(url: str) -> Path:
    """The file behind a SQLite URL; other databases are backed up with their own tools."""
    try:
        parsed = make_url(url)
    except sa_exc.ArgumentError:
        raise BackupError(f"{url!r} is not a database address FacetDesk understands.") from None
    if parsed.get_backend_name() != "sqlite":
        raise BackupError(
            "FacetDesk backs up only its embedded SQLite database. For PostgreSQL use pg_dump "
            "(and pg_restore), run by whoever administers that server."
        )
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError("This database is not a file on disk, so it cannot be backed up.")
    return Path(database)


def backup_sqlite(db_path: str | os.PathLike[str], dest_path: str | os.PathLike[str]) -> Path:
    """Copy the database at ``db_path`` to ``dest_path`` (replaced if present), readable only by its owner;
    gzip-compressed when ``dest_path`` ends in .gz.

    Uses SQLite's online backup, so the copy is one committed state even while the app writes; the copy is
    checked before it is compressed, and the file appears under its name only once it is whole.
    """
    source, dest = Path(db_path), Path(dest_path)
    try:
        os.fsencode(dest)
        if "\0" in str(dest):
            raise ValueError("a file name cannot hold a NUL character")
    except (UnicodeError, ValueError) as exc:
        raise BackupError(f"That backup file name cannot be used ({exc}).") from None
    if not source.is_file():
        raise BackupError(f"There is no database at {source} to back up.")
    _check_facetdesk(source, f"The file {source}")
    tmp = dest.with_name(f".{dest.name}.partial")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        src = sqlite3.connect(source, timeout=_LOCK_TIMEOUT_S)
        try:
            _copy_into(src, tmp)
        finally:
            src.close()
        if is_compressed(dest):
            packed = dest.with_name(f".{dest.name}.packing")
            try:
                _gzip_private(tmp, packed)
                os.replace(packed, dest)
            finally:
                with contextlib.suppress(OSError):
                    packed.unlink()
        else:
            os.replace(tmp, dest)
    except sqlite3.Error as exc:
        raise BackupError(f"The backup of {source} failed ({exc}); the database was left unchanged.") from exc
    except OSError as exc:
        raise BackupError(f"The backup could not be written to {dest}: {exc.strerror or exc}.") from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return dest


def restore_sqlite(backup_path: str | os.PathLike[str], db_path: str | os.PathLike[str]) -> Path | None:
    """Replace the database at ``db_path`` with a checked copy of ``backup_path``.

    The current database is kept, never deleted, as ``<db_path>.before-restore-<timestamp>``; that path is
    returned (None when there was no database). A foreign or damaged backup is refused before anything changes.
    """
    backup, target = Path(backup_path), Path(db_path)
    if not backup.is_file():
        raise BackupError(f"There is no backup file at {backup}.")
    if is_compressed(backup):
        unpacked = target.with_name(f".{target.name}.unpacked")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _gunzip_private(backup, unpacked)
            return _restore_from(unpacked, target, backup)
        finally:
            with contextlib.suppress(OSError):
                unpacked.unlink()
    return _restore_from(backup, target, backup)


def _restore_from(backup: Path, target: Path, given: Path) -> Path | None:
    """restore_sqlite of an uncompressed file; ``given`` is the backup as the user named it."""
    _check_facetdesk(backup, f"The file {given}")
    tmp = target.with_name(f".{target.name}.restoring")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        src = sqlite3.connect(_read_only_uri(backup), uri=True)
        try:
            _copy_into(src, tmp)
        finally:
            src.close()
        kept = _set_aside(target) if target.exists() else None
        os.replace(tmp, target)
    except sqlite3.Error as exc:
        raise BackupError(f"The restore from {given} failed ({exc}); the database was left unchanged.") from exc
    except OSError as exc:
        raise BackupError(f"The restore into {target} failed: {exc.strerror or exc}.") from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return kept


def _gzip_private(source: Path, dest: Path) -> None:
    """``source`` gzip-compressed into a new file ``dest`` readable only by its owner."""
    with contextlib.suppress(FileNotFoundError):
        dest.unlink()
    _create_private(dest)
    with open(source, "rb") as raw, gzip.open(dest, "wb", compresslevel=_GZIP_LEVEL) as packed:
        shutil.copyfileobj(raw, packed, _CHUNK)


def _gunzip_private(source: Path, dest: Path) -> None:
    """A compressed backup unpacked into a new private file; a damaged or foreign file is refused by name."""
    with contextlib.suppress(FileNotFoundError):
        dest.unlink()
    _create_private(dest)
    try:
        with gzip.open(source, "rb") as packed, open(dest, "wb") as raw:
            shutil.copyfileobj(packed, raw, _CHUNK)
    except (OSError, EOFError, zlib.error) as exc:
        raise BackupError(
            f"The file {source} is not a readable compressed backup ({exc}). Nothing was changed."
        ) from None


def _copy_into(src: sqlite3.Connection, tmp: Path) -> None:
    """Online-copy ``src`` into a new file ``tmp`` (0600), as a single self-contained file, and check it."""
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    _create_private(tmp)
    dst = sqlite3.connect(tmp, isolation_level=None)
    try:
        src.backup(dst)
        # The copy inherits WAL mode from the header; a backup should be one file with no sidecars.
        dst.execute("PRAGMA journal_mode=DELETE")
        result = dst.execute("PRAGMA integrity_check").fetchall()
        if result != [("ok",)]:
            raise BackupError(f"The copy failed its integrity check ({result[0][0]}); nothing was replaced.")
    finally:
        dst.close()
    if _POSIX:
        os.chmod(tmp, 0o600)


def _create_private(path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


def _read_only_uri(path: Path) -> str:
    return path.absolute().as_uri() + "?mode=ro"


def _check_facetdesk(path: Path, where: str) -> None:
    """Refuse, by reading only, a file that is not an intact FacetDesk database (or is from a newer FacetDesk)."""
    uri = _read_only_uri(path)
    engine = sa.create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True))
    try:
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            if not _FACETDESK_TABLES <= tables:
                raise BackupError(f"{where} is not a FacetDesk database. Nothing was changed.")
            check_is_facetdesk(conn, where)
            result = conn.exec_driver_sql("PRAGMA integrity_check").fetchall()
            if [tuple(row) for row in result] != [("ok",)]:
                raise BackupError(f"{where} is damaged ({_first_problem(result)}). Nothing was changed.")
    except DatabaseError as exc:
        raise BackupError(str(exc)) from None
    except sa_exc.DBAPIError as exc:
        reason = str(exc.orig).strip() if exc.orig is not None else str(exc)
        raise BackupError(
            f"{where} is not a FacetDesk database, or it is damaged ({reason}). Nothing was changed."
        ) from exc
    finally:
        engine.dispose()


def _first_problem(result: Sequence[Sequence[object]]) -> str:
    lines = [line for line in str(result[0][0]).splitlines() if not line.startswith("***")]
    return f"integrity check: {lines[0] if lines else result[0][0]}"


def _set_aside(target: Path) -> Path:
    """Move the current database (with its WAL) to a kept name, after making sure no one has it open."""
    _fold_wal_or_refuse(target)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    kept = target.with_name(f"{target.name}.before-restore-{stamp}")
    n = 1
    while kept.exists():
        n += 1
        kept = target.with_name(f"{target.name}.before-restore-{stamp}-{n}")
    os.replace(target, kept)
    # A leftover WAL belongs to the old file (if checkpointing failed): keep it beside that file, so the
    # kept database still opens with everything it held, and the restored one never replays it.
    wal = target.with_name(target.name + "-wal")
    if wal.exists():
        os.replace(wal, kept.with_name(kept.name + "-wal"))
    # The shared-memory index is rebuilt from the WAL by whoever opens next; a stale one is only harmful.
    with contextlib.suppress(FileNotFoundError):
        target.with_name(target.name + "-shm").unlink()
    return kept


def _fold_wal_or_refuse(target: Path) -> None:
    """Refuse while another program has the database open; otherwise checkpoint its WAL into the main file."""
    try:
        conn = sqlite3.connect(target, timeout=_LOCK_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error:
        return  # cannot even be opened: it is moved aside as it is
    try:
        # Exclusive locking fails while any other connection holds the file (in WAL mode, even an idle one).
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise BackupError(
                f"The database {target} is in use (is FacetDesk running?). Close FacetDesk and try again; "
                "nothing was changed."
            ) from exc
    except sqlite3.Error:
        pass  # a damaged current database is moved aside untouched
    finally:
        conn.close()
