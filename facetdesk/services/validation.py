"""Turns raw form or file data into domain models, or into field errors the UI can show."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from facetdesk.domain.case import CaseFile, check_procedure_for_patient
from facetdesk.domain.errors import InvalidRecord, field_errors
from facetdesk.domain.follow_up import FollowUp
from facetdesk.domain.images import AttachedImage
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Procedure

M = TypeVar("M", bound=BaseModel)

# Why a whole record (settings, account, preset: no row version) needs what it was based on: written as it was
# read, it would undo a change made since.
WHOLE_WITHOUT_BASIS = (
    "give the record as it was loaded, or only the fields to change (a dict): a whole record read earlier would "
    "undo a change made meanwhile on another workstation"
)


def validated(model: type[M], data: object) -> M:
    """``data`` as a ``model`` (a model given is validated again, as from a form); InvalidRecord names each bad
    field, never a raw validation error (anything that is not a form, such as a list, is refused by name)."""
    if isinstance(data, model):
        data = data.model_dump()
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidRecord(field_errors(exc)) from None


def with_changes(stored: BaseModel, changes: object) -> object:
    """The stored record with the fields ``changes`` names set to the values given (a sub-record given as a dict
    changes only the fields it names): a save that names what it changes, applied to the record as it stands.
    What is not a dict is returned as it is, for validation to refuse by name."""
    if not isinstance(changes, dict):
        return changes
    merged = stored.model_dump()
    for key, value in changes.items():
        current = getattr(stored, key, None) if isinstance(key, str) and key in type(stored).model_fields else None
        if isinstance(value, dict) and isinstance(current, BaseModel):
            merged[key] = {**current.model_dump(), **value}
        else:
            merged[key] = value
    return merged


def case_file(
    patient: Patient,
    procedure: Procedure,
    priors: list[Procedure] | tuple[Procedure, ...] = (),
    follow_ups: Sequence[FollowUp] = (),
    images: Sequence[AttachedImage] = (),
) -> CaseFile:
    """The stored records as one case, with the follow-ups of its procedures; records that disagree (stored before
    a check existed, or edited behind the app) are refused naming the field, never with a raw validation error."""
    uids = {procedure.uid, *(p.uid for p in priors)}
    visits = [v for v in follow_ups if v.procedure_uid in uids]
    try:
        return CaseFile(
            patient=patient, procedure=procedure, prior_procedures=list(priors), follow_ups=visits, images=list(images)
        )
    except ValidationError as exc:
        raise InvalidRecord(field_errors(exc)) from None


def parse_patient(data: dict[str, Any] | Patient) -> Patient:
    return validated(Patient, data)


def parse_procedure(data: dict[str, Any] | Procedure, patient: Patient | None = None) -> Procedure:
    """Validate a procedure; with the patient known, also check it against the date of birth."""
    procedure = validated(Procedure, data)
    if patient is not None:
        check_procedure_for_patient(patient, procedure)
    return procedure
