"""Catching up with other workstations: the open patient's timeline, details and procedure as stored now.

Another workstation may sign, edit or add an addendum to a procedure of the patient open here. Each time the
window is activated, and every CHECK_MS while it is on screen, one statement reads the stored versions of the
patient and its procedures (RecordService.versions_of); only what changed is read again. Unsaved typing is
never replaced: the user is told instead, and their save is refused and a reload offered as before.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

from facetdesk.domain.users import NotPermitted
from facetdesk.services.records import NotFound
from facetdesk.storage.errors import StorageError

if TYPE_CHECKING:
    from facetdesk.domain.procedure import Procedure
    from facetdesk.services.context import AppContext
    from facetdesk.storage.repository import RecordVersions
    from facetdesk.ui.editor.procedure_editor import ProcedureEditor
    from facetdesk.ui.patients.patient_page import PatientPage

# How often the open patient's versions are compared while the window is on screen. Not a clinical number:
# short enough that a colleague's signature shows before the next decision, long enough to cost the server
# nothing (one indexed statement per workstation every 15 s).
CHECK_MS = 15_000
# Said beside unsaved typing over a record changed elsewhere; the save is refused and offers a reload.
CHANGED = "Changed on another workstation. Your typing is kept; saving will offer to reload."


class CatchUp(QObject):
    """``editor`` gives the procedure editor when it is on show (else None); ``paused`` is true while the
    window is locked; ``status`` shows a message."""

    def __init__(
        self,
        ctx: AppContext,
        window: QMainWindow,
        page: PatientPage,
        *,
        editor: Callable[[], ProcedureEditor | None],
        paused: Callable[[], bool],
        status: Callable[[str, int], None],
    ):
        super().__init__(window)
        self._ctx, self._window, self._page = ctx, window, page
        self._editor, self._paused, self._status = editor, paused, status
        # What the user was last told about (record, stored versions): said once, not at every check.
        self._told: tuple | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()
        window.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if obj is self._window and event.type() == QEvent.Type.WindowActivate:
            # After the activation is handled: a question it raises has a window to sit on.
            QTimer.singleShot(0, self.check)
        return False

    def check(self) -> bool:
        """Compare the stored versions with those on show; True when something was brought up to date."""
        window = self._window
        if self._paused() or not window.isVisible() or window.isMinimized():
            return False  # locked (patient data hidden) or not on screen: activation catches up later
        if QApplication.activeModalWidget() is not None:
            return False  # a question is open (e.g. signing's password): nothing moves under it
        editor = self._editor()
        patient = editor.patient if editor is not None else None
        patient_id = patient.id if patient is not None else self._page.patient_id
        if patient_id is None:
            return False
        try:
            versions = self._ctx.records.versions_of(patient_id)
            if editor is not None:
                return self._editor_caught_up(editor, versions)
            return self._page_caught_up(patient_id, versions)
        except (StorageError, NotFound, NotPermitted):
            return False  # no database now, or the record is gone: the next action the user takes says so

    # ---- the patient page -----------------------------------------------------------------
    def _page_caught_up(self, patient_id: int, versions: RecordVersions) -> bool:
        page, records = self._page, self._ctx.records
        updated = False
        if versions.patient != page.patient_version:
            if not page.has_unsaved_changes():
                page.reload_details(records.get_patient(patient_id))
                updated = True
            elif self._tell(("patient", patient_id, versions.patient)):
                page.show_error(self.tr(CHANGED))
        if page.timeline_out_of_date(versions):
            page.refresh_procedures(keep_place=True)
            updated = True
        if updated:
            self._status(self.tr("Updated from another workstation at {t}").format(t=_now()), 10_000)
        return updated

    # ---- the procedure editor ---------------------------------------------------------------
    def _editor_caught_up(self, editor: ProcedureEditor, versions: RecordVersions) -> bool:
        procedure, patient = editor.procedure, editor.patient
        assert patient is not None
        procedure_id = procedure.id if procedure is not None else None  # None: a new procedure, not yet saved
        stored = versions.procedure(procedure_id) if procedure_id is not None else None
        procedure_changed = procedure is not None and stored is not None and stored != procedure.version
        if not procedure_changed and versions.patient == patient.version:
            return False
        if procedure is None or procedure_id is None or editor.has_unsaved_changes():
            # The typing stays; the user is told once what happened to the stored record.
            if self._tell(("procedure", procedure_id, stored, versions.patient)):
                changed = None
                if procedure_changed and procedure_id is not None:
                    changed = self._ctx.records.get_procedure(procedure_id)[1]
                editor.messages.show_error(self._notice(changed))
            return False
        fresh_patient, fresh = self._ctx.records.get_procedure(procedure_id)
        tab = editor.form.currentIndex()
        editor.load(fresh_patient, fresh)  # nothing unsaved: the stored version, locked if it was signed
        editor.form.setCurrentIndex(tab)
        signature = fresh.signature
        if signature is not None and not procedure.is_signed:
            text = self.tr("Signed on another workstation by {name} at {t}").format(
                name=signature.signed_by, t=f"{signature.signed_at:%H:%M}"
            )
        else:
            text = self.tr("Updated from another workstation at {t}").format(t=_now())
        editor.messages.set_status(text)
        return True

    def _notice(self, fresh: Procedure | None) -> str:
        """What the user with unsaved typing is told about the stored record."""
        if fresh is None:
            return self.tr(
                "The patient's details were changed on another workstation. Save, then reopen to check against them."
            )
        if fresh.signature is not None:
            return self.tr(
                "Signed on another workstation by {name}. Your unsaved changes cannot be saved into it: "
                "copy what you need."
            ).format(name=fresh.signature.signed_by)
        return self.tr(CHANGED)

    def _tell(self, what: tuple) -> bool:
        """True the first time ``what`` is to be said."""
        if self._told == what:
            return False
        self._told = what
        return True


def _now() -> str:
    return f"{datetime.now():%H:%M}"
