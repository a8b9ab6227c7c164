"""A synthetic one-workstation clinic for the move-to-server tests, with rows in every FacetDesk table."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from facetdesk.domain.audit import sha256_bytes
from facetdesk.domain.procedure import Override
from facetdesk.services.context import build_context
from facetdesk.storage.migrate import VERSION_TABLE
from facetdesk.storage.tables import Base
from tests.actors import ADMIN_PHYSICIAN
from tests.builders.records import rich_patient, rich_procedure
from tests.pg import PgServer

PNG_LOGO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PASSWORDS = {"dr.first": "first physician password", "rn.second": "second nurse password"}


@dataclass(frozen=True)
class Clinic:
    """What build_clinic stored: the database and the ids a test looks things up by."""

    url: str
    path: Path
    patient_ids: list[int]
    procedure_ids: list[int]
    signed_id: int


def build_clinic(path: Path, patients: int = 3) -> Clinic:
    """Accounts, settings with a logo, presets, patients (with toxin given elsewhere), procedures (one signed, with
    an addendum, a follow-up and an image), an audit trail."""
    url = f"sqlite:///{path}"
    ctx = build_context(url, drafts_dir=path.parent / "drafts", actor=ADMIN_PHYSICIAN)
    try:
        first = {"username": "dr.first", "display_name": "Dr. First Ñúñez", "role": "physician"}
        ctx.accounts.create_first_account(first, PASSWORDS["dr.first"])
        nurse = {"username": "rn.second", "display_name": "RN Second", "role": "nurse", "is_admin": False}
        ctx.accounts.create_user(nurse, PASSWORDS["rn.second"])
        # Signed notes go to the EHR: the settings' interface and the outbox's messages move too.
        outbox = path.with_name("ehr-outbox")
        outbox.mkdir(exist_ok=True)
        ctx.settings.save(
            {
                "ehr": {
                    "mrn_system": "urn:oid:2.16.840.1.113883.3.999.1",
                    "procedure_id_system": "https://ehr.example.org/procedures",
                    "mrn_assigning_authority": "SYNTH",
                    "outbox_folder": str(outbox),
                    "send_on_signing": True,
                },
                "clinic_name": "Synthetic Spine Clinic – Süd",
                "address": "1 Example Road\nTestville",
                "phone": "+1 555 0100",
                "logo": PNG_LOGO,
                "page_size": "a4",
                "idle_lock_minutes": 15,
            }
        )
        seeded = ctx.presets.list()
        ctx.presets.delete(seeded[0].id)
        medication = {
            "agent": "bupivacaine",
            "concentration_mg_per_ml": 5.0,
            "volume_ml": 0.3,
            "volume_basis": "per_nerve",
        }
        ctx.presets.save(
            {
                "name": "Cervical MBB (synthetic)",
                "technique": "medial_branch_block",
                "intent": "diagnostic_first",
                "guidance": "fluoroscopy",
                "sedation": "none",
                "region": "cervical",
                "medications": [medication],
            }
        )
        patient_ids, procedure_ids = [], []
        for n in range(1, patients + 1):
            patient = ctx.records.save_patient(rich_patient(n, family_name=f"Ñúñez-{n}", given_name="María"))
            patient_ids.append(patient.id)
            procedure = rich_procedure(
                n,
                performed_at=datetime(2024, 3, n, 9, 30, 15, 123456 + n),
                post_procedure_diagnoses=["M47.816"],
                overrides=[
                    Override(
                        rule="ANTICOAGULANT_INTERVAL",
                        reason="Low-risk procedure; cardiology advises against holding clopidogrel.",
                        acknowledged_by="Dr. First Ñúñez",
                        acknowledged_at=datetime(2024, 3, n, 9, 12, 0, 654321),
                    )
                ],
            )
            procedure_ids.append(ctx.records.save_procedure(patient.id, procedure).id)
        _, to_sign = ctx.records.get_procedure(procedure_ids[0])
        # Signed by dr.first with their own key (the first account's key, certified by the clinic CA).
        ctx.accounts.sign_in("dr.first", PASSWORDS["dr.first"])
        acks = {f.rule: "Synthetic reason for the move test." for f in ctx.signing.open_findings(to_sign.id)}
        signed = ctx.signing.sign_procedure(to_sign.id, to_sign.version, PASSWORDS["dr.first"], acks)
        ctx.signing.add_addendum(
            signed.id, "Addendum: synthetic correction of the follow-up interval.", PASSWORDS["dr.first"]
        )
        # A follow-up of the signed procedure (follow-ups come after signing), with a text that is not ASCII.
        ctx.follow_ups.save(
            {"procedure_uid": signed.uid, "seen_on": "2024-04-02", "recorded_by": "-", "pain_nrs": 3,
             "disability_scale": "ODI", "disability_score": 22.5, "adl_improvement_pct": 40,
             "analgesic_use": "less", "global_impression": "much_improved", "notes": "Läuft 2 km ohne Schmerz."}
        )  # fmt: skip
        # An image saved from the C-arm after signing: a DICOM file whose original and rendering both move.
        from tests.builders.images import fluoroscopy_dicom

        ctx.images.attach(signed.id, fluoroscopy_dicom(), {"view": "ap", "level": "L4-L5", "caption": "Nadel L4"})
        ctx.outbox.deliver_due()  # the note's messages sent, the addendum's too: rows with an outcome
        if len(procedure_ids) > 1:
            _sign_the_old_way(ctx, procedure_ids[1])
    finally:
        ctx.close()
    return Clinic(url, path, patient_ids, procedure_ids, signed.id)


def _sign_the_old_way(ctx, procedure_id: int) -> None:
    """A procedure signed before cryptographic signatures, as migration 0007 leaves one: signed_by and signed_at,
    the signed note kept by 0006, listed in legacy_signed_procedures and vouched for in the audit trail."""
    from facetdesk.domain.audit import AuditAction, AuditEntry, canonical_json, sha256_text
    from facetdesk.services.records import record_hash
    from facetdesk.storage.audit import append_audit
    from facetdesk.storage.procedures import get_procedure
    from facetdesk.storage.tables import LegacySignedRow, ProcedureRow, SignedNoteRow

    signed_at = datetime(2024, 3, 2, 11, 0)
    with ctx.database.transaction() as session:
        row = session.get(ProcedureRow, procedure_id)
        row.signed_by, row.signed_at = "Dr. First Ñúñez", signed_at
        pdf = b"%PDF-1.4 signed before cryptographic signatures (synthetic)"
        session.add(
            SignedNoteRow(
                procedure_id=procedure_id,
                content_sha256="0" * 64,
                pdf_sha256=sha256_bytes(pdf),
                pdf=pdf,
                signed_at=signed_at,
            )
        )
        session.add(LegacySignedRow(procedure_id=procedure_id))
        session.flush()
        patient_id, procedure = get_procedure(session, procedure_id)
        append_audit(
            session,
            AuditEntry(
                at=datetime(2024, 3, 2, 11, 0),
                username="dr.first",
                workstation="test-ws",
                action=AuditAction.SIGN,
                entity="procedure",
                entity_id=str(procedure_id),
                detail={"uid": procedure.uid, "pdf_sha256": sha256_bytes(pdf), **record_hash(procedure, patient_id)},
            ),
        )
        append_audit(
            session,
            AuditEntry(
                at=datetime(2024, 3, 3, 8, 0),
                username="facetdesk",
                workstation="migration 0007",
                action=AuditAction.LEGACY_SIGNATURES,
                entity="procedure",
                detail={"procedures": 1, "ids_sha256": sha256_text(canonical_json([procedure_id]))},
            ),
        )


def tables() -> list[sa.Table]:
    return [t for t in Base.metadata.sorted_tables if t.name != VERSION_TABLE]


def table_rows(url: str) -> dict[str, list[tuple]]:
    """Every row of every FacetDesk table as Python values (datetimes, bools, bytes), in primary-key order."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t.name: [tuple(r) for r in conn.execute(sa.select(t).order_by(*t.primary_key.columns))]
                for t in tables()
            }
    finally:
        engine.dispose()


@pytest.fixture
def empty_server_database(pg_server: PgServer) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, as `createdb` on the clinic's server makes it."""
    name = pg_server.create_database(migrated=False)
    try:
        yield pg_server.url_for(name)
    finally:
        pg_server.drop_database(name)
