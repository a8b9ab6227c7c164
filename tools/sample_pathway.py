"""A synthetic patient's whole facet pathway, as a case file, for the demo and the screenshots: two diagnostic
medial branch blocks, an ablation, two follow-ups, a repeat ablation 8 months on, Botox for migraine elsewhere."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from facetdesk.domain.case import CaseFile
from facetdesk.domain.catalog import get_catalog
from facetdesk.domain.follow_up import FollowUp
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Procedure

_TARGETS = [{"level": lv, "side": s} for lv in ("L3-L4", "L4-L5") for s in ("left", "right")]
_INDICATION = {
    "pain_duration_months": 14, "conservative_care": ["nsaids", "physical_therapy"], "pain_scale": "NRS",
    "baseline_pain": 7, "disability_scale": "ODI", "disability_score": 46,
}  # fmt: skip


def _procedure(uid: str, when: datetime, **fields: Any) -> Procedure:
    exclusions = [{"key": e.key, "answer": "absent"} for e in get_catalog().exclusions]
    base = {
        "uid": uid, "performed_at": when, "physician": "Dr. Elena Synthetic", "guidance": "fluoroscopy",
        "sedation": "none", "targets": _TARGETS, "diagnoses": ["M47.816"],
        "indication": {**_INDICATION, "exclusions": exclusions},
    }  # fmt: skip
    return Procedure.model_validate(base | fields)


def _block(uid: str, when: datetime, agent: str, hours: float, intent: str) -> Procedure:
    strength = {"lidocaine": 20, "bupivacaine": 5}[agent]
    return _procedure(
        uid, when, technique="medial_branch_block", intent=intent, pre_procedure_pain=7,
        medications=[{"agent": agent, "concentration_mg_per_ml": strength, "volume_ml": 0.5,
                      "volume_basis": "per_nerve"}],
        pain_scores=[{"minutes_after": 30, "nrs": 1}, {"minutes_after": int(hours * 60), "nrs": 1},
                     {"minutes_after": int(hours * 60) + 120, "nrs": 6}],
    )  # fmt: skip


def _ablation(uid: str, when: datetime, pain: int) -> Procedure:
    return _procedure(
        uid, when, technique="radiofrequency_ablation", intent="therapeutic", pre_procedure_pain=pain,
        radiofrequency={"method": "conventional", "cannula_gauge": 18, "active_tip_mm": 10, "sensory_threshold_v": 0.4,
                        "motor_test": "no_radicular_response", "temperature_c": 80, "seconds_per_lesion": 90,
                        "lesions_per_nerve": 2},
    )  # fmt: skip


def _visit(procedure: Procedure, seen: date, pain: int, odi: float, adl: float) -> FollowUp:
    return FollowUp(procedure_uid=procedure.uid, seen_on=seen, recorded_by="RN Sam Synthetic", pain_nrs=pain,
                    disability_scale="ODI", disability_score=odi, adl_improvement_pct=adl,
                    analgesic_use="less", global_impression="much_improved")  # fmt: skip


def sample_pathway() -> CaseFile:
    patient = Patient(
        mrn="DEMO-0077", family_name="Okonkwo-Lind", given_name="Ada", date_of_birth=date(1961, 3, 9), sex="female",
        weight_kg=74, diabetes=False, pregnant=False, neuromuscular_disease=False, injection_site_infection=False,
        renal_impairment=False,
        toxin_elsewhere=[{"given_on": date(2026, 7, 1), "product": "onabotulinumtoxinA", "units": 155,
                          "indication": "chronic migraine", "source": "neurology clinic, letter"}],
    )  # fmt: skip
    first = _block("7e0b7a9c-0000-4000-8000-000000000001", datetime(2025, 9, 2, 9, 0), "lidocaine", 2,
                   "diagnostic_first")  # fmt: skip
    second = _block("7e0b7a9c-0000-4000-8000-000000000002", datetime(2025, 9, 23, 9, 0), "bupivacaine", 3,
                    "diagnostic_confirmatory")  # fmt: skip
    rf = _ablation("7e0b7a9c-0000-4000-8000-000000000003", datetime(2025, 10, 14, 8, 30), 7)
    repeat = _ablation("7e0b7a9c-0000-4000-8000-000000000004", datetime(2026, 6, 16, 8, 30), 6)
    visits = [_visit(rf, date(2026, 1, 20), 2, 22, 60), _visit(rf, date(2026, 4, 21), 3, 26, 55)]
    return CaseFile(patient=patient, procedure=repeat, prior_procedures=[first, second, rf], follow_ups=visits)
