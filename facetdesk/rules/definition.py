"""How a rule is declared: its id, title, what it checks and the thresholds it reads (the @rule decorator).

Apart from the registry, which imports every rule module: a rule module imports this, never the registry.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from facetdesk.rules.context import RuleCase
from facetdesk.rules.finding import Finding

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

        def run(case: RuleCase) -> list[Finding]:
            # The same case (its list of thresholds used is shared), told which rule is running.
            return func(dataclasses.replace(case, rule_id=rule_id))

        RULES[rule_id] = Rule(rule_id, category, title, checks, thresholds, run)
        return func

    return register
