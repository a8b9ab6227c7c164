"""The stored versions of a patient and its procedures, read in one statement: how a screen sees another
workstation's save, signature or addendum without reading the records again."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from facetdesk.domain.base import is_row_id
from facetdesk.storage.procedures import ProcedureCursor
from facetdesk.storage.tables import PatientRow, ProcedureRow


@dataclass(frozen=True)
class ProcedureVersion:
    """A procedure's row version (every save, signature and addendum moves it on) and where it sorts."""

    id: int
    version: int
    performed_at: datetime

    @property
    def cursor(self) -> ProcedureCursor:
        return ProcedureCursor(self.performed_at, self.id)


@dataclass(frozen=True)
class RecordVersions:
    """A patient's row version and each of its procedures'."""

    patient: int
    procedures: tuple[ProcedureVersion, ...]

    def procedure(self, procedure_id: int) -> int | None:
        """The stored version of the procedure; None when it is not this patient's (or no longer stored)."""
        return next((p.version for p in self.procedures if p.id == procedure_id), None)

    def differ_from(self, shown: Mapping[int, int], through: ProcedureCursor | None) -> bool:
        """Whether a list showing ``shown`` (procedure id -> version, newest first) is out of date.

        ``through``: the cursor of the last row read when older rows are still to be read (a paged list);
        None when the list holds every procedure. A procedure added, changed or removed within the rows read
        counts; one older than them does not (it is read, as it is now, when the list is scrolled to it).
        """
        if through is None:
            in_view = {p.id: p.version for p in self.procedures}
        else:
            last = (through.performed_at, through.id)
            in_view = {p.id: p.version for p in self.procedures if (p.performed_at, p.id) >= last}
        return in_view != dict(shown)


def record_versions(session: Session, patient_id: int) -> RecordVersions | None:
    """The patient's version and its procedures' (one statement, through the patient index); None: no patient."""
    if not is_row_id(patient_id):
        return None
    rows = session.execute(
        sa.select(PatientRow.version_id, ProcedureRow.id, ProcedureRow.version_id, ProcedureRow.performed_at)
        .select_from(PatientRow)
        .outerjoin(ProcedureRow, ProcedureRow.patient_id == PatientRow.id)
        .where(PatientRow.id == patient_id)
    ).all()
    if not rows:
        return None
    procedures = tuple(ProcedureVersion(id=r[1], version=r[2], performed_at=r[3]) for r in rows if r[1] is not None)
    return RecordVersions(patient=rows[0][0], procedures=procedures)
