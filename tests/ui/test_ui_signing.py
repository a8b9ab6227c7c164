"""Signing in the editor: sign, the form locks, a later save is refused, addenda are added and listed."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtWidgets import QLineEdit

from facetdesk.ui.editor.procedure_editor import ProcedureEditor
from facetdesk.ui.editor.questions import EditorQuestions
from facetdesk.ui.shell.main_window import MainWindow
from tests import signers
from tests.actors import ADMIN_PHYSICIAN
from tests.ui.helpers import click, find, start_procedure, type_into

# The signed-in physician signs (the ctx fixture's actor), whoever is typed as performing physician.
SIGNER = ADMIN_PHYSICIAN.display_name


@pytest.fixture
def answers(monkeypatch, ctx):
    """The dialogs' answers: sign yes (with the signer's password), and the addendum text to type."""
    signers.enrol(ctx)
    asked: list = []
    replies = {"sign": True, "addendum": "Correction: the right side was not injected."}

    def ask_sign(self, procedure):
        asked.append(procedure)
        return signers.PASSWORD if replies["sign"] else None

    monkeypatch.setattr(EditorQuestions, "ask_sign", ask_sign)
    monkeypatch.setattr(EditorQuestions, "ask_addendum_text", lambda self: replies["addendum"])
    monkeypatch.setattr(EditorQuestions, "ask_password", lambda self, title, label: signers.PASSWORD)
    monkeypatch.setattr(
        EditorQuestions, "ask_acknowledgements", lambda self, findings: {f.rule: signers.REASON for f in findings}
    )
    return replies, asked


def _inputs_enabled(ed: ProcedureEditor) -> list[bool]:
    return [w.isEnabled() for w in ed.findChildren(QLineEdit) if ed.tabs.isAncestorOf(w)]


def test_sign_saves_first_then_locks_the_editor(qtbot, window, ctx, patient, answers):
    _, asked = answers
    ed = start_procedure(qtbot, window, patient.id, datetime(2026, 9, 1, 10, 0), physician="Dr. Signer")
    assert any(_inputs_enabled(ed)) and not ed.signature_banner.isVisible()

    click(qtbot, find(ed, "Sign procedure"))

    (procedure,) = asked
    assert procedure.id is not None  # the unsaved edits were saved before the question
    stored = ctx.records.get_procedure(procedure.id)[1]
    assert stored.signature.signed_by == SIGNER
    assert ed.locked and ed.procedure == stored
    assert not any(_inputs_enabled(ed))
    assert not ed.save_button.isEnabled() and not ed.sign_button.isEnabled()
    assert ed.signature_banner.isVisible()
    assert ed.signature_banner.text() == f"Signed by {SIGNER} on {stored.signature.signed_at:%Y-%m-%d %H:%M} — locked"
    # The status bar says what happened: signed, not "saved".
    assert window.statusBar().currentMessage().startswith(f"Procedure of 2026-09-01 10:00 signed by {SIGNER} at ")


def test_a_declined_signature_changes_nothing(qtbot, window, ctx, patient, answers):
    replies, _ = answers
    replies["sign"] = False
    ed = start_procedure(qtbot, window, patient.id, datetime(2026, 9, 1, 10, 0))
    click(qtbot, find(ed, "Sign procedure"))
    assert not ed.locked and not ctx.records.get_procedure(ed.procedure.id)[1].is_signed
    assert any(_inputs_enabled(ed))


def test_save_after_signing_is_refused_with_a_clear_message(qtbot, window, ctx, patient, answers):
    ed = start_procedure(qtbot, window, patient.id, datetime(2026, 9, 1, 10, 0), physician="Dr. Signer")
    signed = ed.signing_controls.sign()
    assert signed is not None

    assert ed.save() is None

    assert ed.error_summary.isVisible()
    assert f"Not saved: This procedure was signed by {SIGNER} on" in ed.error_summary.text()
    assert "add an addendum instead" in ed.error_summary.text()
    assert ctx.records.get_procedure(signed.id)[1] == signed


def test_addendum_is_added_and_listed(qtbot, window, ctx, patient, answers):
    ed = start_procedure(qtbot, window, patient.id, datetime(2026, 9, 1, 10, 0), physician="Dr. Signer")
    assert not ed.addendum_button.isVisible()
    ed.signing_controls.sign()
    assert ed.addendum_button.isEnabled()

    click(qtbot, find(ed, "Add addendum"))

    (addendum,) = ctx.records.get_procedure(ed.procedure.id)[1].addenda
    assert (addendum.author, addendum.text) == (SIGNER, "Correction: the right side was not injected.")
    assert ed.addenda_view.isVisible()
    assert "Correction: the right side was not injected." in ed.addenda_view.text()
    assert f"Addendum 1 — {SIGNER}" in ed.addenda_view.text()


def test_opening_a_signed_procedure_shows_it_locked(qtbot, window, ctx, patient, answers):
    ed = start_procedure(qtbot, window, patient.id, datetime(2026, 9, 1, 10, 0), physician="Dr. Signer")
    ed.signing_controls.sign()
    ed.signing_controls.add_addendum()
    procedure_id = ed.procedure.id
    # A new blank procedure is editable again ...
    window.patients.open_patient(patient.id)
    click(qtbot, find(window, "New procedure"))
    assert not window.editor.locked and any(_inputs_enabled(window.editor))

    other = MainWindow(ctx)
    qtbot.addWidget(other)
    other.show()
    other.procedures.open_procedure(procedure_id)

    assert other.editor.locked and not any(_inputs_enabled(other.editor))
    assert other.editor.signature_banner.text().startswith(f"Signed by {SIGNER} on")
    assert other.editor.addenda_view.isVisible()


def test_the_acknowledge_dialog_needs_a_reason_for_each_open_finding(qtbot):
    from facetdesk.domain.finding import Finding
    from facetdesk.ui.signing.acknowledge_dialog import AcknowledgeDialog

    findings = [
        Finding(rule="risk.allergy", severity="critical", status="not_met", message="Omnipaque allergy", source="S"),
        Finding(rule="dose.x", severity="warning", status="not_met", message="Dose above <limit>", source="S"),
    ]
    dialog = AcknowledgeDialog(findings)
    qtbot.addWidget(dialog)
    ok = dialog.buttons.buttons()[0]
    assert not ok.isEnabled()
    type_into(qtbot, find(dialog, "Reason for risk.allergy"), "Premedicated; contrast needed for safe placement")
    assert not ok.isEnabled()  # the warning still has no reason
    type_into(qtbot, find(dialog, "Reason for dose.x"), "Weight-based limit checked")
    assert ok.isEnabled()
    assert dialog.answers() == {
        "risk.allergy": "Premedicated; contrast needed for safe placement",
        "dose.x": "Weight-based limit checked",
    }


def test_cancelling_the_acknowledgements_signs_nothing(qtbot, window, ctx, patient, answers, monkeypatch):
    ed = start_procedure(qtbot, window, patient.id, datetime(2026, 9, 1, 10, 0), physician="Dr. Signer")
    asked: list = []
    monkeypatch.setattr(EditorQuestions, "ask_acknowledgements", lambda self, findings: asked.append(findings))
    assert ed.signing_controls.sign() is None
    assert asked and all(f.needs_acknowledgement for f in asked[0])
    assert not ctx.records.get_procedure(ed.procedure.id)[1].is_signed


def test_a_signed_procedure_changed_behind_facetdesk_says_so_in_its_banner(qtbot, window, ctx, patient, answers):
    import sqlalchemy as sa

    ed = start_procedure(qtbot, window, patient.id, datetime(2026, 9, 1, 10, 0), physician="Dr. Signer")
    ed.signing_controls.sign()
    procedure_id = ed.procedure.id
    with ctx.database.transaction() as session:  # as someone with the database file and sqlite3 would
        session.execute(
            sa.text("update procedures set notes = 'Edited behind the app.' where id = :id"), {"id": procedure_id}
        )

    other = MainWindow(ctx)
    qtbot.addWidget(other)
    other.show()
    other.procedures.open_procedure(procedure_id)

    banner = other.editor.signature_banner.text()
    assert banner.startswith(f"Signed by {SIGNER} on") and "changed outside FacetDesk after it was signed" in banner
