"""File → Clinic outcomes: the dialog asks the service for the range's figures, draws them, and counts again when
a day changes; the charts PDF from the dialog and beside a registry export."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QFileDialog

from facetdesk.ui.admin.clinic_outcomes_dialog import ClinicOutcomesDialog
from facetdesk.ui.admin.outcomes_dialog import OutcomesExportDialog
from tests.builders.records import ablation_data, follow_up_data, judged_block_data, patient_data, toxin_visit_data
from tests.pdf_pages import pages_text
from tests.ui.helpers import click, find, open_window

MARCH = (date(2025, 3, 1), date(2025, 3, 31))
APRIL = (date(2025, 4, 1), date(2025, 4, 30))


@pytest.fixture
def window(qtbot, ctx):
    """March: a positive and a negative block, an RF with two follow-ups (relief ended), a complication.
    April: one toxin-only visit."""
    first = ctx.records.save_patient(patient_data(1, family_name="Chartwell"))
    second = ctx.records.save_patient(patient_data(2, family_name="Graphington"))
    ctx.records.save_procedure(first.id, judged_block_data(1, performed_at="2025-03-03T09:00"))
    ctx.records.save_procedure(
        second.id, judged_block_data(9, performed_at="2025-03-04T09:00", complications=["vasovagal"])
    )
    rf = ctx.records.save_procedure(first.id, ablation_data(performed_at="2025-03-20T09:00", pre_procedure_pain=8))
    ctx.follow_ups.save(follow_up_data(rf.uid, "2025-05-19", pain_nrs=2))  # 60 days, 75% better
    ctx.follow_ups.save(follow_up_data(rf.uid, "2025-08-17", pain_nrs=7))  # 150 days, below 50%
    ctx.records.save_procedure(second.id, toxin_visit_data(performed_at="2025-04-10T09:00"))
    return open_window(qtbot, ctx)


def _open(qtbot, window) -> ClinicOutcomesDialog:
    action = window.findChild(QAction, "clinic_outcomes")
    assert action is not None and action.isEnabled()
    action.trigger()
    dialog = window.findChild(ClinicOutcomesDialog)
    assert dialog is not None and dialog.isVisible()
    qtbot.addWidget(dialog)
    return dialog


def _set_range(qtbot, dialog, first: date, last: date) -> None:
    """Change the days as a user does; the dialog counts again once (after the typing pauses)."""
    with qtbot.waitSignal(dialog.refreshed, timeout=3000):
        find(dialog, "From date").setDate(QDate(first.year, first.month, first.day))
        find(dialog, "To date").setDate(QDate(last.year, last.month, last.day))


def _headline(dialog, key: str) -> str:
    return find(dialog, f"{key} figure").text()


def test_the_figures_of_march_then_april_as_the_days_change(qtbot, window):
    dialog = _open(qtbot, window)
    assert find(dialog, "To date").date() == QDate.currentDate()

    _set_range(qtbot, dialog, *MARCH)

    assert _headline(dialog, "procedures") == "3 procedures performed from 2025-03-01 to 2025-03-31"
    assert _headline(dialog, "blocks") == "Positive: 1 of 2 judged blocks (50%)"
    assert _headline(dialog, "conversion").startswith("1 of 1 patient with a positive diagnostic block (100%)")
    assert _headline(dialog, "relief") == "Median 2.0 months of relief of at least 50% after RF"
    assert _headline(dialog, "complications") == "1 of 3 procedures (33.3%) recorded a complication"
    bars = dialog.panels["procedures"].view.figure.bars
    assert [(b.label, b.value) for b in bars] == [
        ("Medial branch block, first diagnostic", 2),
        ("Radiofrequency ablation", 1),
    ]

    _set_range(qtbot, dialog, *APRIL)

    assert _headline(dialog, "procedures") == "1 procedure performed from 2025-04-01 to 2025-04-30"
    assert _headline(dialog, "blocks").startswith("Not enough data")
    assert _headline(dialog, "relief").startswith("Not enough data")
    assert dialog.panels["blocks"].view.figure.empty
    assert "n = 0 diagnostic blocks" in dialog.panels["blocks"].view.accessibleDescription()


def test_every_chart_paints_bars_a_curve_and_not_enough_data(qtbot, window):
    dialog = _open(qtbot, window)
    _set_range(qtbot, dialog, *MARCH)
    for panel in dialog.panels.values():
        image = panel.view.grab().toImage()
        colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
        assert len(colours) > 2, f"{panel.view.figure.key} drew nothing"
    assert dialog.panels["relief"].view.figure.curve  # drawn as a curve, the others as bars
    _set_range(qtbot, dialog, date(2030, 1, 1), date(2030, 1, 2))
    for panel in dialog.panels.values():
        assert panel.view.figure.empty
        panel.view.grab()


def test_to_before_from_is_said_beside_the_to_date_and_the_charts_stay(qtbot, window):
    dialog = _open(qtbot, window)
    _set_range(qtbot, dialog, *MARCH)
    shown = _headline(dialog, "procedures")

    find(dialog, "From date").setDate(QDate(2025, 4, 15))
    assert dialog.refresh() is None

    (label,) = [w for w in find(dialog, "To date").parentWidget().children() if type(w).__name__ == "ErrorLabel"]
    assert label.isVisible() and "is before the from date 2025-04-15" in label.text()
    assert _headline(dialog, "procedures") == shown


def test_save_as_pdf_writes_the_figures_on_show(qtbot, window, tmp_path, monkeypatch):
    dialog = _open(qtbot, window)
    _set_range(qtbot, dialog, *MARCH)
    out = tmp_path / "march.pdf"
    suggested: list[str] = []

    def answer(parent, title, suggestion, file_filter):
        suggested.append(suggestion)
        return str(out), file_filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", answer)

    click(qtbot, find(dialog, "Save clinic outcomes PDF"))

    assert suggested == [str(Path.home() / "clinic-outcomes_2025-03-01_2025-03-31.pdf")]
    text = " ".join(pages_text(out.read_bytes()))
    assert "Positive: 1 of 2 judged blocks (50%)" in text and "Chartwell" not in text
    assert find(dialog, "Clinic outcomes result").text() == f"Charts written to {out}"


def test_the_registry_export_writes_its_charts_beside_it(qtbot, window, tmp_path, monkeypatch):
    window.findChild(QAction, "export_outcomes").trigger()
    dialog = window.findChild(OutcomesExportDialog)
    qtbot.addWidget(dialog)
    assert find(dialog, "Charts PDF").isChecked()
    find(dialog, "From date").setDate(QDate(2025, 3, 1))
    find(dialog, "To date").setDate(QDate(2025, 3, 31))

    result = dialog.export(str(tmp_path / "registry.csv"))

    charts = tmp_path / "registry_charts.pdf"
    assert result is not None and result.rows == 3 and charts.exists()
    assert "n = 3 procedures" in " ".join(pages_text(charts.read_bytes()))
    assert find(dialog, "Outcomes export result").text().endswith(f"The charts: {charts}")


def test_the_action_sits_after_the_registry_export_and_in_administration(window):
    file_menu = window.menuBar().actions()[0].menu()
    names = [a.objectName() for a in file_menu.actions()]
    assert names.index("clinic_outcomes") == names.index("export_outcomes") + 1
    assert window.menus.clinic_outcomes_action in window.menus.admin_menu.actions()


def test_every_control_of_the_dialog_is_named(qtbot, window):
    dialog = _open(qtbot, window)
    controls = dialog.findChildren(QAbstractButton) + dialog.findChildren(QAbstractSpinBox)
    assert len(controls) >= 4
    assert [c for c in controls if not c.accessibleName()] == []
