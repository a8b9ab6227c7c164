"""The window's session: who is signed in, what their role may use, the idle lock and switching user.

A controller built with what it guards: the window (its actions, menus, status bar and dialogs), the central
stack it covers with the lock screen, the work area it shows again, and the window's workspace operations
(unsaved edits, drafts, starting afresh) as a small protocol, so nothing is borrowed implicitly.
"""

from __future__ import annotations

from typing import Protocol

import shiboken6
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QDialog, QLabel, QMainWindow, QStackedWidget, QWidget

from facetdesk.domain.users import Actor, Permission
from facetdesk.services.accounts import SignInFailed
from facetdesk.services.context import AppContext
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
    "clinic_outcomes": Permission.VIEW,
    "print_note": Permission.EXPORT,
    "clinic_settings": Permission.EDIT_SETTINGS,
    "procedure_presets": Permission.EDIT_PRESETS,
    "users": Permission.MANAGE_USERS,
    "audit_trail": Permission.VIEW_AUDIT,
    "record_audit_trail": Permission.VIEW_AUDIT,
}


class Workspace(Protocol):
    """What the session asks of the window's work: the open edits, their draft, and the pages."""

    def has_unsaved_edits(self) -> bool: ...

    def keep_draft_now(self) -> bool:
        """Write the open edits to their draft now; whether a draft holds them."""
        ...

    def release_draft(self) -> str | None:
        """Stop autosaving the open edits into their draft, which is kept; its id."""
        ...

    def start_afresh(self) -> None:
        """Forget what is on screen (edits are in their draft): the patient list, nothing open."""
        ...

    def offer_restore(self) -> bool: ...

    def restore_parked(self, actor: Actor, draft_id: str) -> bool: ...

    def apply_role(self) -> None:
        """The pages and the editor follow the signed-in role."""
        ...

    def show_problem(self, message: str) -> None:
        """A refusal where the user is looking (the editor's or the patient form's error line)."""
        ...

    def refresh_undo(self) -> None: ...


class UnsavedDetails(Protocol):
    """The patient details left unsaved on the page: kept for their author when someone else signs in."""

    def unsaved(self) -> bool: ...

    def keep_for(self, author: Actor) -> bool:
        """Keep the unsaved details on show for ``author`` (the window then starts afresh)."""
        ...

    def offer_back(self, actor: Actor) -> bool:
        """Offer ``actor`` the details kept for them; True when they were put back."""
        ...


class SessionController(QObject):
    def __init__(
        self,
        ctx: AppContext,
        window: QMainWindow,
        central: QStackedWidget,
        work_area: QWidget,
        workspace: Workspace,
        idle_ms: int | None,
        details: UnsavedDetails,
    ):
        """``idle_ms``: lock after this long without input (tests); by default the clinic's setting;
        ``details``: the patient's details on show, edited and not saved (kept in memory for their author when
        someone else signs in)."""
        super().__init__(window)
        self._ctx, self._window, self._central, self._work_area, self._workspace = (
            ctx, window, central, work_area, workspace
        )  # fmt: skip
        self._details = details
        self.lock_screen = LockScreen()
        central.addWidget(self.lock_screen)
        self.lock_screen.unlock_requested.connect(self.try_unlock)
        self.lock_screen.switch_requested.connect(self.try_switch)
        self.user_label = named(QLabel(), "Signed-in user")
        window.statusBar().addPermanentWidget(self.user_label)
        # A test passes idle_ms and keeps it; otherwise the clinic's setting decides, re-read when it is saved.
        self._idle_fixed = idle_ms is not None
        self.idle = IdleWatcher(idle_ms if idle_ms is not None else self._idle_ms_from_settings(), window)
        self.idle.idle.connect(self.lock)
        self._locked = False
        self._hidden_dialogs: list[QDialog] = []
        # Drafts kept for a user who was switched away from: user name -> draft id (offered when they return).
        self._parked: dict[str, str] = {}
        # Who has been offered their crash drafts in this window (each user once, when they first sign in).
        self._offered_to: set[str] = set()

    def _status(self, message: str, ms: int = 0) -> None:
        self._window.statusBar().showMessage(message, ms)

    # ---- who may do what ------------------------------------------------------------
    def apply_permissions(self) -> None:
        """Enable what the signed-in role may use; a disabled action's tooltip says why."""
        work = self._ctx.work
        actor = work.actor
        self.user_label.setText(user_line(actor))
        for act in self._window.actions():
            permission = ACTION_PERMISSIONS.get(act.objectName())
            if permission is None:
                continue
            base = act.property("base_tip") or act.toolTip()
            act.setProperty("base_tip", base)
            allowed = work.may(permission)
            act.setEnabled(allowed and not self._locked)
            act.setToolTip(base if allowed else f"{base} — {why_not(actor, permission)}")
        self._workspace.apply_role()

    def show_not_permitted(self, exc: Exception) -> None:
        """Where the user is looking, and in the status bar."""
        self._workspace.show_problem(str(exc))
        self._status(str(exc), 10000)

    # ---- idle lock --------------------------------------------------------------
    def _idle_ms_from_settings(self) -> int:
        try:
            return self._ctx.settings.load().idle_lock_minutes * MS_PER_MINUTE
        except StorageError:
            from facetdesk.domain.settings import DEFAULT_IDLE_LOCK_MINUTES

            return DEFAULT_IDLE_LOCK_MINUTES * MS_PER_MINUTE

    def settings_saved(self) -> None:
        if not self._idle_fixed:
            self.idle.set_interval(self._idle_ms_from_settings())

    def window_shown(self) -> None:
        """The window is on screen: the idle watch runs, and a user not yet asked is offered their crash drafts."""
        if not self._locked:
            self.idle.arm()
        actor = self._ctx.work.actor
        if actor is not None and actor.username not in self._offered_to:
            self._offered_to.add(actor.username)
            # After the window is on screen, so the question has a parent to sit on.
            QTimer.singleShot(0, self._workspace.offer_restore)

    @property
    def is_locked(self) -> bool:
        return self._locked

    def lock(self, switching: bool = False) -> None:
        """Cover the window: patient data hidden, every action off, until a password is entered."""
        actor = self._ctx.work.actor
        unsaved = self._workspace.has_unsaved_edits()
        details = self._details.unsaved()
        if not self._locked:
            self._locked = True
            self.idle.disarm()
            if unsaved:
                self._workspace.keep_draft_now()  # on disk before anyone else can reach the workstation
            try:
                self._ctx.accounts.lock()
            except StorageError:
                pass  # the screen locks even when the database cannot record it
            self._hidden_dialogs = [d for d in self._window.findChildren(QDialog) if d.isVisible()]
            for dialog in self._hidden_dialogs:
                dialog.hide()
            for act in self._window.actions():
                act.setEnabled(False)
            self._window.menuBar().setEnabled(False)
            self._window.statusBar().clearMessage()  # it may name the patient just saved
            self._central.setCurrentWidget(self.lock_screen)
        self.lock_screen.show_for(actor, unsaved, switching, unsaved_details=details)

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
        """Someone else signs in: the previous user's unsaved edits are kept for them (the procedure's in its
        draft, the patient details in memory), the window starts afresh, and what this user left is offered."""
        previous = self._ctx.work.actor
        if previous is not None and username.strip().lower() == previous.username:
            return self.try_unlock(password)
        unsaved = self._workspace.has_unsaved_edits()
        if unsaved and not self._workspace.keep_draft_now():
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
        if previous is not None:
            self._details.keep_for(previous)  # neither seen nor saved by the next user, nor lost
        self._start_afresh(previous, unsaved)
        self._unlock_screen(reopen_dialogs=False)
        if self._details.offer_back(actor):
            return True
        if not self._offer_parked(actor) and actor.username not in self._offered_to:
            # Their first sign-in in this window: the drafts a crash left for them (and only them) are offered now.
            self._offered_to.add(actor.username)
            self._workspace.offer_restore()
        return True

    def _start_afresh(self, previous: Actor | None, unsaved: bool) -> None:
        if unsaved and previous is not None:
            kept = self._workspace.release_draft()
            if kept:
                self._parked[previous.username] = kept
        for dialog in self._hidden_dialogs:
            if shiboken6.isValid(dialog):
                dialog.reject()
        self._hidden_dialogs = []
        self._workspace.start_afresh()

    def _unlock_screen(self, reopen_dialogs: bool) -> None:
        self._locked = False
        self.lock_screen.clear_fields()
        self._central.setCurrentWidget(self._work_area)
        self._window.menuBar().setEnabled(True)
        for act in self._window.actions():
            act.setEnabled(True)
        self._workspace.refresh_undo()
        self.apply_permissions()
        if reopen_dialogs:
            for dialog in self._hidden_dialogs:
                if shiboken6.isValid(dialog):
                    dialog.show()
        self._hidden_dialogs = []
        if self._window.isVisible():
            self.idle.arm()
        self._status(self.tr("Signed in: {who}").format(who=user_line(self._ctx.work.actor)), 5000)

    def _offer_parked(self, actor: Actor) -> bool:
        """The draft this user left when someone else signed in: offered back to them."""
        draft_id = self._parked.pop(actor.username, None)
        return draft_id is not None and self._workspace.restore_parked(actor, draft_id)
