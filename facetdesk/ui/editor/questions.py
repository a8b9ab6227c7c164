"""The questions the procedure editor asks: the signing password, reasons for findings, an addendum's text."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QInputDialog, QLineEdit, QWidget

from facetdesk.rules.registry import rule_title

if TYPE_CHECKING:
    from facetdesk.domain.procedure import Procedure
    from facetdesk.rules import Finding


class EditorQuestions(QObject):
    """Each question as one method, so tests replace it to answer without a dialog; cancelling answers None."""

    def __init__(self, parent: QWidget, signer_name: Callable[[Procedure], str]):
        super().__init__(parent)
        self._parent, self._signer_name = parent, signer_name

    def ask_sign(self, procedure: Procedure) -> str | None:
        """The physician's password to sign with (signing re-authenticates); None when they cancel."""
        return self.ask_password(self.tr("Sign procedure"), self.sign_question(procedure))

    def sign_question(self, procedure: Procedure) -> str:
        return self.tr(
            "Sign this procedure as {name}?\n\nAfter signing it can no longer be changed; "
            "corrections are added as signed addenda.\n\nYour password opens your signing key:"
        ).format(name=self._signer_name(procedure))

    def ask_acknowledgements(self, findings: list) -> dict[str, str] | None:
        """A reason for each open warning and critical finding (signing needs one each); None when cancelled."""
        from facetdesk.ui.signing.acknowledge_dialog import AcknowledgeDialog

        dialog = AcknowledgeDialog(findings, self._parent)
        return dialog.answers() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def ask_password(self, title: str, label: str) -> str | None:
        password, ok = QInputDialog.getText(self._parent, title, label, QLineEdit.EchoMode.Password)
        return password if ok and password else None

    def ask_addendum_text(self) -> str | None:
        text, ok = QInputDialog.getMultiLineText(
            self._parent,
            self.tr("Add addendum"),
            self.tr("Addendum text. It is signed with your name and the time now and cannot be edited afterwards."),
        )
        return text.strip() if ok and text.strip() else None

    def ask_reason(self, finding: Finding) -> str | None:
        """Why the physician proceeds despite ``finding``."""
        text, ok = QInputDialog.getMultiLineText(
            self._parent,
            self.tr("Acknowledge finding"),
            self.tr(
                "{rule}\n{msg}\n\nWhy do you proceed? This reason is stored with the procedure and printed in the note."
            ).format(rule=f"{rule_title(finding.rule)} ({finding.rule})", msg=finding.message),
        )
        return text.strip() if ok and text.strip() else None
