"""Follow-up visits from the patient page: the dialog lists the visits so far, saves a new one in the signed-in
name, and refuses a bad entry beside its field without saving anything."""

from __future__ import annotations

from datetime import date

import pytest

from facetdesk.domain.errors import FieldError
from facetdesk.domain.follow_up import GlobalImpression
from tests.builders.records import scored_block_data
from tests.ui.helpers import choose, click, find, set_spin, type_into


@pytest.fixture
def procedure(ctx, patient):
    return ctx.records.save_procedure(patient.id, scored_block_data())


def _dialog(qtbot, window, patient, procedure):
    window.patients.open_patient(patient.id)
    window.patient_page.procedures.selectRow(0)
    click(qtbot, find(window.patient_page, "Record a follow-up"))
    dialog = window.patients.follow_up_dialog
    qtbot.waitExposed(dialog)
    return dialog


def test_a_follow_up_is_recorded_and_listed_the_next_time(qtbot, window, ctx, patient, procedure):
    dialog = _dialog(qtbot, window, patient, procedure)
    assert "No follow-up recorded yet" in dialog.history.text()
    assert find(dialog, "Pain now (NRS)").value_or_none() is None  # nothing starts as if measured
    type_into(qtbot, find(dialog, "Date of the visit"), "2024-06-05")
    set_spin(qtbot, find(dialog, "Pain now (NRS)"), 2)
    choose(find(dialog, "Patient's impression of change"), GlobalImpression.MUCH_IMPROVED)
    visit = dialog.submit()
    assert visit is not None and not dialog.isVisible()
    stored = ctx.follow_ups.of_patient(patient.id)
    assert [(v.seen_on, v.pain_nrs, v.global_impression, v.procedure_uid) for v in stored] == [
        (date(2024, 6, 5), 2, GlobalImpression.MUCH_IMPROVED, procedure.uid)
    ]
    again = _dialog(qtbot, window, patient, procedure)
    # 7 before the block, 2 now: 71.4% better, as the one definition computes it.
    assert "2024-06-05: pain 2/10 (71.4% better); much improved" in again.history.text()


def test_a_bad_date_is_refused_beside_its_field_and_nothing_is_saved(qtbot, window, ctx, patient, procedure):
    dialog = _dialog(qtbot, window, patient, procedure)
    type_into(qtbot, find(dialog, "Date of the visit"), "2023-01-01")  # before the procedure
    set_spin(qtbot, find(dialog, "Pain now (NRS)"), 4)
    assert dialog.submit() is None and dialog.isVisible()
    beside_date, _ = dialog.errors.label_for(FieldError(("seen_on",), ""))
    assert beside_date is not dialog.errors_label and "before the procedure" in beside_date.text()
    assert ctx.follow_ups.of_patient(patient.id) == []
