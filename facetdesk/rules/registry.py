"""The rule catalog: each rule's id, what it checks and the thresholds it reads, and the engine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from facetdesk.domain.catalog import Catalog
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Procedure
from facetdesk.rules.context import RuleCase
from facetdesk.rules.finding import Finding, Severity, Status, sort_findings

RuleFunc = Callable[[RuleCase], list[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    # What a physician reads first (the id stays the detail): "Blood thinners", not "risk.anticoagulant".
    title: str
    checks: str
    thresholds: tuple[str, ...]
    func: RuleFunc


RULES: dict[str, Rule] = {}


def rule(rule_id: str, category: str, title: str, checks: str, thresholds: tuple[str, ...] = ()):
    """Register a rule function (case -> findings) under a stable id and a plain-language title."""

    def register(func: RuleFunc) -> RuleFunc:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        if not title.strip():
            raise ValueError(f"rule {rule_id} needs a title")
        RULES[rule_id] = Rule(rule_id, category, title, checks, thresholds, func)
        return func

    return register


def _load_rule_modules() -> None:
    # Importing the modules registers their rules; kept here so callers need one import.
    from facetdesk.rules import botox, coverage, doses, relief, risks  # noqa: F401


def rule_title(rule_id: str) -> str:
    """The rule's plain-language title; its id when no such rule is registered (an old acknowledgement)."""
    _load_rule_modules()
    found = RULES.get(rule_id)
    return found.title if found else rule_id


def all_rules() -> list[Rule]:
    _load_rule_modules()
    return sorted(RULES.values(), key=lambda r: (r.category, r.id))


def run_rule(r: Rule, case: RuleCase) -> list[Finding]:
    case._used.clear()
    findings = r.func(case)
    case._used.clear()
    return [f if f.title else f.model_copy(update={"title": r.title}) for f in findings]


def evaluate(
    patient: Patient, procedure: Procedure, priors: list[Procedure] | tuple[Procedure, ...], catalog: Catalog
) -> list[Finding]:
    """Every rule's findings for this case, most serious first. Pure: no I/O."""
    _load_rule_modules()
    case = RuleCase(patient, procedure, tuple(p for p in priors if p.uid != procedure.uid), catalog)
    findings: list[Finding] = []
    for r in RULES.values():
        try:
            findings.extend(run_rule(r, case))
        except Exception as exc:  # noqa: BLE001 - one broken rule must not hide the others' findings
            findings.append(
                Finding(
                    rule=r.id,
                    title=r.title,
                    severity=Severity.CAUTION,
                    status=Status.NOT_EVALUATED,
                    message=f"could not be evaluated ({type(exc).__name__}); please report this",
                    source="FacetDesk",
                )
            )
    return sort_findings(findings)
