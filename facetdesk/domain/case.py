"""Self-contained case file: a patient, one procedure and the patient's prior procedures."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from facetdesk.domain.base import Model
from facetdesk.domain.errors import FieldError, InvalidRecord
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Procedure

CASE_FORMAT = "facetdesk-case"


def procedure_date_errors(patient: Patient, procedure: Procedure, prefix: tuple = ()) -> list[FieldError]:
    """A procedure cannot predate the patient's birth."""
    if procedure.performed_at.date() < patient.date_of_birth:
        return [
            FieldError(
                prefix + ("performed_at",),
                f"{procedure.performed_at:%Y-%m-%d} is before the patient's date of birth "
                f"{patient.date_of_birth:%Y-%m-%d}",
            )
        ]
    return []


def check_procedure_for_patient(patient: Patient, procedure: Procedure) -> None:
    errors = procedure_date_errors(patient, procedure)
    if errors:
        raise InvalidRecord(errors)


class CaseFile(Model):
    format: Literal["facetdesk-case"] = CASE_FORMAT
    format_version: Literal[1] = 1
    patient: Patient
    procedure: Procedure
    prior_procedures: list[Procedure] = Field(default_factory=list)

    @model_validator(mode="after")
    def _dates_after_birth(self) -> CaseFile:
        errors = procedure_date_errors(self.patient, self.procedure, ("procedure",))
        for i, prior in enumerate(self.prior_procedures):
            errors += procedure_date_errors(self.patient, prior, ("prior_procedures", i))
            if prior.uid == self.procedure.uid:
                errors.append(FieldError(("prior_procedures", i, "uid"), "is the same procedure as the case's own"))
        if errors:
            # A plain ValueError loses the field path, so report all of them in its text.
            raise ValueError("; ".join(str(e) for e in errors))
        return self
