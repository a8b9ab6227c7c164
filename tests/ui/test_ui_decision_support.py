"""Decision support in the editor: live findings, focus on click, documented overrides in the note."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QApplication

from facetdesk.domain.enums import Guidance
from facetdesk.rules import Severity, Status
from facetdesk.ui.editor.questions import EditorQuestions
from tests.actors import ADMIN_PHYSICIAN
from tests.ui.helpers import choose, click, find, open_window, start_procedure


@pytest.fixture
def editor(qtbot, ctx):
    patient = ctx.records.save_patient(
        {"mrn": "DS-1", "family_name": "Testperson", "given_name": "Sam", "date_of_birth": date(1970, 3, 3),
         "weight_kg": 70, "diabetes": False}
    )  # fmt: skip
    w = open_window(qtbot, ctx)
    w.activateWindow()
    ed = start_procedure(qtbot, w, patient.id, datetime(2026, 9, 1, 10, 0))
    ed.tabs.setCurrentIndex(0)
    return w, ed


def _finding(ed, rule):
    return next((f for f in ed.findings.findings if f.rule == rule), None)


def test_findings_update_while_typing_without_saving(qtbot, editor, ctx):
    w, ed = editor
    qtbot.waitUntil(lambda: _finding(ed, "lcd.imaging") is not None)
    assert _finding(ed, "lcd.imaging").status == Status.MET
    choose(find(ed, "Image guidance"), Guidance.ULTRASOUND)
    qtbot.waitUntil(lambda: _finding(ed, "lcd.imaging").status == Status.NOT_MET)
    f = _finding(ed, "lcd.imaging")
    assert f.severity == Severity.WARNING and "Ultrasound" in f.message and f.source
    assert ctx.records.list_procedures(ed.patient.id) == []  # nothing was saved
    # Most serious first.
    ranks = [x.severity.rank for x in ed.findings.findings]
    assert ranks == sorted(ranks, reverse=True)


def test_clicking_a_finding_moves_focus_to_its_field(qtbot, editor):
    w, ed = editor
    choose(find(ed, "Image guidance"), Guidance.NONE)
    ed.tabs.setCurrentIndex(5)  # somewhere else
    qtbot.waitUntil(lambda: ed.findings.item_for("lcd.imaging") is not None)
    item = ed.findings.item_for("lcd.imaging")
    ed.findings.list.itemClicked.emit(item)
    assert ed.tabs.currentIndex() == 0
    qtbot.waitUntil(lambda: QApplication.focusWidget() is ed.guidance)


def test_acknowledged_warning_is_stored_and_printed(qtbot, editor, ctx, tmp_path, monkeypatch):
    w, ed = editor
    choose(find(ed, "Image guidance"), Guidance.ULTRASOUND)
    qtbot.waitUntil(lambda: ed.findings.item_for("lcd.imaging") is not None)
    ed.findings.list.setCurrentItem(ed.findings.item_for("lcd.imaging"))
    assert ed.findings.acknowledge_button.isEnabled()
    monkeypatch.setattr(EditorQuestions, "ask_reason", lambda self, f: "Fluoroscopy unit down; patient travelled far")
    click(qtbot, ed.findings.acknowledge_button)
    # The signed-in physician acknowledges, not the name typed as performing physician.
    assert f"Acknowledged by {ADMIN_PHYSICIAN.display_name}" in ed.findings.item_for("lcd.imaging").text()
    saved = ed.save()
    assert saved is not None
    [override] = ctx.records.get_procedure(saved.id)[1].overrides
    assert override.rule == "lcd.imaging" and override.acknowledged_by == ADMIN_PHYSICIAN.display_name
    out = tmp_path / "note.pdf"
    w.note_output.export_pdf(str(out))
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(out).pages).split())
    assert "Decision support" in text
    assert "Image guidance accepted for coverage" in text and "lcd.imaging" not in text  # its title, not its id
    assert "Fluoroscopy unit down; patient travelled far" in text


def test_info_findings_cannot_be_acknowledged(qtbot, editor):
    w, ed = editor
    ed.findings.show_met.setChecked(True)  # met checks are collapsed to a count until asked for
    qtbot.waitUntil(lambda: ed.findings.item_for("lcd.imaging") is not None)
    ed.findings.list.setCurrentItem(ed.findings.item_for("lcd.imaging"))
    assert not ed.findings.acknowledge_button.isEnabled()
