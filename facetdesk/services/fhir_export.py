"""FHIR export of a case: decision support run on it, the bundle built, written as JSON text."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from facetdesk.domain.case import CaseFile
from facetdesk.domain.catalog import Catalog
from facetdesk.domain.ehr import EhrInterface
from facetdesk.interop.fhir import NoteProse, build_bundle, bundle_json
from facetdesk.interop.files import write_atomically
from facetdesk.services.decision import check_case
from facetdesk.services.rendering import note_content_for_case


def fhir_bundle_for_case(
    case: CaseFile,
    catalog: Catalog,
    now: datetime | None = None,
    *,
    systems: EhrInterface | None = None,
    signed_pdf: bytes | None = None,
) -> str:
    """The case's procedure as FHIR R4B Bundle JSON, with its decision-support findings as DetectedIssues.

    ``now`` is the bundle's timestamp (default: this moment); everything else depends on the case alone, the
    clinic's identifier ``systems`` and, for a signed procedure, its ``signed_pdf`` (a DocumentReference).
    """
    stamp = now if now is not None else datetime.now().astimezone().replace(microsecond=0)
    findings = check_case(case, catalog)
    content = note_content_for_case(case, catalog=catalog, findings=findings)
    written = NoteProse(content.narrative, content.discharge_instructions + content.patient_instructions)
    return bundle_json(
        build_bundle(case, findings, catalog, timestamp=stamp, written=written, systems=systems, signed_pdf=signed_pdf)
    )


def write_fhir_bundle(text: str, path: str | Path, *, shared: bool = False) -> Path:
    """Write the bundle atomically, as the PDF note is written (owner-only unless ``shared``)."""
    return write_atomically(text.encode("utf-8"), path, shared=shared)
