"""Risk rules: anticoagulant holds, steroid in diabetes, injection-site infection, pregnancy, allergies."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from pydantic import ValidationError

from facetdesk.domain.catalog import get_catalog
from facetdesk.rules.context import RuleCase
from facetdesk.rules.finding import Severity, Status
from facetdesk.rules.risks import discharge_instructions
from tests.builders.records import (
    BOTOX,
    BUPIVACAINE,
    CONTRAST,
    LIDOCAINE,
    STEROID,
    WHEN,
    procedure,
    screened_patient,
)
from tests.rules.rule_runs import edited_resources, one, run, value

LUMBAR = [{"level": "L4-L5", "side": "left"}]
CERVICAL = [{"level": "C5-C6", "side": "left"}]


def on_drug(agent: str, hours_before: float | None):
    last = None if hours_before is None else WHEN - timedelta(hours=hours_before)
    return screened_patient(anticoagulants=[{"agent": agent, "last_dose_at": last}])


def hold(agent: str, risk: str) -> object:
    return value("risk.anticoagulant_hold_hours")[agent][risk]


# ---- risk.anticoagulant -----------------------------------------------------------


def test_no_blood_thinner_taken_is_met_only_when_asked():
    f = one("risk.anticoagulant", patient=screened_patient(anticoagulants=[], takes_anticoagulants=False))
    assert (f.status, f.severity) == (Status.MET, Severity.INFO)
    assert "takes no anticoagulant, antiplatelet or NSAID (asked)" in f.message
    assert f.field == ("patient", "takes_anticoagulants")


def test_an_empty_blood_thinner_list_not_asked_is_not_all_clear():
    """An empty list may be a patient nobody asked: the rule says so and asks, never "no anticoagulant"."""
    f = one("risk.anticoagulant", patient=screened_patient(anticoagulants=[], takes_anticoagulants=None))
    assert (f.status, f.severity) == (Status.NOT_EVALUATED, Severity.CAUTION)
    assert "is not recorded" in f.message and "ask before the procedure" in f.message
    assert f.field == ("patient", "takes_anticoagulants")


def test_taking_a_blood_thinner_without_the_agent_is_not_evaluated():
    f = one("risk.anticoagulant", patient=screened_patient(anticoagulants=[], takes_anticoagulants=True))
    assert (f.status, f.severity) == (Status.NOT_EVALUATED, Severity.CAUTION)
    assert "no agent is listed" in f.message


def test_an_agent_listed_answers_yes_and_no_beside_it_is_refused():
    listed = [{"agent": "apixaban", "last_dose_at": datetime(2026, 1, 1, 8, 0)}]
    assert screened_patient(anticoagulants=listed).takes_anticoagulants is True
    with pytest.raises(ValidationError) as err:
        screened_patient(anticoagulants=listed, takes_anticoagulants=False)
    assert err.value.errors()[0]["loc"] == ("takes_anticoagulants",)
    assert "agents are listed" in str(err.value)


def test_lumbar_procedure_is_low_risk_class():
    assert value("risk.bleeding_class")["lumbar"] == "low"
    assert value("risk.bleeding_class")["cervical"] == "intermediate"


@pytest.mark.parametrize(("delta", "status"), [(-0.5, Status.NOT_MET), (0, Status.MET), (0.5, Status.MET)])
def test_apixaban_hold_boundary_low_risk(delta, status):
    hours = hold("apixaban", "low")
    f = one("risk.anticoagulant", patient=on_drug("apixaban", hours + delta), procedure=procedure(targets=LUMBAR))
    assert f.status == status
    assert f.severity == (Severity.CRITICAL if status == Status.NOT_MET else Severity.INFO)
    last = WHEN - timedelta(hours=hours + delta)
    assert f"apixaban last taken {last:%Y-%m-%d %H:%M}, {hours + delta:g} h before the procedure" in f.message
    assert f"low-risk (thoracic/lumbar) facet procedure is {hours:g} h ({hours / 24:g} d)" in f.message
    # apixaban's row is tagged U: the finding says so
    assert "[unconfirmed hold time: check against ASRA 2018 (RAPM 43:225)]" in f.message
    assert f.unconfirmed


def test_critical_example_message():
    f = one("risk.anticoagulant", patient=on_drug("apixaban", 30), procedure=procedure(targets=LUMBAR))
    assert f.needs_acknowledgement
    assert f.message.startswith(
        f"apixaban last taken {WHEN - timedelta(hours=30):%Y-%m-%d %H:%M}, 30 h before the procedure; "
        "ASRA 2018 hold for a low-risk (thoracic/lumbar) "
        f"facet procedure is {hold('apixaban', 'low'):g} h"
    )


@pytest.mark.parametrize(("delta", "status"), [(-1, Status.NOT_MET), (0, Status.MET), (1, Status.MET)])
def test_cervical_uses_intermediate_hold(delta, status):
    hours = hold("apixaban", "intermediate")
    f = one("risk.anticoagulant", patient=on_drug("apixaban", hours + delta), procedure=procedure(targets=CERVICAL))
    assert f.status == status
    assert "intermediate-risk (cervical)" in f.message


def test_highest_class_of_several_regions():
    targets = [{"level": "C7-T1", "side": "left"}, {"level": "T1-T2", "side": "left"}]
    hours = hold("apixaban", "intermediate")
    f = one("risk.anticoagulant", patient=on_drug("apixaban", hours - 1), procedure=procedure(targets=targets))
    assert f.status == Status.NOT_MET
    assert f"intermediate-risk (cervical) facet procedure is {hours:g} h" in f.message


def test_confirmed_entry_has_no_unconfirmed_marker():
    hours = hold("enoxaparin_therapeutic", "low")
    f = one("risk.anticoagulant", patient=on_drug("enoxaparin_therapeutic", hours - 1))
    assert (f.status, f.severity) == (Status.NOT_MET, Severity.CRITICAL)
    assert "unconfirmed" not in f.message
    assert not f.unconfirmed


def test_null_hold_is_met():
    f = one("risk.anticoagulant", patient=on_drug("clopidogrel", 1), procedure=procedure(targets=LUMBAR))
    assert hold("clopidogrel", "low") is None
    assert (f.status, f.severity) == (Status.MET, Severity.INFO)
    assert "no hold" in f.message


def test_shared_assessment_is_caution_with_note():
    assert hold("warfarin", "low") == "shared"
    f = one("risk.anticoagulant", patient=on_drug("warfarin", 1), procedure=procedure(targets=LUMBAR))
    assert (f.status, f.severity) == (Status.NOT_MET, Severity.CAUTION)
    assert "shared assessment and risk stratification recommended" in f.message
    assert "normal INR" in f.message


def test_warfarin_cervical_note_on_hours():
    hours = hold("warfarin", "intermediate")
    f = one("risk.anticoagulant", patient=on_drug("warfarin", hours - 1), procedure=procedure(targets=CERVICAL))
    assert (f.status, f.severity) == (Status.NOT_MET, Severity.CRITICAL)
    assert "normal INR" in f.message


def test_last_dose_not_recorded_is_not_evaluated():
    f = one("risk.anticoagulant", patient=on_drug("apixaban", None))
    assert (f.status, f.severity) == (Status.NOT_EVALUATED, Severity.CAUTION)
    assert "last dose of apixaban not recorded" in f.message


def test_last_dose_after_procedure_is_not_evaluated():
    f = one("risk.anticoagulant", patient=on_drug("apixaban", -2))
    assert f.status == Status.NOT_EVALUATED
    assert "after the procedure time" in f.message


def test_one_finding_per_agent():
    patient = screened_patient(
        anticoagulants=[
            {"agent": "apixaban", "last_dose_at": WHEN - timedelta(hours=1)},
            {"agent": "ibuprofen", "last_dose_at": WHEN - timedelta(hours=1)},
        ]
    )
    findings = run("risk.anticoagulant", patient=patient)
    assert [f.status for f in findings] == [Status.NOT_MET, Status.MET]


def test_agent_missing_from_table_is_not_evaluated(tmp_path, monkeypatch):
    monkeypatch.setenv(
        "FACETDESK_RESOURCES",
        str(edited_resources(tmp_path, lambda t: t["risk.anticoagulant_hold_hours"]["value"].pop("apixaban"))),
    )
    f = one("risk.anticoagulant", patient=on_drug("apixaban", 1))
    assert f.status == Status.NOT_EVALUATED
    assert "no ASRA 2018 hold time for apixaban" in f.message


def test_edited_hold_time_changes_finding(tmp_path, monkeypatch):
    hours = hold("apixaban", "low")
    assert one("risk.anticoagulant", patient=on_drug("apixaban", hours - 1)).status == Status.NOT_MET

    def shorten(t):
        t["risk.anticoagulant_hold_hours"]["value"]["apixaban"]["low"] = hours - 2

    monkeypatch.setenv("FACETDESK_RESOURCES", str(edited_resources(tmp_path, shorten)))
    f = one("risk.anticoagulant", patient=on_drug("apixaban", hours - 1))
    assert f.status == Status.MET
    assert f"is {hours - 2:g} h" in f.message


def test_unknown_bleeding_class_is_not_evaluated(tmp_path, monkeypatch):
    monkeypatch.setenv(
        "FACETDESK_RESOURCES",
        str(edited_resources(tmp_path, lambda t: t["risk.bleeding_class"]["value"].pop("lumbar"))),
    )
    f = one("risk.anticoagulant", patient=on_drug("apixaban", 1), procedure=procedure(targets=LUMBAR))
    assert f.status == Status.NOT_EVALUATED
    assert "lumbar" in f.message


# ---- risk.diabetes_steroid --------------------------------------------------------


def test_diabetic_with_steroid_is_caution():
    days = value("risk.diabetes_glucose_monitor_days")
    f = one(
        "risk.diabetes_steroid",
        patient=screened_patient(diabetes=True),
        procedure=procedure(intent="therapeutic", medications=[BUPIVACAINE, STEROID]),
    )
    assert (f.status, f.severity) == (Status.NOT_MET, Severity.CAUTION)
    assert f"monitor blood glucose for several days (up to {days:g} days)" in f.message
    assert f.field == ("patient", "diabetes")


def test_diabetes_unknown_with_steroid_is_not_evaluated():
    f = one(
        "risk.diabetes_steroid",
        patient=screened_patient(diabetes=None),
        procedure=procedure(medications=[STEROID]),
    )
    assert (f.status, f.severity) == (Status.NOT_EVALUATED, Severity.CAUTION)
    assert "diabetes is not recorded" in f.message


@pytest.mark.parametrize(
    ("diabetes", "meds", "status"),
    [
        (False, [STEROID], Status.MET),
        (True, [LIDOCAINE], Status.NOT_APPLICABLE),  # no corticosteroid: the rule does not apply
        (None, [LIDOCAINE], Status.NOT_APPLICABLE),
    ],
)
def test_no_diabetes_or_no_steroid_is_met(diabetes, meds, status):
    f = one("risk.diabetes_steroid", patient=screened_patient(diabetes=diabetes), procedure=procedure(medications=meds))
    assert (f.status, f.severity) == (status, Severity.INFO)


def test_discharge_instructions(tmp_path, monkeypatch):
    proc = procedure(medications=[STEROID])
    case = RuleCase(screened_patient(diabetes=True), proc, (), get_catalog())
    [text] = discharge_instructions(case)
    assert f"next {value('risk.diabetes_glucose_monitor_days'):g} days" in text
    assert discharge_instructions(RuleCase(screened_patient(diabetes=False), proc, (), get_catalog())) == []
    plain = procedure(medications=[LIDOCAINE])
    assert discharge_instructions(RuleCase(screened_patient(diabetes=True), plain, (), get_catalog())) == []

    def longer(t):
        t["risk.diabetes_glucose_monitor_days"]["value"] = 7

    monkeypatch.setenv("FACETDESK_RESOURCES", str(edited_resources(tmp_path, longer)))
    case = RuleCase(screened_patient(diabetes=True), procedure(medications=[STEROID]), (), get_catalog())
    assert "next 7 days" in discharge_instructions(case)[0]
    f = one("risk.diabetes_steroid", patient=screened_patient(diabetes=True), procedure=case.procedure)
    assert "up to 7 days" in f.message


# ---- risk.infection_site ----------------------------------------------------------


def test_infection_without_toxin_is_a_warning_with_no_toxin_label_cited():
    f = one("risk.infection_site", patient=screened_patient(injection_site_infection=True))
    assert (f.status, f.severity) == (Status.NOT_MET, Severity.WARNING)
    assert "any injection" in f.message
    assert "clinic to review" in f.source


def test_infection_with_botox_names_the_toxin():
    f = one(
        "risk.infection_site",
        patient=screened_patient(injection_site_infection=True),
        procedure=procedure(botulinum_toxin=BOTOX),
    )
    assert "botulinum toxin is planned" in f.message


@pytest.mark.parametrize("toxin", [None, BOTOX])
def test_an_infection_finding_does_not_repeat_its_title(toxin):
    """Printed as "title: message": "Infection at the injection site: infection at the injection site" read twice."""
    f = one(
        "risk.infection_site",
        patient=screened_patient(injection_site_infection=True),
        procedure=procedure(botulinum_toxin=toxin),
    )
    assert f.title.lower() not in f.message.lower()


@pytest.mark.parametrize(("infection", "status"), [(None, Status.NOT_EVALUATED), (False, Status.MET)])
def test_infection_unknown_or_absent(infection, status):
    f = one("risk.infection_site", patient=screened_patient(injection_site_infection=infection))
    assert f.status == status
    assert f.source


# ---- risk.pregnancy ---------------------------------------------------------------


def test_pregnant_with_fluoroscopy_is_warning():
    f = one("risk.pregnancy", patient=screened_patient(pregnant=True))
    assert (f.status, f.severity) == (Status.NOT_MET, Severity.WARNING)
    assert "ionising image guidance in pregnancy" in f.message
    assert "botulinum" not in f.message


def test_pregnant_with_botox_adds_toxin_message():
    f = one("risk.pregnancy", patient=screened_patient(pregnant=True), procedure=procedure(botulinum_toxin=BOTOX))
    assert f.severity == Severity.WARNING
    assert "botulinum toxin in pregnancy: limited data, avoid unless clearly needed [unconfirmed]" in f.message
    assert f.unconfirmed


def test_pregnant_botox_under_ultrasound_is_caution():
    proc = procedure(guidance="ultrasound", botulinum_toxin=BOTOX)
    f = one("risk.pregnancy", patient=screened_patient(pregnant=True), procedure=proc)
    assert (f.status, f.severity) == (Status.NOT_MET, Severity.CAUTION)
    assert "ionising" not in f.message


@pytest.mark.parametrize("sex", ["female", "unknown", "other"])
def test_pregnancy_unknown_is_not_evaluated(sex):
    f = one("risk.pregnancy", patient=screened_patient(sex=sex, pregnant=None))
    assert (f.status, f.severity) == (Status.NOT_EVALUATED, Severity.CAUTION)
    assert "pregnancy status is not recorded" in f.message


@pytest.mark.parametrize(("sex", "pregnant"), [("male", None), ("female", False)])
def test_male_or_not_pregnant_is_met(sex, pregnant):
    f = one("risk.pregnancy", patient=screened_patient(sex=sex, pregnant=pregnant))
    assert (f.status, f.severity) == (Status.MET, Severity.INFO)


def test_pregnancy_not_applicable_without_ionising_guidance_or_toxin():
    f = one("risk.pregnancy", patient=screened_patient(pregnant=True), procedure=procedure(guidance="ultrasound"))
    assert (f.status, f.severity) == (Status.NOT_APPLICABLE, Severity.INFO)
    assert "not applicable" in f.message


def test_edited_ionising_list_changes_finding(tmp_path, monkeypatch):
    def add_ultrasound(t):
        t["risk.ionising_guidance"]["value"] = ["fluoroscopy", "ct", "ultrasound"]

    monkeypatch.setenv("FACETDESK_RESOURCES", str(edited_resources(tmp_path, add_ultrasound)))
    f = one("risk.pregnancy", patient=screened_patient(pregnant=True), procedure=procedure(guidance="ultrasound"))
    assert (f.status, f.severity) == (Status.NOT_MET, Severity.WARNING)


# ---- risk.allergy -----------------------------------------------------------------


def test_no_known_allergies_recorded_is_met():
    f = one("risk.allergy", patient=screened_patient(allergies=["NKDA"]))
    assert (f.status, f.severity) == (Status.MET, Severity.INFO)
    assert "no known allergies (NKDA)" in f.message


def test_no_allergy_entry_is_not_all_clear():
    """Nothing typed is not "no allergies": the patient may not have been asked."""
    f = one("risk.allergy", patient=screened_patient(allergies=[]))
    assert (f.status, f.severity) == (Status.NOT_EVALUATED, Severity.CAUTION)
    assert "no allergies recorded" in f.message and "NKDA if none" in f.message


@pytest.mark.parametrize(
    ("allergy", "meds", "agent"),
    [
        ("Lidocaine", [LIDOCAINE], "lidocaine"),
        ("local anaesthetics", [BUPIVACAINE], "bupivacaine"),
        ("Local Anesthetic", [LIDOCAINE], "lidocaine"),
        ("steroids", [STEROID], "dexamethasone"),
        ("corticosteroid", [STEROID], "dexamethasone"),
        ("dexamethasone", [STEROID], "dexamethasone"),
        ("IV contrast", [CONTRAST], "iohexol"),
        ("iodine", [CONTRAST], "iohexol"),
        ("iodinated contrast media", [CONTRAST], "iohexol"),
    ],
)
def test_allergy_matches_agent(allergy, meds, agent):
    contrast = any(m["agent"] == "iohexol" for m in meds)
    proc = procedure(medications=meds, contrast=contrast)
    f = one("risk.allergy", patient=screened_patient(allergies=[allergy]), procedure=proc)
    assert (f.status, f.severity) == (Status.NOT_MET, Severity.CRITICAL)
    assert allergy in f.message and agent in f.message
    assert f.field == ("patient", "allergies")


@pytest.mark.parametrize("allergy", ["Botox", "botulinum toxin", "onabotulinumtoxinA"])
def test_allergy_matches_botulinum_toxin(allergy):
    proc = procedure(botulinum_toxin=BOTOX)
    f = one("risk.allergy", patient=screened_patient(allergies=[allergy]), procedure=proc)
    assert (f.status, f.severity) == (Status.NOT_MET, Severity.CRITICAL)
    assert "Botox" in f.message


@pytest.mark.parametrize("allergy", ["contrast dye", "Iodine"])
def test_contrast_without_agent_matches(allergy):
    proc = procedure(contrast=True, medications=[LIDOCAINE])
    f = one("risk.allergy", patient=screened_patient(allergies=[allergy]), procedure=proc)
    assert f.status == Status.NOT_MET
    assert "contrast" in f.message


def test_contrast_allergy_without_contrast_is_met():
    f = one("risk.allergy", patient=screened_patient(allergies=["contrast dye"]), procedure=procedure(contrast=False))
    assert f.status == Status.MET


def test_unknown_allergy_is_for_a_person_to_check_and_one_finding_per_matching_allergy():
    # An allergy FacetDesk cannot match is not "no allergy matches" (tests/rules/test_rules_allergy_names.py).
    f = one("risk.allergy", patient=screened_patient(allergies=["penicillin", "latex"]))
    assert (f.status, f.severity) == (Status.NOT_EVALUATED, Severity.CAUTION)
    assert "penicillin" in f.message and "not matched — check by hand" in f.message
    patient = screened_patient(allergies=["penicillin", "lidocaine", "steroid"])
    findings = run("risk.allergy", patient=patient, procedure=procedure(medications=[LIDOCAINE, STEROID]))
    assert [f.status for f in findings] == [Status.NOT_MET, Status.NOT_MET, Status.NOT_EVALUATED]


def test_short_allergy_text_does_not_match_inside_names():
    f = one("risk.allergy", patient=screened_patient(allergies=["no"]), procedure=procedure(medications=[LIDOCAINE]))
    # "no" names nothing known (not lidocaine): shown unmatched, for a person to check.
    assert f.status == Status.NOT_EVALUATED and f.message.startswith("not matched — check by hand: 'no'")
