"""Opening the database on a worker thread while the sign-in dialog is already on screen.

Importing the data layer (SQLAlchemy, pydantic, the services) and opening the database takes several times as
long as Qt needs to paint the first window. A person needs longer still to type a password, so the sign-in
dialog is painted first and the database opens meanwhile; ``opened`` or ``failed`` arrives on the GUI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from facetdesk.services.context import AppContext


class DatabaseOpening(QObject):
    """Runs ``open_context`` once, on its own thread; holds the context, or the exception that stopped it."""

    # Emitted on the worker thread; connected slots run on the GUI thread, where this object lives.
    opened = Signal()
    failed = Signal()

    def __init__(
        self,
        open_context: Callable[[], AppContext],
        prepare: Callable[[], object] | None = None,
        parent: QObject | None = None,
    ):
        """``prepare``: run on the same thread once the database is open (importing the main window's modules
        while the user is still typing), so signing in does not wait for it."""
        super().__init__(parent)
        self._open_context = open_context
        self._prepare = prepare
        self._thread: threading.Thread | None = None
        self.context: AppContext | None = None
        self.has_accounts = False
        self.error: BaseException | None = None

    @property
    def started(self) -> bool:
        return self._thread is not None

    @property
    def done(self) -> bool:
        return self._thread is not None and not self._thread.is_alive()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="facetdesk-open-database")
            self._thread.start()

    def _work(self) -> None:
        try:
            context = self._open_context()
            self.context = context
            # The sign-in asks this first; answered here, the dialog never waits on the database.
            self.has_accounts = context.accounts.has_accounts()
        except BaseException as exc:  # noqa: BLE001 (handed to the GUI thread, which decides; nothing is lost)
            self.error = exc
            self.failed.emit()
            return
        self.opened.emit()
        if self._prepare is not None:
            self._prepare()  # an error here is a fault in the app's own modules: it surfaces again on use

    def wait(self) -> None:
        """Until the worker has finished (it is never left half-way: quitting waits for it)."""
        if self._thread is not None:
            self._thread.join()

    def close(self) -> None:
        """Wait for the worker, then close what it opened."""
        self.wait()
        if self.context is not None:
            self.context.close()
            self.context = None
