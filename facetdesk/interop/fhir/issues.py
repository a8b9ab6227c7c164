"""Decision support in a bundle: a DetectedIssue per flagged finding, the met checks as a note; the signature."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fhir.resources.R4B.detectedissue import DetectedIssue
from fhir.resources.R4B.provenance import Provenance

from facetdesk.domain.finding import Finding, Severity, Status, sort_findings
from facetdesk.domain.procedure import Override, Procedure
from facetdesk.interop.fhir.common import PROVENANCE_PARTICIPANT, RULE_SYSTEM, Scope, coding, concept

SEVERITY = {
    Severity.CRITICAL: "high",
    Severity.WARNING: "moderate",
    Severity.CAUTION: "low",
    Severity.INFO: "low",
}
STATUS_LABEL = {
    Status.MET: "met",
    Status.NOT_MET: "not met",
    Status.NOT_EVALUATED: "not evaluated",
    Status.NOT_APPLICABLE: "not applicable",
    Status.ADVISORY: "advisory",
}
NOT_RUN = "Decision support: not run for this export."


def is_issue(finding: Finding) -> bool:
    """A finding that is not met, or could not be evaluated. A met check is no issue: a receiving EHR shows
    every DetectedIssue as an alert, and thirty 'guidance accepted' alerts would bury the one that matters."""
    return finding.status in (Status.NOT_MET, Status.NOT_EVALUATED)


def _override_text(o: Override) -> str:
    return f"Acknowledged by {o.acknowledged_by} on {o.acknowledged_at:%Y-%m-%d %H:%M}: {o.reason}"


def issue_resources(scope: Scope, procedure: Procedure, findings: Sequence[Finding]) -> list[DetectedIssue]:
    out = []
    for f in sort_findings([f for f in findings if is_issue(f)]):
        data: dict[str, Any] = {
            "id": scope.id("issue", f.rule),
            "status": "final",
            "code": concept(
                f"FacetDesk decision support {f.rule}: {f.severity.value}, {STATUS_LABEL[f.status]}",
                coding(RULE_SYSTEM, f.rule),
            ),
            "severity": SEVERITY[f.severity],
            "patient": scope.ref("patient"),
            "implicated": [scope.ref("procedure")],
            "detail": f.message,
        }
        if f.source:
            data["evidence"] = [{"code": [concept(f"Source: {f.source}")]}]
            if f.source.startswith(("http://", "https://")) and not any(c.isspace() for c in f.source):
                data["reference"] = f.source
        override = procedure.override_for(f.rule)
        if override is not None:
            data["mitigation"] = [
                {
                    "action": concept(f"Override documented: {override.reason}"),
                    "date": scope.time(override.acknowledged_at),
                    "author": scope.practitioner(override.acknowledged_by),
                }
            ]
        out.append(DetectedIssue.model_validate(data))
    return out


def decision_support_notes(procedure: Procedure, findings: Sequence[Finding]) -> list[str]:
    """Procedure notes for what is not a DetectedIssue: the checks that were met, and acknowledgements of them."""
    if not findings:
        return [NOT_RUN]
    met = sort_findings([f for f in findings if not is_issue(f)])
    issues = sum(1 for f in findings if is_issue(f))
    lines = [
        f"Decision support: {len(findings)} checks, {issues} flagged (DetectedIssue), {len(met)} met. "
        "It flags possible problems against the configured guidelines; the treating physician decides."
    ]
    for f in met:
        source = f" (Source: {f.source})" if f.source else ""
        lines.append(f"- Met: {f.rule}: {f.message}{source}")
    notes = ["\n".join(lines)]
    flagged = {f.rule for f in findings if is_issue(f)}
    on_record = [f"- {o.rule}: {_override_text(o)}" for o in procedure.overrides if o.rule not in flagged]
    if on_record:
        notes.append("\n".join(["Acknowledgements on record", *on_record]))
    return notes


def signature_provenance(scope: Scope, procedure: Procedure) -> Provenance | None:
    """Who attested the signed procedure and when (the note's 'Electronically signed by')."""
    if procedure.signature is None:
        return None
    s = procedure.signature
    return Provenance.model_validate(
        {
            "id": scope.id("provenance", "signature"),
            "target": [scope.ref("procedure")],
            "recorded": scope.time(s.signed_at),
            "agent": [
                {
                    "type": concept("Signed the procedure", coding(PROVENANCE_PARTICIPANT, "attester", "Attester")),
                    "who": scope.practitioner(s.signed_by),
                }
            ],
        }
    )
