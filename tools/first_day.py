"""A new physician's first day, run on the real app under a real X server: first account, patient, a two-level
bilateral MBB with Botox and a pain diary, preview, export, sign, a second patient, restart, search, reopen.

Every step goes through the app's own start-up (facetdesk.app.run_gui) and its widgets, with keystrokes and mouse
clicks; after each step the screen is saved and what it shows is checked for values that are stale (another
record's), invented (shown before anyone entered them) or silently corrected. Prints one line per check and exits
1 if any failed.

Run:  xvfb-run -a -s "-screen 0 1600x1000x24" python tools/first_day.py [output folder]
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path

WORK = Path(tempfile.mkdtemp(prefix="facetdesk-first-day-"))
# A fresh workstation: its own home, settings and data folders (set before Qt or platformdirs read them).
FOLDERS = (("HOME", "home"), ("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"), ("XDG_CACHE_HOME", "cache"))
for var, sub in FOLDERS:
    os.environ[var] = str(WORK / sub)
    (WORK / sub).mkdir()

from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMenu,
    QWidget,
)

from facetdesk.app import run_gui, start_qt  # noqa: E402

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else WORK / "screens"
OUT.mkdir(parents=True, exist_ok=True)
DB = f"sqlite:///{WORK / 'clinic.sqlite3'}"
# Synthetic people only; the password is typed into the app's own dialogs.
PASSWORD = "synthetic first day phrase"
DOCTOR = "Dr. Erin Firstday"
STEP_MS = 350

results: list[tuple[bool, str]] = []
shots = 0


def check(ok: bool, what: str) -> None:
    results.append((bool(ok), what))
    print(("ok   " if ok else "FAIL ") + what, flush=True)


def shoot(name: str) -> None:
    global shots
    QTest.qWait(150)
    shots += 1
    QGuiApplication.primaryScreen().grabWindow(0).save(str(OUT / f"{shots:02d}-{name}.png"))


def top(kind: type | None = None, title: str | None = None, wait_ms: int = 15000) -> QWidget:
    """The visible top-level window of ``kind`` (or titled ``title``), waiting for it as a user would."""
    for _ in range(wait_ms // 50):
        for w in QApplication.topLevelWidgets():
            if w.isVisible() and (kind is None or isinstance(w, kind)) and (title is None or w.windowTitle() == title):
                w.raise_()
                w.activateWindow()
                QTest.qWait(150)  # painted and taking input
                return w
        QTest.qWait(50)
    raise LookupError(f"no {kind.__name__ if kind else ''} window {title or ''} on screen")


def main_window() -> QWidget:
    from facetdesk.ui.shell.main_window import MainWindow

    return top(MainWindow)


def find(root: QWidget, name: str) -> QWidget:
    hits = [w for w in root.findChildren(QWidget) if w.accessibleName() == name and w.isVisibleTo(root)]
    hits = hits or [w for w in root.findChildren(QWidget) if w.accessibleName() == name]
    if not hits:
        raise LookupError(f"no {name!r}")
    return hits[0]


def click(widget: QWidget, pos=None) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos or widget.rect().center())
    QTest.qWait(30)


def focused() -> QWidget:
    # With no window manager nobody re-activates the main window when a dialog closes: do it as a click would.
    if QApplication.activeWindow() is None and QApplication.activeModalWidget() is None:
        main_window()
    widget = QApplication.focusWidget() or QApplication.activeWindow()
    if widget is None:
        raise LookupError("nothing has the keyboard focus")
    return widget


def keys(text: str) -> None:
    for ch in text:
        QTest.keyClick(focused(), ch)


def key(k, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(focused(), k, modifier)
    QTest.qWait(30)


def type_into(widget: QWidget, text: str) -> None:
    click(widget)
    QTest.keyClick(focused(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    keys(text)


def pick(combo: QComboBox, text: str) -> None:
    click(combo)
    view = combo.view()
    QTest.qWait(QApplication.doubleClickInterval() + 80)
    index = combo.model().index(combo.findText(text), 0)
    view.scrollTo(index)
    click(view.viewport(), view.visualRect(index).center())
    check(combo.currentText() == text, f"{combo.accessibleName()}: picked {text!r}")


def tab(editor, title: str) -> None:
    bar = editor.tabs.tabBar()
    index = next(i for i in range(editor.tabs.count()) if editor.tabs.tabText(i).lstrip("⚠ ").startswith(title))
    click(bar, bar.tabRect(index).center())


def findings_text(editor) -> str:
    panel = editor.findings
    items = [panel.list.item(i).text() for i in range(panel.list.count())]
    return "\n".join([panel.summary.text(), panel.problems.text(), *items])


# ---- the steps ------------------------------------------------------------------------------------------------
def first_account() -> None:
    from facetdesk.ui.signing.accounts_dialogs import FirstAccountDialog

    dialog = top(FirstAccountDialog)
    check(
        all(find(dialog, n).text() == "" for n in ("User name", "Name as printed on signatures")),
        "first account: fields empty",
    )
    shoot("first-account")
    type_into(find(dialog, "User name"), "e.firstday")
    type_into(find(dialog, "Name as printed on signatures"), DOCTOR)
    type_into(find(dialog, "Password"), PASSWORD)
    type_into(find(dialog, "Repeat password"), PASSWORD)
    click(find(dialog, "Create account"))


def new_patient() -> None:
    w = main_window()
    w.activateWindow()
    QTest.qWait(100)
    key(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    form = w.patient_page.form
    check(form.sex.currentText() == "— choose —", "new patient: sex not chosen")
    check(form.date_of_birth.text() == "", "new patient: date of birth empty")
    check(form.weight.value_or_none() is None, "new patient: weight not recorded")
    check(form.anticoag_table.rowCount() == 0, "new patient: no anticoagulant")
    shoot("new-patient")
    type_into(find(w, "MRN"), "FD-DAY-1")
    type_into(find(w, "Family name"), "Firstpatient")
    type_into(find(w, "Given name"), "Alex")
    click(find(w, "Save patient"))
    errors = [lbl.text() for lbl in w.patient_page.findChildren(QLabel) if lbl.isVisible() and "required" in lbl.text()]
    check(any("required" in e for e in errors), f"saving with only MRN and names says what is required ({errors})")
    check(form.patient_id is None and not w._ctx.records.search_patients("Firstpatient"), "nothing half-saved")
    shoot("patient-required")


def patient_details() -> None:
    w = main_window()
    form = w.patient_page.form
    type_into(find(w, "Date of birth"), "1961-07-14")
    pick(find(w, "Sex"), "Male")
    weight = find(w, "Weight")
    type_into(weight, "0")
    key(Qt.Key.Key_Tab)
    check("0 is not allowed" in weight.refused_text, f"weight 0 refused at the field ({weight.refused_text!r})")
    check(weight.value_or_none() is None, "weight 0 not kept as a value or as 'not recorded' silently")
    type_into(weight, "82")
    key(Qt.Key.Key_Tab)
    click(find(w, "Save patient"))
    check(form.patient_id is not None, "patient saved")
    saved = w._ctx.records.get_patient(form.patient_id)
    check((saved.sex.value, str(saved.date_of_birth), saved.weight_kg) == ("male", "1961-07-14", 82),
          "patient stored as typed (sex, date of birth, weight)")  # fmt: skip
    shoot("patient-saved")


def new_procedure() -> None:
    w = main_window()
    click(find(w, "New procedure"))
    ed = w.editor
    check(ed.physician.text() == DOCTOR, f"new procedure: the signed-in physician performs ({ed.physician.text()!r})")
    check("Not evaluated yet" in ed.findings.summary.text(), "new procedure: findings 'not evaluated yet'")
    check(ed.medications.rows.rows() == 0 and not ed.botox.group.isChecked(), "new procedure: no medication, no toxin")
    chosen = [find(ed, n).currentText() for n in ("Technique", "Intent", "Image guidance", "Sedation")]
    check(chosen == ["— choose —"] * 4, f"new procedure: technique, intent, guidance, sedation not chosen ({chosen})")
    shoot("new-procedure")
    click(find(ed, "Apply preset"))


def choose_preset() -> None:
    menu = QApplication.activePopupWidget()
    check(isinstance(menu, QMenu), "preset menu open")
    action = next(a for a in menu.actions() if a.text().startswith("Lumbar MBB"))
    click(menu, menu.actionGeometry(action).center())


def targets_and_toxin() -> None:
    ed = main_window().editor
    check(ed.medications.rows.rows() == 1, "preset: one medication row")
    tab(ed, "Targets")
    for level in ("L4-L5", "L5-S1"):
        click(find(ed, f"{level} both sides"))
    check(len(ed.targets.targets()) == 4, "targets: two levels, both sides")
    shoot("targets")
    tab(ed, "Botulinum toxin")
    click(find(ed, "Botulinum toxin given"), find(ed, "Botulinum toxin given").rect().topLeft() + _box_offset())
    check(ed.botox.group.isChecked(), "toxin ticked")
    check(ed.botox.product.currentText() == "— choose —", "toxin: product not chosen until chosen")
    check(ed.botox.vial_units.value_or_none() is None, "toxin: vial not filled in by itself")
    pick(find(ed, "Botulinum toxin product"), ed.botox.product.itemText(1))
    type_into(find(ed, "Vial units"), "100")
    type_into(find(ed, "Diluent volume"), "2")
    click(find(ed, "Botulinum toxin sites: add row"))
    pick(find(ed, "Botox site 1 muscle"), "multifidus (lumbar)")
    pick(find(ed, "Botox site 1 level"), "L4")
    pick(find(ed, "Botox site 1 side"), "Left")
    click(find(ed, "Botox site 1 units"))
    keys("25")
    for _ in range(3):
        click(find(ed, "Botulinum toxin sites: add row"))
    sites = ed.botox.data()["sites"]
    check([(s["level"], s["side"].value) for s in sites] == [("L4", "left"), ("L4", "right"), ("L5", "left"),
          ("L5", "right")], "toxin: each further site the usual next one")  # fmt: skip
    shoot("toxin")


def _box_offset():
    from PySide6.QtCore import QPoint

    return QPoint(12, 8)  # the group box's check box sits in its title


def diary() -> None:
    ed = main_window().editor
    tab(ed, "Pain")
    box = find(ed, "Pre-injection pain (NRS)")
    click(box)
    keys("11")
    check("11 is not allowed" in box.refused_text, f"NRS 11 refused with the range ({box.refused_text!r})")
    key(Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    for score in "752112356":
        keys(score)
        key(Qt.Key.Key_Return)
    scores = ed.pain.scores()
    check(ed.pain.pre_pain.value_or_none() == 7 and len(scores) == 8, f"diary: baseline 7 and 8 scores ({scores})")
    shoot("diary")
    key(Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    check(ed.error_summary.isHidden(), f"saved without problems ({ed.error_summary.text()!r})")
    check(not ed.has_unsaved_changes(), "nothing left unsaved")
    text = findings_text(ed)
    check("Not evaluated yet" not in text, "findings evaluated after saving")
    shoot("findings")


def preview() -> None:
    key(Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)


def close_preview() -> None:
    from facetdesk.ui.shell.note_preview import NotePreview

    dialog = top(NotePreview)
    shoot("preview")
    dialog.close()
    w = main_window()
    w.activateWindow()
    click(find(w.editor, "Performing physician"))  # the cursor in a text field, as the README's Ctrl+E is used
    key(Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)


def accept_export() -> None:
    top(QFileDialog)
    shoot("export-dialog")
    key(Qt.Key.Key_Return)  # the suggested name (MRN and date) in the home folder


def exported_then_sign() -> None:
    pdfs = list((WORK / "home").glob("*.pdf"))
    check(len(pdfs) == 1, f"note exported ({[p.name for p in pdfs]})")
    if pdfs:
        mode = stat.S_IMODE(pdfs[0].stat().st_mode)
        check(mode == 0o600, f"exported note owner-only ({oct(mode)})")
    click(find(main_window().editor, "Sign procedure"))


def acknowledge() -> None:
    from facetdesk.ui.signing.acknowledge_dialog import AcknowledgeDialog

    modal = QApplication.activeModalWidget()
    if not isinstance(modal, AcknowledgeDialog):
        return  # nothing open to acknowledge: the password comes first
    shoot("acknowledge")
    for field in [w for w in modal.findChildren(QWidget) if w.accessibleName().startswith("Reason for")]:
        type_into(field, "Reviewed with the patient; proceeding as planned")
    click(modal.buttons.button(QDialogButtonBox.StandardButton.Ok))


def password() -> None:
    check(isinstance(top(QInputDialog), QInputDialog), "signing asks for the password")
    shoot("sign-question")
    keys(PASSWORD)
    key(Qt.Key.Key_Return)


def after_signing() -> None:
    w = main_window()
    ed = w.editor
    QTest.qWait(500)  # the signature is made once the password dialog has closed
    check(ed.procedure is not None and ed.procedure.is_signed, "procedure signed")
    check("signed" in w.statusBar().currentMessage().lower() or "Signed" in ed.status.text(),
          f"status says signed ({w.statusBar().currentMessage()!r} / {ed.status.text()!r})")  # fmt: skip
    shoot("signed")
    click(find(ed, "Back to patient"))
    key(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    type_into(find(w, "MRN"), "FD-DAY-2")
    type_into(find(w, "Family name"), "Secondpatient")
    type_into(find(w, "Given name"), "Sam")
    type_into(find(w, "Date of birth"), "1979-02-03")
    pick(find(w, "Sex"), "Female")
    click(find(w, "Save patient"))
    click(find(w, "New procedure"))
    ed = w.editor
    text = findings_text(ed)
    check("Not evaluated yet" in text, "second patient's new procedure: 'not evaluated yet'")
    check(all(s not in text for s in ("82 kg", "100 U", "relief")), "no finding of the first patient on screen")
    check(ed.pain.pre_pain.value_or_none() is None and ed.pain.scores() == [], "second patient: empty diary")
    check(not ed.botox.group.isChecked() and ed.targets.targets() == [], "second patient: no toxin, no targets")
    check(ed.section.technique.value() is None and ed.medications.rows.rows() == 0,
          "second patient: nothing carried over from the first's procedure (technique, medications)")  # fmt: skip
    shoot("second-patient-procedure")
    w.close()  # quit: the restart follows


def sign_in_again() -> None:
    from facetdesk.ui.signing.sign_in import SignInDialog

    dialog = top(SignInDialog)
    shoot("sign-in")
    type_into(find(dialog, "User name"), "e.firstday")
    type_into(find(dialog, "Password"), PASSWORD)
    QTest.qWait(1500)  # the database opens behind the dialog
    click(find(dialog, "Sign in"))


def search_and_reopen() -> None:
    w = main_window()
    w.activateWindow()
    key(Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    keys("firstpat")
    QTest.qWait(600)
    table = w.patient_list.table
    check(table.model().rowCount() == 1, "search finds the first patient")
    click(table.viewport(), table.visualRect(table.model().index(0, 0)).center())
    QTest.qWait(300)
    check(w.patient_page.form.mrn.text() == "FD-DAY-1", "first patient open")
    procedures = w.patient_page.procedures
    click(procedures.viewport(), procedures.visualRect(procedures.model().index(0, 0)).center())
    click(find(w, "Open procedure"))
    ed = w.editor
    p = ed.procedure
    check(p is not None and p.is_signed, "reopened procedure is the signed one")
    check(len(p.targets) == 4 and len(p.botulinum_toxin.sites) == 4 and len(p.pain_scores) == 8,
          "reopened: 4 joints, 4 toxin sites, 8 scores")  # fmt: skip
    check(ed.physician.text() == DOCTOR, "reopened: performing physician kept")
    shoot("reopened")
    w.close()


def run_steps(steps: list[Callable[[], None]]) -> None:
    """Run the steps one after another from the event loop. A step that opens a modal dialog stays on the stack
    (the dialog's own loop runs), so the next step, which works in that dialog, starts once the dialog is up;
    otherwise a step starts only when the one before has returned."""
    state = {"running": -1, "modal": None}

    def start(i: int) -> None:
        if i >= len(steps):
            return
        previous_running = state["running"] == i - 1 and i > 0
        opened = QApplication.activeModalWidget()  # a dialog's exec() blocks the step; a list or menu does not
        if previous_running and (opened is None or opened is state["modal"]):
            QTimer.singleShot(100, lambda: start(i))  # the step before is still at work
            return
        state["running"], state["modal"] = i, opened
        QTimer.singleShot(STEP_MS, lambda: start(i + 1))
        try:
            steps[i]()
        except Exception:  # a step that cannot run is a failed check, and the day ends there
            check(False, f"step {steps[i].__name__}: {traceback.format_exc().strip().splitlines()[-1]}")
            traceback.print_exc()
            state["running"] = len(steps)
            for w in QApplication.topLevelWidgets():
                w.close()
            QApplication.exit(1)
            return
        if state["running"] == i:
            state["running"] = -1

    def when_the_first_screen_is_up() -> None:
        # The first step works in the first screen: wait for it from the event loop, never in a nested wait (the
        # sign-in dialog gives way to the first-account dialog only once the database is open, which takes longer
        # on a slow machine than any fixed delay).
        for w in QApplication.topLevelWidgets():
            name = type(w).__name__
            opened = getattr(getattr(w, "opening", None), "done", False)
            if w.isVisible() and (name == "FirstAccountDialog" or (name == "SignInDialog" and opened)):
                QTimer.singleShot(300, lambda: start(0))
                return
        QTimer.singleShot(100, when_the_first_screen_is_up)

    QTimer.singleShot(200, when_the_first_screen_is_up)


def main() -> int:
    start_qt()  # the app's own QApplication, made first so the steps' timers run in its event loop
    first_start = [first_account, new_patient, patient_details, new_procedure, choose_preset, targets_and_toxin,
                   diary, preview, close_preview, accept_export, exported_then_sign, acknowledge, password,
                   after_signing]  # fmt: skip
    run_steps(first_start)
    code = run_gui(DB)
    check(code == 0, f"first start: the app closes cleanly (exit {code})")
    run_steps([sign_in_again, search_and_reopen])
    code = run_gui(DB)
    check(code == 0, f"restart: the app closes cleanly (exit {code})")
    failed = [what for ok, what in results if not ok]
    print(f"\n{len(results) - len(failed)} of {len(results)} checks passed; screens in {OUT}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
