"""The rule catalog (every rule module, registered) and the engine that runs them."""

from __future__ import annotations

from collections.abc import Sequence

from facetdesk.domain.catalog import Catalog
from facetdesk.domain.follow_up import FollowUp
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Procedure
from facetdesk.rules import botox, coverage, coverage_rf, doses, relief, risks  # noqa: F401 (importing them registers their rules)
from facetdesk.rules.context import RuleCase
from facetdesk.rules.definition import RULES, Rule
from facetdesk.rules.finding import Finding, Severity, Status, sort_findings

__all__ = ["RULES", "Rule", "all_rules", "evaluate", "rule_title", "run_rule"]


def rule_title(rule_id: str) -> str:
    """The rule's plain-language title; its id when no such rule is registered (an old acknowledgement)."""
    found = RULES.get(rule_id)
    return found.title if found else rule_id


def all_rules() -> list[Rule]:
    return sorted(RULES.values(), key=lambda r: (r.category, r.id))


def run_rule(r: Rule, case: RuleCase) -> list[Finding]:
    case._used.clear()
    findings = r.func(case)
    case._used.clear()
    return [f if f.title else f.model_copy(update={"title": r.title}) for f in findings]


def evaluate(
    patient: Patient,
    procedure: Procedure,
    priors: list[Procedure] | tuple[Procedure, ...],
    catalog: Catalog,
    follow_ups: Sequence[FollowUp] = (),
) -> list[Finding]:
    """Every rule's findings for this case, most serious first. Pure: no I/O."""
    case = RuleCase(patient, procedure, tuple(p for p in priors if p.uid != procedure.uid), catalog, tuple(follow_ups))
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
