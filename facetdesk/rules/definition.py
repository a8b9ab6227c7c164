"""How a rule is declared: its id, title, what it checks and the thresholds it reads (the @rule decorator).

Apart from the registry, which imports every rule module: a rule module imports this, never the registry.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from facetdesk.rules.context import RuleCase
from facetdesk.rules.finding import Finding, Severity, Status

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
    # A rule about facet joint interventions (the LCD's, block response): not applicable to a toxin-only visit.
    facet_only: bool = False


RULES: dict[str, Rule] = {}


_NO_JOINT = "not applicable: a toxin-only visit treats no facet joint"


def rule(
    rule_id: str, category: str, title: str, checks: str, thresholds: tuple[str, ...] = (), facet_only: bool = False
):
    """Register a rule function (case -> findings) under a stable id and a plain-language title; a ``facet_only``
    rule reads as not applicable on a visit that treats no facet joint, without running."""

    def register(func: RuleFunc) -> RuleFunc:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        if not title.strip():
            raise ValueError(f"rule {rule_id} needs a title")

        def run(case: RuleCase) -> list[Finding]:
            # The same case (its list of thresholds used is shared), told which rule is running.
            if facet_only and not case.procedure.technique.treats_joints:
                return [case.finding(rule_id, Severity.INFO, Status.NOT_APPLICABLE, _NO_JOINT, field=("technique",))]
            return func(dataclasses.replace(case, rule_id=rule_id))

        RULES[rule_id] = Rule(rule_id, category, title, checks, thresholds, run, facet_only)
        return func

    return register
