"""Audit viewer: entries of a save, sign, export and print, newest first; filters, paging, Verify OK then CHANGED."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from PySide6.QtPrintSupport import QPrinter

from facetdesk.domain.audit import AuditAction, AuditEntry
from facetdesk.ui.admin.audit_model import ACTION_LABELS, field_label, local_time, utc_midnight
from facetdesk.ui.admin.audit_viewer import AuditViewer
from facetdesk.ui.editor.questions import EditorQuestions
from facetdesk.ui.shell.main_window import MainWindow
from facetdesk.ui.shell.note_preview import NotePreview
from tests import signers
from tests.actors import NURSE
from tests.ui.helpers import choose, click, find, open_window, start_procedure


@pytest.fixture
def window(qtbot, ctx, accounts):
    return open_window(qtbot, ctx)  # after the accounts exist


@pytest.fixture
def signed(qtbot, window, ctx, tmp_path, monkeypatch):
    """A procedure saved, signed and exported through the window; returns its id."""
    signers.enrol(ctx)
    monkeypatch.setattr(EditorQuestions, "ask_sign", lambda self, procedure: signers.PASSWORD)
    monkeypatch.setattr(
        EditorQuestions, "ask_acknowledgements", lambda self, findings: {f.rule: signers.REASON for f in findings}
    )
    patient = ctx.records.save_patient(
        {"mrn": "AU-1", "family_name": "Audited", "given_name": "Sam", "date_of_birth": date(1960, 5, 5)}
    )
    ed = start_procedure(qtbot, window, patient.id, datetime(2026, 9, 1, 10, 0))
    assert ed.save() is not None
    assert ed.signing_controls.sign() is not None
    assert window.note_output.export_pdf(str(tmp_path / "note.pdf")) is not None
    return ed.procedure.id


def _viewer(qtbot, window, **kw) -> AuditViewer:
    viewer = window.admin.show_audit(**kw)
    return viewer


def test_the_trail_lists_save_sign_and_export_newest_first_in_local_time(qtbot, window, ctx, signed):
    viewer = _viewer(qtbot, window)
    model = viewer.model
    actions = viewer.actions_shown()
    # The acknowledgements given at signing are stored (UPDATE, overrides) just before the signature.
    assert actions[:4] == [AuditAction.EXPORT, AuditAction.SIGN, AuditAction.UPDATE, AuditAction.CREATE]
    export = model.entry(0)
    assert export.entity == "procedure" and export.entity_id == str(signed)
    row = [model.index(0, c).data() for c in range(model.columnCount())]
    assert row[0] == f"{local_time(export.at):%Y-%m-%d %H:%M:%S}"
    assert row[1] == "Dr. Synthetic Signer (dr.synthetic)"
    assert row[3] == "Exported" and row[4] == f"Procedure {signed} · Audited, Sam, 2026-09-01 10:00"
    assert "format: pdf" in row[6] and "sha256" not in row[6]
    ids = [model.entry(r).id for r in range(model.rowCount())]
    assert ids == sorted(ids, reverse=True)


def test_filter_by_action_and_by_record(qtbot, window, ctx, signed):
    viewer = _viewer(qtbot, window)
    choose(find(viewer, "Filter by action"), AuditAction.SIGN)
    assert viewer.actions_shown() == [AuditAction.SIGN]
    click(qtbot, find(viewer, "Clear filters"))
    assert AuditAction.USER_CREATE in viewer.actions_shown()
    # The editor's "Audit trail…" shows only this procedure.
    record = window.editor.audit_button
    assert record.isVisible()
    click(qtbot, record)
    only = window.admin.audit_viewer
    qtbot.addWidget(only)
    shown = {(only.model.entry(r).entity, only.model.entry(r).entity_id) for r in range(only.model.rowCount())}
    assert shown == {("procedure", str(signed))}
    assert set(only.actions_shown()) == {AuditAction.CREATE, AuditAction.UPDATE, AuditAction.SIGN, AuditAction.EXPORT}


def test_filter_by_user_and_date(qtbot, window, ctx, signed):
    viewer = _viewer(qtbot, window)
    viewer.user.setEditText("nobody.here")
    viewer.refresh()
    assert viewer.model.rowCount() == 0
    viewer.user.setEditText("dr.synthetic")
    viewer.refresh()
    assert viewer.model.rowCount() > 0
    today = datetime.now().date()
    viewer.set_date_range(today + timedelta(days=1), None)
    assert viewer.model.rowCount() == 0
    viewer.set_date_range(today, today)
    assert viewer.model.rowCount() > 0


def test_pages_are_loaded_one_at_a_time(qtbot, window, ctx, signed):
    total = len(ctx.audit.search(limit=5000))
    viewer = AuditViewer(ctx.audit, {}, window, page_size=2)
    qtbot.addWidget(viewer)
    assert viewer.model.rowCount() == 2 and viewer.has_more and viewer.load_more_button.isEnabled()
    while viewer.has_more:
        click(qtbot, find(viewer, "Load more"))
    assert viewer.model.rowCount() == total and not viewer.load_more_button.isEnabled()


def test_verify_says_ok_then_changed_after_a_signed_procedure_is_edited_behind_its_back(qtbot, window, ctx, signed):
    viewer = _viewer(qtbot, window)
    click(qtbot, find(viewer, "Verify integrity"))
    verdict = find(viewer, "Integrity verdict")
    assert verdict.isVisible() and verdict.text().startswith("OK")
    assert "Everything checked is as it was written." in find(viewer, "Integrity report").toPlainText()

    with ctx.database.engine.begin() as conn:
        conn.execute(sa.text("UPDATE procedures SET notes = :n WHERE id = :i"), {"n": "tampered", "i": signed})
    click(qtbot, find(viewer, "Verify integrity"))

    assert verdict.text().startswith("CHANGED")
    report = find(viewer, "Integrity report").toPlainText()
    assert f"CHANGED: procedure {signed}" in report and "differs from what was signed" in report


def test_printing_is_recorded(qtbot, window, ctx, signed, tmp_path, monkeypatch):
    def to_file(self):
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(tmp_path / "printed.pdf"))
        return printer

    monkeypatch.setattr(NotePreview, "choose_printer", to_file)
    pages = window.note_output.print_note()
    qtbot.addWidget(window.note_output.preview)
    assert pages > 0
    (entry,) = ctx.audit.search(action=AuditAction.PRINT)
    assert entry.entity_id == str(signed) and entry.detail == {"pages": pages}
    monkeypatch.setattr(NotePreview, "choose_printer", lambda self: None)
    assert window.note_output.print_note() == 0
    qtbot.addWidget(window.note_output.preview)
    assert len(ctx.audit.search(action=AuditAction.PRINT)) == 1  # a cancelled print is not a print


def test_a_nurse_has_no_audit_trail(qtbot, ctx):
    ctx.work.sign_in(NURSE)
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    assert not w.menus.admin_menu.menuAction().isVisible() and not w.menus.audit_action.isEnabled()
    assert w.admin.show_audit() is None
    assert "may not view the audit trail" in w.statusBar().currentMessage()


def test_every_action_has_a_label_and_fields_read_as_on_the_forms():
    assert set(ACTION_LABELS) == set(AuditAction)
    assert field_label("pain_scores.0.nrs") == "Pain scores › row 1 › NRS"
    assert field_label("pre_procedure_pain") == "Pre-injection pain (NRS)"


def test_times_are_stored_in_utc_and_shown_on_the_local_clock():
    entry = AuditEntry(at=datetime(2026, 1, 1, 12, 0), username="u", workstation="w", action="lock", entity="x")
    shown = local_time(entry.at)
    assert shown.astimezone(timezone.utc).replace(tzinfo=None) == datetime(2026, 1, 1, 12, 0)
    midnight = utc_midnight(date(2026, 1, 1))
    assert midnight.replace(tzinfo=timezone.utc).astimezone().replace(tzinfo=None) == datetime(2026, 1, 1)
