"""Self-contained case file: a patient, one procedure and the patient's prior procedures."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from facetdesk.domain.base import Model, duplicates
from facetdesk.domain.errors import FieldError, InvalidRecord
from facetdesk.domain.follow_up import FollowUp
from facetdesk.domain.images import AttachedImage
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Procedure
from facetdesk.domain.text import shown

CASE_FORMAT: Literal["facetdesk-case"] = "facetdesk-case"


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


class SignatureProof(Model):
    """One signature made in a FacetDesk database, carried by a case file so another database can check it.

    ``content`` and ``envelope`` are the exact signed texts (docs/signatures.md); ``signature`` and
    ``certificate`` (the signer's content-key certificate, DER) are base64; ``pdf`` (base64) is carried by
    the newest part of a procedure only: earlier parts signed its first ``pdf_bytes`` bytes.
    """

    procedure_uid: str = Field(min_length=1, max_length=64)
    part: int = Field(ge=0, le=10000)
    content_format: int = Field(ge=1, le=1000)
    content: str = Field(min_length=2, max_length=2_000_000)
    envelope: str = Field(min_length=2, max_length=20_000)
    signature: str = Field(min_length=1, max_length=200)
    certificate: str = Field(min_length=1, max_length=20_000)
    pdf_bytes: int = Field(ge=1, le=50_000_000)
    pdf: str = Field(default="", max_length=70_000_000)


class CaseFile(Model):
    format: Literal["facetdesk-case"] = CASE_FORMAT
    # 2 adds follow-up visits (and radiofrequency ablation), 3 botulinum toxin given elsewhere (with the patient)
    # and the procedure's images; a file of an earlier version reads as it always did.
    format_version: Literal[1, 2, 3] = 3
    patient: Patient
    procedure: Procedure
    prior_procedures: list[Procedure] = Field(default_factory=list)
    # Proof of each signature of the procedures above (export-case writes them; import-case checks them).
    signatures: list[SignatureProof] = Field(default_factory=list)
    # Follow-up visits after the procedures above, oldest first.
    follow_ups: list[FollowUp] = Field(default_factory=list)
    # The images saved at the case's procedure, de-identified (their originals only when the export asked).
    images: list[AttachedImage] = Field(default_factory=list, max_length=100)

    @field_validator("patient")
    @classmethod
    def _patient_of_the_version(cls, v: Patient, info: ValidationInfo) -> Patient:
        if v.toxin_elsewhere and info.data.get("format_version", 3) < 3:
            raise ValueError("toxin given elsewhere (toxin_elsewhere) needs format_version 3")
        return v

    @field_validator("procedure")
    @classmethod
    def _after_birth(cls, v: Procedure, info: ValidationInfo) -> Procedure:
        patient = info.data.get("patient")
        if patient is not None:
            _raise_first(procedure_date_errors(patient, v))
        return v

    @field_validator("prior_procedures")
    @classmethod
    def _priors_after_birth(cls, v: list[Procedure], info: ValidationInfo) -> list[Procedure]:
        patient, main = info.data.get("patient"), info.data.get("procedure")
        # Import keeps the first of two procedures with one uid and silently drops the other.
        dup = duplicates(p.uid for p in v)
        if dup:
            raise ValueError(f"{', '.join(shown(u) for u in dup)} listed more than once (uid)")
        for i, prior in enumerate(v):
            if patient is not None:
                _raise_first(procedure_date_errors(patient, prior), f"row {i + 1}: ")
            if main is not None and prior.uid == main.uid:
                raise ValueError(f"row {i + 1} is the same procedure (uid) as the case's own procedure")
        return v

    @field_validator("follow_ups")
    @classmethod
    def _follow_ups_of_the_case(cls, v: list[FollowUp], info: ValidationInfo) -> list[FollowUp]:
        if v and info.data.get("format_version") == 1:
            raise ValueError("follow-ups need format_version 2")
        main, priors = info.data.get("procedure"), info.data.get("prior_procedures") or []
        uids = {p.uid for p in (main, *priors) if p is not None}
        for i, visit in enumerate(v):
            if main is not None and visit.procedure_uid not in uids:
                raise ValueError(f"row {i + 1} follows up a procedure that is not in the case file")
        return sorted(v, key=lambda visit: visit.seen_on)

    @field_validator("images")
    @classmethod
    def _images_of_the_procedure(cls, v: list[AttachedImage], info: ValidationInfo) -> list[AttachedImage]:
        if v and info.data.get("format_version", 3) < 3:
            raise ValueError("images need format_version 3")
        main = info.data.get("procedure")
        for i, image in enumerate(v):
            if main is not None and image.procedure_uid != main.uid:
                raise ValueError(f"row {i + 1} is an image of another procedure than the case's")
        return v


def _raise_first(errors: list[FieldError], lead: str = "") -> None:
    # Inside a field validator only a message can be raised; the label keeps the sub-field's name.
    if errors:
        raise ValueError(f"{lead}{errors[0]}")
