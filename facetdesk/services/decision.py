"""Decision-support use cases: findings for a case file, a stored procedure, or a draft being typed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from facetdesk.domain.case import CaseFile
from facetdesk.domain.catalog import Catalog
from facetdesk.domain.errors import FieldError, field_errors
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Procedure
from facetdesk.domain.relief import BlockAnaesthetic, block_anaesthetic
from facetdesk.rules import Finding, evaluate

# A draft is pruned at most this many times before decision support gives up on it.
_MAX_PRUNES = 25


@dataclass(frozen=True)
class DraftCheck:
    """Findings for what the form holds now, and the problems that kept parts of it out."""

    findings: list[Finding]
    problems: list[FieldError]
    evaluated: bool
    block: BlockAnaesthetic | None = None


def check_case(case: CaseFile, catalog: Catalog) -> list[Finding]:
    return evaluate(case.patient, case.procedure, case.prior_procedures, catalog)


def lenient_procedure(data: dict[str, Any]) -> tuple[Procedure | None, list[FieldError]]:
    """Validate a half-typed procedure, dropping the rows or optional fields that are not valid yet.

    While the physician types, a medication row without a volume must not stop every other check.
    """
    draft = _copy(data)
    if draft.get("uid") is None:
        draft.pop("uid", None)
    # Who performed it changes no finding; a blank name must not hold up the checks while typing.
    if not str(draft.get("physician") or "").strip():
        draft["physician"] = "(not yet entered)"
    problems: list[FieldError] = []
    for _ in range(_MAX_PRUNES):
        try:
            return Procedure.model_validate(draft), problems
        except ValidationError as exc:
            errors = field_errors(exc)
            problems.extend(errors)
            if not any(_prune(draft, err.path) for err in errors):
                return None, problems
    return None, problems


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


_OPTIONAL_TOP = {"botulinum_toxin", "pre_procedure_pain", "complication_details", "disposition", "follow_up", "notes"}


def _prune(draft: dict, path: tuple) -> bool:
    """Remove the smallest part of the draft the error points at; False when nothing can go."""
    if not path:
        return False
    head = path[0]
    if len(path) >= 2 and isinstance(path[1], int) and isinstance(draft.get(head), list):
        items = draft[head]
        if path[1] < len(items):
            del items[path[1]]
            return True
    if head == "botulinum_toxin" and len(path) >= 3 and path[1] == "sites" and isinstance(path[2], int):
        sites = (draft.get("botulinum_toxin") or {}).get("sites", [])
        if path[2] < len(sites):
            del sites[path[2]]
            return True
    if head == "indication" and len(path) >= 2 and isinstance(draft.get("indication"), dict):
        return draft["indication"].pop(path[1], None) is not None
    if head in _OPTIONAL_TOP and head in draft:
        del draft[head]
        return True
    if head in ("medications", "pain_scores", "diagnoses", "complications") and draft.get(head):
        draft[head] = []  # a list-level error (e.g. duplicates): leave the list out of this check
        return True
    return False


def check_draft(patient: Patient, data: dict[str, Any], priors: list[Procedure], catalog: Catalog) -> DraftCheck:
    procedure, problems = lenient_procedure(data)
    if procedure is None:
        return DraftCheck([], problems, evaluated=False)
    findings = evaluate(patient, procedure, priors, catalog)
    return DraftCheck(findings, problems, evaluated=True, block=block_anaesthetic(procedure, catalog))
