"""`facetdesk self-test`: proves an installed FacetDesk works, on a synthetic record in a temporary folder.

It takes the app's own start path (the QApplication, the database opened and migrated on the worker thread, the
main window), then a physician's path through it (the patient, the procedure in the editor, the note's preview),
then signs, verifies and exports the record through the services. Everything it writes (the database, drafts,
audit anchors, Qt settings) is in a temporary folder deleted afterwards; the user's database, settings and backups
are never opened. Qt runs offscreen, so no display is needed. Exit 0 when every step passed; 1, naming the step
that failed and why, otherwise. An installer's build runs it on the installed bundle (.ci/run, docs/installers.md).
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

EXIT_OK, EXIT_FAILED = 0, 1
# Far above the seconds it takes: only a hang (say, a dialog waiting for a click nobody can give offscreen) gets here.
TIMEOUT_S = 300


class _Progress:
    """The step under way, named in a failure (also by the watchdog, from its own thread)."""

    def __init__(self) -> None:
        self.step = "starting"

    def __call__(self, step: str) -> None:
        self.step = step


def run_self_test(screenshot: Path | None = None, out: Callable[[str], None] = print) -> int:
    """Every step in order, each reported as it passes; the first failure ends the test."""
    started = time.monotonic()
    progress = _Progress()

    def give_up() -> None:
        print(f"self-test FAILED: no answer after {TIMEOUT_S} s while {progress.step}", file=sys.stderr, flush=True)
        os._exit(EXIT_FAILED)

    watchdog = threading.Timer(TIMEOUT_S, give_up)
    watchdog.daemon = True
    watchdog.start()
    # Before Qt starts: offscreen (no display needed), whatever the environment asks for.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    # Qt's list of the system's fonts that cannot shape the note's Devanagari line: about this computer's fonts
    # (the note prints with its own), one line per font, burying the steps' report.
    os.environ.setdefault("QT_LOGGING_RULES", "qt.text.font.db=false")
    try:
        with tempfile.TemporaryDirectory(prefix="facetdesk-self-test-") as folder:
            _run(Path(folder), screenshot, out, progress)
    except Exception as exc:  # noqa: BLE001 - any fault is the answer: something the app needs is missing
        traceback.print_exc()
        print(f"self-test FAILED while {progress.step}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        watchdog.cancel()
    out(f"self-test passed in {time.monotonic() - started:.1f} s")
    return EXIT_OK


def _run(folder: Path, screenshot: Path | None, out: Callable[[str], None], step: _Progress) -> None:
    from facetdesk import __version__
    from facetdesk.app import show_main_window, start_opening, start_qt
    from facetdesk.resources import resources_dir
    from facetdesk.services import self_test as checks
    from facetdesk.ui.shell import self_test as window_steps

    out(f"FacetDesk {__version__} self-test (Python {sys.version.split()[0]}, {sys.platform})")
    out(f"    resources: {resources_dir()}")
    window_steps.keep_settings_in(folder / "settings")
    app = start_qt()
    step("opening a fresh database")
    url = "sqlite:///" + (folder / "facetdesk.sqlite3").as_posix()
    opening = start_opening(url, drafts_dir=folder / "drafts", anchor_file=folder / "audit-anchors.json")
    opening.start()
    opening.wait()
    try:
        if opening.error is not None:
            raise opening.error
        ctx = opening.context
        assert ctx is not None
        from facetdesk.storage.migrate import HEAD_REVISION

        out(f"ok  a new database created and migrated to revision {HEAD_REVISION} (SQLite, temporary folder)")
        step("saving a synthetic patient and procedure")
        record = checks.seed_record(ctx)
        out("ok  first account, synthetic patient and procedure saved, a DICOM image attached")
        step("showing the main window")
        window = show_main_window(ctx, daily_backup=False)
        ids = (record.patient_id, record.procedure_id)
        for line in window_steps.walk_through(app, window, ids, record.family_name, screenshot, step):
            out(f"ok  {line}")
        if screenshot is not None:
            out(f"    screenshot of the main window: {screenshot}")
        step("signing and verifying the procedure")
        for line in checks.sign_and_verify(ctx, record):
            out(f"ok  {line}")
        step("exporting the FHIR bundle")
        out(f"ok  {checks.fhir_bundle_check(ctx, record)}")
        step("sending the signed note to an EHR outbox folder")
        out(f"ok  {checks.ehr_outbox_check(ctx, record, folder / 'ehr-outbox')}")
        step("loading the PostgreSQL driver")
        out(f"ok  {checks.postgresql_driver_check()}")
    finally:
        opening.close()
