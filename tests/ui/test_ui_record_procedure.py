"""End to end, as a physician would: record a full procedure, reopen it in a new window, export its note."""

from __future__ import annotations

from datetime import datetime

from pypdf import PdfReader
from PySide6.QtWidgets import QFileDialog

from facetdesk.domain.enums import BotoxProduct, Disposition, Guidance, Intent, Sedation, Side, Technique, VolumeBasis
from facetdesk.services.context import build_context
from facetdesk.ui.shell.main_window import MainWindow
from tests.actors import ADMIN_PHYSICIAN
from tests.ui.helpers import choose, click, find, set_datetime, set_spin, type_into

PERFORMED = datetime(2026, 10, 5, 9, 30)
PAIN = [(15, 1, "standing"), (30, 1, ""), (60, 2, "lumbar extension"), (240, 4, ""), (360, 6, "walking")]
BOTOX_SITES = [
    ("multifidus_lumbar", "L4", Side.LEFT, 40),
    ("longissimus_lumbar", "L4", Side.RIGHT, 40),
    ("iliocostalis_lumborum", "L5", Side.LEFT, 30),
]


def _fill_patient(qtbot, w) -> None:
    w.menus.new_patient_action.trigger()
    type_into(qtbot, find(w, "MRN"), "FD-1001")
    type_into(qtbot, find(w, "Family name"), "Żółć")
    type_into(qtbot, find(w, "Given name"), "Łukasz")
    find(w, "Date of birth").setDate(find(w, "Date of birth").date().fromString("1961-04-23", "yyyy-MM-dd"))
    choose(find(w, "Sex"), "male")
    set_spin(qtbot, find(w, "Weight"), 82.5)
    choose(find(w, "Diabetes"), True)
    type_into(qtbot, find(w, "Allergies"), "latex; penicillin")
    click(qtbot, find(w, "Save patient"))


def _fill_procedure(qtbot, w) -> None:
    click(qtbot, find(w, "New procedure"))
    ed = w.editor
    set_datetime(find(ed, "Date and time of procedure"), PERFORMED)
    type_into(qtbot, find(ed, "Performing physician"), "Dr. Seán O'Brien-Smith")
    choose(find(ed, "Technique"), Technique.MEDIAL_BRANCH_BLOCK)
    choose(find(ed, "Intent"), Intent.DIAGNOSTIC_FIRST)
    choose(find(ed, "Image guidance"), Guidance.FLUOROSCOPY)
    click(qtbot, find(ed, "Contrast"))
    choose(find(ed, "Sedation"), Sedation.NONE)
    dx = find(ed, "Diagnoses")
    for i in range(dx.count()):
        if dx.item(i).text().startswith("M47.816"):
            dx.item(i).setCheckState(dx.item(i).checkState().Checked)
    # Indication
    ed.tabs.setCurrentIndex(1)
    set_spin(qtbot, find(ed, "Pain duration (months)"), 9)
    click(qtbot, find(ed, "Conservative care: Physical therapy"))
    click(qtbot, find(ed, "Conservative care: NSAIDs"))
    type_into(qtbot, find(ed, "Conservative care details"), "12 weeks of PT, naproxen")
    set_spin(qtbot, find(ed, "Usual pain at evaluation"), 7)
    choose(find(ed, "Disability scale"), "ODI")
    set_spin(qtbot, find(ed, "Disability score"), 42.0)
    # Targets: two levels, bilateral
    ed.tabs.setCurrentIndex(2)
    for name in ("L4-L5 left", "L4-L5 right", "L5-S1 left", "L5-S1 right"):
        click(qtbot, find(ed, name))
    assert "6 nerve(s)" in ed.targets.summary.text()
    assert "L5 dorsal ramus" in ed.targets.summary.text()
    # Medications: two drugs
    ed.tabs.setCurrentIndex(3)
    click(qtbot, find(ed, "Medications: add row"))
    choose(find(ed, "Medication 1 agent"), "bupivacaine")
    choose(find(ed, "Medication 1 strength"), 5.0)
    set_spin(qtbot, find(ed, "Medication 1 volume"), 0.5)
    choose(find(ed, "Medication 1 volume basis"), VolumeBasis.PER_NERVE)
    click(qtbot, find(ed, "Medications: add row"))
    choose(find(ed, "Medication 2 agent"), "lidocaine")
    choose(find(ed, "Medication 2 strength"), 10.0)
    set_spin(qtbot, find(ed, "Medication 2 volume"), 4.0)
    assert ed.medications.rows.table.item(0, 5).text() == "3 mL = 15 mg"
    # Botulinum toxin: three sites
    ed.tabs.setCurrentIndex(4)
    find(ed, "Botulinum toxin given").setChecked(True)
    choose(find(ed, "Botulinum toxin product"), BotoxProduct.ONABOTULINUMTOXINA)
    set_spin(qtbot, find(ed, "Vial units"), 100.0)
    set_spin(qtbot, find(ed, "Diluent volume"), 2.0)
    for n, (muscle, level, side, units) in enumerate(BOTOX_SITES, start=1):
        click(qtbot, find(ed, "Botulinum toxin sites: add row"))
        choose(find(ed, f"Botox site {n} muscle"), muscle)
        choose(find(ed, f"Botox site {n} level"), level)
        choose(find(ed, f"Botox site {n} side"), side)
        set_spin(qtbot, find(ed, f"Botox site {n} units"), float(units))
    assert "110 U" in ed.botox.total.text()
    # Pain scores: five timed points, each on the diary's standard row for its time
    ed.tabs.setCurrentIndex(5)
    set_spin(qtbot, find(ed, "Pre-injection pain (NRS)"), 8)
    for minutes, nrs, activity in PAIN:
        n = ed.pain.row_number(minutes)
        assert find(ed, f"Pain score {n} minutes after injection").value() == minutes
        set_spin(qtbot, find(ed, f"Pain score {n} NRS"), nrs)
        if activity:
            type_into(qtbot, find(ed, f"Pain score {n} provoking activity"), activity)
    assert "Peak relief: 87.5%" in ed.pain.summary.text()
    # Outcome
    ed.tabs.setCurrentIndex(6)
    choose(find(ed, "Disposition"), Disposition.HOME_STABLE)
    type_into(qtbot, find(ed, "Follow-up"), "Clinic review in 2 weeks with pain diary")
    find(ed, "Notes").setPlainText('Patient tolerated well. Spread <good> & "contained".')


def test_record_close_reopen_and_export(qtbot, db_url, tmp_path, monkeypatch):
    ctx = build_context(db_url, actor=ADMIN_PHYSICIAN)
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    _fill_patient(qtbot, w)
    assert w.patient_page.form.patient_id is not None
    _fill_procedure(qtbot, w)
    w.menus.save_action.trigger()
    assert w.editor.error_summary.isHidden(), w.editor.error_summary.text()
    assert not w.editor.has_unsaved_changes()
    w.close()
    ctx.close()

    # A new window on the same database, as after restarting the app.
    ctx2 = build_context(db_url, actor=ADMIN_PHYSICIAN)
    w2 = MainWindow(ctx2)
    qtbot.addWidget(w2)
    w2.show()
    search = find(w2, "Search patients")
    type_into(qtbot, search, "żółć")
    assert w2.patient_list.model.rowCount() == 1
    table = w2.patient_list.table
    click_index = table.model().index(0, 0)
    table.clicked.emit(click_index)
    assert find(w2, "MRN").text() == "FD-1001"
    assert w2.patient_page.procedures.rowCount() == 1
    click(qtbot, find(w2, "Open procedure"))
    ed = w2.editor
    proc = ed.procedure
    assert proc.performed_at == PERFORMED
    assert [(t.level, t.side) for t in proc.targets] == [
        ("L4-L5", Side.LEFT),
        ("L4-L5", Side.RIGHT),
        ("L5-S1", Side.LEFT),
        ("L5-S1", Side.RIGHT),
    ]
    assert ed.medications.rows.rows() == 2 and ed.botox.sites.rows() == 3 and len(ed.pain.scores()) == 5
    assert find(ed, "Performing physician").text() == "Dr. Seán O'Brien-Smith"

    out = tmp_path / "note.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "PDF (*.pdf)"))
    w2.menus.export_action.trigger()
    assert out.is_file(), w2.statusBar().currentMessage() + w2.editor.error_summary.text()
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    flat = " ".join(text.split())
    for expected in (
        "Żółć",
        "Łukasz",
        "FD-1001",
        "1961-04-23",
        "2026-10-05",
        "Dr. Seán O'Brien-Smith",
        "M47.816",
        "L4-L5",
        "L5-S1",
        "L3 medial branch",
        "L4 medial branch",
        "L5 dorsal ramus",
        "bupivacaine",
        "0.5%",
        "15 mg",
        "lidocaine",
        "1%",
        "40 mg",
        "onabotulinumtoxinA",
        "multifidus",
        "longissimus",
        "iliocostalis",
        "110",
        "87.5%",
        "walking",
        "lumbar extension",
        "Clinic review in 2 weeks with pain diary",
        'Spread <good> & "contained".',
        "latex",
        "penicillin",
        "82.5",
    ):
        assert expected in flat, f"{expected!r} missing from the note"
    # Relief from a pre-injection 8: NRS 1 -> 87.5%, 2 -> 75%, 4 -> 50%, 6 -> 25%.
    for minutes_label, relief in (
        ("15 min", "87.5%"),
        ("30 min", "87.5%"),
        ("1 h", "75%"),
        ("4 h", "50%"),
        ("6 h", "25%"),
    ):
        assert minutes_label in flat and relief in flat
    w2.close()
    ctx2.close()
