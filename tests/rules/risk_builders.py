"""Synthetic patients, procedures and rule runs for the risk and relief rule tests (no real patient data)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from facetdesk.domain.catalog import get_catalog
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Procedure
from facetdesk.resources import resources_dir
from facetdesk.rules import relief, risks  # noqa: F401  (registers the rules)
from facetdesk.rules.context import RuleCase
from facetdesk.rules.finding import Finding
from facetdesk.rules.registry import RULES, run_rule

WHEN = datetime(2026, 10, 5, 9, 0)


def make_patient(**overrides: Any) -> Patient:
    data: dict[str, Any] = {
        "mrn": "TEST-0001",
        "family_name": "Testperson",
        "given_name": "Alex",
        "date_of_birth": date(1960, 6, 15),
        "sex": "female",
        "weight_kg": 70.0,
        "diabetes": False,
        "pregnant": False,
        "injection_site_infection": False,
    }
    data.update(overrides)
    return Patient.model_validate(data)


def med(agent: str, mg_per_ml: float, ml: float = 1.0) -> dict[str, Any]:
    return {"agent": agent, "concentration_mg_per_ml": mg_per_ml, "volume_ml": ml}


LIDOCAINE = med("lidocaine", 20, 0.5)
BUPIVACAINE = med("bupivacaine", 5.0, 0.5)
STEROID = med("dexamethasone_sodium_phosphate", 4, 1.0)
CONTRAST = med("iohexol", 240, 0.3)

BOTOX = {
    "product": "onabotulinumtoxinA",
    "vial_units": 100,
    "diluent_ml": 2,
    "sites": [{"muscle": "multifidus_lumbar", "level": "L4", "side": "left", "units": 40}],
}


def make_procedure(**overrides: Any) -> Procedure:
    data: dict[str, Any] = {
        "performed_at": WHEN,
        "physician": "Dr. Synthetic",
        "technique": "medial_branch_block",
        "intent": "diagnostic_first",
        "guidance": "fluoroscopy",
        "targets": [{"level": "L4-L5", "side": "left"}, {"level": "L5-S1", "side": "left"}],
        "medications": [LIDOCAINE],
    }
    data.update(overrides)
    return Procedure.model_validate(data)


def scores(*pairs: tuple[int, int]) -> list[dict[str, int]]:
    """(minutes after, NRS) pairs as pain-score records."""
    return [{"minutes_after": m, "nrs": n} for m, n in pairs]


def run(
    rule_id: str,
    patient: Patient | None = None,
    procedure: Procedure | None = None,
    priors: tuple[Procedure, ...] | list[Procedure] = (),
) -> list[Finding]:
    case = RuleCase(patient or make_patient(), procedure or make_procedure(), tuple(priors), get_catalog())
    return run_rule(RULES[rule_id], case)


def one(rule_id: str, **kw: Any) -> Finding:
    findings = run(rule_id, **kw)
    assert len(findings) == 1, findings
    return findings[0]


def value(key: str) -> Any:
    return get_catalog().threshold(key).value


def edited_resources(tmp_path: Path, edit: Callable[[dict], None]) -> Path:
    """A copy of resources/ whose thresholds.json was changed by ``edit``; point FACETDESK_RESOURCES at it."""
    target = tmp_path / "resources"
    shutil.copytree(resources_dir(), target)
    path = target / "thresholds.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data["thresholds"])
    path.write_text(json.dumps(data), encoding="utf-8")
    return target
