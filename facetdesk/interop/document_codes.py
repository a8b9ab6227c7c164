"""The codes a signed note carries as a document for the EHR (resources/interchange.json), each with its source."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from facetdesk.resources import resources_dir


@dataclass(frozen=True)
class DocumentCode:
    system: str
    code: str
    display: str
    source: str
    confidence: str


@dataclass(frozen=True)
class DocumentCodes:
    fhir_type: DocumentCode  # DocumentReference.type (LOINC)
    hl7v2_type: DocumentCode  # TXA-2 (HL7 table 0270)
    hl7v2_observation: DocumentCode  # OBX-3 (LOINC, coding system LN)


@lru_cache(maxsize=1)
def document_codes() -> DocumentCodes:
    data = json.loads((resources_dir() / "interchange.json").read_text(encoding="utf-8"))

    def code(key: str, system_key: str = "system") -> DocumentCode:
        entry = data[key]
        return DocumentCode(
            entry.get(system_key, ""), entry["code"], entry["display"], entry["source"], entry["confidence"]
        )

    return DocumentCodes(
        code("fhir_document_type"), code("hl7v2_document_type", "table"), code("hl7v2_observation_type")
    )
