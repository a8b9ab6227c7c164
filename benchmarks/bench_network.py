"""Benchmark: search as you type and opening a patient on a PostgreSQL server 0, 1 and 5 ms of round trip away.

Run: FACETDESK_BENCH_PG_URL=postgresql+psycopg://user:password@host:port/postgres python benchmarks/bench_network.py

The 100,000-patient clinic is copied into that server once (benchmarks/pg_data.py; the role needs CREATEDB).
For each delay, benchmarks/latency_proxy.py runs as a process of its own between FacetDesk and the server,
holding each direction back by half the delay, and FacetDesk opens the database through it exactly as a
workstation would (storage.db.open_database, the services' RecordService with a signed-in physician).

- Search: the names and MRNs benchmarks/bench_records.py types, keystroke by keystroke, each keystroke one call
  of RecordService.search_patients for the list's first page (what the patient list asks for).
- Open: what the window does to open a patient (ui/shell/patient_flow.py and the patient page): the patient,
  the clinic's usual anticoagulants (the form's choices) and the first page of the 200-procedure timeline.

Round trips are counted twice: by storage.roundtrips (statements, BEGIN/COMMIT/ROLLBACK and connection checks
FacetDesk sends) and, independently, by the proxy at the wire (how often the client sent after hearing from
the server). The time limits are what a keystroke and an opened chart may take at 5 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
for folder in (HERE.parent, HERE):  # the project (facetdesk) and this folder (common), as run_all.py has it
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import common  # noqa: E402
from clinic_data import BENCH_MRN, ensure_big_db  # noqa: E402
from pg_data import ensure_pg_db  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from facetdesk.storage.roundtrips import count_round_trips  # noqa: E402

PG_URL_ENV = "FACETDESK_BENCH_PG_URL"
DELAYS_MS = (0.0, 1.0, 5.0)
TARGET_DELAY_MS = 5.0
KEYSTROKE_TARGET_MS = 30.0
OPEN_TARGET_MS = 50.0
TYPED_NAMES = 50
PREFIX_LENGTHS = range(1, 7)
OPEN_RUNS = 30
# What the patient list and the timeline ask for: a page and one row more (ui/common/paged_model.py).
SEARCH_LIMIT = 100 + 1
TIMELINE_LIMIT = 50 + 1


class Proxy:
    """benchmarks/latency_proxy.py in a process of its own; ``counts()`` and ``reset()`` talk to it."""

    def __init__(self, upstream: str, delay_ms: float):
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "latency_proxy.py"), "--upstream", upstream, "--delay-ms", str(delay_ms)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        first = self.process.stdout.readline().split()
        if first[:1] != ["listening"]:
            self.process.kill()
            raise RuntimeError("the latency proxy did not start")
        self.port = int(first[1])

    def _ask(self, command: str) -> dict:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def counts(self) -> dict:
        return self._ask("count")

    def reset(self) -> None:
        self._ask("reset")

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _bench_actor():
    from facetdesk.domain.users import Actor, Role

    return Actor(username="bench.physician", display_name="Dr. Bench Mark", role=Role.PHYSICIAN, workstation="bench")


@contextmanager
def _through_proxy(db_url: str, delay_ms: float) -> Iterator[tuple[object, Proxy]]:
    from facetdesk.services.context import build_context

    url = make_url(db_url)
    proxy = Proxy(f"{url.host or '127.0.0.1'}:{url.port or 5432}", delay_ms)
    try:
        proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        with tempfile.TemporaryDirectory(prefix="facetdesk-bench-") as drafts:
            ctx = build_context(proxied, drafts_dir=Path(drafts), actor=_bench_actor())
            try:
                yield ctx, proxy
            finally:
                ctx.close()
    finally:
        proxy.close()


def _typed_keystrokes(sqlite_path: Path) -> list[str]:
    # The same names and MRNs bench_records.py types (same seed), read from the SQLite copy.
    from bench_records import _typed_texts

    raw = sqlite3.connect(f"file:{sqlite_path.absolute().as_posix()}?mode=ro", uri=True)
    try:
        texts = _typed_texts(raw, random.Random(7))
    finally:
        raw.close()
    return [text[:n] for text in texts for n in PREFIX_LENGTHS if n <= len(text)]


def _measure(ctx, proxy: Proxy, actions: list[Callable[[], object]]) -> tuple[list[float], list[int], list[int]]:
    """Each action timed and counted: milliseconds, FacetDesk's round trips, the proxy's turns."""
    engine = ctx.database.engine
    times, counted, wire = [], [], []
    with count_round_trips(engine) as trips:
        for action in actions:
            trips.reset()
            proxy.reset()
            t0 = time.perf_counter()
            action()
            times.append((time.perf_counter() - t0) * 1000)
            counted.append(trips.total)
            wire.append(proxy.counts()["turns"])
    return times, counted, wire


def _open_actions(ctx, bench_id: int, other_id: int) -> list[Callable[[], object]]:
    records = ctx.records

    def open_patient(patient_id: int) -> None:
        # What PatientFlow.open_patient and PatientPage.show_patient read.
        records.get_patient(patient_id)
        records.usual_anticoagulants()
        records.list_procedures(patient_id, before=None, limit=TIMELINE_LIMIT)

    # Another chart first each time, so each timed open is a real switch (as in bench_records.py).
    return [lambda pid=pid: open_patient(pid) for _ in range(OPEN_RUNS) for pid in (other_id, bench_id)]


def _bare_round_trip_ms(port: int, db_url: str) -> float:
    """The median of a bare ``SELECT 1`` through the proxy with psycopg alone: what one round trip costs here,
    the proxy's own timer slack and the machine's load included."""
    import psycopg

    url = make_url(db_url).set(drivername="postgresql", host="127.0.0.1", port=port)
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True, prepare_threshold=None) as raw:
        return common.median(common.timings_ms(lambda: raw.execute("SELECT 1").fetchone(), runs=50, warmup=5))


def _ids(ctx) -> tuple[int, int]:
    from facetdesk.storage import repository as repo

    with ctx.database.read() as session:
        bench = repo.find_patient_by_mrn(session, BENCH_MRN)
        assert bench is not None and bench.id is not None
        other = repo.search_patients(session, "", 1)[0].id
    return bench.id, other


def _spread(values: list[int]) -> str:
    low, high = min(values), max(values)
    return f"{low}" if low == high else f"{low}-{high}"


def run_delays(db_url: str, sqlite_path: Path, delays: tuple[float, ...] = DELAYS_MS) -> list[common.Figure]:
    keystrokes = _typed_keystrokes(sqlite_path)
    figures: list[common.Figure] = []
    for delay in delays:
        with _through_proxy(db_url, delay) as (ctx, proxy):
            records = ctx.records  # type: ignore[attr-defined]
            bench_id, other_id = _ids(ctx)
            search = [lambda t=text, r=records: r.search_patients(t, SEARCH_LIMIT) for text in keystrokes]
            _measure(ctx, proxy, search[:30])  # warm: the server's caches and the pool, as after a few minutes
            s_times, s_counted, s_wire = _measure(ctx, proxy, search)
            _measure(ctx, proxy, _open_actions(ctx, bench_id, other_id)[:6])
            o_all, o_counted_all, o_wire_all = _measure(ctx, proxy, _open_actions(ctx, bench_id, other_id))
            bare = _bare_round_trip_ms(proxy.port, db_url)
        # Every second action opens the BENCH-200 patient; the others are the switch away from it.
        o_times, o_counted, o_wire = o_all[1::2], o_counted_all[1::2], o_wire_all[1::2]
        timed = delay == TARGET_DELAY_MS
        s_p95, o_p95 = common.p95(s_times), common.p95(o_times)
        figures += [
            common.Figure(
                f"PostgreSQL {delay:g} ms away: search as you type, per keystroke (95th percentile)",
                s_p95,
                "ms",
                bare,
                "one bare round trip through the proxy, SELECT 1 with psycopg",
                target=f"≤ {KEYSTROKE_TARGET_MS:g} ms at {TARGET_DELAY_MS:g} ms" if timed else "",
                met=(s_p95 <= KEYSTROKE_TARGET_MS) if timed else None,
                note=f"{len(keystrokes)} keystrokes; median {common.median(s_times):.1f} ms; round trips per "
                f"keystroke {_spread(s_counted)} (counted by FacetDesk), {_spread(s_wire)} (at the wire); "
                f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs",
            ),
            common.Figure(
                f"PostgreSQL {delay:g} ms away: open a patient with 200 procedures (95th percentile)",
                o_p95,
                "ms",
                3 * bare,
                "three bare round trips",
                target=f"≤ {OPEN_TARGET_MS:g} ms at {TARGET_DELAY_MS:g} ms" if timed else "",
                met=(o_p95 <= OPEN_TARGET_MS) if timed else None,
                note=f"{OPEN_RUNS} opens: patient, usual anticoagulants, first timeline page; median "
                f"{common.median(o_times):.1f} ms; round trips per open {_spread(o_counted)} (FacetDesk), "
                f"{_spread(o_wire)} (wire); load average {os.getloadavg()[0]:.1f}",
            ),
        ]
    return figures


def run(db_path: Path) -> list[common.Figure]:
    """The figures at 0, 1 and 5 ms; none when no server is named (run_all.py then says how to run them)."""
    pg_url = os.environ.get(PG_URL_ENV, "").strip()
    if not pg_url:
        print(f"  bench_network not run: set {PG_URL_ENV} to a PostgreSQL server (a role with CREATEDB)")
        return []
    return run_delays(ensure_pg_db(pg_url, db_path), db_path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delays", default=",".join(f"{d:g}" for d in DELAYS_MS), help="round trips in ms")
    args = parser.parse_args(argv)
    pg_url = os.environ.get(PG_URL_ENV, "").strip()
    if not pg_url:
        parser.error(f"set {PG_URL_ENV} to a PostgreSQL server URL whose role may create databases")
    sqlite_path = ensure_big_db(verbose=True)
    db_url = ensure_pg_db(pg_url, sqlite_path, verbose=True)
    delays = tuple(float(d) for d in args.delays.split(","))
    print("| figure | value | floor | target | verdict | note |")
    print("|---|---|---|---|---|---|")
    for figure in run_delays(db_url, sqlite_path, delays):
        print(figure.row(), flush=True)
    print(f"\nMachine: {common.machine()}.")


if __name__ == "__main__":
    main()
