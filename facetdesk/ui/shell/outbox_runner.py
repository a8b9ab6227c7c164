"""Sends the EHR outbox's due messages off the screen's thread: every minute, and at once after a signature."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from facetdesk.domain.users import NotPermitted
from facetdesk.storage.errors import StorageError

if TYPE_CHECKING:
    from facetdesk.services.context import AppContext
    from facetdesk.services.ehr_outbox import DeliveryReport

INTERVAL_MS = 60_000
_log = logging.getLogger(__name__)


class OutboxRunner(QObject):
    """One delivery round at a time, on a worker thread; ``finished`` carries its DeliveryReport (main thread)."""

    finished = Signal(object)  # DeliveryReport
    _done = Signal(object)  # from the worker thread, delivered on this object's (the main) thread

    def __init__(self, ctx: AppContext, parent: QObject, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        self._ctx = ctx
        self._running = False
        self._again = False
        self._done.connect(self._round_done)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.kick)
        self.timer.start()

    @property
    def running(self) -> bool:
        return self._running

    def kick(self) -> None:
        """Send what is due now (a round already running is followed by one more)."""
        if self._ctx.work.actor is None:
            return  # signed out or never signed in: nothing is sent in nobody's name
        if self._running:
            self._again = True
            return
        self._running = True
        deliver: Callable[[], DeliveryReport] = self._ctx.outbox.deliver_due
        threading.Thread(target=self._round, args=(deliver,), name="ehr-outbox", daemon=True).start()

    def _round(self, deliver: Callable[[], DeliveryReport]) -> None:
        try:
            report: object = deliver()
        except (StorageError, NotPermitted, OSError) as exc:
            report = exc
        except Exception as exc:  # noqa: BLE001 (a worker thread must always report back)
            # The class only: a database error's text can quote the values of the row it was writing.
            _log.error("EHR outbox round failed: %s", exc.__class__.__name__)
            report = RuntimeError(f"unexpected {exc.__class__.__name__}")
        try:
            self._done.emit(report)
        except RuntimeError:
            pass  # the window closed while the round ran: nobody to tell

    def _round_done(self, report: object) -> None:
        self._running = False
        self.finished.emit(report)
        if self._again:
            self._again = False
            self.kick()
