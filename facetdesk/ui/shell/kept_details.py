"""Unsaved patient details kept for their author when someone else signs in at the lock screen.

The next user must neither see nor save them (they would be saved in the wrong name), yet they are not
thrown away: they are kept in memory for the running app and offered back when their author signs in again
here. Closing the app while some are kept asks first. No draft file holds them: a patient's details are
short, and a file would outlive the question of whose they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from facetdesk.domain.users import NotPermitted
from facetdesk.services.records import NotFound
from facetdesk.storage.errors import StorageError

if TYPE_CHECKING:
    from facetdesk.domain.users import Actor
    from facetdesk.services.context import AppContext
    from facetdesk.ui.patients.patient_page import PatientPage
    from facetdesk.ui.shell.questions import WindowQuestions
    from facetdesk.ui.shell.work_area import WorkArea


@dataclass(frozen=True)
class KeptDetails:
    """One user's unsaved patient details: the patient (None: a new one), as named on their screen."""

    author: str  # the author's display name, for the question at quitting
    patient_id: int | None
    patient_name: str
    values: dict[str, Any]  # as PatientForm.data gave them, with the stored version they were typed over


class DetailsKeeper(QObject):
    """Keeps, per user name, the patient details they left unsaved on the page when someone else signed in."""

    def __init__(self, ctx: AppContext, page: PatientPage, work_area: WorkArea, questions: WindowQuestions):
        super().__init__(page)
        self._ctx, self._page, self._area, self._questions = ctx, page, work_area, questions
        self._kept: dict[str, KeptDetails] = {}

    def unsaved(self) -> bool:
        """The patient's details on show were edited and not saved."""
        return self._area.on_show(self._page) and self._page.has_unsaved_changes()

    def keep_for(self, author: Actor) -> bool:
        """Keep the unsaved details on show for ``author`` (the screen is cleared next); True when there were some."""
        if not self.unsaved():
            return False
        page = self._page
        values = page.form_data()
        named = ", ".join(n for n in (values.get("family_name"), values.get("given_name")) if n)
        self._kept[author.username] = KeptDetails(
            author.display_name, page.patient_id, named or self.tr("a new patient"), values
        )
        return True

    def kept_for_others(self, actor: Actor | None) -> list[str]:
        """Whose unsaved details are kept (their display names), other than ``actor``'s."""
        return [k.author for name, k in self._kept.items() if actor is None or name != actor.username]

    def offer_back(self, actor: Actor) -> bool:
        """Offer ``actor`` the details they left; True when they were put back on the page."""
        kept = self._kept.pop(actor.username, None)
        if kept is None or not self._questions.ask_restore_details(kept.patient_name):
            return False
        records = self._ctx.records
        try:
            patient = records.get_patient(kept.patient_id) if kept.patient_id is not None else None
            self._page.show_unsaved(patient, kept.values, records.usual_anticoagulants())
        except NotFound:
            self._page.show_error(self.tr("Not restored: this patient is no longer in the database."))
            return False
        except (StorageError, NotPermitted) as exc:
            self._kept[actor.username] = kept  # still theirs: offered again at their next sign-in
            self._page.show_error(self.tr("Not restored now: {msg}").format(msg=str(exc)))
            return False
        self._area.show_page(self._page)
        return True
