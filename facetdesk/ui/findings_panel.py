"""Findings panel: decision-support results beside the editor, most serious first, with overrides."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from facetdesk.domain.procedure import Override
from facetdesk.rules import Finding, Severity, Status
from facetdesk.ui import style
from facetdesk.ui.widgets import named


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
# Checks that raise nothing: listed only when "Show guidelines that are met" is ticked.
_QUIET = (Status.MET, Status.NOT_APPLICABLE)


def finding_text(f: Finding, override: Override | None) -> str:
    if f.status == Status.MET:
        return f"✓ {f.rule}: {f.message}"
    if f.status == Status.NOT_APPLICABLE:
        return f"– {f.rule}: {f.message}"
    if f.status == Status.ADVISORY:
        return f"ℹ {f.rule}: {f.message}"
    head = f"{f.severity.value.upper()} · {STATUS_WORDS[f.status]} · {f.rule}"
    text = f"{head}\n{f.message}"
    if override is not None:
        text += f"\n✔ Acknowledged by {override.acknowledged_by}: {override.reason}"
    elif f.needs_acknowledgement:
        text += "\n⚠ Needs acknowledgement with a reason"
    return text


class FindingsPanel(QWidget):
    focus_requested = Signal(tuple)
    acknowledge_requested = Signal(object)  # Finding

    def __init__(self) -> None:
        super().__init__()
        self._findings: list[Finding] = []
        self.title = QLabel(self.tr("<b>Decision support</b>"))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet(f"color: {style.MUTED_COLOR};")
        self.show_met = named(QCheckBox(self.tr("Show guidelines that are met")), "Show met findings")
        self.show_met.setChecked(True)
        self.setMinimumWidth(320)
        self.list = named(QListWidget(), "Findings")
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.setSpacing(2)
        self.acknowledge_button = named(
            QPushButton(self.tr("Acknowledge with reason…")), "Acknowledge finding", "Document why you proceed"
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

    def set_findings(
        self, findings: list[Finding], overrides: list[Override], problems: list[str] | None = None
    ) -> None:
        self._findings = findings
        self._overrides = overrides
        self._fill()
        counts = {
            s: sum(1 for f in findings if f.severity == s and f.status not in (*_QUIET, Status.ADVISORY))
            for s in Severity
        }
        open_acks = sum(1 for f in findings if f.needs_acknowledgement and self._override(f) is None)
        parts = [f"{counts[s]} {s.value}" for s in (Severity.CRITICAL, Severity.WARNING, Severity.CAUTION) if counts[s]]
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
        self._fill()
        self.summary.setText(self.tr("Not evaluated yet"))
        self.problems.setText(
            self.tr("Decision support runs once these are filled in or fixed: ") + "; ".join(problems)
            if problems
            else ""
        )

    def set_can_acknowledge(self, allowed: bool) -> None:
        """Acknowledging changes the procedure: only for whoever may change it (and not once signed)."""
        self._can_acknowledge = allowed
        self._selection_changed(self.list.currentItem())

    def _override(self, f: Finding) -> Override | None:
        return next((o for o in self._overrides if o.rule == f.rule), None)

    def _fill(self) -> None:
        current = self.list.currentItem()
        current_rule = current.data(Qt.ItemDataRole.UserRole).rule if current else None
        self.list.clear()
        for f in self._findings:
            if f.status in _QUIET and not self.show_met.isChecked():
                continue
            item = QListWidgetItem(finding_text(f, self._override(f)))
            item.setData(Qt.ItemDataRole.UserRole, f)
            color = severity_color(f.severity if f.status not in _QUIET else Severity.INFO)
            item.setForeground(QBrush(QColor(color)))
            item.setToolTip(f"Source: {f.source}")
            self.list.addItem(item)
            if f.rule == current_rule:
                self.list.setCurrentItem(item)

    def item_for(self, rule: str) -> QListWidgetItem | None:
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole).rule == rule:
                return self.list.item(i)
        return None

    def _selection_changed(self, item: QListWidgetItem | None, _previous=None) -> None:
        f: Finding | None = item.data(Qt.ItemDataRole.UserRole) if item else None
        self.source.setText(self.tr("Source: {s}").format(s=f.source) if f else "")
        self.acknowledge_button.setEnabled(bool(self._can_acknowledge and f and f.needs_acknowledgement))

    def _activated(self, item: QListWidgetItem) -> None:
        f: Finding = item.data(Qt.ItemDataRole.UserRole)
        if f.field:
            self.focus_requested.emit(tuple(f.field))

    def _acknowledge(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.acknowledge_requested.emit(item.data(Qt.ItemDataRole.UserRole))
