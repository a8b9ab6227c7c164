"""Workstation speed-ups: presets, starting from a previous procedure, live totals beside the form."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from facetdesk.domain.enums import BotoxProduct, Side, Technique
from facetdesk.ui.shell.main_window import MainWindow
from tests import signers
from tests.builders.records import patient_data
from tests.ui.helpers import choose, click, find, start_procedure


@pytest.fixture
def patient(ctx):
    return ctx.records.save_patient(patient_data(weight_kg=75))


def test_applying_a_preset_fills_technique_and_medications_but_not_levels(qtbot, window, ctx, patient):
    ed = start_procedure(qtbot, window, patient.id, datetime(2026, 9, 1, 10, 0), joint="L5-S1 right")
    preset = next(p for p in ctx.presets.list() if p.name.startswith("Lumbar IA"))
    ed.decisions.apply_preset(preset)
    assert ed.technique.value() == Technique.INTRA_ARTICULAR
    meds = ed.medications.data()
    assert [m["agent"] for m in meds] == [m.agent for m in preset.medications]
    assert ed.targets.targets() == [{"level": "L5-S1", "side": Side.RIGHT}]  # levels stay the physician's
    assert ed.pain.scores() == []
    assert ed.has_unsaved_changes()


def test_preset_menu_lists_the_clinics_presets(qtbot, window, ctx, patient):
    ed = start_procedure(qtbot, window, patient.id, datetime(2026, 9, 1, 10, 0))
    menu = ed.decisions.show_preset_menu()
    names = [a.text() for a in menu.actions()]
    assert names == [p.name for p in ctx.presets.list()]
    menu.close()


def test_start_from_previous_copies_structure_never_scores(qtbot, window, ctx, patient):
    ed = start_procedure(qtbot, window, patient.id, datetime(2026, 8, 1, 10, 0))
    preset = next(p for p in ctx.presets.list() if p.name.startswith("Lumbar MBB"))
    ed.decisions.apply_preset(preset)
    ed.tabs.setCurrentIndex(5)
    ed.pain.pre_pain.setValue(8)
    saved = ed.save()
    assert saved is not None
    window.patients.open_patient(patient.id)
    window.patient_page.procedures.selectRow(0)
    click(qtbot, find(window, "Start from previous procedure"))
    new = window.editor
    assert new.procedure is None  # a new record, not the old one
    assert new.technique.value() == Technique.MEDIAL_BRANCH_BLOCK
    assert new.targets.targets() == [{"level": "L4-L5", "side": Side.LEFT}]
    assert [m["agent"] for m in new.medications.data()] == ["bupivacaine"]
    assert new.pain.pre_pain.value_or_none() is None and new.pain.scores() == []
    assert new.performed_at.dateTime().toPython().date() == datetime.now().date()


def test_nerves_are_drawn_and_the_block_duration_is_shaded(qtbot, window, ctx, patient):
    ed = start_procedure(qtbot, window, patient.id, datetime(2026, 9, 1, 10, 0))
    preset = next(p for p in ctx.presets.list() if p.name.startswith("Lumbar MBB"))
    ed.decisions.apply_preset(preset)
    ed.refresh_findings()
    picker = ed.targets.picker
    assert {n for n, _s in picker.nerves()} == {"L3 medial branch", "L4 medial branch"}
    block = ed.pain.chart.block_agent()
    assert block is not None and block.hours == pytest.approx(3)


def test_botox_running_total_against_the_window_limit(qtbot, window, ctx, patient):
    ed = start_procedure(qtbot, window, patient.id, datetime(2026, 9, 1, 10, 0))
    ed.tabs.setCurrentIndex(4)
    find(ed, "Botulinum toxin given").setChecked(True)
    ed.botox.set_preparation(BotoxProduct.ONABOTULINUMTOXINA, 100, 2)
    click(qtbot, find(ed, "Botulinum toxin sites: add row"))
    choose(find(ed, "Botox site 1 muscle"), "multifidus_lumbar")
    choose(find(ed, "Botox site 1 level"), "L4")
    choose(find(ed, "Botox site 1 side"), Side.LEFT)
    find(ed, "Botox site 1 units").setValue(450)
    qtbot.waitUntil(lambda: "450 U" in ed.botox.window_status.text())
    assert "above the 400 U maximum" in ed.botox.window_status.text()


def test_window_layout_and_splitters_are_remembered(qtbot, ctx):
    first = MainWindow(ctx)
    qtbot.addWidget(first)
    first.show()
    first.resize(first.minimumSizeHint().width() + 40, first.minimumSizeHint().height() + 30)
    size = (first.width(), first.height())
    first.editor.splitter.setSizes([700, 300])
    sizes = first.editor.splitter.sizes()
    first.close()
    second = MainWindow(ctx)
    qtbot.addWidget(second)
    second.show()
    assert (second.width(), second.height()) == size
    assert second.editor.splitter.sizes() == sizes


def test_tab_order_follows_the_form(qtbot, window, patient):
    ed = start_procedure(qtbot, window, patient.id, datetime(2026, 9, 1, 10, 0))
    ed.tabs.setCurrentIndex(0)
    window.activateWindow()
    ed.physician.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is ed.physician)
    order = []
    for _ in range(3):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget().accessibleName())
    assert order == ["Technique", "Intent", "Image guidance"]


def test_status_bar_says_what_was_saved_and_when(qtbot, window, patient):
    ed = start_procedure(qtbot, window, patient.id, datetime(2026, 9, 1, 10, 0))
    assert ed.save() is not None
    message = window.statusBar().currentMessage()
    assert "Procedure of 2026-09-01 10:00 saved at" in message


def test_timeline_shows_which_procedures_are_signed(qtbot, window, ctx, patient):
    ed = start_procedure(qtbot, window, patient.id, datetime(2026, 9, 1, 10, 0))
    saved = ed.save()
    signers.sign(ctx, saved.id, saved.version)
    start_procedure(qtbot, window, patient.id, datetime(2026, 9, 8, 10, 0)).save()
    window.patients.open_patient(patient.id)
    table = window.patient_page.procedures
    status = [table.item(r, table.columnCount() - 1).text() for r in range(table.rowCount())]
    assert status[0] == "Draft" and status[1].startswith("Signed ")


def test_a_new_procedure_is_performed_by_the_signed_in_physician(qtbot, window, ctx, patient):
    window.patients.open_patient(patient.id)
    window.procedures.new_procedure()
    assert window.editor.physician.text() == ctx.work.actor.display_name


def test_a_first_botox_site_has_no_level_or_side_and_each_further_one_takes_one_click(qtbot, window, patient):
    ed = start_procedure(qtbot, window, patient.id, datetime(2026, 9, 1, 10, 0))
    ed.tabs.setCurrentIndex(4)
    find(ed, "Botulinum toxin given").setChecked(True)
    click(qtbot, find(ed, "Botulinum toxin sites: add row"))
    for part in ("muscle", "level", "side"):
        assert find(ed, f"Botox site 1 {part}").value() is None
        assert find(ed, f"Botox site 1 {part}").currentText() == "— choose —"
    choose(find(ed, "Botox site 1 muscle"), "multifidus_lumbar")
    choose(find(ed, "Botox site 1 level"), "L5")
    choose(find(ed, "Botox site 1 side"), Side.RIGHT)
    find(ed, "Botox site 1 units").setValue(25)
    for _ in range(3):  # the other side, then the next level down on both sides: one click each
        click(qtbot, find(ed, "Botulinum toxin sites: add row"))
    sites = [(s["muscle"], s["level"], s["side"], s["units"]) for s in ed.botox.data()["sites"]]
    assert sites == [
        ("multifidus_lumbar", "L5", Side.RIGHT, 25),
        ("multifidus_lumbar", "L5", Side.LEFT, 25),
        ("multifidus_lumbar", "S1", Side.RIGHT, 25),
        ("multifidus_lumbar", "S1", Side.LEFT, 25),
    ]


def test_the_unsaved_changes_question_keeps_the_edits_on_enter(qtbot, window):
    from PySide6.QtWidgets import QMessageBox

    box = window.questions.discard_box()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    assert box.escapeButton() is box.button(QMessageBox.StandardButton.Cancel)


@pytest.mark.parametrize("width", [1024, 1150, 1280, 1400])  # small laptops, the usual screen, a desktop
def test_the_patient_pages_status_column_is_whole_at_any_width(qtbot, window, ctx, patient, width):
    ed = start_procedure(
        qtbot, window, patient.id, datetime(2026, 9, 1, 10, 0), physician="Dr. Averylongname Synthetic"
    )
    assert ed.save() is not None
    window.patients.open_patient(patient.id)
    table = window.patient_page.procedures
    window.resize(width, 800)
    qtbot.waitUntil(lambda: table.viewport().width() > 0)
    table.fit_columns()
    header = table.horizontalHeader()
    status = header.count() - 1
    assert header.sectionViewportPosition(status) + header.sectionSize(status) <= table.viewport().width() + 1
    assert header.sectionSize(status) >= table.sizeHintForColumn(status)
    # From 1150 px a column that gives way elides its cells, never its heading ("Physician" read "ysicia"
    # in the sample); only a smaller screen may cut headings, to keep the status in view.
    if width >= 1150:
        for column in table.YIELDING:
            assert header.sectionSize(column) >= header.sectionSizeFromContents(column).width()
