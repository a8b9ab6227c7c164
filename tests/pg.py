"""The storage backends under test: SQLite always, PostgreSQL when FACETDESK_TEST_PG_URL names a server.

A test that asks for ``database_url`` (or ``make_database_url``) runs once per backend. PostgreSQL
databases are copies of one template migrated once per session (CREATE DATABASE ... TEMPLATE),
one per test, dropped at teardown. Tests that use ``db_path`` or carry ``@pytest.mark.sqlite_only``
run on SQLite only.

Without FACETDESK_TEST_PG_URL the PostgreSQL half is skipped with a reason; under CI (``CI`` set)
a missing or unreachable server fails instead, so CI never passes by skipping it.
"""

from __future__ import annotations

import os
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

PG_URL_ENV = "FACETDESK_TEST_PG_URL"
EXAMPLE_PG_URL = "postgresql+psycopg://facetdesk:facetdesk@127.0.0.1:5432/postgres"
HOW_TO_ENABLE = (
    f"to run them, set {PG_URL_ENV} to a role with CREATEDB, e.g. {EXAMPLE_PG_URL} (README: PostgreSQL tests)"
)
SQLITE, POSTGRESQL = "sqlite", "postgresql"


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _unavailable(why: str) -> None:
    if under_ci():
        pytest.fail(f"PostgreSQL tests cannot run under CI: {why}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {why}")


class PgServer:
    """The PostgreSQL server of the test run, reached through an admin URL (autocommit)."""

    # Copies made ahead in the background: CREATE DATABASE takes a few tenths of a second, about as
    # long as a storage test, so the next tests' databases are ready when they start.
    PREFETCH = 2

    def __init__(self, admin_url: str):
        self.admin_url = make_url(admin_url)
        self.admin = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT", pool_size=self.PREFETCH + 1)
        # Unique per session: two runs on one server (or a crashed run's leftovers) never collide.
        self.prefix = f"fdtest_{uuid.uuid4().hex[:8]}"
        self.template = f"{self.prefix}_template"
        self._workers = ThreadPoolExecutor(max_workers=self.PREFETCH, thread_name_prefix="pg-test-db")
        self._ahead: deque[Future[str]] = deque()

    def url_for(self, database: str) -> str:
        return self.admin_url.set(database=database).render_as_string(hide_password=False)

    def execute(self, statement: str, **params: object) -> list[tuple]:
        with self.admin.connect() as conn:
            result = conn.execute(sa.text(statement), params)
            return [tuple(r) for r in result] if result.returns_rows else []

    def create_template(self) -> None:
        from facetdesk.storage.db import open_database

        self.execute(f'CREATE DATABASE "{self.template}"')
        open_database(self.url_for(self.template)).close()  # migrated to head, then left unconnected

    def create_database(self, *, migrated: bool = True) -> str:
        """A new database: a copy of the migrated template, or empty (template0); returns its name."""
        if not migrated:
            return self._create("template0")
        while len(self._ahead) < self.PREFETCH + 1:
            self._ahead.append(self._workers.submit(self._create, self.template))
        return self._ahead.popleft().result()

    def _create(self, template: str) -> str:
        name = f"{self.prefix}_{uuid.uuid4().hex[:8]}"
        self.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name

    def drop_database(self, name: str) -> None:
        # FORCE (PostgreSQL 13+) ends any session a test left open. An autovacuum worker visiting the
        # new database cannot be ended by a role that is not superuser: it is gone a moment later.
        deadline = time.monotonic() + 30
        while True:
            try:
                self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                return
            except sa.exc.DBAPIError as exc:
                if getattr(exc.orig, "sqlstate", None) != "42501" or time.monotonic() > deadline:
                    raise
            time.sleep(0.05)

    def terminate_backends(self, database: str) -> int:
        """End every session on ``database``, as a server restart or a dropped network would."""
        rows = self.execute(
            # Client sessions only: autovacuum is the server's own, and only a superuser may end it.
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = :db AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
            db=database,
        )
        return int(rows[0][0])

    def allow_connections(self, database: str, allowed: bool) -> None:
        """Refuse (or accept again) new connections to ``database``, as a stopped server would."""
        self.execute(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS {"true" if allowed else "false"}')

    def close(self) -> None:
        for ahead in self._ahead:
            self.drop_database(ahead.result())
        self._workers.shutdown()
        self.drop_database(self.template)
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """The PostgreSQL server from FACETDESK_TEST_PG_URL with a migrated template database (skip/fail if none)."""
    url = os.environ.get(PG_URL_ENV, "").strip()
    if not url:
        _unavailable(f"{PG_URL_ENV} is not set; {HOW_TO_ENABLE}")
    try:
        server = PgServer(url)
        version = server.execute("SHOW server_version_num")[0][0]
    except Exception as exc:  # a bad URL, a missing driver or an unreachable server: say which
        shown = make_url(url).render_as_string(hide_password=True) if "://" in url else url
        _unavailable(f"cannot connect to {shown} ({type(exc).__name__}: {str(exc).splitlines()[0]}); {HOW_TO_ENABLE}")
    if int(version) < 130000:
        _unavailable(f"PostgreSQL 13 or newer is needed (DROP DATABASE ... WITH (FORCE)); the server is {version}")
    server.create_template()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """The backend under test: "sqlite" or "postgresql" (parametrized by pytest_generate_tests below)."""
    return getattr(request, "param", SQLITE)


@pytest.fixture
def make_database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Callable[..., str]]:
    """Factory: ``make(name)`` is the URL of a new FacetDesk database on this test's backend.

    SQLite: ``tmp_path/name/facetdesk.sqlite3`` (created when opened). PostgreSQL: a fresh copy of the
    migrated template (``migrated=False``: an empty database), dropped when the test ends.
    """
    created: list[str] = []
    server: PgServer | None = request.getfixturevalue("pg_server") if backend == POSTGRESQL else None

    def make(name: str = "data", *, migrated: bool = True) -> str:
        if server is None:
            return f"sqlite:///{tmp_path / name / 'facetdesk.sqlite3'}"
        created.append(server.create_database(migrated=migrated))
        return server.url_for(created[-1])

    yield make
    if server is not None:
        for database in created:
            server.drop_database(database)


@pytest.fixture
def database_url(make_database_url: Callable[..., str]) -> str:
    """The URL of this test's database (SQLite file, or a fresh PostgreSQL database)."""
    return make_database_url()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: runs on the SQLite backend only (files, pragmas, backups)")
    config.addinivalue_line("markers", "postgresql: runs on the PostgreSQL backend (needs FACETDESK_TEST_PG_URL)")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that reaches ``backend`` on both databases, unless it is SQLite-only."""
    if "backend" not in metafunc.fixturenames:
        return
    if "db_path" in metafunc.fixturenames or metafunc.definition.get_closest_marker("sqlite_only"):
        return  # the fixture's default: SQLite, and the test keeps its plain name
    marks = [pytest.mark.postgresql]
    if not os.environ.get(PG_URL_ENV, "").strip() and not under_ci():
        # Skipped as a mark, not from the fixture, so the summary folds the skips into one line per file.
        marks.append(pytest.mark.skip(reason=f"PostgreSQL: {PG_URL_ENV} is not set; {HOW_TO_ENABLE}"))
    postgresql = pytest.param(POSTGRESQL, marks=marks)
    only_postgresql = metafunc.definition.get_closest_marker("postgresql")
    metafunc.parametrize("backend", [postgresql] if only_postgresql else [SQLITE, postgresql], indirect=True)
