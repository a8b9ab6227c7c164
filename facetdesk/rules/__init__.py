"""Clinical decision support: pure functions from a case to findings; no I/O."""

from facetdesk.rules.finding import Finding, Severity, Status
from facetdesk.rules.registry import all_rules, evaluate

__all__ = ["Finding", "Severity", "Status", "all_rules", "evaluate"]
