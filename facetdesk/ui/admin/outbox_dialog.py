"""File → EHR outbox: the signed notes on their way to the EHR, pending, sent and failed, with Retry and Send now."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from facetdesk.domain.ehr import DeliveryStatus, Destination, MessageKind, OutboxEntry
from facetdesk.domain.timefmt import fmt_date, fmt_datetime
from facetdesk.domain.users import NotPermitted
from facetdesk.storage.errors import StorageError
from facetdesk.ui.common import style
from facetdesk.ui.common.rows_model import RowsTableModel
from facetdesk.ui.common.widgets import ErrorLabel, named

STATUS_LABELS = {
    DeliveryStatus.PENDING: "Pending",
    DeliveryStatus.SENDING: "Sending…",
    DeliveryStatus.SENT: "Sent",
    DeliveryStatus.FAILED: "Failed",
}
KIND_LABELS = {MessageKind.HL7_MDM: "HL7 v2 MDM", MessageKind.FHIR_DOCUMENT: "FHIR DocumentReference"}
DESTINATION_LABELS = {Destination.FOLDER: "Folder", Destination.MLLP: "Interface engine"}


def result_text(e: OutboxEntry) -> str:
    """What happened last, in words: the ACK, the error, or when the next attempt is due."""
    if e.status is DeliveryStatus.SENT:
        when = fmt_datetime(e.sent_at) if e.sent_at else ""
        return f"acknowledged ({e.ack_code}) {when}".strip() if e.ack_code else f"written {when}".strip()
    if e.status is DeliveryStatus.PENDING and e.attempts and e.next_attempt_at:
        return f"{e.last_error}; next attempt {fmt_datetime(e.next_attempt_at)}"
    if e.status is DeliveryStatus.PENDING:
        return "waiting for its first attempt"
    return e.last_error


class OutboxModel(RowsTableModel):
    HEADERS = ("Queued", "Patient", "Procedure date", "Message", "Destination", "Status", "Attempts", "Last result")

    def set_entries(self, entries: list[OutboxEntry]) -> None:
        self.beginResetModel()
        self._rows = list(entries)
        self.endResetModel()

    def entry(self, row: int) -> OutboxEntry:
        return self._rows[row]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        e: OutboxEntry = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                fmt_datetime(e.created_at),
                e.patient,
                fmt_date(e.performed_at.date()) if e.performed_at else "",
                self.tr(KIND_LABELS[e.kind]) + ("" if e.part == 0 else self.tr(" (addendum {n})").format(n=e.part)),
                f"{self.tr(DESTINATION_LABELS[e.destination])}: {e.target}",
                self.tr(STATUS_LABELS[e.status]),
                str(e.attempts),
                result_text(e),
            )[col]
        if role == Qt.ItemDataRole.ForegroundRole and col == 5:
            if e.status is DeliveryStatus.FAILED:
                return QColor(style.ERROR_COLOR)
            if e.status is DeliveryStatus.SENT:
                return QColor(style.DERIVED_COLOR)
        if role == Qt.ItemDataRole.ToolTipRole and col == 7:
            return result_text(e)
        return None


class OutboxDialog(QDialog):
    """Lists the outbox newest first; ``send_now`` asks the window's runner for a round (off this thread)."""

    def __init__(self, outbox, runner, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("EHR outbox"))
        self.resize(1250, 520)
        self._outbox, self._runner = outbox, runner
        self.model = OutboxModel(self)
        self.table = named(QTableView(), "EHR outbox messages")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.summary = named(QLabel(), "Outbox summary")
        self.setup_hint = QLabel()
        self.setup_hint.setWordWrap(True)
        self.error = ErrorLabel()
        self.retry_button = named(QPushButton(self.tr("Retry selected")), "Retry selected message")
        self.send_button = named(QPushButton(self.tr("Send due messages now")), "Send due messages now")
        self.refresh_button = named(QPushButton(self.tr("Refresh")), "Refresh outbox")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        for b in (self.retry_button, self.send_button, self.refresh_button):
            row.addWidget(b)
        row.addStretch()
        layout = QVBoxLayout(self)
        layout.addWidget(self.setup_hint)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.retry_button.clicked.connect(self.retry_selected)
        self.send_button.clicked.connect(self.send_now)
        self.refresh_button.clicked.connect(self.refresh)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._enable())
        runner.finished.connect(self._round_finished)
        self.refresh()

    def refresh(self) -> None:
        try:
            entries = self._outbox.entries()
            interface = self._outbox.interface()
            # Over every message, not only the newest ones listed.
            counts = self._outbox.counts()
        except (StorageError, NotPermitted) as exc:
            self.error.show_error(self.tr("Cannot read the outbox: {msg}").format(msg=exc))
            return
        self.model.set_entries(entries)
        self.summary.setText(
            self.tr("{p} pending · {s} sent · {f} failed").format(
                p=counts[DeliveryStatus.PENDING] + counts[DeliveryStatus.SENDING],
                s=counts[DeliveryStatus.SENT],
                f=counts[DeliveryStatus.FAILED],
            )
        )
        if not interface.send_on_signing:
            self.setup_hint.setText(
                self.tr(
                    "Signed notes are not sent on signing. An administrator turns it on in "
                    "Clinic settings → EHR interface."
                )
            )
        else:
            where = [interface.outbox_folder] if interface.outbox_folder else []
            if interface.has_mllp:
                where.append(f"{interface.mllp_host}:{interface.mllp_port} (MLLP)")
            self.setup_hint.setText(self.tr("Signed notes go to: {w}").format(w=", ".join(where)))
        self._enable()

    def _selected(self) -> OutboxEntry | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.entry(rows[0].row()) if rows else None

    def _enable(self) -> None:
        chosen = self._selected()
        self.retry_button.setEnabled(chosen is not None and chosen.status is DeliveryStatus.FAILED)
        self.send_button.setEnabled(not self._runner.running)

    def retry_selected(self) -> None:
        chosen = self._selected()
        if chosen is None:
            return
        try:
            self._outbox.retry(chosen.id)
        except (StorageError, NotPermitted, LookupError) as exc:
            self.error.show_error(self.tr("Not retried: {msg}").format(msg=exc))
            return
        self.error.clear_error()
        self.send_now()

    def send_now(self) -> None:
        self._runner.kick()
        self._enable()
        self.refresh()

    def _round_finished(self, _report: object) -> None:
        self.refresh()
