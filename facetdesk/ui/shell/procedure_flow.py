"""Procedures in the main window: a new one, opening one, starting from a previous one, and what follows a save."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings

from facetdesk.domain.users import Permission, Role
from facetdesk.ui.common.access import guarded

if TYPE_CHECKING:
    from facetdesk.domain.procedure import Procedure
    from facetdesk.services.context import AppContext
    from facetdesk.ui.editor.procedure_editor import ProcedureEditor
    from facetdesk.ui.patients.patient_list import PatientListPanel
    from facetdesk.ui.patients.patient_page import PatientPage
    from facetdesk.ui.shell.questions import WindowQuestions
    from facetdesk.ui.shell.work_area import WorkArea


class ProcedureFlow(QObject):
    """``editor`` gives the procedure editor (built on first use); ``confirm_discard`` asks before unsaved edits
    are left; ``status`` shows a message."""

    def __init__(
        self,
        ctx: AppContext,
        page: PatientPage,
        patient_list: PatientListPanel,
        work_area: WorkArea,
        questions: WindowQuestions,
        *,
        editor: Callable[[], ProcedureEditor],
        confirm_discard: Callable[[], bool],
        status: Callable[..., None],
        show_not_permitted: Callable[[Exception], None],
    ):
        super().__init__(page)
        self._ctx, self._page, self._list, self._area, self._questions = ctx, page, patient_list, work_area, questions
        self._editor, self._confirm_discard, self._status = editor, confirm_discard, status
        self.show_not_permitted = show_not_permitted

    @guarded
    def new_procedure(self) -> None:
        self._ctx.work.require(Permission.EDIT_PROCEDURE)
        pid = self._page.patient_id
        if pid is None:
            self._status(self.tr("Select or save a patient first"), 5000)
            return
        if not self._confirm_discard():
            return
        editor = self._editor()
        editor.set_usual_medication_agents(self._ctx.records.usual_medication_agents())
        editor.load(self._ctx.records.get_patient(pid), None, physician_hint=self._performing_physician())
        self._area.show_editor(editor)
        editor.focus_first_field()

    @guarded
    def open_procedure(self, procedure_id: int) -> None:
        if not self._confirm_discard():
            return
        patient, procedure = self._ctx.records.get_procedure(procedure_id)
        editor = self._editor()
        editor.load(patient, procedure)
        self._area.show_editor(editor)

    @guarded
    def start_from_previous(self, procedure_id: int) -> None:
        """A new procedure shaped like an earlier one: never its scores, dates, notes or sign-offs."""
        self._ctx.work.require(Permission.EDIT_PROCEDURE)
        if not self._confirm_discard():
            return
        from facetdesk.domain.copy_forward import start_from

        patient, previous = self._ctx.records.get_procedure(procedure_id)
        data = {**start_from(previous), "performed_at": datetime.now().replace(second=0, microsecond=0)}
        editor = self._editor()
        editor.load_data(patient, None, data)
        self._area.show_editor(editor)
        editor.messages.set_status(
            self.tr("Started from the procedure of {d}: check levels and medications; enter today's scores.").format(
                d=f"{previous.performed_at:%Y-%m-%d}"
            )
        )

    @guarded
    def start_planned(self, patient_id: int, plan: dict, what: str) -> None:
        """A new procedure from the pathway's plan (joints and how it is done, never anything observed)."""
        self._ctx.work.require(Permission.EDIT_PROCEDURE)
        if not self._confirm_discard():
            return
        patient = self._ctx.records.get_patient(patient_id)
        data = {**plan, "performed_at": datetime.now().replace(second=0, microsecond=0)}
        editor = self._editor()
        editor.load_data(patient, None, data)
        self._area.show_editor(editor)
        editor.messages.set_status(
            self.tr("Planned from the pathway: {what}. Check the plan; enter today's details and scores.").format(
                what=what
            )
        )

    def procedure_saved(self, procedure: Procedure) -> None:
        QSettings().setValue("last_physician", procedure.physician)
        self._list.refresh()
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
        self._status(text)

    @guarded
    def procedure_stale(self) -> None:
        """A save refused because another workstation saved first: reload the stored version if the user asks."""
        editor = self._editor()
        procedure = editor.procedure
        if procedure is None or procedure.id is None or not self._questions.ask_reload(self.tr("procedure")):
            return
        patient, fresh = self._ctx.records.get_procedure(procedure.id)
        editor.load(patient, fresh)
        self._status(self.tr("Procedure reloaded: your changes were not saved"))

    def _performing_physician(self) -> str:
        """Who performs a new procedure: the physician signed in; for anyone else, the last one recorded."""
        actor = self._ctx.work.actor
        if actor is not None and actor.role is Role.PHYSICIAN:
            return actor.display_name
        return str(QSettings().value("last_physician", "") or "")
