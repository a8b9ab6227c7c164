"""The main window's session: who is signed in, what their role may use, idle lock, switching user, administration."""

from __future__ import annotations

import shiboken6
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QLabel, QMenu

from facetdesk.domain.users import Actor, Permission
from facetdesk.services.accounts import SignInFailed
from facetdesk.storage.errors import StorageError
from facetdesk.ui.common.access import user_line, why_not
from facetdesk.ui.common.widgets import named
from facetdesk.ui.signing.idle_lock import MS_PER_MINUTE, IdleWatcher, LockScreen

# Which permission each File/Administration action needs (by object name); the rest every user may use.
ACTION_PERMISSIONS: dict[str, Permission] = {
    "new_patient": Permission.EDIT_PATIENT,
    "new_procedure": Permission.EDIT_PROCEDURE,
    "export_pdf": Permission.EXPORT,
    "export_fhir": Permission.EXPORT,
    "export_outcomes": Permission.EXPORT,
    "print_note": Permission.EXPORT,
    "clinic_settings": Permission.EDIT_SETTINGS,
    "procedure_presets": Permission.EDIT_PRESETS,
    "users": Permission.MANAGE_USERS,
    "audit_trail": Permission.VIEW_AUDIT,
    "record_audit_trail": Permission.VIEW_AUDIT,
}


class SessionMixin:
    """Mixed into MainWindow; uses its context, actions, central stack, editor, autosave and patient page."""

    # ---- building -------------------------------------------------------------
    def _build_session(self, idle_ms: int | None) -> None:
        self.lock_screen = LockScreen()
        self.central.addWidget(self.lock_screen)
        self.lock_screen.unlock_requested.connect(self.try_unlock)
        self.lock_screen.switch_requested.connect(self.try_switch)
        self.user_label = named(QLabel(), "Signed-in user")
        self.statusBar().addPermanentWidget(self.user_label)
        # A test passes idle_ms and keeps it; otherwise the clinic's setting decides, re-read when it is saved.
        self._idle_fixed = idle_ms is not None
        self.idle = IdleWatcher(idle_ms if idle_ms is not None else self._idle_ms_from_settings(), self)
        self.idle.idle.connect(self.lock)
        self._screen_locked = False
        self._hidden_dialogs: list[QDialog] = []
        # Drafts kept for a user who was switched away from: user name -> draft id (offered when they return).
        self._parked: dict[str, str] = {}

    def _build_session_actions(self, file_menu: QMenu) -> None:
        self.lock_action = self._action(file_menu, "&Lock", "Ctrl+L", self.lock, "lock")
        self.switch_user_action = self._action(
            file_menu, "S&witch user…", "", lambda: self.lock(switching=True), "switch_user"
        )
        self.change_password_action = self._action(
            file_menu, "&Change my password…", "", self.admin.change_password, "change_password"
        )

    def _build_admin_menu(self) -> None:
        self.admin_menu = self.menuBar().addMenu(self.tr("&Administration"))
        self.users_action = self._action(self.admin_menu, "&Users…", "", self.admin.show_users, "users")
        self.audit_action = self._action(self.admin_menu, "&Audit trail…", "", self.admin.show_audit, "audit_trail")
        self.record_audit_action = self._action(
            self.admin_menu, "Audit trail of this &record…", "", self.admin.show_record_audit, "record_audit_trail"
        )
        self.admin_menu.addSeparator()
        self.admin_menu.addAction(self.settings_action)

    # ---- who may do what ------------------------------------------------------------
    def apply_permissions(self) -> None:
        """Enable what the signed-in role may use; a disabled action's tooltip says why."""
        work = self._ctx.work
        actor = work.actor
        self.user_label.setText(user_line(actor))
        for act in self.actions():
            permission = ACTION_PERMISSIONS.get(act.objectName())
            if permission is None:
                continue
            base = act.property("base_tip") or act.toolTip()
            act.setProperty("base_tip", base)
            allowed = work.may(permission)
            act.setEnabled(allowed and not self._screen_locked)
            act.setToolTip(base if allowed else f"{base} — {why_not(actor, permission)}")
        self.admin_menu.menuAction().setVisible(bool(actor and actor.is_admin))
        self.patient_page.set_editable(work.may(Permission.EDIT_PATIENT), why_not(actor, Permission.EDIT_PATIENT))
        if actor is not None:
            self.patient_page.set_permissions(
                work.may(Permission.EDIT_PROCEDURE), why_not(actor, Permission.EDIT_PROCEDURE)
            )
        if self._editor is not None:  # not built yet: it reads the permissions when it is
            self._editor.refresh_access()

    def show_not_permitted(self, exc: Exception) -> None:
        """Where the user is looking: the editor's or the patient form's error line, and the status bar."""
        message = str(exc)
        if self._editor is not None and self._editing():
            self._editor.show_error(message)
        else:
            self.patient_page.show_error(message)
        self.statusBar().showMessage(message, 10000)

    # ---- idle lock --------------------------------------------------------------
    def _idle_ms_from_settings(self) -> int:
        try:
            return self._ctx.settings.load().idle_lock_minutes * MS_PER_MINUTE
        except StorageError:
            from facetdesk.domain.settings import DEFAULT_IDLE_LOCK_MINUTES

            return DEFAULT_IDLE_LOCK_MINUTES * MS_PER_MINUTE

    def _settings_saved(self) -> None:
        if not self._idle_fixed:
            self.idle.set_interval(self._idle_ms_from_settings())

    @property
    def is_locked(self) -> bool:
        return self._screen_locked

    def lock(self, switching: bool = False) -> None:
        """Cover the window: patient data hidden, every action off, until a password is entered."""
        actor = self._ctx.work.actor
        unsaved = self._editing() and self.editor.has_unsaved_changes()
        if not self._screen_locked:
            self._screen_locked = True
            self.idle.disarm()
            if unsaved:
                self.autosave.autosave_now()  # on disk before anyone else can reach the workstation
            try:
                self._ctx.accounts.lock()
            except StorageError:
                pass  # the screen locks even when the database cannot record it
            self._hidden_dialogs = [d for d in self.findChildren(QDialog) if d.isVisible()]
            for dialog in self._hidden_dialogs:
                dialog.hide()
            for act in self.actions():
                act.setEnabled(False)
            self.menuBar().setEnabled(False)
            self.statusBar().clearMessage()  # it may name the patient just saved
            self.central.setCurrentWidget(self.lock_screen)
        self.lock_screen.show_for(actor, unsaved, switching)

    def try_unlock(self, password: str) -> bool:
        """The signed-in user's password: the window comes back as it was."""
        try:
            self._ctx.accounts.unlock(password)
        except (SignInFailed, StorageError) as exc:
            self.lock_screen.password.clear()
            self.lock_screen.show_error(str(exc))
            return False
        self._unlock_screen(reopen_dialogs=True)
        return True

    def try_switch(self, username: str, password: str) -> bool:
        """Someone else signs in: the previous user's unsaved edits stay in their draft, the window starts afresh."""
        previous = self._ctx.work.actor
        if previous is not None and username.strip().lower() == previous.username:
            return self.try_unlock(password)
        unsaved = self._editing() and self.editor.has_unsaved_changes()
        if unsaved:
            self.autosave.autosave_now()
            if not self.autosave.has_current_draft():
                self.lock_screen.show_error(
                    self.tr(
                        "The open procedure's unsaved changes could not be kept as a draft, so nobody else can "
                        "sign in now: {name} must unlock and save them first."
                    ).format(name=previous.display_name if previous else "")
                )
                return False
        try:
            actor = self._ctx.accounts.sign_in(username, password)
        except (SignInFailed, StorageError) as exc:
            self.lock_screen.other_password.clear()
            self.lock_screen.show_error(str(exc))
            return False
        self._start_afresh(previous, unsaved)
        self._unlock_screen(reopen_dialogs=False)
        if not self._offer_parked(actor) and actor.username not in self._offered_to:
            # Their first sign-in in this window: the drafts a crash left for them (and only them) are offered now.
            self._offered_to.add(actor.username)
            self.offer_restore()
        return True

    def _start_afresh(self, previous: Actor | None, unsaved: bool) -> None:
        if unsaved and previous is not None:
            kept = self.autosave.release()
            if kept:
                self._parked[previous.username] = kept
        for dialog in self._hidden_dialogs:
            if shiboken6.isValid(dialog):
                dialog.reject()
        self._hidden_dialogs = []
        if self._editor is not None:
            self._editor.discard_changes()  # the widgets forget the edits; the draft file stays for its author
        self.patient_page.forget()
        self.stack.setCurrentWidget(self.patient_page)
        self._show_list()
        self.patient_list.clear_search()
        self.patient_list.refresh()

    def _unlock_screen(self, reopen_dialogs: bool) -> None:
        self._screen_locked = False
        self.lock_screen.clear_fields()
        self.central.setCurrentWidget(self.splitter)
        self.menuBar().setEnabled(True)
        for act in self.actions():
            act.setEnabled(True)
        self.undo_action.setEnabled(self.undo_group.canUndo())
        self.redo_action.setEnabled(self.undo_group.canRedo())
        self.apply_permissions()
        if reopen_dialogs:
            for dialog in self._hidden_dialogs:
                if shiboken6.isValid(dialog):
                    dialog.show()
        self._hidden_dialogs = []
        if self.isVisible():
            self.idle.arm()
        self.statusBar().showMessage(self.tr("Signed in: {who}").format(who=user_line(self._ctx.work.actor)), 5000)

    def _offer_parked(self, actor: Actor) -> bool:
        """The draft this user left when someone else signed in: offered back to them."""
        draft_id = self._parked.pop(actor.username, None)
        if draft_id is None:
            return False
        url = self._ctx.database.url_for_display()
        draft = next((d for d in self._ctx.drafts.drafts_of(actor, url, include_live=True) if d.id == draft_id), None)
        return draft is not None and bool(self._restore_draft(draft))

    def _action(self, menu: QMenu, text: str, shortcut, slot, name: str) -> QAction:
        act = QAction(self.tr(text), self)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
            act.setToolTip(f"{self.tr(text).replace('&', '')} ({QKeySequence(shortcut).toString()})")
        else:
            act.setToolTip(self.tr(text).replace("&", "").rstrip("…"))
        act.setObjectName(name)
        # triggered() passes 'checked'; the slots take no arguments.
        act.triggered.connect(lambda _checked=False, f=slot: f())
        menu.addAction(act)
        self.addAction(act)
        return act
