"""Opening the database: URL resolution, engine and SQLite pragmas, migrations, transactions."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import platformdirs
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from facetdesk.storage.errors import DatabaseError
from facetdesk.storage.migrate import check_is_facetdesk, upgrade_to_head

ENV_VAR = "FACETDESK_DB"
DB_FILENAME = "facetdesk.sqlite3"
BUSY_TIMEOUT_MS = 5000

# Marks sessions that will write, so SQLite takes the write lock at BEGIN (see _begin).
_BEGIN_OPTION = "facetdesk_sqlite_begin"


def default_database_url() -> str:
    return _sqlite_url(Path(platformdirs.user_data_dir("FacetDesk", appauthor=False)) / DB_FILENAME)


def resolve_database_url(explicit: str | None = None) -> str:
    """Explicit argument, else $FACETDESK_DB, else the per-user default; bare paths become SQLite URLs."""
    chosen = explicit or os.environ.get(ENV_VAR) or default_database_url()
    return chosen if "://" in chosen else _sqlite_url(Path(chosen))


def _sqlite_url(path: Path) -> str:
    return "sqlite:///" + path.expanduser().absolute().as_posix()


class Database:
    """An open database. One ``transaction()`` per use case; ``read()`` for screens that only look."""

    def __init__(self, url: str, engine: Engine):
        self.url = url
        self.engine = engine
        self._writer = engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back entirely on any exception."""
        with Session(self._writer, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session on one consistent snapshot; it refuses to flush, and is rolled back at the end."""
        with Session(self.engine) as session:
            event.listen(session, "before_flush", _refuse_flush)
            try:
                yield session
            finally:
                session.rollback()

    def url_for_display(self) -> str:
        """The URL with any password masked, for the status bar and messages."""
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _refuse_flush(session: Session, flush_context: object, instances: object) -> None:
    raise RuntimeError("Database.read() sessions are read-only; use Database.transaction() to write")


def open_database(url: str) -> Database:
    """Open (creating if needed) and migrate the database at ``url``; raise DatabaseError if it cannot be used.

    An existing file is never overwritten, truncated or deleted, whatever it holds.
    """
    try:
        parsed = make_url(url)
    except sa_exc.ArgumentError:
        raise DatabaseError(f"{url!r} is not a database address FacetDesk understands.") from None
    where = _describe(parsed)
    created = _prepare_sqlite_file(parsed.database, where) if parsed.get_backend_name() == "sqlite" else None
    engine = sa.create_engine(parsed)
    enable_wal = _install_sqlite_hooks(engine) if engine.dialect.name == "sqlite" else None
    try:
        # Look before touching: switching to WAL rewrites the file header, so another
        # program's SQLite file must be recognised and refused first.
        with engine.connect() as conn:
            check_is_facetdesk(conn, where)
        if enable_wal is not None:
            enable_wal()
        with engine.connect().execution_options(**{_BEGIN_OPTION: "IMMEDIATE"}) as conn, conn.begin():
            upgrade_to_head(conn)
    except DatabaseError:
        engine.dispose()
        raise
    except sa_exc.DBAPIError as exc:
        engine.dispose()
        raise DatabaseError(_open_failure(where, exc)) from exc
    if created is not None:
        # SQLite already copies the database file's mode to these; this also covers an odd umask/VFS.
        for sidecar in ("-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                _owner_only(created.with_name(created.name + sidecar), 0o600)
    return Database(url, engine)


def _describe(url: sa.URL) -> str:
    if url.get_backend_name() == "sqlite":
        return f"The file {url.database}" if url.database else "The in-memory database"
    # Never show the password; host and database name are enough to recognise it.
    return f"The database {url.database or ''} on {url.host or 'localhost'}"


def _prepare_sqlite_file(database: str | None, where: str) -> Path | None:
    """Check the file's folder, creating it and the file owner-only; returns the path if it was created here."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = Path(database)
    if path.is_dir():
        raise DatabaseError(f"{where} is a folder, not a database file.")
    try:
        _make_private_dirs(path.parent)
        if not path.exists():
            # Created here rather than by SQLite so it is never readable by others, even briefly;
            # SQLite gives the -wal and -shm files the mode of the database file.
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            _owner_only(path, 0o600)
            return path
    except FileExistsError:
        pass  # created meanwhile by another process: theirs to set up
    except OSError as exc:
        raise DatabaseError(f"{where} cannot be created: {exc.strerror or exc}.") from exc
    return None


def _make_private_dirs(folder: Path) -> None:
    """Create ``folder`` (and missing parents); if FacetDesk creates it, it is for its user only (0700).

    Parents such as ~/.local/share are shared with other programs and keep the usual mode.
    """
    if folder.exists():
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        folder.mkdir()
    except FileExistsError:
        return  # made meanwhile by someone else: not ours to change
    _owner_only(folder, 0o700)


def _owner_only(path: Path, mode: int) -> None:
    # Patient records: owner-only on POSIX (the umask may be looser); Windows ACLs are left to the profile.
    if os.name == "posix":
        os.chmod(path, mode)


def _open_failure(where: str, exc: sa_exc.DBAPIError) -> str:
    reason = str(exc.orig).strip() if exc.orig is not None else str(exc)
    if "not a database" in reason or "malformed" in reason:
        return f"{where} is not a FacetDesk database, or it is damaged ({reason}). It was left unchanged."
    if "locked" in reason or "busy" in reason:
        return f"{where} is in use by another program and could not be opened ({reason}). Try again."
    return f"{where} could not be opened ({reason})."


def _install_sqlite_hooks(engine: Engine) -> Callable[[], None]:
    """Set pragmas on every new connection; returns the switch that turns on WAL for later ones."""
    wal = {"on": False}

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record):  # type: ignore[no-untyped-def]
        # Take transaction control from the sqlite3 module (its legacy mode skips BEGIN
        # before SELECT and DDL, breaking snapshots, savepoints and atomic migrations).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            # busy_timeout first, so the WAL switch itself waits for a busy file.
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            if wal["on"]:
                cursor.execute("PRAGMA journal_mode=WAL")
            # FULL: a committed procedure survives power loss, not only a crash of the app.
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        # A writer takes the lock at BEGIN (IMMEDIATE) so busy_timeout applies; a deferred
        # read-then-write transaction would instead fail at once when another writer got there first.
        mode = conn.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    def enable_wal() -> None:
        wal["on"] = True
        engine.dispose()  # connections opened before the switch are not reused

    return enable_wal
