"""The main window's outputs of the open procedure: note preview, PDF, print and FHIR export, each audited."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog

from facetdesk.domain.users import NotPermitted, Permission
from facetdesk.storage.errors import StorageError
from facetdesk.ui.common.access import guarded

if TYPE_CHECKING:  # QtPdf and QtPrintSupport are loaded when a note is first previewed or printed
    from facetdesk.ui.shell.note_preview import NotePreview


class NoteOutputMixin:
    """Mixed into MainWindow; uses its context, editor, stack and status bar."""

    def _saved_procedure_for_note(self):
        """The open procedure, saved first if it has changes; None (with a message) when there is none."""
        if not self._editing():
            self.statusBar().showMessage(self.tr("Open a procedure to preview, export or print its note"), 5000)
            return None
        unsaved = self.editor.procedure is None or self.editor.has_unsaved_changes()
        if unsaved and self.editor.save() is None:
            return None
        return self.editor.procedure

    @guarded
    def preview_note(self) -> NotePreview | None:
        """Show the note exactly as it will be exported and printed."""
        from facetdesk.ui.shell.note_preview import NotePreview

        procedure = self._saved_procedure_for_note()
        if procedure is None:
            return None
        note = self._ctx.notes.render_procedure_note(procedure.id)
        preview = NotePreview(
            note.pdf,
            self.tr("Procedure note — {n}").format(n=self.editor.patient.display_name),
            list(note.warnings),
            self,
            handout=lambda pid=procedure.id: self._ctx.notes.render_handout(pid),
        )
        preview.export_requested.connect(lambda: self.export_pdf())
        preview.printed.connect(lambda pages, pid=procedure.id: self._record_print(pid, pages))
        may_export = self._ctx.work.may(Permission.EXPORT)
        for button in (preview.export_button, preview.print_button, preview.print_both_button):
            button.setEnabled(may_export)
        preview.open()
        self._preview = preview
        return preview

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
            self.statusBar().showMessage(self.tr("Printed, but the print was not recorded: {e}").format(e=exc), 10000)
            return
        self.statusBar().showMessage(self.tr("Note printed ({n} page(s))").format(n=pages), 8000)

    def _export_path(self, title: str, suffix: str, file_filter: str) -> str | None:
        """The file to export the open procedure to, asked with a suggested name (MRN and date)."""
        procedure, patient = self.editor.procedure, self.editor.patient
        suggested = re.sub(r"[^A-Za-z0-9-]+", "_", f"{patient.mrn}_{procedure.performed_at:%Y-%m-%d}") + suffix
        path, _ = QFileDialog.getSaveFileName(self, title, str(Path.home() / suggested), file_filter)
        return path or None

    def _export_failed(self, what: str, exc: Exception) -> None:
        message = self.tr("{what} not exported: {e}").format(what=what, e=getattr(exc, "strerror", None) or exc)
        self.editor.error_summary.show_error(message)
        self.statusBar().showMessage(message, 10000)

    @guarded
    def export_fhir(self, path: str | None = None) -> Path | None:
        """Export the open procedure as a FHIR R4 bundle for the EHR (recorded in the audit trail)."""
        self._ctx.work.require(Permission.EXPORT)
        procedure = self._saved_procedure_for_note()
        if procedure is None:
            return None
        if path is None:
            path = self._export_path(self.tr("Export FHIR bundle"), ".fhir.json", self.tr("FHIR JSON (*.json)"))
            if path is None:
                return None
        try:
            written = self._ctx.cases.export_fhir(procedure.id, path)
        except (OSError, StorageError) as exc:
            self._export_failed(self.tr("FHIR bundle"), exc)
            return None
        self.statusBar().showMessage(self.tr("FHIR bundle exported to {p}").format(p=written), 8000)
        return written

    @guarded
    def export_pdf(self, path: str | None = None) -> Path | None:
        """Export the open procedure's note (recorded in the audit trail); asks for a file name unless given."""
        self._ctx.work.require(Permission.EXPORT)
        procedure = self._saved_procedure_for_note()
        if procedure is None:
            return None
        if path is None:
            path = self._export_path(self.tr("Export PDF note"), ".pdf", self.tr("PDF (*.pdf)"))
            if path is None:
                return None
        try:
            written = self._ctx.notes.export_procedure(procedure.id, path)
        except (OSError, StorageError) as exc:
            self._export_failed(self.tr("Note"), exc)
            return None
        self.statusBar().showMessage(self.tr("Note exported to {p}").format(p=written), 8000)
        return written
