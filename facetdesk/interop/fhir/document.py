"""The signed note as a FHIR DocumentReference: the signed PDF attached, typed with LOINC (resources/interchange.json).

In a bundle it refers to the bundle's Patient, Practitioner and Procedure; on its own (for an EHR's document
endpoint or the outbox folder) it names them by identifier, with the clinic's identifier systems.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from fhir.resources.R4B.documentreference import DocumentReference

from facetdesk.domain.catalog import get_catalog
from facetdesk.domain.ehr import EhrInterface
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Procedure
from facetdesk.interop.document_codes import document_codes
from facetdesk.interop.fhir.common import Scope, coding, concept, fhir_strings

_URI_SYSTEM = "urn:ietf:rfc:3986"


def signed_parts(procedure: Procedure) -> list[tuple[str, Any]]:
    """(signer, moment) of each signed part: the procedure (part 0), then each addendum."""
    assert procedure.signature is not None
    return [(procedure.signature.signed_by, procedure.signature.signed_at)] + [
        (a.signed_by, a.signed_at) for a in procedure.addenda
    ]


def document_reference(
    scope: Scope, patient: Patient, procedure: Procedure, pdf: bytes, *, in_bundle: bool
) -> DocumentReference:
    """The procedure's signed note as it stands (the latest signed part: the note and every addendum)."""
    parts = signed_parts(procedure)
    part = len(parts) - 1
    signer, moment = parts[-1]
    kind = document_codes().fhir_type
    doc_id = scope.id("document", str(part))
    if in_bundle:
        subject = scope.ref("patient")
        author = scope.practitioner(signer)
        related = scope.ref("procedure")
    else:
        subject = {
            "identifier": {"system": scope.mrn_system, "value": patient.mrn},
            "display": f"{patient.family_name}, {patient.given_name}",
        }
        author = {"display": signer}
        related = {"identifier": {"system": scope.procedure_system, "value": procedure.uid}}
    data: dict[str, Any] = {
        "id": doc_id,
        "masterIdentifier": {"system": _URI_SYSTEM, "value": f"urn:uuid:{doc_id}"},
        "identifier": [{"system": scope.procedure_system, "value": f"{procedure.uid}/note/{part}"}],
        "status": "current",
        "docStatus": "final" if part == 0 else "amended",
        "type": concept(kind.display, coding(kind.system, kind.code, kind.display)),
        "subject": subject,
        "date": scope.time(moment),
        "author": [author],
        "authenticator": author,
        "description": f"{procedure.technique.label} procedure note, signed"
        + ("" if part == 0 else f", with {part} addend{'um' if part == 1 else 'a'}"),
        "content": [
            {
                "attachment": {
                    "contentType": "application/pdf",
                    "language": "en",
                    "data": base64.b64encode(pdf).decode("ascii"),
                    "size": len(pdf),
                    # FHIR's Attachment.hash is the SHA-1 of the data, base64-encoded (an integrity check).
                    "hash": base64.b64encode(hashlib.sha1(pdf).digest()).decode("ascii"),  # noqa: S324
                    "title": f"Procedure note {procedure.performed_at:%Y-%m-%d}",
                    "creation": scope.time(moment),
                }
            }
        ],
        "context": {
            "period": {"start": scope.time(procedure.performed_at)},
            "related": [related],
        },
    }
    if part > 0:
        earlier = scope.id("document", str(part - 1))
        data["relatesTo"] = [
            {"code": "replaces", "target": {"identifier": {"system": _URI_SYSTEM, "value": f"urn:uuid:{earlier}"}}}
        ]
    return DocumentReference.model_validate(fhir_strings(data))  # names as FHIR strings (common.fhir_text)


def standalone_document_json(patient: Patient, procedure: Procedure, pdf: bytes, systems: EhrInterface) -> bytes:
    """The signed note's DocumentReference on its own, as UTF-8 JSON: the outbox's file and `facetdesk document`."""
    scope = Scope(procedure.uid, get_catalog(), mrn_system=systems.mrn_uri, procedure_system=systems.procedure_uri)
    doc = document_reference(scope, patient, procedure, pdf, in_bundle=False)
    return (doc.model_dump_json(indent=2) + "\n").encode("utf-8")
