"""Findings panel: decision-support results beside the editor, most serious first, with overrides."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFontMetrics
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from facetdesk.domain.procedure import Override
from facetdesk.rules import Finding, Severity, Status
from facetdesk.rules.registry import rule_title
from facetdesk.ui.common import style
from facetdesk.ui.common.widgets import named

ACKNOWLEDGE_TIP = "Document why you proceed"


def severity_color(severity: Severity) -> str:
    return {
        Severity.CRITICAL: style.CRITICAL_COLOR,
        Severity.WARNING: style.WARNING_COLOR,
        Severity.CAUTION: style.CAUTION_COLOR,
        Severity.INFO: style.DERIVED_COLOR,
    }[severity]


STATUS_WORDS = {
    Status.MET: "met",
    Status.NOT_MET: "NOT MET",
    Status.NOT_EVALUATED: "not evaluated",
    Status.NOT_APPLICABLE: "not applicable",
    Status.ADVISORY: "advisory",
}
# Checks that raise nothing: collapsed to one count unless "Show checks that are met" is ticked.
_QUIET = (Status.MET, Status.NOT_APPLICABLE)
_PROBLEM_GROUPS = (
    (Severity.CRITICAL, "Critical"),
    (Severity.WARNING, "Warnings"),
    (Severity.CAUTION, "Cautions"),
    (Severity.INFO, "To note"),
)


def finding_text(f: Finding, override: Override | None) -> str:
    """The finding in plain words, its title first; the rule id is the detail (tooltip and source line)."""
    title = rule_title(f.rule)
    if f.status == Status.MET:
        return f"✓ {title}: {f.message}"
    if f.status == Status.NOT_APPLICABLE:
        return f"– {title}: {f.message}"
    if f.status == Status.ADVISORY:
        return f"ℹ {title}: {f.message}"
    text = f"{title} — {STATUS_WORDS[f.status]}\n{f.message}"
    if override is not None:
        text += f"\n✔ Acknowledged by {override.acknowledged_by}: {override.reason}"
    elif f.needs_acknowledgement:
        text += "\n⚠ Needs acknowledgement with a reason"
    return text


class _WholeText(QStyledItemDelegate):
    """Each finding's height measured at the width its text is painted at. Qt's own hint wraps the text wider
    (without the list's spacing and the style's text margins), so at some panel widths the last line of a finding
    found no room and was cut off with '…'."""

    def __init__(self, view: QListWidget):
        super().__init__(view)
        self._view = view

    def sizeHint(  # noqa: N802 (Qt API)
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        hint = super().sizeHint(option, index)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        view = self._view
        # QCommonStyle paints the text inside the item less the focus-frame margin twice on each side.
        margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
        width = max(1, view.viewport().width() - 2 * view.spacing() - 4 * margin)
        text = QRect(0, 0, width, 1_000_000)
        needed = QFontMetrics(opt.font).boundingRect(text, Qt.TextFlag.TextWordWrap, opt.text).height()
        return QSize(hint.width(), max(hint.height(), needed))


class FindingsPanel(QWidget):
    focus_requested = Signal(tuple)
    acknowledge_requested = Signal(object)  # Finding

    def __init__(self) -> None:
        super().__init__()
        self._findings: list[Finding] = []
        self._pinned: list[Finding] = []
        self.title = QLabel(self.tr("<b>Decision support</b>"))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet(f"color: {style.MUTED_COLOR};")
        self.show_met = named(QCheckBox(self.tr("Show checks that are met")), "Show met findings")
        self.show_met.setChecked(False)
        self.setMinimumWidth(320)
        self.list = named(QListWidget(), "Findings")
        # Every finding whole: wrapped to the panel's width, never cut off with "…".
        self.list.setWordWrap(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setUniformItemSizes(False)
        self.list.setAlternatingRowColors(True)
        self.list.setSpacing(2)
        self.list.setItemDelegate(_WholeText(self.list))
        self.acknowledge_button = named(
            QPushButton(self.tr("Acknowledge with reason…")), "Acknowledge finding", ACKNOWLEDGE_TIP
        )
        self.acknowledge_button.setEnabled(False)
        self._can_acknowledge = True
        self.source = QLabel()
        self.source.setWordWrap(True)
        self.source.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.source.setStyleSheet(f"color: {style.MUTED_COLOR};")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addWidget(self.show_met)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.source)
        row = QHBoxLayout()
        row.addStretch()
        row.addWidget(self.acknowledge_button)
        layout.addLayout(row)
        layout.addWidget(self.problems)
        self._overrides: list[Override] = []
        self.list.currentItemChanged.connect(self._selection_changed)
        self.list.itemActivated.connect(self._activated)
        self.list.itemClicked.connect(self._activated)
        self.acknowledge_button.clicked.connect(self._acknowledge)
        self.show_met.toggled.connect(lambda _on: self._fill())

    @property
    def findings(self) -> list[Finding]:
        return list(self._findings)

    @property
    def pinned(self) -> list[Finding]:
        return list(self._pinned)

    def set_findings(
        self,
        findings: list[Finding],
        overrides: list[Override],
        problems: list[str] | None = None,
        pinned: list[Finding] | None = None,
    ) -> None:
        """``pinned``: findings about a risk the patient has (rules.risks.concerns_present_risk), shown first."""
        self._findings = findings
        self._pinned = [f for f in (pinned or []) if f in findings]
        self._overrides = overrides
        self._fill()
        counts = {
            s: sum(1 for f in findings if f.severity == s and f.status not in (*_QUIET, Status.ADVISORY))
            for s in Severity
        }
        open_acks = sum(1 for f in findings if f.needs_acknowledgement and self._override(f) is None)
        parts = [f"{counts[s]} {s.value}{'s' if counts[s] > 1 else ''}"
                 for s in (Severity.CRITICAL, Severity.WARNING, Severity.CAUTION) if counts[s]]  # fmt: skip
        met = sum(1 for f in findings if f.status == Status.MET)
        applied = sum(1 for f in findings if f.applies)
        text = ", ".join(parts) if parts else self.tr("nothing to flag")
        text += self.tr("; {m} of {a} checks that apply met").format(m=met, a=applied)
        if open_acks:
            text += self.tr(" — {n} to acknowledge").format(n=open_acks)
        self.summary.setText(text)
        self.problems.setText(self.tr("Not yet checked (fix to include): ") + "; ".join(problems) if problems else "")

    def show_not_evaluated(self, problems: list[str]) -> None:
        """The open form does not validate yet: no findings at all (never an earlier result), and why."""
        self._findings = []
        self._pinned = []
        self._fill()
        self.summary.setText(self.tr("Not evaluated yet"))
        self.problems.setText(
            self.tr("Decision support runs once these are filled in or fixed: ") + "; ".join(problems)
            if problems
            else ""
        )

    def set_can_acknowledge(self, allowed: bool, why_not: str = "") -> None:
        """Acknowledging changes the procedure: only for whoever may change it (and not once signed); ``why_not``
        says which on the button."""
        self._can_acknowledge = allowed
        self.acknowledge_button.setToolTip(self.tr(ACKNOWLEDGE_TIP) if allowed else why_not)
        self._selection_changed(self.list.currentItem())

    def _override(self, f: Finding) -> Override | None:
        return next((o for o in self._overrides if o.rule == f.rule), None)

    def _fill(self) -> None:
        """Patient risks pinned first, then problems grouped by severity, advisories, and the quiet checks
        collapsed to one count (listed when "Show checks that are met" is ticked)."""
        current = self.list.currentItem()
        current_finding = self._finding_of(current)
        current_rule = current_finding.rule if current_finding else None
        self.list.clear()
        rest = [f for f in self._findings if f not in self._pinned]
        if self._pinned:
            self._header(self.tr("Patient risks"))
            for f in self._pinned:
                self._add(f, current_rule, quiet_colour=False)
        for severity, label in _PROBLEM_GROUPS:
            group = [f for f in rest if f.status in (Status.NOT_MET, Status.NOT_EVALUATED) and f.severity == severity]
            if group:
                self._header(self.tr("{label} ({n})").format(label=self.tr(label), n=len(group)))
                for f in group:
                    self._add(f, current_rule)
        for f in rest:
            if f.status == Status.ADVISORY:
                self._add(f, current_rule)
        quiet = [f for f in rest if f.status in _QUIET]
        met = sum(1 for f in quiet if f.status == Status.MET)
        if quiet:
            self._header(
                self.tr("✓ {m} checks met, {n} not applicable").format(m=met, n=len(quiet) - met)
                + ("" if self.show_met.isChecked() else self.tr(" (tick 'Show checks that are met' to list them)"))
            )
            if self.show_met.isChecked():
                for f in quiet:
                    self._add(f, current_rule)

    def _header(self, text: str) -> None:
        item = QListWidgetItem(text)
        font = item.font()
        font.setBold(True)
        item.setFont(font)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)  # readable, not selectable: a heading, not a finding
        self.list.addItem(item)

    def _add(self, f: Finding, current_rule: str | None, quiet_colour: bool = True) -> None:
        item = QListWidgetItem(finding_text(f, self._override(f)))
        item.setData(Qt.ItemDataRole.UserRole, f)
        quiet = f.status in _QUIET and quiet_colour
        item.setForeground(QBrush(QColor(severity_color(Severity.INFO if quiet else f.severity))))
        item.setToolTip(f"{f.rule} · Source: {f.source}")
        self.list.addItem(item)
        if f.rule == current_rule:
            self.list.setCurrentItem(item)

    @staticmethod
    def _finding_of(item: QListWidgetItem | None) -> Finding | None:
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def item_for(self, rule: str) -> QListWidgetItem | None:
        for i in range(self.list.count()):
            f = self._finding_of(self.list.item(i))
            if f is not None and f.rule == rule:
                return self.list.item(i)
        return None

    def _selection_changed(self, item: QListWidgetItem | None, _previous=None) -> None:
        f = self._finding_of(item)
        detail = self.tr("Rule {r} · Source: {s}").format(r=f.rule, s=f.source) if f else ""
        if f and f.unconfirmed_keys:
            detail += self.tr(" · Unconfirmed threshold(s) to review: {k}").format(k=", ".join(f.unconfirmed_keys))
        self.source.setText(detail)
        self.acknowledge_button.setEnabled(bool(self._can_acknowledge and f and f.needs_acknowledgement))

    def _activated(self, item: QListWidgetItem) -> None:
        f = self._finding_of(item)
        if f is not None and f.field:
            self.focus_requested.emit(tuple(f.field))

    def _acknowledge(self) -> None:
        f = self._finding_of(self.list.currentItem())
        if f is not None:
            self.acknowledge_requested.emit(f)
