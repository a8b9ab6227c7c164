"""The audit trail as a table: entries in local time, readable action and field names, records named for people."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timezone

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from facetdesk.domain.audit import AuditAction, AuditEntry
from facetdesk.domain.errors import FieldError
from facetdesk.ui.common import style
from facetdesk.ui.common.rows_model import RowsTableModel

ACTION_LABELS: dict[AuditAction, str] = {
    AuditAction.CREATE: "Created",
    AuditAction.UPDATE: "Changed",
    AuditAction.SIGN: "Signed",
    AuditAction.ADDENDUM: "Addendum added",
    AuditAction.DELETE: "Removed",
    AuditAction.EXPORT: "Exported",
    AuditAction.PRINT: "Printed",
    AuditAction.IMPORT: "Imported",
    AuditAction.SIGN_IN: "Signed in",
    AuditAction.SIGN_IN_FAILED: "Sign-in refused",
    AuditAction.SIGN_OUT: "Signed out",
    AuditAction.LOCK: "Screen locked",
    AuditAction.USER_CREATE: "Account added",
    AuditAction.USER_UPDATE: "Account changed",
    AuditAction.SETTINGS_UPDATE: "Clinic settings changed",
    AuditAction.PRESET_SAVE: "Preset saved",
    AuditAction.PRESET_DELETE: "Preset deleted",
    AuditAction.BACKUP: "Backup made",
    AuditAction.RESTORE: "Backup restored",
    AuditAction.TRANSFER: "Records moved in from a workstation",
    AuditAction.LEGACY_SIGNATURES: "Signatures from before keys listed",
    AuditAction.KEY_CREATE: "Signing key made",
    AuditAction.KEY_CERTIFY: "Signing key certified",
    AuditAction.CA_CREATE: "Clinic certificate authority made",
    AuditAction.CA_TRUST: "Another clinic's certificate authority trusted",
}
ENTITY_LABELS: dict[str, str] = {
    "patient": "Patient",
    "procedure": "Procedure",
    "follow_up": "Follow-up",
    "image": "Image",
    "user": "Account",
    "clinic_settings": "Clinic settings",
    "preset": "Preset",
    "workstation": "Workstation",
    "database": "Database",
    "clinic_ca": "Clinic certificate authority",
}
# Bookkeeping in an entry's detail that says nothing at a glance (hashes are for Verify).
_HIDDEN_DETAIL = ("uid",)


def local_time(at: datetime) -> datetime:
    """Entries store naive UTC; people read their own clock."""
    return at.replace(tzinfo=timezone.utc).astimezone()


def utc_midnight(day: date) -> datetime:
    """The start of ``day`` on this computer's clock, as naive UTC (how entries are stored)."""
    return datetime(day.year, day.month, day.day).astimezone().astimezone(timezone.utc).replace(tzinfo=None)


def field_label(dotted: str) -> str:
    """ "pain_scores.0.nrs" -> "Pain scores › row 1 › NRS" (the same names the forms' errors use)."""
    path = tuple(int(p) if p.isdigit() else p for p in dotted.split("."))
    return FieldError(path, "").label


def record_label(entry: AuditEntry) -> str:
    kind = ENTITY_LABELS.get(entry.entity, entry.entity.replace("_", " ").capitalize())
    return f"{kind} {entry.entity_id}" if entry.entity_id else kind


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def detail_text(entry: AuditEntry) -> str:
    parts = []
    for key, value in sorted(entry.detail.items()):
        if key in _HIDDEN_DETAIL or key.endswith("sha256"):
            continue
        parts.append(f"{key.replace('_', ' ')}: {_value(value)}")
    return "; ".join(parts)


# Names a record for the reader ("Ñúñez, María, 2026-10-05"); None when it is gone. Given by the main window.
Describe = Callable[[str, str], "str | None"]


class AuditTableModel(RowsTableModel):
    HEADERS = ("When (local time)", "User", "Workstation", "Action", "Record", "Changed fields", "Details")

    def __init__(self) -> None:
        super().__init__()
        self._ids: set[int | None] = set()
        self.names: dict[str, str] = {}  # user name -> name on signatures, for the User column
        self.describe: Describe | None = None
        self._described: dict[tuple[str, str], str | None] = {}

    def clear(self) -> None:
        self.beginResetModel()
        self._rows = []
        self._ids = set()
        self.endResetModel()

    def append(self, entries: list[AuditEntry]) -> int:
        """Add the next page; entries already shown (the log grew meanwhile, shifting pages) are skipped."""
        new = [e for e in entries if e.id not in self._ids]
        if new:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            self._rows.extend(new)
            self._ids.update(e.id for e in new)
            self.endInsertRows()
        return len(new)

    def entry(self, row: int) -> AuditEntry:
        return self._rows[row]

    def user_text(self, username: str) -> str:
        name = self.names.get(username)
        return f"{name} ({username})" if name else username

    def record_text(self, entry: AuditEntry) -> str:
        """ "Procedure 12 · Ñúñez, María, 2026-10-05": the number the log keeps, and what it is to a reader."""
        label = record_label(entry)
        if self.describe is None or entry.entity_id is None:
            return label
        key = (entry.entity, entry.entity_id)
        if key not in self._described:  # once per record, not once per row or repaint
            self._described[key] = self.describe(*key)
        what = self._described[key]
        return f"{label} · {what}" if what else label

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        e = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                f"{local_time(e.at):%Y-%m-%d %H:%M:%S}",
                self.user_text(e.username),
                e.workstation,
                self.tr(ACTION_LABELS.get(e.action, e.action.value)),
                self.record_text(e),
                ", ".join(field_label(f) for f in e.fields),
                detail_text(e),
            )[col]
        if role == Qt.ItemDataRole.ToolTipRole and col == 5 and e.fields:
            return "\n".join(e.fields)
        if role == Qt.ItemDataRole.ForegroundRole and e.action is AuditAction.SIGN_IN_FAILED:
            return QColor(style.WARNING_COLOR)
        return None
