"""Opening the database: URL resolution, engine options (SQLite pragmas, server pooling), migrations, transactions."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import platformdirs
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from facetdesk.storage.errors import DatabaseError, DatabaseUnavailable, RecordBusy, ServerTooSlow
from facetdesk.storage.migrate import check_is_facetdesk, is_at_head, upgrade_to_head
from facetdesk.storage.timeouts import KEEPALIVES, TCP_USER_TIMEOUT_MS, ServerTimeouts, Watchdog, split_timeouts

ENV_VAR = "FACETDESK_DB"
DB_FILENAME = "facetdesk.sqlite3"
BUSY_TIMEOUT_MS = 5000

# Marks sessions that will write, so SQLite takes the write lock at BEGIN (see _begin).
_BEGIN_OPTION = "facetdesk_sqlite_begin"
# A server that does not answer must not freeze the workstation; a URL may set its own.
PG_CONNECT_TIMEOUT_S = 10
# "postgresql://" alone means psycopg2 to SQLAlchemy; FacetDesk ships psycopg (3).
_PG_DRIVER = "postgresql+psycopg"
# SQLSTATEs that mean the connection is gone: class 08 (connection exception), and the server
# shutting down or not yet accepting connections (57P01-57P03).
_SERVER_GONE_STATES = ("08", "57P01", "57P02", "57P03")
# lock_not_available (lock_timeout) and query_canceled (statement_timeout): see storage.timeouts.
_LOCK_TIMEOUT_STATE, _STATEMENT_TIMEOUT_STATE = "55P03", "57014"
# Set on an error whose connection the watchdog cut: the server did not answer in time.
_CUT_AFTER = "facetdesk_cut_after_s"
# A pooled server connection is checked (one round trip) before a write, and before a read only when it sat
# unused this long: one used a moment ago is almost surely alive, and a check per keystroke would double
# what a search costs on a network (see _install_server_hooks).
IDLE_CHECK_S = 10.0
# Set while a transaction() takes its connection: a save always gets a checked one.
_WRITING: ContextVar[bool] = ContextVar("facetdesk_writing", default=False)
# Marks lookup() connections, whose statements must only read (see _install_server_hooks).
_LOOKUP_OPTION = "facetdesk_lookup"


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

    def __init__(self, url: str, engine: Engine, timeouts: ServerTimeouts | None = None):
        self.url = url
        self.engine = engine
        # The time limits in force on a server (None: SQLite, a local file).
        self.timeouts = timeouts
        # BEGIN IMMEDIATE is SQLite's; PostgreSQL writers lock the rows they change (SELECT ... FOR UPDATE).
        is_sqlite = engine.dialect.name == "sqlite"
        self._writer = engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"}) if is_sqlite else engine
        # One snapshot per read: SQLite's deferred BEGIN takes it at the first read and keeps it to the end;
        # PostgreSQL's default READ COMMITTED would give each statement its own, so a procedure's targets and
        # its addenda could come from two saves. Writers stay READ COMMITTED: they lock the rows they change
        # first (and the audit chain's head must be the newest committed one, not the snapshot's).
        self._reader = (
            engine
            if is_sqlite
            else engine.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        )
        # No transaction for lookups on a server: each statement is its own snapshot and one round trip, where
        # a transaction adds BEGIN and ROLLBACK. SQLite is in the process: its snapshot costs nothing.
        self._looker = (
            engine if is_sqlite else engine.execution_options(isolation_level="AUTOCOMMIT", **{_LOOKUP_OPTION: True})
        )

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back entirely on any exception.

        Raises DatabaseUnavailable when the database server cannot be reached or the connection
        drops; nothing of the transaction was committed then (unless it dropped during COMMIT itself).
        """
        writing = _WRITING.set(True)
        try:
            with self._server_errors(), Session(self._writer, expire_on_commit=False) as session, session.begin():
                yield session
        finally:
            _WRITING.reset(writing)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session on one consistent snapshot; it refuses to flush, and is rolled back at the end."""
        with self._server_errors(), Session(self._reader) as session:
            event.listen(session, "before_flush", _refuse_flush)
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def lookup(self) -> Iterator[Session]:
        """A read-only session for reads that each take one statement: a screen's data in one round trip.

        On PostgreSQL there is no transaction around them (each statement sees its own snapshot), so what must
        agree (a patient and its allergies) has to come from one statement (storage.folded); several
        statements that must agree belong in read(). Statements that write are refused, as in read().
        """
        with self._server_errors(), Session(self._looker) as session:
            event.listen(session, "before_flush", _refuse_flush)
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def _server_errors(self) -> Iterator[None]:
        # A lost server connection is something the user can act on (wait, call IT, try again),
        # not a bug: it becomes DatabaseUnavailable. The pool has already dropped the dead
        # connection, and the checkout check replaces stale ones (_install_server_hooks), so the next use case
        # reconnects by itself.
        try:
            yield
        except sa_exc.DBAPIError as exc:
            if self.engine.dialect.name == "sqlite":
                raise
            cut_after = getattr(exc, _CUT_AFTER, None)
            if cut_after is not None:
                raise DatabaseUnavailable(
                    _server_name(self.engine.url), f"it did not answer within {cut_after:g} s"
                ) from exc
            if exc.connection_invalidated:
                raise DatabaseUnavailable(_server_name(self.engine.url), _reason(exc, self.engine.url)) from exc
            state = getattr(exc.orig, "sqlstate", None) or ""
            limits = self.timeouts or ServerTimeouts()
            if state == _LOCK_TIMEOUT_STATE:
                raise RecordBusy(limits.lock_s) from exc
            if state == _STATEMENT_TIMEOUT_STATE:
                raise ServerTooSlow(limits.statement_s) from exc
            raise

    def snapshot_of(self, session: Session) -> str:
        """What a read() session sees, in words: one snapshot, and when it was taken (for reports)."""
        if self.engine.dialect.name == "sqlite":
            moment = session.scalar(sa.text("select strftime('%Y-%m-%d %H:%M:%S', 'now')"))
            return f"one snapshot of the SQLite file, taken {moment} UTC"
        moment = session.scalar(sa.text("select to_char(now() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS')"))
        level = session.scalar(sa.text("show transaction_isolation"))
        return f"one snapshot of the PostgreSQL database ({level}), taken {moment} UTC"

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


def _reads_only(statement: str) -> bool:
    head = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
    shouted = statement.upper()
    return head in ("SELECT", "WITH", "SHOW", "(SELECT") and "FOR UPDATE" not in shouted and "FOR SHARE" not in shouted


def open_database(url: str) -> Database:
    """Open (creating if needed) and migrate the database at ``url``; raise DatabaseError if it cannot be used.

    An existing file is never overwritten, truncated or deleted, whatever it holds.
    """
    try:
        parsed = make_url(url)
    except sa_exc.ArgumentError:
        raise DatabaseError(f"{url!r} is not a database address FacetDesk understands.") from None
    where = _describe(parsed)
    is_sqlite = parsed.get_backend_name() == "sqlite"
    created = _prepare_sqlite_file(parsed.database, where) if is_sqlite else None
    engine, timeouts = _create_engine(parsed, where)
    enable_wal = _install_sqlite_hooks(engine) if is_sqlite else None
    if not is_sqlite:
        _install_server_hooks(engine, timeouts)
    try:
        # Look before touching: switching to WAL rewrites the file header, so another
        # program's SQLite file must be recognised and refused first.
        with engine.connect() as conn:
            # The usual start: already at this version's head, so Alembic is never imported.
            current = is_at_head(conn)
            if not current:
                check_is_facetdesk(conn, where)
        if enable_wal is not None:
            enable_wal()
        if not current:
            migrator = engine.connect()
            if is_sqlite:
                migrator = migrator.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
            with migrator as conn, conn.begin():
                upgrade_to_head(conn)
    except DatabaseError:
        engine.dispose()
        raise
    except sa_exc.DBAPIError as exc:
        engine.dispose()
        raise DatabaseError(_open_failure(where, exc, parsed)) from exc
    if created is not None:
        # SQLite already copies the database file's mode to these; this also covers an odd umask/VFS.
        for sidecar in ("-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                _owner_only(created.with_name(created.name + sidecar), 0o600)
    return Database(url, engine, timeouts)


def _create_engine(url: sa.URL, where: str) -> tuple[Engine, ServerTimeouts | None]:
    if url.get_backend_name() == "sqlite":
        return sa.create_engine(url), None
    if url.drivername == "postgresql":
        url = url.set(drivername=_PG_DRIVER)
    connect_args: dict[str, object] = {}
    timeouts: ServerTimeouts | None = None
    if url.get_backend_name() == "postgresql":
        try:
            timeouts, query = split_timeouts(dict(url.query))
        except ValueError as exc:
            raise DatabaseError(f"{where} cannot be opened: {exc}.") from None
        url = url.set(query=query)
        if "connect_timeout" not in url.query:
            connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
        if "application_name" not in url.query:
            connect_args["application_name"] = "FacetDesk"  # so an administrator sees who is connected
        if url.drivername == _PG_DRIVER:
            # psycopg prepares a statement run five times: that costs one more round trip (and a DEALLOCATE when
            # its cache turns over), and a prepared search soon gets PostgreSQL's generic plan, which cannot
            # know how many patients a typed prefix matches (measured: 36 ms instead of 2 ms per keystroke).
            connect_args["prepare_threshold"] = None
        for key, value in {**KEEPALIVES, "tcp_user_timeout": TCP_USER_TIMEOUT_MS}.items():
            if key not in url.query:
                connect_args[key] = value
        given = url.query.get("options", "")
        connect_args["options"] = " ".join(filter(None, [given if isinstance(given, str) else " ".join(given),
                                                          timeouts.options()]))  # fmt: skip
        url = url.difference_update_query(["options"])
    try:
        # No pool_pre_ping (a round trip at every checkout): the server hooks check a connection before a save,
        # and before a read after it sat idle (IDLE_CHECK_S).
        return sa.create_engine(url, connect_args=connect_args), timeouts
    except (ImportError, sa_exc.NoSuchModuleError) as exc:
        raise DatabaseError(
            f"{where} cannot be opened: this FacetDesk has no driver for {url.drivername} ({exc})."
        ) from None


def _describe(url: sa.URL) -> str:
    if url.get_backend_name() == "sqlite":
        return f"The file {url.database}" if url.database else "The in-memory database"
    # Never show the password; host and database name are enough to recognise it.
    return f"The database {url.database or ''} on {_server_name(url)}"


def _server_name(url: sa.URL) -> str:
    host = url.host or "localhost"
    return f"{host}:{url.port}" if url.port else host


def _reason(exc: sa_exc.DBAPIError, url: sa.URL) -> str:
    """The driver's own words, on one line and without the password (libpq never prints it; be sure)."""
    text = str(exc.orig) if exc.orig is not None else str(exc)
    reason = " ".join(line.strip() for line in text.strip().splitlines() if line.strip()) or type(exc).__name__
    if url.password:
        reason = reason.replace(str(url.password), "***")
    return reason


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


def _open_failure(where: str, exc: sa_exc.DBAPIError, url: sa.URL) -> str:
    reason = _reason(exc, url)
    if url.get_backend_name() != "sqlite":
        return _server_open_failure(where, reason, url)
    if "not a database" in reason or "malformed" in reason:
        return f"{where} is not a FacetDesk database, or it is damaged ({reason}). It was left unchanged."
    if "locked" in reason or "busy" in reason:
        return f"{where} is in use by another program and could not be opened ({reason}). Try again."
    return f"{where} could not be opened ({reason})."


def _server_open_failure(where: str, reason: str, url: sa.URL) -> str:
    # libpq reports connection failures as text only (no SQLSTATE), so these match its English messages;
    # anything else still gets the server's own words.
    server = _server_name(url)
    lowered = reason.lower()
    if (
        "password authentication failed" in lowered
        or "no pg_hba.conf entry" in lowered
        or ("role" in lowered and "does not exist" in lowered)
    ):
        return (
            f"The database server on {server} did not accept the user name or password "
            f"for {url.username or 'the user'} ({reason}). Check the user and password in the database address "
            "(--db or FACETDESK_DB)."
        )
    if "database" in lowered and "does not exist" in lowered:
        return (
            f"{where} does not exist ({reason}). Ask whoever runs the server to create it, "
            "or check the database name in the address."
        )
    if any(
        marker in lowered
        for marker in ("connection refused", "timeout", "could not translate host", "failed to resolve host",
                       "no route to host", "network is unreachable", "is the server running")
    ):  # fmt: skip
        return (
            f"The database server on {server} is not reachable ({reason}). Check that the server is running "
            "and that this workstation may connect to it."
        )
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


def _install_server_hooks(engine: Engine, timeouts: ServerTimeouts | None) -> None:
    """Count a failure to (re)connect, and a server-side shutdown, as a lost connection (see Database);
    cut the connection of a statement the server has not answered long past the statement limit."""
    watchdog = Watchdog((timeouts or ServerTimeouts()).watchdog_s)

    def _dbapi(conn: sa.Connection | None) -> object | None:
        # Not conn.connection: on an invalidated connection that property tries to reconnect.
        fairy = getattr(conn, "_dbapi_connection", None)
        return getattr(fairy, "dbapi_connection", None)

    @event.listens_for(engine, "before_cursor_execute")
    def _arm(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        watchdog.arm(conn.connection.dbapi_connection)

    @event.listens_for(engine, "after_cursor_execute")
    def _disarm(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        watchdog.disarm(conn.connection.dbapi_connection)

    # The connection check at checkout waits on the server too (before any event): a cut ping counts as a dead one,
    # and the pool then tries a new one (connect_timeout).
    ping = engine.dialect.do_ping

    def _guarded_ping(dbapi_connection):  # type: ignore[no-untyped-def]
        watchdog.arm(dbapi_connection)
        try:
            return ping(dbapi_connection)
        finally:
            watchdog.disarm(dbapi_connection)
            watchdog.was_cut(dbapi_connection)

    engine.dialect.do_ping = _guarded_ping  # type: ignore[method-assign]

    # A connection the server dropped while idle (restart, timeout, network blip) is replaced at checkout
    # instead of failing the user's next save: checked before every write, and before a read once it sat in
    # the pool IDLE_CHECK_S. A read on a connection dropped in the last seconds fails as DatabaseUnavailable
    # ("try again"), and the pool has replaced it by then.
    @event.listens_for(engine.pool, "checkout")
    def _check(dbapi_connection, record, proxy):  # type: ignore[no-untyped-def]
        idle_since = record.info.get("facetdesk_idle_since")
        if idle_since is None or not (_WRITING.get() or time.monotonic() - idle_since >= IDLE_CHECK_S):
            return  # new (just connected), or used a moment ago
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except sa_exc.DBAPIError:
            alive = False
        except Exception as exc:  # the driver's own error, before SQLAlchemy wraps it
            if not isinstance(exc, engine.dialect.loaded_dbapi.Error):
                raise
            alive = False
        if not alive:
            raise sa_exc.DisconnectionError()  # the pool drops it and connects anew

    @event.listens_for(engine.pool, "checkin")
    def _idle(dbapi_connection, record):  # type: ignore[no-untyped-def]
        record.info["facetdesk_idle_since"] = time.monotonic()

    @event.listens_for(engine, "before_cursor_execute", retval=True)
    def _only_reads(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        # A lookup runs outside any transaction, so PostgreSQL's read-only transaction cannot refuse a write.
        if conn.get_execution_options().get(_LOOKUP_OPTION) and not _reads_only(statement):
            raise RuntimeError("Database.lookup() sessions are read-only; use Database.transaction() to write")
        return statement, parameters

    # COMMIT and ROLLBACK wait on the server too; the connection is disarmed when it goes back to the pool.
    def _arm_ending(conn: sa.Connection) -> None:
        dbapi_connection = _dbapi(conn)
        if dbapi_connection is not None:
            watchdog.arm(dbapi_connection)

    for name in ("commit", "rollback"):
        event.listen(engine, name, _arm_ending)
    event.listen(engine.pool, "checkin", lambda dbapi_connection, record: watchdog.disarm(dbapi_connection))

    @event.listens_for(engine, "handle_error")
    def _lost_connection(context: sa.engine.ExceptionContext) -> None:
        error = context.sqlalchemy_exception
        dbapi_connection = _dbapi(context.connection)
        if dbapi_connection is not None:
            watchdog.disarm(dbapi_connection)
            if watchdog.was_cut(dbapi_connection):
                context.is_disconnect = True
                setattr(error, _CUT_AFTER, watchdog.seconds)
                return
        if not isinstance(error, sa_exc.OperationalError):
            return
        state = getattr(context.original_exception, "sqlstate", None) or ""
        # connection None: the pool could not connect, so the server is down or unreachable.
        if context.connection is None or state.startswith(_SERVER_GONE_STATES):
            context.is_disconnect = True
