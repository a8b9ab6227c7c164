"""Before signing: every open warning and critical finding, each with the reason the physician signs over it."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from facetdesk.domain.finding import Finding, Severity
from facetdesk.rules.registry import rule_title
from facetdesk.ui.common import style
from facetdesk.ui.common.widgets import named, rich


class AcknowledgeDialog(QDialog):
    """Signing is refused while any of these findings lacks a reason; OK stays off until each has one."""

    def __init__(self, findings: list[Finding], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Acknowledge before signing"))
        self.resize(720, 420)
        intro = QLabel(
            self.tr(
                "These findings are open. Give the reason you sign over each; it is stored with the signature "
                "and printed in the note (a critical finding on page 1)."
            )
        )
        intro.setWordWrap(True)
        body = QWidget()
        form = QFormLayout(body)
        self.reasons: dict[str, QLineEdit] = {}
        for f in findings:
            title = rich(rule_title(f.rule))
            heading = QLabel(f"<b>{f.severity.value.upper()} · {title}</b><br>{rich(f.message)}")
            heading.setWordWrap(True)
            if f.severity is Severity.CRITICAL:
                heading.setStyleSheet(f"color: {style.CRITICAL_COLOR};")
            reason = named(QLineEdit(), f"Reason for {f.rule}", self.tr("Why you sign although this was found"))
            reason.textChanged.connect(self._update)
            self.reasons[f.rule] = reason
            form.addRow(heading)
            form.addRow(self.tr("Reason"), reason)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Continue to sign…"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)
        self._update()

    def _update(self) -> None:
        complete = all(r.text().strip() for r in self.reasons.values())
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(complete)

    def answers(self) -> dict[str, str]:
        return {rule: edit.text().strip() for rule, edit in self.reasons.items()}
