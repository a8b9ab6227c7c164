"""The case a rule looks at: patient, procedure, prior procedures and the thresholds in force."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from facetdesk.domain.catalog import Catalog, Threshold
from facetdesk.domain.finding import SOURCE_SEPARATOR
from facetdesk.domain.follow_up import FollowUp
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Procedure
from facetdesk.rules.finding import Finding, Severity, Status


@dataclass(frozen=True)
class RuleCase:
    patient: Patient
    procedure: Procedure
    priors: tuple[Procedure, ...]
    catalog: Catalog
    # The patient's follow-up visits (after this procedure and the earlier ones), oldest first.
    follow_ups: tuple[FollowUp, ...] = ()
    # Filled by the engine while a rule runs, so findings cite the thresholds that rule used.
    _used: list[Threshold] = field(default_factory=list, compare=False, repr=False)
    # The id of the rule running now, set by the registry, so a rule names itself once (in @rule).
    rule_id: str = field(default="", compare=False, repr=False)

    @property
    def when(self) -> datetime:
        return self.procedure.performed_at

    def th(self, key: str) -> Threshold:
        """A threshold from resources/thresholds.json; remembered as a source of the current rule."""
        threshold = self.catalog.threshold(key)
        if threshold not in self._used:
            self._used.append(threshold)
        return threshold

    def value(self, key: str):
        return self.th(key).value

    def earlier(self) -> list[Procedure]:
        """Prior procedures performed before this one, oldest first."""
        return sorted((p for p in self.priors if p.performed_at < self.when), key=lambda p: p.performed_at)

    def follow_ups_of(self, procedure: Procedure) -> list[FollowUp]:
        """The follow-up visits after ``procedure`` seen by the time of this case's procedure, oldest first."""
        today = self.when.date()
        return [v for v in self.follow_ups if v.procedure_uid == procedure.uid and v.seen_on <= today]

    def finding(
        self,
        rule: str,
        severity: Severity,
        status: Status,
        message: str,
        field: tuple[str, ...] = (),
        source: str | None = None,
        verdict: str | None = None,
    ) -> Finding:
        """Build a finding whose source lists the thresholds used; unconfirmed ones say so."""
        used = list(self._used)
        unconfirmed = any(t.unconfirmed for t in used)
        if source is None:
            source = SOURCE_SEPARATOR.join(dict.fromkeys(t.source for t in used)) or "FacetDesk record check"
        keys = tuple(dict.fromkeys(t.key for t in used if t.unconfirmed))
        if unconfirmed:
            message = f"{message} [uses an unconfirmed threshold: review before relying on it]"
        return Finding(
            rule=rule,
            severity=severity,
            status=status,
            message=message,
            source=source,
            field=field,
            unconfirmed=unconfirmed,
            unconfirmed_keys=keys,
            verdict=verdict,
        )
