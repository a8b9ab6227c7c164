"""Composition root: checks the display, paints the sign-in, opens the database behind it, shows the main window.

Start-up is kept to what the first screen needs (see docs/benchmarks.md for the figures): the sign-in dialog is
painted by Qt alone, and the data layer (SQLAlchemy, pydantic, the services) is imported and the database opened
on a worker thread while the user types (ui/signing/opening.py); the main window builds the procedure editor, the
dialogs and the note preview (and imports reportlab, QtCharts, QtPdf, the rules and Alembic) only when they are
first used; and the daily backup runs on a thread of its own.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from facetdesk.window_check import LINUX_LIBS_HINT, window_problem

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from facetdesk.services.context import AppContext
    from facetdesk.ui.shell.main_window import MainWindow
    from facetdesk.ui.signing.opening import DatabaseOpening

EXIT_NO_WINDOW = 3


def run_gui(db_url: str | None = None) -> int:
    problem = window_problem()
    if problem:
        print(f"{LINUX_LIBS_HINT}\n({problem})", file=sys.stderr)
        return EXIT_NO_WINDOW
    app = start_qt()
    opening = start_opening(db_url)
    try:
        from facetdesk.ui.signing.sign_in import sign_in_at_start

        # Nobody sees a patient before signing in: the first account on a new database, else the sign-in.
        actor = sign_in_at_start(opening)
        if actor is None:
            opening.wait()
            return _explain_opening_failure(opening)
        ctx = opening.context
        assert ctx is not None  # signed in, so the database is open
        _window = show_main_window(ctx)  # referenced here while the app runs
        try:
            return app.exec()
        finally:
            _sign_out(ctx)
    finally:
        opening.close()


def start_qt() -> QApplication:
    """The QApplication, named for QSettings."""
    from PySide6.QtWidgets import QApplication

    _restore_plain_import()
    # Fractional scaling (125%, 150%) is rendered as it is, sharp: Qt 6's own default rounding policy
    # (PassThrough), so it is not set here; touching PySide6's Qt namespace before the first paint costs 15 ms.
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName("FacetDesk")
    app.setOrganizationName("FacetDesk")
    return app


def _restore_plain_import() -> None:
    """Undo PySide6's import hook, which serves only its opt-in ``from __feature__ import`` syntax.

    Importing PySide6 replaces ``builtins.__import__`` with ``__feature_import__``, which reads the source of
    every module imported afterwards (inspect.getsource, kept in linecache) to see whether it uses PySide6.
    On the data layer imported behind the sign-in that cost a fifth more time and 18 MiB that stay resident
    (docs/benchmarks.md). FacetDesk selects no __feature__, so Python's own import (which PySide6 keeps as
    ``builtins.__orig_import__``) does the same work; a PySide6 without that name is left as it is.
    """
    import builtins

    plain = getattr(builtins, "__orig_import__", None)
    if plain is not None:
        builtins.__import__ = plain


def start_opening(
    db_url: str | None, drafts_dir: Path | None = None, anchor_file: Path | None = None
) -> DatabaseOpening:
    """The database's opening (and migration, if it is older), to run behind the sign-in dialog.

    ``drafts_dir`` and ``anchor_file``: instead of the user data folder's (the self-test keeps them apart)."""
    from facetdesk.ui.signing.opening import DatabaseOpening

    def open_it() -> AppContext:
        from facetdesk.services.context import build_context

        return build_context(db_url, drafts_dir=drafts_dir, anchor_file=anchor_file)

    def prepare_main_window() -> None:
        import facetdesk.ui.shell.main_window  # noqa: F401 (imported ahead, not used here)

    return DatabaseOpening(open_it, prepare_main_window)


def _explain_opening_failure(opening: DatabaseOpening) -> int:
    """0 when the user quit; 1, after saying why, when the database could not be opened or read."""
    error = opening.error
    if error is None:
        return 0
    from facetdesk.storage.errors import DatabaseError, StorageError

    if isinstance(error, DatabaseError) or (isinstance(error, StorageError) and opening.context is None):
        _critical(f"The database could not be opened.\n\n{error}")
    elif isinstance(error, StorageError):
        _critical(f"Signing in is not possible now.\n\n{error}")
    else:
        raise error  # a fault, not a clinic's problem: reported as any other would be
    return 1


def show_main_window(ctx: AppContext, daily_backup: bool = True) -> MainWindow:
    """The main window for the signed-in user, shown; the daily backup starts once it is up (unless told not to:
    the self-test's database is not the user's)."""
    from PySide6.QtCore import QTimer

    from facetdesk.ui.common.app_icon import ensure_application_icon
    from facetdesk.ui.shell.main_window import MainWindow

    ensure_application_icon()  # set after the sign-in dialog's first paint; not yet on a start without it
    window = MainWindow(ctx)
    _show_refusals_in(window)
    window.show()
    if daily_backup:
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


def _start_daily_backup(window, ctx, delay_s: float | None = None) -> None:
    """The daily backup on a worker thread: copying and checking a clinic's database takes seconds.

    SQLite's online backup reads one committed state while the app goes on working. The thread is not a
    daemon, so quitting waits for a backup under way instead of leaving half a file.
    """
    import threading

    from PySide6.QtCore import QObject, Signal, Slot

    from facetdesk.services.backups import DAILY_BACKUP_DELAY_S, startup_backup

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

    def start() -> None:
        threading.Thread(target=work, name="facetdesk-daily-backup").start()

    # Later, not at start: the copy must not compete with the physician's first minute. The timer is a daemon (a
    # quit before it fires simply skips today's backup until the next start); the backup itself is not.
    timer = threading.Timer(DAILY_BACKUP_DELAY_S if delay_s is None else delay_s, start)
    timer.daemon = True
    timer.start()
