"""Synthetic patients, procedures and rule runs for the dose, volume and botulinum toxin rule tests."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

import facetdesk.rules.botox  # noqa: F401 - registers the rules
import facetdesk.rules.doses  # noqa: F401 - registers the rules
from facetdesk.domain.catalog import get_catalog
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Procedure
from facetdesk.resources import resources_dir
from facetdesk.rules.context import RuleCase
from facetdesk.rules.finding import Finding
from facetdesk.rules.registry import RULES, run_rule

WHEN = datetime(2024, 3, 14, 9, 30)


def th(key: str) -> Any:
    return get_catalog().threshold(key).value


def patient(**overrides: Any) -> Patient:
    data: dict[str, Any] = {
        "mrn": "TEST-0001",
        "family_name": "Testperson",
        "given_name": "Alex",
        "date_of_birth": date(1960, 6, 15),
        "sex": "female",
        "weight_kg": 70.0,
        "neuromuscular_disease": False,
    }
    data.update(overrides)
    return Patient.model_validate(data)


def med(agent: str, mg_per_ml: float, ml: float, basis: str = "total") -> dict[str, Any]:
    return {"agent": agent, "concentration_mg_per_ml": mg_per_ml, "volume_ml": ml, "volume_basis": basis}


def botox(units: list[float], product: str = "onabotulinumtoxinA") -> dict[str, Any]:
    return {
        "product": product,
        "vial_units": 100,
        "diluent_ml": 2,
        "sites": [{"muscle": "multifidus_lumbar", "level": "L4", "side": "left", "units": u} for u in units],
    }


def procedure(**overrides: Any) -> Procedure:
    data: dict[str, Any] = {
        "performed_at": WHEN,
        "physician": "Dr. Synthetic",
        "technique": "medial_branch_block",
        "intent": "diagnostic_first",
        "guidance": "fluoroscopy",
        "targets": [{"level": "L4-L5", "side": "left"}],
    }
    if overrides.get("medications") and any(
        get_catalog().agent(m["agent"]).drug_class == "contrast" for m in overrides["medications"]
    ):
        data["contrast"] = True
    data.update(overrides)
    return Procedure.model_validate(data)


def run(rule_id: str, proc: Procedure, pat: Patient | None = None, priors: tuple[Procedure, ...] = ()) -> Finding:
    """The one finding ``rule_id`` gives for this case."""
    case = RuleCase(pat or patient(), proc, tuple(priors), get_catalog())
    findings = run_rule(RULES[rule_id], case)
    assert len(findings) == 1, findings
    return findings[0]


def edit_thresholds(monkeypatch, tmp_path: Path, key: str, value: Any) -> None:
    """Point FACETDESK_RESOURCES at a copy of resources/ whose threshold ``key`` has ``value``."""
    target = tmp_path / "resources"
    shutil.copytree(resources_dir(), target)
    path = target / "thresholds.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["thresholds"][key]["value"] = value
    path.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setenv("FACETDESK_RESOURCES", str(target))
    assert get_catalog().threshold(key).value == value
