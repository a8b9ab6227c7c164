"""Main window: patient list on the left; patient page or procedure editor on the right; covered when locked.

The first screen is the patient list and page. The procedure editor (with its chart, spine picker and rules),
the dialogs and the note preview are imported and built the first time they are used, so start-up does not
wait for them. The window composes its parts and wires their signals; each part is a controller built with
what it uses: patients, procedures, drafts, the note's outputs, the dialogs, the menus, the session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QCloseEvent, QHideEvent, QShowEvent, QUndoGroup
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget

from facetdesk.domain.users import Actor, Permission
from facetdesk.ui.common.access import why_not
from facetdesk.ui.common.shortcuts import ShortcutsOverFields
from facetdesk.ui.editor.autosave import DEFAULT_INTERVAL_MS, AutosaveController
from facetdesk.ui.patients.patient_list import PatientListPanel
from facetdesk.ui.patients.patient_page import PatientPage
from facetdesk.ui.shell.admin_dialogs import AdminDialogs
from facetdesk.ui.shell.catch_up import CatchUp
from facetdesk.ui.shell.draft_recovery import DraftRecovery
from facetdesk.ui.shell.kept_details import DetailsKeeper
from facetdesk.ui.shell.menus import WindowMenus
from facetdesk.ui.shell.note_output import NoteOutput
from facetdesk.ui.shell.outbox_runner import OutboxRunner
from facetdesk.ui.shell.patient_flow import PatientFlow
from facetdesk.ui.shell.procedure_flow import ProcedureFlow
from facetdesk.ui.shell.questions import WindowQuestions
from facetdesk.ui.shell.session import SessionController
from facetdesk.ui.shell.work_area import WorkArea

if TYPE_CHECKING:
    from facetdesk.services.context import AppContext
    from facetdesk.ui.editor.procedure_editor import ProcedureEditor


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, autosave_interval_ms: int = DEFAULT_INTERVAL_MS, idle_ms: int | None = None):
        """``idle_ms``: lock after this long without input (tests); by default the clinic's setting."""
        super().__init__()
        self._ctx = ctx
        self.setWindowTitle(self.tr("FacetDesk"))
        self.resize(1280, 820)
        self.patient_list = PatientListPanel(ctx.records)
        self.patient_page = PatientPage(ctx.catalog, ctx.records)
        # Built on first use (see the editor property); until then the Edit menu's undo has no stack to follow.
        self._editor: ProcedureEditor | None = None
        self._autosave: AutosaveController | None = None
        self._autosave_interval_ms = autosave_interval_ms
        self.undo_group = QUndoGroup(self)
        self.work_area = WorkArea(self, self.patient_list, self.patient_page)
        self.stack, self.splitter = self.work_area.stack, self.work_area.splitter
        self.stack.currentChanged.connect(self._page_changed)
        # The work area and, in front of it when locked, the lock screen.
        self.central = QStackedWidget()
        self.central.addWidget(self.splitter)
        self.setCentralWidget(self.central)
        self.questions = WindowQuestions(self, ctx.records)
        refused = self.show_not_permitted
        self.admin = AdminDialogs(
            ctx, self, status=self._status, show_not_permitted=refused, open_record=self._open_record,
            settings_saved=lambda: self.session.settings_saved(),
        )  # fmt: skip
        # The open procedure's note: preview, PDF, print, FHIR.
        self.note_output = NoteOutput(
            ctx, self, open_editor=lambda: self._editor if self._editing() else None, status=self._status,
            show_not_permitted=refused,
        )  # fmt: skip
        self.patients = PatientFlow(
            ctx, self.patient_page, self.patient_list, self.work_area, self.questions,
            confirm_discard=self.confirm_discard, status=self._status, show_not_permitted=refused,
        )  # fmt: skip
        self.procedures = ProcedureFlow(
            ctx, self.patient_page, self.patient_list, self.work_area, self.questions, editor=lambda: self.editor,
            confirm_discard=self.confirm_discard, status=self._status, show_not_permitted=refused,
        )  # fmt: skip
        self.drafts = DraftRecovery(
            ctx, self, self.questions, self.patients, self.work_area, editor=lambda: self.editor,
            autosave=lambda: self.autosave, confirm_discard=self.confirm_discard, show_not_permitted=refused,
        )  # fmt: skip
        # Signed notes on their way to the EHR: sent off this thread, every minute and after each signature.
        self.outbox_runner = OutboxRunner(ctx, self)
        self.outbox_runner.finished.connect(self._outbox_round)
        self.admin.outbox_runner = self.outbox_runner
        self.note_output.kick_outbox = self.outbox_runner.kick
        page = self.patient_page
        # Unsaved patient details of a user someone else signed in over: kept for them, in memory.
        self.kept_details = DetailsKeeper(ctx, page, self.work_area, self.questions)
        self.session = SessionController(
            ctx, self, self.central, self.splitter, workspace=self, idle_ms=idle_ms, details=self.kept_details
        )
        # The open patient and procedure kept as stored when another workstation changes them.
        self.catch_up = CatchUp(
            ctx, self, page, editor=lambda: self._editor if self._editing() else None,
            paused=lambda: self.session.is_locked, status=self._status,
        )  # fmt: skip
        self.menus = WindowMenus(
            self, self.undo_group, patients=self.patients, procedures=self.procedures, note_output=self.note_output,
            admin=self.admin, session=self.session, save_current=self.save_current, focus_search=self.focus_search,
        )  # fmt: skip
        # Documented shortcuts work from every field (not undo/redo: a field's own undo stays the field's).
        app = QApplication.instance()
        if app is not None:
            kept = {self.menus.undo_action, self.menus.redo_action}
            shortcut_actions = [a for a in self.findChildren(QAction) if a.shortcuts() and a not in kept]
            app.installEventFilter(ShortcutsOverFields(shortcut_actions, self))
        self.work_area.restore(None)
        self.patient_list.patient_selected.connect(self.patients.open_patient)
        self.patient_page.save_requested.connect(self.patients.save_patient)
        self.patient_page.new_procedure.connect(self.procedures.new_procedure)
        self.patient_page.open_procedure.connect(self.procedures.open_procedure)
        self.patient_page.start_from_previous.connect(self.procedures.start_from_previous)
        self.patient_page.follow_up_requested.connect(self.patients.record_follow_up)
        self.patient_page.pathway_requested.connect(self.patients.show_pathway)
        self.patients.plan_next = self.procedures.start_planned
        self.session.apply_permissions()
        if ctx.work.actor is None:
            self.session.lock(switching=True)  # nobody signed in: the window opens on the sign-in screen
        else:
            self.patient_list.refresh()
        self._status(self.tr("Database: {u}").format(u=ctx.database.url_for_display()))

    def _status(self, message: str, ms: int = 0) -> None:
        self.statusBar().showMessage(message, ms)

    def _outbox_round(self, report: object) -> None:
        """Say what the outbox's last round did, when it did something (a quiet minute says nothing)."""
        from facetdesk.services.ehr_outbox import DeliveryReport

        if not isinstance(report, DeliveryReport):
            self._status(self.tr("EHR outbox not sent: {e}").format(e=report), 10000)
        elif report.failed:
            self._status(self.tr("EHR: {n} message(s) failed; see File → EHR outbox").format(n=report.failed), 0)
        elif report.sent:
            self._status(self.tr("EHR: {n} message(s) sent").format(n=report.sent), 8000)

    # ---- the procedure editor, built on first use --------------------------------
    @property
    def editor(self) -> ProcedureEditor:
        """The procedure editor; the first use builds it (its modules, chart and rules are not start-up's)."""
        return self._build_editor() if self._editor is None else self._editor

    @property
    def autosave(self) -> AutosaveController:
        """Autosave of the editor's unsaved edits (made with the editor)."""
        if self._autosave is None:
            self._build_editor()
        assert self._autosave is not None
        return self._autosave

    def _build_editor(self) -> ProcedureEditor:
        from facetdesk.ui.editor.procedure_editor import ProcedureEditor

        ctx = self._ctx
        editor = ProcedureEditor(ctx.catalog, ctx.records)
        editor.signing = lambda: ctx.signing
        editor.work = ctx.work
        self._editor = editor
        self._autosave = AutosaveController(
            editor, ctx.drafts, ctx.database.url_for_display(), ctx.work, interval_ms=self._autosave_interval_ms
        )
        self.stack.addWidget(editor)
        editor.presets_source = ctx.presets.list
        editor.follow_ups_source = ctx.follow_ups.of_patient
        editor.images.source = ctx.images
        editor.closed.connect(self.patients.show_patient_page)
        editor.saved.connect(self.procedures.procedure_saved)
        editor.saved.connect(lambda procedure: self.outbox_runner.kick() if procedure.is_signed else None)
        editor.stale.connect(self.procedures.procedure_stale)
        editor.export_requested.connect(lambda: self.note_output.export_pdf())
        editor.audit_requested.connect(lambda: self.admin.show_record_audit())
        self.undo_group.addStack(editor.undo_stack)
        self.undo_group.setActiveStack(editor.undo_stack)
        if self.work_area.editor_state is not None:
            editor.restore_layout_state(self.work_area.editor_state)
        editor.refresh_access()
        return editor

    def _editing(self) -> bool:
        """True when the procedure editor is the page on show."""
        return self._editor is not None and self.work_area.on_show(self._editor)

    def _open_record(self) -> tuple[str, int] | None:
        """What is on show, for its audit trail: the procedure in the editor, else the patient on the patient page."""
        procedure = self._editor.procedure if self._editor is not None and self._editing() else None
        if procedure is not None and procedure.id is not None:
            return ("procedure", procedure.id)
        patient_id = self.patient_page.patient_id
        if self.work_area.on_show(self.patient_page) and patient_id is not None:
            return ("patient", patient_id)
        return None

    def confirm_discard(self) -> bool:
        """May the unsaved edits on show (the procedure's, or the patient's details) be left? Asks only when there
        are some; the patient's details dropped are put back as stored, so none stays on screen unsaved beside
        what comes next (decision support judges the stored patient)."""
        if self._editing():
            return not self.editor.has_unsaved_changes() or self.questions.ask_discard()
        page = self.patient_page
        if not self.work_area.on_show(page) or not page.has_unsaved_changes():
            return True
        if not self.questions.ask_discard("patient"):
            return False
        page.discard_changes()
        return True

    def _page_changed(self, _index: int) -> None:
        # Leaving the editor happens only after the user saved or agreed to discard.
        if self._editor is not None and not self._editing():
            self._editor.discard_changes()

    def focus_search(self) -> None:
        self.work_area.show_list()
        self.patient_list.focus_search()

    def save_current(self) -> None:
        if self._editing():
            self.editor.save()
        else:
            self.patients.save_patient()

    # ---- the workspace the session guards (shell/session.Workspace) ---------------------------
    def show_not_permitted(self, exc: Exception) -> None:
        """A refused action explained (access.guarded calls it on the controllers' slots)."""
        self.session.show_not_permitted(exc)

    def has_unsaved_edits(self) -> bool:
        return self._editor is not None and self._editing() and self._editor.has_unsaved_changes()

    def keep_draft_now(self) -> bool:
        self.autosave.autosave_now()
        return self.autosave.has_current_draft()

    def release_draft(self) -> str | None:
        return self.autosave.release()

    def start_afresh(self) -> None:
        if self._editor is not None:
            self._editor.discard_changes()  # the widgets forget the edits; the draft file stays for its author
        self.patient_page.forget()
        self.work_area.show_page(self.patient_page)
        self.patient_list.clear_search()
        self.patient_list.refresh()

    def offer_restore(self) -> bool:
        return self.drafts.offer_restore()

    def restore_parked(self, actor: Actor, draft_id: str) -> bool:
        return self.drafts.restore_parked(actor, draft_id)

    def apply_role(self) -> None:
        work = self._ctx.work
        actor = work.actor
        self.menus.admin_menu.menuAction().setVisible(bool(actor and actor.is_admin))
        self.patient_page.set_editable(work.may(Permission.EDIT_PATIENT), why_not(actor, Permission.EDIT_PATIENT))
        if actor is not None:
            self.patient_page.set_permissions(
                work.may(Permission.EDIT_PROCEDURE), why_not(actor, Permission.EDIT_PROCEDURE)
            )
        if self._editor is not None:  # not built yet: it reads the permissions when it is
            self._editor.refresh_access()

    def show_problem(self, message: str) -> None:
        if self._editor is not None and self._editing():
            self._editor.messages.show_error(message)
        else:
            self.patient_page.show_error(message)

    def refresh_undo(self) -> None:
        self.menus.refresh_undo(self.undo_group)

    # ---- the window's life -----------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        self.session.window_shown()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt API)
        super().hideEvent(event)
        # Closed or hidden by the program: nothing left to lock. Minimised (a spontaneous hide by the
        # window system) keeps counting, so a window restored after the timeout is locked.
        if not event.spontaneous():
            self.session.idle.disarm()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        # Patient details kept in memory for users someone else signed in over (and, while locked, the absent
        # user's on the page) go with the app: asked first, naming whose, never the patient.
        actor = self._ctx.work.actor
        kept = self.kept_details.kept_for_others(actor)
        if self.session.is_locked and actor is not None and self.kept_details.unsaved():
            kept.append(actor.display_name)
        if kept and not self.questions.ask_quit_with_kept(kept):
            event.ignore()
            return
        if self.session.is_locked:
            # Nobody here can answer for the absent user: their edits stay in the draft, offered at the next start.
            if self._autosave is not None:
                self._autosave.autosave_now()
                self._autosave.release()
            self.session.idle.disarm()
            self.work_area.save(self._editor)
            event.accept()
            return
        if self.confirm_discard():
            if self._editor is not None:
                self._editor.discard_changes()
            self.work_area.save(self._editor)
            event.accept()
        else:
            event.ignore()
