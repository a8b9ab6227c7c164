"""Administration → Audit trail: who did what to which record and when, filtered and paged; verify its integrity."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDateEdit,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from facetdesk.domain.audit import AuditAction
from facetdesk.domain.users import NotPermitted
from facetdesk.services.audit import AuditService, VerifyReport
from facetdesk.storage.errors import StorageError
from facetdesk.ui.admin.audit_model import ACTION_LABELS, ENTITY_LABELS, AuditTableModel, Describe, utc_midnight
from facetdesk.ui.common import style
from facetdesk.ui.common.widgets import ChoiceCombo, ErrorLabel, named

PAGE_SIZE = 200


class AuditViewer(QDialog):
    """Newest first, one page at a time ("Load more"); filters by user, action, dates and record."""

    def __init__(
        self,
        audit: AuditService,
        usernames: dict[str, str] | None = None,
        parent: QWidget | None = None,
        entity: str | None = None,
        entity_id: str | int | None = None,
        page_size: int = PAGE_SIZE,
        describe: Describe | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Audit trail"))
        self.resize(1200, 720)
        self._audit = audit
        self._page_size = page_size
        self._more = False
        self.model = AuditTableModel()
        self.model.names = dict(usernames or {})
        self.model.describe = describe

        self.user = named(QComboBox(), "Filter by user", self.tr("A user name; empty for everyone"))
        self.user.setEditable(True)
        self.user.addItem("", "")
        for username, name in sorted(self.model.names.items()):
            self.user.addItem(f"{username} — {name}", username)
        self.user.setMinimumWidth(220)
        typed = self.user.lineEdit()
        assert typed is not None  # an editable combo box has its line edit
        typed.setPlaceholderText(self.tr("everyone"))
        self.action = named(
            ChoiceCombo(((a, self.tr(ACTION_LABELS[a])) for a in AuditAction), optional=True, none_label="all"),
            "Filter by action",
        )
        self.since = named(self._date_edit(), "From date", self.tr("First day shown; 'any' for no limit"))
        self.until = named(self._date_edit(), "To date", self.tr("Last day shown (inclusive); 'any' for no limit"))
        self.entity = named(
            ChoiceCombo(ENTITY_LABELS.items(), optional=True, none_label="any record"), "Filter by record type"
        )
        self.entity_id = named(QLineEdit(), "Filter by record number", self.tr("The record's number, e.g. 12"))
        self.entity_id.setPlaceholderText(self.tr("number"))
        self.entity_id.setMaximumWidth(100)
        self.clear_button = named(QPushButton(self.tr("Clear filters")), "Clear filters")

        filters = QGridLayout()
        for col, (label, widget) in enumerate(
            (
                (self.tr("User"), self.user),
                (self.tr("Action"), self.action),
                (self.tr("From"), self.since),
                (self.tr("To"), self.until),
                (self.tr("Record"), self.entity),
                ("", self.entity_id),
            )
        ):
            filters.addWidget(QLabel(label), 0, col)
            filters.addWidget(widget, 1, col)
        filters.addWidget(self.clear_button, 1, 6)
        filters.setColumnStretch(7, 1)

        self.table = named(QTableView(), "Audit entries")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.count = QLabel()
        self.count.setStyleSheet(f"color: {style.MUTED_COLOR};")
        self.load_more_button = named(QPushButton(self.tr("Load more")), "Load more")
        self.error = ErrorLabel()
        self.error.setAccessibleName("Audit trail message")

        self.verify_button = named(
            QPushButton(self.tr("Verify integrity")),
            "Verify integrity",
            self.tr("Check that no audit entry, signed note or addendum was changed after it was written"),
        )
        self.verdict = named(QLabel(), "Integrity verdict")
        self.report = named(QPlainTextEdit(), "Integrity report")
        self.report.setReadOnly(True)
        self.report.hide()
        self.verdict.hide()

        below = QHBoxLayout()
        below.addWidget(self.count, 1)
        below.addWidget(self.load_more_button)
        below.addWidget(self.verify_button)
        close = named(QPushButton(self.tr("Close")), "Close audit trail")
        below.addWidget(close)
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addLayout(filters)
        tl.addWidget(self.table, 1)
        tl.addWidget(self.error)
        tl.addLayout(below)
        bottom = QWidget()
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(self.verdict)
        bl.addWidget(self.report, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.set_record(entity, entity_id, refresh=False)
        self.user.activated.connect(lambda _i: self.refresh())
        typed = self.user.lineEdit()
        assert typed is not None
        typed.editingFinished.connect(self.refresh)
        self.action.currentIndexChanged.connect(lambda _i: self.refresh())
        self.since.dateChanged.connect(lambda _d: self.refresh())
        self.until.dateChanged.connect(lambda _d: self.refresh())
        self.entity.currentIndexChanged.connect(lambda _i: self.refresh())
        self.entity_id.editingFinished.connect(self.refresh)
        self.clear_button.clicked.connect(self.clear_filters)
        self.load_more_button.clicked.connect(self.load_more)
        self.verify_button.clicked.connect(self.verify)
        close.clicked.connect(self.accept)
        self.refresh()

    def _date_edit(self) -> QDateEdit:
        edit = QDateEdit()
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setCalendarPopup(True)
        edit.setMinimumDate(QDate(2000, 1, 1))
        edit.setSpecialValueText(self.tr("any"))
        edit.setDate(edit.minimumDate())
        return edit

    # ---- filters ------------------------------------------------------------
    def set_record(self, entity: str | None, entity_id: str | int | None, refresh: bool = True) -> None:
        """Show one record's trail (e.g. "procedure", 12), as the editor's "Audit trail…" asks."""
        for widget in (self.entity, self.entity_id):
            widget.blockSignals(True)
        self.entity.set_value(entity)
        self.entity_id.setText("" if entity_id is None else str(entity_id))
        for widget in (self.entity, self.entity_id):
            widget.blockSignals(False)
        if refresh:
            self.refresh()

    def set_date_range(self, since: date | None, until: date | None) -> None:
        for edit, day in ((self.since, since), (self.until, until)):
            edit.blockSignals(True)
            edit.setDate(QDate(day.year, day.month, day.day) if day else edit.minimumDate())
            edit.blockSignals(False)
        self.refresh()

    def clear_filters(self) -> None:
        for widget in (self.user, self.action, self.since, self.until, self.entity, self.entity_id):
            widget.blockSignals(True)
        self.user.setCurrentIndex(0)
        self.user.setEditText("")
        self.action.set_value(None)
        self.since.setDate(self.since.minimumDate())
        self.until.setDate(self.until.minimumDate())
        self.entity.set_value(None)
        self.entity_id.clear()
        for widget in (self.user, self.action, self.since, self.until, self.entity, self.entity_id):
            widget.blockSignals(False)
        self.refresh()

    def _day(self, edit: QDateEdit) -> date | None:
        d = edit.date()
        return None if d == edit.minimumDate() else date(d.year(), d.month(), d.day())

    def _username(self) -> str | None:
        text = self.user.currentText().strip()
        index = self.user.findText(text)
        data = self.user.itemData(index) if index >= 0 else None
        return (data or text.split(" — ")[0].strip()) or None

    def filters(self) -> dict:
        """The search as AuditService.search takes it; dates become UTC bounds of local days."""
        since, until = self._day(self.since), self._day(self.until)
        entity_id = self.entity_id.text().strip() or None
        return {
            "username": self._username(),
            "action": self.action.value(),
            "since": utc_midnight(since) if since else None,
            "until": utc_midnight(until + timedelta(days=1)) if until else None,
            "entity": self.entity.value(),
            "entity_id": entity_id,
        }

    # ---- loading --------------------------------------------------------------
    def refresh(self) -> None:
        self.model.clear()
        self._load(0)

    def load_more(self) -> None:
        self._load(self.model.rowCount())

    def _load(self, offset: int) -> None:
        self.error.clear_error()
        try:
            # One more than a page tells whether another page exists, without counting the whole table.
            entries = self._audit.search(**self.filters(), limit=self._page_size + 1, offset=offset)
        except (NotPermitted, StorageError) as exc:
            self.error.show_error(str(exc))
            entries = []
        self._more = len(entries) > self._page_size
        self.model.append(entries[: self._page_size])
        self.load_more_button.setEnabled(self._more)
        n = self.model.rowCount()
        self.count.setText(
            self.tr("{n} entries shown, newest first").format(n=n)
            + (self.tr(" — more with “Load more”") if self._more else "")
        )

    @property
    def has_more(self) -> bool:
        return self._more

    def actions_shown(self) -> list[AuditAction]:
        return [self.model.entry(r).action for r in range(self.model.rowCount())]

    # ---- integrity ------------------------------------------------------------
    def verify(self) -> VerifyReport | None:
        """Run the full check (audit chain, signed notes, addenda) and say OK or CHANGED."""
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            report = self._audit.verify()
        except (NotPermitted, StorageError) as exc:
            self.error.show_error(str(exc))
            return None
        finally:
            QApplication.restoreOverrideCursor()
        if report.ok:
            text = self.tr("OK — everything checked is as it was written.")
            colour = style.DERIVED_COLOR
        else:
            text = self.tr(
                "CHANGED — {n} problem(s): something was altered after it was written. Details below."
            ).format(n=len(report.problems))
            colour = style.ERROR_COLOR
        self.verdict.setText(text)
        self.verdict.setStyleSheet(f"color: {colour}; font-weight: bold;")
        self.report.setPlainText("\n".join(report.lines()))
        self.verdict.show()
        self.report.show()
        return report
