"""Composition root: checks the display, builds the context and shows the main window."""

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
    from facetdesk.storage.errors import DatabaseError
    from facetdesk.ui.main_window import MainWindow

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
    window = MainWindow(ctx)
    window.show()
    # After the window is up, so a slow disk never delays the first screen.
    QTimer.singleShot(0, lambda: _daily_backup(window, ctx))
    try:
        return app.exec()
    finally:
        ctx.close()


def _daily_backup(window, ctx) -> None:
    from facetdesk.services.backups import startup_backup

    message = startup_backup(ctx.database.url)
    if message:
        window.statusBar().showMessage(message, 10000)
