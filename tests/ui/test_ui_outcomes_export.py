"""File → Export outcomes for a registry: the dialog hands the range to the service and shows what came of it."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QApplication, QFileDialog

from facetdesk.services.outcomes import OutcomesService
from facetdesk.ui.admin.outcomes_dialog import OutcomesExportDialog
from facetdesk.ui.common.widgets import ErrorLabel
from tests.ui.helpers import click, find, open_window

# Synthetic patients: (MRN, family name, given name, date of birth, procedure times).
PATIENTS = (
    ("OUT-0001", "Registrytest", "Amaranth", "1961-04-17", ["2025-03-03T09:00", "2025-03-24T09:30"]),
    ("OUT-0002", "Exportvale", "Bellflower", "1948-11-02", ["2025-03-12T14:00"]),
    ("OUT-0003", "Outside", "Cornflower", "1975-08-29", ["2025-04-01T08:00"]),  # after the range
)
IN_RANGE = 3


def _procedure(when: str) -> dict:
    return {
        "performed_at": when,
        "physician": "Dr. Synthetic Registry",
        "technique": "medial_branch_block",
        "intent": "diagnostic_first",
        "guidance": "fluoroscopy",
        "targets": [{"level": "L4-L5", "side": "left"}],
        "medications": [{"agent": "bupivacaine", "concentration_mg_per_ml": 5.0, "volume_ml": 0.5}],
        "pre_procedure_pain": 7,
        "pain_scores": [{"minutes_after": 30, "nrs": 2}],
        "findings": f"Free text naming the patient of {when}",
    }


@pytest.fixture
def window(qtbot, ctx):
    for mrn, family, given, born, times in PATIENTS:
        patient = ctx.records.save_patient(
            {"mrn": mrn, "family_name": family, "given_name": given, "date_of_birth": born, "sex": "female"}
        )
        for when in times:
            ctx.records.save_procedure(patient.id, _procedure(when))
    return open_window(qtbot, ctx)


def _open_dialog(qtbot, window) -> OutcomesExportDialog:
    action = window.findChild(QAction, "export_outcomes")
    assert action is not None and action.isEnabled()
    action.trigger()
    dialog = window.findChild(OutcomesExportDialog)
    assert dialog is not None and dialog.isVisible()
    qtbot.addWidget(dialog)
    return dialog


def _set_range(dialog, first: date, last: date) -> None:
    find(dialog, "From date").setDate(QDate(first.year, first.month, first.day))
    find(dialog, "To date").setDate(QDate(last.year, last.month, last.day))


def _save_as(monkeypatch, path: Path) -> list[str]:
    """Answer the save dialog with ``path``; returns the names it suggested."""
    suggested: list[str] = []

    def answer(parent, title, suggestion, file_filter):
        suggested.append(suggestion)
        return str(path), file_filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", answer)
    return suggested


def _error_beside(widget) -> ErrorLabel:
    """The error label in the field's own box (ErrorRouter.field puts it right under the widget)."""
    (label,) = widget.parentWidget().findChildren(ErrorLabel)
    return label


def test_export_through_the_file_menu_writes_the_range_de_identified(qtbot, window, tmp_path, monkeypatch):
    dialog = _open_dialog(qtbot, window)
    assert find(dialog, "De-identify").isChecked()  # the safer file unless the user chooses otherwise
    assert find(dialog, "To date").date() == QDate.currentDate()
    assert find(dialog, "From date").date() == QDate(QDate.currentDate().year(), 1, 1)
    _set_range(dialog, date(2025, 3, 1), date(2025, 3, 31))
    out = tmp_path / "registry.csv"
    suggested = _save_as(monkeypatch, out)
    busy: list[tuple[bool, object]] = []
    real_export = OutcomesService.export_csv

    def watched(self, *args, **kwargs):
        cursor = QApplication.overrideCursor()
        busy.append((find(dialog, "Export outcomes").isEnabled(), cursor.shape() if cursor else None))
        return real_export(self, *args, **kwargs)

    monkeypatch.setattr(OutcomesService, "export_csv", watched)

    click(qtbot, find(dialog, "Export outcomes"))

    assert suggested == [str(Path.home() / "outcomes_2025-03-01_2025-03-31_deidentified.csv")]
    assert busy == [(False, Qt.CursorShape.WaitCursor)]
    assert find(dialog, "Export outcomes").isEnabled() and QApplication.overrideCursor() is None
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == IN_RANGE
    text = out.read_text(encoding="utf-8")
    for mrn, family, given, born, _times in PATIENTS:
        for identifier in (mrn, family, given, born):
            assert identifier not in text
    assert "Free text" not in text and "Dr. Synthetic Registry" not in text
    result = find(dialog, "Outcomes export result")
    written, charts = result.text().splitlines()
    assert result.isVisible() and written == f"{IN_RANGE} procedures written to {out} (de-identified)"
    assert charts == f"The charts: {tmp_path / 'registry_charts.pdf'}"  # beside it, checked unless unchecked
    assert window.statusBar().currentMessage() == written
    assert dialog.isVisible()  # left open: the result stays readable, and the other kind can follow


def test_without_de_identify_the_same_range_names_the_patients(qtbot, window, tmp_path, monkeypatch):
    """The control for the test above: the identifiers it looks for are in an identified file."""
    dialog = _open_dialog(qtbot, window)
    _set_range(dialog, date(2025, 3, 1), date(2025, 3, 31))
    click(qtbot, find(dialog, "De-identify"))
    find(dialog, "Charts PDF").setChecked(False)  # the CSV alone
    assert "keep it in the clinic" in find(dialog, "What the file holds").text()
    out = tmp_path / "identified.csv"
    suggested = _save_as(monkeypatch, out)

    click(qtbot, find(dialog, "Export outcomes"))

    assert suggested == [str(Path.home() / "outcomes_2025-03-01_2025-03-31.csv")]
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(r["mrn"] for r in rows) == ["OUT-0001", "OUT-0001", "OUT-0002"]
    assert {r["date_of_birth"] for r in rows} == {"1961-04-17", "1948-11-02"}
    assert find(dialog, "Outcomes export result").text() == f"{IN_RANGE} procedures written to {out}"
    assert not (tmp_path / "identified_charts.pdf").exists()


def test_to_before_from_is_shown_beside_the_to_date_and_nothing_is_written(qtbot, window, tmp_path, monkeypatch):
    dialog = _open_dialog(qtbot, window)
    _set_range(dialog, date(2025, 3, 31), date(2025, 3, 1))
    out = tmp_path / "reversed.csv"
    _save_as(monkeypatch, out)

    click(qtbot, find(dialog, "Export outcomes"))

    beside_to = _error_beside(find(dialog, "To date"))
    assert beside_to.isVisible() and "2025-03-01 is before the from date 2025-03-31" in beside_to.text()
    assert not _error_beside(find(dialog, "From date")).isVisible()
    assert not find(dialog, "Outcomes export message").isVisible()
    assert not find(dialog, "Outcomes export result").isVisible()
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith((".csv", ".part"))]


def test_a_folder_that_does_not_exist_is_named_in_the_message_and_nothing_is_written(
    qtbot, window, tmp_path, monkeypatch
):
    dialog = _open_dialog(qtbot, window)
    _set_range(dialog, date(2025, 3, 1), date(2025, 3, 31))
    out = tmp_path / "no such folder" / "registry.csv"
    _save_as(monkeypatch, out)

    click(qtbot, find(dialog, "Export outcomes"))

    message = find(dialog, "Outcomes export message")
    assert message.isVisible()
    assert message.text() == f"Could not write {out}: No such file or directory. Nothing was written."
    assert not out.parent.exists()
    assert not find(dialog, "Outcomes export result").isVisible()
    assert "written to" not in window.statusBar().currentMessage()
    assert find(dialog, "Export outcomes").isEnabled() and QApplication.overrideCursor() is None


def test_the_export_is_not_run_when_the_save_dialog_is_cancelled(qtbot, window, monkeypatch):
    dialog = _open_dialog(qtbot, window)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    calls: list[object] = []
    monkeypatch.setattr(OutcomesService, "export_csv", lambda self, *a, **k: calls.append(a))

    click(qtbot, find(dialog, "Export outcomes"))

    assert calls == []
    assert not find(dialog, "Outcomes export result").isVisible()


def test_the_action_sits_in_the_file_menu_after_the_ehr_actions(window):
    file_menu = window.menuBar().actions()[0].menu()
    names = [a.objectName() for a in file_menu.actions()]
    # What leaves for the EHR together (bundle, signed note, its outbox), then the registry export.
    start = names.index("export_fhir")
    assert names[start : start + 4] == ["export_fhir", "send_to_ehr", "ehr_outbox", "export_outcomes"]


def test_every_control_of_the_dialog_is_named(qtbot, window):
    dialog = _open_dialog(qtbot, window)
    controls = dialog.findChildren(QAbstractButton) + dialog.findChildren(QAbstractSpinBox)
    assert len(controls) >= 5
    assert [c for c in controls if not c.accessibleName()] == []
