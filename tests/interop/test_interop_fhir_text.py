"""FHIR exports hold only FHIR strings: text pasted from a word processor keeps its meaning and stays valid.

The check is the official R4 JSON schema's pattern for string and markdown (fhir.schema.json, HL7 FHIR R4
4.0.1, definitions.string.pattern), and the R4 rule that a string holds no character below U+0020 but tab, CR
and LF. The schema's \\s is ECMA's, which also counts U+FEFF as whitespace; Python's adds U+001C-U+001F, U+0085.
"""

from __future__ import annotations

import json
import re
from typing import Any

from facetdesk.domain.catalog import get_catalog
from facetdesk.domain.ehr import EhrInterface
from facetdesk.interop.fhir import build_bundle, bundle_json
from facetdesk.interop.fhir.document import standalone_document_json
from tests.builders.cases import signed_case

SCHEMA_STRING = re.compile(r"^[ \r\n\t\S]+$")
BELOW_SPACE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
PDF = b"%PDF-1.7\n%synthetic\n"


def strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in strings(value)]
    return []


def not_fhir(data: Any) -> list[str]:
    return [s for s in strings(data) if not SCHEMA_STRING.match(s) or "\ufeff" in s or BELOW_SPACE.search(s)]


def pasted_case():
    """Word's line break (U+000B), a page break (U+000C), no-break and ideographic spaces, a stray control."""
    case = signed_case()
    patient = case.patient.model_copy(update={"family_name": "山田\u3000O'Brien", "given_name": "Mary\u00a0Ann"})
    procedure = case.procedure.model_copy(
        update={
            "notes": "\ufeffProne.\x0bSkin prepped.\x0cPage two",
            "findings": "Contrast\u2028spread along the capsule",
            "complication_details": "brief\x01 resolved",
        }
    )
    return case.model_copy(update={"patient": patient, "procedure": procedure})


def test_pasted_text_in_a_bundle_is_fhir_strings_with_its_line_breaks_and_spaces_kept():
    case = pasted_case()
    data = json.loads(bundle_json(build_bundle(case, [], get_catalog(), signed_pdf=PDF)))
    assert not_fhir(data) == []
    text = "\n".join(strings(data))
    assert "Notes: Prone.\nSkin prepped.\nPage two" in text
    assert "Findings: Contrast\nspread along the capsule" in text
    assert "brief\ufffd resolved" in text  # shown as a replacement character, not run together
    patient = next(e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "Patient")
    assert patient["name"] == [{"family": "山田 O'Brien", "given": ["Mary Ann"]}]


def test_the_standalone_document_reference_names_the_patient_in_fhir_strings():
    case = pasted_case()
    data = json.loads(standalone_document_json(case.patient, case.procedure, PDF, EhrInterface()))
    assert not_fhir(data) == []
    assert data["subject"]["display"] == "山田 O'Brien, Mary Ann"
