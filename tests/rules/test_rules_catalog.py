"""The rule catalog: every rule documented in docs/rules.md, no clinical numbers in rule code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from facetdesk.domain.catalog import get_catalog
from facetdesk.rules.doc import rules_markdown
from facetdesk.rules.registry import all_rules

ROOT = Path(__file__).resolve().parents[2]
ISSUE_RULES = {
    "lcd.imaging", "lcd.levels", "lcd.regions", "lcd.sessions_12m", "lcd.confirmatory_block",
    "lcd.therapeutic_prerequisite", "lcd.repeat_therapeutic", "lcd.pain_duration", "lcd.conservative_care",
    "lcd.scales", "lcd.diagnostic_ia", "lcd.sedation", "dose.local_anesthetic", "dose.steroid_session",
    "dose.steroid_cumulative", "dose.steroid_in_diagnostic_mbb", "dose.particulate_cervical",
    "volume.intra_articular", "volume.medial_branch", "botox.units_window", "botox.interval",
    "botox.neuromuscular_disease", "botox.product_units", "botox.off_label", "risk.anticoagulant",
    "risk.diabetes_steroid", "risk.infection_site", "risk.pregnancy", "risk.allergy", "relief.diagnostic_block",
    "relief.concordance", "relief.rfa_candidate", "relief.scores_missing",
}  # fmt: skip


def test_docs_rules_md_matches_the_catalog():
    doc = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert doc == rules_markdown(get_catalog()), "docs/rules.md is stale: run python tools/rules_doc.py"


def test_every_rule_the_issue_names_exists():
    assert ISSUE_RULES <= {r.id for r in all_rules()}


def test_every_threshold_a_rule_names_exists_with_source():
    catalog = get_catalog()
    for r in all_rules():
        for key in r.thresholds:
            t = catalog.threshold(key)
            assert t.source and t.confidence in ("C", "S", "U"), key


def test_rule_code_holds_no_clinical_numbers():
    """Clinical numbers belong in resources/thresholds.json; only unit conversions and counting may be literal."""
    allowed = {0, 1, 2, 100, 60, 7, 24}  # counting, percent, minutes/hour, days/week, hours/day
    offenders = []
    for path in (ROOT / "facetdesk" / "rules").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, (int, float))
                and not isinstance(node.value, bool)
            ):
                if node.value not in allowed:
                    offenders.append(f"{path.name}:{node.lineno}: {node.value}")
    assert not offenders, offenders


def test_no_threshold_key_in_rules_is_missing_from_resources():
    catalog = get_catalog()
    keys = set()
    for path in (ROOT / "facetdesk" / "rules").glob("*.py"):
        keys |= set(re.findall(r"""(?:value|th)\(\s*["']([a-z_.]+)["']""", path.read_text(encoding="utf-8")))
    for key in keys:
        catalog.threshold(key)


def test_no_finding_opens_by_repeating_its_title():
    """Findings print as "title: message"; "Sedation: sedation: None" or "Conservative care documented: conservative
    care documented: ..." read twice. Every finding of a few full cases, the patient's risks answered both ways."""
    from facetdesk.rules.registry import evaluate
    from tests.builders.cases import make_case, mbb_botox_case

    repeated = []
    for case in (make_case(), mbb_botox_case()):
        risky = case.patient.model_copy(
            update={"injection_site_infection": True, "pregnant": True, "diabetes": True, "allergies": []}
        )
        for patient in (case.patient, risky):
            for f in evaluate(patient, case.procedure, (), get_catalog()):
                if f.message.lower().startswith(f.title.lower()):
                    repeated.append(f"{f.title}: {f.message[:60]}")
    assert repeated == []
