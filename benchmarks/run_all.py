"""Run every clinic-scale benchmark on the 100,000-patient database and write docs/benchmarks.md.

Run: python benchmarks/run_all.py   (builds benchmarks/.data/clinic-100k.sqlite3 first if it is missing)
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_entry  # noqa: E402
import bench_memory  # noqa: E402
import bench_network  # noqa: E402
import bench_notes  # noqa: E402
import bench_records  # noqa: E402
import bench_rules  # noqa: E402
import bench_startup  # noqa: E402
import bench_startup_x11  # noqa: E402
from clinic_data import ensure_big_db  # noqa: E402
from common import BIG_DB, ROOT, Figure, machine  # noqa: E402

MODULES = (
    bench_startup, bench_startup_x11, bench_records, bench_network, bench_memory, bench_rules, bench_notes, bench_entry,
)  # fmt: skip
# Where each module's figures are measured, for the table's "measured on" column (bench_startup_x11 names its own).
PLATFORMS = {
    bench_startup: "Qt offscreen, timed inside the process",
    bench_records: "Qt offscreen, in-process",
    bench_network: "no window: the services through a latency proxy to PostgreSQL",
    bench_memory: "Qt offscreen, in-process",
    bench_rules: "no window (rules alone)",
    bench_notes: "no window (reportlab, command line)",
    bench_entry: "Qt offscreen (pytest-qt)",
}


def main() -> int:
    started = time.perf_counter()
    load = os.getloadavg()[0]
    db = ensure_big_db(BIG_DB)
    figures: list[Figure] = []
    for module in MODULES:
        print(f"running {module.__name__} …", flush=True)
        problem = bench_startup_x11.available() if module is bench_startup_x11 else None
        if problem:
            print(f"  skipped: {problem}", flush=True)
            figures.append(
                Figure("start-up and memory, from outside", float("nan"), "", platform="xcb on Xvfb", note=problem)
            )
            continue
        for figure in module.run(db):
            if figure.platform == "—":
                figure.platform = PLATFORMS.get(module, "—")
            print("  " + figure.row(), flush=True)
            figures.append(figure)
    minutes = (time.perf_counter() - started) / 60
    write_report(figures, minutes, load)
    return 0 if all(f.met is not False for f in figures) else 1


def _network_section(figures: list[Figure]) -> str:
    ran = any(f.name.startswith("PostgreSQL ") for f in figures)
    measured = (
        'The rows that begin with "PostgreSQL" above measure it'
        if ran
        else f"Not measured in this run: `{bench_network.PG_URL_ENV}` was not set"
    )
    return f"""## A shared PostgreSQL server over a network

On a clinic's server every statement, BEGIN, COMMIT/ROLLBACK and connection check waits one network round trip.
{measured}: `benchmarks/bench_network.py` copies the 100,000-patient clinic into a
PostgreSQL database once (`benchmarks/pg_data.py`) and reaches it through `benchmarks/latency_proxy.py`, a proxy
in a process of its own that holds each direction back by half of 0, 1 or 5 ms, so each round trip costs that
much. It types the same names and MRNs as the search row above, keystroke by keystroke, through the service the
patient list calls, and opens the BENCH-200 patient as the window does (the patient, the usual anticoagulants,
the first timeline page). Round trips are counted twice: by FacetDesk (`facetdesk/storage/roundtrips.py`) and at
the wire by the proxy (how often the client sent after hearing from the server); the two agree. Each row's floor
is a bare `SELECT 1` through the same proxy: it costs a little more than the delay (about 6.5 ms at 5 ms: the
proxy's timers wake on whole milliseconds), so the figures are slightly pessimistic. The p95 of 30 opens moves
with the machine's load (the app, the proxy and the server share its two cores): 36 to 52 ms at 5 ms in three
runs.

Before issue 20 a keystroke cost 7 round trips (connection check, BEGIN, four queries, ROLLBACK) and opening a
patient 17 (7 for the patient, 4 for the usual anticoagulants, 6 for the timeline page): at 5 ms, search p95
62.6 ms and open p95 152.4 ms (this benchmark on the code before, same machine, load average 1.3). Now a
keystroke is 1 round trip (the page and its procedure counts in one statement, outside a transaction) and an
open 3 (the patient with its lists in one statement, the anticoagulants, the timeline page with its targets and
pain scores in one statement); a connection is checked before every save, and before a read only after it sat
unused 10 s. `tests/services/test_services_round_trips.py` holds these counts on SQLite and PostgreSQL.

Reproduce: `FACETDESK_BENCH_PG_URL=postgresql+psycopg://USER:PASSWORD@HOST:PORT/postgres python
benchmarks/bench_network.py` (the role needs CREATEDB; `run_all.py` runs it when the variable is set).
"""


def write_report(figures: list[Figure], minutes: float, load: float) -> None:
    rows = "\n".join(f.row() for f in figures)
    network = _network_section(figures)
    text = f"""# Benchmarks at clinic scale

Measured {datetime.now():%Y-%m-%d %H:%M} on {machine()}, with the synthetic 100,000-patient database
(500,000 procedures with medications, botulinum toxin sites and pain scores, follow-up visits after a third of
them, fluoroscopy images on 4% of the fluoroscopy-guided ones, toxin given elsewhere for 3% of the patients;
made-up names), built by
`benchmarks/clinic_data.py`. Each figure stands next to its floor: the same work done by the framework alone
(a bare PySide6 window, a bare reportlab document, a bare indexed SQLite query), measured in the same run.
The whole run took {minutes:.0f} minutes.

| figure | measured on | FacetDesk | floor (same run) | target | verdict | note |
|---|---|---|---|---|---|---|
{rows}

## Platforms

"Measured on" says where each figure comes from. **Qt offscreen, timed inside the process**: Qt's offscreen
platform, which draws into memory and talks to no window system; the probe (benchmarks/startup_probe.py) stamps
each event from inside the app, the parent the moment it started the process. **xcb on Xvfb, watched from
outside** (benchmarks/bench_startup_x11.py): the real X11 platform plugin, as on a clinic's Linux desktop,
against a private Xvfb server; another X client sees each window mapped and its first drawing (X DAMAGE), types
the password with XTEST and reads VmRSS from /proc, so nothing in the app is changed or timed from inside. The
floors are measured the same way in the same run, alternating with FacetDesk. Xvfb draws in software: a GPU
desktop paints faster, on both sides.

## Where a target is not met, and why

- **Start-up to the main window** (offscreen; target: 1.3 × the bare window). Nobody sees the main window
  before signing in: the first screen is the sign-in dialog, and it is on screen within the target, offscreen
  and on xcb (first rows). A main window that lists patients needs the data stack, and importing SQLAlchemy's
  ORM and pydantic alone takes about 2.5 × the bare window (the "stack" figure in the first row's note), so no
  window that reads the database through them can be up within 1.3 ×. FacetDesk hides that time behind the
  sign-in: the database opens and the main window's modules load on a worker thread while the user types, and
  from pressing "Sign in" the window takes a few hundred milliseconds (the row's note), part of it the
  deliberate argon2id password check.
- **Resident memory with the main window** (target: 40 MiB above the bare window; offscreen and on xcb about
  70 MiB above it in this run). The target cannot be met by any window that reads FacetDesk's database through
  the stack the project is built on: the xcb memory row's note gives the data stack floor from the same run, the
  bare window after importing pydantic (fixed by the customer) and SQLAlchemy's ORM (named by the developers'
  guide for storage) and opening a SQLite database, with PySide6's import hook undone as FacetDesk does. That
  floor alone is about 33 MiB above the bare window (SQLAlchemy imports asyncio, ssl with OpenSSL and
  importlib.metadata even for SQLite), which leaves about 7 MiB for everything FacetDesk adds; its own share
  above that floor is about 40 MiB: its domain, storage and services about 8 MiB, argon2 and cryptography's
  Rust/OpenSSL library at sign-in about 9 MiB (an administrator's sign-in opens the clinic's certificate
  authority, and every physician's first signature loads it), the main window's modules and widgets with the
  patient list's first page about 20 MiB (mostly Qt's own code pages and heap; Python objects created for them
  are under 5 MiB, tracemalloc). Already done: PySide6's import hook is undone at start (it kept the source of
  every module imported after Qt: 18 MiB), and the editor, notes, charts, reportlab and Alembic load on first
  use. Deferring cryptography further would only move its 9 MiB to the first signature of the day; glibc's
  malloc_trim and Python's -OO and -X no_debug_ranges were measured and each gives back under 1.5 MiB. Meeting
  the target as written needs a storage layer without SQLAlchemy or models without pydantic; the decision asked
  for (issue 20) is whether the target should be FacetDesk's share above the data stack floor instead.

{network}
Reproduce: `python benchmarks/run_all.py` from the project folder in the test environment with the benchmark
extra (`pip install -e ".[test,bench]"`; the X11 figures also need the `Xvfb` binary, Debian's `xvfb`, and are
listed as not measured without it); it builds the database once (kept in `benchmarks/.data/`, not in git),
then runs `bench_startup.py`, `bench_startup_x11.py`,
`bench_records.py`, `bench_network.py` (when `FACETDESK_BENCH_PG_URL` is set), `bench_memory.py`, `bench_rules.py`,
`bench_notes.py` and `bench_entry.py` (each also runs alone) and writes this file. The note's floor draws the same
page QR codes as the note, with reportlab's own QR widget (the note draws them as one path per code, which is why
it beats that floor). The entry count is not a
timing: it is every click and keystroke the pytest-qt test `tests/ui/test_ui_entry_count.py` makes on the real
widgets, and that test checks this file publishes it.
Timings are medians unless the figure says p95; the load average when the run began was {load:.1f} on
{os.cpu_count()} CPUs (other work on the machine widens the ranges in the notes).
"""
    (ROOT / "docs" / "benchmarks.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
