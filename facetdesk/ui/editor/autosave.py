"""Autosave: every few seconds the procedure editor's unsaved edits are written as a draft."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic_core import to_jsonable_python
from PySide6.QtCore import QObject, QTimer, Signal

from facetdesk.services.drafts import Draft, DraftStore, new_draft_id

if TYPE_CHECKING:
    from facetdesk.services.session import WorkSession
    from facetdesk.ui.editor.procedure_editor import ProcedureEditor

DEFAULT_INTERVAL_MS = 3000


class AutosaveController(QObject):
    """Keeps at most one draft for one editor: written while there are unsaved edits, removed on save or discard.

    Each draft is written in the name of the user signed in at the time (``work.actor``). The window hands the
    draft over (``release``) before anyone else's edits can follow, so one draft never mixes two users' work.
    """

    draft_saved = Signal(object)  # Draft

    def __init__(
        self,
        editor: ProcedureEditor,
        store: DraftStore,
        database_url: str,
        work: WorkSession,
        interval_ms: int = DEFAULT_INTERVAL_MS,
    ):
        super().__init__(editor)
        self._editor = editor
        self._store = store
        self._database_url = database_url
        self._work = work
        self.draft_id = new_draft_id()
        self._written: dict[str, Any] | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.autosave_now)
        self.timer.start()
        editor.saved.connect(self.discard)
        editor.discarded.connect(self.discard)
        editor.loaded.connect(self.discard)  # the previous procedure's edits were saved or thrown away

    def set_interval(self, interval_ms: int) -> None:
        self.timer.setInterval(interval_ms)

    def autosave_now(self) -> Draft | None:
        """Write a draft if the editor holds edits not yet in a draft; returns it, or None."""
        editor = self._editor
        patient = editor.patient
        actor = self._work.actor
        # Nobody signed in: there is no one to write it for (and the window is locked, so no one is typing).
        if actor is None or not editor.has_unsaved_changes() or patient is None or patient.id is None:
            return None
        data = to_jsonable_python(editor.data())
        if data == self._written:
            return None
        procedure = editor.procedure
        draft = Draft(
            id=self.draft_id,
            database_url=self._database_url,
            patient_id=patient.id,
            procedure_id=procedure.id if procedure else None,
            procedure_uid=procedure.uid if procedure else None,
            procedure_version=procedure.version if procedure else None,
            data=data,
            author=actor.username,
        )
        try:
            self._store.save(draft)
        except OSError as exc:
            # Keep editing possible; the message names the problem, not the patient.
            editor.status.setText(self.tr("Draft could not be autosaved: {e}").format(e=exc.strerror or exc))
            return None
        self._written = data
        editor.status.setText(self.tr("Draft autosaved at {t}").format(t=f"{draft.saved_at:%H:%M:%S}"))
        self.draft_saved.emit(draft)
        return draft

    def discard(self, *_args: object) -> None:
        try:
            self._store.discard(self.draft_id)
        except OSError as exc:
            self._editor.status.setText(self.tr("Draft could not be removed: {e}").format(e=exc.strerror or exc))
        self._written = None

    def has_current_draft(self) -> bool:
        """True when the editor's unsaved edits, as they are now, are in a draft file."""
        editor = self._editor
        return self._written is not None and to_jsonable_python(editor.data()) == self._written

    def release(self) -> str | None:
        """Keep the draft file for its author and stop owning it: later saves or discards here leave it alone.

        Returns the id of the kept draft, or None when there was none.
        """
        kept = self.draft_id if self._written is not None else None
        self.draft_id = new_draft_id()
        self._written = None
        return kept

    def adopt(self, draft: Draft) -> None:
        """Continue a recovered draft: later autosaves replace its file instead of adding a second one."""
        if draft.id != self.draft_id:
            self.discard()
        self.draft_id = draft.id
        self._written = None
