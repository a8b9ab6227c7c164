"""Writes docs/sample-case.json: a synthetic two-level bilateral lumbar MBB with Botox and a pain diary."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

from facetdesk.domain.case import CaseFile
from facetdesk.domain.catalog import get_catalog
from facetdesk.domain.patient import AnticoagulantUse, Patient
from facetdesk.domain.procedure import Procedure
from facetdesk.interop.casefile import write_case


def sample_case() -> CaseFile:
    patient = Patient(
        mrn="DEMO-0042",
        family_name="Ñúñez",
        given_name="María",
        date_of_birth=date(1958, 7, 2),
        sex="female",
        weight_kg=68,
        diabetes=True,
        anticoagulants=[AnticoagulantUse(agent="aspirin_secondary", last_dose_at=datetime(2026, 10, 4, 8, 0))],
        allergies=["latex"],
        had_toxin_elsewhere=False,
        pregnant=False,
        neuromuscular_disease=False,
        injection_site_infection=False,
        renal_impairment=False,
    )
    procedure = Procedure(
        uid="5f0c1a52-3d52-4d7c-9a55-0d6c1f6a9b01",
        performed_at=datetime(2026, 10, 5, 9, 30),
        physician="Dr. Elena Synthetic",
        indication={
            "pain_duration_months": 9,
            "conservative_care": ["nsaids", "physical_therapy", "home_exercise"],
            "conservative_care_details": "12 weeks supervised PT; naproxen 500 mg BID",
            "pain_scale": "NRS",
            "baseline_pain": 7,
            "disability_scale": "ODI",
            "disability_score": 42,
            "exclusions": [{"key": e.key, "answer": "absent"} for e in get_catalog().exclusions],
        },
        diagnoses=["M47.816"],
        technique="medial_branch_block",
        intent="diagnostic_first",
        guidance="fluoroscopy",
        contrast=True,
        sedation="none",
        targets=[{"level": lv, "side": s} for lv in ("L4-L5", "L5-S1") for s in ("left", "right")],
        medications=[
            {"agent": "bupivacaine", "concentration_mg_per_ml": 5, "volume_ml": 0.5, "volume_basis": "per_nerve"},
            {
                "agent": "lidocaine",
                "concentration_mg_per_ml": 10,
                "volume_ml": 4,
                "volume_basis": "total",
                "site": "skin",
            },
            {"agent": "iohexol", "concentration_mg_per_ml": 240, "volume_ml": 0.3, "volume_basis": "per_nerve"},
        ],
        botulinum_toxin={
            "product": "onabotulinumtoxinA",
            "vial_units": 200,
            "diluent_ml": 4,
            "sites": [
                {"muscle": "multifidus_lumbar", "level": "L4", "side": "left", "units": 40},
                {"muscle": "multifidus_lumbar", "level": "L4", "side": "right", "units": 40},
                {"muscle": "longissimus_lumbar", "level": "L5", "side": "left", "units": 30},
            ],
        },
        pre_procedure_pain=8,
        pain_scores=[
            {"minutes_after": 15, "nrs": 1, "activity": "lumbar extension"},
            {"minutes_after": 30, "nrs": 1, "activity": "sit-to-stand"},
            {"minutes_after": 60, "nrs": 2, "activity": "walking"},
            {"minutes_after": 120, "nrs": 2, "activity": ""},
            {"minutes_after": 240, "nrs": 3, "activity": "bending"},
            {"minutes_after": 360, "nrs": 6, "activity": "walking"},
            {"minutes_after": 1440, "nrs": 7, "activity": ""},
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
        contrast_spread="outlined each target medial branch; no vascular or epidural spread",
        findings="Degenerative facet hypertrophy at L4-L5 and L5-S1 bilaterally on fluoroscopy.",
        estimated_blood_loss="minimal",
        complications=[],
        disposition="home_stable",
        follow_up="Pain diary for 24 h; clinic review in 2 weeks",
        notes="",
    )
    prior = Procedure(
        uid="5f0c1a52-3d52-4d7c-9a55-0d6c1f6a9b00",
        performed_at=datetime(2026, 4, 14, 14, 0),
        physician="Dr. Elena Synthetic",
        technique="intra_articular",
        intent="therapeutic",
        guidance="fluoroscopy",
        targets=[{"level": "L5-S1", "side": "left"}, {"level": "L5-S1", "side": "right"}],
        medications=[
            {
                "agent": "triamcinolone_acetonide",
                "concentration_mg_per_ml": 40,
                "volume_ml": 0.5,
                "volume_basis": "per_joint",
            },
            {"agent": "lidocaine", "concentration_mg_per_ml": 10, "volume_ml": 0.5, "volume_basis": "per_joint"},
        ],
        pre_procedure_pain=7,
        pain_scores=[{"minutes_after": 30, "nrs": 3}, {"minutes_after": 20160, "nrs": 5}],
    )
    return CaseFile(patient=patient, procedure=procedure, prior_procedures=[prior])


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "docs" / "sample-case.json")
    write_case(sample_case(), out)
    print(f"wrote {out}")
