"""Every input has an accessible name, so screen readers (and tests) can find it."""

from __future__ import annotations

from tests.ui.helpers import open_window, unnamed_inputs


def test_every_input_in_the_main_window_and_editor_is_named(qtbot, ctx):
    patient = ctx.records.save_patient(
        {"mrn": "A-1", "family_name": "Testperson", "given_name": "Kim", "date_of_birth": "1970-01-01"}
    )
    w = open_window(qtbot, ctx)
    w.patients.open_patient(patient.id)
    w.patient_page.form.add_anticoagulant("warfarin")
    w.procedures.new_procedure()
    ed = w.editor
    ed.medications.rows.add_row()
    ed.botox.sites.add_row()
    ed.pain.rows.add_row()
    unnamed = unnamed_inputs(w)
    assert unnamed == [], "\n".join(unnamed)
