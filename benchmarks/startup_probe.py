"""One start-up, in a fresh process, for bench_startup.py: prints when each screen is painted, and VmRSS.

Run: python benchmarks/startup_probe.py floor|stack|sign-in|main [DB] [USERNAME] [PASSWORD]

- floor: a bare QApplication and QMainWindow (1280 x 820, as FacetDesk's) with a label, shown;
- stack: the same after importing SQLAlchemy's ORM and pydantic, which FacetDesk reads its database with;
- sign-in: FacetDesk's own start-up (facetdesk.app.run_gui, as ``facetdesk --db DB`` runs it) to the sign-in
  dialog painted, then until the database is open behind it ("Sign in" enabled); then Quit;
- main: the same, then USERNAME and PASSWORD are typed into the dialog and "Sign in" is pressed as soon as the
  worker behind the dialog has also imported the main window's modules (a person would still be typing), to
  the main window painted with the patient list's first page.

Lines printed, each ``<what> <unix time> <VmRSS MiB> <rows in the patient list>``: ``painted`` (the first
window: the bare one, or the sign-in dialog), ``open`` ("Sign in" enabled), ``ready`` (the worker done),
``clicked`` and ``main``; each taken in the next turn
of the event loop after the event it names. The parent stamps the time before starting this process, so the
figures include the interpreter's own start. Nothing here is part of FacetDesk.
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


def _report(rows: int, what: str = "painted") -> None:
    print(f"{what} {time.time():.6f} {_rss_mib():.2f} {rows}", flush=True)


def _when_painted(app, target, ready, then, what: str = "painted") -> None:
    """After ``target``'s first paint, once ``ready()`` is true: report ``what``, then call ``then()``."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class Watch(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.seen = False

        def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt API)
            if not self.seen and event.type() == QEvent.Type.Paint and obj is target():
                self.seen = True
                app.removeEventFilter(self)  # watching every event costs the start-up being measured
                QTimer.singleShot(0, check)
            return False

    def check() -> None:
        rows = ready()
        if rows is None:
            QTimer.singleShot(1, check)  # the first page is still on its way
            return
        _report(rows, what)
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


def facetdesk(then_sign_in: bool) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from facetdesk import app as facetdesk_app
    from facetdesk.ui.signing import sign_in

    real_exec = sign_in.SignInDialog.exec
    holder: dict = {}

    def when_open() -> None:
        dialog = holder["dialog"]
        if not dialog.sign_in_button.isEnabled():
            QTimer.singleShot(1, when_open)
            return
        if "open" not in holder:
            holder["open"] = True
            _report(0, "open")
        if not then_sign_in:
            dialog.reject()
            return
        if not dialog.opening.done:  # the main window's modules still loading, as while a person types
            QTimer.singleShot(1, when_open)
            return
        _report(0, "ready")
        dialog.username.setText(sys.argv[3])
        dialog.password.setText(sys.argv[4])
        _report(0, "clicked")
        dialog.sign_in_button.click()

    real_show_main_window = facetdesk_app.show_main_window

    def show_main_window_watched(ctx):
        holder: dict = {}

        def rows() -> int | None:
            return holder["window"].patient_list.model.rowCount() or None

        app = QApplication.instance()
        _when_painted(app, lambda: holder.get("window"), rows, app.quit, "main")
        holder["window"] = real_show_main_window(ctx)
        return holder["window"]

    def exec_watched(dialog) -> int:
        holder["dialog"] = dialog
        _when_painted(QApplication.instance(), lambda: dialog, lambda: 0, when_open)
        return real_exec(dialog)

    sign_in.SignInDialog.exec = exec_watched
    facetdesk_app.show_main_window = show_main_window_watched
    return facetdesk_app.run_gui(sys.argv[2])


if __name__ == "__main__":
    kinds = {
        "floor": floor,
        "stack": lambda: floor(with_data_stack=True),
        "sign-in": lambda: facetdesk(then_sign_in=False),
        "main": lambda: facetdesk(then_sign_in=True),
    }
    sys.exit(kinds[sys.argv[1]]())
