"""Rendering notes: a case file to PDF bytes with its decision support, and atomic PDF files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from facetdesk.domain.case import CaseFile
from facetdesk.domain.catalog import Catalog, get_catalog
from facetdesk.domain.finding import Finding
from facetdesk.domain.settings import ClinicSettings
from facetdesk.interop.files import write_atomically
from facetdesk.note.content import NoteContent, build_note_content
from facetdesk.note.render import render_handout, render_note
from facetdesk.rules import evaluate
from facetdesk.rules.context import RuleCase
from facetdesk.rules.risks import discharge_instructions


@dataclass(frozen=True)
class RenderedNote:
    pdf: bytes
    warnings: tuple[str, ...]


def render_case_note(
    case: CaseFile,
    *,
    clinic: ClinicSettings | None = None,
    page_size: str | None = None,
    generated_at: datetime | None = None,
    catalog: Catalog | None = None,
    signer_fingerprint: str = "",
) -> RenderedNote:
    """The note with its decision-support section: every rule is evaluated on the case as it stands.

    ``page_size`` overrides the clinic's setting (the command line's --page-size).
    """
    content = note_content_for_case(
        case, clinic=clinic, generated_at=generated_at, catalog=catalog, signer_fingerprint=signer_fingerprint
    )
    return RenderedNote(render_note(content, page_size=page_size), tuple(content.warnings))


def note_content_for_case(
    case: CaseFile,
    *,
    clinic: ClinicSettings | None = None,
    generated_at: datetime | None = None,
    catalog: Catalog | None = None,
    findings: Sequence[Finding] | None = None,
    signer_fingerprint: str = "",
) -> NoteContent:
    """What the note shows, with every rule evaluated on the case as it stands (the PDF and the FHIR export).

    ``findings``: the rules' results when the caller already has them for this case (not evaluated twice).
    """
    catalog = catalog or get_catalog()
    if findings is None:
        findings = evaluate(case.patient, case.procedure, case.prior_procedures, catalog, case.follow_ups)
    rule_case = RuleCase(case.patient, case.procedure, tuple(case.prior_procedures), catalog, tuple(case.follow_ups))
    return build_note_content(
        case,
        clinic=clinic,
        generated_at=generated_at or datetime.now().replace(microsecond=0),
        findings=findings,
        discharge_instructions=discharge_instructions(rule_case),
        signer_fingerprint=signer_fingerprint,
    )


def render_case_handout(case: CaseFile, *, clinic: ClinicSettings | None = None, page_size: str | None = None,
                        generated_at: datetime | None = None) -> bytes:  # fmt: skip
    """The patient's handout for the case: its discharge instructions and pain diary sheet."""
    content = note_content_for_case(case, clinic=clinic, generated_at=generated_at)
    return render_handout(content, page_size=page_size)


def render_case_pdf(case: CaseFile, *, page_size: str | None = None, **kwargs) -> bytes:
    return render_case_note(case, page_size=page_size, **kwargs).pdf


def write_pdf(data: bytes, path: str | Path, *, shared: bool = False) -> Path:
    """Write atomically: a half-written note must never sit where a finished one is expected (owner-only
    unless ``shared``)."""
    return write_atomically(data, path, shared=shared)
