"""The main window's menus, toolbar and shortcuts: each action named, with its shortcut in its tooltip."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence, QUndoGroup
from PySide6.QtWidgets import QMainWindow, QMenu

if TYPE_CHECKING:
    from facetdesk.ui.shell.admin_dialogs import AdminDialogs
    from facetdesk.ui.shell.note_output import NoteOutput
    from facetdesk.ui.shell.patient_flow import PatientFlow
    from facetdesk.ui.shell.procedure_flow import ProcedureFlow
    from facetdesk.ui.shell.session import SessionController

Shortcut = str | QKeySequence.StandardKey | None


class WindowMenus(QObject):
    """Builds the File, Edit and Administration menus and the toolbar on ``window``, each action wired to its slot."""

    def __init__(
        self,
        window: QMainWindow,
        undo_group: QUndoGroup,
        *,
        patients: PatientFlow,
        procedures: ProcedureFlow,
        note_output: NoteOutput,
        admin: AdminDialogs,
        session: SessionController,
        save_current: Callable[[], object],
        focus_search: Callable[[], object],
    ):
        super().__init__(window)
        self._window = window
        file_menu = window.menuBar().addMenu(self.tr("&File"))

        def action(text: str, shortcut: Shortcut, slot: Callable[[], object], name: str) -> QAction:
            return self._action(file_menu, text, shortcut, slot, name)

        self.new_patient_action = action("New &patient", "Ctrl+Shift+N", patients.new_patient, "new_patient")
        self.new_procedure_action = action(
            "&New procedure", QKeySequence.StandardKey.New, procedures.new_procedure, "new_procedure"
        )
        self.save_action = action("&Save", QKeySequence.StandardKey.Save, save_current, "save")
        self.export_action = action("&Export PDF note…", "Ctrl+E", note_output.export_pdf, "export_pdf")
        self.export_fhir_action = action(
            "Export &FHIR bundle for the EHR…", "Ctrl+Shift+E", note_output.export_fhir, "export_fhir"
        )
        self.send_to_ehr_action = action("Send note to the EH&R", "", note_output.send_to_ehr, "send_to_ehr")
        self.outbox_action = action("EHR o&utbox…", "", admin.show_outbox, "ehr_outbox")
        self.export_outcomes_action = action(
            "Export &outcomes for a registry…", "", admin.show_outcomes_export, "export_outcomes"
        )
        self.clinic_outcomes_action = action("Cl&inic outcomes…", "", admin.show_clinic_outcomes, "clinic_outcomes")
        self.preview_action = action("Pre&view note…", "Ctrl+Shift+V", note_output.preview_note, "preview_note")
        self.print_action = action("&Print note…", QKeySequence.StandardKey.Print, note_output.print_note, "print_note")
        self.print_both_action = action(
            "Print note and patient &handout…", None, note_output.print_note_and_handout, "print_note_and_handout"
        )
        self.find_action = action("&Find patient", QKeySequence.StandardKey.Find, focus_search, "find_patient")
        file_menu.addSeparator()
        self.settings_action = action("Clinic &settings…", "Ctrl+,", admin.edit_settings, "clinic_settings")
        self.presets_action = action("Procedure p&resets…", "Ctrl+Shift+R", admin.edit_presets, "procedure_presets")
        file_menu.addSeparator()
        self.lock_action = action("&Lock", "Ctrl+L", session.lock, "lock")
        self.switch_user_action = action("S&witch user…", "", lambda: session.lock(switching=True), "switch_user")
        self.change_password_action = action("&Change my password…", "", admin.change_password, "change_password")
        file_menu.addSeparator()
        self.quit_action = action("&Quit", QKeySequence.StandardKey.Quit, window.close, "quit")
        self._build_edit_menu(undo_group)
        self.admin_menu = window.menuBar().addMenu(self.tr("&Administration"))
        self.users_action = self._action(self.admin_menu, "&Users…", "", admin.show_users, "users")
        self.audit_action = self._action(self.admin_menu, "&Audit trail…", "", admin.show_audit, "audit_trail")
        self.record_audit_action = self._action(
            self.admin_menu, "Audit trail of this &record…", "", admin.show_record_audit, "record_audit_trail"
        )
        self.admin_menu.addSeparator()
        self.admin_menu.addAction(self.clinic_outcomes_action)
        self.admin_menu.addAction(self.settings_action)
        toolbar = window.addToolBar(self.tr("Main"))
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

    def _action(self, menu: QMenu, text: str, shortcut: Shortcut, slot: Callable[[], object], name: str) -> QAction:
        window = self._window
        act = QAction(self.tr(text), window)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
            act.setToolTip(f"{self.tr(text).replace('&', '')} ({QKeySequence(shortcut).toString()})")
        else:
            act.setToolTip(self.tr(text).replace("&", "").rstrip("…"))
        act.setObjectName(name)
        # triggered() passes 'checked'; the slots take no arguments.
        act.triggered.connect(lambda _checked=False, f=slot: f())
        menu.addAction(act)
        window.addAction(act)
        return act

    def _build_edit_menu(self, undo_group: QUndoGroup) -> None:
        edit_menu = self._window.menuBar().addMenu(self.tr("&Edit"))
        # The group follows the editor's undo stack once the editor exists.
        self.undo_action = undo_group.createUndoAction(self._window, self.tr("&Undo"))
        self.undo_action.setShortcuts([QKeySequence("Ctrl+Z")])
        self.undo_action.setObjectName("undo")
        self.redo_action = undo_group.createRedoAction(self._window, self.tr("&Redo"))
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.redo_action.setObjectName("redo")
        for act in (self.undo_action, self.redo_action):
            act.setShortcutVisibleInContextMenu(True)
            edit_menu.addAction(act)
            self._window.addAction(act)

    def refresh_undo(self, undo_group: QUndoGroup) -> None:
        self.undo_action.setEnabled(undo_group.canUndo())
        self.redo_action.setEnabled(undo_group.canRedo())
