"""Patients in the main window: a new patient, opening one, its page, and saving the patient form."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt

from facetdesk.domain.errors import InvalidRecord
from facetdesk.domain.patient import unusual_adult_weight
from facetdesk.domain.users import NotPermitted, Permission
from facetdesk.storage.errors import StaleRecord, StorageError
from facetdesk.ui.common.access import guarded

if TYPE_CHECKING:
    from facetdesk.domain.patient import Patient
    from facetdesk.services.context import AppContext
    from facetdesk.ui.patients.follow_up_dialog import FollowUpDialog
    from facetdesk.ui.patients.pathway_dialog import PathwayDialog
    from facetdesk.ui.patients.patient_list import PatientListPanel
    from facetdesk.ui.patients.patient_page import PatientPage
    from facetdesk.ui.shell.questions import WindowQuestions
    from facetdesk.ui.shell.work_area import WorkArea


class PatientFlow(QObject):
    """``confirm_discard`` asks before the open procedure's unsaved edits are left; ``status`` shows a message."""

    def __init__(
        self,
        ctx: AppContext,
        page: PatientPage,
        patient_list: PatientListPanel,
        work_area: WorkArea,
        questions: WindowQuestions,
        *,
        confirm_discard: Callable[[], bool],
        status: Callable[[str], None],
        show_not_permitted: Callable[[Exception], None],
    ):
        super().__init__(page)
        self._ctx, self._page, self._list, self._area, self._questions = ctx, page, patient_list, work_area, questions
        self._confirm_discard, self._status = confirm_discard, status
        self.show_not_permitted = show_not_permitted
        # Set by the window: start a new procedure from a pathway's plan (the procedure flow's start_planned).
        self.plan_next: Callable[[int, dict, str], None] = lambda patient_id, plan, what: None

    @guarded
    def new_patient(self) -> None:
        self._ctx.work.require(Permission.EDIT_PATIENT)
        if not self._confirm_discard():
            return
        self._area.show_page(self._page)
        self._page.show_new_patient(self._ctx.records.usual_anticoagulants())

    @guarded
    def open_patient(self, patient_id: int) -> None:
        if not self._confirm_discard():
            # The list marks the patient still on show, not the one clicked and not opened.
            self._list.select_patient(self._page.patient_id)
            return
        records = self._ctx.records
        self._page.show_patient(records.get_patient(patient_id), records.usual_anticoagulants())
        self._area.show_page(self._page)

    @guarded
    def show_patient_page(self) -> None:
        if not self._confirm_discard():
            return
        self._page.refresh_procedures()
        self._area.show_page(self._page)

    @guarded
    def record_follow_up(self, procedure_id: int) -> FollowUpDialog:
        """The follow-up dialog of a procedure: its visits so far, and a new one saved in the signed-in name."""
        from facetdesk.ui.patients.follow_up_dialog import FollowUpDialog

        patient, procedure = self._ctx.records.get_procedure(procedure_id)
        assert patient.id is not None
        earlier = [v for v in self._ctx.follow_ups.of_patient(patient.id) if v.procedure_uid == procedure.uid]
        dialog = FollowUpDialog(procedure, earlier, self._ctx.follow_ups.save, self._page)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(
            lambda visit: self._status(self.tr("Follow-up of {d} saved").format(d=f"{visit.seen_on:%Y-%m-%d}"))
        )
        dialog.open()
        self.follow_up_dialog = dialog
        return dialog

    @guarded
    def show_pathway(self, patient_id: int) -> PathwayDialog:
        """The patient's pathway by region; "Plan next step" goes to ``plan_next`` (the procedure flow)."""
        from facetdesk.ui.patients.pathway_dialog import PathwayDialog

        patient = self._ctx.records.get_patient(patient_id)
        dialog = PathwayDialog(patient.display_name, self._ctx.pathway.of_patient(patient_id), self._page)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # closed is freed (its charts and tables)
        dialog.plan_requested.connect(lambda plan, what: self.plan_next(patient_id, plan, what))
        dialog.open()
        self.pathway_dialog = dialog
        return dialog

    @guarded
    def save_patient(self) -> Patient | None:
        page, records = self._page, self._ctx.records
        data = page.form_data()
        # An adult weight that looks like a typing slip (input.adult_weight_plausible_kg) is asked about first.
        unusual = unusual_adult_weight(data.get("weight_kg"), data.get("date_of_birth"), date.today())
        if unusual is not None and not self._questions.confirm_weight(unusual):
            page.focus_weight()
            self._status(self.tr("Patient not saved: check the weight"))
            return None
        try:
            patient = records.save_patient(data)
        except InvalidRecord as exc:
            page.show_field_errors(exc.errors)
            self._status(self.tr("Patient not saved: {n} problem(s)").format(n=len(exc.errors)))
            return None
        except StaleRecord as exc:
            page.show_error(self.tr("Patient not saved: {msg}").format(msg=str(exc)))
            if page.patient_id is not None and self._questions.ask_reload(self.tr("patient")):
                page.show_patient(records.get_patient(page.patient_id), records.usual_anticoagulants())
                page.show_error(
                    self.tr("Reloaded: this patient was changed on another workstation; your changes were not saved.")
                )
                self._status(self.tr("Patient reloaded: your changes were not saved"))
            return None
        except (StorageError, NotPermitted) as exc:
            page.show_error(self.tr("Patient not saved: {msg}").format(msg=str(exc)))
            return None
        page.show_patient(patient, records.usual_anticoagulants())
        self._list.refresh()
        assert patient.id is not None  # a saved patient
        self._list.select_patient(patient.id)
        self._status(
            self.tr("Patient {name} saved at {t}").format(name=patient.display_name, t=f"{datetime.now():%H:%M:%S}")
        )
        return patient
