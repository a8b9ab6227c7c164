"""Synthetic case files for the procedure-note tests (no real patient data)."""

from __future__ import annotations

import io
from datetime import date, datetime

from pypdf import PdfReader

from facetdesk.domain.case import CaseFile
from facetdesk.domain.patient import AnticoagulantUse, Patient
from facetdesk.domain.procedure import (
    Addendum,
    BotoxSite,
    BotoxTreatment,
    Indication,
    MedicationAdministration,
    PainScore,
    Procedure,
    Signature,
    Target,
)

GENERATED_AT = datetime(2026, 10, 1, 12, 5)


def make_case(*, family: str = "Testperson", given: str = "Alex", notes: str = "", **procedure_overrides) -> CaseFile:
    patient = Patient(
        mrn="FD-000123",
        family_name=family,
        given_name=given,
        date_of_birth=date(1961, 3, 14),
        sex="female",
        weight_kg=72.5,
        diabetes=True,
        anticoagulants=[AnticoagulantUse(agent="apixaban", last_dose_at=datetime(2026, 9, 28, 8, 0))],
        allergies=["iodinated contrast (rash)", "latex"],
        pregnant=False,
        neuromuscular_disease=None,
        injection_site_infection=False,
    )
    fields = dict(
        performed_at=datetime(2026, 10, 1, 9, 30),
        physician="Dr. Jordan Synthetic",
        indication=Indication(
            pain_duration_months=14,
            conservative_care=["nsaids", "physical_therapy"],
            conservative_care_details="6 weeks supervised PT",
            baseline_pain=7,
            disability_scale="ODI",
            disability_score=38,
        ),
        # A fixed synthetic uid: the same case renders to the same bytes (each page's code carries it).
        uid="00000000-0000-4000-8000-000000000123",
        diagnoses=["M47.816"],
        technique="medial_branch_block",
        intent="diagnostic_first",
        guidance="fluoroscopy",
        contrast=False,
        sedation="none",
        targets=[
            Target(level="L4-L5", side="left"),
            Target(level="L4-L5", side="right"),
            Target(level="L3-L4", side="left"),
        ],
        medications=[
            MedicationAdministration(
                agent="bupivacaine", concentration_mg_per_ml=5.0, volume_ml=0.5, volume_basis="per_nerve"
            ),
            MedicationAdministration(agent="lidocaine", concentration_mg_per_ml=10, volume_ml=1.5),
            MedicationAdministration(agent="triamcinolone_acetonide", concentration_mg_per_ml=40, volume_ml=1),
        ],
        botulinum_toxin=BotoxTreatment(
            product="onabotulinumtoxinA",
            vial_units=100,
            diluent_ml=2,
            sites=[
                BotoxSite(muscle="multifidus_lumbar", level="L4", side="left", units=20),
                BotoxSite(muscle="longissimus_lumbar", level="L4", side="right", units=15),
                BotoxSite(muscle="iliocostalis_lumborum", level="L4", side="left", units=25),
            ],
        ),
        pre_procedure_pain=8,
        pain_scores=[
            PainScore(minutes_after=15, nrs=1, activity="sit-to-stand"),
            PainScore(minutes_after=30, nrs=1, activity="walking"),
            PainScore(minutes_after=240, nrs=1, activity="bending"),
            PainScore(minutes_after=360, nrs=3, activity="walking"),
            PainScore(minutes_after=480, nrs=6, activity="lifting"),
        ],
        complications=["vasovagal"],
        complication_details="brief, resolved lying flat",
        disposition="home_with_escort",
        follow_up="Pain diary for 24 h; review in 2 weeks",
        notes=notes or "Prone position. Skin prepped with chlorhexidine.",
    )
    fields.update(procedure_overrides)
    prior = Procedure(
        performed_at=datetime(2026, 5, 12, 14, 0),
        physician="Dr. Jordan Synthetic",
        technique="intra_articular",
        intent="therapeutic",
        guidance="fluoroscopy",
        targets=[Target(level="L5-S1", side="left"), Target(level="L5-S1", side="right")],
    )
    return CaseFile(patient=patient, procedure=Procedure(**fields), prior_procedures=[prior])


def pages_text(pdf: bytes) -> list[str]:
    # Whitespace is normalised: extraction splits wrapped lines and table cells unpredictably.
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages]


LONG_NOTES = "\n\n".join(
    f"Block {i}. " + "Needle advanced to the junction of the superior articular and transverse process. " * 7
    for i in range(26)
)


SIGNATURE = Signature(signed_by="Dr. Synthetic Example", signed_at=datetime(2026, 10, 1, 11, 40, 12))
ADDENDA = [
    Addendum(author="Dr. Synthetic Example", written_at=datetime(2026, 10, 2, 8, 15), text="Levels: L4-L5 only.",
             signed_by="Dr. Synthetic Example", signed_at=datetime(2026, 10, 2, 8, 15)),
    Addendum(author="Dr. Other Reader", written_at=datetime(2026, 10, 3, 9, 0), text="Patient called: pain 2/10.",
             signed_by="Dr. Other Reader", signed_at=datetime(2026, 10, 3, 9, 0)),
]  # fmt: skip


def signed_case():
    case = make_case()
    return case.model_copy(
        update={"procedure": case.procedure.model_copy(update={"signature": SIGNATURE, "addenda": ADDENDA})}
    )
