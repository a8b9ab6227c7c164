"""Issue 14's smaller defects, each with the case that showed it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from facetdesk.domain.catalog import get_catalog
from facetdesk.note.instructions import standard_instructions
from facetdesk.note.procedure_sections import nerve_lines
from facetdesk.rules import coverage, doses  # noqa: F401  (registers the rules)
from facetdesk.rules.finding import Severity, Status
from tests.builders.records import BOTOX, WHEN, med, procedure, screened_patient
from tests.rules.rule_runs import one, value

LUMBAR_JOINT = [{"level": "L4-L5", "side": "left"}]


@pytest.mark.parametrize(("volume", "status"), [(1.49, Status.MET), (1.5, Status.NOT_MET), (1.6, Status.NOT_MET)])
def test_lumbar_joint_volume_must_stay_below_1_5_ml(volume, status):
    """The reference says <1.5 mL for a lumbar joint: exactly 1.5 mL passed before."""
    assert value("volume.intra_articular.max_ml")["lumbar"] == 1.5
    proc = procedure(technique="intra_articular", targets=LUMBAR_JOINT, medications=[med("lidocaine", 10, volume)])
    f = one("volume.intra_articular", procedure=proc)
    assert f.status == status
    assert "lumbar below 1.5 mL per joint" in f.message


def test_an_intermediate_risk_procedure_reads_right():
    patient = screened_patient(anticoagulants=[{"agent": "clopidogrel", "last_dose_at": WHEN - timedelta(days=2)}])
    proc = procedure(targets=[{"level": "C5-C6", "side": "left"}])
    f = one("risk.anticoagulant", patient=patient, procedure=proc)
    assert "an intermediate-risk" in f.message and "a intermediate" not in f.message


def test_no_image_guidance_is_said_in_words():
    f = one("lcd.imaging", procedure=procedure(guidance="none"))
    assert f.status == Status.NOT_MET
    assert f.message.startswith("no image guidance recorded: the LCD requires")
    assert "None guidance" not in f.message


def test_infection_at_the_site_cites_the_toxin_label_only_when_toxin_is_given():
    infected = screened_patient(injection_site_infection=True)
    without = one("risk.infection_site", patient=infected, procedure=procedure())
    assert (without.status, without.severity) == (Status.NOT_MET, Severity.WARNING)
    assert "BOTOX" not in without.source and "botulinum toxin" not in without.message.split(";")[0]
    with_toxin = one("risk.infection_site", patient=infected, procedure=procedure(botulinum_toxin=BOTOX))
    assert (with_toxin.status, with_toxin.severity) == (Status.NOT_MET, Severity.CRITICAL)
    assert "BOTOX" in with_toxin.source


def test_new_weakness_numbness_or_bladder_and_bowel_trouble_is_an_emergency_not_a_call():
    lines = standard_instructions(procedure(), clinic_phone="+1 555 0100")
    call = next(line for line in lines if line.startswith("Call the clinic"))
    emergency = next(line for line in lines if "New weakness or numbness" in line)
    assert "weakness" not in call and "numbness" not in call
    assert "bladder or bowels" in emergency and "emergency services" in emergency


def test_unconfirmed_thoracic_innervation_is_printed_as_unconfirmed():
    thoracic = procedure(targets=[{"level": "T5-T6", "side": "left"}])
    lines = nerve_lines(thoracic, get_catalog())
    assert any(line.startswith("Unconfirmed innervation at T5-T6") for line in lines)
    lumbar = nerve_lines(procedure(), get_catalog())
    assert not any("Unconfirmed" in line for line in lumbar)


def test_discharge_instructions_give_the_restart_time_of_each_blood_thinner():
    """Issue 14 item 4: restart times from the reference in the discharge instructions."""
    from facetdesk.rules.context import RuleCase
    from facetdesk.rules.risks import discharge_instructions

    patient = screened_patient(
        anticoagulants=[
            {"agent": "warfarin", "last_dose_at": WHEN - timedelta(days=6)},
            {"agent": "apixaban", "last_dose_at": WHEN - timedelta(days=3)},
            {"agent": "enoxaparin_prophylactic", "last_dose_at": WHEN - timedelta(days=1)},
        ]
    )
    lumbar = discharge_instructions(RuleCase(patient, procedure(), (), get_catalog()))
    assert (
        "You may restart your warfarin 6 hours after the procedure, unless your doctor tells you otherwise." in lumbar
    )
    # Apixaban's restart time is unconfirmed in the reference: the patient is told to wait for the doctor.
    assert any(line.startswith("Restart your apixaban only when your doctor tells you") for line in lumbar)
    # Enoxaparin: 4 h after a low-risk (lumbar) procedure, 12-24 h after an intermediate-risk (cervical) one.
    assert any("enoxaparin" in line and " 4 hours" in line for line in lumbar)
    cervical = procedure(targets=[{"level": "C5-C6", "side": "left"}])
    assert any(
        "enoxaparin" in line and "12-24 hours" in line
        for line in discharge_instructions(RuleCase(patient, cervical, (), get_catalog()))
    )
    assert discharge_instructions(RuleCase(screened_patient(), procedure(), (), get_catalog())) == []


def test_a_missing_usual_pain_is_named_as_the_indication_tab_names_it_not_as_the_pain_tabs_baseline():
    """The Pain tab's pre-injection 'Baseline' row can be filled while the Indication tab's usual pain is not."""
    f = one("lcd.scales", procedure=procedure(indication={"disability_scale": "ODI", "disability_score": 30}))
    assert "usual pain at evaluation (NRS, Indication tab)" in f.message
    assert "baseline pain score" not in f.message
