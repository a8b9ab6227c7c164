"""Procedure repository: save and load procedures as domain models, with optimistic concurrency."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from facetdesk.domain.base import STORED, is_row_id, local_naive
from facetdesk.domain.catalog import get_catalog
from facetdesk.domain.documentation import ProcedureDocumentation
from facetdesk.domain.enums import Intent, Side, Technique
from facetdesk.domain.procedure import Addendum, Indication, Procedure, Signature
from facetdesk.domain.radiofrequency import Lesioning
from facetdesk.storage.errors import (
    AlreadySigned,
    DuplicateProcedure,
    NotSigned,
    RecordLocked,
    RecordNotFound,
    StaleRecord,
)
from facetdesk.storage.folded import stacked
from facetdesk.storage.medication_rows import medication_dicts, medication_rows
from facetdesk.storage.tables import (
    AddendumRow,
    BotoxSiteRow,
    BotoxTreatmentRow,
    ComplicationRow,
    ConservativeCareRow,
    DiagnosisRow,
    MedicationRow,
    OverrideRow,
    PainScoreRow,
    PatientRow,
    PostDiagnosisRow,
    PresetMedicationRow,
    ProcedureRow,
    TargetRow,
    column_value,
    utcnow,
)

# The most procedures one page of a list reads.
MAX_PAGE = 1000


@dataclass(frozen=True)
class ProcedureCursor:
    """Where a page of a patient's procedures ended: the last row's time and id (newest first)."""

    performed_at: datetime
    id: int


@dataclass(frozen=True)
class ProcedureSummary:
    """One line of a patient's procedure list and timeline: what it shows, read without the whole record."""

    id: int
    uid: str
    performed_at: datetime
    technique: Technique
    intent: Intent
    levels: str  # e.g. "L4-L5, L5-S1 bilateral"
    physician: str
    # (level, side), in spine order, as Procedure.targets.
    targets: tuple[tuple[str, Side], ...] = ()
    pre_procedure_pain: int | None = None
    # (minutes after the injection, NRS), earliest first.
    pain_scores: tuple[tuple[int, int], ...] = ()
    signed_by: str | None = None
    signed_at: datetime | None = None
    # The row version read (storage/versions.py compares it with the stored one).
    version: int = 0

    @property
    def cursor(self) -> ProcedureCursor:
        """Pass as ``before`` to list_procedures for the procedures that follow this one."""
        return ProcedureCursor(self.performed_at, self.id)


def full_load() -> tuple:
    return (
        selectinload(ProcedureRow.conservative_care),
        selectinload(ProcedureRow.diagnoses),
        selectinload(ProcedureRow.post_diagnoses),
        selectinload(ProcedureRow.targets),
        selectinload(ProcedureRow.medications),
        selectinload(ProcedureRow.botulinum_toxin).selectinload(BotoxTreatmentRow.sites),
        selectinload(ProcedureRow.pain_scores),
        selectinload(ProcedureRow.complications),
        selectinload(ProcedureRow.overrides),
        selectinload(ProcedureRow.addenda),
    )


class _Target(NamedTuple):
    """A target as the lists read it: two columns, no ORM object."""

    level: str
    side: str


def _spine_order() -> dict[str, int]:
    """Each joint's place from C2-C3 down, read from the catalog once per list rather than once per target."""
    return {joint.level: i for i, joint in enumerate(get_catalog().joints)}


def _target_order(order: dict[str, int]) -> Callable[[_Target | TargetRow], tuple[int, str]]:
    # A level no longer in the catalog sorts last rather than failing a list.
    return lambda target: (order.get(target.level, 10_000), target.side)


def _exclusions(stored: object) -> object:
    """The answered exclusions as the model takes them; a column that is no {key: answer} map (written outside
    FacetDesk) goes to validation as it is, so the record is refused as invalid rather than crashing the reader."""
    if stored is None:
        return []
    if isinstance(stored, dict):
        return [{"key": k, "answer": v} for k, v in stored.items()]
    return stored


def procedure_from_row(row: ProcedureRow) -> Procedure:
    # Validated on the way out too, as a stored record (STORED): a time ahead of this workstation's
    # clock or a strength since removed from the catalog must not make a chart unreadable.
    botox = row.botulinum_toxin
    return Procedure.model_validate(
        {
            "id": row.id,
            "version": row.version_id,
            **{key: getattr(row, key) for key in _COLUMN_FIELDS},
            "indication": {
                **{key: getattr(row, key) for key in _INDICATION_COLUMNS},
                "conservative_care": [c.care for c in row.conservative_care],
                "exclusions": _exclusions(row.lcd_exclusions),
            },
            "diagnoses": [d.code for d in row.diagnoses],
            "targets": [{"level": t.level, "side": t.side} for t in row.targets],
            "medications": medication_dicts(row.medications),
            "botulinum_toxin": None
            if botox is None
            else {
                "product": botox.product,
                "vial_units": botox.vial_units,
                "diluent_ml": botox.diluent_ml,
                "sites": [
                    {"muscle": s.muscle, "level": s.level, "side": s.side, "units": s.units, "product": s.product}
                    for s in botox.sites
                ],
            },
            "pain_scores": [
                {"minutes_after": p.minutes_after, "nrs": p.nrs, "activity": p.activity} for p in row.pain_scores
            ],
            "documentation": _documentation(row),
            "radiofrequency": _lesioning(row),
            "post_procedure_diagnoses": [d.code for d in row.post_diagnoses],
            "complications": [c.code for c in row.complications],
            "overrides": [
                {
                    "rule": o.rule,
                    "reason": o.reason,
                    "acknowledged_by": o.acknowledged_by,
                    "acknowledged_at": o.acknowledged_at,
                }
                for o in row.overrides
            ],
            "signature": None if row.signed_at is None else {"signed_by": row.signed_by, "signed_at": row.signed_at},
            "addenda": [
                {
                    "author": a.author,
                    "written_at": a.written_at,
                    "text": a.text,
                    "signed_by": a.signed_by,
                    "signed_at": a.signed_at,
                }
                for a in row.addenda
            ],
        },
        context=STORED,
    )


# Fields kept in a column named as the field (the row's own bookkeeping aside): a field added to the model with its
# column (and migration) is stored and read without more code here.
_COLUMNS = set(ProcedureRow.__table__.columns.keys())
_COLUMN_FIELDS = tuple(name for name in Procedure.model_fields if name in _COLUMNS and name not in ("id", "version"))
_INDICATION_COLUMNS = tuple(name for name in Indication.model_fields if name in _COLUMNS)


def _documentation(row: ProcedureRow) -> dict:
    """The documentation items from their columns; a list column that is NULL reads as an empty list."""
    doc = ProcedureDocumentation.model_fields
    return {
        key: ([] if value is None and doc[key].default_factory is list else value)
        for key in doc
        for value in (getattr(row, key),)
    }


# A radiofrequency ablation's lesioning, field by field in rf_<field> columns; an injection has none (rf_method NULL).
_RF_COLUMNS = {name: f"rf_{name}" for name in Lesioning.model_fields}


def _lesioning(row: ProcedureRow) -> dict | None:
    if row.rf_method is None:
        return None
    return {name: getattr(row, column) for name, column in _RF_COLUMNS.items()}


def _fill(row: ProcedureRow, procedure: Procedure) -> None:
    # Every field stored in a column of its own name, the indication's flattened into the procedure's row.
    for key in _COLUMN_FIELDS:
        setattr(row, key, column_value(getattr(procedure, key)))
    for key in _INDICATION_COLUMNS:
        setattr(row, key, column_value(getattr(procedure.indication, key)))
    ind = procedure.indication
    row.lcd_exclusions = {e.key: e.answer.value for e in ind.exclusions} or None
    for key, value in procedure.documentation.model_dump(mode="json").items():
        setattr(row, key, None if value == [] else value)  # an empty list is "not documented", as NULL
    rf = procedure.radiofrequency
    for name, column in _RF_COLUMNS.items():
        setattr(row, column, None if rf is None else column_value(getattr(rf, name)))
    row.updated_at = utcnow()

    row.conservative_care = [ConservativeCareRow(position=i, care=c.value) for i, c in enumerate(ind.conservative_care)]
    row.diagnoses = [DiagnosisRow(position=i, code=code) for i, code in enumerate(procedure.diagnoses)]
    row.post_diagnoses = [
        PostDiagnosisRow(position=i, code=code) for i, code in enumerate(procedure.post_procedure_diagnoses)
    ]
    row.targets = [TargetRow(level=t.level, side=t.side.value) for t in procedure.targets]
    row.medications = medication_rows(MedicationRow, procedure.medications)
    botox = procedure.botulinum_toxin
    row.botulinum_toxin = (
        None
        if botox is None
        else BotoxTreatmentRow(
            product=botox.product.value,
            vial_units=botox.vial_units,
            diluent_ml=botox.diluent_ml,
            sites=[
                BotoxSiteRow(
                    position=i,
                    muscle=s.muscle,
                    level=s.level,
                    side=s.side.value,
                    units=s.units,
                    product=None if s.product is None else s.product.value,
                )
                for i, s in enumerate(botox.sites)
            ],
        )
    )
    row.pain_scores = [
        PainScoreRow(minutes_after=p.minutes_after, nrs=p.nrs, activity=p.activity) for p in procedure.pain_scores
    ]
    row.complications = [ComplicationRow(position=i, code=c.value) for i, c in enumerate(procedure.complications)]
    # The column keeps no zone (SQLite cannot): an aware time is stored as local wall-clock time.
    row.overrides = [
        OverrideRow(
            rule=o.rule,
            reason=o.reason,
            acknowledged_by=o.acknowledged_by,
            acknowledged_at=local_naive(o.acknowledged_at),
        )
        for o in procedure.overrides
    ]


def _addendum_row(position: int, addendum: Addendum) -> AddendumRow:
    return AddendumRow(
        position=position,
        author=addendum.author,
        written_at=local_naive(addendum.written_at),
        text=addendum.text,
        signed_by=addendum.signed_by,
        signed_at=local_naive(addendum.signed_at),
    )


def _clear_children(row: ProcedureRow) -> None:
    # Addenda are not cleared: only an unsigned procedure is ever updated, and it has none.
    row.conservative_care.clear()
    row.diagnoses.clear()
    row.post_diagnoses.clear()
    row.targets.clear()
    row.medications.clear()
    row.botulinum_toxin = None
    row.pain_scores.clear()
    row.complications.clear()
    row.overrides.clear()


def _uid_taken(session: Session, uid: str) -> bool:
    return session.scalar(sa.select(ProcedureRow.id).where(ProcedureRow.uid == uid)) is not None


def save_procedure(session: Session, patient_id: int, procedure: Procedure) -> Procedure:
    """Insert (``id`` None) or update the procedure; returns it with its id and new version.

    An update is refused with RecordLocked when the stored procedure is signed (every writer,
    the editor, services and case import alike, comes through here), and with StaleRecord unless
    ``procedure.version`` is still the stored version; its child rows (targets, medications, ...)
    are replaced, not merged. Signature and addenda are written only on insert (a signed case
    file keeps them); an unsigned procedure is signed with sign_procedure.
    """
    if session.get(PatientRow, patient_id) is None:
        raise RecordNotFound("The patient is no longer in the database (deleted on another workstation?).")
    if procedure.id is None:
        return _insert(session, patient_id, procedure)
    row = _row_for_update(session, procedure.id)
    if row.patient_id != patient_id or row.uid != procedure.uid:
        # A caller bug, not a user mistake: moving a record between patients is not a save.
        raise ValueError(f"procedure {procedure.id} is a different record than the one being saved")
    if row.signed_at is not None:
        # A signature committed after this read still stops the save: signing bumped the version.
        raise RecordLocked(row.signed_by or "", row.signed_at)
    if procedure.signature is not None or procedure.addenda:
        # A caller bug: saving is not signing, and the stored procedure has no signature to keep.
        raise ValueError(f"procedure {procedure.id} is unsigned; sign it with sign_procedure")
    if row.version_id != procedure.version:
        raise StaleRecord()
    # Delete the old children in their own flush: the new ones may reuse their unique keys,
    # and the unit of work would otherwise insert before deleting.
    _clear_children(row)
    session.flush()
    _fill(row, procedure)
    _flush_versioned(session)
    return procedure.model_copy(update={"version": row.version_id})


def _insert(session: Session, patient_id: int, procedure: Procedure) -> Procedure:
    if _uid_taken(session, procedure.uid):
        raise DuplicateProcedure(procedure.uid)
    try:
        with session.begin_nested():
            row = ProcedureRow(patient_id=patient_id, created_at=utcnow())
            _fill(row, procedure)
            if procedure.signature is not None:
                row.signed_by = procedure.signature.signed_by
                row.signed_at = local_naive(procedure.signature.signed_at)
            row.addenda = [_addendum_row(i, a) for i, a in enumerate(procedure.addenda)]
            session.add(row)
            session.flush()
    except sa_exc.IntegrityError:
        if _uid_taken(session, procedure.uid):
            raise DuplicateProcedure(procedure.uid) from None
        raise
    return procedure.model_copy(update={"id": row.id, "version": row.version_id})


def _row_for_update(session: Session, procedure_id: int) -> ProcedureRow:
    if not is_row_id(procedure_id):
        raise RecordNotFound("This procedure is not in the database.")
    # FOR UPDATE: on PostgreSQL a second workstation's save, signature or addendum waits here until this
    # transaction ends, then reads the committed version (StaleRecord, RecordLocked) instead of racing it.
    # SQLite ignores it: BEGIN IMMEDIATE already serialises writers.
    row = session.scalar(
        sa.select(ProcedureRow).where(ProcedureRow.id == procedure_id).options(*full_load()).with_for_update()
    )
    if row is None:
        raise RecordNotFound("This procedure is no longer in the database (deleted on another workstation?).")
    return row


def _flush_versioned(session: Session) -> None:
    try:
        session.flush()  # UPDATE ... WHERE version_id = <read version>: catches a concurrent write
    except StaleDataError:
        raise StaleRecord() from None


def sign_procedure(
    session: Session,
    procedure_id: int,
    signed_by: str,
    signed_at: datetime,
    *,
    expected_version: int | None = None,
) -> Procedure:
    """Mark the stored procedure signed, which locks it; refused (AlreadySigned) when it is signed already.

    With ``expected_version``, a procedure changed since the signer read it is refused (StaleRecord):
    a physician signs what they saw. The cryptographic signature is stored beside it by the caller
    (services.signing, storage.signatures). Returns the procedure as read back from the rows.
    """
    signature = Signature(signed_by=signed_by, signed_at=signed_at)
    row = _row_for_update(session, procedure_id)
    if row.signed_at is not None:
        raise AlreadySigned(row.signed_by or "", row.signed_at)
    if expected_version is not None and row.version_id != expected_version:
        raise StaleRecord()
    row.signed_by = signature.signed_by
    row.signed_at = signature.signed_at
    row.updated_at = utcnow()
    _flush_versioned(session)
    return procedure_from_row(row)


def add_addendum(session: Session, procedure_id: int, addendum: Addendum) -> Procedure:
    """Append an addendum to a signed procedure (NotSigned otherwise); earlier addenda stay as they are.

    Nothing in FacetDesk updates or deletes an addendum: this insert is the only write; its signature
    is stored beside it by the caller. Returns the procedure as read back.
    """
    row = _row_for_update(session, procedure_id)
    if row.signed_at is None:
        raise NotSigned()
    # Positions run 0, 1, 2, ... as nothing ever removes an addendum.
    position = len(row.addenda)
    row.addenda.append(_addendum_row(position, addendum))
    # The procedure's version moves on too: another workstation's copy of it is now out of date.
    row.updated_at = utcnow()
    _flush_versioned(session)
    return procedure_from_row(row)


def get_procedure(session: Session, procedure_id: int, *, lock: bool = False) -> tuple[int, Procedure] | None:
    """(patient id, procedure), or None.

    ``lock`` (in a writing transaction): the procedure's row is locked first, so its child rows, read by the
    statements after, are of the same saved version; every writer of a procedure locks that row first. Without
    it, at PostgreSQL's READ COMMITTED, a colleague's save committing between the statements would mix versions.
    """
    if not is_row_id(procedure_id):
        return None
    query = sa.select(ProcedureRow).where(ProcedureRow.id == procedure_id).options(*full_load())
    row = session.scalar(query.with_for_update() if lock else query)
    return None if row is None else (row.patient_id, procedure_from_row(row))


def usual_medication_agents(session: Session) -> list[str]:
    """The clinic's usual medication agents: those in its presets (most used there first), then the others
    recorded in procedures, most recorded first; ties by key."""

    def by_count(column: InstrumentedAttribute[str]) -> list[str]:
        rows = session.execute(sa.select(column, sa.func.count()).group_by(column)).all()
        return [agent for agent, _ in sorted(rows, key=lambda r: (-r[1], r[0]))]

    in_presets = by_count(PresetMedicationRow.agent)
    return in_presets + [a for a in by_count(MedicationRow.agent) if a not in in_presets]


def earliest_procedure_time(session: Session, patient_id: int) -> datetime | None:
    """When the patient's earliest procedure was performed (one value: no record to load), or None."""
    return session.scalar(
        sa.select(sa.func.min(ProcedureRow.performed_at)).where(ProcedureRow.patient_id == patient_id)
    )


def procedure_by_uid(session: Session, uid: str, *, lock: bool = False) -> tuple[int, Procedure] | None:
    """(patient id, procedure) for the procedure's stable identifier, or None (``lock``: as get_procedure)."""
    query = sa.select(ProcedureRow).where(ProcedureRow.uid == uid).options(*full_load())
    row = session.scalar(query.with_for_update() if lock else query)
    return None if row is None else (row.patient_id, procedure_from_row(row))


def procedures_for_patient(session: Session, patient_id: int) -> list[Procedure]:
    """Every procedure of the patient, oldest first (for relief history and case files)."""
    if not is_row_id(patient_id):
        return []
    rows = session.scalars(
        sa.select(ProcedureRow)
        .where(ProcedureRow.patient_id == patient_id)
        .order_by(ProcedureRow.performed_at, ProcedureRow.id)
        .options(*full_load())
    )
    return [procedure_from_row(r) for r in rows]


def list_procedures(
    session: Session, patient_id: int, before: ProcedureCursor | None = None, limit: int | None = None
) -> list[ProcedureSummary]:
    """The patient's procedures, newest first, reading only what the list and the timeline show.

    ``limit`` rows at most (None: all); ``before`` (the ``cursor`` of the last summary of the previous
    page) asks for the next, older page. One statement per page, whatever its length: the procedures
    through (patient_id, performed_at), and their targets and pain scores by primary key.
    No Procedure is built, so a page costs no validation of whole records.
    """
    if not is_row_id(patient_id):
        return []
    stmt = sa.select(
        ProcedureRow.id,
        ProcedureRow.uid,
        ProcedureRow.performed_at,
        ProcedureRow.technique,
        ProcedureRow.intent,
        ProcedureRow.physician,
        ProcedureRow.pre_procedure_pain,
        ProcedureRow.signed_by,
        ProcedureRow.signed_at,
        ProcedureRow.version_id,
    ).where(ProcedureRow.patient_id == patient_id)
    if before is not None:
        # Keyset pagination: older than the cursor; the plain range lets the index start there.
        stmt = stmt.where(
            ProcedureRow.performed_at <= before.performed_at,
            sa.tuple_(ProcedureRow.performed_at, ProcedureRow.id) < sa.tuple_(before.performed_at, before.id),
        )
    stmt = stmt.order_by(ProcedureRow.performed_at.desc(), ProcedureRow.id.desc())
    if limit is not None:
        stmt = stmt.limit(max(1, min(limit, MAX_PAGE)))
    page = stmt.cte("page")
    on_page = sa.select(page.c.id)
    # One statement (one round trip, one snapshot): the page, its targets and its pain scores, by primary key.
    # Columns, not entities: on the session's connection, without the ORM's result machinery.
    found = session.connection().execute(
        stacked(
            sa.select(page),
            sa.select(TargetRow.procedure_id, TargetRow.level, TargetRow.side).where(
                TargetRow.procedure_id.in_(on_page)
            ),
            sa.select(PainScoreRow.procedure_id, PainScoreRow.minutes_after, PainScoreRow.nrs).where(
                PainScoreRow.procedure_id.in_(on_page)
            ),
        )
    )
    parts: tuple[list[sa.Row], ...] = ([], [], [])
    for row in found:
        parts[row.part].append(row)
    if not parts[0]:
        return []
    rows = sorted(parts[0], key=lambda r: (r.performed_at, r.id), reverse=True)
    targets: dict[int, list[_Target]] = {}
    for t in sorted(parts[1], key=lambda t: (t.procedure_id, t.level, t.side)):
        targets.setdefault(t.procedure_id, []).append(_Target(t.level, t.side))
    scores: dict[int, list[tuple[int, int]]] = {}
    for p in sorted(parts[2], key=lambda p: (p.procedure_id, p.minutes_after)):
        scores.setdefault(p.procedure_id, []).append((p.minutes_after, p.nrs))
    summaries = []
    in_spine_order = _target_order(_spine_order())
    for r in rows:
        ordered = sorted(targets.get(r.id, []), key=in_spine_order)
        summaries.append(
            ProcedureSummary(
                id=r.id,
                uid=r.uid,
                performed_at=r.performed_at,
                technique=Technique(r.technique),
                intent=Intent(r.intent),
                levels=_describe_sorted(ordered),
                physician=r.physician,
                targets=tuple((t.level, Side(t.side)) for t in ordered),
                pre_procedure_pain=r.pre_procedure_pain,
                pain_scores=tuple(scores.get(r.id, ())),
                signed_by=r.signed_by,
                signed_at=r.signed_at,
                version=r.version_id,
            )
        )
    return summaries


def _sides_text(sides: list[str]) -> str:
    if len(set(sides)) == 2:
        return "bilateral"
    return Side(sides[0]).label.lower()


def _describe_sorted(targets: Sequence[_Target | TargetRow]) -> str:
    by_level: dict[str, list[str]] = {}
    for t in targets:
        by_level.setdefault(t.level, []).append(t.side)
    if not by_level:
        return ""
    sides = {_sides_text(s) for s in by_level.values()}
    if len(sides) == 1:
        return f"{', '.join(by_level)} {sides.pop()}"
    return ", ".join(f"{level} {_sides_text(s)}" for level, s in by_level.items())
