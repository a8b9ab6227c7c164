"""Drafts offered back: one a killed session left, or one parked when someone else signed in."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from facetdesk.services.records import NotFound
from facetdesk.ui.common.access import guarded

if TYPE_CHECKING:
    from facetdesk.domain.patient import Patient
    from facetdesk.domain.procedure import Procedure
    from facetdesk.domain.users import Actor
    from facetdesk.services.context import AppContext
    from facetdesk.services.drafts import Draft
    from facetdesk.ui.editor.autosave import AutosaveController
    from facetdesk.ui.editor.procedure_editor import ProcedureEditor
    from facetdesk.ui.shell.patient_flow import PatientFlow
    from facetdesk.ui.shell.questions import WindowQuestions
    from facetdesk.ui.shell.work_area import WorkArea


class DraftRecovery(QObject):
    """Which drafts are the signed-in user's is the draft store's decision; this asks, and opens the one taken."""

    def __init__(
        self,
        ctx: AppContext,
        parent: QObject,
        questions: WindowQuestions,
        patients: PatientFlow,
        work_area: WorkArea,
        *,
        editor: Callable[[], ProcedureEditor],
        autosave: Callable[[], AutosaveController],
        confirm_discard: Callable[[], bool],
        show_not_permitted: Callable[[Exception], None],
    ):
        super().__init__(parent)
        self._ctx, self._questions, self._patients, self._area = ctx, questions, patients, work_area
        self._editor, self._autosave, self._confirm_discard = editor, autosave, confirm_discard
        self.show_not_permitted = show_not_permitted

    def offer_restore(self) -> bool:
        """Offer the signed-in user a draft a killed or crashed session left for this database; True if restored.

        One question at most, for the first draft that can still be restored.
        """
        drafts = self._ctx.drafts.drafts_of(self._ctx.work.actor, self._ctx.database.url_for_display())
        for draft in drafts:
            if self._draft_records(draft) is not None:
                return bool(self._restore(draft))
        return False

    def restore_parked(self, actor: Actor, draft_id: str) -> bool:
        """The draft ``actor`` left when someone else signed in, offered back to them."""
        url = self._ctx.database.url_for_display()
        draft = next((d for d in self._ctx.drafts.drafts_of(actor, url, include_live=True) if d.id == draft_id), None)
        return draft is not None and bool(self._restore(draft))

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
    def _restore(self, draft: Draft) -> bool:
        records = self._draft_records(draft)
        if records is None:
            return False
        patient, procedure = records
        if not self._questions.ask_restore(draft):
            # The user's own draft is removed; the store keeps one whose author is unknown.
            self._ctx.drafts.decline(draft, self._ctx.work.actor)
            return False
        if not self._confirm_discard():
            return False
        assert patient.id is not None  # a stored patient
        self._patients.open_patient(patient.id)
        editor = self._editor()
        editor.load_data(patient, procedure, draft.data)
        self._autosave().adopt(draft)
        self._area.show_editor(editor)
        editor.messages.set_status(self.tr("Recovered draft: review it and save"))
        return True
