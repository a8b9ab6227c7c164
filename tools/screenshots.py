"""Screenshot gallery, light and dark: sign-in, the sample case, lock screen, users, audit trail, registry export,
clinic outcomes, the EHR interface settings and outbox.

Run under a real X server for a true window:  xvfb-run -a -s "-screen 0 1600x1100x24" python tools/screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtGui import QColor, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit

ROOT = Path(__file__).resolve().parents[1]
# This checkout's facetdesk, not whichever one the environment has installed (a worktree shares the venv).
sys.path[:0] = [str(ROOT / "tools"), str(ROOT)]

from sample_case import sample_case  # noqa: E402
from sample_images import fluoroscopy_frame  # noqa: E402
from sample_pathway import sample_pathway  # noqa: E402

from facetdesk.domain.enums import BotoxProduct  # noqa: E402
from facetdesk.services.context import build_context  # noqa: E402
from facetdesk.ui.shell.main_window import MainWindow  # noqa: E402
from facetdesk.ui.signing.accounts_dialogs import FirstAccountDialog  # noqa: E402
from facetdesk.ui.signing.opening import DatabaseOpening  # noqa: E402
from facetdesk.ui.signing.sign_in import SignInDialog  # noqa: E402

TABS = [
    "procedure", "indication", "targets", "medications", "botox", "pain", "outcome", "documentation", "radiofrequency",
]  # fmt: skip
# Synthetic accounts of the demo database; the password is only ever typed into the demo's dialogs.
DEMO_PASSWORD = "synthetic demo phrase"
PHYSICIAN = {"username": "e.synthetic", "display_name": "Dr. Elena Synthetic"}
NURSE = {"username": "rn.demo", "display_name": "RN Dana Demo", "role": "nurse"}


def shoot_dialog(dialog, path: Path, width: int | None = None) -> None:
    if width:
        dialog.resize(width, dialog.sizeHint().height())
    dialog.show()
    QTest.qWait(200)
    dialog.grab().save(str(path))
    dialog.close()


def sign_in_screens(ctx, out_dir: Path) -> None:
    """The first-start dialog on the empty database, then the account made, then the everyday sign-in."""
    first = FirstAccountDialog(ctx.accounts)
    first.username.setText(PHYSICIAN["username"])
    first.display_name.setText(PHYSICIAN["display_name"])
    shoot_dialog(first, out_dir / "first-account.png")
    ctx.accounts.create_first_account(PHYSICIAN, DEMO_PASSWORD)
    ctx.accounts.sign_in(PHYSICIAN["username"], DEMO_PASSWORD)
    ctx.accounts.create_user(NURSE, DEMO_PASSWORD)
    database_answers = threading.Event()
    opening = DatabaseOpening(lambda: database_answers.wait(10) and ctx)
    dialog = SignInDialog(opening, username=PHYSICIAN["username"])
    shoot_dialog(dialog, out_dir / "sign-in-opening.png")  # painted before the database is open
    database_answers.set()
    opening.wait()
    QTest.qWait(50)  # the opened database reaches the dialog through the event loop
    dialog.password.setText("a wrong one")
    dialog.sign_in()  # shows how a wrong password is answered; the demo stays signed in as the physician
    ctx.accounts.sign_in(PHYSICIAN["username"], DEMO_PASSWORD)
    shoot_dialog(dialog, out_dir / "sign-in.png")


def sign_screens(window, ctx, out_dir: Path) -> None:
    """The sign question (it asks for the password), then the signed, locked editor and its signed note."""
    editor = window.editor
    question = QInputDialog(editor)
    question.setWindowTitle(editor.tr("Sign procedure"))
    question.setLabelText(editor.questions.sign_question(editor.procedure))
    question.setTextEchoMode(QLineEdit.EchoMode.Password)
    question.setTextValue("••••••••••••")
    shoot_dialog(question, out_dir / "sign-question.png")
    open_findings = ctx.signing.open_findings(editor.procedure.id)
    if open_findings:
        from facetdesk.ui.signing.acknowledge_dialog import AcknowledgeDialog

        acknowledge = AcknowledgeDialog(open_findings, editor)
        first = next(iter(acknowledge.reasons.values()))
        first.setText("Discussed with the patient; benefit outweighs the risk.")
        shoot_dialog(acknowledge, out_dir / "sign-acknowledge.png")
    editor.questions.ask_acknowledgements = lambda findings: {f.rule: "Discussed with the patient." for f in findings}
    editor.questions.ask_sign = lambda procedure: DEMO_PASSWORD
    editor.signing_controls.sign()
    QTest.qWait(200)
    window.grab().save(str(out_dir / "editor-signed.png"))
    preview = window.note_output.preview_note()
    preview.resize(900, 1000)
    QTest.qWait(2500)
    preview.grab().save(str(out_dir / "note-preview-signed.png"))
    preview.close()


def ablation_screen(window, ctx, patient_id: int, out_dir: Path) -> None:
    """The sample patient's levels ablated a month after the sample block: the Radiofrequency tab, its rules."""
    block = ctx.records.get_procedure(ctx.records.procedures_of(patient_id)[-1].id)[1]
    data = block.model_dump(exclude={"id", "uid", "version", "signature", "addenda", "overrides"})
    data |= {
        "performed_at": block.performed_at + timedelta(days=30),
        "technique": "radiofrequency_ablation",
        "intent": "therapeutic",
        "botulinum_toxin": None,
        "pain_scores": [],
        "radiofrequency": {"method": "conventional", "cannula_gauge": 18, "active_tip_mm": 10,
                           "sensory_threshold_v": 0.4, "motor_test": "no_radicular_response", "temperature_c": 80,
                           "seconds_per_lesion": 90, "lesions_per_nerve": 2},
    }  # fmt: skip
    ablation = ctx.records.save_procedure(patient_id, data)
    window.procedures.open_procedure(ablation.id)
    window.editor.refresh_findings()
    window.editor.tabs.setCurrentIndex(TABS.index("radiofrequency"))
    QTest.qWait(200)
    window.grab().save(str(out_dir / "editor-radiofrequency.png"))


def follow_up_screen(window, ctx, procedure_id: int, out_dir: Path) -> None:
    """The sample block's follow-up dialog with one visit recorded four weeks after it."""
    block = ctx.records.get_procedure(procedure_id)[1]
    ctx.follow_ups.save(
        {"procedure_uid": block.uid, "seen_on": (block.performed_at + timedelta(days=28)).date(), "recorded_by": "-",
         "pain_nrs": 4, "disability_scale": "ODI", "disability_score": 30, "adl_improvement_pct": 25,
         "analgesic_use": "less", "global_impression": "minimally_improved"}
    )  # fmt: skip
    dialog = window.patients.record_follow_up(procedure_id)
    dialog.resize(620, dialog.sizeHint().height())
    QTest.qWait(200)
    dialog.grab().save(str(out_dir / "follow-up.png"))
    dialog.close()


def toxin_elsewhere_screen(window, ctx, patient_id: int, out_dir: Path) -> None:
    """Botox for migraine given by a neurology clinic, entered on the patient page and saved with the patient."""
    window.patients.open_patient(patient_id)
    dialog = window.patient_page.form.toxin_elsewhere.open_dialog()
    dialog.given_on.setText("2026-08-10")
    dialog.fields["product"].set_value(BotoxProduct.ONABOTULINUMTOXINA)
    dialog.fields["units"].set_value(155)
    dialog.fields["indication"].set_value("chronic migraine")
    dialog.fields["source"].set_value("neurology clinic (letter of 2026-08-14)")
    dialog.resize(560, dialog.sizeHint().height())
    QTest.qWait(200)
    dialog.grab().save(str(out_dir / "toxin-elsewhere.png"))
    dialog.submit()
    window.patients.save_patient()


def pathway_screen(window, ctx, out_dir: Path) -> None:
    """A second synthetic patient's whole pathway: blocks, ablation, follow-ups, repeat ablation, the next gate."""
    imported = ctx.cases.import_case(sample_pathway())
    window.patients.open_patient(imported.patient_id)
    dialog = window.patients.show_pathway(imported.patient_id)
    dialog.resize(1100, 820)
    QTest.qWait(400)
    dialog.grab().save(str(out_dir / "pathway.png"))
    dialog.close()


def _outcomes_clinic(ctx) -> None:
    """A few synthetic patients of the sample's year beside the sample patient: diagnostic blocks (positive,
    negative, unscored), RFs with follow-ups (relief ended, still relieved), a toxin-only visit, complications."""
    lidocaine = [{"agent": "lidocaine", "concentration_mg_per_ml": 10, "volume_ml": 0.5}]

    def block(when: str, nrs: int | None, **more) -> dict:
        scores = [] if nrs is None else [{"minutes_after": 30, "nrs": nrs}, {"minutes_after": 120, "nrs": nrs}]
        data = {"performed_at": when, "physician": PHYSICIAN["display_name"], "technique": "medial_branch_block",
                "intent": "diagnostic_first", "guidance": "fluoroscopy", "medications": lidocaine,
                "targets": [{"level": "L4-L5", "side": "left"}], "pre_procedure_pain": 8,
                "pain_scores": scores}  # fmt: skip
        return data | more

    def ablation(when: str) -> dict:
        return block(when, None, technique="radiofrequency_ablation", intent="therapeutic", medications=[],
                     radiofrequency={"method": "conventional", "temperature_c": 80})  # fmt: skip

    # (records of one patient: (procedure, [(follow-up day, pain NRS)]))
    clinic = [
        [(block("2026-01-12T09:00", 1), []), (block("2026-01-26T09:00", 1, intent="diagnostic_confirmatory"), []),
         (ablation("2026-02-16T09:00"), [("2026-03-16", 2), ("2026-05-18", 2), ("2026-08-17", 3), ("2026-11-16", 6)])],
        [(block("2026-02-02T10:00", 1), []),
         (ablation("2026-03-02T10:00"), [("2026-04-06", 1), ("2026-07-06", 2), ("2026-10-05", 3)])],
        [(block("2026-03-09T11:00", 7, complications=["vasovagal"]), [])],
        [(block("2026-05-04T09:00", 1), []), (ablation("2026-06-01T09:00"), [("2026-07-06", 3), ("2026-09-07", 7)])],
        [(block("2026-08-10T14:00", None, complications=["hematoma"]), [])],
    ]  # fmt: skip
    for n, records in enumerate(clinic, start=1):
        patient = ctx.records.save_patient(
            {"mrn": f"DEMO-{n:04d}", "family_name": f"Chartsample{n}", "given_name": "Demo", "sex": "female",
             "date_of_birth": f"19{50 + 5 * n}-03-0{n}"}
        )  # fmt: skip
        for data, visits in records:
            procedure = ctx.records.save_procedure(patient.id, data)
            for day, nrs in visits:
                ctx.follow_ups.save(
                    {"procedure_uid": procedure.uid, "seen_on": day, "recorded_by": "-", "pain_nrs": nrs}
                )


def clinic_outcomes_screen(window, ctx, out_dir: Path) -> None:
    """File → Clinic outcomes over the sample's year: the sample patient and a few synthetic ones."""
    _outcomes_clinic(ctx)
    dialog = window.admin.show_clinic_outcomes()
    dialog.date_from.setDate(QDate(2026, 1, 1))  # the sample case's year, not today's: a stable picture
    dialog.date_to.setDate(QDate(2026, 12, 31))
    dialog.refresh()
    dialog.resize(1240, 1080)  # every chart without scrolling
    QTest.qWait(300)
    dialog.grab().save(str(out_dir / "clinic-outcomes.png"))
    dialog.close()


def ehr_screens(window, ctx, folder: Path, out_dir: Path) -> None:
    """Clinic settings' EHR interface page, then the outbox after one round: the folder's copies sent, the
    interface engine's refusal failed (a stand-in engine on 127.0.0.1 answering AE)."""
    from tests.mllp_listener import mllp_listener

    folder.mkdir(exist_ok=True)
    with mllp_listener() as engine:
        engine.ack_code, engine.ack_text = "AE", "Unknown patient identifier in PID-3"
        ctx.settings.save(
            ctx.settings.load().model_dump()
            | {
                "ehr": {
                    "mrn_system": "urn:oid:2.16.840.1.113883.3.999.1",
                    "procedure_id_system": "https://ehr.example.org/fhir/facetdesk-procedure",
                    "mrn_assigning_authority": "RIVERSIDE",
                    "sending_facility": "RIVERSIDE-PAIN",
                    "receiving_application": "EPIC-BRIDGE",
                    "outbox_folder": str(folder),
                    "mllp_host": "127.0.0.1",
                    "mllp_port": engine.port,
                    "send_on_signing": True,
                }
            }
        )
        settings = window.admin.edit_settings()
        settings.tabs.setCurrentWidget(settings.ehr_page)
        shoot_dialog(settings, out_dir / "settings-ehr.png")
        window.note_output.send_to_ehr()
        for _ in range(100):
            QTest.qWait(100)
            if not window.outbox_runner.running:
                break
        outbox = window.admin.show_outbox()
        QTest.qWait(200)
        outbox.grab().save(str(out_dir / "ehr-outbox.png"))
        outbox.close()


def shoot(app: QApplication, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        ctx = build_context(f"sqlite:///{tmp}/demo.sqlite3", drafts_dir=Path(tmp) / "drafts")
        sign_in_screens(ctx, out_dir)
        result = ctx.cases.import_case(sample_case())
        window = MainWindow(ctx)
        window.resize(1360, 860)
        window.show()
        window.patient_list.refresh()
        toxin_elsewhere_screen(window, ctx, result.patient_id, out_dir)
        window.patients.open_patient(result.patient_id)
        QTest.qWait(200)
        window.grab().save(str(out_dir / "patient.png"))
        for view, caption in (("ap", "needle at the L4 medial branch"), ("lateral", "depth at the transverse process")):
            ctx.images.attach(result.procedure_id, fluoroscopy_frame(view), {"view": view, "level": "L4-L5",
                                                                             "caption": caption})  # fmt: skip
        window.procedures.open_procedure(result.procedure_id)
        window.editor.refresh_findings()
        for i, name in enumerate(TABS[:-1]):  # the sample is a block: its Radiofrequency tab is empty
            window.editor.tabs.setCurrentIndex(i)
            QTest.qWait(200)
            window.grab().save(str(out_dir / f"editor-{name}.png"))
        window.editor.tabs.setCurrentIndex(0)
        ablation_screen(window, ctx, result.patient_id, out_dir)
        follow_up_screen(window, ctx, result.procedure_id, out_dir)
        pathway_screen(window, ctx, out_dir)
        window.procedures.open_procedure(result.procedure_id)
        preview = window.note_output.preview_note()
        preview.resize(900, 1000)
        QTest.qWait(2500)  # QPdfView renders pages in the background
        preview.grab().save(str(out_dir / "note-preview.png"))
        preview.close()
        window.note_output.export_pdf(str(Path(tmp) / "note.pdf"))
        window.session.lock()
        QTest.qWait(200)
        window.grab().save(str(out_dir / "lock-screen.png"))
        window.session.try_unlock(DEMO_PASSWORD)
        users = window.admin.show_users()
        users.select(NURSE["username"])
        QTest.qWait(200)
        users.grab().save(str(out_dir / "users.png"))
        users.close()
        audit = window.admin.show_audit()
        audit.verify()
        QTest.qWait(200)
        audit.grab().save(str(out_dir / "audit-trail.png"))
        audit.close()
        outcomes = window.admin.show_outcomes_export()
        outcomes.date_from.setDate(QDate(2026, 1, 1))  # the sample case's year, not today's: a stable picture
        outcomes.date_to.setDate(QDate(2026, 12, 31))
        QTest.qWait(200)
        outcomes.grab().save(str(out_dir / "outcomes-export.png"))
        outcomes.close()
        clinic_outcomes_screen(window, ctx, out_dir)
        window.session.lock(switching=True)
        window.session.try_switch(NURSE["username"], DEMO_PASSWORD)
        window.patients.open_patient(result.patient_id)
        window.procedures.open_procedure(result.procedure_id)
        window.editor.tabs.setCurrentIndex(window.editor.TAB_OF["pain_scores"])
        QTest.qWait(200)
        window.grab().save(str(out_dir / "editor-nurse.png"))
        window.session.lock(switching=True)
        window.session.try_switch(PHYSICIAN["username"], DEMO_PASSWORD)
        window.patients.open_patient(result.patient_id)
        window.procedures.open_procedure(result.procedure_id)
        window.editor.tabs.setCurrentIndex(0)
        sign_screens(window, ctx, out_dir)
        ehr_screens(window, ctx, Path(tmp) / "outbox", out_dir)
        window.editor.has_unsaved_changes = lambda: False  # nothing was edited; close without asking
        window.close()
        ctx.close()


def dark_palette() -> QPalette:
    """What a desktop in dark mode hands Qt; Xvfb has no desktop, so the gallery sets it itself."""
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#2b2d30",
        QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1e1f22",
        QPalette.ColorRole.AlternateBase: "#26282b",
        QPalette.ColorRole.Text: "#e6e6e6",
        QPalette.ColorRole.Button: "#36383c",
        QPalette.ColorRole.ButtonText: "#e6e6e6",
        QPalette.ColorRole.Highlight: "#3d6fb6",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#36383c",
        QPalette.ColorRole.ToolTipText: "#e6e6e6",
        QPalette.ColorRole.PlaceholderText: "#8c8f94",
        QPalette.ColorRole.Link: "#8ab4f8",
    }
    for role, color in roles.items():
        p.setColor(role, QColor(color))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#7a7d82"))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#7a7d82"))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#7a7d82"))
    return p


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("FacetDesk-screenshots")
    app.setStyle("Fusion")
    light = app.style().standardPalette()
    for palette, name in ((light, "light"), (dark_palette(), "dark")):
        app.setPalette(palette)
        QTest.qWait(100)
        shoot(app, ROOT / "docs" / "screenshots" / name)
    print(f"wrote screenshots to {ROOT / 'docs' / 'screenshots'}")


if __name__ == "__main__":
    main()
