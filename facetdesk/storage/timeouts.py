"""Time limits on a database server, so a frozen server or a frozen workstation gives a clear error in seconds.

Server side (PostgreSQL settings sent at connect): a statement that runs too long is cancelled, a wait for
another workstation's lock gives up, and a session left idle inside a transaction (a workstation frozen
between its audit entry and its COMMIT) is ended by the server, releasing its locks for everyone else.
Client side: TCP keepalives and a send timeout notice a network that went away, and a watchdog cuts a
connection whose server has not answered a statement well past the statement limit (a server that stops
answering cannot cancel anything itself). A clinic sets its own limits in the database address, e.g.
``postgresql://host/db?statement_timeout=60&lock_timeout=10`` (seconds); libpq's own keepalive settings
in the address are used as given.
"""

from __future__ import annotations

import heapq
import itertools
import os
import socket
import threading
import time
from dataclasses import dataclass, replace
from typing import Any

# Seconds. Long enough for FacetDesk's largest statements (a clinic-wide list, a migration) on a loaded server.
DEFAULT_STATEMENT_S = 30.0
# A colleague's save holds its locks for milliseconds; waiting longer than this means it is stuck.
DEFAULT_LOCK_S = 5.0
# FacetDesk never pauses inside a transaction; a session idle in one this long is a frozen workstation.
DEFAULT_IDLE_IN_TRANSACTION_S = 15.0
# How long past the statement limit the watchdog waits for a server that said nothing (it should have
# cancelled the statement itself by then).
WATCHDOG_GRACE_S = 5.0

# libpq's keepalive and send-timeout settings, unless the address gives its own.
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3}
TCP_USER_TIMEOUT_MS = 15000

_QUERY_KEYS = {
    "statement_timeout": "statement_s",
    "lock_timeout": "lock_s",
    "idle_in_transaction_session_timeout": "idle_in_transaction_s",
}


@dataclass(frozen=True)
class ServerTimeouts:
    statement_s: float = DEFAULT_STATEMENT_S
    lock_s: float = DEFAULT_LOCK_S
    idle_in_transaction_s: float = DEFAULT_IDLE_IN_TRANSACTION_S

    @property
    def watchdog_s(self) -> float:
        return self.statement_s + WATCHDOG_GRACE_S

    def options(self) -> str:
        """The settings as libpq's ``options`` (milliseconds, as PostgreSQL reads them)."""
        return " ".join(f"-c {name}={int(getattr(self, attr) * 1000)}" for name, attr in _QUERY_KEYS.items())


def split_timeouts(query: dict[str, Any]) -> tuple[ServerTimeouts, dict[str, Any]]:
    """FacetDesk's own time limits from an address's query (seconds), and the rest of the query for libpq.

    Raises ValueError naming the setting when a value is not a positive number of seconds.
    """
    limits = ServerTimeouts()
    rest = dict(query)
    for key, attr in _QUERY_KEYS.items():
        if key not in rest:
            continue
        raw = rest.pop(key)
        raw = raw[-1] if isinstance(raw, tuple) else raw
        try:
            seconds = float(raw)
        except ValueError:
            seconds = -1.0
        if not 0 < seconds <= 86400:
            raise ValueError(f"{key} in the database address must be a number of seconds from 1 to 86400, not {raw!r}")
        limits = replace(limits, **{attr: seconds})
    return limits, rest


class Watchdog:
    """Cuts the connection of a statement whose server has not answered in time (one thread for all)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._lock = threading.Condition()
        self._deadlines: list[tuple[float, int, int]] = []  # (deadline, ticket, connection key)
        self._armed: dict[int, tuple[int, Any]] = {}  # connection key -> (ticket, DBAPI connection)
        self._tickets = itertools.count()
        self._thread: threading.Thread | None = None
        self._cut: set[int] = set()  # keys of connections this watchdog cut, until their error is reported

    def arm(self, dbapi_connection: Any) -> None:
        key = id(dbapi_connection)
        with self._lock:
            ticket = next(self._tickets)
            self._armed[key] = (ticket, dbapi_connection)
            heapq.heappush(self._deadlines, (time.monotonic() + self.seconds, ticket, key))
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="facetdesk-db-watchdog", daemon=True)
                self._thread.start()
            self._lock.notify()

    def disarm(self, dbapi_connection: Any) -> None:
        with self._lock:
            self._armed.pop(id(dbapi_connection), None)

    def was_cut(self, dbapi_connection: Any) -> bool:
        """Whether the watchdog cut this connection (so its error is a timeout, said as such); asked once."""
        with self._lock:
            key = id(dbapi_connection)
            if key in self._cut:
                self._cut.discard(key)
                return True
            return False

    def _watch(self) -> None:
        while True:
            with self._lock:
                while not self._deadlines:
                    self._lock.wait()
                deadline, ticket, key = self._deadlines[0]
                wait = deadline - time.monotonic()
                if wait > 0:
                    self._lock.wait(wait)
                    continue
                heapq.heappop(self._deadlines)
                armed = self._armed.get(key)
                if armed is None or armed[0] != ticket:
                    continue  # answered (or re-armed for a later statement) in time
                del self._armed[key]
                self._cut.add(key)
                connection = armed[1]
            _shut(connection)


def _shut(dbapi_connection: Any) -> None:
    """Shut the connection's socket down: the statement waiting on it returns at once with an error."""
    try:
        fd = dbapi_connection.pgconn.socket
        sock = socket.socket(fileno=os.dup(fd))
        try:
            sock.shutdown(socket.SHUT_RDWR)
        finally:
            sock.close()
    except (OSError, AttributeError, ValueError):
        pass  # already closed: nothing waits on it
