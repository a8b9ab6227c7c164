"""Composition root: checks the display, builds the context, signs the user in and shows the main window."""

from __future__ import annotations

import sys

from facetdesk.display import LINUX_LIBS_HINT, window_problem

EXIT_NO_WINDOW = 3


def run_gui(db_url: str | None = None) -> int:
    problem = window_problem()
    if problem:
        print(f"{LINUX_LIBS_HINT}\n({problem})", file=sys.stderr)
        return EXIT_NO_WINDOW

    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication, QMessageBox

    from facetdesk.services.context import build_context
    from facetdesk.storage.errors import DatabaseError, StorageError
    from facetdesk.ui.main_window import MainWindow
    from facetdesk.ui.sign_in import sign_in_at_start

    # Fractional scaling (125%, 150%) renders sharp text instead of rounding to whole factors.
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("FacetDesk")
    app.setOrganizationName("FacetDesk")
    try:
        ctx = build_context(db_url)
    except DatabaseError as exc:
        QMessageBox.critical(None, "FacetDesk", f"The database could not be opened.\n\n{exc}")
        return 1
    try:
        try:
            # Nobody sees a patient before signing in: the first account on a new database, else the sign-in.
            actor = sign_in_at_start(ctx.accounts)
        except StorageError as exc:
            QMessageBox.critical(None, "FacetDesk", f"Signing in is not possible now.\n\n{exc}")
            return 1
        if actor is None:
            return 0
        window = MainWindow(ctx)
        _show_refusals_in(window)
        window.show()
        # After the window is up, so a slow disk never delays the first screen.
        QTimer.singleShot(0, lambda: _daily_backup(window, ctx))
        try:
            return app.exec()
        finally:
            _sign_out(ctx)
    finally:
        ctx.close()


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


def _daily_backup(window, ctx) -> None:
    from facetdesk.services.backups import startup_backup

    message = startup_backup(ctx.database.url)
    if message:
        window.statusBar().showMessage(message, 10000)
