"""Moving a workstation's SQLite database into an unused PostgreSQL database: every table, keys kept, all or nothing.

The source is read through a read-only connection in one read transaction (one consistent snapshot);
a source from an older FacetDesk is migrated in a private temporary copy, never in place. The target
is written in its caller's single transaction: its tables are locked against other workstations,
checked to be unused, filled in foreign-key order in batches, its sequences moved past the copied
ids, and its row counts compared with the source's before the caller commits.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool

from facetdesk.domain.text import shown, storable_text
from facetdesk.storage.db import BUSY_TIMEOUT_MS, Database, open_database
from facetdesk.storage.errors import DatabaseError, StorageError
from facetdesk.storage.migrate import VERSION_TABLE, alembic_config, check_is_facetdesk, is_at_head
from facetdesk.storage.tables import Base, PresetMedicationRow, PresetRow

# Rows read from the source and inserted into the target at a time: a clinic's 500,000 procedures never
# sit in memory at once. Tables holding files (signed-note PDFs, the logo) go in smaller batches.
BATCH_ROWS = 1000
_FILE_BATCH_DIVISOR = 20
# How long to wait for a workstation that is writing to the server database before giving up.
_LOCK_TIMEOUT = "10s"
# Tables every FacetDesk schema has had; with alembic_version they tell our file from someone else's.
_FACETDESK_TABLES = frozenset({VERSION_TABLE, "patients", "procedures"})
_MAX_URL = 4096
_TARGET_SHAPE = "postgresql://USER@HOST/DATABASE"

Progress = Callable[[str, int], None]


class TransferError(StorageError):
    """The move cannot be made, or failed; ``str(error)`` says why and that nothing was changed."""


@dataclass(frozen=True)
class Source:
    """The workstation's file and the read-only database over it (over a migrated copy when it was older)."""

    path: Path
    database: Database
    # Written by an older FacetDesk: what is read is a copy upgraded in a private temporary folder.
    upgraded: bool


@dataclass(frozen=True)
class Copied:
    """Rows copied per table, in the order copied (parents before children)."""

    rows: dict[str, int]


# ---- the source: a workstation's SQLite file, opened read-only ----------------------------------------------------


@contextmanager
def open_source(url: object) -> Iterator[Source]:
    """The FacetDesk SQLite database at ``url`` (a sqlite:/// URL), read-only and at this version's schema.

    Refuses a server database, a missing file, another program's file, a damaged one and one from a
    newer FacetDesk. An older one is copied into a private temporary folder and migrated there; the
    file itself is never written.
    """
    path = _source_path(url)
    where = f"The file {path}"
    engine = _read_only_engine(path)
    try:
        if _check_source(engine, where):
            yield Source(path, _checked(Database(f"sqlite:///{path.as_posix()}", engine)), upgraded=False)
            return
    finally:
        engine.dispose()
    with _migrated_copy(path, where) as database:
        yield Source(path, _checked(database), upgraded=True)


def _checked(database: Database) -> Database:
    with database.engine.connect() as conn:
        _check_source_schema(conn, _tables())
    return database


def _tables() -> list[sa.Table]:
    """The tables a move copies, parents before children."""
    return [t for t in Base.metadata.sorted_tables if t.name != VERSION_TABLE]


def _source_path(url: object) -> Path:
    if not isinstance(url, str) or not url.strip() or len(url) > _MAX_URL or not storable_text(url):
        raise TransferError(f"{shown(url)} is not a database file or address FacetDesk understands; nothing was moved.")
    try:
        parsed = make_url(url)
    except (sa_exc.ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise TransferError(
            f"{shown(url)} is not a database address FacetDesk understands; nothing was moved."
        ) from None
    if parsed.get_backend_name() != "sqlite":
        raise TransferError(
            "The records to move must be a workstation's own FacetDesk file (SQLite), and "
            f"{parsed.render_as_string(hide_password=True)[:200]} is not one; give the file with --from. "
            "Nothing was moved."
        )
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise TransferError("The records to move must be in a database file on disk; nothing was moved.")
    path = Path(database).expanduser().absolute()
    try:
        is_file = path.is_file()
    except (OSError, ValueError) as exc:
        raise TransferError(f"{shown(str(path), 200)} cannot be used ({exc}); nothing was moved.") from None
    if not is_file:
        raise TransferError(f"There is no database file at {shown(str(path), 200)}; nothing was moved.")
    return path


def _read_only_engine(path: Path) -> Engine:
    uri = path.as_uri() + "?mode=ro"
    engine = sa.create_engine(
        "sqlite://", creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False), poolclass=NullPool
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record):  # type: ignore[no-untyped-def]
        # As in storage.db: FacetDesk, not the sqlite3 module, says where a transaction begins, so
        # every table is read from one snapshot; query_only as well as mode=ro, to be sure.
        dbapi_connection.isolation_level = None
        dbapi_connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        dbapi_connection.execute("PRAGMA query_only=ON")

    @event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def _check_source(engine: Engine, where: str) -> bool:
    """Refuse, reading only, what is not an intact FacetDesk database; True when it is at this version's head."""
    try:
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            if not _FACETDESK_TABLES <= tables:
                raise TransferError(f"{where} is not a FacetDesk database. Nothing was moved.")
            check_is_facetdesk(conn, where)  # from a newer FacetDesk: refused
            result = [tuple(r) for r in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()]
            if result != [("ok",)]:
                raise TransferError(
                    f"{where} is damaged (integrity check: {str(result[0][0])[:200]}). Nothing was moved."
                )
            return is_at_head(conn)
    except DatabaseError as exc:
        raise TransferError(str(exc)) from None
    except sa_exc.DBAPIError as exc:
        reason = str(exc.orig).strip() if exc.orig is not None else str(exc)
        raise TransferError(
            f"{where} is not a FacetDesk database, or it is damaged or cannot be read ({reason[:200]}). "
            "Nothing was moved."
        ) from None


@contextmanager
def _migrated_copy(path: Path, where: str) -> Iterator[Database]:
    """An older FacetDesk file, copied into a private temporary folder and migrated there (the file stays as it is)."""
    # TemporaryDirectory makes the folder for this user only (0700); the copy holds patient records.
    with tempfile.TemporaryDirectory(prefix="facetdesk-move-") as folder:
        copy = Path(folder) / "facetdesk.sqlite3"
        try:
            source = sqlite3.connect(path.as_uri() + "?mode=ro", uri=True)
            try:
                fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                os.close(fd)
                target = sqlite3.connect(copy)
                try:
                    source.backup(target)
                finally:
                    target.close()
            finally:
                source.close()
        except (sqlite3.Error, OSError) as exc:
            raise TransferError(f"{where} could not be copied for upgrading ({exc}). Nothing was moved.") from exc
        try:
            database = open_database(f"sqlite:///{copy.as_posix()}")  # migrates the copy to this version
        except DatabaseError as exc:
            raise TransferError(f"{where} could not be upgraded to this FacetDesk ({exc}). Nothing was moved.") from exc
        try:
            yield database
        finally:
            database.close()


# ---- the target: a PostgreSQL database nobody has used yet ---------------------------------------------------------


def open_target(url: object) -> Database:
    """Open (and create the tables of, or upgrade) the PostgreSQL database at ``url``; the password is never shown."""
    if not isinstance(url, str) or not url.strip() or len(url) > _MAX_URL or not storable_text(url):
        raise TransferError(
            f"The server address is not one FacetDesk understands; it looks like {_TARGET_SHAPE}. Nothing was moved."
        )
    try:
        parsed = make_url(url)
    except (sa_exc.ArgumentError, ValueError):  # ValueError: a port that is not a number
        # Not repeated: the text may hold the password.
        raise TransferError(
            f"The server address is not one FacetDesk understands; it looks like {_TARGET_SHAPE}. Nothing was moved."
        ) from None
    if parsed.get_backend_name() != "postgresql":
        raise TransferError(
            "The records can be moved only into a PostgreSQL database on the clinic's server "
            f"({_TARGET_SHAPE}); to copy the SQLite file itself, use facetdesk backup. Nothing was moved."
        )
    return open_database(url)


def copy_all(source: sa.Connection, target: sa.Connection, progress: Progress | None = None) -> Copied:
    """Copy every FacetDesk table from ``source`` into the unused ``target``, inside both callers' transactions.

    The caller commits ``target`` (or rolls it back on any exception raised here).
    """
    tables = _tables()
    _check_source_schema(source, tables)  # again, in the transaction that reads
    _lock(target, tables)
    _check_unused(target, tables)
    expected = {t.name: source.scalar(sa.select(sa.func.count()).select_from(t)) or 0 for t in tables}
    copied: dict[str, int] = {}
    for table in tables:
        copied[table.name] = _copy_table(source, target, table)
        if progress is not None:
            progress(table.name, copied[table.name])
    _reset_sequences(target, tables)
    stored = {t.name: target.scalar(sa.select(sa.func.count()).select_from(t)) or 0 for t in tables}
    differing = [name for name in expected if not expected[name] == copied[name] == stored[name]]
    if differing:
        raise TransferError(
            "The copy does not hold what the workstation's database holds (rows differ in "
            f"{', '.join(differing)}). It was undone; nothing was changed on the server."
        )
    return Copied(copied)


def _check_source_schema(source: sa.Connection, tables: list[sa.Table]) -> None:
    """Every table and column the file holds must be one FacetDesk copies, or something would be left behind."""
    inspector = sa.inspect(source)
    known = {t.name for t in tables} | {VERSION_TABLE}
    extra_tables = sorted(n for n in inspector.get_table_names() if n not in known and not n.startswith("sqlite_"))
    mismatched = [
        t.name
        for t in tables
        if not inspector.has_table(t.name)
        or {c["name"] for c in inspector.get_columns(t.name)} != set(t.columns.keys())
    ]
    if extra_tables or mismatched:
        raise TransferError(
            "The workstation's database has tables or columns this FacetDesk does not know "
            f"({', '.join(extra_tables + mismatched)[:300]}), which a move would leave behind. Nothing was moved."
        )


def _lock(target: sa.Connection, tables: list[sa.Table]) -> None:
    # EXCLUSIVE: other workstations may still read, but none can write until the move commits or rolls back,
    # so the database found unused below stays unused.
    quote = target.dialect.identifier_preparer.quote
    target.exec_driver_sql(f"SET LOCAL lock_timeout = '{_LOCK_TIMEOUT}'")
    try:
        target.exec_driver_sql(f"LOCK TABLE {', '.join(quote(t.name) for t in tables)} IN EXCLUSIVE MODE")
    except sa_exc.OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) != "55P03":  # lock_not_available
            raise
        raise TransferError(
            "The server database is being written to by FacetDesk on another workstation. Close FacetDesk on the "
            "other workstations and try again; nothing was changed on the server."
        ) from None


def _check_unused(target: sa.Connection, tables: list[sa.Table]) -> None:
    """Refuse a target holding anything but the example presets its migrations put there."""
    seeded = {PresetRow.__tablename__, PresetMedicationRow.__tablename__}
    used = [
        t.name
        for t in tables
        if t.name not in seeded and target.scalar(sa.select(sa.literal(1)).select_from(t).limit(1))
    ]
    if not used and not _only_seeded_presets(target):
        used = ["presets"]
    if used:
        raise TransferError(
            "The server database already holds FacetDesk records (in "
            f"{', '.join(used)}). Moving copies into an unused database only and never merges into or replaces a "
            "clinic's data; nothing was changed. Create a new, empty database for the move (README: Several "
            "workstations), or, if the server already holds the moved records, point the workstations at it."
        )
    # The examples seeded by migration 0004 make way for the workstation's own presets (seeded or edited there).
    target.execute(sa.delete(PresetMedicationRow))
    target.execute(sa.delete(PresetRow))


def _only_seeded_presets(target: sa.Connection) -> bool:
    """Whether the presets are exactly the examples migration 0004 seeded (none changed, none added)."""
    from alembic.script import ScriptDirectory

    seed = ScriptDirectory.from_config(alembic_config()).get_revision("0004").module.SEED
    expected = {
        (name, key, technique, intent, guidance, sedation, region, tuple(meds))
        for name, key, technique, intent, guidance, sedation, region, meds in seed
    }
    presets, meds = PresetRow.__table__, PresetMedicationRow.__table__
    medications: dict[int, list[tuple]] = {}
    for row in target.execute(sa.select(meds).order_by(meds.c.preset_id, meds.c.position)):
        medications.setdefault(row.preset_id, []).append(
            (row.agent, row.concentration_mg_per_ml, row.volume_ml, row.volume_basis, row.site)
        )
    found = [
        (p.name, p.name_key, p.technique, p.intent, p.guidance, p.sedation, p.region, tuple(medications.pop(p.id, [])))
        for p in target.execute(sa.select(presets))
    ]
    return not medications and len(found) == len(set(found)) and set(found) <= expected


def _copy_table(source: sa.Connection, target: sa.Connection, table: sa.Table) -> int:
    holds_files = any(isinstance(c.type, sa.LargeBinary) for c in table.columns)
    batch = max(1, BATCH_ROWS // _FILE_BATCH_DIVISOR) if holds_files else BATCH_ROWS
    query = sa.select(table).order_by(*table.primary_key.columns)
    count = 0
    for rows in source.execute(query, execution_options={"yield_per": batch}).partitions(batch):
        try:
            target.execute(table.insert(), [dict(r._mapping) for r in rows])
        except sa_exc.DBAPIError as exc:
            if exc.connection_invalidated:
                raise  # the server went away: storage.db says so
            raise TransferError(
                f"The server refused the rows of {table.name} ({_primary_message(exc)}). The move was undone; "
                "nothing was changed on the server."
            ) from None
        count += len(rows)
    return count


def _primary_message(exc: sa_exc.DBAPIError) -> str:
    # The server's DETAIL line may quote a value (an MRN, a name): only the primary message is shown.
    diag = getattr(exc.orig, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    return str(primary or type(exc.orig or exc).__name__)[:300]


def _reset_sequences(target: sa.Connection, tables: list[sa.Table]) -> None:
    """Start every id sequence after the highest copied id, so the next saved record takes a new one."""
    quote = target.dialect.identifier_preparer.quote
    for table in tables:
        for column in table.primary_key.columns:
            if not isinstance(column.type, sa.Integer):
                continue
            sequence = target.scalar(sa.select(sa.func.pg_get_serial_sequence(quote(table.name), column.name)))
            if sequence is None:
                continue  # a key FacetDesk numbers itself (a position, the single settings row)
            target.execute(
                sa.text(
                    f"SELECT setval(CAST(:sequence AS regclass), "
                    f"(SELECT COALESCE(MAX({quote(column.name)}), 0) + 1 FROM {quote(table.name)}), false)"
                ),
                {"sequence": sequence},
            )
