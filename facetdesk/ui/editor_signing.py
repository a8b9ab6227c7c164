"""The editor's signing: sign a procedure, lock the form once signed, and add signed addenda."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QLabel, QMessageBox, QPushButton, QScrollArea, QWidget

from facetdesk.domain.errors import InvalidRecord
from facetdesk.domain.procedure import Addendum, Procedure
from facetdesk.storage.errors import StorageError
from facetdesk.ui import style
from facetdesk.ui.widgets import named


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")


class SigningMixin:
    """Mixed into ProcedureEditor; uses its records service, patient, procedure, tabs and buttons."""

    def _build_signing(self) -> None:
        self.sign_button = named(
            QPushButton(self.tr("Sign…")), "Sign procedure", "Sign the saved procedure; it is locked afterwards"
        )
        self.addendum_button = named(
            QPushButton(self.tr("Add addendum…")), "Add addendum", "Add a signed correction to the signed procedure"
        )
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

    # ---- questions (tests replace these) -------------------------------------
    def ask_sign(self, procedure: Procedure) -> bool:
        answer = QMessageBox.question(
            self,
            self.tr("Sign procedure"),
            self.tr(
                "Sign this procedure as {name}?\n\nAfter signing it can no longer be changed; "
                "corrections are added as signed addenda."
            ).format(name=procedure.physician),
        )
        return answer == QMessageBox.StandardButton.Yes

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
        if self._patient is None or self._locked:
            return None
        procedure = self._procedure
        if procedure is None or procedure.id is None or self.has_unsaved_changes():
            procedure = self.save()
            if procedure is None:
                return None
        assert procedure.id is not None
        if not self.ask_sign(procedure):
            return None
        try:
            signed = self._records.sign_procedure(procedure.id, procedure.physician, procedure.version)
        except (StorageError, InvalidRecord) as exc:
            self.error_summary.show_error(self.tr("Not signed: {msg}").format(msg=str(exc)))
            return None
        self._procedure_changed(signed)
        self.status.setText(self.tr("Signed"))
        self.saved.emit(signed)
        return signed

    def add_addendum(self) -> Procedure | None:
        """Append a signed addendum (author: the procedure's physician, as typed; user accounts come later)."""
        procedure = self._procedure
        if procedure is None or procedure.id is None or not procedure.is_signed:
            return None
        text = self.ask_addendum_text()
        if not text:
            return None
        try:
            updated = self._records.add_addendum(procedure.id, procedure.physician, text)
        except (StorageError, InvalidRecord) as exc:
            self.error_summary.show_error(self.tr("Addendum not saved: {msg}").format(msg=str(exc)))
            return None
        self._procedure_changed(updated)
        self.status.setText(self.tr("Addendum added"))
        return updated

    def _procedure_changed(self, procedure: Procedure) -> None:
        self.error_summary.clear_error()
        self._procedure = procedure
        self._show_signature(procedure)

    # ---- lock ---------------------------------------------------------------
    def _show_signature(self, procedure: Procedure | None) -> None:
        """Lock or unlock the form for ``procedure`` and show its signature and addenda."""
        signature = procedure.signature if procedure else None
        self._locked = signature is not None
        for page in self._input_pages():
            page.setEnabled(not self._locked)
        self.save_button.setEnabled(not self._locked)
        self.preset_button.setEnabled(not self._locked)
        self.sign_button.setEnabled(not self._locked)
        self.addendum_button.setEnabled(self._locked)
        self.addendum_button.setVisible(self._locked)
        if signature is not None:
            # Nothing to undo into: the stored record is final.
            self.undo_stack.clear()
            self.signature_banner.setText(
                self.tr("Signed by {name} on {when} — locked").format(
                    name=signature.signed_by, when=f"{signature.signed_at:%Y-%m-%d %H:%M}"
                )
            )
        self.signature_banner.setVisible(signature is not None)
        addenda = procedure.addenda if procedure else []
        self.addenda_view.setText("<br>".join(self._addendum_html(n, a) for n, a in enumerate(addenda, start=1)))
        self.addenda_view.setVisible(bool(addenda))

    def _addendum_html(self, n: int, a: Addendum) -> str:
        signed = self.tr("Signed by {name} on {when}").format(name=a.signed_by, when=f"{a.signed_at:%Y-%m-%d %H:%M}")
        return (
            f"<b>{self.tr('Addendum')} {n} — {_html(a.author)}, {a.written_at:%Y-%m-%d %H:%M}</b><br>"
            f"{_html(a.text)}<br><i>{_html(signed)}</i>"
        )

    def _input_pages(self) -> list[QWidget]:
        # The content inside each tab's scroll area, so a locked record can still be scrolled and read.
        pages = []
        for i in range(self.tabs.count()):
            page = self.tabs.widget(i)
            inner = page.widget() if isinstance(page, QScrollArea) else None
            pages.append(inner if inner is not None else page)
        return pages
