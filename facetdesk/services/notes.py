"""Procedure note use cases: render a stored procedure or a case file to PDF bytes or a file."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from facetdesk.domain.case import CaseFile
from facetdesk.domain.catalog import Catalog, get_catalog
from facetdesk.note.content import build_note_content
from facetdesk.note.render import render_note
from facetdesk.rules import evaluate
from facetdesk.rules.context import RuleCase
from facetdesk.rules.risks import discharge_instructions
from facetdesk.services.cases import CaseService


def render_case_pdf(
    case: CaseFile,
    *,
    page_size: str = "letter",
    generated_at: datetime | None = None,
    catalog: Catalog | None = None,
) -> bytes:
    """The note with its decision-support section: every rule is evaluated on the case as it stands."""
    catalog = catalog or get_catalog()
    findings = evaluate(case.patient, case.procedure, case.prior_procedures, catalog)
    rule_case = RuleCase(case.patient, case.procedure, tuple(case.prior_procedures), catalog)
    content = build_note_content(
        case,
        generated_at=generated_at or datetime.now().replace(microsecond=0),
        findings=findings,
        discharge_instructions=discharge_instructions(rule_case),
    )
    return render_note(content, page_size=page_size)


def write_pdf(data: bytes, path: str | Path) -> Path:
    """Write atomically: a half-written note must never sit where a finished one is expected."""
    target = Path(path)
    tmp = target.with_name(target.name + ".part")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(target)
    return target


class NoteService:
    def __init__(self, cases: CaseService, page_size: str = "letter"):
        self._cases = cases
        self.page_size = page_size

    def render_procedure(self, procedure_id: int) -> bytes:
        return render_case_pdf(self._cases.export_case(procedure_id), page_size=self.page_size)

    def export_procedure(self, procedure_id: int, path: str | Path) -> Path:
        return write_pdf(self.render_procedure(procedure_id), path)
