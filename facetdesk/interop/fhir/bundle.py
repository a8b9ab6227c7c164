"""Assembles the bundle of one procedure from its parts, and writes it as JSON text."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, tzinfo

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.resource import Resource

from facetdesk.domain.case import CaseFile
from facetdesk.domain.catalog import Catalog
from facetdesk.domain.ehr import EhrInterface
from facetdesk.domain.finding import Finding
from facetdesk.interop.fhir.administrations import medication_resources, toxin_resources
from facetdesk.interop.fhir.common import NoteProse, Scope, fhir_strings, full_url
from facetdesk.interop.fhir.document import document_reference
from facetdesk.interop.fhir.issues import decision_support_notes, issue_resources, signature_provenance
from facetdesk.interop.fhir.observations import disability_resource, pain_resources
from facetdesk.interop.fhir.pathway import follow_up_resources, media_resources, toxin_elsewhere_resources
from facetdesk.interop.fhir.procedure import prior_procedure_resource, procedure_resource
from facetdesk.interop.fhir.subjects import (
    condition_resources,
    encounter_resource,
    patient_resource,
    risk_fact_resources,
)


def build_bundle(
    case: CaseFile,
    findings: Sequence[Finding],
    catalog: Catalog,
    *,
    timestamp: datetime | None = None,
    tz: tzinfo | None = None,
    written: NoteProse | None = None,
    systems: EhrInterface | None = None,
    signed_pdf: bytes | None = None,
) -> Bundle:
    """The procedure of ``case`` as a FHIR R4B collection Bundle, validated by fhir.resources.

    ``findings`` are the decision-support results for the case (computed by the caller: interop runs
    no rules). ``timestamp`` becomes Bundle.timestamp (a naive time is read in ``tz``); None leaves it
    out, so that two exports of one procedure are identical. ``tz`` is the zone the record's
    wall-clock times are read in, None the workstation's (see Scope). ``written``: the note's narrative and
    instructions, so the EHR gets the paragraphs the printed note has. ``systems``: the clinic's identifier
    systems (None: the placeholders). ``signed_pdf``: the signed note, added as a DocumentReference.
    """
    procedure = case.procedure
    interface = systems or EhrInterface()
    scope = Scope(procedure.uid, catalog, tz, mrn_system=interface.mrn_uri, procedure_system=interface.procedure_uri)
    # The Procedure is built first among the parts that name practitioners, so that the performing
    # physician is the first Practitioner of the bundle.
    main = procedure_resource(scope, procedure, decision_support_notes(procedure, findings), written)
    parts: list[Resource] = [
        encounter_resource(scope, procedure),
        *condition_resources(scope, procedure),
        main,
        *medication_resources(scope, procedure),
        *toxin_resources(scope, procedure),
        *pain_resources(scope, procedure),
        *filter(None, [disability_resource(scope, procedure)]),
        *issue_resources(scope, procedure, findings),
        *risk_fact_resources(scope, case.patient),
        *toxin_elsewhere_resources(scope, case),
        *follow_up_resources(scope, case),
        *media_resources(scope, case),
        *(prior_procedure_resource(scope, p) for p in sorted(case.prior_procedures, key=lambda p: p.performed_at)),
        *filter(None, [signature_provenance(scope, procedure)]),
    ]
    if signed_pdf is not None and procedure.signature is not None:
        parts.append(document_reference(scope, case.patient, procedure, signed_pdf, in_bundle=True))
    resources = [patient_resource(scope, case.patient), *scope.practitioners.values(), *parts]
    data: dict = {
        "id": scope.id("bundle"),
        "type": "collection",
        # Every string of every part in FHIR's characters, here once rather than in each builder (so a text
        # added to a part later is covered too): record text may hold what a FHIR string may not.
        "entry": [
            {"fullUrl": full_url(str(r.id)), "resource": fhir_strings(json.loads(r.model_dump_json()))}
            for r in resources
        ],
    }
    if timestamp is not None:
        data["timestamp"] = scope.time(timestamp)
    return Bundle.model_validate(data)


def bundle_json(bundle: Bundle) -> str:
    """The bundle as indented JSON text (UTF-8 characters kept as they are), ending in a newline."""
    return bundle.model_dump_json(indent=2) + "\n"
