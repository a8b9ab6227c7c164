"""Benchmark: search as you type, the empty patient list and opening a patient with 200 procedures, through the UI.

Run: python benchmarks/bench_records.py [--db FILE]   (builds the synthetic clinic database first if needed)

Each figure goes through the real path: an offscreen QApplication, the patient list panel and the patient page
over a RecordService with a signed-in physician, timed from the input (setText, opening the patient) until the
model holds its first page and the pending events (layout, paint) are processed. Each floor is a bare query with
the sqlite3 module on the same database and index, returning one page: what the data alone costs, measured in
the same run.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

HERE = Path(__file__).resolve().parent
for folder in (HERE.parent, HERE):  # the project (facetdesk) and this folder (common), as run_all.py has it
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import common  # noqa: E402
from clinic_data import BENCH_MRN, ensure_big_db  # noqa: E402

from facetdesk.storage.textkey import fold, successor  # noqa: E402

KEYSTROKE_TARGET_MS = 30.0
OPEN_TARGET_MS = 50.0
TYPED_NAMES = 50
PREFIX_LENGTHS = range(1, 7)
OPEN_RUNS = 30
EMPTY_RUNS = 30


def _bench_actor():
    from facetdesk.domain.users import Actor, Role

    return Actor(username="bench.physician", display_name="Dr. Bench Mark", role=Role.PHYSICIAN, workstation="bench")


def _app():
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["bench_records"])
    # Whatever a widget stores in QSettings goes to a benchmark's own file, never the user's.
    QCoreApplication.setOrganizationName("FacetDeskBench")
    QCoreApplication.setApplicationName("FacetDeskBench")
    return app


def _load() -> str:
    # Other work on the machine slows every figure alike; the note says how busy it was.
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"


def _timed(action: Callable[[], object], settle: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    action()
    settle()
    return (time.perf_counter() - t0) * 1000


def _typed_texts(raw: sqlite3.Connection, rng: random.Random) -> list[str]:
    """What 50 people at the front desk type: family names mostly, some given names, some MRNs."""
    picked = raw.execute(
        "SELECT family_name, given_name, mrn FROM patients WHERE mrn != ? ORDER BY id", (BENCH_MRN,)
    ).fetchall()
    chosen = rng.sample(picked, TYPED_NAMES)
    texts = []
    for i, (family, given, mrn) in enumerate(chosen):
        texts.append(mrn if i % 5 == 4 else given if i % 5 == 3 else family)
    return texts


def _floor_search(raw: sqlite3.Connection, prefix: str, page: int) -> None:
    key = fold(prefix)
    upper = successor(key)
    raw.execute(
        "SELECT id, mrn, family_name, given_name, date_of_birth FROM patients "
        "WHERE family_key >= ? AND family_key < ? ORDER BY family_key, given_key, id LIMIT ?",
        (key, upper, page),
    ).fetchall()


def _search_figures(ctx, raw: sqlite3.Connection, app) -> list[common.Figure]:
    from facetdesk.ui.patients.patient_list import PAGE_SIZE, PatientListPanel

    panel = PatientListPanel(ctx.records)
    panel.resize(420, 800)
    panel.show()
    app.processEvents()
    texts = _typed_texts(raw, random.Random(7))
    keystrokes = [text[:n] for text in texts for n in PREFIX_LENGTHS if n <= len(text)]
    # Warm: the database pages and Qt's fonts are loaded once, as after the first minutes of a working day.
    for text in keystrokes[:30]:
        panel.search.setText(text)
        app.processEvents()
    times = []
    for text in keystrokes:
        times.append(_timed(lambda text=text: panel.search.setText(text), app.processEvents))
        assert panel.model.rowCount() > 0 or len(text) > 1, text
    floors = [_timed(lambda text=text: _floor_search(raw, text, PAGE_SIZE + 1), lambda: None) for text in keystrokes]
    p95, floor_p95 = common.p95(times), common.p95(floors)

    empty_times, empty_floors = [], []
    for i in range(EMPTY_RUNS):
        panel.search.setText(keystrokes[i % len(keystrokes)])
        app.processEvents()
        empty_times.append(_timed(panel.search.clear, app.processEvents))
        assert panel.model.rowCount() == PAGE_SIZE and not panel.model.complete
        empty_floors.append(
            _timed(
                lambda: raw.execute(
                    "SELECT id, mrn, family_name, given_name, date_of_birth FROM patients "
                    "ORDER BY family_key, given_key, id LIMIT ?",
                    (PAGE_SIZE + 1,),
                ).fetchall(),
                lambda: None,
            )
        )
    panel.close()
    empty = common.median(empty_times)
    return [
        common.Figure(
            "Search as you type, per keystroke (95th percentile)",
            p95,
            "ms",
            floor_p95,
            "bare indexed prefix query, one page",
            f"≤ {KEYSTROKE_TARGET_MS:g} ms",
            p95 <= KEYSTROKE_TARGET_MS,
            f"{len(keystrokes)} keystrokes ({TYPED_NAMES} names and MRNs, 1-6 characters); "
            f"median {common.median(times):.1f} ms, floor median {common.median(floors):.2f} ms; {_load()}",
        ),
        common.Figure(
            "Patient list, empty search: first page (median)",
            empty,
            "ms",
            common.median(empty_floors),
            "bare indexed query, first page",
            f"≤ {KEYSTROKE_TARGET_MS:g} ms (as a keystroke)",
            empty <= KEYSTROKE_TARGET_MS,
            f"{EMPTY_RUNS} runs; {PAGE_SIZE} rows read, the rest on scrolling; {_load()}",
        ),
    ]


def _open_figure(ctx, raw: sqlite3.Connection, app) -> common.Figure:
    from facetdesk.ui.patients.patient_page import TIMELINE_PAGE_SIZE, PatientPage

    bench_id = raw.execute("SELECT id FROM patients WHERE mrn = ?", (BENCH_MRN,)).fetchone()[0]
    other_id = raw.execute("SELECT id FROM patients WHERE mrn != ? ORDER BY id LIMIT 1", (BENCH_MRN,)).fetchone()[0]
    page = PatientPage(ctx.catalog, ctx.records)
    page.resize(1000, 800)
    page.show()
    app.processEvents()

    def open_patient(patient_id: int) -> None:
        # What MainWindow.open_patient does for the page: the form, then the timeline's first page.
        page.form.load(ctx.records.get_patient(patient_id))
        page.refresh_procedures()

    def floor() -> None:
        raw.execute(
            "SELECT id, uid, performed_at, technique, intent, physician, pre_procedure_pain, signed_by, signed_at "
            "FROM procedures WHERE patient_id = ? ORDER BY performed_at DESC, id DESC LIMIT ?",
            (bench_id, TIMELINE_PAGE_SIZE + 1),
        ).fetchall()

    times, floors = [], []
    for run in range(OPEN_RUNS + 3):
        open_patient(other_id)  # another chart first, so each timed open is a real switch
        app.processEvents()
        elapsed = _timed(lambda: open_patient(bench_id), app.processEvents)
        assert page.timeline.rowCount() == TIMELINE_PAGE_SIZE and page.form.patient_id == bench_id
        if run >= 3:  # the first runs warm caches
            times.append(elapsed)
            floors.append(_timed(floor, lambda: None))
    while page.timeline.canFetchMore():
        page.timeline.fetchMore()
    assert page.timeline.rowCount() == 200
    page.close()
    value = common.median(times)
    return common.Figure(
        "Open a patient with 200 procedures: form and first timeline page (median)",
        value,
        "ms",
        common.median(floors),
        "bare indexed query, the page's procedure rows",
        f"≤ {OPEN_TARGET_MS:g} ms",
        value <= OPEN_TARGET_MS,
        f"{OPEN_RUNS} warm runs; {TIMELINE_PAGE_SIZE} of 200 procedures read, the rest on scrolling; {_load()}",
    )


def run(db_path: Path) -> list[common.Figure]:
    """Every figure of this benchmark on the database at ``db_path`` (see benchmarks/clinic_data.py)."""
    from facetdesk.services.context import build_context

    app = _app()
    url = "sqlite:///" + Path(db_path).absolute().as_posix()
    with tempfile.TemporaryDirectory(prefix="facetdesk-bench-") as drafts:
        ctx = build_context(url, drafts_dir=Path(drafts), actor=_bench_actor())
        raw = sqlite3.connect(f"file:{Path(db_path).absolute().as_posix()}?mode=ro", uri=True)
        try:
            figures = _search_figures(ctx, raw, app)
            figures.append(_open_figure(ctx, raw, app))
        finally:
            raw.close()
            ctx.close()
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None, help="a built database (default: build or reuse the big one)")
    args = parser.parse_args(argv)
    db_path = args.db or ensure_big_db(verbose=True)
    figures = run(db_path)
    print("| figure | value | floor | target | verdict | note |")
    print("|---|---|---|---|---|---|")
    for figure in figures:
        print(figure.row())
    print(f"\nMachine: {common.machine()}.")


if __name__ == "__main__":
    main()
