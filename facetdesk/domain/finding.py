"""A decision-support finding: which rule, how serious, met or not, what it found, and the source."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict


class Severity(str, Enum):
    INFO = "info"
    CAUTION = "caution"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


class Status(str, Enum):
    MET = "met"
    NOT_MET = "not_met"
    NOT_EVALUATED = "not_evaluated"
    # The rule does not apply to this case (no steroid given, not a diagnostic block, ...): neither met nor a problem.
    NOT_APPLICABLE = "not_applicable"
    # Something the physician should know that is no check at all (e.g. an off-label use): always severity info.
    ADVISORY = "advisory"


# Between the references of one finding's source (each threshold's own source may contain "; ").
SOURCE_SEPARATOR = " | "


def source_parts(source: str) -> list[str]:
    """The distinct references in a finding's source."""
    return [part.strip() for part in source.split(SOURCE_SEPARATOR) if part.strip()]


class Finding(BaseModel):
    """What one rule found about one case.

    ``field`` is the procedure/patient field the finding concerns (a model path such as
    ("medications",) or ("patient", "weight_kg")), so the UI can move focus there.
    """

    model_config = ConfigDict(frozen=True)

    rule: str
    # The rule's plain-language title (Rule.title), filled in by the engine: what the screen and the note lead
    # with; the id is the detail.
    title: str = ""
    severity: Severity
    status: Status
    message: str
    source: str
    field: tuple[str, ...] = ()
    unconfirmed: bool = False
    # The configuration keys of the unconfirmed thresholds used (resources/thresholds.json), for the clinic's
    # review: shown as the finding's detail, never in its plain-language message.
    unconfirmed_keys: tuple[str, ...] = ()
    # The rule's answer as data where it has one beyond met/not met (e.g. a block's "positive", "negative",
    # "indeterminate"; RF candidacy "candidate", "not yet", "not a candidate"). The status follows it.
    verdict: str | None = None

    @property
    def applies(self) -> bool:
        """A check that applied to this case (advisories and rules that do not apply are no checks)."""
        return self.status not in (Status.NOT_APPLICABLE, Status.ADVISORY)

    @property
    def needs_acknowledgement(self) -> bool:
        """Warnings and critical findings that are not met need a documented override."""
        return self.status == Status.NOT_MET and self.severity in (Severity.WARNING, Severity.CRITICAL)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Most serious first; unmet before not-evaluated before met before not applicable; then by rule id."""
    status_order = {
        Status.NOT_MET: 0,
        Status.NOT_EVALUATED: 1,
        Status.ADVISORY: 2,
        Status.MET: 3,
        Status.NOT_APPLICABLE: 4,
    }
    return sorted(findings, key=lambda f: (-f.severity.rank, status_order[f.status], f.rule))
