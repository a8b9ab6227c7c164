"""Note preview, printing through a QPrinter, and clinic settings reaching the printed note."""

from __future__ import annotations

import struct
import zlib
from datetime import date, datetime

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter

from facetdesk.domain.errors import FieldError
from facetdesk.ui.shell.note_preview import NotePreview
from tests.ui.helpers import find, open_window, start_procedure, type_into


def tiny_png() -> bytes:
    """A valid 1x1 PNG, built here so the test needs no image file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", raw)
        + chunk(b"IEND", b"")
    )


def printer_to(path):
    """A stand-in for the print dialog: a printer writing a PDF file."""

    def choose(self):
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        return printer

    return choose


@pytest.fixture
def window(qtbot, ctx):
    patient = ctx.records.save_patient(
        {"mrn": "PR-1", "family_name": "Ελένη", "given_name": "Παπαδοπούλου", "date_of_birth": date(1966, 6, 6)}
    )
    w = open_window(qtbot, ctx)
    start_procedure(qtbot, w, patient.id, datetime(2026, 9, 1, 10, 0))
    return w


def test_preview_shows_the_saved_note_and_print_writes_the_same_pages(qtbot, window, tmp_path, monkeypatch):
    preview = window.note_output.preview_note()
    assert isinstance(preview, NotePreview)
    qtbot.addWidget(preview)
    assert window.editor.procedure is not None and window.editor.procedure.id is not None  # saved first
    pages = len(PdfReader(__import__("io").BytesIO(preview.pdf)).pages)
    assert preview.document.pageCount() == pages
    out = tmp_path / "printed.pdf"
    monkeypatch.setattr(NotePreview, "choose_printer", printer_to(out))
    assert preview.print_note() == pages
    assert len(PdfReader(out).pages) == pages


def test_print_note_and_handout_is_one_job_note_first(qtbot, window, ctx, tmp_path, monkeypatch):
    import io

    out = tmp_path / "both.pdf"
    monkeypatch.setattr(NotePreview, "choose_printer", printer_to(out))
    note_pages = len(PdfReader(io.BytesIO(window.note_output.preview_note().pdf)).pages)
    window.menus.print_both_action.trigger()
    preview = window.note_output.preview
    qtbot.addWidget(preview)
    handout_pages = len(PdfReader(io.BytesIO(preview.handout())).pages)
    assert handout_pages == 2 and preview.print_both_button.isVisible()
    assert len(PdfReader(out).pages) == note_pages + handout_pages
    # The trail records what left on paper: both documents' pages, once.
    from facetdesk.domain.audit import AuditAction

    (entry,) = ctx.audit.search(action=AuditAction.PRINT)
    assert entry.detail == {"pages": note_pages + handout_pages}


def test_cancelled_print_dialog_prints_nothing(qtbot, window, monkeypatch):
    preview = window.note_output.preview_note()
    qtbot.addWidget(preview)
    monkeypatch.setattr(NotePreview, "choose_printer", lambda self: None)
    assert preview.print_note() == 0


def test_clinic_settings_reach_the_note(qtbot, window, ctx, tmp_path):
    dialog = window.admin.edit_settings()
    type_into(qtbot, find(dialog, "Clinic name"), "Riverside Spine & Pain <Clinic>")
    find(dialog, "Clinic address").setPlainText("12 Synthetic Way\nTestville")
    dialog.set_logo(tiny_png())
    find(dialog, "Page size").set_value("a4")
    assert dialog.save() is not None
    saved = ctx.settings.load()
    assert saved.clinic_name == "Riverside Spine & Pain <Clinic>" and saved.page_size.value == "a4"
    out = tmp_path / "note.pdf"
    window.note_output.export_pdf(str(out))
    reader = PdfReader(out)
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Riverside Spine & Pain <Clinic>" in text and "12 Synthetic Way" in text
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert round(width) == 595 and round(height) == 842  # A4 in points


def test_a_logo_that_is_not_an_image_is_refused_beside_the_logo(qtbot, window, ctx):
    dialog = window.admin.edit_settings()
    dialog.set_logo(b"GIF89a not allowed")
    assert dialog.save() is None
    label, _ = dialog.errors.label_for(FieldError(("logo",), ""))
    assert not label.isHidden() and "PNG or JPEG" in label.text()
    assert ctx.settings.load().logo is None


def test_export_fhir_saves_the_procedure_and_writes_a_bundle_the_ehr_can_read(qtbot, window, ctx, tmp_path):
    from fhir.resources.R4B.bundle import Bundle

    from facetdesk.domain.audit import AuditAction

    assert window.menus.export_fhir_action.isEnabled()
    assert window.menus.export_fhir_action.text().replace("&", "") == "Export FHIR bundle for the EHR…"
    out = tmp_path / "PR-1.fhir.json"
    assert window.note_output.export_fhir(str(out)) == out
    assert window.editor.procedure is not None and window.editor.procedure.id is not None  # saved first
    bundle = Bundle.model_validate_json(out.read_text(encoding="utf-8"))
    by_type: dict[str, list] = {}
    for entry in bundle.entry:
        by_type.setdefault(entry.resource.get_resource_type(), []).append(entry.resource)
    (patient,) = by_type["Patient"]
    assert patient.identifier[0].value == "PR-1" and patient.name[0].family == "Ελένη"
    (procedure,) = [p for p in by_type["Procedure"] if p.status == "completed" and p.bodySite]
    assert any("L4-L5" in site.text and "left" in site.text.lower() for site in procedure.bodySite)
    assert "FHIR bundle exported to" in window.statusBar().currentMessage()
    exports = ctx.audit.search(action=AuditAction.EXPORT)
    assert [e.detail.get("format") for e in exports] == ["fhir-r4"]


def test_export_fhir_cancelled_or_unwritable_writes_nothing_and_says_why(qtbot, window, ctx, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from facetdesk.domain.audit import AuditAction

    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    assert window.note_output.export_fhir() is None  # the user cancelled the file dialog
    missing = tmp_path / "no such folder" / "bundle.json"
    assert window.note_output.export_fhir(str(missing)) is None
    assert not missing.parent.exists()
    assert "FHIR bundle not exported" in window.statusBar().currentMessage()
    assert "FHIR bundle not exported" in window.editor.error_summary.text()
    assert ctx.audit.search(action=AuditAction.EXPORT) == []


def test_the_long_note_form_is_a_clinic_setting(qtbot, window, ctx):
    from pypdf import PdfReader as Reader

    dialog = window.admin.edit_settings()
    box = find(dialog, "Long note form")
    assert not box.isChecked()  # the two-page note unless the clinic asks
    box.setChecked(True)
    assert dialog.save() is not None and ctx.settings.load().note_long_form is True
    preview = window.note_output.preview_note()
    qtbot.addWidget(preview)
    text = " ".join(p.extract_text() or "" for p in Reader(__import__("io").BytesIO(preview.pdf)).pages)
    assert "Appendix: LCD documentation" in text


def test_a_closed_preview_is_freed_and_a_second_one_replaces_the_first(qtbot, window, ctx, patient):
    """Each preview held its PDF view (about 8 MiB) until the window closed; now closing frees it."""
    import shiboken6
    from PySide6.QtCore import QCoreApplication, QEvent

    from tests.builders.records import scored_block_data

    saved = ctx.records.save_procedure(patient.id, scored_block_data())
    window.patients.open_patient(patient.id)
    window.procedures.open_procedure(saved.id)
    first = window.note_output.preview_note()
    second = window.note_output.preview_note()  # the first, still open, is closed and freed
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(first) and window.note_output.preview is second
    second.accept()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(second) and window.note_output.preview is None
