"""A procedure signed on another workstation while open here: the editor offers the signed version, never keeps
showing it as an editable draft beside a message that says otherwise."""

from __future__ import annotations

from datetime import datetime

import pytest

from facetdesk.ui.editor.questions import EditorQuestions
from facetdesk.ui.shell.questions import WindowQuestions
from tests import signers
from tests.ui.helpers import click, find, start_procedure


@pytest.fixture
def saved_then_signed_elsewhere(qtbot, window, ctx, other, patient, monkeypatch):
    """Saved here, then signed on the other workstation; the reload question answered yes."""
    signers.enrol(ctx)
    monkeypatch.setattr(EditorQuestions, "ask_sign", lambda self, procedure: signers.PASSWORD)
    monkeypatch.setattr(
        EditorQuestions, "ask_acknowledgements", lambda self, findings: {f.rule: signers.REASON for f in findings}
    )
    asked: list[str] = []
    monkeypatch.setattr(WindowQuestions, "ask_reload", lambda self, what: asked.append(what) or True)
    ed = start_procedure(qtbot, window, patient.id, datetime(2026, 9, 1, 10, 0))
    saved = ed.save()
    assert saved is not None and saved.id is not None
    acks = {f.rule: signers.REASON for f in other.signing.open_findings(saved.id)}
    signed = other.signing.sign_procedure(saved.id, saved.version, signers.PASSWORD, acks)
    return ed, signed, asked


def _shows_signed(ed, signed) -> None:
    assert ed.locked and ed.procedure == signed
    assert ed.signature_banner.isVisible() and "Signed by" in ed.signature_banner.text()
    assert not ed.sign_button.isEnabled() and ed.addendum_button.isVisible()


def test_signing_a_procedure_signed_elsewhere_offers_the_signed_version(qtbot, saved_then_signed_elsewhere):
    ed, signed, asked = saved_then_signed_elsewhere
    click(qtbot, find(ed, "Sign procedure"))
    assert asked == ["procedure"]
    _shows_signed(ed, signed)


def test_saving_over_a_procedure_signed_elsewhere_offers_the_signed_version(qtbot, saved_then_signed_elsewhere):
    ed, signed, asked = saved_then_signed_elsewhere
    ed.outcome.notes.setPlainText("Typed here after it was signed there.")
    assert ed.save() is None
    assert asked == ["procedure"]
    _shows_signed(ed, signed)
