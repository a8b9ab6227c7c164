"""A finding's verdict for a rule of a case, in one call: met, not met, not applicable or not evaluated."""

from __future__ import annotations

from facetdesk.rules.context import RuleCase
from facetdesk.rules.finding import Finding, Severity, Status

Field = tuple[str, ...]


def met(case: RuleCase, rule_id: str, message: str, field: Field = (), source: str | None = None) -> Finding:
    return case.finding(rule_id, Severity.INFO, Status.MET, message, field=field, source=source)


def not_applicable(case: RuleCase, rule_id: str, message: str, field: Field = (), source: str | None = None) -> Finding:
    return case.finding(rule_id, Severity.INFO, Status.NOT_APPLICABLE, message, field=field, source=source)


def not_evaluated(case: RuleCase, rule_id: str, message: str, field: Field = (), source: str | None = None) -> Finding:
    """Not enough recorded to decide: a caution, so the physician checks by hand."""
    return case.finding(rule_id, Severity.CAUTION, Status.NOT_EVALUATED, message, field=field, source=source)


def not_met(
    case: RuleCase,
    rule_id: str,
    message: str,
    field: Field,
    severity: Severity = Severity.WARNING,
    source: str | None = None,
) -> Finding:
    return case.finding(rule_id, severity, Status.NOT_MET, message, field=field, source=source)
