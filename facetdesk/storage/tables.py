"""SQLAlchemy tables for patients, procedures, clinic settings and presets, portable between SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timezone
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Every constraint gets a stable name: Alembic batch mode on SQLite and later
# migrations on PostgreSQL can only drop or alter a constraint they can name.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Search keys are folded text compared byte-wise, so a prefix becomes a range
# query a plain b-tree index answers on both databases ("C" collation on PostgreSQL;
# SQLite's default BINARY collation already compares bytes).
SearchKey = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")

# Enum members are stored as their string .value; no CHECK constraint, so adding a
# member to an enum needs no migration (the domain model validates on read and write).
EnumText = sa.String(32)
ShortText = sa.String(200)


def column_value(value: object) -> object:
    """A domain value as its column holds it: an enum by its value."""
    return value.value if isinstance(value, Enum) else value


def utcnow() -> datetime:
    # Audit timestamps are naive UTC: SQLite keeps no zone, and local time jumps at DST.
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _children(order_by: object | None = None) -> dict:
    # Children live and die with their parent; lazy loading raises so every query must
    # say what it loads (selectinload), which keeps N+1 queries out of list screens.
    options: dict = {"cascade": "all, delete-orphan", "passive_deletes": True, "lazy": "raise_on_sql"}
    if order_by is not None:
        options["order_by"] = order_by
    return options


def _parent_fk(column: str) -> sa.ForeignKey:
    return sa.ForeignKey(column, ondelete="CASCADE")


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class PatientRow(Base):
    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    mrn: Mapped[str] = mapped_column(sa.String(32), unique=True)
    # Revision 0009: every UPDATE checks and bumps it, so a save based on an old read fails (StaleRecord).
    version_id: Mapped[int] = mapped_column(sa.Integer, server_default="1")
    family_name: Mapped[str] = mapped_column(sa.String(100))
    given_name: Mapped[str] = mapped_column(sa.String(100))
    # Folded copies of the searchable fields (see facetdesk.storage.textkey).
    mrn_key: Mapped[str] = mapped_column(SearchKey)
    family_key: Mapped[str] = mapped_column(SearchKey)
    given_key: Mapped[str] = mapped_column(SearchKey)
    date_of_birth: Mapped[date] = mapped_column(sa.Date)
    sex: Mapped[str] = mapped_column(EnumText)
    weight_kg: Mapped[float | None] = mapped_column(sa.Double)
    diabetes: Mapped[bool | None] = mapped_column(sa.Boolean)
    pregnant: Mapped[bool | None] = mapped_column(sa.Boolean)
    neuromuscular_disease: Mapped[bool | None] = mapped_column(sa.Boolean)
    injection_site_infection: Mapped[bool | None] = mapped_column(sa.Boolean)
    # Revision 0008: renal function (dabigatran's hold) and the latest INR (warfarin's); NULL: not recorded.
    renal_impairment: Mapped[bool | None] = mapped_column(sa.Boolean)
    inr: Mapped[float | None] = mapped_column(sa.Double)
    inr_taken_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    inr_normal: Mapped[bool | None] = mapped_column(sa.Boolean)
    # Revision 0018: whether the patient takes an anticoagulant, antiplatelet or NSAID, and has had botulinum toxin
    # elsewhere; NULL: not asked.
    takes_anticoagulants: Mapped[bool | None] = mapped_column(sa.Boolean)
    had_toxin_elsewhere: Mapped[bool | None] = mapped_column(sa.Boolean)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    anticoagulants: Mapped[list[PatientAnticoagulantRow]] = relationship(
        **_children(lambda: PatientAnticoagulantRow.position)
    )
    allergies: Mapped[list[PatientAllergyRow]] = relationship(**_children(lambda: PatientAllergyRow.position))
    toxin_elsewhere: Mapped[list[PatientToxinElsewhereRow]] = relationship(
        **_children(lambda: PatientToxinElsewhereRow.position)
    )

    __table_args__ = (
        # Case-insensitive MRN uniqueness: "ab-12" and "AB-12" are the same chart.
        sa.Index("ix_patients_mrn_key", "mrn_key", unique=True),
        sa.Index("ix_patients_name_key", "family_key", "given_key"),
        sa.Index("ix_patients_given_key", "given_key"),
    )
    __mapper_args__ = {"version_id_col": version_id}


class PatientAnticoagulantRow(Base):
    __tablename__ = "patient_anticoagulants"

    patient_id: Mapped[int] = mapped_column(_parent_fk("patients.id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    agent: Mapped[str] = mapped_column(sa.String(64))
    last_dose_at: Mapped[datetime | None] = mapped_column(sa.DateTime)


class PatientAllergyRow(Base):
    __tablename__ = "patient_allergies"

    patient_id: Mapped[int] = mapped_column(_parent_fk("patients.id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(ShortText)


class PatientToxinElsewhereRow(Base):
    """Revision 0015: botulinum toxin the patient was given elsewhere (facetdesk.domain.toxin)."""

    __tablename__ = "patient_toxin_elsewhere"

    patient_id: Mapped[int] = mapped_column(_parent_fk("patients.id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    given_on: Mapped[date] = mapped_column(sa.Date)
    product: Mapped[str] = mapped_column(EnumText)
    units: Mapped[float] = mapped_column(sa.Double)
    indication: Mapped[str] = mapped_column(ShortText)
    source: Mapped[str] = mapped_column(ShortText)


class ProcedureRow(Base):
    __tablename__ = "procedures"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(sa.String(64), unique=True)
    patient_id: Mapped[int] = mapped_column(sa.ForeignKey("patients.id", ondelete="RESTRICT"))
    version_id: Mapped[int] = mapped_column(sa.Integer)
    performed_at: Mapped[datetime] = mapped_column(sa.DateTime, index=True)
    physician: Mapped[str] = mapped_column(sa.String(100))
    # Indication, flattened (conservative care is a child table).
    pain_duration_months: Mapped[int | None] = mapped_column(sa.Integer)
    conservative_care_details: Mapped[str] = mapped_column(ShortText, default="")
    pain_scale: Mapped[str] = mapped_column(EnumText)
    baseline_pain: Mapped[int | None] = mapped_column(sa.Integer)
    disability_scale: Mapped[str | None] = mapped_column(EnumText)
    disability_score: Mapped[float | None] = mapped_column(sa.Double)
    # Revision 0008: the LCD exclusions answered, {key: answer} (one column, no extra query on open);
    # NULL on rows written before it, read as none answered.
    lcd_exclusions: Mapped[dict[str, str] | None] = mapped_column(sa.JSON)
    technique: Mapped[str] = mapped_column(EnumText)
    intent: Mapped[str] = mapped_column(EnumText)
    # Coverage documentation; the server default fills rows written before these columns existed.
    mbb_not_possible_reason: Mapped[str] = mapped_column(ShortText, default="", server_default="")
    rfa_not_candidate_reason: Mapped[str] = mapped_column(ShortText, default="", server_default="")
    guidance: Mapped[str] = mapped_column(EnumText)
    contrast: Mapped[bool] = mapped_column(sa.Boolean)
    sedation: Mapped[str] = mapped_column(EnumText)
    pre_procedure_pain: Mapped[int | None] = mapped_column(sa.Integer)
    complication_details: Mapped[str] = mapped_column(ShortText, default="")
    disposition: Mapped[str | None] = mapped_column(EnumText)
    follow_up: Mapped[str] = mapped_column(ShortText, default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    # Documentation of the procedure itself (revision 0003); unknown (NULL) or empty on older rows.
    consent_obtained: Mapped[bool | None] = mapped_column(sa.Boolean)
    time_out_performed: Mapped[bool | None] = mapped_column(sa.Boolean)
    position: Mapped[str | None] = mapped_column(EnumText)
    skin_prep: Mapped[str | None] = mapped_column(EnumText)
    needle: Mapped[str] = mapped_column(ShortText, default="", server_default="")
    contrast_spread: Mapped[str] = mapped_column(ShortText, default="", server_default="")
    findings: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    estimated_blood_loss: Mapped[str] = mapped_column(ShortText, default="", server_default="")
    # The documentation items (revision 0012; facetdesk.domain.documentation), one column each, named as the
    # item; NULL is "not documented" (lists: NULL or empty). Rows written before the revision have none.
    risks_discussed: Mapped[bool | None] = mapped_column(sa.Boolean)
    off_label_discussed: Mapped[bool | None] = mapped_column(sa.Boolean)
    sterile_drape: Mapped[bool | None] = mapped_column(sa.Boolean)
    monitoring: Mapped[list[str] | None] = mapped_column(sa.JSON)
    views: Mapped[list[str] | None] = mapped_column(sa.JSON)
    approach: Mapped[str | None] = mapped_column(EnumText)
    aspiration: Mapped[str | None] = mapped_column(EnumText)
    fluoroscopy_seconds: Mapped[int | None] = mapped_column(sa.Integer)
    radiation_dose: Mapped[float | None] = mapped_column(sa.Double)
    radiation_dose_unit: Mapped[str | None] = mapped_column(EnumText)
    images_saved: Mapped[bool | None] = mapped_column(sa.Boolean)
    neuro_check: Mapped[str | None] = mapped_column(EnumText)
    tolerance: Mapped[str | None] = mapped_column(EnumText)
    # A radiofrequency ablation's lesioning (revision 0013; facetdesk.domain.radiofrequency), one column per field
    # named rf_<field>; rf_method is set exactly when the procedure is an ablation.
    rf_method: Mapped[str | None] = mapped_column(EnumText)
    rf_cannula_gauge: Mapped[int | None] = mapped_column(sa.Integer)
    rf_active_tip_mm: Mapped[float | None] = mapped_column(sa.Double)
    rf_sensory_threshold_v: Mapped[float | None] = mapped_column(sa.Double)
    rf_motor_test: Mapped[str | None] = mapped_column(EnumText)
    rf_temperature_c: Mapped[int | None] = mapped_column(sa.Integer)
    rf_seconds_per_lesion: Mapped[int | None] = mapped_column(sa.Integer)
    rf_lesions_per_nerve: Mapped[int | None] = mapped_column(sa.Integer)
    # Electronic signature (revision 0005): NULL until signed; once set, the row is locked.
    # The signer is a typed name for now; a signed_by_user_id column can join it with user accounts.
    signed_by: Mapped[str | None] = mapped_column(sa.String(100))
    signed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    conservative_care: Mapped[list[ConservativeCareRow]] = relationship(
        **_children(lambda: ConservativeCareRow.position)
    )
    diagnoses: Mapped[list[DiagnosisRow]] = relationship(**_children(lambda: DiagnosisRow.position))
    post_diagnoses: Mapped[list[PostDiagnosisRow]] = relationship(**_children(lambda: PostDiagnosisRow.position))
    targets: Mapped[list[TargetRow]] = relationship(**_children())
    medications: Mapped[list[MedicationRow]] = relationship(**_children(lambda: MedicationRow.position))
    botulinum_toxin: Mapped[BotoxTreatmentRow | None] = relationship(**_children(), uselist=False)
    pain_scores: Mapped[list[PainScoreRow]] = relationship(**_children(lambda: PainScoreRow.minutes_after))
    complications: Mapped[list[ComplicationRow]] = relationship(**_children(lambda: ComplicationRow.position))
    overrides: Mapped[list[OverrideRow]] = relationship(
        **_children(lambda: [OverrideRow.acknowledged_at, OverrideRow.rule])
    )
    addenda: Mapped[list[AddendumRow]] = relationship(**_children(lambda: AddendumRow.position))

    __table_args__ = (
        # Serves "this patient's procedures, newest first" and the per-patient counts.
        sa.Index("ix_procedures_patient_performed", "patient_id", "performed_at"),
    )
    # Every UPDATE checks and bumps version_id, so a save based on an old read fails.
    __mapper_args__ = {"version_id_col": version_id}


class ConservativeCareRow(Base):
    __tablename__ = "procedure_conservative_care"

    procedure_id: Mapped[int] = mapped_column(_parent_fk("procedures.id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    care: Mapped[str] = mapped_column(EnumText)


class DiagnosisRow(Base):
    __tablename__ = "procedure_diagnoses"

    procedure_id: Mapped[int] = mapped_column(_parent_fk("procedures.id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16))


class PostDiagnosisRow(Base):
    __tablename__ = "procedure_post_diagnoses"

    # Post-procedure diagnoses; none stored means "same as pre-procedure".
    procedure_id: Mapped[int] = mapped_column(_parent_fk("procedures.id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16))


class TargetRow(Base):
    __tablename__ = "procedure_targets"

    # The primary key is the unique (procedure, level, side): a joint side is treated once.
    procedure_id: Mapped[int] = mapped_column(_parent_fk("procedures.id"), primary_key=True)
    level: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    side: Mapped[str] = mapped_column(sa.String(8), primary_key=True)


class MedicationRow(Base):
    __tablename__ = "procedure_medications"

    procedure_id: Mapped[int] = mapped_column(_parent_fk("procedures.id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    agent: Mapped[str] = mapped_column(sa.String(64))
    concentration_mg_per_ml: Mapped[float] = mapped_column(sa.Double)
    volume_ml: Mapped[float] = mapped_column(sa.Double)
    volume_basis: Mapped[str] = mapped_column(EnumText)
    site: Mapped[str] = mapped_column(EnumText, server_default="target")


class BotoxTreatmentRow(Base):
    __tablename__ = "botox_treatments"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(_parent_fk("procedures.id"), unique=True)
    product: Mapped[str] = mapped_column(EnumText)
    vial_units: Mapped[float] = mapped_column(sa.Double)
    diluent_ml: Mapped[float] = mapped_column(sa.Double)

    sites: Mapped[list[BotoxSiteRow]] = relationship(**_children(lambda: BotoxSiteRow.position))


class BotoxSiteRow(Base):
    __tablename__ = "botox_sites"

    treatment_id: Mapped[int] = mapped_column(_parent_fk("botox_treatments.id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    muscle: Mapped[str] = mapped_column(sa.String(64))
    level: Mapped[str] = mapped_column(sa.String(8))
    side: Mapped[str] = mapped_column(sa.String(8))
    units: Mapped[float] = mapped_column(sa.Double)
    # Kept only so a site imported from a case file reads back as it was written.
    product: Mapped[str | None] = mapped_column(EnumText)


class PainScoreRow(Base):
    __tablename__ = "pain_scores"

    # Primary key doubles as unique(procedure_id, minutes_after): one score per time point.
    procedure_id: Mapped[int] = mapped_column(_parent_fk("procedures.id"), primary_key=True)
    minutes_after: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    nrs: Mapped[int] = mapped_column(sa.Integer)
    activity: Mapped[str] = mapped_column(ShortText, default="")


class FollowUpRow(Base):
    """A follow-up visit after a procedure (revision 0014; facetdesk.domain.follow_up), one column per field."""

    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    # RESTRICT: a procedure is never deleted from under its follow-ups (procedures are not deleted at all).
    procedure_id: Mapped[int] = mapped_column(sa.ForeignKey("procedures.id", ondelete="RESTRICT"), index=True)
    version_id: Mapped[int] = mapped_column(sa.Integer)
    seen_on: Mapped[date] = mapped_column(sa.Date)
    recorded_by: Mapped[str] = mapped_column(sa.String(100))
    pain_nrs: Mapped[int | None] = mapped_column(sa.Integer)
    disability_scale: Mapped[str | None] = mapped_column(EnumText)
    disability_score: Mapped[float | None] = mapped_column(sa.Double)
    adl_improvement_pct: Mapped[float | None] = mapped_column(sa.Double)
    analgesic_use: Mapped[str | None] = mapped_column(EnumText)
    global_impression: Mapped[str | None] = mapped_column(EnumText)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    __mapper_args__ = {"version_id_col": version_id}


class ProcedureImageRow(Base):
    """An image saved at a procedure (revision 0016; facetdesk.domain.images): its record, its de-identified PNG
    rendering and the original file. The blobs are deferred: a list of images never reads them."""

    __tablename__ = "procedure_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(sa.ForeignKey("procedures.id", ondelete="RESTRICT"), index=True)
    view: Mapped[str] = mapped_column(EnumText)
    level: Mapped[str] = mapped_column(sa.String(16))
    caption: Mapped[str] = mapped_column(ShortText, default="")
    source_format: Mapped[str] = mapped_column(EnumText)
    modality: Mapped[str] = mapped_column(sa.String(16), default="")
    width: Mapped[int] = mapped_column(sa.Integer)
    height: Mapped[int] = mapped_column(sa.Integer)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    added_by: Mapped[str] = mapped_column(sa.String(100))
    added_at: Mapped[datetime] = mapped_column(sa.DateTime)
    png: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    # NULL: imported from a case file that did not carry the original (its SHA-256 is still in the record).
    original: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)


class EhrMessageRow(Base):
    """A signed note on its way to the EHR (revision 0017; domain.ehr): one message to one destination, with its
    exact bytes (a retry resends the same message, control id included). The payload is deferred: the outbox
    view never reads it."""

    __tablename__ = "ehr_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(sa.ForeignKey("procedures.id", ondelete="RESTRICT"), index=True)
    part: Mapped[int] = mapped_column(sa.Integer)
    kind: Mapped[str] = mapped_column(EnumText)
    destination: Mapped[str] = mapped_column(EnumText)
    target: Mapped[str] = mapped_column(sa.Text)
    control_id: Mapped[str] = mapped_column(sa.String(64))
    file_name: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[str] = mapped_column(EnumText, index=True)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    ack_code: Mapped[str] = mapped_column(sa.String(8), default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    payload: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)


class ComplicationRow(Base):
    __tablename__ = "procedure_complications"

    # Ordered by position, not keyed by code: the domain list keeps the order it was entered in.
    procedure_id: Mapped[int] = mapped_column(_parent_fk("procedures.id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(EnumText)


class OverrideRow(Base):
    __tablename__ = "procedure_overrides"

    # The primary key is unique(procedure_id, rule): a finding is acknowledged once per procedure.
    procedure_id: Mapped[int] = mapped_column(_parent_fk("procedures.id"), primary_key=True)
    rule: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    acknowledged_by: Mapped[str] = mapped_column(sa.String(100))
    acknowledged_at: Mapped[datetime] = mapped_column(sa.DateTime)


class AddendumRow(Base):
    __tablename__ = "procedure_addenda"

    # Append-only: storage.procedures.add_addendum inserts rows; nothing updates or deletes them
    # (they go only with their procedure).
    procedure_id: Mapped[int] = mapped_column(_parent_fk("procedures.id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    author: Mapped[str] = mapped_column(sa.String(100))
    written_at: Mapped[datetime] = mapped_column(sa.DateTime)
    text: Mapped[str] = mapped_column(sa.Text)
    signed_by: Mapped[str] = mapped_column(sa.String(100))
    signed_at: Mapped[datetime] = mapped_column(sa.DateTime)
    # facetdesk.domain.integrity.addendum_content_hash at signing; NULL only for addenda from before 0006.
    content_sha256: Mapped[str | None] = mapped_column(sa.String(64))


class SignedNoteRow(Base):
    """The note as signed: its PDF bytes and the hashes of the content and of the PDF.

    Written once, when the procedure is signed; verify (services.integrity) recomputes both hashes.
    """

    __tablename__ = "signed_notes"

    procedure_id: Mapped[int] = mapped_column(_parent_fk("procedures.id"), primary_key=True, autoincrement=False)
    content_sha256: Mapped[str] = mapped_column(sa.String(64))
    pdf_sha256: Mapped[str] = mapped_column(sa.String(64))
    pdf: Mapped[bytes] = mapped_column(sa.LargeBinary)
    signed_at: Mapped[datetime] = mapped_column(sa.DateTime)


class UserRow(Base):
    """A local account; the password is kept only as an Argon2id hash."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-case (facetdesk.domain.users.User), so uniqueness is case-insensitive on both databases.
    username: Mapped[str] = mapped_column(sa.String(32), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(100))
    role: Mapped[str] = mapped_column(EnumText)
    is_admin: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)


class AuditRow(Base):
    """One audited action, hash-chained to the one before (facetdesk.domain.audit). Insert-only.

    Holds user names, workstation, action, record ids and changed field names; never patient text.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(), index=True)
    username: Mapped[str] = mapped_column(sa.String(64))
    workstation: Mapped[str] = mapped_column(sa.String(100))
    action: Mapped[str] = mapped_column(sa.String(32))
    entity: Mapped[str] = mapped_column(sa.String(32))
    entity_id: Mapped[str | None] = mapped_column(sa.String(64))
    fields: Mapped[str] = mapped_column(sa.Text)  # JSON list of dotted field names
    detail: Mapped[str] = mapped_column(sa.Text)  # JSON object: hashes, counts, versions
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    entry_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)

    __table_args__ = (sa.Index("ix_audit_log_entity_entity_id", "entity", "entity_id"),)


CLINIC_SETTINGS_ID = 1


class ClinicSettingsRow(Base):
    """The clinic's settings: a single row (id 1) shared by every workstation."""

    __tablename__ = "clinic_settings"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    clinic_name: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    address: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    phone: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    logo: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    page_size: Mapped[str] = mapped_column(sa.String(16), default="letter", server_default="letter")
    # NULL: the default of facetdesk.domain.settings.ClinicSettings.
    idle_lock_minutes: Mapped[int | None] = mapped_column(sa.Integer)
    # The long note form (coding notes, LCD documentation appendix); false for rows stored before 0011.
    note_long_form: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false(), default=False)
    # Revision 0016: print the procedure's images on the note.
    note_images: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false(), default=False)
    # Revision 0017: the EHR interface (domain.ehr.EhrInterface) as JSON; NULL: not set up.
    ehr_interface: Mapped[str | None] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    __table_args__ = (sa.CheckConstraint(f"id = {CLINIC_SETTINGS_ID}", name="single_row"),)


class PresetRow(Base):
    """A clinic's procedure preset (template): technique and medications, never levels or scores."""

    __tablename__ = "presets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    # Folded name (facetdesk.storage.textkey.fold): "Lumbar MBB" and "lumbar mbb" are one preset.
    name_key: Mapped[str] = mapped_column(SearchKey)
    technique: Mapped[str] = mapped_column(EnumText)
    # NULL: the preset leaves the form's value as it is.
    intent: Mapped[str | None] = mapped_column(EnumText)
    guidance: Mapped[str | None] = mapped_column(EnumText)
    sedation: Mapped[str | None] = mapped_column(EnumText)
    region: Mapped[str | None] = mapped_column(sa.String(16))
    # The usual botulinum toxin preparation; all three NULL: the preset gives no toxin.
    botox_product: Mapped[str | None] = mapped_column(EnumText)
    botox_vial_units: Mapped[float | None] = mapped_column(sa.Double)
    botox_diluent_ml: Mapped[float | None] = mapped_column(sa.Double)
    # The clinic's usual documentation items (revision 0012): {item key: value}; NULL on older presets.
    documentation: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    medications: Mapped[list[PresetMedicationRow]] = relationship(**_children(lambda: PresetMedicationRow.position))

    __table_args__ = (sa.Index("ix_presets_name_key", "name_key", unique=True),)


class PresetMedicationRow(Base):
    __tablename__ = "preset_medications"

    preset_id: Mapped[int] = mapped_column(_parent_fk("presets.id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    agent: Mapped[str] = mapped_column(sa.String(64))
    concentration_mg_per_ml: Mapped[float] = mapped_column(sa.Double)
    volume_ml: Mapped[float] = mapped_column(sa.Double)
    volume_basis: Mapped[str] = mapped_column(EnumText)
    site: Mapped[str] = mapped_column(EnumText)


class ClinicCaRow(Base):
    """The clinic's certificate authority (facetdesk.trust.ca): its certificate; the private key is in shares."""

    __tablename__ = "clinic_cas"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate: Mapped[bytes] = mapped_column(sa.LargeBinary)  # DER
    fingerprint: Mapped[str] = mapped_column(sa.String(64), unique=True)  # SHA-256 of the DER
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)


class CaKeyShareRow(Base):
    """The CA's private key, encrypted under one administrator's password (facetdesk.trust.keys.wrap)."""

    __tablename__ = "ca_key_shares"

    ca_id: Mapped[int] = mapped_column(_parent_fk("clinic_cas.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(_parent_fk("users.id"), primary_key=True)
    wrapped: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)


class SigningKeyRow(Base):
    """A physician's key pairs: public parts and certificates in clear, private keys wrapped by the password.

    Never deleted: a replaced key is retired (retired_at), and its public key keeps old signatures verifiable.
    """

    __tablename__ = "signing_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    public_key: Mapped[bytes] = mapped_column(sa.LargeBinary)  # raw Ed25519, 32 bytes
    pdf_public_key: Mapped[bytes] = mapped_column(sa.LargeBinary)  # P-256, DER SubjectPublicKeyInfo
    fingerprint: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # NULL until the clinic CA certified the key (an administrator did, or the key was made in one's session).
    content_certificate: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    pdf_certificate: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    wrapped: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    certified_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    retired_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    retired_reason: Mapped[str | None] = mapped_column(sa.String(200))


class SignatureRow(Base):
    """One cryptographic signature: of a procedure (part 0) or of its addendum number ``part`` (1, 2, ...).

    ``envelope`` is the canonical JSON the Ed25519 signature covers (content hash, PDF hash, audit head,
    moment, key); ``content`` the versioned signed content itself; ``pdf`` the signed document as it
    stood after this signature (PAdES; each addendum an incremental update of the one before).
    Insert-only.
    """

    __tablename__ = "signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(_parent_fk("procedures.id"))
    part: Mapped[int] = mapped_column(sa.Integer)
    # NULL for a signature made elsewhere and imported with its certificate (signed_elsewhere).
    key_id: Mapped[int | None] = mapped_column(sa.ForeignKey("signing_keys.id"))
    signer_certificate: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    signed_elsewhere: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    content_format: Mapped[int] = mapped_column(sa.Integer)
    content: Mapped[str] = mapped_column(sa.Text)
    envelope: Mapped[str] = mapped_column(sa.Text)
    signature: Mapped[bytes] = mapped_column(sa.LargeBinary)
    pdf: Mapped[bytes] = mapped_column(sa.LargeBinary)
    signed_at: Mapped[datetime] = mapped_column(sa.DateTime)  # UTC

    __table_args__ = (sa.UniqueConstraint("procedure_id", "part"),)


class LegacySignedRow(Base):
    """A procedure signed before cryptographic signatures (listed once, by migration 0007, and audited)."""

    __tablename__ = "legacy_signed_procedures"

    procedure_id: Mapped[int] = mapped_column(_parent_fk("procedures.id"), primary_key=True, autoincrement=False)
