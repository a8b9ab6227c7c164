"""Counting what a use case asks of the database: statements, transaction starts and ends, connection checks.

On a server each of these is one round trip over the network (psycopg sends BEGIN on its own before a
transaction's first statement, and COMMIT/ROLLBACK and the pool's check each wait for their answer), so the
count is what a keystroke or an opened chart costs at a given network delay. On SQLite they cost no round
trip, but the same code runs, so the same count holds the code to its budget on both (tests/storage/
test_storage_round_trips.py; benchmarks/bench_network.py also counts at the wire, independently of this).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


@dataclass
class RoundTrips:
    """What was sent since counting began; ``statements`` lists their first words (for a failing test's message)."""

    statements: list[str] = field(default_factory=list)
    begins: int = 0
    ends: int = 0
    pings: int = 0

    @property
    def total(self) -> int:
        return len(self.statements) + self.begins + self.ends + self.pings

    def reset(self) -> None:
        self.statements.clear()
        self.begins = self.ends = self.pings = 0

    def __str__(self) -> str:
        kinds = [" ".join(s.split()[:3]) for s in self.statements]
        return (
            f"{self.total} round trips: {len(self.statements)} statements {kinds}, "
            f"{self.begins} BEGIN, {self.ends} COMMIT/ROLLBACK, {self.pings} connection checks"
        )


def _in_transaction(dbapi_connection: object) -> bool:
    """Whether the driver connection holds an open transaction (so its end is sent to the server)."""
    info = getattr(dbapi_connection, "info", None)  # psycopg: the libpq status
    status = getattr(info, "transaction_status", None)
    if status is not None:
        return int(status) != 0  # 0: IDLE (no transaction, or autocommit)
    return bool(getattr(dbapi_connection, "in_transaction", False))  # sqlite3


def _begins_implicitly(dbapi_connection: object) -> bool:
    """Whether the driver sends BEGIN by itself before this statement (psycopg outside autocommit)."""
    info = getattr(dbapi_connection, "info", None)
    if getattr(info, "transaction_status", None) is None:
        return False  # sqlite3 here runs its BEGIN as a statement of its own (storage.db), counted as one
    return not getattr(dbapi_connection, "autocommit", True) and not _in_transaction(dbapi_connection)


@contextmanager
def count_round_trips(engine: Engine) -> Iterator[RoundTrips]:
    """Count, while inside, every statement, BEGIN, COMMIT/ROLLBACK and connection check ``engine`` sends."""
    counted = RoundTrips()

    def before_execute(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        dbapi_connection = conn.connection.dbapi_connection
        if _begins_implicitly(dbapi_connection):
            counted.begins += 1
        counted.statements.append(statement)

    def ending(conn) -> None:  # type: ignore[no-untyped-def]
        fairy = getattr(conn, "_dbapi_connection", None)
        if fairy is not None and _in_transaction(getattr(fairy, "dbapi_connection", None)):
            counted.ends += 1

    def reset(dbapi_connection, record, reset_state) -> None:  # type: ignore[no-untyped-def]
        # The pool's own rollback when a connection goes back (only sent if a transaction is open).
        if _in_transaction(dbapi_connection):
            counted.ends += 1

    ping = engine.dialect.do_ping

    def counted_ping(dbapi_connection):  # type: ignore[no-untyped-def]
        counted.pings += 1
        return ping(dbapi_connection)

    listeners: list[tuple[Any, str, Callable[..., Any]]] = [
        (engine, "before_cursor_execute", before_execute),
        (engine, "commit", ending),
        (engine, "rollback", ending),
        (engine.pool, "reset", reset),
    ]
    for target, name, fn in listeners:
        event.listen(target, name, fn)
    engine.dialect.do_ping = counted_ping  # type: ignore[method-assign]
    try:
        yield counted
    finally:
        engine.dialect.do_ping = ping  # type: ignore[method-assign]
        for target, name, fn in listeners:
            event.remove(target, name, fn)
