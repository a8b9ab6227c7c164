"""Decision-support use cases: findings for a case file, a stored procedure, or a draft being typed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from facetdesk.domain.case import CaseFile
from facetdesk.domain.catalog import Catalog
from facetdesk.domain.errors import FieldError, field_errors
from facetdesk.domain.follow_up import FollowUp
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Procedure
from facetdesk.domain.relief import BlockAnaesthetic, block_anaesthetic
from facetdesk.rules import Finding, evaluate

# A draft is pruned at most this many times before decision support gives up on it.
_MAX_PRUNES = 25
# A procedure form nests five levels deep (botulinum_toxin > sites > row > field); anything much
# deeper is not a form, and copying or validating it would exhaust the stack.
_MAX_DEPTH = 32


class _TooDeep(Exception):
    def __init__(self, path: tuple[str | int, ...]):
        self.path = path


@dataclass(frozen=True)
class DraftCheck:
    """Findings for what the form holds now, and the problems that kept parts of it out."""

    findings: list[Finding]
    problems: list[FieldError]
    evaluated: bool
    block: BlockAnaesthetic | None = None


def check_case(case: CaseFile, catalog: Catalog) -> list[Finding]:
    return evaluate(case.patient, case.procedure, case.prior_procedures, catalog, case.follow_ups)


def lenient_procedure(data: dict[str, Any]) -> tuple[Procedure | None, list[FieldError]]:
    """Validate a half-typed procedure, dropping the rows or optional fields that are not valid yet.

    While the physician types, a medication row without a volume must not stop every other check.
    """
    if not isinstance(data, dict):
        return None, [FieldError((), "must be a group of fields (a JSON object)")]
    try:
        draft = _copy(data)
    except _TooDeep as exc:
        return None, [FieldError(exc.path, f"is nested more than {_MAX_DEPTH} levels deep; a procedure form is not")]
    if draft.get("uid") is None:
        draft.pop("uid", None)
    # Who performed it changes no finding; a blank name must not hold up the checks while typing.
    physician = draft.get("physician")
    if not isinstance(physician, str) or not physician.strip():
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


def _copy(value: Any, path: tuple[str | int, ...] = ()) -> Any:
    if len(path) > _MAX_DEPTH:
        raise _TooDeep(path[:_MAX_DEPTH])
    if isinstance(value, dict):
        return {k: _copy(v, (*path, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v, (*path, i)) for i, v in enumerate(value)]
    return value


# Fields with a default that changes no finding, or that a finding can do without.
_OPTIONAL_TOP = {
    "id",
    "uid",
    "version",
    "indication",
    "botulinum_toxin",
    "pre_procedure_pain",
    "complication_details",
    "disposition",
    "follow_up",
    "notes",
}


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
        treatment = draft.get("botulinum_toxin")
        sites = treatment.get("sites") if isinstance(treatment, dict) else None
        if isinstance(sites, list) and path[2] < len(sites):
            del sites[path[2]]
            return True
    if head == "indication" and len(path) >= 2 and isinstance(draft.get("indication"), dict):
        return draft["indication"].pop(path[1], None) is not None
    if head in draft and (head in _OPTIONAL_TOP or head not in Procedure.model_fields):
        del draft[head]  # an optional field, or one FacetDesk does not know (reported, then left out)
        return True
    if head in ("medications", "pain_scores", "diagnoses", "complications") and draft.get(head):
        draft[head] = []  # a list-level error (e.g. duplicates): leave the list out of this check
        return True
    return False


def check_draft(
    patient: Patient,
    data: dict[str, Any],
    priors: list[Procedure],
    catalog: Catalog,
    follow_ups: Sequence[FollowUp] = (),
) -> DraftCheck:
    procedure, problems = lenient_procedure(data)
    if procedure is None:
        return DraftCheck([], problems, evaluated=False)
    findings = evaluate(patient, procedure, priors, catalog, follow_ups)
    return DraftCheck(findings, problems, evaluated=True, block=block_anaesthetic(procedure, catalog))
