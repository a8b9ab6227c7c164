"""Procedure note use cases: render a stored procedure's note; export and print it, both audited."""

from __future__ import annotations

from pathlib import Path

from facetdesk.domain.audit import AuditAction, sha256_bytes
from facetdesk.domain.base import is_row_id
from facetdesk.domain.errors import FieldError, InvalidRecord
from facetdesk.domain.text import shown
from facetdesk.domain.users import Permission
from facetdesk.services.cases import CaseService
from facetdesk.services.records import NotFound
from facetdesk.services.rendering import (
    RenderedNote,
    render_case_handout,
    render_case_note,
    render_case_pdf,
    write_pdf,
)
from facetdesk.services.session import WorkSession
from facetdesk.services.settings import SettingsService
from facetdesk.services.verify import signed_record_problem
from facetdesk.storage import repository as repo
from facetdesk.storage.db import Database
from facetdesk.storage.signatures import signed_document

# More than any printer job of one note; a larger count is a slip, not a print.
MAX_PRINTED_PAGES = 9999

__all__ = ["NoteService", "RenderedNote", "render_case_note", "render_case_pdf", "write_pdf"]


class NoteService:
    def __init__(self, database: Database, work: WorkSession, cases: CaseService, settings: SettingsService):
        self._db = database
        self._work = work
        self._cases = cases
        self._settings = settings

    def render_procedure_note(self, procedure_id: int) -> RenderedNote:
        """The note to show, export or print: a signed procedure's stored signed PDF (with its signed addenda),
        never a fresh rendering under the signature; an unsigned one rendered now, marked DRAFT."""
        clinic = self._settings.load()
        case = self._cases.case_for(procedure_id, images=clinic.note_images)
        if case.procedure.is_signed:
            with self._db.read() as session:
                problem = signed_record_problem(session, procedure_id, case.procedure)
                document = signed_document(session, procedure_id)
            if problem is not None and document is None:
                # A signature FacetDesk never made: never print "signed by" on it.
                unsigned = case.model_copy(update={"procedure": case.procedure.model_copy(update={"signature": None})})
                note = render_case_note(unsigned, clinic=clinic)
                return RenderedNote(note.pdf, (problem, *note.warnings))
            if document is not None:
                return RenderedNote(document, () if problem is None else (problem,))
            note = render_case_note(case, clinic=clinic)
            warning = "Signed before FacetDesk kept signed PDFs: this is today's rendering of the signed record."
            return RenderedNote(note.pdf, (warning, *note.warnings))
        return render_case_note(case, clinic=clinic)

    def render_procedure(self, procedure_id: int) -> bytes:
        return self.render_procedure_note(procedure_id).pdf

    def render_handout(self, procedure_id: int) -> bytes:
        """The patient's handout (discharge instructions and pain diary sheet): not part of the chart or the
        signature, so always rendered from the record as it stands."""
        self._work.require(Permission.VIEW)
        return render_case_handout(self._cases.case_for(procedure_id), clinic=self._settings.load())

    def export_procedure(self, procedure_id: int, path: str | Path) -> Path:
        """Write the note to ``path`` (atomically) and record the export."""
        self._work.require(Permission.EXPORT)
        pdf = self.render_procedure(procedure_id)
        written = write_pdf(pdf, path)
        self._record(AuditAction.EXPORT, procedure_id, {"format": "pdf", "pdf_sha256": sha256_bytes(pdf)})
        return written

    def record_print(self, procedure_id: int, pages: int) -> None:
        """Record that the note was sent to a printer (the UI prints; this keeps the trail)."""
        self._work.require(Permission.EXPORT)
        if isinstance(pages, bool) or not isinstance(pages, int) or not 1 <= pages <= MAX_PRINTED_PAGES:
            raise InvalidRecord(
                [FieldError(("pages",), f"must be a whole number of pages from 1 to {MAX_PRINTED_PAGES}")]
            )
        with self._db.transaction() as session:
            # The trail must not claim a print of a note that does not exist.
            if not is_row_id(procedure_id) or repo.get_procedure(session, procedure_id, lock=True) is None:
                raise NotFound(f"procedure {shown(procedure_id)} does not exist")
            self._work.log(session, AuditAction.PRINT, "procedure", procedure_id, detail={"pages": pages})

    def _record(self, action: AuditAction, procedure_id: int, detail: dict) -> None:
        with self._db.transaction() as session:
            self._work.log(session, action, "procedure", procedure_id, detail=detail)
