"""Benchmark: memory that does not grow with use: open 50 patients and preview 50 notes in one main window.

Run: python benchmarks/bench_memory.py [--db FILE]   (builds the synthetic clinic database first if needed)

An offscreen main window, a signed-in physician, the 100,000-patient database: for each of 50 patients with
procedures, open the patient, open their newest procedure, preview its note and close the preview, as a physician
does through a clinic day. Resident memory (VmRSS) is read after each round, once the window has settled; the
figure is its growth per round after a warm-up of 10 rounds (caches, fonts and the PDF viewer's first load).
"""

from __future__ import annotations

import argparse
import gc
import os
import sqlite3
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

HERE = Path(__file__).resolve().parent
for folder in (HERE.parent, HERE):  # the project (facetdesk) and this folder (common), as run_all.py has it
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import common  # noqa: E402
from bench_records import _app, _bench_actor  # noqa: E402
from clinic_data import ensure_big_db  # noqa: E402

ROUNDS = 50
WARMUP = 10
TARGET_MIB_PER_ROUND = 1.0


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("VmRSS not available (Linux only)")


def _patients(db_path: Path, count: int) -> list[tuple[int, int]]:
    """(patient id, newest procedure id) of ``count`` patients spread over the database."""
    raw = sqlite3.connect(f"file:{db_path.absolute().as_posix()}?mode=ro", uri=True)
    try:
        rows = raw.execute(
            "SELECT patient_id, MAX(id) FROM procedures WHERE patient_id % 97 = 0 GROUP BY patient_id LIMIT ?",
            (count,),
        ).fetchall()
    finally:
        raw.close()
    return [(int(p), int(q)) for p, q in rows]


def run(db_path: Path) -> list[common.Figure]:
    from PySide6.QtTest import QTest

    from facetdesk.services.context import build_context
    from facetdesk.ui.shell.main_window import MainWindow

    _app()
    url = "sqlite:///" + Path(db_path).absolute().as_posix()
    with tempfile.TemporaryDirectory(prefix="facetdesk-bench-") as drafts:
        ctx = build_context(url, drafts_dir=Path(drafts), actor=_bench_actor())
        window = MainWindow(ctx)
        window.resize(1360, 860)
        window.show()
        rss: list[float] = []
        try:
            for patient_id, procedure_id in _patients(Path(db_path), ROUNDS):
                window.patients.open_patient(patient_id)
                window.procedures.open_procedure(procedure_id)
                preview = window.note_output.preview_note()
                QTest.qWait(30)  # the PDF view lays out and paints its pages
                if preview is not None:
                    preview.accept()
                QTest.qWait(30)
                gc.collect()
                rss.append(_rss_mib())
        finally:
            window.close()
            ctx.close()
    growth = (rss[-1] - rss[WARMUP - 1]) / (len(rss) - WARMUP)
    return [
        common.Figure(
            f"resident memory growth per round after warm-up: open a patient and their newest procedure, preview "
            f"its note, close it ({len(rss)} rounds)",
            growth,
            "MiB",
            target=f"≤ {TARGET_MIB_PER_ROUND:g} MiB per preview",
            met=growth <= TARGET_MIB_PER_ROUND,
            note=(
                f"VmRSS {rss[0]:.1f} MiB after the first round, {rss[WARMUP - 1]:.1f} MiB after {WARMUP}, "
                f"{rss[-1]:.1f} MiB after {len(rss)}; Qt platform offscreen, 100,000-patient database"
            ),
        )
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None, help="a built database (default: build or reuse the big one)")
    args = parser.parse_args(argv)
    figures = run(args.db or ensure_big_db(verbose=True))
    for figure in figures:
        print(figure.row())
    print(f"\nMachine: {common.machine()}.")


if __name__ == "__main__":
    main()
