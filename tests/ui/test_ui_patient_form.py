"""Risk factors and medication choices: what matters for a block's safety shows whole, or whole on hover."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from pydantic import ValidationError
from PySide6.QtCore import QDate, QDateTime, Qt, QTime

from facetdesk.domain.base import STORED
from facetdesk.domain.catalog import get_catalog
from facetdesk.domain.enums import Sex
from facetdesk.domain.errors import FieldError
from facetdesk.domain.patient import Patient
from facetdesk.ui.patients.patient_form import PatientForm
from tests.builders.every_field import differences, full_patient
from tests.ui.helpers import find


def test_an_anticoagulants_last_dose_shows_its_date_and_time_and_the_name_is_on_hover(qtbot):
    catalog = get_catalog()
    form = PatientForm(catalog)
    qtbot.addWidget(form)
    form.resize(975, 320)  # as beside the patient list in the main window at its usual size (1360 x 860)
    longest = max(catalog.anticoagulants, key=lambda a: len(a.name))
    form.add_anticoagulant(longest.key, datetime(2026, 10, 4, 21, 30))  # loaded before it is shown, as a patient is
    form.show()
    qtbot.waitExposed(form)
    when = find(form, "Anticoagulant 1 last dose")
    # The whole "2026-10-04 21:30" fits: the column is as wide as the editor wants to be.
    assert when.width() >= when.sizeHint().width()
    form.add_anticoagulant(longest.key, datetime(2026, 10, 5, 7, 0))  # and one added on screen
    later = find(form, "Anticoagulant 2 last dose")
    qtbot.waitUntil(later.isVisible)
    assert later.width() >= later.sizeHint().width()
    agent = find(form, "Anticoagulant 1 agent")
    assert agent.toolTip().startswith(longest.name)  # the whole name (and its class) on hover
    other = next(a for a in catalog.anticoagulants if a.key != longest.key)
    agent.set_value(other.key)
    assert agent.toolTip().startswith(other.name)


def test_a_choice_cut_off_by_its_column_is_whole_on_hover_beside_the_fields_own_tip(qtbot):
    from facetdesk.ui.editor.medications_panel import MedicationsPanel

    catalog = get_catalog()
    panel = MedicationsPanel(catalog)
    qtbot.addWidget(panel)
    panel.rows.add_row()
    find(panel, "Medication 1 agent").set_value(catalog.agents[0].key)
    site = find(panel, "Medication 1 given")
    strength = find(panel, "Medication 1 strength")
    # The strength names itself, "(unconfirmed)" included, even where the column cuts it off.
    assert strength.toolTip() == strength.currentText() != ""
    # A field with its own tip keeps it, after the choice.
    assert site.toolTip().splitlines() == [site.currentText(), "At the targets, or skin and needle track"]


def test_an_unconfirmed_strength_is_marked_at_the_start_of_its_label():
    from facetdesk.ui.editor.medications_panel import MedicationsPanel

    catalog = get_catalog()
    agent, strength = next((a, s) for a in catalog.agents for s in a.strengths if s.confidence == "U")
    panel = MedicationsPanel(catalog)
    panel.rows.add_row()
    find(panel, "Medication 1 agent").set_value(agent.key)
    box = find(panel, "Medication 1 strength")
    labels = [box.itemText(i) for i in range(box.count())]
    assert f"⚠ {strength.label} (unconfirmed)" in labels
    confirmed = [s.label for s in agent.strengths if s.confidence != "U"]
    assert all(label in labels for label in confirmed)  # no mark where the reference confirms the strength


@pytest.mark.parametrize("variant", [0, 1])
def test_the_patient_form_shows_and_reads_back_every_field(qtbot, variant):
    """Every field of a full patient record (tests/builders/every_field.py) survives the form: a new field must show."""
    form = PatientForm(get_catalog())
    qtbot.addWidget(form)
    patient = full_patient(variant, id=7)
    form.load(patient)
    read = Patient.model_validate(form.data(), context=STORED)
    assert differences(patient.model_dump(), read.model_dump()) == []


def test_a_new_patient_has_no_inr_and_no_renal_answer_until_one_is_entered(qtbot):
    form = PatientForm(get_catalog())
    qtbot.addWidget(form)
    form.clear()
    data = form.data()
    assert (data["inr"], data["inr_taken_at"], data["inr_normal"], data["renal_impairment"]) == (None,) * 4
    assert find(form, "INR taken").text() == "" and find(form, "INR taken").placeholderText() == "YYYY-MM-DD HH:MM"
    form.inr.setValue(1.1)
    form.inr_taken.setDateTime(QDateTime(QDate(2026, 12, 1), QTime(8, 15)))
    form.inr_normal.set_value(True)
    read = form.data()
    assert (read["inr"], read["inr_taken_at"], read["inr_normal"]) == (1.1, datetime(2026, 12, 1, 8, 15), True)


def test_blood_thinners_start_not_asked_and_adding_an_agent_answers_yes(qtbot):
    """An empty list is not "takes none": the question starts unanswered, No is chosen, an added agent is Yes."""
    form = PatientForm(get_catalog())
    qtbot.addWidget(form)
    form.clear()
    asked = find(form, "Takes anticoagulant, antiplatelet or NSAID")
    assert form.data()["takes_anticoagulants"] is None and asked.currentText() == "not recorded"
    assert "NKDA" in form.allergies.placeholderText() and form.data()["allergies"] == []
    qtbot.mouseClick(find(form, "Add anticoagulant"), Qt.MouseButton.LeftButton)
    assert form.data()["takes_anticoagulants"] is True and asked.currentText() == "Yes"


def _new_patient_form(qtbot, mrn: str, given: str) -> PatientForm:
    """An empty patient form with only an MRN and a name typed."""
    form = PatientForm(get_catalog())
    qtbot.addWidget(form)
    form.load(None)
    form.mrn.setText(mrn)
    form.family_name.setText("Synthetic")
    form.given_name.setText(given)
    return form


def test_no_blood_thinner_beside_a_listed_agent_is_refused_beside_the_question(qtbot, ctx):
    form = _new_patient_form(qtbot, "AC-NO-1", "Ada")
    form.date_of_birth.set_value(date(1960, 5, 1))
    form.sex.set_value(Sex.FEMALE)
    form.add_anticoagulant("apixaban", datetime(2026, 1, 1, 8, 0))
    form.takes_anticoagulants.set_value(False)
    assert form.errors.saved(lambda: ctx.records.save_patient(form.data())) is None
    label, _ = form.errors.label_for(FieldError(("takes_anticoagulants",), ""))
    assert "is No, but agents are listed under Anticoagulants" in label.text()
    form.takes_anticoagulants.set_value(True)
    saved = form.errors.saved(lambda: ctx.records.save_patient(form.data()))
    assert saved is not None and saved.takes_anticoagulants is True


def test_an_inr_without_its_time_is_refused_beside_the_time(qtbot, ctx):
    form = _new_patient_form(qtbot, "INR-1", "Ina")
    form.inr.setValue(2.4)
    form.inr_normal.set_value(False)
    saved = form.errors.saved(lambda: ctx.records.save_patient(form.data()))
    assert saved is None
    label, _ = form.errors.label_for(FieldError(("inr_taken_at",), ""))
    assert "when the blood for the INR was taken" in label.text()


def test_a_new_patient_starts_with_nothing_that_looks_recorded_and_saving_says_what_is_required(qtbot, ctx):
    """No sex, date of birth, agent or dose time until entered (issue 16: 'Female', 1970-01-01, aspirin 'now')."""
    form = PatientForm(get_catalog())
    qtbot.addWidget(form)
    form.clear()
    form.add_anticoagulant()
    data = form.data()
    assert data["sex"] is None and data["date_of_birth"] is None
    assert data["anticoagulants"] == [{"agent": None, "last_dose_at": None}]
    assert find(form, "Sex").currentText() == "— choose —"
    form.mrn.setText("NEW-1")
    form.family_name.setText("Synthetic")
    form.given_name.setText("Noor")
    assert form.errors.saved(lambda: ctx.records.save_patient(form.data())) is None
    said = {path: form.errors.label_for(FieldError(path, ""))[0].text() for path in (("sex",), ("date_of_birth",))}
    assert "is required: choose Female, Male, Other or Unknown" in said[("sex",)]
    assert "is required: enter it as YYYY-MM-DD" in said[("date_of_birth",)]
    assert "choose the anticoagulant" in form.errors.label_for(FieldError(("anticoagulants", 0, "agent"), ""))[0].text()


@pytest.mark.parametrize(
    ("typed", "said"),
    [("1975-13-40", "must be a date (YYYY-MM-DD)"), ("next year", "must be a date (YYYY-MM-DD)")],
)
def test_a_date_typed_wrong_is_refused_beside_the_field_not_corrected(qtbot, ctx, typed, said):
    form = PatientForm(get_catalog())
    qtbot.addWidget(form)
    form.clear()
    form.mrn.setText("NEW-2")
    form.family_name.setText("Synthetic")
    form.given_name.setText("Ola")
    form.date_of_birth.setText(typed)
    assert form.data()["date_of_birth"] == typed  # handed on as typed, never turned into another date
    assert form.errors.saved(lambda: ctx.records.save_patient(form.data())) is None
    assert said in form.errors.label_for(FieldError(("date_of_birth",), ""))[0].text()


def test_a_last_dose_typed_without_its_time_is_refused_not_read_as_midnight(qtbot):
    form = PatientForm(get_catalog())
    qtbot.addWidget(form)
    form.add_anticoagulant("warfarin")
    find(form, "Anticoagulant 1 last dose").setText("2026-12-01")
    with pytest.raises(ValidationError, match="date and time|datetime"):
        Patient.model_validate({**form.data(), "mrn": "X1", "family_name": "A", "given_name": "B",
                                "date_of_birth": date(1970, 1, 2), "sex": "female"})  # fmt: skip
    find(form, "Anticoagulant 1 last dose").setText("2026-12-01 07:30")
    assert form.data()["anticoagulants"][0]["last_dose_at"] == datetime(2026, 12, 1, 7, 30)


def test_anticoagulants_are_offered_usual_first_then_by_class_and_name(qtbot, window, ctx):
    for n, agent in enumerate(["apixaban", "apixaban", "clopidogrel"]):
        ctx.records.save_patient(
            {"mrn": f"AC-{n}", "family_name": "Synthetic", "given_name": f"P{n}", "date_of_birth": date(1960, 1, 1),
             "sex": "female", "anticoagulants": [{"agent": agent}]}
        )  # fmt: skip
    window.patients.new_patient()
    form = window.patient_page.form
    form.add_anticoagulant()
    combo = find(form, "Anticoagulant 1 agent")
    offered = [combo.itemText(i) for i in range(combo.count())]
    assert offered[:3] == ["— choose —", "apixaban", "clopidogrel"]  # the clinic's usual, most recorded first
    rest = offered[3:]
    classes = [text.rsplit("(", 1)[1].rstrip(")") for text in rest]
    assert classes == sorted(classes, key=["anticoagulant", "antiplatelet", "NSAID"].index)
    for group in ("anticoagulant", "antiplatelet", "NSAID"):
        names = [t.rsplit(" (", 1)[0].casefold() for t, c in zip(rest, classes, strict=True) if c == group]
        assert names == sorted(names)
