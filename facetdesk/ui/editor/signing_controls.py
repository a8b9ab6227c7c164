"""The editor's signing and access: sign, lock the form once signed, add signed addenda, and what a role may edit."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QInputDialog, QLabel, QLineEdit, QPushButton, QScrollArea, QWidget

from facetdesk.domain.errors import InvalidRecord
from facetdesk.domain.procedure import Addendum, Procedure
from facetdesk.domain.users import NotPermitted, Permission
from facetdesk.services.session import WorkSession
from facetdesk.storage.errors import StorageError
from facetdesk.ui.common import style
from facetdesk.ui.common.access import why_not
from facetdesk.ui.common.widgets import named, rich

if TYPE_CHECKING:
    from facetdesk.services.signing import SigningService


def _no_signing() -> SigningService:
    raise RuntimeError("this editor was built without a signing service")


SIGN_TIP = "Sign the saved procedure as yourself; it is locked afterwards"
ADDENDUM_TIP = "Add a signed correction to the signed procedure"


class SigningMixin:
    """Mixed into ProcedureEditor; uses its records service, patient, procedure, tabs and buttons."""

    def _build_signing(self) -> None:
        # Set by the main window: who is signed in. None (no session) leaves every control to the services.
        self.work: WorkSession | None = None
        # Set by the main window: the signing service, made on first use (it loads the PDF signer).
        self.signing: Callable[[], SigningService] = _no_signing
        self.sign_button = named(QPushButton(self.tr("Sign…")), "Sign procedure", self.tr(SIGN_TIP))
        self.addendum_button = named(QPushButton(self.tr("Add addendum…")), "Add addendum", self.tr(ADDENDUM_TIP))
        self.audit_button = named(
            QPushButton(self.tr("Audit trail…")),
            "Audit trail of this procedure",
            self.tr("Who saved, signed, exported or printed this procedure, and when"),
        )
        self.audit_button.hide()
        self.signature_banner = named(QLabel(), "Signature")
        self.signature_banner.setStyleSheet(style.BANNER_STYLE)
        self.addenda_view = named(QLabel(), "Addenda")
        self.addenda_view.setTextFormat(Qt.TextFormat.RichText)
        self.addenda_view.setWordWrap(True)
        self.addenda_view.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sign_button.clicked.connect(self.sign)
        self.addendum_button.clicked.connect(self.add_addendum)
        self._locked = False
        self._show_signature(None)

    @property
    def locked(self) -> bool:
        return self._locked

    def may(self, permission: Permission) -> bool:
        return self.work is None or self.work.may(permission)

    def _signer_name(self, procedure: Procedure) -> str:
        actor = self.work.actor if self.work is not None else None
        return actor.display_name if actor is not None else procedure.physician

    def _refuse(self, permission: Permission) -> bool:
        """Say why, when the signed-in user may not; True when refused."""
        if self.may(permission):
            return False
        self.error_summary.show_error(why_not(self.work.actor if self.work else None, permission))
        return True

    # ---- questions (tests replace these) -------------------------------------
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

        dialog = AcknowledgeDialog(findings, self)
        return dialog.answers() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def ask_password(self, title: str, label: str) -> str | None:
        password, ok = QInputDialog.getText(self, title, label, QLineEdit.EchoMode.Password)
        return password if ok and password else None

    def ask_addendum_text(self) -> str | None:
        text, ok = QInputDialog.getMultiLineText(
            self,
            self.tr("Add addendum"),
            self.tr("Addendum text. It is signed with your name and the time now and cannot be edited afterwards."),
        )
        return text.strip() if ok and text.strip() else None

    # ---- actions ------------------------------------------------------------
    def sign(self) -> Procedure | None:
        """Save pending edits, ask, then sign the stored version; the form is read-only afterwards."""
        if self._patient is None or self._locked or self._refuse(Permission.SIGN):
            return None
        procedure = self._procedure
        if procedure is None or procedure.id is None or self.has_unsaved_changes():
            procedure = self.save()
            if procedure is None:
                return None
        assert procedure.id is not None
        try:
            open_findings = self.signing().open_findings(procedure.id)
        except (StorageError, InvalidRecord, NotPermitted) as exc:
            self.error_summary.show_error(self.tr("Not signed: {msg}").format(msg=str(exc)))
            return None
        acknowledgements: dict[str, str] = {}
        if open_findings:
            answered = self.ask_acknowledgements(open_findings)
            if answered is None:
                return None
            acknowledgements = answered
        password = self.ask_sign(procedure)
        if not password:
            return None
        try:
            signed = self.signing().sign_procedure(procedure.id, procedure.version, password, acknowledgements)
        except (StorageError, InvalidRecord, NotPermitted) as exc:
            self.error_summary.show_error(self.tr("Not signed: {msg}").format(msg=str(exc)))
            return None
        self._procedure_changed(signed)
        self.status.setText(self.tr("Signed"))
        self.saved.emit(signed)
        return signed

    def add_addendum(self) -> Procedure | None:
        """Append an addendum, written and signed by the signed-in physician."""
        procedure = self._procedure
        if procedure is None or procedure.id is None or not procedure.is_signed:
            return None
        if self._refuse(Permission.ADD_ADDENDUM):
            return None
        text = self.ask_addendum_text()
        if not text:
            return None
        password = self.ask_password(
            self.tr("Sign addendum"), self.tr("The addendum is signed with your key. Your password:")
        )
        if not password:
            return None
        try:
            updated = self.signing().add_addendum(procedure.id, text, password)
        except (StorageError, InvalidRecord, NotPermitted) as exc:
            self.error_summary.show_error(self.tr("Addendum not saved: {msg}").format(msg=str(exc)))
            return None
        self._procedure_changed(updated)
        self.status.setText(self.tr("Addendum added"))
        return updated

    def _procedure_changed(self, procedure: Procedure) -> None:
        self.error_summary.clear_error()
        self._procedure = procedure
        self._show_signature(procedure)

    # ---- lock and access ----------------------------------------------------
    def refresh_access(self) -> None:
        """Apply the signed-in user's role to the form again (after another user signed in)."""
        self._show_signature(self._procedure)

    def _show_signature(self, procedure: Procedure | None) -> None:
        """Lock or unlock the form for ``procedure`` and the signed-in role; show its signature and addenda."""
        signature = procedure.signature if procedure else None
        self._locked = signature is not None
        stored = procedure is not None and procedure.id is not None
        can_edit = self.may(Permission.EDIT_PROCEDURE)
        # A nurse records the pain diary of a stored procedure; the rest stays as the physician left it.
        can_score = stored and not can_edit and self.may(Permission.RECORD_PAIN_SCORES)
        pain_tab = self.TAB_OF["pain_scores"]
        for index, page in enumerate(self._input_pages()):
            page.setEnabled(not self._locked and (can_edit or (can_score and index == pain_tab)))
        self.save_button.setEnabled(not self._locked and (can_edit or can_score))
        self.preset_button.setEnabled(not self._locked and can_edit)
        if hasattr(self, "findings"):  # built after the signing controls
            self.findings.set_can_acknowledge(not self._locked and can_edit)
        self._permit(self.sign_button, Permission.SIGN, not self._locked, SIGN_TIP)
        self._permit(self.addendum_button, Permission.ADD_ADDENDUM, self._locked, ADDENDUM_TIP)
        self.addendum_button.setVisible(self._locked)
        self.audit_button.setVisible(stored and self.work is not None and self.may(Permission.VIEW_AUDIT))
        if signature is not None:
            # Nothing to undo into: the stored record is final.
            self.undo_stack.clear()
            self.signature_banner.setText(
                self.tr("Signed by {name} on {when} — locked").format(
                    name=signature.signed_by, when=f"{signature.signed_at:%Y-%m-%d %H:%M}"
                )
            )
        elif procedure is not None and not can_edit:
            actor = self.work.actor if self.work else None
            who = f"{actor.display_name} ({actor.role.label.lower()})" if actor else self.tr("This account")
            self.signature_banner.setText(
                self.tr("{who}: only the pain scores (Pain & relief tab) can be changed; a physician signs.").format(
                    who=who
                )
                if can_score
                else self.tr("{who}: read only.").format(who=who)
            )
        self.signature_banner.setVisible(signature is not None or (procedure is not None and not can_edit))
        addenda = procedure.addenda if procedure else []
        self.addenda_view.setText("<br>".join(self._addendum_html(n, a) for n, a in enumerate(addenda, start=1)))
        self.addenda_view.setVisible(bool(addenda))

    def _permit(self, button: QPushButton, permission: Permission, applies: bool, tip: str) -> None:
        """Enable ``button`` when it applies and the role allows it; the tooltip says why it is disabled."""
        allowed = self.may(permission)
        button.setEnabled(applies and allowed)
        button.setToolTip(self.tr(tip) if allowed else why_not(self.work.actor if self.work else None, permission))

    def _addendum_html(self, n: int, a: Addendum) -> str:
        signed = self.tr("Signed by {name} on {when}").format(name=a.signed_by, when=f"{a.signed_at:%Y-%m-%d %H:%M}")
        return (
            f"<b>{self.tr('Addendum')} {n} — {rich(a.author)}, {a.written_at:%Y-%m-%d %H:%M}</b><br>"
            f"{rich(a.text, line_breaks=True)}<br><i>{rich(signed)}</i>"
        )

    def _input_pages(self) -> list[QWidget]:
        # The content inside each tab's scroll area, so a locked record can still be scrolled and read.
        pages = []
        for i in range(self.tabs.count()):
            page = self.tabs.widget(i)
            inner = page.widget() if isinstance(page, QScrollArea) else None
            pages.append(inner if inner is not None else page)
        return pages
