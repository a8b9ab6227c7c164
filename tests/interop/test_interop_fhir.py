"""FHIR export: the bundle of a two-level bilateral MBB with Botox validates and holds what the note holds.

Every expected value is computed here from the case (doses from strength x volume x joints or nerves,
times from the procedure's time plus the minutes after), then found again in the bundle after it has
been written as JSON and parsed back with fhir.resources.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from facetdesk.domain.case import CaseFile
from facetdesk.domain.catalog import get_catalog
from facetdesk.domain.coding import derive_codes
from facetdesk.domain.enums import Side, VolumeBasis
from facetdesk.domain.finding import Finding, Severity, Status
from facetdesk.domain.procedure import Addendum, Override, Signature
from facetdesk.interop.casefile import read_case
from facetdesk.interop.fhir import build_bundle, bundle_json
from facetdesk.services.decision import check_case
from tests.builders.cases import make_case

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "sample-case.json"
# A zone that is neither UTC nor the test machine's: a time read in the wrong zone shows.
TZ = timezone(timedelta(hours=-5, minutes=-30))
STAMP = datetime(2026, 10, 6, 8, 15, tzinfo=timezone.utc)
NRS_LOINC = "72514-3"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"


@pytest.fixture(scope="module")
def sample() -> CaseFile:
    return read_case(SAMPLE)


def export(case: CaseFile, findings: list[Finding] | None = None, **kwargs: Any) -> Bundle:
    """Build, write as JSON, and parse back: what a receiving system would read."""
    catalog = get_catalog()
    if findings is None:
        findings = check_case(case, catalog)
    kwargs.setdefault("tz", TZ)
    text = bundle_json(build_bundle(case, findings, catalog, **kwargs))
    return Bundle.model_validate_json(text)


@pytest.fixture(scope="module")
def bundle(sample) -> Bundle:
    return export(sample, timestamp=STAMP)


def of_type(bundle: Bundle, kind: str) -> list:
    return [e.resource for e in bundle.entry if e.resource.get_resource_type() == kind]


def main_procedure(bundle: Bundle, case: CaseFile):
    (procedure,) = [p for p in of_type(bundle, "Procedure") if any(i.value == case.procedure.uid for i in p.identifier)]
    return procedure


def local(case: CaseFile, minutes: int = 0) -> datetime:
    return case.procedure.performed_at.replace(tzinfo=TZ) + timedelta(minutes=minutes)


def all_text(bundle: Bundle) -> str:
    """Every string value in the bundle, one per line."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            out.append(node)

    walk(json.loads(bundle.model_dump_json()))
    return "\n".join(out)


# ---- structure ------------------------------------------------------------------------------------------


def test_the_sample_is_a_two_level_bilateral_mbb_with_botox(sample):
    p = sample.procedure
    assert p.technique.value == "medial_branch_block" and p.botulinum_toxin is not None
    assert len(p.levels()) == 2 and p.laterality() == "bilateral"


def test_bundle_is_a_collection_of_uuid_addressed_entries(bundle, sample):
    assert bundle.type == "collection"
    assert bundle.timestamp == STAMP
    urls = [e.fullUrl for e in bundle.entry]
    assert len(set(urls)) == len(urls)
    for entry in bundle.entry:
        assert entry.fullUrl == f"urn:uuid:{entry.resource.id}"
    kinds = Counter(e.resource.get_resource_type() for e in bundle.entry)
    expected = {"Patient", "Practitioner", "Encounter", "Condition", "Procedure", "MedicationAdministration"}
    assert expected | {"Observation", "DetectedIssue"} <= set(kinds)
    assert kinds["Patient"] == kinds["Encounter"] == 1
    assert kinds["Procedure"] == 1 + len(sample.prior_procedures)


def test_every_reference_points_at_an_entry(bundle):
    urls = {e.fullUrl for e in bundle.entry}
    references: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("reference"), str):
                references.append(node["reference"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(bundle.model_dump_json()))
    assert len(references) > 50
    assert [r for r in references if r not in urls] == []


def test_ids_are_stable_across_exports_and_differ_between_procedures(sample):
    first = export(sample, timestamp=STAMP)
    second = export(sample, timestamp=STAMP + timedelta(days=3))
    assert first.timestamp != second.timestamp
    first_json, second_json = json.loads(first.model_dump_json()), json.loads(second.model_dump_json())
    assert first_json.pop("timestamp") != second_json.pop("timestamp")
    assert first_json == second_json

    other = sample.model_copy(update={"procedure": sample.procedure.model_copy(update={"uid": "another-uid"})})
    ids = {e.resource.id for e in first.entry}
    assert ids.isdisjoint({e.resource.id for e in export(other).entry})


def test_without_a_timestamp_the_bundle_has_none(sample):
    assert export(sample).timestamp is None


def test_times_keep_the_wall_clock_in_the_zone_given(sample):
    plain = export(sample, tz=timezone.utc)
    procedure = main_procedure(plain, sample)
    assert procedure.performedDateTime == sample.procedure.performed_at.replace(tzinfo=timezone.utc)
    assert procedure.performedDateTime != main_procedure(export(sample), sample).performedDateTime


# ---- the patient, the encounter and the diagnoses ---------------------------------------------------------


def test_patient_identity(bundle, sample):
    (patient,) = of_type(bundle, "Patient")
    (mrn,) = patient.identifier
    assert (mrn.system, mrn.value) == ("urn:facetdesk:mrn", sample.patient.mrn)
    assert patient.name[0].family == sample.patient.family_name
    assert patient.name[0].given == [sample.patient.given_name]
    assert patient.birthDate == sample.patient.date_of_birth
    assert patient.gender == sample.patient.sex.value


def test_encounter_is_a_finished_ambulatory_visit_at_the_procedure_time(bundle, sample):
    (encounter,) = of_type(bundle, "Encounter")
    assert encounter.status == "finished"
    assert (encounter.class_fhir.system, encounter.class_fhir.code) == (
        "http://terminology.hl7.org/CodeSystem/v3-ActCode",
        "AMB",
    )
    assert encounter.period.start == local(sample)
    assert sample.procedure.disposition.label == encounter.hospitalization.dischargeDisposition.text


def test_every_icd10_and_cpt_code(bundle, sample):
    catalog = get_catalog()
    conditions = of_type(bundle, "Condition")
    icd = {
        c.code
        for condition in conditions
        for c in condition.code.coding
        if c.system == "http://hl7.org/fhir/sid/icd-10-cm"
    }
    assert icd == set(sample.procedure.diagnoses)
    for condition in conditions:
        code = condition.code.coding[0].code
        assert condition.code.text == catalog.diagnosis(code).title

    procedure = main_procedure(bundle, sample)
    cpt = [c.code for c in procedure.code.coding if c.system == "http://www.ama-assn.org/go/cpt"]
    expected = [line.code for line in derive_codes(sample.procedure, catalog).procedure_codes]
    assert cpt == expected and expected
    urls = {e.resource.id: e.fullUrl for e in bundle.entry}
    reasons = {r.reference for r in procedure.reasonReference}
    assert reasons == {urls[c.id] for c in conditions}
    coding_note = next(n.text for n in procedure.note if n.text.startswith("Suggested billing codes"))
    for line in derive_codes(sample.procedure, catalog).drug_codes:
        assert line.code in coding_note


def test_post_procedure_diagnoses_are_their_own_encounter_role():
    case = make_case(diagnoses=["M47.816"], post_procedure_diagnoses=["M47.817"])
    bundle = export(case)
    (encounter,) = of_type(bundle, "Encounter")
    by_url = {e.fullUrl: e.resource for e in bundle.entry}
    roles = {(d.use.coding[0].code, by_url[d.condition.reference].code.coding[0].code) for d in encounter.diagnosis}
    assert roles == {("pre-op", "M47.816"), ("post-op", "M47.817")}


# ---- what was done: levels, sides, drugs, toxin ----------------------------------------------------------------


def test_every_level_and_side(bundle, sample):
    sites = [s.text for s in main_procedure(bundle, sample).bodySite]
    assert len(sites) == len(sample.procedure.targets)
    for target in sample.procedure.targets:
        (match,) = [s for s in sites if target.level in s and target.side.value in s.lower()]
        assert "facet joint" in match


def _expected_mg(case: CaseFile) -> Counter:
    """Strength x volume x (joints, nerves or 1): worked out here from the spine catalog, not by the domain."""
    catalog = get_catalog()
    p = case.procedure
    nerves = {(nerve, t.side) for t in p.targets for nerve in catalog.joint(t.level).nerves}
    out: Counter = Counter()
    for med in p.medications:
        times = {VolumeBasis.PER_NERVE: len(nerves), VolumeBasis.PER_JOINT: len(p.targets)}.get(med.volume_basis, 1)
        out[(catalog.agent(med.agent).name, round(med.concentration_mg_per_ml * med.volume_ml * times, 4))] += 1
    return out


@pytest.mark.parametrize("which", ["sample", "note case"])
def test_every_dose_in_mg(which, sample):
    case = sample if which == "sample" else make_case()
    bundle = export(case)
    procedure_url = f"urn:uuid:{main_procedure(bundle, case).id}"
    found: Counter = Counter()
    for admin in of_type(bundle, "MedicationAdministration"):
        assert admin.status == "completed"
        assert [r.reference for r in admin.partOf] == [procedure_url]
        assert admin.effectiveDateTime == local(case)
        dose = admin.dosage.dose
        if dose.code == "mg":
            assert dose.system == UCUM
            found[(admin.medicationCodeableConcept.text, round(float(dose.value), 4))] += 1
    assert found == _expected_mg(case)
    assert sum(found.values()) == len(case.procedure.medications) > 0


def test_routes_and_sites_name_where_each_drug_went(bundle, sample):
    admins = [a for a in of_type(bundle, "MedicationAdministration") if a.dosage.dose.code == "mg"]
    catalog = get_catalog()
    for med, admin in zip(sample.procedure.medications, admins, strict=True):
        assert admin.medicationCodeableConcept.text == catalog.agent(med.agent).name
        if med.site.value == "skin":
            assert "skin" in admin.dosage.site.text.lower()
        else:
            assert "medial branch" in admin.dosage.site.text and "Perineural" in admin.dosage.route.text


def test_every_botox_unit_count(bundle, sample):
    catalog = get_catalog()
    bt = sample.procedure.botulinum_toxin
    toxin = [a for a in of_type(bundle, "MedicationAdministration") if a.dosage.dose.unit == "U"]
    assert len(toxin) == len(bt.sites)
    for site in bt.sites:
        muscle = catalog.muscle(site.muscle).name
        (admin,) = [
            a
            for a in toxin
            if muscle in a.dosage.site.text
            and f", {site.level}," in a.dosage.site.text
            and a.dosage.site.text.endswith(site.side.value)
        ]
        assert float(admin.dosage.dose.value) == site.units
        assert admin.dosage.dose.system == UCUM
        assert admin.medicationCodeableConcept.text == bt.product.label
        assert admin.dosage.route.text == "Intramuscular"
    assert sum(float(a.dosage.dose.value) for a in toxin) == sum(s.units for s in bt.sites)


# ---- pain scores and relief -------------------------------------------------------------------------------------


def test_every_pain_score_with_its_time(bundle, sample):
    p = sample.procedure
    procedure_url = f"urn:uuid:{main_procedure(bundle, sample).id}"
    timed, untimed = [], []
    for obs in of_type(bundle, "Observation"):
        if not any(c.system == LOINC and c.code == NRS_LOINC for c in obs.code.coding or []):
            continue
        assert obs.status == "final"
        if obs.effectiveDateTime is None:
            untimed.append(obs.valueInteger)
        else:
            assert [r.reference for r in obs.partOf] == [procedure_url]
            timed.append((obs.valueInteger, obs.effectiveDateTime))
    expected = [(p.pre_procedure_pain, local(sample))] + [
        (s.nrs, local(sample, s.minutes_after)) for s in p.pain_scores
    ]
    assert sorted(timed, key=lambda t: t[1]) == expected
    assert untimed == [p.indication.baseline_pain]


def test_the_baseline_and_the_pre_injection_score_are_told_apart(bundle):
    texts = [o.code.text for o in of_type(bundle, "Observation") if o.code.text]
    assert any("Usual pain at evaluation" in t for t in texts)
    assert any("before injection" in t for t in texts)


def test_peak_relief_and_duration_are_the_procedure_outcome(bundle, sample):
    p = sample.procedure
    best = min(p.pain_scores, key=lambda s: (s.nrs, s.minutes_after))
    peak = (p.pre_procedure_pain - best.nrs) / p.pre_procedure_pain * 100
    outcome = main_procedure(bundle, sample).outcome.text
    assert f"Peak relief: {round(peak, 1):g}%" in outcome
    assert "Relief ≥80%" in outcome and "Relief ≥50%" in outcome


def test_a_vas_score_is_not_coded_as_the_verbal_numeric_scale(sample):
    raw = sample.model_dump(mode="json")
    raw["procedure"]["indication"]["pain_scale"] = "VAS"
    bundle = export(CaseFile.model_validate(raw))
    pains = [o for o in of_type(bundle, "Observation") if o.valueInteger is not None]
    assert len(pains) == 1 + len(sample.procedure.pain_scores) + 1
    assert all(not o.code.coding for o in pains)
    assert all("VAS" in o.code.text for o in pains)


# ---- decision support ------------------------------------------------------------------------------------------


def test_every_finding(bundle, sample):
    findings = check_case(sample, get_catalog())
    issues = {i.code.coding[0].code: i for i in of_type(bundle, "DetectedIssue")}
    flagged = [f for f in findings if f.status in (Status.NOT_MET, Status.NOT_EVALUATED)]
    assert flagged and set(issues) == {f.rule for f in flagged}
    procedure = main_procedure(bundle, sample)
    for f in flagged:
        issue = issues[f.rule]
        assert issue.detail == f.message
        assert issue.severity == {"critical": "high", "warning": "moderate"}.get(f.severity.value, "low")
        assert f.source in issue.evidence[0].code[0].text
        assert [r.reference for r in issue.implicated] == [f"urn:uuid:{procedure.id}"]
    notes = "\n".join(n.text for n in procedure.note)
    for f in findings:
        if f.status == Status.MET:
            assert f"{f.rule}: {f.message}" in notes


def test_an_overridden_finding_carries_the_reason_who_and_when(sample):
    finding = Finding(
        rule="lcd.imaging",
        severity=Severity.WARNING,
        status=Status.NOT_MET,
        message="Ultrasound guidance is not covered",
        source="https://example.org/lcd",
    )
    at = datetime(2026, 10, 5, 9, 25)
    override = Override(
        rule="lcd.imaging", reason="C-arm out of service", acknowledged_by="Dr. Override", acknowledged_at=at
    )
    procedure = sample.procedure.model_copy(update={"overrides": [override]})
    bundle = export(sample.model_copy(update={"procedure": procedure}), [finding])

    (issue,) = of_type(bundle, "DetectedIssue")
    assert issue.severity == "moderate" and issue.reference == "https://example.org/lcd"
    (mitigation,) = issue.mitigation
    assert "C-arm out of service" in mitigation.action.text
    assert mitigation.date == at.replace(tzinfo=TZ)
    by_url = {e.fullUrl: e.resource for e in bundle.entry}
    assert by_url[mitigation.author.reference].name[0].text == "Dr. Override"


def test_without_findings_the_bundle_says_decision_support_was_not_run(sample):
    bundle = export(sample, [])
    assert of_type(bundle, "DetectedIssue") == []
    assert any("not run" in n.text for n in main_procedure(bundle, sample).note)


# ---- people, signature, and the rest of the note ----------------------------------------------------------------


def test_signed_procedure_names_the_signer_and_keeps_addenda(sample):
    signed_at, written_at = datetime(2026, 10, 5, 11, 0), datetime(2026, 10, 6, 8, 0)
    procedure = sample.procedure.model_copy(
        update={
            "signature": Signature(signed_by="Dr. Signer Synthetic", signed_at=signed_at),
            "addenda": [
                Addendum(
                    author="Dr. Late Synthetic",
                    written_at=written_at,
                    text="Patient called: relief lasted 5 hours.",
                    signed_by="Dr. Late Synthetic",
                    signed_at=written_at,
                )
            ],
        }
    )
    bundle = export(sample.model_copy(update={"procedure": procedure}))
    names = {p.name[0].text for p in of_type(bundle, "Practitioner")}
    assert {sample.procedure.physician, "Dr. Signer Synthetic", "Dr. Late Synthetic"} <= names
    (provenance,) = of_type(bundle, "Provenance")
    assert provenance.recorded == signed_at.replace(tzinfo=TZ)
    by_url = {e.fullUrl: e.resource for e in bundle.entry}
    assert by_url[provenance.agent[0].who.reference].name[0].text == "Dr. Signer Synthetic"
    assert by_url[provenance.target[0].reference].id == main_procedure(bundle, sample).id
    (addendum,) = [n for n in main_procedure(bundle, sample).note if "relief lasted 5 hours" in n.text]
    assert addendum.time == written_at.replace(tzinfo=TZ)


def test_an_unsigned_procedure_has_no_signature(bundle, sample):
    assert of_type(bundle, "Provenance") == []
    assert [p.name[0].text for p in of_type(bundle, "Practitioner")] == [sample.procedure.physician]


def test_the_facts_the_note_prints_are_in_the_bundle(bundle, sample):
    catalog = get_catalog()
    p, patient = sample.procedure, sample.patient
    text = all_text(bundle)
    expected = [
        p.needle,
        p.contrast_spread,
        p.findings,
        p.estimated_blood_loss,
        p.follow_up,
        p.notes,
        p.indication.conservative_care_details,
        p.disposition.label,
        p.position.label,
        p.skin_prep.label,
        p.sedation.label,
        p.guidance.label,
        p.intent.label,
        p.technique.label,
        p.botulinum_toxin.product.label,
        *(c.label for c in p.indication.conservative_care),
        *patient.allergies,
        *(catalog.anticoagulant(a.agent).name for a in patient.anticoagulants),
        *(s.activity for s in p.pain_scores if s.activity),
        *(nerve for t in p.targets for nerve in catalog.joint(t.level).nerves),
        *(prior.technique.label for prior in sample.prior_procedures),
    ]
    assert [value for value in expected if value not in text] == []
    weights = [o for o in of_type(bundle, "Observation") if o.valueQuantity and o.valueQuantity.unit == "kg"]
    assert [float(o.valueQuantity.value) for o in weights] == [patient.weight_kg]
    disability = [o for o in of_type(bundle, "Observation") if o.valueQuantity and o.valueQuantity.code == "%"]
    assert [float(o.valueQuantity.value) for o in disability] == [p.indication.disability_score]
    risk = {o.code.text: o.valueBoolean for o in of_type(bundle, "Observation") if o.valueBoolean is not None}
    assert risk["Diabetes"] is patient.diabetes and risk["Pregnant"] is patient.pregnant
    (statement,) = of_type(bundle, "MedicationStatement")
    assert statement.dosage[0].timing.event == [patient.anticoagulants[0].last_dose_at.replace(tzinfo=TZ)]


def test_prior_procedures_keep_date_technique_and_levels(bundle, sample):
    for prior in sample.prior_procedures:
        (found,) = [p for p in of_type(bundle, "Procedure") if any(i.value == prior.uid for i in p.identifier)]
        assert found.performedDateTime == prior.performed_at.replace(tzinfo=TZ)
        assert prior.technique.label in found.code.text
        assert len(found.bodySite) == len(prior.targets)


def test_complications_are_listed():
    case = make_case()
    bundle = export(case)
    procedure = main_procedure(bundle, case)
    assert [c.text for c in procedure.complication] == [c.label for c in case.procedure.complications]
    assert any(case.procedure.complication_details in n.text for n in procedure.note)


def test_left_only_targets_say_left(sample):
    case = make_case(targets=[{"level": "L4-L5", "side": "left"}])
    sites = [s.text for s in main_procedure(export(case), case).bodySite]
    assert sites == [f"L4-L5 facet joint, {Side.LEFT.value}"]


def test_the_note_s_narrative_and_instructions_reach_the_ehr(sample):
    # The paragraphs the printed note writes from the record travel with the bundle, word for word.
    from facetdesk.services.fhir_export import fhir_bundle_for_case
    from facetdesk.services.rendering import note_content_for_case

    content = note_content_for_case(sample, catalog=get_catalog())
    text = fhir_bundle_for_case(sample, get_catalog())
    bundle = Bundle.model_validate_json(text)
    notes = "\n".join(n.text for n in main_procedure(bundle, sample).note)
    paragraphs = [*content.narrative, *content.discharge_instructions, *content.patient_instructions]
    assert paragraphs and [p for p in paragraphs if p not in notes] == []


def test_the_inr_and_renal_function_are_exported_as_observations(sample):
    patient = sample.patient.model_copy(
        update={"renal_impairment": True, "inr": 1.1, "inr_taken_at": local(sample, -600), "inr_normal": True}
    )
    exported = export(sample.model_copy(update={"patient": patient}))
    observations = {o.code.text: o for o in of_type(exported, "Observation")}
    inr = observations["INR"]
    assert float(inr.valueQuantity.value) == pytest.approx(1.1) and inr.valueQuantity.unit == "INR"
    assert inr.interpretation[0].text == "Within the laboratory's normal range"
    assert inr.effectiveDateTime.replace(tzinfo=None) == local(sample, -600).replace(tzinfo=None)
    assert observations["Renal impairment"].valueBoolean is True


def test_the_lcd_exclusions_are_in_the_procedure_note(bundle):
    assert "LCD exclusions: None applies (all 4 answered no)" in all_text(bundle)


def test_no_known_allergies_is_exported_as_a_statement_not_as_an_allergy_to_a_substance_named_nkda():
    case = make_case()
    case.patient.allergies = ["NKDA", "latex"]
    bundle = export(case)
    allergies = of_type(bundle, "AllergyIntolerance")
    assert [a.code.text for a in allergies] == ["latex"]  # the real one stays an allergy
    stated = [o for o in of_type(bundle, "Observation") if o.code.text == "Allergies"]
    assert [o.valueString for o in stated] == ["No known allergies (recorded as 'NKDA')"]


@pytest.mark.parametrize(("takes", "answered"), [(False, False), (None, None)])
def test_whether_the_patient_takes_a_blood_thinner_is_exported_when_none_is_listed(sample, takes, answered):
    """No agent listed: "takes none" (asked) is a false observation; never asked is absent with its reason."""
    patient = sample.patient.model_copy(update={"anticoagulants": [], "takes_anticoagulants": takes})
    exported = export(sample.model_copy(update={"patient": patient}))
    assert of_type(exported, "MedicationStatement") == []
    asked = {o.code.text: o for o in of_type(exported, "Observation")}["Takes an anticoagulant, antiplatelet or NSAID"]
    assert asked.valueBoolean is answered
    assert (asked.dataAbsentReason is None) == (takes is not None)
