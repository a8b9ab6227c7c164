"""The note's content as data: every value derived from the case, before any PDF is drawn."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from pypdf import PdfReader

from facetdesk.domain.catalog import get_catalog
from facetdesk.domain.procedure import Indication, Target
from facetdesk.domain.settings import ClinicSettings
from facetdesk.note.content import DRAFT_STATUS, NOT_RECORDED, build_note_content
from facetdesk.note.render import render_note
from tests.builders.cases import GENERATED_AT, make_case
from tests.pdf_pages import pages_text


def test_identifiers_and_service(case):
    c = build_note_content(case, clinic=ClinicSettings(clinic_name="Synthetic Spine Clinic"), generated_at=GENERATED_AT)
    assert c.patient.name == "Testperson, Alex"
    assert c.patient.mrn == "FD-000123"
    assert c.patient.date_of_birth == "1961-03-14"
    assert c.patient.age_at_procedure == "65 years"
    assert c.patient.weight == "72.5 kg"
    assert (c.service_date, c.service_time) == ("2026-10-01", "09:30")
    assert c.status == DRAFT_STATUS
    assert c.generated_label == "2026-10-01 12:05"


def test_targets_and_nerves_per_side(case):
    c = build_note_content(case, generated_at=GENERATED_AT)
    assert c.targets.rows == (
        ("L3-L4", "Left", "Lumbar", "L2 medial branch, L3 medial branch"),
        ("L4-L5", "Left, Right", "Lumbar", "L3 medial branch, L4 medial branch"),
    )
    # The nerves are in the levels table, once; the extra lines only name innervation not confirmed (none here).
    assert c.nerves == ()


def test_unconfirmed_thoracic_innervation_is_named_beside_the_levels(case):
    thoracic = case.model_copy(
        update={"procedure": case.procedure.model_copy(update={"targets": [Target(level="T5-T6", side="left")]})}
    )
    (line,) = build_note_content(thoracic, generated_at=GENERATED_AT).nerves
    assert line.startswith("Unconfirmed innervation at T5-T6 (check before relying on it)")


def test_medication_doses(case):
    rows = build_note_content(case, generated_at=GENERATED_AT).medications.rows
    assert rows[0] == ("bupivacaine", "0.5%", "0.5 mL per nerve (× 5 nerves)", "2.5 mL", "12.5 mg")
    assert rows[1] == ("lidocaine", "1%", "1.5 mL total", "1.5 mL", "15 mg")
    assert rows[2][1:] == ("40 mg/mL", "1 mL total", "1 mL", "40 mg")


def test_contrast_dose_is_mg_iodine():
    from facetdesk.domain.procedure import MedicationAdministration

    case = make_case(
        contrast=True,
        medications=[MedicationAdministration(agent="iohexol", concentration_mg_per_ml=300, volume_ml=1)],
    )
    row = build_note_content(case, generated_at=GENERATED_AT).medications.rows[0]
    assert row[1] == "300 mgI/mL"
    assert row[4] == "300 mg iodine"


def test_botox_dilution_and_sites(case):
    b = build_note_content(case, generated_at=GENERATED_AT).botox
    assert b is not None
    assert b.product == "onabotulinumtoxinA (Botox)"
    assert b.dilution == "100 U in 2 mL (50 U/mL)"
    assert b.sites.rows[0] == ("multifidus (lumbar)", "L4", "Left", "20 U", "0.4 mL")
    assert b.total_units == "60 U"


def test_pain_response_uses_catalog_thresholds(case):
    p = build_note_content(case, generated_at=GENERATED_AT).pain
    assert p.baseline == "8/10"
    assert p.scores.rows[0] == ("15 min", "1", "87.5%", "sit-to-stand")
    assert p.scores.rows[-1] == ("8 h", "6", "25%", "lifting")
    assert p.peak == "Peak relief: 87.5% at 15 min"
    catalog = get_catalog()
    positive = f"{catalog.threshold('relief.positive_block_pct').value:g}"
    meaningful = f"{catalog.threshold('relief.meaningful_pct').value:g}"
    assert p.durations == (
        f"Relief ≥{positive}%: from 15 min, lasted 3 h 45 min (below at 6 h)",
        f"Relief ≥{meaningful}%: from 15 min, lasted 5 h 45 min (below at 8 h)",
    )


def test_relief_not_reached_and_not_computed():
    from facetdesk.domain.procedure import PainScore

    weak = make_case(pain_scores=[PainScore(minutes_after=30, nrs=6)])
    assert build_note_content(weak, generated_at=GENERATED_AT).pain.durations[0].endswith(": not reached")
    none = make_case(pre_procedure_pain=None)
    p = build_note_content(none, generated_at=GENERATED_AT).pain
    assert p.baseline == NOT_RECORDED
    assert p.peak == "Relief not computed, no relief chart: no pre-injection pain score"
    assert p.chart is None and p.chart_note == ""


def test_risk_facts_and_outcome(case):
    c = build_note_content(case, generated_at=GENERATED_AT)
    facts = dict(c.risk_facts)
    assert facts["Diabetes"] == "Yes"
    assert facts["Anticoagulants / antiplatelets"].endswith("(last dose 2026-09-28 08:00)")
    assert facts["Neuromuscular disease"] == NOT_RECORDED
    assert facts["Allergies"] == "iodinated contrast (rash); latex"
    assert c.complications == ("Vasovagal reaction",)
    assert c.disposition == "Discharged home with escort"
    assert c.diagnoses.rows == (("M47.816", "Spondylosis without myelopathy or radiculopathy, lumbar region"),)
    assert c.prior_procedures.rows == (
        ("2026-05-12", "Intra-articular facet injection", "Therapeutic", "L5-S1 (bilateral)"),
    )


def test_no_complications_reads_none():
    c = build_note_content(make_case(complications=[], complication_details=""), generated_at=GENERATED_AT)
    assert c.complications == ("None",)


def test_renal_function_and_the_inr_are_printed_with_the_risk_facts(case):
    facts = dict(build_note_content(case, generated_at=GENERATED_AT).risk_facts)
    assert facts["Renal impairment"] == NOT_RECORDED and facts["INR"] == NOT_RECORDED
    patient = case.patient.model_copy(
        update={"renal_impairment": True, "inr": 1.8, "inr_taken_at": datetime(2026, 9, 30, 7, 45), "inr_normal": False}
    )
    facts = dict(build_note_content(case.model_copy(update={"patient": patient}), generated_at=GENERATED_AT).risk_facts)
    assert facts["Renal impairment"] == "Yes"
    assert facts["INR"] == "1.8 (OUTSIDE the laboratory's normal range), taken 2026-09-30 07:45"


@pytest.mark.parametrize(
    ("takes", "printed"), [(None, NOT_RECORDED), (False, "None (asked)"), (True, "Yes, agent not recorded")]
)
def test_an_empty_blood_thinner_or_allergy_list_is_printed_as_what_was_answered(case, takes, printed):
    """The chart must not read "none" where nobody asked: empty allergies are "not recorded", and with no agent
    listed the blood-thinner line prints the answer to the question."""
    patient = case.patient.model_copy(update={"anticoagulants": [], "takes_anticoagulants": takes, "allergies": []})
    facts = dict(build_note_content(case.model_copy(update={"patient": patient}), generated_at=GENERATED_AT).risk_facts)
    assert facts["Anticoagulants / antiplatelets"] == printed
    assert facts["Allergies"] == NOT_RECORDED


def test_toxin_given_elsewhere_is_printed_with_the_risk_facts_up_to_the_procedure_day(case):
    # Toxin given today and none listed elsewhere: the line says whether anyone asked.
    assert case.procedure.botulinum_toxin is not None and case.patient.had_toxin_elsewhere is None
    facts = dict(build_note_content(case, generated_at=GENERATED_AT).risk_facts)
    assert facts["Botulinum toxin elsewhere"] == NOT_RECORDED
    asked = case.model_copy(update={"patient": case.patient.model_copy(update={"had_toxin_elsewhere": False})})
    assert dict(build_note_content(asked, generated_at=GENERATED_AT).risk_facts)["Botulinum toxin elsewhere"] == (
        "None (asked)"
    )
    yes = case.model_copy(update={"patient": case.patient.model_copy(update={"had_toxin_elsewhere": True})})
    assert dict(build_note_content(yes, generated_at=GENERATED_AT).risk_facts)["Botulinum toxin elsewhere"] == (
        "Yes, no dose recorded"
    )
    day = case.procedure.performed_at.date()
    doses = [
        {"given_on": day.replace(year=day.year - 1), "product": "onabotulinumtoxinA", "units": 155,
         "indication": "chronic migraine", "source": "neurology clinic"},
        {"given_on": day.replace(month=day.month - 1), "product": "rimabotulinumtoxinB", "units": 5000,
         "indication": "cervical dystonia", "source": "per the patient"},
        {"given_on": day + timedelta(days=1), "product": "onabotulinumtoxinA", "units": 100,
         "indication": "after the procedure", "source": "neurology clinic"},
    ]  # fmt: skip
    patient = case.patient.model_validate({**case.patient.model_dump(), "toxin_elsewhere": doses})
    facts = dict(build_note_content(case.model_copy(update={"patient": patient}), generated_at=GENERATED_AT).risk_facts)
    assert facts["Botulinum toxin elsewhere"] == (
        f"5000 U rimabotulinumtoxinB on {day.replace(month=day.month - 1):%Y-%m-%d} elsewhere "
        "(cervical dystonia; per the patient); 1 earlier dose(s) recorded"
    )


def _with_exclusions(case, **answers):
    exclusions = [{"key": k, "answer": v} for k, v in answers.items()]
    indication = case.procedure.indication.model_copy(
        update={"exclusions": Indication.model_validate({"exclusions": exclusions}).exclusions}
    )
    procedure = case.procedure.model_copy(update={"indication": indication})
    content = build_note_content(case.model_copy(update={"procedure": procedure}), generated_at=GENERATED_AT)
    return dict(content.indication)


def test_the_lcd_exclusions_are_printed_in_the_indication(case):
    keys = [e.key for e in get_catalog().exclusions]
    all_no = _with_exclusions(case, **dict.fromkeys(keys, "absent"))
    assert all_no["LCD exclusions"] == "None applies (all 4 answered no)"
    text = _with_exclusions(case, generalised_pain="present", untreated_radiculopathy="excepted")["LCD exclusions"]
    assert text.startswith("APPLIES: Generalised pain condition")
    assert "facet joint synovial cyst (the LCD's exception)" in text
    assert "Not recorded: Non-facet pathology" in text and "Prior anterior lumbar interbody fusion (ALIF)" in text


def test_the_follow_up_visits_of_this_procedure_print_under_the_plan(case):
    from facetdesk.domain.follow_up import FollowUp

    assert build_note_content(case, generated_at=GENERATED_AT).follow_up_visits == ()
    later = case.procedure.performed_at.date() + timedelta(days=30)
    visits = [
        FollowUp(procedure_uid=case.procedure.uid, seen_on=later, recorded_by="RN Synthetic", pain_nrs=3,
                 adl_improvement_pct=40),
        # A visit after the earlier procedure belongs to that procedure's note, not this one.
        FollowUp(procedure_uid=case.prior_procedures[0].uid, seen_on=later, recorded_by="RN Synthetic", pain_nrs=9),
    ]  # fmt: skip
    c = build_note_content(case.model_copy(update={"follow_ups": visits}), generated_at=GENERATED_AT)
    pre = case.procedure.pre_procedure_pain
    better = round(100 * (pre - 3) / pre, 1)
    assert c.follow_up_visits == (
        f"{later:%Y-%m-%d}: pain 3/10 ({better:g}% better); daily activities +40% (RN Synthetic)",
    )
    text = " ".join(pages_text(render_note(c)))
    assert f"Follow-up visits since: {later:%Y-%m-%d}: pain 3/10" in " ".join(text.split())


def test_a_long_course_of_follow_up_visits_prints_the_latest_and_counts_the_rest(case):
    """Nine visits printed whole ran the note to a third page: the latest three are named, the rest counted."""
    from facetdesk.domain.follow_up import FollowUp

    start = case.procedure.performed_at.date()
    visits = [
        FollowUp(procedure_uid=case.procedure.uid, seen_on=start + timedelta(days=6 * n), recorded_by="RN Synthetic",
                 pain_nrs=n % 10)
        for n in range(9, 0, -1)  # recorded in any order: printed oldest first
    ]  # fmt: skip
    c = build_note_content(case.model_copy(update={"follow_ups": visits}), generated_at=GENERATED_AT)
    first, last_earlier = start + timedelta(days=6), start + timedelta(days=6 * 6)
    assert c.follow_up_visits[0] == f"6 earlier visit(s), {first:%Y-%m-%d} to {last_earlier:%Y-%m-%d}"
    assert [line[:10] for line in c.follow_up_visits[1:]] == [
        f"{start + timedelta(days=6 * n):%Y-%m-%d}" for n in (7, 8, 9)
    ]
    assert len(PdfReader(io.BytesIO(render_note(c))).pages) <= 2
