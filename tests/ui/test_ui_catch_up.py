"""Another workstation signs or changes what is open here: the screen catches up when the window is activated
and on a light periodic check, never replacing what the user typed and not saved."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from PySide6.QtWidgets import QWidget

from tests import signers
from tests.builders.records import scored_block_data
from tests.ui.helpers import find, show_tab, type_into

WHEN = datetime(2026, 9, 1, 10, 0)
STATUS = 8  # the timeline's Status column


@pytest.fixture
def procedures(ctx, patient):
    """Three saved drafts of the patient, newest first."""
    saved = [ctx.records.save_procedure(patient.id, scored_block_data(WHEN - timedelta(days=n))) for n in range(3)]
    return saved


def _come_back_to(qtbot, window) -> None:
    """The user works in another window, then comes back to FacetDesk (the window is activated again)."""
    elsewhere = QWidget()
    qtbot.addWidget(elsewhere)
    elsewhere.show()
    elsewhere.activateWindow()
    qtbot.waitUntil(lambda: not window.isActiveWindow())
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def _row_of(window, procedure_id: int) -> int:
    timeline = window.patient_page.timeline
    return next(row for row in range(timeline.rowCount()) if timeline.procedure_id(row) == procedure_id)


def _status_of(window, procedure_id: int) -> str:
    return window.patient_page.timeline.cells(_row_of(window, procedure_id))[STATUS]


def _counted(monkeypatch, records, *names: str) -> dict[str, int]:
    """How often the window calls each of ``names`` on the record service."""
    calls = dict.fromkeys(names, 0)
    for name in names:
        real = getattr(records, name)

        def counting(*args, _real=real, _name=name, **kwargs):
            calls[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(records, name, counting)
    return calls


def test_a_procedure_signed_elsewhere_shows_as_signed_when_the_window_is_activated(
    qtbot, window, other, patient, procedures
):
    window.patients.open_patient(patient.id)
    newest, middle, _ = procedures
    window.patient_page.procedures.selectRow(_row_of(window, middle.id))
    assert _status_of(window, newest.id) == "Draft"

    signers.sign(other, newest.id)
    _come_back_to(qtbot, window)

    qtbot.waitUntil(lambda: _status_of(window, newest.id).startswith("Signed"))
    page = window.patient_page
    assert page.timeline.procedure_id(page.procedures.currentRow()) == middle.id  # the selection stays put
    assert "another workstation" in window.statusBar().currentMessage()


def test_the_periodic_check_reads_one_statement_until_something_changes(
    qtbot, window, ctx, other, patient, procedures, monkeypatch
):
    window.patients.open_patient(patient.id)
    calls = _counted(monkeypatch, ctx.records, "versions_of", "list_procedures", "get_patient")
    window.catch_up.timer.setInterval(20)

    qtbot.waitUntil(lambda: calls["versions_of"] >= 3)
    assert calls["list_procedures"] == calls["get_patient"] == 0  # nothing changed: nothing read again

    _, theirs = other.records.get_procedure(procedures[0].id)
    other.records.save_procedure(patient.id, theirs.model_copy(update={"pre_procedure_pain": 9}))  # a nurse's score
    qtbot.waitUntil(lambda: calls["list_procedures"] == 1)
    timeline = window.patient_page.timeline
    assert timeline.row_at(_row_of(window, procedures[0].id)).pre_procedure_pain == 9
    ticks = calls["versions_of"]
    qtbot.waitUntil(lambda: calls["versions_of"] >= ticks + 3)
    assert (calls["list_procedures"], calls["get_patient"]) == (1, 0)  # once per change, not once per tick

    window.session.lock()  # patient data hidden: nothing is read for nobody to see
    ticks = calls["versions_of"]
    qtbot.wait(100)
    assert calls["versions_of"] == ticks


def test_patient_details_changed_elsewhere_replace_the_shown_ones_but_never_unsaved_typing(
    qtbot, window, other, patient
):
    window.patients.open_patient(patient.id)
    form = window.patient_page.form
    other.records.save_patient(other.records.get_patient(patient.id).model_copy(update={"allergies": ["latex"]}))
    assert window.catch_up.check()
    assert form.allergies.text() == "latex" and not form.has_unsaved_changes()

    type_into(qtbot, find(window.patient_page, "Allergies"), "latex; penicillin")  # typed, not saved
    other.records.save_patient(other.records.get_patient(patient.id).model_copy(update={"allergies": ["iodine"]}))
    assert not window.catch_up.check()

    assert form.allergies.text() == "latex; penicillin" and form.has_unsaved_changes()
    assert "Changed on another workstation" in form.general_error.text()


@pytest.fixture
def open_in_editor(qtbot, window, ctx, patient, procedures):
    """The newest procedure open in the editor, unchanged; its signer enrolled."""
    signers.enrol(ctx)
    window.procedures.open_procedure(procedures[0].id)
    ed = window.editor
    assert not ed.locked and not ed.has_unsaved_changes()
    return ed


def test_an_open_procedure_signed_elsewhere_is_shown_signed_and_locked(qtbot, window, other, open_in_editor):
    ed = open_in_editor
    show_tab(ed, "Pain & relief")
    tab = ed.form.currentIndex()

    signed = signers.sign(other, ed.procedure.id)
    _come_back_to(qtbot, window)

    qtbot.waitUntil(lambda: ed.locked)
    assert ed.procedure == signed and ed.signature_banner.isVisible() and "Signed by" in ed.signature_banner.text()
    assert not ed.sign_button.isEnabled() and ed.addendum_button.isVisible()
    assert ed.form.currentIndex() == tab  # where the user was looking
    assert "Signed on another workstation" in ed.status.text()

    signers.enrol(other)
    other.signing.add_addendum(signed.id, "Synthetic correction from the other room.", signers.PASSWORD)
    assert window.catch_up.check()
    assert "Synthetic correction from the other room." in ed.addenda_view.text()


def test_unsaved_typing_in_a_procedure_signed_elsewhere_stays_and_the_user_is_told_once(
    qtbot, window, ctx, other, open_in_editor, monkeypatch
):
    ed = open_in_editor
    show_tab(ed, "Outcome")
    ed.outcome.notes.setPlainText("Typed here, not saved.")
    assert ed.has_unsaved_changes()

    signers.sign(other, ed.procedure.id)
    calls = _counted(monkeypatch, ctx.records, "get_procedure")
    assert not window.catch_up.check()

    assert ed.outcome.notes.toPlainText() == "Typed here, not saved." and ed.has_unsaved_changes()
    assert "Signed on another workstation by" in ed.error_summary.text()
    assert not window.catch_up.check() and calls["get_procedure"] == 1  # said once, not read at every check
