"""A fully documented two-level bilateral lumbar medial branch block with botulinum toxin (synthetic)."""

from __future__ import annotations

import io
from datetime import date, datetime

from facetdesk.domain.case import CaseFile
from facetdesk.domain.catalog import get_catalog
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import (
    BotoxSite,
    BotoxTreatment,
    Indication,
    MedicationAdministration,
    PainScore,
    Procedure,
    Target,
)
from facetdesk.domain.settings import ClinicSettings

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
        allergies=[],
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
