"""Synthetic patients and procedures, as raw form data or validated models, shared by every test layer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from facetdesk.domain.catalog import get_catalog
from facetdesk.domain.enums import (
    BotoxProduct,
    Complication,
    ConservativeCare,
    DisabilityScale,
    Disposition,
    Guidance,
    Intent,
    Sedation,
    Sex,
    Side,
    Technique,
    VolumeBasis,
)
from facetdesk.domain.patient import AnticoagulantUse, Patient
from facetdesk.domain.procedure import (
    BotoxSite,
    BotoxTreatment,
    Indication,
    MedicationAdministration,
    PainScore,
    Procedure,
    Target,
)
from facetdesk.domain.toxin import ToxinElsewhere

# A fixed, clearly past procedure time, so no test depends on the clock.
WHEN = datetime(2024, 3, 14, 9, 30)

# The screening answers a rule test starts from: weight recorded, every risk question answered "no".
SCREENED: dict[str, Any] = {
    "weight_kg": 70.0,
    "diabetes": False,
    "pregnant": False,
    "neuromuscular_disease": False,
    "injection_site_infection": False,
}


def _tag(n: int) -> str:
    return "" if n == 1 else str(n)


def patient_data(n: int = 1, **overrides: Any) -> dict[str, Any]:
    """Raw form data for a synthetic patient, identity only; ``n`` varies MRN and names so many can coexist."""
    data: dict[str, Any] = {
        "mrn": f"TEST-{n:05d}",
        "family_name": f"Testperson{_tag(n)}",
        "given_name": f"Alex{_tag(n)}",
        "date_of_birth": date(1960, 6, 15),
        "sex": "female",
    }
    data.update(overrides)
    return data


def patient(n: int = 1, **overrides: Any) -> Patient:
    return Patient.model_validate(patient_data(n, **overrides))


def screened_patient(**overrides: Any) -> Patient:
    """A patient whose weight is recorded and whose risk questions were all answered "no": no known allergies, no
    blood thinner taken and no toxin elsewhere unless ``anticoagulants`` or ``toxin_elsewhere`` lists one (listing
    one answers yes)."""
    answered: dict[str, Any] = {"allergies": ["NKDA"]}
    for listed, question in (("anticoagulants", "takes_anticoagulants"), ("toxin_elsewhere", "had_toxin_elsewhere")):
        if not overrides.get(listed):
            answered[question] = False
    return patient(**(SCREENED | answered | overrides))


def bilateral(*levels: str) -> list[dict[str, str]]:
    return [{"level": lv, "side": side} for lv in levels for side in ("left", "right")]


def left(*levels: str) -> list[dict[str, str]]:
    return [{"level": lv, "side": "left"} for lv in levels]


def med(agent: str, mg_per_ml: float, ml: float = 1.0, basis: str = "total", **extra: Any) -> dict[str, Any]:
    return {"agent": agent, "concentration_mg_per_ml": mg_per_ml, "volume_ml": ml, "volume_basis": basis, **extra}


LIDOCAINE = med("lidocaine", 20, 0.5)
BUPIVACAINE = med("bupivacaine", 5.0, 0.5)
STEROID = med("dexamethasone_sodium_phosphate", 4, 1.0)
CONTRAST = med("iohexol", 240, 0.3)


def botox(units: list[float] | tuple[float, ...] = (40,), product: str = "onabotulinumtoxinA") -> dict[str, Any]:
    """Botulinum toxin into the left L4 multifidus, one site per entry of ``units``."""
    return {
        "product": product,
        "vial_units": 100,
        "diluent_ml": 2,
        "sites": [{"muscle": "multifidus_lumbar", "level": "L4", "side": "left", "units": u} for u in units],
    }


BOTOX = botox()


def scores(*pairs: tuple[int, int]) -> list[dict[str, int]]:
    """(minutes after, NRS) pairs as pain-score records."""
    return [{"minutes_after": m, "nrs": n} for m, n in pairs]


def _is_contrast(medication: Any) -> bool:
    agent = medication.get("agent") if isinstance(medication, dict) else getattr(medication, "agent", None)
    entry = get_catalog().agent(agent) if isinstance(agent, str) else None
    return entry is not None and entry.drug_class == "contrast"


def procedure_data(**overrides: Any) -> dict[str, Any]:
    """Raw form data for the smallest complete procedure: a first diagnostic medial branch block at left L4-L5.

    Contrast is recorded as given when a contrast agent is among the medications, as the form does.
    """
    data: dict[str, Any] = {
        "performed_at": WHEN,
        "physician": "Dr. Synthetic",
        "technique": "medial_branch_block",
        "intent": "diagnostic_first",
        "guidance": "fluoroscopy",
        "targets": left("L4-L5"),
    }
    if any(_is_contrast(m) for m in overrides.get("medications") or ()):
        data["contrast"] = True
    data.update(overrides)
    return data


def procedure(**overrides: Any) -> Procedure:
    return Procedure.model_validate(procedure_data(**overrides))


def toxin_visit_data(units: list[float] | tuple[float, ...] = (40, 40), **overrides: Any) -> dict[str, Any]:
    """Raw form data for a toxin-only visit: paraspinal onabotulinumtoxinA under ultrasound, no facet joint."""
    data = procedure_data(technique="toxin_only", intent="therapeutic", guidance="ultrasound", targets=[],
                          botulinum_toxin=botox(units))  # fmt: skip
    data.update(overrides)
    return data


def toxin_visit(units: list[float] | tuple[float, ...] = (40, 40), **overrides: Any) -> Procedure:
    return Procedure.model_validate(toxin_visit_data(units, **overrides))


def ablation_data(**overrides: Any) -> dict[str, Any]:
    """Raw form data for a conventional (thermal) radiofrequency ablation at left L4-L5, at the lowest temperature
    the LCD covers, at WHEN."""
    minimum = get_catalog().threshold("lcd.rfa.min_temperature_c").value
    data = procedure_data(technique="radiofrequency_ablation", intent="therapeutic",
                          radiofrequency={"method": "conventional", "temperature_c": minimum})  # fmt: skip
    data.update(overrides)
    return data


def judged_block_data(nrs: int | None, **overrides: Any) -> dict[str, Any]:
    """Raw form data for a first diagnostic lidocaine MBB at left L4-L5: pre-injection pain 10, then ``nrs`` at 30 min
    and at lidocaine's expected duration, so 10 - ``nrs`` tenths of relief by the one definition of a block response
    (domain.block_response); ``nrs`` None: no score, so not evaluated."""
    hours = get_catalog().threshold("relief.expected_duration_hours").value["lidocaine"]
    data = procedure_data(pre_procedure_pain=10, medications=[med("lidocaine", 10, 0.5)],
                          pain_scores=[] if nrs is None else scores((30, nrs), (int(hours * 60), nrs)))  # fmt: skip
    data.update(overrides)
    return data


def follow_up_data(procedure_uid: str, seen_on: date | str, **fields: Any) -> dict[str, Any]:
    """Raw form data for a follow-up visit of the procedure ``procedure_uid``."""
    return {"procedure_uid": procedure_uid, "seen_on": seen_on, "recorded_by": "RN Synthetic", **fields}


def scored_block_data(performed_at: datetime | str = WHEN, **overrides: Any) -> dict[str, Any]:
    """Raw form data for a two-level block with its anaesthetic and a pain score: what a saved visit usually holds."""
    data: dict[str, Any] = {
        "performed_at": performed_at,
        "targets": left("L4-L5", "L5-S1"),
        "medications": [BUPIVACAINE],
        "pre_procedure_pain": 7,
        "pain_scores": [{"minutes_after": 30, "nrs": 2, "activity": "walking"}],
    }
    return procedure_data(**(data | overrides))


def rich_patient(n: int = 1, **overrides: object) -> Patient:
    """A synthetic patient with every common chart field recorded; ``n`` varies MRN and names."""
    fields: dict = {
        "mrn": f"TEST-{n:05d}",
        "family_name": f"Testperson{n}",
        "given_name": f"Alex{n}",
        "date_of_birth": date(1960, 1, 1 + n % 28),
        "sex": Sex.FEMALE,
        "weight_kg": 72.5,
        "diabetes": True,
        "anticoagulants": [
            AnticoagulantUse(agent="clopidogrel", last_dose_at=datetime(2024, 2, 20, 8, 0)),
            AnticoagulantUse(agent="aspirin_secondary"),
        ],
        "allergies": ["iodinated contrast", "latex"],
        "pregnant": False,
        "neuromuscular_disease": None,
        "injection_site_infection": False,
        # Long before the procedures the tests build (outside every toxin window), so it changes no verdict.
        "toxin_elsewhere": [
            ToxinElsewhere(given_on=date(2023, 6, 1), product=BotoxProduct.ONABOTULINUMTOXINA, units=155,
                           indication="chronic migraine", source="neurology clinic, letter")
        ],
    }  # fmt: skip
    fields.update(overrides)
    return Patient(**fields)


def rich_procedure(n: int = 1, **overrides: object) -> Procedure:
    """A fully documented lumbar medial branch block: two levels bilateral, toxin, five pain scores."""
    fields: dict = {
        "uid": f"00000000-0000-4000-8000-{n:012d}",
        "performed_at": datetime(2024, 3, 5, 9, 30),
        "physician": "Dr. Synthetic Example",
        "indication": Indication(
            pain_duration_months=14,
            conservative_care=[ConservativeCare.NSAIDS, ConservativeCare.PHYSICAL_THERAPY],
            conservative_care_details="8 weeks of supervised PT",
            baseline_pain=7,
            disability_scale=DisabilityScale.ODI,
            disability_score=42.0,
        ),
        "diagnoses": ["M47.816", "M47.817"],
        "technique": Technique.MEDIAL_BRANCH_BLOCK,
        "intent": Intent.DIAGNOSTIC_FIRST,
        "guidance": Guidance.FLUOROSCOPY,
        "contrast": True,
        "sedation": Sedation.MINIMAL,
        "targets": [
            Target(level="L5-S1", side=Side.RIGHT),
            Target(level="L4-L5", side=Side.LEFT),
            Target(level="L4-L5", side=Side.RIGHT),
            Target(level="L5-S1", side=Side.LEFT),
        ],
        "medications": [
            MedicationAdministration(
                agent="bupivacaine", concentration_mg_per_ml=5.0, volume_ml=0.5, volume_basis=VolumeBasis.PER_NERVE
            ),
            MedicationAdministration(agent="lidocaine", concentration_mg_per_ml=10, volume_ml=3),
        ],
        "botulinum_toxin": BotoxTreatment(
            product=BotoxProduct.ONABOTULINUMTOXINA,
            vial_units=100,
            diluent_ml=2,
            sites=[
                BotoxSite(muscle="multifidus_lumbar", level="L4", side=Side.LEFT, units=20),
                BotoxSite(muscle="multifidus_lumbar", level="L4", side=Side.RIGHT, units=20),
                BotoxSite(muscle="multifidus_lumbar", level="L5", side=Side.LEFT, units=12.5),
            ],
        ),
        "pre_procedure_pain": 7,
        "pain_scores": [
            PainScore(minutes_after=0, nrs=7, activity="standing"),
            PainScore(minutes_after=15, nrs=3, activity="standing"),
            PainScore(minutes_after=30, nrs=2, activity="walking"),
            PainScore(minutes_after=60, nrs=2),
            PainScore(minutes_after=240, nrs=4, activity="sitting"),
        ],
        "complications": [Complication.VASOVAGAL, Complication.OTHER],
        "complication_details": "brief light-headedness, resolved supine",
        "disposition": Disposition.HOME_WITH_ESCORT,
        "follow_up": "Pain diary; clinic in 2 weeks",
        "notes": "Synthetic test record.\nSecond line.",
    }
    fields.update(overrides)
    return Procedure(**fields)


def rich_patient_data(n: int, **overrides: Any) -> dict[str, Any]:
    """Raw form data with every patient field a form offers filled (what the hostile tests mutate one field of)."""
    data = patient_data(
        n,
        mrn=f"HOS-{n:06d}",
        weight_kg=72.5,
        anticoagulants=[{"agent": "apixaban", "last_dose_at": "2025-03-30T08:00:00"}],
        allergies=["latex"],
        pregnant=False,
        neuromuscular_disease=None,
        injection_site_infection=False,
        toxin_elsewhere=[
            {"given_on": "2025-01-20", "product": "onabotulinumtoxinA", "units": 155, "indication": "chronic migraine",
             "source": "neurology clinic, letter"}
        ],
    )  # fmt: skip
    data.update(overrides)
    return data


def rich_procedure_data() -> dict[str, Any]:
    """Raw form data with every procedure field a form offers filled, toxin and an override included."""
    return scored_block_data(
        "2025-04-02T10:15:00",
        indication={
            "pain_duration_months": 14,
            "conservative_care": ["nsaids", "physical_therapy"],
            "conservative_care_details": "6 weeks of PT",
            "pain_scale": "NRS",
            "baseline_pain": 7,
            "disability_scale": "ODI",
            "disability_score": 38.0,
        },
        diagnoses=["M47.816"],
        contrast=False,
        sedation="none",
        medications=[
            {
                "agent": "bupivacaine",
                "concentration_mg_per_ml": 5.0,
                "volume_ml": 0.5,
                "volume_basis": "per_nerve",
                "site": "target",
            },
            {
                "agent": "lidocaine",
                "concentration_mg_per_ml": 10.0,
                "volume_ml": 1.5,
                "volume_basis": "total",
                "site": "skin",
            },
        ],
        botulinum_toxin={
            "product": "onabotulinumtoxinA",
            "vial_units": 100.0,
            "diluent_ml": 2.0,
            "sites": [{"muscle": "multifidus_lumbar", "level": "L4", "side": "left", "units": 20.0, "product": None}],
        },
        pain_scores=[
            {"minutes_after": 15, "nrs": 3, "activity": "sit-to-stand"},
            {"minutes_after": 30, "nrs": 2, "activity": "walking"},
        ],
        consent_obtained=True,
        time_out_performed=True,
        position="prone",
        skin_prep="chlorhexidine",
        needle="22G 3.5 in spinal",
        contrast_spread="",
        findings="Synthetic findings.",
        estimated_blood_loss="minimal",
        post_procedure_diagnoses=["M47.816"],
        complications=["other"],
        complication_details="brief dizziness",
        disposition="home_stable",
        follow_up="2 weeks",
        notes="Synthetic note.",
        overrides=[
            {
                "rule": "botox.max_units_window",
                "reason": "synthetic reason",
                "acknowledged_by": "Dr. Synthetic",
                "acknowledged_at": "2025-04-02T10:00:00",
            }
        ],
    )
