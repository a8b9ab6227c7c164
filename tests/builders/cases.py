"""Synthetic case files for the note, the exports and the command line (no real patient data).

- ``make_case``: a three-joint lumbar block with toxin, a prior procedure and history: the note's usual case.
- ``mbb_botox_case``: a fully documented two-level bilateral medial branch block with toxin (the sample note).
- ``signed_case``: ``make_case`` signed, with two addenda.
"""

from __future__ import annotations

import io
from datetime import date, datetime

from facetdesk.domain.case import CaseFile
from facetdesk.domain.catalog import get_catalog
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
from facetdesk.domain.settings import ClinicSettings

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


GLUCOSE_LINE = "Check your blood glucose (synthetic test line) more often for the next 3 days."


def logo_png(width: int = 240, height: int = 80) -> bytes:
    """A small two-colour PNG made here, so the tests need no image file."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (width, height), "#1F4E79")
    ImageDraw.Draw(img).rectangle((10, 10, width // 3, height - 10), fill="#FFFFFF")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def clinic(**overrides) -> ClinicSettings:
    fields = dict(
        clinic_name="Synthetic Spine & Pain Centre",
        address="12 Synthetic Way\nSuite 4\nTestville, TS 00000",
        phone="+1 555 0100",
        logo=logo_png(),
        page_size="letter",
    )
    fields.update(overrides)
    return ClinicSettings(**fields)


def mbb_botox_case(**overrides) -> CaseFile:
    patient = Patient(
        mrn="FD-000456",
        family_name="Samplewoman",
        given_name="Robin",
        date_of_birth=date(1970, 7, 2),
        sex="female",
        weight_kg=68,
        diabetes=True,
        allergies=["NKDA"],
        takes_anticoagulants=False,
        had_toxin_elsewhere=False,
        pregnant=False,
        neuromuscular_disease=False,
        injection_site_infection=False,
    )
    fields = dict(
        performed_at=datetime(2026, 10, 1, 9, 30),
        physician="Dr. Jordan Synthetic",
        indication=Indication(
            pain_duration_months=9,
            conservative_care=["nsaids", "physical_therapy", "home_exercise"],
            conservative_care_details="12 weeks supervised PT",
            baseline_pain=7,
            disability_scale="ODI",
            disability_score=42,
            exclusions=[{"key": e.key, "answer": "absent"} for e in get_catalog().exclusions],
        ),
        # A fixed synthetic uid: the same case renders to the same bytes (each page's code carries it).
        uid="00000000-0000-4000-8000-000000000456",
        diagnoses=["M47.816"],
        technique="medial_branch_block",
        intent="diagnostic_first",
        guidance="fluoroscopy",
        contrast=True,
        sedation="none",
        targets=[
            Target(level="L4-L5", side="left"),
            Target(level="L4-L5", side="right"),
            Target(level="L5-S1", side="left"),
            Target(level="L5-S1", side="right"),
        ],
        medications=[
            MedicationAdministration(
                agent="bupivacaine", concentration_mg_per_ml=5.0, volume_ml=0.5, volume_basis="per_nerve"
            ),
            MedicationAdministration(agent="lidocaine", concentration_mg_per_ml=10, volume_ml=4, site="skin"),
            MedicationAdministration(agent="iohexol", concentration_mg_per_ml=300, volume_ml=1.5),
        ],
        botulinum_toxin=BotoxTreatment(
            product="onabotulinumtoxinA",
            vial_units=100,
            diluent_ml=2,
            sites=[
                BotoxSite(muscle="multifidus_lumbar", level="L4", side="left", units=20),
                BotoxSite(muscle="multifidus_lumbar", level="L4", side="right", units=20),
                BotoxSite(muscle="longissimus_lumbar", level="L5", side="left", units=20),
                BotoxSite(muscle="longissimus_lumbar", level="L5", side="right", units=20),
            ],
        ),
        pre_procedure_pain=8,
        pain_scores=[
            PainScore(minutes_after=15, nrs=2, activity="sit-to-stand"),
            PainScore(minutes_after=30, nrs=1, activity="walking"),
            PainScore(minutes_after=60, nrs=1, activity="bending"),
            PainScore(minutes_after=120, nrs=2, activity="walking"),
            PainScore(minutes_after=240, nrs=3, activity="housework"),
            PainScore(minutes_after=360, nrs=6, activity="lifting"),
            PainScore(minutes_after=2 * 24 * 60, nrs=7, activity="usual day"),
        ],
        consent_obtained=True,
        time_out_performed=True,
        position="prone",
        skin_prep="chlorhexidine",
        needle="22-gauge 3.5-inch spinal needle",
        documentation={
            "risks_discussed": True,
            "off_label_discussed": True,
            "sterile_drape": True,
            "monitoring": ["pulse_oximetry", "blood_pressure"],
            "views": ["ap", "oblique"],
            "approach": "posterior_oblique",
            "aspiration": "negative",
            "fluoroscopy_seconds": 48,
            "radiation_dose": 1.9,
            "radiation_dose_unit": "air_kerma_mgy",
            "images_saved": True,
            "neuro_check": "at_baseline",
            "tolerance": "well",
        },
        contrast_spread="spread along the medial branch groove at each level",
        findings="Degenerative facet arthropathy at L4-L5 and L5-S1 on fluoroscopy.",
        estimated_blood_loss="Minimal (< 1 mL)",
        complications=[],
        complication_details="",
        disposition="home_with_escort",
        follow_up="Review of the pain diary in 2 weeks",
        notes="Synthetic note text.",
    )
    fields.update(overrides)
    return CaseFile(patient=patient, procedure=Procedure(**fields), prior_procedures=[])
