"""Main window: patient list on the left; patient page or procedure editor on the right; covered when locked.

The first screen is the patient list and page. The procedure editor (with its chart, spine picker and rules),
the dialogs and the note preview are imported and built the first time they are used, so start-up does not
wait for them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QHideEvent, QKeySequence, QShowEvent, QUndoGroup
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu, QMessageBox, QSplitter, QStackedWidget

from facetdesk.domain.errors import InvalidRecord
from facetdesk.domain.patient import unusual_adult_weight
from facetdesk.domain.users import Actor, NotPermitted, Permission, Role
from facetdesk.services.records import NotFound
from facetdesk.storage.errors import StaleRecord, StorageError
from facetdesk.ui.common.access import guarded, why_not
from facetdesk.ui.common.shortcuts import ShortcutsOverFields
from facetdesk.ui.editor.autosave import DEFAULT_INTERVAL_MS, AutosaveController
from facetdesk.ui.patients.patient_list import PatientListPanel
from facetdesk.ui.patients.patient_page import PatientPage
from facetdesk.ui.shell.admin_dialogs import AdminDialogs
from facetdesk.ui.shell.note_output import NoteOutput
from facetdesk.ui.shell.session import SessionController

if TYPE_CHECKING:
    from facetdesk.domain.patient import Patient
    from facetdesk.domain.procedure import Procedure
    from facetdesk.services.context import AppContext
    from facetdesk.services.drafts import Draft
    from facetdesk.ui.admin.presets_dialog import PresetsDialog
    from facetdesk.ui.admin.settings_dialog import ClinicSettingsDialog
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
        self._editor_splitter_state: QByteArray | None = None
        self.undo_group = QUndoGroup(self)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.patient_page)
        self.stack.currentChanged.connect(self._page_changed)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.patient_list)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([380, 900])
        self.splitter.setCollapsible(1, False)
        # The work area and, in front of it when locked, the lock screen.
        self.central = QStackedWidget()
        self.central.addWidget(self.splitter)
        self.setCentralWidget(self.central)
        self.admin = AdminDialogs(
            ctx,
            self,
            status=lambda message, ms: self.statusBar().showMessage(message, ms),
            show_not_permitted=lambda exc: self.session.show_not_permitted(exc),
            open_record=self._open_record,
        )
        # The open procedure's note: preview, PDF, print, FHIR.
        self.note_output = NoteOutput(
            ctx,
            self,
            open_editor=lambda: self._editor if self._editing() else None,
            status=lambda message, ms: self.statusBar().showMessage(message, ms),
            show_not_permitted=lambda exc: self.session.show_not_permitted(exc),
        )
        self.session = SessionController(ctx, self, self.central, self.splitter, workspace=self, idle_ms=idle_ms)
        self._build_actions()
        # Documented shortcuts work from every field (not undo/redo: a field's own undo stays the field's).
        app = QApplication.instance()
        if app is not None:
            shortcut_actions = [a for a in self.findChildren(QAction) if a.shortcuts()]
            kept = {self.undo_action, self.redo_action}
            app.installEventFilter(ShortcutsOverFields([a for a in shortcut_actions if a not in kept], self))
        self.restore_layout()
        self.patient_list.patient_selected.connect(self.open_patient)
        self.patient_page.save_requested.connect(self.save_patient)
        self.patient_page.new_procedure.connect(self.new_procedure)
        self.patient_page.open_procedure.connect(self.open_procedure)
        self.patient_page.start_from_previous.connect(self.start_from_previous)
        self.session.apply_permissions()
        if ctx.work.actor is None:
            self.session.lock(switching=True)  # nobody signed in: the window opens on the sign-in screen
        else:
            self.patient_list.refresh()
        self.statusBar().showMessage(self.tr("Database: {u}").format(u=ctx.database.url_for_display()))

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
        editor.closed.connect(self.show_patient_page)
        editor.saved.connect(self._procedure_saved)
        editor.stale.connect(self._procedure_stale)
        editor.export_requested.connect(lambda: self.note_output.export_pdf())
        editor.audit_requested.connect(lambda: self.admin.show_record_audit())
        self.undo_group.addStack(editor.undo_stack)
        self.undo_group.setActiveStack(editor.undo_stack)
        if self._editor_splitter_state is not None:
            editor.restore_layout_state(self._editor_splitter_state)
        editor.refresh_access()
        return editor

    def _open_record(self) -> tuple[str, int] | None:
        """What is on show, for its audit trail: the procedure in the editor, else the patient on the patient page."""
        procedure = self._editor.procedure if self._editor is not None and self._editing() else None
        if procedure is not None and procedure.id is not None:
            return ("procedure", procedure.id)
        patient_id = self.patient_page.patient_id
        if self.stack.currentWidget() is self.patient_page and patient_id is not None:
            return ("patient", patient_id)
        return None

    # ---- the workspace the session guards (shell/session.Workspace) ---------------------------
    def show_not_permitted(self, exc: Exception) -> None:
        """A refused action explained (access.guarded calls it on this window's slots)."""
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
        self.stack.setCurrentWidget(self.patient_page)
        self._show_list()
        self.patient_list.clear_search()
        self.patient_list.refresh()

    def restore_parked(self, actor: Actor, draft_id: str) -> bool:
        """The draft ``actor`` left when someone else signed in, offered back to them."""
        url = self._ctx.database.url_for_display()
        draft = next((d for d in self._ctx.drafts.drafts_of(actor, url, include_live=True) if d.id == draft_id), None)
        return draft is not None and bool(self._restore_draft(draft))

    def apply_role(self) -> None:
        work = self._ctx.work
        actor = work.actor
        self.admin_menu.menuAction().setVisible(bool(actor and actor.is_admin))
        self.patient_page.set_editable(work.may(Permission.EDIT_PATIENT), why_not(actor, Permission.EDIT_PATIENT))
        if actor is not None:
            self.patient_page.set_permissions(
                work.may(Permission.EDIT_PROCEDURE), why_not(actor, Permission.EDIT_PROCEDURE)
            )
        if self._editor is not None:  # not built yet: it reads the permissions when it is
            self._editor.refresh_access()

    def show_problem(self, message: str) -> None:
        if self._editor is not None and self._editing():
            self._editor.show_error(message)
        else:
            self.patient_page.show_error(message)

    def refresh_undo(self) -> None:
        self.undo_action.setEnabled(self.undo_group.canUndo())
        self.redo_action.setEnabled(self.undo_group.canRedo())

    def _editing(self) -> bool:
        """True when the procedure editor is the page on show."""
        return self._editor is not None and self.stack.currentWidget() is self._editor

    def _build_actions(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))

        def action(text: str, shortcut, slot, name: str):
            return self._action(file_menu, text, shortcut, slot, name)

        self.new_patient_action = action("New &patient", "Ctrl+Shift+N", self.new_patient, "new_patient")
        self.new_procedure_action = action(
            "&New procedure", QKeySequence.StandardKey.New, self.new_procedure, "new_procedure"
        )
        self.save_action = action("&Save", QKeySequence.StandardKey.Save, self.save_current, "save")
        self.export_action = action("&Export PDF note…", "Ctrl+E", self.note_output.export_pdf, "export_pdf")
        self.export_fhir_action = action(
            "Export &FHIR bundle for the EHR…", "Ctrl+Shift+E", self.note_output.export_fhir, "export_fhir"
        )
        self.export_outcomes_action = action(
            "Export &outcomes for a registry…", "", self.admin.show_outcomes_export, "export_outcomes"
        )
        self.preview_action = action("Pre&view note…", "Ctrl+Shift+V", self.note_output.preview_note, "preview_note")
        self.print_action = action(
            "&Print note…", QKeySequence.StandardKey.Print, self.note_output.print_note, "print_note"
        )
        self.print_both_action = action(
            "Print note and patient &handout…", None, self.note_output.print_note_and_handout, "print_note_and_handout"
        )
        self.find_action = action("&Find patient", QKeySequence.StandardKey.Find, self.focus_search, "find_patient")
        file_menu.addSeparator()
        self.settings_action = action("Clinic &settings…", "Ctrl+,", self.edit_settings, "clinic_settings")
        self.presets_action = action("Procedure p&resets…", "Ctrl+Shift+R", self.edit_presets, "procedure_presets")
        file_menu.addSeparator()
        self.lock_action = self._action(file_menu, "&Lock", "Ctrl+L", self.session.lock, "lock")
        self.switch_user_action = self._action(
            file_menu, "S&witch user…", "", lambda: self.session.lock(switching=True), "switch_user"
        )
        self.change_password_action = self._action(
            file_menu, "&Change my password…", "", self.admin.change_password, "change_password"
        )
        file_menu.addSeparator()
        self.quit_action = action("&Quit", QKeySequence.StandardKey.Quit, self.close, "quit")
        self._build_edit_menu()
        self.admin_menu = self.menuBar().addMenu(self.tr("&Administration"))
        self.users_action = self._action(self.admin_menu, "&Users…", "", self.admin.show_users, "users")
        self.audit_action = self._action(self.admin_menu, "&Audit trail…", "", self.admin.show_audit, "audit_trail")
        self.record_audit_action = self._action(
            self.admin_menu, "Audit trail of this &record…", "", self.admin.show_record_audit, "record_audit_trail"
        )
        self.admin_menu.addSeparator()
        self.admin_menu.addAction(self.settings_action)
        toolbar = self.addToolBar(self.tr("Main"))
        toolbar.setObjectName("main_toolbar")
        for act in (
            self.new_patient_action,
            self.new_procedure_action,
            self.save_action,
            self.preview_action,
            self.export_action,
            self.print_action,
        ):
            toolbar.addAction(act)

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

    def _build_edit_menu(self) -> None:
        edit_menu = self.menuBar().addMenu(self.tr("&Edit"))
        # The group follows the editor's undo stack once the editor exists.
        stack = self.undo_group
        self.undo_action = stack.createUndoAction(self, self.tr("&Undo"))
        self.undo_action.setShortcuts([QKeySequence("Ctrl+Z")])
        self.undo_action.setObjectName("undo")
        self.redo_action = stack.createRedoAction(self, self.tr("&Redo"))
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.redo_action.setObjectName("redo")
        for act in (self.undo_action, self.redo_action):
            act.setShortcutVisibleInContextMenu(True)
            edit_menu.addAction(act)
            self.addAction(act)

    # ---- drafts -----------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        self.session.window_shown()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt API)
        super().hideEvent(event)
        # Closed or hidden by the program: nothing left to lock. Minimised (a spontaneous hide by the
        # window system) keeps counting, so a window restored after the timeout is locked.
        if not event.spontaneous():
            self.session.idle.disarm()

    def offer_restore(self) -> bool:
        """Offer the signed-in user a draft a killed or crashed session left for this database; True if restored.

        Which drafts are theirs is the draft store's decision; one question at most, for the first that can
        still be restored.
        """
        drafts = self._ctx.drafts.drafts_of(self._ctx.work.actor, self._ctx.database.url_for_display())
        for draft in drafts:
            if self._draft_records(draft) is not None:
                return bool(self._restore_draft(draft))
        return False

    def _draft_records(self, draft: Draft) -> tuple[Patient, Procedure | None] | None:
        """The patient and procedure ``draft`` belongs to; None (the draft declined) when they are gone."""
        try:
            patient = self._ctx.records.get_patient(draft.patient_id)
            procedure = self._ctx.records.get_procedure(draft.procedure_id)[1] if draft.procedure_id else None
        except NotFound:
            # Nothing to restore it onto: the user's own draft goes, one whose author is unknown stays.
            self._ctx.drafts.decline(draft, self._ctx.work.actor)
            return None
        return patient, procedure

    @guarded
    def _restore_draft(self, draft: Draft) -> bool:
        records = self._draft_records(draft)
        if records is None:
            return False
        patient, procedure = records
        if not self.ask_restore(draft):
            # The user's own draft is removed; the store keeps one whose author is unknown.
            self._ctx.drafts.decline(draft, self._ctx.work.actor)
            return False
        if not self._confirm_discard():
            return False
        assert patient.id is not None  # a stored patient
        self.open_patient(patient.id)
        self.editor.load_data(patient, procedure, draft.data)
        self.autosave.adopt(draft)
        self._show_editor()
        self.editor.set_status(self.tr("Recovered draft: review it and save"))
        return True

    def ask_restore(self, draft: Draft) -> bool:
        """Ask whether to restore a recovered draft (tests replace this to answer without a dialog)."""
        try:
            name = self._ctx.records.get_patient(draft.patient_id).display_name
        except NotFound:
            name = self.tr("a patient")
        text = self.tr("An unsaved procedure for {name} from {time} was recovered. Restore it?").format(
            name=name, time=f"{draft.saved_at:%Y-%m-%d %H:%M}"
        )
        if draft.author is None:
            text += "\n\n" + self.tr(
                "Author unknown (written by an earlier version of FacetDesk). If it is not yours, answer No: "
                "it is kept for whoever wrote it. If you restore and save it, it is saved in your name."
            )
        if self._saved_since(draft):
            text += "\n\n" + self.tr(
                "The procedure has been saved again since this draft was written; "
                "restoring it and saving replaces that later version."
            )
        answer = QMessageBox.question(
            self,
            self.tr("Recovered procedure"),
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _saved_since(self, draft: Draft) -> bool:
        if draft.procedure_id is None or draft.procedure_version is None:
            return False
        try:
            return self._ctx.records.get_procedure(draft.procedure_id)[1].version > draft.procedure_version
        except NotFound:
            return False

    def _page_changed(self, _index: int) -> None:
        # Leaving the editor happens only after the user saved or agreed to discard.
        if self._editor is not None and self.stack.currentWidget() is not self._editor:
            self._editor.discard_changes()

    # ---- navigation -----------------------------------------------------
    def _show_editor(self) -> None:
        # The editor and its findings need the width; the patient list folds away until needed.
        if self.splitter.sizes()[0] > 0:
            self._list_width = self.splitter.sizes()[0]
        self.stack.setCurrentWidget(self.editor)
        self.splitter.setSizes([0, sum(self.splitter.sizes())])

    def _show_list(self) -> None:
        if self.splitter.sizes()[0] == 0:
            total = sum(self.splitter.sizes())
            width = getattr(self, "_list_width", 380)
            self.splitter.setSizes([width, total - width])

    def focus_search(self) -> None:
        self._show_list()
        self.patient_list.focus_search()

    def _confirm_discard(self) -> bool:
        if not self._editing() or not self.editor.has_unsaved_changes():
            return True
        return self.ask_discard()

    def ask_discard(self) -> bool:
        """Ask before unsaved edits are thrown away (tests replace this to answer without a dialog)."""
        return self.discard_box().exec() == QMessageBox.StandardButton.Discard

    def discard_box(self) -> QMessageBox:
        """The question before unsaved edits are dropped; Enter keeps them (Cancel is the default, never Discard)."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Unsaved changes"),
            self.tr("The open procedure has unsaved changes. Discard them?"),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)
        return box

    @guarded
    def _procedure_stale(self) -> None:
        procedure = self.editor.procedure
        if procedure is None or procedure.id is None or not self.ask_reload(self.tr("procedure")):
            return
        patient, fresh = self._ctx.records.get_procedure(procedure.id)
        self.editor.load(patient, fresh)
        self.statusBar().showMessage(self.tr("Procedure reloaded: your changes were not saved"))

    def ask_reload(self, what: str) -> bool:
        """After a save refused as stale: reload the stored record? (tests replace this to answer without a dialog)

        The safe answer is the default: keep the edits on screen, so they can be copied before reloading.
        """
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(self.tr("Changed on another workstation"))
        box.setText(
            self.tr("This {what} was changed on another workstation since you opened it. Nothing was saved.").format(
                what=what
            )
        )
        box.setInformativeText(
            self.tr("Reload it to see the other workstation's version (your changes on screen are dropped), or keep")
            + self.tr(" your changes on screen to copy them first.")
        )
        reload_button = box.addButton(self.tr("Reload"), QMessageBox.ButtonRole.AcceptRole)
        keep = box.addButton(self.tr("Keep my changes on screen"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.exec()
        return box.clickedButton() is reload_button

    @guarded
    def new_patient(self) -> None:
        self._ctx.work.require(Permission.EDIT_PATIENT)
        if not self._confirm_discard():
            return
        self.stack.setCurrentWidget(self.patient_page)
        self._show_list()
        self.patient_page.show_new_patient(self._ctx.records.usual_anticoagulants())

    @guarded
    def open_patient(self, patient_id: int) -> None:
        if not self._confirm_discard():
            return
        self.patient_page.show_patient(
            self._ctx.records.get_patient(patient_id), self._ctx.records.usual_anticoagulants()
        )
        self.stack.setCurrentWidget(self.patient_page)
        self._show_list()

    @guarded
    def show_patient_page(self) -> None:
        if not self._confirm_discard():
            return
        self.patient_page.refresh_procedures()
        self.stack.setCurrentWidget(self.patient_page)
        self._show_list()

    def implausible_weight(self, data: dict) -> str | None:
        """Why an adult's weight looks like a typing slip (input.adult_weight_plausible_kg), or None."""
        return unusual_adult_weight(data.get("weight_kg"), data.get("date_of_birth"), date.today())

    def confirm_weight(self, why: str) -> bool:
        """Save an unusual weight? (tests replace this to answer without a dialog); the default is No."""
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Check the weight"), why + "\n" + self.tr(
            "Save it as entered? (No: go back and correct it)"), QMessageBox.StandardButton.Yes
            | QMessageBox.StandardButton.No, self)  # fmt: skip
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    @guarded
    def save_patient(self):
        page, records = self.patient_page, self._ctx.records
        data = page.form_data()
        unusual = self.implausible_weight(data)
        if unusual is not None and not self.confirm_weight(unusual):
            page.focus_weight()
            self.statusBar().showMessage(self.tr("Patient not saved: check the weight"))
            return None
        try:
            patient = records.save_patient(data)
        except InvalidRecord as exc:
            page.show_field_errors(exc.errors)
            self.statusBar().showMessage(self.tr("Patient not saved: {n} problem(s)").format(n=len(exc.errors)))
            return None
        except StaleRecord as exc:
            page.show_error(self.tr("Patient not saved: {msg}").format(msg=str(exc)))
            if page.patient_id is not None and self.ask_reload(self.tr("patient")):
                page.show_patient(records.get_patient(page.patient_id), records.usual_anticoagulants())
                page.show_error(
                    self.tr("Reloaded: this patient was changed on another workstation; your changes were not saved.")
                )
                self.statusBar().showMessage(self.tr("Patient reloaded: your changes were not saved"))
            return None
        except (StorageError, NotPermitted) as exc:
            page.show_error(self.tr("Patient not saved: {msg}").format(msg=str(exc)))
            return None
        page.show_patient(patient, records.usual_anticoagulants())
        self.patient_list.refresh()
        self.patient_list.select_patient(patient.id)
        self.statusBar().showMessage(
            self.tr("Patient {name} saved at {t}").format(name=patient.display_name, t=f"{datetime.now():%H:%M:%S}")
        )
        return patient

    @guarded
    def new_procedure(self) -> None:
        self._ctx.work.require(Permission.EDIT_PROCEDURE)
        pid = self.patient_page.patient_id
        if pid is None:
            self.statusBar().showMessage(self.tr("Select or save a patient first"), 5000)
            return
        if not self._confirm_discard():
            return
        self.editor.set_usual_medication_agents(self._ctx.records.usual_medication_agents())
        self.editor.load(self._ctx.records.get_patient(pid), None, physician_hint=self._performing_physician())
        self._show_editor()
        self.editor.focus_first_field()

    @guarded
    def open_procedure(self, procedure_id: int) -> None:
        if not self._confirm_discard():
            return
        patient, procedure = self._ctx.records.get_procedure(procedure_id)
        self.editor.load(patient, procedure)
        self._show_editor()

    def save_current(self) -> None:
        if self._editing():
            self.editor.save()
        else:
            self.save_patient()

    def _procedure_saved(self, procedure) -> None:
        QSettings().setValue("last_physician", procedure.physician)
        self.patient_list.refresh()
        when, now = f"{procedure.performed_at:%Y-%m-%d %H:%M}", f"{datetime.now():%H:%M:%S}"
        if procedure.addenda:  # the editor reports a signed procedure after its latest addendum
            added = procedure.addenda[-1]
            text = self.tr("Addendum {n} to the procedure of {d} signed by {who} at {t}").format(
                n=len(procedure.addenda), d=when, who=added.signed_by, t=now
            )
        elif procedure.signature is not None:
            text = self.tr("Procedure of {d} signed by {who} at {t}").format(
                d=when, who=procedure.signature.signed_by, t=now
            )
        else:
            text = self.tr("Procedure of {d} saved at {t}").format(d=when, t=now)
        self.statusBar().showMessage(text)

    def _performing_physician(self) -> str:
        """Who performs a new procedure: the physician signed in; for anyone else, the last one recorded."""
        actor = self._ctx.work.actor
        if actor is not None and actor.role is Role.PHYSICIAN:
            return actor.display_name
        return self._last_physician()

    def _last_physician(self) -> str:
        return str(QSettings().value("last_physician", "") or "")

    @guarded
    def edit_presets(self) -> PresetsDialog:
        from facetdesk.ui.admin.presets_dialog import PresetsDialog

        self._ctx.work.require(Permission.EDIT_PRESETS)
        dialog = PresetsDialog(self._ctx.presets, self._ctx.catalog, self)
        dialog.open()
        self._presets_dialog = dialog
        return dialog

    @guarded
    def start_from_previous(self, procedure_id: int) -> None:
        """A new procedure shaped like an earlier one: never its scores, dates, notes or sign-offs."""
        self._ctx.work.require(Permission.EDIT_PROCEDURE)
        if not self._confirm_discard():
            return
        from facetdesk.domain.copy_forward import start_from

        patient, previous = self._ctx.records.get_procedure(procedure_id)
        data = {**start_from(previous), "performed_at": datetime.now().replace(second=0, microsecond=0)}
        self.editor.load_data(patient, None, data)
        self._show_editor()
        self.editor.set_status(
            self.tr("Started from the procedure of {d}: check levels and medications; enter today's scores.").format(
                d=f"{previous.performed_at:%Y-%m-%d}"
            )
        )

    @guarded
    def edit_settings(self) -> ClinicSettingsDialog:
        from facetdesk.ui.admin.settings_dialog import ClinicSettingsDialog

        self._ctx.work.require(Permission.EDIT_SETTINGS)
        dialog = ClinicSettingsDialog(self._ctx.settings, self)
        dialog.accepted.connect(self.session.settings_saved)
        dialog.open()
        self._settings_dialog = dialog
        return dialog

    def restore_layout(self) -> None:
        """Window size, toolbar and splitter positions as the user left them (per user, via QSettings)."""
        settings = QSettings()
        for key, restore in (("window/geometry", self.restoreGeometry), ("window/state", self.restoreState)):
            value = settings.value(key)
            if value is not None:
                restore(value)
        # Applied when the editor is built (or now, if it already is).
        stored = settings.value("window/editor_splitter")
        self._editor_splitter_state = stored if isinstance(stored, QByteArray) else None
        if self._editor is not None and self._editor_splitter_state is not None:
            self._editor.restore_layout_state(self._editor_splitter_state)
        width = settings.value("window/list_width")
        if width is not None:
            self._list_width = int(width)

    def save_layout(self) -> None:
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        if self._editor is not None:  # else the stored state is still the one restored, unchanged
            settings.setValue("window/editor_splitter", self._editor.layout_state())
        list_width = self.splitter.sizes()[0] or getattr(self, "_list_width", 0)
        if list_width:
            settings.setValue("window/list_width", list_width)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        if self.session.is_locked:
            # Nobody here can answer for the absent user: their edits stay in the draft, offered at the next start.
            if self._autosave is not None:
                self._autosave.autosave_now()
                self._autosave.release()
            self.session.idle.disarm()
            self.save_layout()
            event.accept()
            return
        if self._confirm_discard():
            if self._editor is not None:
                self._editor.discard_changes()
            self.save_layout()
            event.accept()
        else:
            event.ignore()
