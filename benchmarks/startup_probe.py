"""One start-up, in a fresh process, for bench_startup.py: prints when the first screen is painted, and VmRSS.

Run: python benchmarks/startup_probe.py floor|stack|sign-in|main [DB] [USERNAME]

- floor: a bare QApplication and QMainWindow (1280 x 820, as FacetDesk's) with a label, shown;
- stack: the same after importing SQLAlchemy's ORM and pydantic, which FacetDesk reads its database with;
- sign-in: FacetDesk's start-up (facetdesk.app: start_qt, open_context, sign_in_at_start) to the sign-in
  dialog painted; the dialog is then dismissed;
- main: the same start-up with USERNAME signed in programmatically (an Actor, no password typed), to the
  main window painted with the patient list holding its first page (facetdesk.app.show_main_window).

Each prints one line, ``painted <unix time> <VmRSS MiB> <rows in the patient list>``, taken in the next turn of
the event loop after the window's first paint event. The parent stamps the time before starting this process,
so the figure includes the interpreter's own start. Nothing here is part of FacetDesk: it calls the same
composition functions facetdesk.app.run_gui calls.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _report(rows: int) -> None:
    print(f"painted {time.time():.6f} {_rss_mib():.2f} {rows}", flush=True)


def _when_painted(app, target, ready, then) -> None:
    """After ``target``'s first paint, once ``ready()`` is true: report, then call ``then()``."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class Watch(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.seen = False

        def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt API)
            if not self.seen and event.type() == QEvent.Type.Paint and obj is target():
                self.seen = True
                QTimer.singleShot(0, check)
            return False

    def check() -> None:
        rows = ready()
        if rows is None:
            QTimer.singleShot(1, check)  # the first page is still on its way
            return
        _report(rows)
        then()

    watch = Watch()
    app.installEventFilter(watch)
    app._startup_watch = watch  # kept alive with the app


def floor(with_data_stack: bool = False) -> int:
    if with_data_stack:
        # What reading the database through SQLAlchemy's ORM and pydantic models costs any design, before Qt.
        import pydantic  # noqa: F401
        import sqlalchemy.orm  # noqa: F401
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication(sys.argv)
    window = QMainWindow()
    window.setWindowTitle("floor")
    window.setCentralWidget(QLabel("A bare window"))
    window.resize(1280, 820)
    _when_painted(app, lambda: window, lambda: 0, app.quit)
    window.show()
    return app.exec()


def sign_in() -> int:
    from facetdesk import app as facetdesk_app

    app = facetdesk_app.start_qt()
    ctx = facetdesk_app.open_context(sys.argv[2])
    if ctx is None:
        return 1
    try:
        from PySide6.QtWidgets import QApplication

        from facetdesk.ui.sign_in import sign_in_at_start

        _when_painted(app, QApplication.activeModalWidget, lambda: 0, lambda: QApplication.activeModalWidget().reject())
        return 0 if sign_in_at_start(ctx.accounts) is None else 1
    finally:
        ctx.close()


def main_window() -> int:
    from facetdesk import app as facetdesk_app

    app = facetdesk_app.start_qt()
    ctx = facetdesk_app.open_context(sys.argv[2])
    if ctx is None:
        return 1
    try:
        from facetdesk.domain.users import Actor, Role

        username = sys.argv[3]
        # As AccountService.sign_in leaves it, without the password check (argon2), which a person's typing
        # would precede anyway.
        ctx.work.sign_in(
            Actor(
                username=username, display_name="Dr. Bench", role=Role.PHYSICIAN, is_admin=True,
                workstation=ctx.work.workstation,
            )
        )  # fmt: skip
        holder: dict = {}

        def rows() -> int | None:
            count = holder["window"].patient_list.model.rowCount()
            return count or None

        _when_painted(app, lambda: holder.get("window"), rows, app.quit)
        holder["window"] = facetdesk_app.show_main_window(ctx)
        return app.exec()
    finally:
        ctx.close()


if __name__ == "__main__":
    kinds = {"floor": floor, "stack": lambda: floor(with_data_stack=True), "sign-in": sign_in, "main": main_window}
    sys.exit(kinds[sys.argv[1]]())
