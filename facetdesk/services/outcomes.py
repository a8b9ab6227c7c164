"""Clinic outcomes of a date range: the registry export (every procedure to one CSV file, audited once),
the clinic's figures (domain.clinic_outcomes) and their charts PDF.

What the identified and the de-identified files hold, and what de-identification removes, is in
facetdesk.interop.outcomes. This module checks who asks and for what, reads the records in pages
(never a whole table), each page with its procedures' follow-up visits, and writes the file through
facetdesk.interop.outcomes_csv. The figures are counted from the same pages by an OutcomesTally, then from
the RFs of the patients whose diagnostic block was positive (read in batches of patients).

The identified export is in date order, read in keyset pages along the performed_at index. The
de-identified one is in an order that says nothing about real dates: patients in an order drawn at
random (and numbered in it), each patient's procedures together, oldest first. Rows in date order
would give each shifted date away, as a row's place in the file would tell roughly when it was.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from facetdesk.domain.audit import AuditAction
from facetdesk.domain.catalog import Catalog, get_catalog
from facetdesk.domain.clinic_outcomes import RF, ClinicOutcomes, OutcomesTally
from facetdesk.domain.errors import FieldError, InvalidRecord
from facetdesk.domain.follow_up import FollowUp
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Procedure
from facetdesk.domain.text import shown
from facetdesk.domain.users import Permission
from facetdesk.interop.files import atomic_file, usable_target
from facetdesk.interop.outcomes import (
    DEIDENTIFIED_COLUMNS,
    IDENTIFIED_COLUMNS,
    deidentify,
    draw_shift_days,
    outcome_row,
    pseudonym,
)
from facetdesk.interop.outcomes_csv import write_outcomes_csv
from facetdesk.note.outcome_charts import render_outcome_charts
from facetdesk.services.session import WorkSession
from facetdesk.storage import repository as repo
from facetdesk.storage.db import Database
from facetdesk.storage.follow_ups import follow_ups_of_procedures

# Procedures per date-ordered page, and patients per batch of the de-identified export: each read
# holds this much and no more; the sizes only trade round trips against memory.
PAGE_SIZE = 500
PATIENT_BATCH = 200
CSV_FORMAT = "outcomes-csv"
CHARTS_FORMAT = "outcomes-charts-pdf"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class OutcomesExport:
    """What was written: the file, its number of procedures, and its SHA-256 (also in the audit log)."""

    path: Path
    rows: int
    deidentified: bool
    sha256: str


@dataclass(frozen=True)
class ChartsExport:
    """The charts PDF written: the file, the figures drawn in it, its SHA-256 (also in the audit log)."""

    path: Path
    outcomes: ClinicOutcomes
    sha256: str


def _as_date(value: object, field: str, errors: list[FieldError]) -> date | None:
    if isinstance(value, datetime):
        errors.append(FieldError((field,), "must be a date (YYYY-MM-DD) without a time of day"))
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            errors.append(FieldError((field,), f"{value} is not a day of the calendar"))
            return None
    errors.append(FieldError((field,), f"must be a date (YYYY-MM-DD), not {shown(value)}"))
    return None


def _range(date_from: object, date_to: object) -> tuple[date, date]:
    errors: list[FieldError] = []
    first = _as_date(date_from, "date_from", errors)
    last = _as_date(date_to, "date_to", errors)
    if first is not None and last is not None and last < first:
        errors.append(FieldError(("date_to",), f"{last.isoformat()} is before the from date {first.isoformat()}"))
    if errors:
        raise InvalidRecord(errors)
    assert first is not None and last is not None
    return first, last


def _bounds(first: date, last: date) -> tuple[datetime, datetime | None]:
    """[start, end) of the days from ``first`` to ``last``: the day after the last at midnight, none after the
    calendar's last day."""
    end = None if last == date.max else datetime.combine(last + timedelta(days=1), time.min)
    return datetime.combine(first, time.min), end


class OutcomesService:
    def __init__(self, database: Database, work: WorkSession, catalog: Catalog | None = None):
        self._db = database
        self._work = work
        self._catalog = catalog

    def export_csv(
        self, path: str | os.PathLike[str], date_from: date | str, date_to: date | str, *, deidentify: bool = False
    ) -> OutcomesExport:
        """Write every procedure performed from ``date_from`` to ``date_to`` (inclusive days) to ``path``.

        Dates are ``date`` objects or "YYYY-MM-DD". Refused with NotPermitted without the export
        permission, InvalidRecord naming the field for a bad date or range; OSError when the file
        cannot be written (nothing is then written or recorded). One audit entry, with counts and
        dates but no patient data, is committed before the file takes its name.
        """
        self._work.require(Permission.EXPORT)
        first, last = _range(date_from, date_to)
        if not isinstance(deidentify, bool):
            raise InvalidRecord([FieldError(("deidentify",), "must be yes or no (True or False)")])
        start, end = _bounds(first, last)
        catalog = self._catalog or get_catalog()
        if deidentify:
            columns, rows = DEIDENTIFIED_COLUMNS, self._deidentified_rows(start, end, catalog)
        else:
            columns, rows = IDENTIFIED_COLUMNS, self._identified_rows(start, end, catalog)

        def record(count: int, sha256: str) -> None:
            detail = {
                "format": CSV_FORMAT,
                "deidentified": deidentify,
                "rows": count,
                "from": first.isoformat(),
                "to": last.isoformat(),
                "sha256": sha256,
            }
            with self._db.transaction() as session:
                self._work.log(session, AuditAction.EXPORT, "procedures", None, detail=detail)

        written, count, sha256 = write_outcomes_csv(path, columns, rows, before_rename=record)
        return OutcomesExport(written, count, deidentify, sha256)

    def clinic_outcomes(self, date_from: date | str, date_to: date | str) -> ClinicOutcomes:
        """The clinic's figures for the procedures performed from ``date_from`` to ``date_to`` (inclusive days).

        What is counted is in facetdesk.domain.clinic_outcomes. Anyone who may view records may see them (counts,
        no patient); InvalidRecord naming the field for a bad date or range. Reads in pages, holds no lock.
        """
        self._work.require(Permission.VIEW)
        first, last = _range(date_from, date_to)
        start, end = _bounds(first, last)
        tally = OutcomesTally(self._catalog or get_catalog())
        for page in self._pages(start, end):
            for patient, procedure, visits in page:
                assert patient.id is not None
                tally.add(patient.id, procedure, visits)
        patients = tally.positive_block_patients()
        for i in range(0, len(patients), PATIENT_BATCH):
            # Their RFs from the range's first day on, also after its last: a conversion may come later.
            with self._db.read() as session:
                ablations = repo.performed_by_patients(session, patients[i : i + PATIENT_BATCH], start, None, RF)
            for patient, procedure in ablations:
                assert patient.id is not None
                tally.add_later_rf(patient.id, procedure)
        return tally.result(first, last)

    def export_charts_pdf(
        self, path: str | os.PathLike[str], date_from: date | str, date_to: date | str
    ) -> ChartsExport:
        """Write the clinic's figures from ``date_from`` to ``date_to`` as a charts PDF to ``path``.

        The figures are clinic_outcomes' (counts, no patient named); the file is written whole or not at all,
        and one audit entry (range, SHA-256) is committed before it takes its name. Refused with NotPermitted
        without the export permission, InvalidRecord for a bad range, OSError when it cannot be written.
        """
        self._work.require(Permission.EXPORT)
        outcomes = self.clinic_outcomes(date_from, date_to)
        target = usable_target(path)  # an impossible name is refused before the PDF is drawn
        with self._db.read() as session:
            settings = repo.load_settings(session)
        pdf = render_outcome_charts(
            outcomes,
            generated_at=datetime.now().replace(microsecond=0),
            clinic_name=settings.clinic_name,
            page_size=settings.page_size.value,
        )
        sha256 = hashlib.sha256(pdf).hexdigest()

        def record() -> None:
            detail = {
                "format": CHARTS_FORMAT,
                "from": outcomes.first.isoformat(),
                "to": outcomes.last.isoformat(),
                "procedures": outcomes.procedures,
                "sha256": sha256,
            }
            with self._db.transaction() as session:
                self._work.log(session, AuditAction.EXPORT, "procedures", None, detail=detail)

        with atomic_file(target) as fh:  # owner-only, like every export
            fh.write(pdf)
            record()  # before the file takes its name: a failure leaves neither file nor entry
        return ChartsExport(target, outcomes, sha256)

    def _pages(
        self, start: datetime, end: datetime | None
    ) -> Iterator[list[tuple[Patient, Procedure, list[FollowUp]]]]:
        """The procedures of [start, end) in date order, a page at a time, each with its follow-up visits."""
        after = None
        while True:
            # One short read per page: no snapshot or lock is held while the caller works on it.
            with self._db.read() as session:
                page = repo.performed_between(session, start, end, after, PAGE_SIZE)
                visits = follow_ups_of_procedures(session, [p.id for _, p in page.records if p.id is not None])
            yield [(patient, procedure, visits.get(procedure.id or 0, [])) for patient, procedure in page.records]
            if page.cursor is None:
                return
            after = page.cursor

    def _identified_rows(self, start: datetime, end: datetime | None, catalog: Catalog) -> Iterator[dict[str, Any]]:
        for page in self._pages(start, end):
            for patient, procedure, visits in page:
                yield outcome_row(patient, procedure, catalog, visits)

    def _deidentified_rows(self, start: datetime, end: datetime | None, catalog: Catalog) -> Iterator[dict[str, Any]]:
        with self._db.read() as session:
            patient_ids = repo.patients_performed_between(session, start, end)
        secrets.SystemRandom().shuffle(patient_ids)
        numbered = 0
        for i in range(0, len(patient_ids), PATIENT_BATCH):
            batch = patient_ids[i : i + PATIENT_BATCH]
            with self._db.read() as session:
                records = repo.performed_by_patients(session, batch, start, end)
                visits = follow_ups_of_procedures(session, [p.id for _, p in records if p.id is not None])
            by_patient: dict[int, list[tuple[Patient, Procedure]]] = {}
            for patient, procedure in records:
                assert patient.id is not None
                by_patient.setdefault(patient.id, []).append((patient, procedure))
            for patient_id in batch:
                procedures = by_patient.get(patient_id)
                if not procedures:  # its procedures were moved out of the range meanwhile
                    continue
                numbered += 1
                name, shift = pseudonym(numbered), draw_shift_days()
                for k, (patient, procedure) in enumerate(procedures, start=1):
                    row = outcome_row(patient, procedure, catalog, visits.get(procedure.id or 0, []))
                    yield deidentify(row, pseudonym=name, procedure_ref=f"{name}-{k}", shift_days=shift)
