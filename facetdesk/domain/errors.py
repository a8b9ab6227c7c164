"""Field-level validation errors that name the field and what is allowed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from facetdesk.domain.procedure_form import labels as procedure_form_labels
from facetdesk.domain.text import shown

if TYPE_CHECKING:
    # Only named in a signature: the sign-in screen imports these errors before pydantic is loaded.
    from pydantic import ValidationError

# Human names for model fields, so a message reads "Volume (mL)" rather than "volume_ml".
FIELD_LABELS: dict[str, str] = {
    "mrn": "MRN",
    "family_name": "Family name",
    "given_name": "Given name",
    "date_of_birth": "Date of birth",
    "sex": "Sex",
    "weight_kg": "Weight (kg)",
    "diabetes": "Diabetes",
    "anticoagulants": "Anticoagulants",
    "takes_anticoagulants": "Takes an anticoagulant, antiplatelet or NSAID",
    "agent": "Agent",
    "last_dose_at": "Last dose",
    "allergies": "Allergies",
    "pregnant": "Pregnancy",
    "neuromuscular_disease": "Neuromuscular disease",
    "injection_site_infection": "Infection at the injection site",
    "renal_impairment": "Renal impairment",
    "inr": "INR",
    "inr_taken_at": "INR taken",
    "inr_normal": "INR within the laboratory's normal range",
    "toxin_elsewhere": "Botulinum toxin given elsewhere",
    "had_toxin_elsewhere": "Has had botulinum toxin elsewhere",
    "given_on": "Date given",
    "source": "Given by / source",
    "key": "Exclusion",
    "answer": "Answer",
    "level": "Level",
    "side": "Side",
    "concentration_mg_per_ml": "Concentration",
    "volume_ml": "Volume (mL)",
    "volume_basis": "Volume basis",
    "site": "Given",
    "product": "Product",
    "vial_units": "Vial units",
    "diluent_ml": "Diluent (mL)",
    "sites": "Sites",
    "muscle": "Muscle",
    "units": "Units",
    "minutes_after": "Minutes after injection",
    "nrs": "NRS",
    "activity": "Provoking activity",
    "overrides": "Acknowledged findings",
    "reason": "Reason",
    "rule": "Rule",
    "acknowledged_by": "Acknowledged by",
    "acknowledged_at": "Acknowledged at",
    # The procedure form's fields and its documentation items, as described once (domain/procedure_form).
    **procedure_form_labels(),
    "patient": "Patient",
    "procedure": "Procedure",
    "prior_procedures": "Prior procedures",
    "date_from": "From date",
    "date_to": "To date",
    "deidentify": "De-identify",
    "password": "Password",
    "signing_key": "Signing key",
    "signatures": "Signatures",
    # The clinic's EHR interface (domain/ehr.EhrInterface).
    "ehr": "EHR interface",
    "mrn_system": "MRN identifier system",
    "procedure_id_system": "Procedure identifier system",
    "mrn_assigning_authority": "MRN assigning authority (HL7 v2)",
    "sending_application": "Sending application",
    "sending_facility": "Sending facility",
    "receiving_application": "Receiving application",
    "receiving_facility": "Receiving facility",
    "outbox_folder": "Outbox folder",
    "mllp_host": "Interface engine host",
    "mllp_port": "Interface engine port",
    "send_on_signing": "Send on signing",
}


@dataclass(frozen=True)
class FieldError:
    """One problem with one field. ``path`` is the model location, e.g. ('medications', 1, 'volume_ml')."""

    path: tuple[str | int, ...]
    message: str

    @property
    def label(self) -> str:
        parts: list[str] = []
        for p in self.path:
            if isinstance(p, int):
                parts.append(f"row {p + 1}")
            elif p in FIELD_LABELS:
                parts.append(FIELD_LABELS[p])
            elif p.isidentifier() and len(p) <= 40:
                parts.append(p.replace("_", " "))
            else:  # an unknown key from a file: quoted, so a blank, odd or huge one is still visible and short
                parts.append(shown(p))
        return " › ".join(parts) if parts else "Record"

    def __str__(self) -> str:
        return f"{self.label}: {self.message}"


class InvalidRecord(ValueError):
    """Raised when a record cannot be saved or read; carries every field error found."""

    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


def _num(v: object) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _message(err: Mapping[str, Any]) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", err["msg"])).removeprefix("Value error, ")
    if kind == "missing" or (err.get("input", ...) is None and kind.endswith(("_type", "_parsing", "enum"))):
        # None is what an empty field gives: "is required", not "must be a number".
        return "is required"
    if kind == "greater_than":
        return f"must be greater than {_num(ctx['gt'])}"
    if kind == "greater_than_equal":
        return f"must be at least {_num(ctx['ge'])}"
    if kind == "less_than_equal":
        return f"must be at most {_num(ctx['le'])}"
    if kind == "less_than":
        return f"must be less than {_num(ctx['lt'])}"
    if kind in ("int_parsing", "int_type", "int_from_float", "int_parsing_size"):
        return "must be a whole number"
    if kind in ("float_parsing", "float_type"):
        return "must be a number"
    if kind == "finite_number":
        return "must be a finite number (not infinity or NaN)"
    if kind == "string_type":
        return "must be text"
    if kind == "string_unicode":
        return "contains a broken character (an unpaired UTF-16 surrogate) that cannot be stored; retype it"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "must be a group of fields (a JSON object)"
    if kind in ("list_type", "tuple_type", "set_type"):
        return "must be a list"
    if kind == "bytes_type":
        return "must be the bytes of a file"
    if kind == "invalid_key":
        return "field names must be text"
    if kind == "recursion_loop":
        return "is nested too deeply"
    if kind == "date_from_datetime_inexact":
        return "must be a date (YYYY-MM-DD) without a time of day"
    if kind == "string_too_short":
        return "is required" if ctx.get("min_length") == 1 else f"needs at least {ctx['min_length']} characters"
    if kind == "string_too_long":
        return f"must be at most {ctx['max_length']} characters"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} entry"
    if kind == "enum":
        return f"must be one of: {ctx.get('expected')}"
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        return "must be a date (YYYY-MM-DD)"
    if kind in ("datetime_parsing", "datetime_from_date_parsing", "datetime_type", "datetime_object_invalid"):
        return "must be a date and time (YYYY-MM-DDTHH:MM)"
    if kind in ("bool_parsing", "bool_type"):
        return "must be yes, no or unknown"
    if kind == "extra_forbidden":
        return "is not a field FacetDesk knows"
    if kind == "literal_error":
        return f"must be {ctx.get('expected')}"
    return err["msg"]


def field_errors(exc: ValidationError, prefix: tuple[str | int, ...] = ()) -> list[FieldError]:
    """Turn a pydantic ValidationError into FieldErrors with readable messages."""
    out: list[FieldError] = []
    for err in exc.errors(include_url=False):
        # pydantic adds the union branch / validator name to loc for tagged types; drop those.
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        out.append(FieldError(prefix + loc, _message(err)))
    return out
