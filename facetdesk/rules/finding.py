"""Findings are domain records (facetdesk.domain.finding); re-exported here for rule modules."""

from facetdesk.domain.finding import Finding, Severity, Status, sort_findings

__all__ = ["Finding", "Severity", "Status", "sort_findings"]
