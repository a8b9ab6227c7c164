"""The editor's signing and access: sign, lock the form once signed, add signed addenda, and what a role may edit.

A controller of one ProcedureEditor, built with it: it owns the signing buttons and the signature banner, asks
the editor's questions (ask_sign, ask_acknowledgements...: dialogs the editor shows, tests answer) and tells the
editor what changed through its public methods.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton

from facetdesk.domain.errors import InvalidRecord
from facetdesk.domain.procedure import Addendum, Procedure
from facetdesk.domain.users import NotPermitted, Permission
from facetdesk.storage.errors import RecordLocked, StaleRecord, StorageError
from facetdesk.ui.common import style
from facetdesk.ui.common.access import why_not
from facetdesk.ui.common.widgets import named, rich

if TYPE_CHECKING:
    from facetdesk.ui.editor.host import EditorHost


SIGN_TIP = "Sign the saved procedure as yourself; it is locked afterwards"
# On what a signed record disables.
LOCKED_TIP = "Signed and locked: anything more goes in an addendum"
ADDENDUM_TIP = "Add a signed correction to the signed procedure"


class SigningControls(QObject):
    """Signing, addenda and access for ``editor``; ``stored`` tells what was stored by signing or an addendum."""

    stored = Signal(object)  # Procedure: signed, or an addendum added
    # A signature refused because another workstation changed or signed the procedure: the window offers the
    # stored version (an editable draft left on screen would contradict "already signed").
    stale = Signal()

    def __init__(self, editor: EditorHost, parent: QObject):
        super().__init__(parent)
        self._editor = editor
        self._locked = False
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

    @property
    def locked(self) -> bool:
        return self._locked

    def may(self, permission: Permission) -> bool:
        work = self._editor.work
        return work is None or work.may(permission)

    def _actor(self):
        work = self._editor.work
        return work.actor if work is not None else None

    def signer_name(self, procedure: Procedure) -> str:
        actor = self._actor()
        return actor.display_name if actor is not None else procedure.physician

    def refuse(self, permission: Permission) -> bool:
        """Say why, when the signed-in user may not; True when refused."""
        if self.may(permission):
            return False
        self._editor.messages.show_error(why_not(self._actor(), permission))
        return True

    # ---- actions ------------------------------------------------------------
    def sign(self) -> Procedure | None:
        """Save pending edits, ask, then sign the stored version; the form is read-only afterwards."""
        editor = self._editor
        if editor.patient is None or self._locked or self.refuse(Permission.SIGN):
            return None
        procedure = editor.procedure
        if procedure is None or procedure.id is None or editor.has_unsaved_changes():
            procedure = editor.save()
            if procedure is None:
                return None
        assert procedure.id is not None
        try:
            open_findings = editor.signing().open_findings(procedure.id)
        except (StorageError, InvalidRecord, NotPermitted) as exc:
            editor.messages.show_error(self.tr("Not signed: {msg}").format(msg=str(exc)))
            return None
        acknowledgements: dict[str, str] = {}
        if open_findings:
            answered = editor.questions.ask_acknowledgements(open_findings)
            if answered is None:
                return None
            acknowledgements = answered
        password = editor.questions.ask_sign(procedure)
        if not password:
            return None
        try:
            signed = editor.signing().sign_procedure(procedure.id, procedure.version, password, acknowledgements)
        except (StorageError, InvalidRecord, NotPermitted) as exc:
            editor.messages.show_error(self.tr("Not signed: {msg}").format(msg=str(exc)))
            if isinstance(exc, (StaleRecord, RecordLocked)):  # changed or signed on another workstation
                self.stale.emit()
            return None
        self._procedure_changed(signed)
        editor.messages.set_status(self.tr("Signed"))
        self._say_ehr_problem()
        self.stored.emit(signed)
        return signed

    def _say_ehr_problem(self) -> None:
        """The signature stands; if the note could not be queued for the EHR, the physician is told why."""
        problem = getattr(self._editor.signing(), "ehr_problem", None)
        if problem:
            self._editor.messages.show_error(
                self.tr("Signed, but not queued for the EHR: {msg}. Use File → Send note to the EHR.").format(
                    msg=problem
                )
            )

    def add_addendum(self) -> Procedure | None:
        """Append an addendum, written and signed by the signed-in physician."""
        editor = self._editor
        procedure = editor.procedure
        if procedure is None or procedure.id is None or not procedure.is_signed:
            return None
        if self.refuse(Permission.ADD_ADDENDUM):
            return None
        text = editor.questions.ask_addendum_text()
        if not text:
            return None
        password = editor.questions.ask_password(
            self.tr("Sign addendum"), self.tr("The addendum is signed with your key. Your password:")
        )
        if not password:
            return None
        try:
            updated = editor.signing().add_addendum(procedure.id, text, password)
        except (StorageError, InvalidRecord, NotPermitted) as exc:
            editor.messages.show_error(self.tr("Addendum not saved: {msg}").format(msg=str(exc)))
            return None
        self._procedure_changed(updated)
        editor.messages.set_status(self.tr("Addendum added"))
        self._say_ehr_problem()
        return updated

    def _procedure_changed(self, procedure: Procedure) -> None:
        self._editor.stored_as(procedure)
        self.show_signature(procedure)

    # ---- lock and access ----------------------------------------------------
    def show_signature(self, procedure: Procedure | None) -> None:
        """Lock or unlock the form for ``procedure`` and the signed-in role; show its signature and addenda."""
        editor = self._editor
        signature = procedure.signature if procedure else None
        self._locked = signature is not None
        stored = procedure is not None and procedure.id is not None
        can_edit = self.may(Permission.EDIT_PROCEDURE)
        # A nurse records the pain diary of a stored procedure; the rest stays as the physician left it.
        can_score = stored and not can_edit and self.may(Permission.RECORD_PAIN_SCORES)
        why = self.tr(LOCKED_TIP) if self._locked else why_not(self._actor(), Permission.EDIT_PROCEDURE)
        editor.set_editable(
            not self._locked and can_edit, not self._locked and (can_edit or can_score), can_edit, why_not=why
        )
        self._permit(self.sign_button, Permission.SIGN, not self._locked, SIGN_TIP)
        self._permit(self.addendum_button, Permission.ADD_ADDENDUM, self._locked, ADDENDUM_TIP)
        self.addendum_button.setVisible(self._locked)
        self.audit_button.setVisible(stored and editor.work is not None and self.may(Permission.VIEW_AUDIT))
        if signature is not None:
            text = self.tr("Signed by {name} on {when} — locked").format(
                name=signature.signed_by, when=f"{signature.signed_at:%Y-%m-%d %H:%M}"
            )
            problem = self._signature_problem(procedure)
            self.signature_banner.setText(text if problem is None else f"{text}\n⚠ {problem}")
        elif procedure is not None and not can_edit:
            actor = self._actor()
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

    def _signature_problem(self, procedure: Procedure | None) -> str | None:
        """Whether the stored record is still what was signed (the service checks); None when it is or cannot say."""
        if procedure is None or procedure.id is None:
            return None
        try:
            return self._editor.signing().signature_problem(procedure.id)
        except (RuntimeError, StorageError, NotPermitted):
            return None  # no service (a bare editor) or no database now: the banner says what the record says

    def _permit(self, button: QPushButton, permission: Permission, applies: bool, tip: str) -> None:
        """Enable ``button`` when it applies and the role allows it; the tooltip says why it is disabled."""
        allowed = self.may(permission)
        button.setEnabled(applies and allowed)
        button.setToolTip(self.tr(tip) if allowed else why_not(self._actor(), permission))

    def _addendum_html(self, n: int, a: Addendum) -> str:
        signed = self.tr("Signed by {name} on {when}").format(name=a.signed_by, when=f"{a.signed_at:%Y-%m-%d %H:%M}")
        return (
            f"<b>{self.tr('Addendum')} {n} — {rich(a.author)}, {a.written_at:%Y-%m-%d %H:%M}</b><br>"
            f"{rich(a.text, line_breaks=True)}<br><i>{rich(signed)}</i>"
        )
