"""The synthetic 100,000-patient clinic copied into a PostgreSQL database once, for benchmarks over a network.

Run: python benchmarks/pg_data.py --pg-url postgresql+psycopg://user:password@host:port/postgres [--force]

The database (``facetdesk_bench_100k`` on that server) is created and migrated with
facetdesk.storage.db.open_database, exactly as the app does it, then every table that holds rows in the SQLite
database built by benchmarks/clinic_data.py is copied with COPY (same ids, so the BENCH-200 patient and every
procedure keep theirs), the id sequences are moved past the copied ids and the tables analysed. The copy's
source parameters and schema revision are kept as the database's comment, so a later run reuses it while they
match. The role in
the URL needs CREATEDB.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent
for folder in (HERE.parent, HERE):  # the project (facetdesk) and this folder (common), as run_all.py has it
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import common  # noqa: E402
from clinic_data import big_db_info, ensure_big_db  # noqa: E402

from facetdesk.storage.db import open_database  # noqa: E402
from facetdesk.storage.migrate import HEAD_REVISION  # noqa: E402
from facetdesk.storage.tables import Base  # noqa: E402

BENCH_DATABASE = "facetdesk_bench_100k"
# Bump when how the copy is made changes: an older copy is then made again.
COPY_VERSION = 1


def _admin(pg_url: str) -> sa.Engine:
    url = make_url(pg_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return sa.create_engine(url, isolation_level="AUTOCOMMIT")


def bench_url(pg_url: str) -> str:
    """The URL of the benchmark database on the server ``pg_url`` names."""
    return make_url(pg_url).set(database=BENCH_DATABASE).render_as_string(hide_password=False)


def ensure_pg_db(pg_url: str, sqlite_path: Path = common.BIG_DB, *, force: bool = False, verbose: bool = False) -> str:
    """The benchmark database on ``pg_url``'s server, copied from the SQLite one once; returns its URL."""
    sqlite_path = ensure_big_db(sqlite_path, verbose=verbose)
    # The schema revision too: a copy another FacetDesk version migrated (or made) is made again.
    source = big_db_info(sqlite_path)["parameters"]
    wanted = json.dumps({"copy": COPY_VERSION, "schema": HEAD_REVISION, "source": source}, sort_keys=True)
    admin = _admin(pg_url)
    try:
        with admin.connect() as conn:
            comment = conn.scalar(
                sa.text("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = :d"),
                {"d": BENCH_DATABASE},
            )
            exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": BENCH_DATABASE})
            if exists and comment == wanted and not force:
                return bench_url(pg_url)
            if exists:
                conn.exec_driver_sql(f'DROP DATABASE "{BENCH_DATABASE}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{BENCH_DATABASE}"')
        started = time.perf_counter()
        url = bench_url(pg_url)
        open_database(url).close()  # created and migrated exactly as the app does it
        _copy(sqlite_path, url, verbose)
        with admin.connect() as conn:
            # Written last: a half-made copy has no comment and is made again.
            conn.execute(sa.text(f'COMMENT ON DATABASE "{BENCH_DATABASE}" IS ' + _quoted(wanted)))
        if verbose:
            print(f"copied into {BENCH_DATABASE} in {time.perf_counter() - started:.1f} s", flush=True)
        return url
    finally:
        admin.dispose()


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _copy(sqlite_path: Path, url: str, verbose: bool) -> None:
    source = sqlite3.connect(f"file:{sqlite_path.absolute().as_posix()}?mode=ro", uri=True)
    engine = _admin(url)
    try:
        with engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            for table in Base.metadata.sorted_tables:
                columns = [c.name for c in table.columns]
                names = ", ".join(f'"{c}"' for c in columns)
                count = source.execute(f'SELECT count(*) FROM "{table.name}"').fetchone()[0]
                if not count:
                    continue
                t0 = time.perf_counter()
                with raw.cursor() as cursor:
                    # Rows from the migration itself (none today) would clash with the copied ids.
                    cursor.execute(f'DELETE FROM "{table.name}"')
                    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                        for row in source.execute(f'SELECT {names} FROM "{table.name}"'):
                            copy.write_row(row)
                    for column in table.primary_key.columns:
                        if column.autoincrement is True or (
                            column.autoincrement == "auto" and isinstance(column.type, sa.Integer)
                        ):
                            cursor.execute(
                                "SELECT setval(pg_get_serial_sequence(%s, %s), "
                                f'coalesce(max("{column.name}"), 1)) FROM "{table.name}"',
                                (table.name, column.name),
                            )
                    cursor.execute(f'ANALYZE "{table.name}"')
                if verbose:
                    print(f"  {table.name}: {count:,} rows in {time.perf_counter() - t0:.1f} s", flush=True)
    finally:
        engine.dispose()
        source.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-url", required=True, help="a PostgreSQL server URL whose role may create databases")
    parser.add_argument("--force", action="store_true", help="copy again even if a matching copy is there")
    args = parser.parse_args(argv)
    url = ensure_pg_db(args.pg_url, force=args.force, verbose=True)
    print(make_url(url).render_as_string(hide_password=True))


if __name__ == "__main__":
    main()
