"""Composition root: checks the display, builds the context, signs the user in and shows the main window.

Start-up is kept to what the first screen needs (see docs/benchmarks.md for the figures): the data layer is
imported before Qt, because PySide6's import hook reads the source of every module imported after it; the
sign-in needs only the accounts; the main window builds the procedure editor, the dialogs and the note preview
(and imports reportlab, QtCharts, QtPdf, the rules and Alembic) only when they are first used; and the daily
backup runs on a thread of its own.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING

from facetdesk.display import LINUX_LIBS_HINT, window_problem

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from facetdesk.services.context import AppContext
    from facetdesk.ui.main_window import MainWindow

EXIT_NO_WINDOW = 3


def run_gui(db_url: str | None = None) -> int:
    problem = window_problem()
    if problem:
        print(f"{LINUX_LIBS_HINT}\n({problem})", file=sys.stderr)
        return EXIT_NO_WINDOW
    app = start_qt()
    ctx = open_context(db_url)
    if ctx is None:
        return 1
    try:
        from facetdesk.storage.errors import StorageError
        from facetdesk.ui.sign_in import sign_in_at_start

        try:
            # Nobody sees a patient before signing in: the first account on a new database, else the sign-in.
            actor = sign_in_at_start(ctx.accounts)
        except StorageError as exc:
            _critical(f"Signing in is not possible now.\n\n{exc}")
            return 1
        if actor is None:
            return 0
        _window = show_main_window(ctx)  # referenced here while the app runs
        try:
            return app.exec()
        finally:
            _sign_out(ctx)
    finally:
        ctx.close()


def start_qt() -> QApplication:
    """The QApplication, named for QSettings; the sign-in's data layer is imported before Qt (see above)."""
    _import_before_qt()
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    # Fractional scaling (125%, 150%) renders sharp text instead of rounding to whole factors.
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("FacetDesk")
    app.setOrganizationName("FacetDesk")
    return app


def _import_before_qt() -> None:
    # PySide6 (shibokensupport.feature) hooks the import statement and reads the source of every module that
    # imports after PySide6 is loaded, to look for "from __feature__ import"; on SQLAlchemy, pydantic and the
    # data layer that costs about a fifth of their import time, so what signing in needs is imported first.
    for name in ("facetdesk.services.context", "facetdesk.services.accounts", "facetdesk.storage.errors"):
        importlib.import_module(name)


def open_context(db_url: str | None) -> AppContext | None:
    """Open the database (migrating it if it is older); None, after telling the user why, when it cannot be."""
    from facetdesk.services.context import build_context
    from facetdesk.storage.errors import DatabaseError

    try:
        return build_context(db_url)
    except DatabaseError as exc:
        _critical(f"The database could not be opened.\n\n{exc}")
        return None


def show_main_window(ctx: AppContext) -> MainWindow:
    """The main window for the signed-in user, shown; the daily backup starts once it is up."""
    from PySide6.QtCore import QTimer

    from facetdesk.ui.main_window import MainWindow

    window = MainWindow(ctx)
    _show_refusals_in(window)
    window.show()
    QTimer.singleShot(0, lambda: _start_daily_backup(window, ctx))
    return window


def _critical(message: str) -> None:
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.critical(None, "FacetDesk", message)


def _show_refusals_in(window) -> None:
    """A NotPermitted or StorageError that escapes a slot is explained in the window, not a crash."""
    from facetdesk.domain.users import NotPermitted
    from facetdesk.storage.errors import StorageError

    previous = sys.excepthook

    def hook(kind, value, tb) -> None:
        # A refusal (role) or a database that went away, escaping a slot: said where the user looks,
        # with the typed work kept, instead of ending the app.
        if isinstance(value, (NotPermitted, StorageError)):
            window.show_not_permitted(value)
        else:
            previous(kind, value, tb)

    sys.excepthook = hook


def _sign_out(ctx) -> None:
    from facetdesk.storage.errors import StorageError

    try:
        ctx.accounts.sign_out()
    except StorageError:
        pass  # the database went away: nothing more to record


def _start_daily_backup(window, ctx) -> None:
    """The daily backup on a worker thread: copying and checking a clinic's database takes seconds.

    SQLite's online backup reads one committed state while the app goes on working. The thread is not a
    daemon, so quitting waits for a backup under way instead of leaving half a file.
    """
    import threading

    from PySide6.QtCore import QObject, Signal, Slot

    from facetdesk.services.backups import startup_backup

    class Reporter(QObject):
        # Emitted on the worker thread; the slot runs on the GUI thread (the reporter lives there).
        finished = Signal(str)

        @Slot(str)
        def show(self, message: str) -> None:
            if message:
                window.statusBar().showMessage(message, 10000)

    reporter = Reporter(window)
    reporter.finished.connect(reporter.show)
    url = ctx.database.url

    def work() -> None:
        message = startup_backup(url)
        try:
            reporter.finished.emit(message)
        except RuntimeError:
            pass  # the window was closed meanwhile; the backup itself is done

    threading.Thread(target=work, name="facetdesk-daily-backup").start()
