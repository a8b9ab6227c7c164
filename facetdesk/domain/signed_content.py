"""What a signature covers: explicit, versioned field lists serialised one way (docs/signatures.md).

A content format names every field it covers. Adding a field to a domain model never changes what
an existing format covers, so signatures made under it keep verifying; covering a new field means a
new format number, introduced on purpose (and the old one kept, for the signatures made under it).

Serialisation: canonical JSON (keys sorted, no spaces, UTF-8), every number as a decimal string
without exponent or trailing zeros ("2", "0.25"), dates as YYYY-MM-DD. Clinical times are the
clinic's local wall-clock time as FacetDesk records them (YYYY-MM-DDTHH:MM:SS, no zone), so the
bytes never depend on the zone of the machine that verifies; the moment of signing is also in
the signature's envelope in UTC.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from facetdesk.domain.documentation_items import ITEMS as DOCUMENTATION_ITEMS
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Addendum, Procedure
from facetdesk.domain.procedure_form import FIELDS as FORM_FIELDS

# Format 1, field by field. A nested model lists its own fields; a list of models applies them per item.
_V1_IDENTITY = ("mrn", "family_name", "given_name", "date_of_birth", "sex")
_V1_PATIENT_RECORD = (
    *_V1_IDENTITY,
    "weight_kg",
    "diabetes",
    ("anticoagulants", ("agent", "last_dose_at")),
    "allergies",
    "pregnant",
    "neuromuscular_disease",
    "injection_site_infection",
)
_V1_PROCEDURE = (
    "uid",
    "performed_at",
    "physician",
    (
        "indication",
        (
            "pain_duration_months",
            "conservative_care",
            "conservative_care_details",
            "pain_scale",
            "baseline_pain",
            "disability_scale",
            "disability_score",
        ),
    ),
    "diagnoses",
    "technique",
    "intent",
    "mbb_not_possible_reason",
    "rfa_not_candidate_reason",
    "guidance",
    "contrast",
    "sedation",
    ("targets", ("level", "side")),
    ("medications", ("agent", "concentration_mg_per_ml", "volume_ml", "volume_basis", "site")),
    (
        "botulinum_toxin",
        ("product", "vial_units", "diluent_ml", ("sites", ("muscle", "level", "side", "units", "product"))),
    ),
    "pre_procedure_pain",
    ("pain_scores", ("minutes_after", "nrs", "activity")),
    "consent_obtained",
    "time_out_performed",
    "position",
    "skin_prep",
    "needle",
    "contrast_spread",
    "findings",
    "estimated_blood_loss",
    "post_procedure_diagnoses",
    "complications",
    "complication_details",
    "disposition",
    "follow_up",
    "notes",
    ("overrides", ("rule", "reason", "acknowledged_by", "acknowledged_at")),
)
# Format 2 (issue 14): format 1 plus the patient's renal function and INR and the LCD exclusions answered.
_V2_PATIENT_RECORD = (*_V1_PATIENT_RECORD, "renal_impairment", "inr", "inr_taken_at", "inr_normal")


Spec = tuple[Any, ...]


def _grown(spec: tuple, name: str, *added: Any) -> tuple:
    """``spec`` with ``added`` appended to the field list of its nested model ``name``."""
    return tuple(
        (item[0], (*item[1], *added)) if isinstance(item, tuple) and item[0] == name else item for item in spec
    )


_V2_PROCEDURE = _grown(_V1_PROCEDURE, "indication", ("exclusions", ("key", "answer")))


# Format 3 (issue 17) and later: format 2 plus the documentation items each format covers, as their description
# says (documentation_items.Item.signed_from): format 3 covers the thirteen items of issue 17; an item described
# later with signed_from=4 makes format 4, which covers it too.
def _documentation_spec(fmt: int) -> tuple[str, ...]:
    return tuple(item.key for item in DOCUMENTATION_ITEMS if item.signed_from <= fmt)


def _later_fields(fmt: int) -> tuple[Any, ...]:
    """The procedure's fields described after format 3 (FormField.signed_from) that format ``fmt`` covers: a plain
    field by its name, a model's fields (radiofrequency.method...) as (model, (its fields))."""
    later = [f for f in FORM_FIELDS if 3 < f.signed_from <= fmt]
    nested: dict[str, list[str]] = {}
    for f in later:
        if len(f.path) == 2:
            nested.setdefault(f.path[0], []).append(f.path[1])
    plain = tuple(f.key for f in later if len(f.path) == 1 and f.key not in nested)
    return (*plain, *((name, tuple(keys)) for name, keys in nested.items()))


# Patient record fields added after format 4, by the format that first covers them in the record hash.
_LATER_PATIENT_RECORD: dict[int, Spec] = {
    5: (("toxin_elsewhere", ("given_on", "product", "units", "indication", "source")),),
    # Whether the patient takes an anticoagulant, antiplatelet or NSAID, and has had botulinum toxin elsewhere,
    # each asked apart from its list.
    6: ("takes_anticoagulants", "had_toxin_elsewhere"),
}


def _patient_record_spec(fmt: int) -> Spec:
    return (*_V2_PATIENT_RECORD, *(item for n, spec in _LATER_PATIENT_RECORD.items() if n <= fmt for item in spec))


LATEST_FORMAT = max(
    3,
    *(item.signed_from for item in DOCUMENTATION_ITEMS),
    *(f.signed_from for f in FORM_FIELDS),
    *_LATER_PATIENT_RECORD,
)
_V1_SIGNATURE = ("signed_by", "signed_at")
_V1_ADDENDUM = ("author", "written_at", "text", "signed_by", "signed_at")


class UnknownFormat(ValueError):
    """A signature names a content format this FacetDesk does not know (made by a newer version?)."""

    def __init__(self, fmt: object):
        super().__init__(f"content format {fmt!r} is not known to this FacetDesk (signed by a newer version?)")


def scalar(value: Any) -> Any:
    """One spelling per value: numbers as decimal strings, dates and wall-clock times in ISO form."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # repr is the shortest text that reads back as the same float; Decimal drops the exponent.
        text = format(Decimal(repr(value)).normalize(), "f")
        return "0" if text in ("-0", "0") else text
    if isinstance(value, datetime):
        return value.replace(tzinfo=None, microsecond=0).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} has no canonical form")


def pick(obj: Any, spec: Spec) -> dict[str, Any]:
    """The fields ``spec`` names, read from a model, each in its canonical form."""
    out: dict[str, Any] = {}
    for item in spec:
        name, inner = (item, None) if isinstance(item, str) else item
        value = getattr(obj, name)
        if inner is None:
            out[name] = [scalar(v) for v in value] if isinstance(value, list) else scalar(value)
        elif isinstance(value, list):
            out[name] = [pick(v, inner) for v in value]
        else:
            out[name] = None if value is None else pick(value, inner)
    return out


def canonical_bytes(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8 kept: the bytes every hash and signature is made over."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def identity(patient: Patient) -> dict[str, Any]:
    """The patient's identity as a signature covers it (the same in formats 1 and 2)."""
    return pick(patient, _V1_IDENTITY)


class _Format:
    """The field lists of one content format."""

    def __init__(self, number: int, procedure: Spec, addendum: Spec, patient_record: Spec):
        self.number, self.procedure, self.addendum, self.patient_record = number, procedure, addendum, patient_record

    def procedure_content(self, patient_identity: dict[str, Any], procedure: Procedure) -> dict[str, Any]:
        signature = procedure.signature
        return {
            "content": "facetdesk-procedure",
            "format": self.number,
            "patient": patient_identity,
            "procedure": pick(procedure, self.procedure),
            "signature": None if signature is None else pick(signature, _V1_SIGNATURE),
        }

    def addendum_content(self, procedure_uid: str, position: int, addendum: Addendum) -> dict[str, Any]:
        return {
            "content": "facetdesk-addendum",
            "format": self.number,
            "procedure_uid": procedure_uid,
            "position": str(position),
            "addendum": pick(addendum, self.addendum),
        }


# Every format ever signed stays here: a signature names its format and is verified under it.
_FORMATS: dict[int, _Format] = {
    1: _Format(1, _V1_PROCEDURE, _V1_ADDENDUM, _V1_PATIENT_RECORD),
    2: _Format(2, _V2_PROCEDURE, _V1_ADDENDUM, _V2_PATIENT_RECORD),
    **{
        n: _Format(
            n,
            (*_V2_PROCEDURE, *_later_fields(n), ("documentation", _documentation_spec(n))),
            _V1_ADDENDUM,
            _patient_record_spec(n),
        )
        for n in range(3, LATEST_FORMAT + 1)
    },
}
# What new signatures and record hashes use: the newest format the descriptions define.
CURRENT_FORMAT = LATEST_FORMAT


def _format(fmt: object) -> _Format:
    if not isinstance(fmt, int) or fmt not in _FORMATS:
        raise UnknownFormat(fmt)
    return _FORMATS[fmt]


def procedure_content(
    patient_identity: dict[str, Any], procedure: Procedure, fmt: int = CURRENT_FORMAT
) -> dict[str, Any]:
    """The signed content of a procedure: the patient's identity as given, the procedure and who signed it."""
    return _format(fmt).procedure_content(patient_identity, procedure)


def gives_signed_content(procedure: Procedure, content: str, fmt: int) -> bool:
    """Whether ``procedure`` still gives ``content``, the main part's signed content in format ``fmt`` (with the
    patient's identity as it was signed). ValueError, KeyError, TypeError or UnknownFormat: the content cannot be
    read, so nothing can be said."""
    signed = json.loads(content)
    return canonical_bytes(procedure_content(signed["patient"], procedure, fmt)) == content.encode("utf-8")


def addendum_content(procedure_uid: str, position: int, addendum: Addendum, fmt: int = CURRENT_FORMAT) -> dict:
    """The signed content of one addendum, bound to its procedure and its place (0 = first addendum)."""
    return _format(fmt).addendum_content(procedure_uid, position, addendum)


# ---- record hashes for the audit trail (tamper evidence of unsigned records) -------------------
RECORD_FORMAT = CURRENT_FORMAT


def patient_record_hash(patient: Patient, fmt: int = RECORD_FORMAT) -> str:
    """SHA-256 of a patient record's content (the format's fields), kept in the audit entry of each change."""
    spec = _format(fmt).patient_record
    return sha256_hex(canonical_bytes({"record": "patient", "format": fmt, "patient": pick(patient, spec)}))


# A follow-up visit's fields as its record hash covers them (follow-ups were first hashed in format 5).
_FOLLOW_UP_RECORD: Spec = (
    "procedure_uid", "seen_on", "recorded_by", "pain_nrs", "disability_scale", "disability_score",
    "adl_improvement_pct", "analgesic_use", "global_impression", "notes",
)  # fmt: skip


def follow_up_record_hash(visit: Any, fmt: int = RECORD_FORMAT) -> str:
    """SHA-256 of a follow-up visit's content, kept in the audit entry of each change (formats 5 and later)."""
    if not isinstance(fmt, int) or fmt < 5:
        raise UnknownFormat(fmt)
    _format(fmt)  # a format this FacetDesk does not know is refused, as for every record
    return sha256_hex(
        canonical_bytes({"record": "follow_up", "format": fmt, "follow_up": pick(visit, _FOLLOW_UP_RECORD)})
    )


# An image's record as its hash covers it; its sha256 field binds the original file (images: format 5 and later).
_IMAGE_RECORD: Spec = (
    "procedure_uid", "view", "level", "caption", "source_format", "modality", "width", "height", "sha256",
    "added_by", "added_at",
)  # fmt: skip


def image_record_hash(image: Any, fmt: int = RECORD_FORMAT) -> str:
    """SHA-256 of an image's record (and, through its sha256, of the original file), kept in its audit entry."""
    if not isinstance(fmt, int) or fmt < 5:
        raise UnknownFormat(fmt)
    _format(fmt)
    return sha256_hex(canonical_bytes({"record": "image", "format": fmt, "image": pick(image, _IMAGE_RECORD)}))


def procedure_record_hash(patient_id: int, procedure: Procedure, fmt: int = RECORD_FORMAT) -> str:
    """SHA-256 of a procedure record's content and its patient link (the format's fields), kept with each change."""
    content = _format(fmt).procedure_content({"patient_id": str(patient_id)}, procedure)
    return sha256_hex(canonical_bytes({"record": "procedure", **content}))
