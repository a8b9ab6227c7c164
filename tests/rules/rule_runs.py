"""Running one rule on a synthetic case, and rules over an edited copy of resources/, for the rule tests."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

from facetdesk.domain.catalog import get_catalog
from facetdesk.domain.follow_up import FollowUp
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Procedure
from facetdesk.resources import resources_dir
from facetdesk.rules.context import RuleCase
from facetdesk.rules.finding import Finding
from facetdesk.rules.registry import RULES, run_rule
from tests.builders.records import procedure as default_procedure
from tests.builders.records import screened_patient


def run(
    rule_id: str,
    procedure: Procedure | None = None,
    priors: Iterable[Procedure] = (),
    patient: Patient | None = None,
    follow_ups: Iterable[FollowUp] = (),
) -> list[Finding]:
    """The findings of ``rule_id`` (by default for a screened patient and the smallest complete procedure)."""
    case = RuleCase(
        patient or screened_patient(), procedure or default_procedure(), tuple(priors), get_catalog(), tuple(follow_ups)
    )
    return run_rule(RULES[rule_id], case)


def one(
    rule_id: str,
    procedure: Procedure | None = None,
    priors: Iterable[Procedure] = (),
    patient: Patient | None = None,
    follow_ups: Iterable[FollowUp] = (),
) -> Finding:
    """The one finding ``rule_id`` gives for this case."""
    findings = run(rule_id, procedure, priors, patient, follow_ups)
    assert len(findings) == 1, findings
    return findings[0]


def value(key: str) -> Any:
    """A threshold's value as the catalog holds it (tests compute their boundaries from it, never restate it)."""
    return get_catalog().threshold(key).value


def edited_resources(tmp_path: Path, edit: Callable[[dict], None] | Mapping[str, Any]) -> Path:
    """A copy of resources/ whose thresholds were changed: by ``edit(thresholds)``, or to the given key: value."""
    target = tmp_path / "resources"
    shutil.copytree(resources_dir(), target)
    path = target / "thresholds.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    if callable(edit):
        edit(data["thresholds"])
    else:
        for key, new_value in edit.items():
            data["thresholds"][key]["value"] = new_value
    path.write_text(json.dumps(data), encoding="utf-8")
    return target


def use_threshold(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, key: str, new_value: Any) -> None:
    """Rules from here on read a copy of resources/ where threshold ``key`` has ``new_value``."""
    monkeypatch.setenv("FACETDESK_RESOURCES", str(edited_resources(tmp_path, {key: new_value})))
    assert value(key) == new_value
