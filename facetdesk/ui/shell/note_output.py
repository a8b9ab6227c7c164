"""The main window's outputs of the open procedure: note preview, PDF, print and FHIR export, each audited."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFileDialog, QWidget

from facetdesk.domain.procedure import Procedure
from facetdesk.domain.users import NotPermitted, Permission
from facetdesk.storage.errors import StorageError
from facetdesk.ui.common.access import guarded

if TYPE_CHECKING:  # QtPdf and QtPrintSupport are loaded when a note is first previewed or printed
    from facetdesk.services.context import AppContext
    from facetdesk.ui.editor.procedure_editor import ProcedureEditor
    from facetdesk.ui.shell.note_preview import NotePreview

Status = Callable[[str, int], None]


class NoteOutput(QObject):
    """The open procedure's outputs for the main window: preview, PDF, print and FHIR export, each audited.

    ``open_editor`` gives the procedure editor when it is the page on show (None otherwise); ``status`` shows a
    message in the window's status bar; ``show_not_permitted`` explains a refused action (see access.guarded).
    """

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget,
        open_editor: Callable[[], ProcedureEditor | None],
        status: Status,
        show_not_permitted: Callable[[Exception], None],
    ):
        super().__init__(parent)
        self._ctx, self._parent, self._open_editor, self._status = ctx, parent, open_editor, status
        self.show_not_permitted = show_not_permitted
        self.preview: NotePreview | None = None
        # Starts a delivery round of the EHR outbox (the window's OutboxRunner.kick).
        self.kick_outbox: Callable[[], None] = lambda: None

    def _saved_procedure_for_note(self) -> tuple[ProcedureEditor, Procedure] | None:
        """The open editor and its procedure, saved first if it has changes; None (with a message) when there is
        none."""
        editor = self._open_editor()
        if editor is None:
            self._status(self.tr("Open a procedure to preview, export or print its note"), 5000)
            return None
        unsaved = editor.procedure is None or editor.has_unsaved_changes()
        if unsaved and editor.save() is None:
            return None
        assert editor.procedure is not None and editor.procedure.id is not None
        return editor, editor.procedure

    @guarded
    def preview_note(self) -> NotePreview | None:
        """Show the note exactly as it will be exported and printed."""
        from facetdesk.ui.shell.note_preview import NotePreview

        opened = self._saved_procedure_for_note()
        if opened is None:
            return None
        editor, procedure = opened
        assert procedure.id is not None and editor.patient is not None
        note = self._ctx.notes.render_procedure_note(procedure.id)
        preview = NotePreview(
            note.pdf,
            self.tr("Procedure note — {n}").format(n=editor.patient.display_name),
            list(note.warnings),
            self._parent,
            handout=functools.partial(self._ctx.notes.render_handout, procedure.id),
        )
        preview.export_requested.connect(lambda: self.export_pdf())
        preview.printed.connect(lambda pages, pid=procedure.id: self._record_print(pid, pages))
        may_export = self._ctx.work.may(Permission.EXPORT)
        for button in (preview.export_button, preview.print_button, preview.print_both_button):
            button.setEnabled(may_export)
        # A preview closed is a preview freed (its PDF view held about 8 MiB); an older one still open goes too.
        preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        preview.finished.connect(lambda _result, shown=preview: self._forget(shown))
        if self.preview is not None:
            self.preview.close()
        preview.open()
        self.preview = preview
        return preview

    def _forget(self, preview: NotePreview) -> None:
        if self.preview is preview:
            self.preview = None

    @guarded
    def print_note(self) -> int:
        self._ctx.work.require(Permission.EXPORT)
        preview = self.preview_note()
        return preview.print_note() if preview is not None else 0

    @guarded
    def print_note_and_handout(self) -> int:
        """The chart note and the patient's handout (instructions, pain diary sheet) in one print job."""
        self._ctx.work.require(Permission.EXPORT)
        preview = self.preview_note()
        return preview.print_note_and_handout() if preview is not None else 0

    def _record_print(self, procedure_id: int, pages: int) -> None:
        """After a successful print: the audit trail records it (the note left the system on paper)."""
        try:
            self._ctx.notes.record_print(procedure_id, pages)
        except (StorageError, NotPermitted) as exc:
            self._status(self.tr("Printed, but the print was not recorded: {e}").format(e=exc), 10000)
            return
        self._status(self.tr("Note printed ({n} page(s))").format(n=pages), 8000)

    def _export_path(self, editor: ProcedureEditor, title: str, suffix: str, file_filter: str) -> str | None:
        """The file to export the open procedure to, asked with a suggested name (MRN and date)."""
        procedure, patient = editor.procedure, editor.patient
        assert procedure is not None and patient is not None
        suggested = re.sub(r"[^A-Za-z0-9-]+", "_", f"{patient.mrn}_{procedure.performed_at:%Y-%m-%d}") + suffix
        path, _ = QFileDialog.getSaveFileName(self._parent, title, str(Path.home() / suggested), file_filter)
        return path or None

    def _export_failed(self, editor: ProcedureEditor, what: str, exc: Exception) -> None:
        message = self.tr("{what} not exported: {e}").format(what=what, e=getattr(exc, "strerror", None) or exc)
        editor.messages.show_error(message)
        self._status(message, 10000)

    @guarded
    def export_fhir(self, path: str | None = None) -> Path | None:
        """Export the open procedure as a FHIR R4 bundle for the EHR (recorded in the audit trail)."""
        return self._export(
            path, self._ctx.cases.export_fhir, self.tr("Export FHIR bundle"), ".fhir.json",
            self.tr("FHIR JSON (*.json)"), self.tr("FHIR bundle"),
        )  # fmt: skip

    @guarded
    def send_to_ehr(self) -> list[int]:
        """Queue the open, signed procedure's note for the EHR now (as signing does when the clinic turns it on)."""
        self._ctx.work.require(Permission.EXPORT)
        editor = self._open_editor()
        procedure = editor.procedure if editor is not None else None
        if editor is None or procedure is None or procedure.id is None or not procedure.is_signed:
            self._status(self.tr("Open a signed procedure to send its note to the EHR"), 6000)
            return []
        try:
            queued = self._ctx.outbox.queue(procedure.id)
        except (LookupError, StorageError, ValueError) as exc:
            editor.messages.show_error(self.tr("Not sent to the EHR: {e}").format(e=exc))
            return []
        self.kick_outbox()
        self._status(
            self.tr("Note queued for the EHR ({n} message(s)); see File → EHR outbox").format(n=len(queued)), 8000
        )
        return queued

    @guarded
    def export_pdf(self, path: str | None = None) -> Path | None:
        """Export the open procedure's note (recorded in the audit trail); asks for a file name unless given."""
        return self._export(
            path, self._ctx.notes.export_procedure, self.tr("Export PDF note"), ".pdf", self.tr("PDF (*.pdf)"),
            self.tr("Note"),
        )  # fmt: skip

    def _export(
        self, path: str | None, write: Callable[[int, str], Path], title: str, suffix: str, file_filter: str, what: str
    ) -> Path | None:
        """Save the open procedure if changed, ask for a file unless given, write it with ``write`` (which audits)."""
        self._ctx.work.require(Permission.EXPORT)
        opened = self._saved_procedure_for_note()
        if opened is None:
            return None
        editor, procedure = opened
        assert procedure.id is not None
        if path is None:
            path = self._export_path(editor, title, suffix, file_filter)
            if path is None:
                return None
        try:
            written = write(procedure.id, path)
        except (OSError, StorageError) as exc:
            self._export_failed(editor, what, exc)
            return None
        self._status(self.tr("{what} exported to {p}").format(what=what, p=written), 8000)
        return written
