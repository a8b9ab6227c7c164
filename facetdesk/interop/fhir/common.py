"""Shared pieces of the FHIR builder: code systems, deterministic ids, references, times and text."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from fhir.resources.R4B.practitioner import Practitioner

from facetdesk.domain.catalog import Catalog
from facetdesk.domain.ehr import PLACEHOLDER_MRN_SYSTEM, PLACEHOLDER_PROCEDURE_SYSTEM
from facetdesk.domain.wording import NOT_DOCUMENTED, NOT_RECORDED, num  # noqa: F401 (the FHIR modules' names)

UCUM = "http://unitsofmeasure.org"
CPT = "http://www.ama-assn.org/go/cpt"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
DIAGNOSIS_ROLE = "http://terminology.hl7.org/CodeSystem/diagnosis-role"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
DATA_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
PROVENANCE_PARTICIPANT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"

# The MRN and procedure identifier systems are the clinic's settings (domain.ehr.EhrInterface); until it names
# them, FacetDesk's own placeholders (not registered identifiers) are used. The rule code system stays FacetDesk's.
RULE_SYSTEM = "urn:facetdesk:decision-support-rule"

# Every id in a bundle is a name-based UUID (version 5) under this namespace, keyed by the procedure's
# uid and the part's role: the same procedure exported twice gives the same ids.
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:facetdesk:fhir-bundle")


# A FHIR string holds no control character but tab, CR and LF (R4 datatypes, "string"), and the official JSON
# schema's pattern ^[ \r\n\t\S]+$ refuses every other whitespace character as well (\s in ECMA and in Python
# regular expressions). Text pasted from a word processor brings them: Word's line break is U+000B, a page
# break U+000C, names and notes carry no-break and ideographic spaces. Line breaks stay line breaks and spaces
# spaces; any other control character shows as U+FFFD, so that what was there is not silently run together.
_LINE_BREAK = re.compile(r"[\v\f\x1c-\x1e\x85\u2028\u2029]")
_SPACE = re.compile(r"[\x1f\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b]")
_NOT_FHIR = re.compile("|".join(p.pattern for p in (_LINE_BREAK, _SPACE, _CONTROL)) + r"|\ufeff")


def fhir_text(value: str) -> str:
    """``value`` in the characters a FHIR string may hold (see above); unchanged when it holds no other."""
    if not _NOT_FHIR.search(value):
        return value
    text = _CONTROL.sub("\ufffd", _SPACE.sub(" ", _LINE_BREAK.sub("\n", value))).replace("\ufeff", "")
    return text or "\ufffd"  # only zero-width no-break spaces: FHIR has no empty strings


def fhir_strings(data: Any) -> Any:
    """``data`` (JSON-like: dicts, lists, scalars) with every string value made a FHIR string (fhir_text)."""
    if isinstance(data, str):
        return fhir_text(data)
    if isinstance(data, dict):
        return {key: fhir_strings(value) for key, value in data.items()}
    if isinstance(data, list):
        return [fhir_strings(value) for value in data]
    return data


def text_or_none(value: str | None) -> str | None:
    """FHIR refuses empty strings: an empty or blank text is left out instead."""
    return value if value and value.strip() else None


def concept(text: str | None = None, *codings: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if codings:
        out["coding"] = list(codings)
    if text_or_none(text):
        out["text"] = text
    return out


def coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    out = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def annotation(text: str, *, author: dict[str, Any] | None = None, time: datetime | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"text": text}
    if author is not None:
        out["authorReference"] = author
    if time is not None:
        out["time"] = time
    return out


def full_url(resource_id: str) -> str:
    return f"urn:uuid:{resource_id}"


@dataclass
class Scope:
    """What every part of one bundle shares: the id key, the catalog, the time zone and the practitioners.

    ``tz`` is the zone the record's wall-clock times are read in; None is the workstation's own zone,
    as in facetdesk.domain.base.local_naive, which made them naive in the first place.
    """

    procedure_uid: str
    catalog: Catalog
    tz: tzinfo | None = None
    practitioners: dict[str, Practitioner] = field(default_factory=dict)
    # Identifier.system of MRNs and of procedure ids (the clinic's settings, else the placeholders).
    mrn_system: str = PLACEHOLDER_MRN_SYSTEM
    procedure_system: str = PLACEHOLDER_PROCEDURE_SYSTEM

    def id(self, *key: str) -> str:
        return str(uuid.uuid5(ID_NAMESPACE, json.dumps([self.procedure_uid, *key])))

    def ref(self, *key: str, display: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"reference": full_url(self.id(*key))}
        if display:
            out["display"] = display
        return out

    def time(self, value: datetime) -> datetime:
        """A record's time with its UTC offset: FHIR needs one on every dateTime that has a time of day."""
        aware = value if value.tzinfo is not None else self._localize(value)
        return aware.astimezone(self.tz)

    def _localize(self, value: datetime) -> datetime:
        if self.tz is None:
            return value.astimezone()  # a naive time is taken as the workstation's local time
        return value.replace(tzinfo=self.tz)

    def practitioner(self, name: str) -> dict[str, Any]:
        """A reference to the Practitioner of that name, added to the bundle on first use."""
        if name not in self.practitioners:
            self.practitioners[name] = Practitioner.model_validate(
                {"id": self.id("practitioner", name), "name": [{"text": name}]}
            )
        return self.ref("practitioner", name, display=name)


@dataclass(frozen=True)
class NoteProse:
    """Paragraphs the printed note writes from the record (built by the note, handed in by the service)."""

    narrative: tuple[str, ...] = ()
    instructions: tuple[str, ...] = ()
