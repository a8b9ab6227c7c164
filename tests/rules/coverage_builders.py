"""Builders for synthetic coverage-rule cases (no real patient data)."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import facetdesk.rules.coverage  # noqa: F401 - registers the coverage rules
from facetdesk.domain.catalog import get_catalog
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Procedure
from facetdesk.resources import resources_dir
from facetdesk.rules.context import RuleCase
from facetdesk.rules.finding import Finding
from facetdesk.rules.registry import RULES, run_rule

# A fixed, clearly past procedure time so tests do not depend on the clock.
WHEN = datetime(2024, 3, 14, 9, 30)
DAY_MIN = 24 * 60


def patient(**overrides: Any) -> Patient:
    data: dict[str, Any] = {
        "mrn": "COV-0001",
        "family_name": "Testperson",
        "given_name": "Alex",
        "date_of_birth": date(1960, 6, 15),
        "sex": "female",
        "weight_kg": 70.0,
    }
    data.update(overrides)
    return Patient.model_validate(data)


def proc(**overrides: Any) -> Procedure:
    data: dict[str, Any] = {
        "performed_at": WHEN,
        "physician": "Dr. Synthetic",
        "technique": "medial_branch_block",
        "intent": "diagnostic_first",
        "guidance": "fluoroscopy",
        "targets": bilateral("L4-L5"),
    }
    data.update(overrides)
    return Procedure.model_validate(data)


def bilateral(*levels: str) -> list[dict[str, str]]:
    return [{"level": lv, "side": side} for lv in levels for side in ("left", "right")]


def left(*levels: str) -> list[dict[str, str]]:
    return [{"level": lv, "side": "left"} for lv in levels]


def value(key: str) -> Any:
    return get_catalog().threshold(key).value


def nrs_for_relief(pct: float, baseline: int = 10) -> int:
    """The NRS that gives exactly ``pct`` relief from ``baseline`` (fails if no integer does)."""
    nrs = baseline - baseline * pct / 100
    assert nrs == int(nrs), f"{pct}% relief from {baseline} is not a whole NRS score"
    return int(nrs)


BLOCK_AGENT = "lidocaine"


def scored(relief_pct: float | None = None, *, baseline: int = 10, **overrides: Any) -> dict[str, Any]:
    """Fields for a lidocaine block with ``relief_pct`` relief from 30 minutes through lidocaine's expected duration.

    By the one definition of a block response (domain.block_response) it is positive exactly when ``relief_pct``
    is at least the positive-block threshold.
    """
    hours = value("relief.expected_duration_hours")[BLOCK_AGENT]
    data: dict[str, Any] = {
        "pre_procedure_pain": baseline,
        "medications": [{"agent": BLOCK_AGENT, "concentration_mg_per_ml": 10, "volume_ml": 0.5}],
    }
    if relief_pct is not None:
        nrs = nrs_for_relief(relief_pct, baseline)
        data["pain_scores"] = [{"minutes_after": 30, "nrs": nrs}, {"minutes_after": int(hours * 60), "nrs": nrs}]
    data.update(overrides)
    return data


def days_before(days: float, at: datetime = WHEN) -> datetime:
    return at - timedelta(days=days)


def run(rule_id: str, procedure: Procedure, priors: list[Procedure] = (), pat: Patient | None = None) -> list[Finding]:
    case = RuleCase(pat or patient(), procedure, tuple(priors), get_catalog())
    return run_rule(RULES[rule_id], case)


def one(rule_id: str, procedure: Procedure, priors: list[Procedure] = (), pat: Patient | None = None) -> Finding:
    findings = run(rule_id, procedure, priors, pat)
    assert len(findings) == 1, findings
    return findings[0]


def edited_resources(tmp_path: Path, key: str, new_value: Any) -> Path:
    """A copy of resources/ with one threshold changed."""
    target = tmp_path / "resources"
    shutil.copytree(resources_dir(), target)
    path = target / "thresholds.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["thresholds"][key]["value"] = new_value
    path.write_text(json.dumps(data), encoding="utf-8")
    return target
