"""Signing a procedure and its addenda: the physician's password opens their key; the content, the PDF and
the audit trail's head are signed together (docs/signatures.md).

What a signature stores (storage.signatures): the versioned signed content, an envelope naming its hash,
the signed PDF's hash, the audit chain's head, the moment (UTC) and the key; the Ed25519 signature of
the envelope; and the PAdES-signed PDF itself, which preview, export and print show from then on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from pydantic import ValidationError

from facetdesk.domain.audit import AuditAction, AuditEntry
from facetdesk.domain.base import is_row_id
from facetdesk.domain.case import CaseFile
from facetdesk.domain.errors import FieldError, InvalidRecord, field_errors
from facetdesk.domain.finding import Finding, Severity
from facetdesk.domain.images import AttachedImage
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Addendum, Override, Procedure, Signature
from facetdesk.domain.signed_content import (
    CURRENT_FORMAT,
    addendum_content,
    canonical_bytes,
    identity,
    procedure_content,
    sha256_hex,
)
from facetdesk.domain.text import shown, storable_text
from facetdesk.domain.users import Permission
from facetdesk.services.anchors import AnchorStore
from facetdesk.services.keys import KeyKeeper, not_certified, wrong_password
from facetdesk.services.records import NotFound, record_hash
from facetdesk.services.session import WorkSession
from facetdesk.services.validation import case_file, validated
from facetdesk.services.verify import signed_record_problem
from facetdesk.storage import repository as repo
from facetdesk.storage import signatures as sigstore
from facetdesk.storage import users as user_store
from facetdesk.storage.audit import chain_head
from facetdesk.storage.db import Database
from facetdesk.storage.errors import AlreadySigned, StaleRecord, StorageError
from facetdesk.storage.follow_ups import follow_ups_for_patient
from facetdesk.storage.images import images_with_pixels
from facetdesk.storage.settings import load_settings
from facetdesk.storage.trust import StoredKey
from facetdesk.trust import ca as ca_mod
from facetdesk.trust import keys, pades

ENVELOPE_TYPE = "facetdesk-signature"


def envelope_for(
    *,
    procedure_uid: str,
    part: int,
    content_format: int,
    content: dict[str, Any],
    pdf: bytes,
    audit_head: str,
    previous: str | None,
    signed_at: datetime,
    username: str,
    display_name: str,
    key_fingerprint: str,
) -> dict[str, Any]:
    """What the Ed25519 signature covers: hashes, the audit head, the moment (UTC) and the signer."""
    return {
        "type": ENVELOPE_TYPE,
        "version": 1,
        "procedure_uid": procedure_uid,
        "part": str(part),
        "content_format": str(content_format),
        "content_sha256": sha256_hex(canonical_bytes(content)),
        "pdf_sha256": sha256_hex(pdf),
        "audit_head": audit_head,
        "previous_envelope_sha256": previous,
        "signed_at": signed_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "signer": {"username": username, "display_name": display_name},
        "key_fingerprint": key_fingerprint,
    }


@dataclass(frozen=True)
class _Opened:
    key: StoredKey
    private: keys.PrivateKeys
    ca: ca_mod.ClinicCa | None  # only the certificate is used here: the CA's key stays closed
    ca_certificate: Any
    pdf_certificate: Any


class SigningService:
    def __init__(
        self,
        database: Database,
        work: WorkSession,
        anchors: AnchorStore | None = None,
        after_signing: Callable[[int], object] | None = None,
    ):
        self._db = database
        self._work = work
        self._keeper = KeyKeeper(work)
        self._anchors = anchors
        # Called with the procedure's id once a signature or an addendum is stored (the EHR outbox queues it).
        self._after_signing = after_signing
        # Why the last signed note could not be queued for the EHR (None: queued, or not sent on signing).
        self.ehr_problem: str | None = None

    # ---- opening the signer's key -----------------------------------------------------------
    def _open(self, password: object) -> _Opened:
        """The signed-in physician's certified key, opened with their password (re-authentication)."""
        actor = self._work.actor
        assert actor is not None
        if not isinstance(password, str) or not password or not storable_text(password):
            raise InvalidRecord([FieldError(("password",), "enter your password to sign")])
        from facetdesk.storage import trust as trust_store

        with self._db.transaction() as session:
            found = user_store.user_with_hash(session, actor.username)
            if found is None or not found[0].active or found[0].id is None:
                raise InvalidRecord(
                    [FieldError(("signing_key",), "only a physician with a FacetDesk account can sign")]
                )
            user = found[0]
            assert user.id is not None
            if trust_store.active_key(session, user.id) is None:
                # An account from before signing keys: its first key is made now, from the password just
                # typed (committed even if it still waits for an administrator's certification).
                if not _password_matches(found[1], password):
                    raise wrong_password()
                self._keeper.new_key(session, user, password)
        with self._db.read() as session:
            key, private = self._keeper.open_key(session, user.id, password)
            cas = trust_store.clinic_cas(session)
        if not key.certified:
            raise not_certified(key.fingerprint)
        assert key.content_certificate is not None and key.pdf_certificate is not None
        pdf_certificate = ca_mod.load_der(key.pdf_certificate)
        issuer = next(
            (
                ca_mod.load_der(c.certificate)
                for c in cas
                if ca_mod.issued_by(pdf_certificate, ca_mod.load_der(c.certificate))
            ),
            None,
        )
        if issuer is None:
            raise InvalidRecord([FieldError(("signing_key",), "is not certified by this clinic's CA; see verify")])
        return _Opened(key, private, None, issuer, pdf_certificate)

    # ---- signing ---------------------------------------------------------------------------
    def signature_problem(self, procedure_id: int) -> str | None:
        """What the signed record's reader must be told when it is not what was signed (services.verify's
        signed_record_problem), or None: nothing to say, or the procedure is not signed or not stored."""
        self._work.require(Permission.VIEW)
        if not is_row_id(procedure_id):
            return None
        with self._db.read() as session:
            found = repo.get_procedure(session, procedure_id)
            return None if found is None else signed_record_problem(session, procedure_id, found[1])

    def open_findings(self, procedure_id: int) -> list[Finding]:
        """The warning and critical findings that still need an acknowledgement: what signing asks about."""
        self._work.require(Permission.VIEW)
        with self._db.read() as session:
            patient_id, patient, procedure = _load(session, procedure_id)
            priors = _priors(session, patient_id, procedure)
            visits = follow_ups_for_patient(session, patient_id)
        assert patient is not None
        return _unacknowledged(case_file(patient, procedure, priors, visits))

    def sign_procedure(
        self,
        procedure_id: int,
        version: int,
        password: str,
        acknowledgements: Mapping[str, str] | None = None,
    ) -> Procedure:
        """Sign, as the signed-in physician, the procedure as stored at ``version`` (the one they saw).

        The password opens the physician's key. Every open warning and critical finding must be acknowledged
        with a reason, before or here (``acknowledgements``: rule id -> reason, stored as the signer's
        acknowledgements with the signature); a critical finding is never signed over silently. Refused with
        StaleRecord when it changed since, with AlreadySigned when signed before, with InvalidRecord
        (password, overrides) otherwise.
        """
        actor = self._work.require(Permission.SIGN)
        signed_at = datetime.now().replace(microsecond=0)
        moment = datetime.now(timezone.utc).replace(microsecond=0)
        signature = validated(Signature, {"signed_by": actor.display_name, "signed_at": signed_at})
        with self._db.read() as session:
            patient_id, patient, procedure = _load(session, procedure_id)
            priors = _priors(session, patient_id, procedure)
            visits = follow_ups_for_patient(session, patient_id)
            clinic = load_settings(session)
            # The images the clinic prints on its notes are part of the signed PDF.
            pictures = (
                [AttachedImage.of(*found) for found in images_with_pixels(session, procedure.uid)]
                if clinic.note_images
                else []
            )
        assert patient is not None
        if procedure.signature is not None:
            raise AlreadySigned(procedure.signature.signed_by, procedure.signature.signed_at)
        if procedure.version != version:
            raise StaleRecord()
        opened = self._open(password)
        procedure = _with_acknowledgements(
            case_file(patient, procedure, priors, visits), acknowledgements, actor.display_name
        )
        # Rendered and PDF-signed outside the write transaction; the transaction below refuses the
        # signature if the procedure or the patient's identity changed meanwhile, so the PDF is of what is signed.
        signed_case = case_file(
            patient, procedure.model_copy(update={"signature": signature}), priors, visits, pictures
        )
        from facetdesk.services.rendering import render_case_note

        note = render_case_note(
            signed_case,
            clinic=clinic,
            generated_at=signed_at,
            signer_fingerprint=keys.short_fingerprint(opened.key.fingerprint),
        ).pdf
        pdf = pades.sign_pdf(
            note,
            opened.private.pdf,
            opened.pdf_certificate,
            opened.ca_certificate,
            field_name="Signature",
            reason=f"Procedure note signed by {actor.display_name}",
        )
        with self._db.transaction() as session:
            current = repo.get_patient(session, patient_id)
            if current is None or identity(current) != identity(patient):
                raise StaleRecord()
            if procedure.overrides != _repo_overrides(session, procedure_id):
                # The acknowledgements given at signing are stored first (a change, audited), then signed.
                saved = repo.save_procedure(session, patient_id, procedure)
                self._work.log(
                    session,
                    AuditAction.UPDATE,
                    "procedure",
                    procedure_id,
                    fields=("overrides",),
                    detail=record_hash(saved, patient_id),
                )
                version = saved.version
            stored = repo.sign_procedure(
                session, procedure_id, signature.signed_by, signature.signed_at, expected_version=version
            )
            content = procedure_content(identity(patient), stored, CURRENT_FORMAT)
            entry = self._seal(session, stored, patient_id, 0, content, pdf, None, moment, opened)
        self._anchor(entry)
        self._signed(procedure_id)
        return stored

    def add_addendum(self, procedure_id: int, text: str, password: str) -> Procedure:
        """Append an addendum to a signed procedure, written and signed by the signed-in physician.

        Its own pages are appended to the signed PDF and signed (an incremental update), so the note's
        signature and earlier addenda's stay valid.
        """
        actor = self._work.require(Permission.ADD_ADDENDUM)
        written_at = datetime.now().replace(microsecond=0)
        moment = datetime.now(timezone.utc).replace(microsecond=0)
        addendum = validated(
            Addendum,
            {
                "author": actor.display_name,
                "written_at": written_at,
                "text": text,
                "signed_by": actor.display_name,
                "signed_at": written_at,
            },
        )
        with self._db.read() as session:
            patient_id, patient, procedure = _load(session, procedure_id)
            document = sigstore.signed_document(session, procedure_id)
            parts = sigstore.signatures_of(session, procedure_id)
            clinic = load_settings(session)
        assert patient is not None
        if not procedure.is_signed:
            from facetdesk.storage.errors import NotSigned

            raise NotSigned()
        opened = self._open(password)
        number = len(procedure.addenda) + 1
        base = document if document is not None else self._fresh_note(patient, procedure, clinic)
        pages = _addendum_pages(patient, procedure, addendum, number, opened.key.fingerprint, clinic.page_size.value)
        pdf = pades.append_signed_pages(
            base,
            pages,
            opened.private.pdf,
            opened.pdf_certificate,
            opened.ca_certificate,
            field_name=f"Addendum{number}",
            reason=f"Addendum {number} signed by {actor.display_name}",
        )
        previous = sha256_hex(parts[-1].envelope.encode("utf-8")) if parts else None
        with self._db.transaction() as session:
            # A colleague's addendum meanwhile would make this one's PDF miss theirs: refuse, ask to retry.
            now_parts = sigstore.signatures_of(session, procedure_id)
            if [p.id for p in now_parts] != [p.id for p in parts]:
                raise StaleRecord()
            stored = repo.add_addendum(session, procedure_id, addendum)
            position = len(stored.addenda) - 1
            if position + 1 != number:
                raise StaleRecord()
            content = addendum_content(stored.uid, position, stored.addenda[position], CURRENT_FORMAT)
            entry = self._seal(session, stored, patient_id, number, content, pdf, previous, moment, opened)
        self._anchor(entry)
        self._signed(procedure_id)
        return stored

    def _signed(self, procedure_id: int) -> None:
        """Hand the signed note on (to the EHR outbox). The signature stands whatever happens there: a problem
        is kept in ``ehr_problem`` for the screen to show, never raised as if signing had failed."""
        self.ehr_problem = None
        if self._after_signing is None:
            return
        try:
            self._after_signing(procedure_id)
        except (StorageError, NotFound, InvalidRecord, OSError, ValueError) as exc:
            self.ehr_problem = str(exc) or exc.__class__.__name__

    def _seal(
        self,
        session,
        stored: Procedure,
        patient_id: int,
        part: int,
        content: dict[str, Any],
        pdf: bytes,
        previous: str | None,
        moment: datetime,
        opened: _Opened,
    ) -> AuditEntry:
        """Sign one part (0: the procedure, n: addendum n) over the chain's head; store it and its audit entry."""
        actor = self._work.actor
        assert actor is not None and stored.id is not None
        procedure_id, key, private = stored.id, opened.key, opened.private
        record = record_hash(stored, patient_id)
        envelope = envelope_for(
            procedure_uid=stored.uid,
            part=part,
            content_format=CURRENT_FORMAT,
            content=content,
            pdf=pdf,
            audit_head=chain_head(session),
            previous=previous,
            signed_at=moment,
            username=actor.username,
            display_name=actor.display_name,
            key_fingerprint=key.fingerprint,
        )
        envelope_bytes = canonical_bytes(envelope)
        row = sigstore.add_signature(
            session,
            sigstore.StoredSignature(
                id=0,
                procedure_id=procedure_id,
                part=part,
                key_id=key.id,
                signer_certificate=None,
                signed_elsewhere=False,
                content_format=CURRENT_FORMAT,
                content=canonical_bytes(content).decode("utf-8"),
                envelope=envelope_bytes.decode("utf-8"),
                signature=keys.sign(private.content, envelope_bytes),
                pdf=pdf,
                signed_at=moment.replace(tzinfo=None),
            ),
        )
        return self._work.log(
            session,
            AuditAction.SIGN if part == 0 else AuditAction.ADDENDUM,
            "procedure",
            procedure_id,
            fields=() if part == 0 else (f"addenda.{part - 1}",),
            detail={
                "uid": envelope["procedure_uid"],
                "part": part,
                "position": part - 1,
                "signature_id": row.id,
                "content_format": CURRENT_FORMAT,
                "content_sha256": envelope["content_sha256"],
                "pdf_sha256": envelope["pdf_sha256"],
                "envelope_sha256": sha256_hex(envelope_bytes),
                "key_fingerprint": key.fingerprint,
                **{k: v for k, v in record.items() if k != "uid"},
            },
        )

    def _anchor(self, entry: AuditEntry) -> None:
        if self._anchors is not None and entry.id is not None:
            self._anchors.remember(entry.id, entry.entry_hash)

    @staticmethod
    def _fresh_note(patient: Patient, procedure: Procedure, clinic) -> bytes:
        # A procedure signed before FacetDesk kept signed PDFs: the addendum is appended to today's rendering.
        from facetdesk.services.rendering import render_case_note

        return render_case_note(case_file(patient, procedure), clinic=clinic).pdf


def _load(session, procedure_id: int) -> tuple[int, Patient, Procedure]:
    """The stored procedure with its patient; NotFound when there is none."""
    found = repo.get_procedure(session, procedure_id)
    if found is None:
        raise NotFound(f"procedure {shown(procedure_id)} does not exist")
    patient_id, procedure = found
    patient = repo.get_patient(session, patient_id)
    assert patient is not None  # a procedure's patient cannot be deleted before it
    return patient_id, patient, procedure


def _priors(session, patient_id: int, procedure: Procedure) -> list[Procedure]:
    return [
        p
        for p in repo.procedures_for_patient(session, patient_id)
        if p.uid != procedure.uid and p.performed_at <= procedure.performed_at
    ]


def _repo_overrides(session, procedure_id: int) -> list:
    found = repo.get_procedure(session, procedure_id, lock=True)  # in the signing transaction
    return [] if found is None else list(found[1].overrides)


def _unacknowledged(case: CaseFile) -> list[Finding]:
    from facetdesk.domain.catalog import get_catalog
    from facetdesk.services.decision import check_case

    findings = check_case(case, get_catalog())
    return [f for f in findings if f.needs_acknowledgement and case.procedure.override_for(f.rule) is None]


def _with_acknowledgements(
    case: CaseFile,
    acknowledgements: Mapping[str, str] | None,
    signer: str,
) -> Procedure:
    """The procedure with the acknowledgements given at signing; InvalidRecord while any open finding lacks one."""
    procedure = case.procedure
    given = dict(acknowledgements or {})
    open_ = _unacknowledged(case)
    errors: list[FieldError] = []
    overrides = list(procedure.overrides)
    now = datetime.now().replace(microsecond=0)
    for finding in open_:
        reason = given.get(finding.rule)
        if not isinstance(reason, str) or not reason.strip():
            kind = "critical finding" if finding.severity is Severity.CRITICAL else "warning"
            errors.append(
                FieldError(
                    ("overrides",),
                    f"the {kind} {finding.rule} ({finding.message}) must be acknowledged with a reason before "
                    "signing; nothing was signed",
                )
            )
            continue
        try:
            overrides.append(
                Override(rule=finding.rule, reason=reason.strip(), acknowledged_by=signer, acknowledged_at=now)
            )
        except ValidationError as exc:
            errors.extend(FieldError(("overrides", finding.rule, *e.path), e.message) for e in field_errors(exc))
    stray = sorted(set(given) - {f.rule for f in open_})
    if stray:
        errors.append(FieldError(("overrides",), f"{', '.join(stray)}: no open finding to acknowledge"))
    if errors:
        raise InvalidRecord(errors)
    return procedure.model_copy(update={"overrides": overrides})


def _password_matches(digest: str, password: str) -> bool:
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    try:
        return PasswordHasher().verify(digest, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _addendum_pages(
    patient: Patient, procedure: Procedure, addendum: Addendum, number: int, fingerprint: str, page_size: str
) -> bytes:
    from facetdesk.note.addendum import AddendumPage, render_addendum

    return render_addendum(
        AddendumPage(
            patient_name=patient.display_name,
            mrn=patient.mrn,
            date_of_birth=f"{patient.date_of_birth:%Y-%m-%d}",
            service=f"{procedure.performed_at:%Y-%m-%d %H:%M}",
            number=number,
            author=addendum.author,
            written_at=f"{addendum.written_at:%Y-%m-%d %H:%M}",
            text=addendum.text,
            signed_by=addendum.signed_by,
            signed_at_text=f"{addendum.signed_at:%Y-%m-%d %H:%M}",
            key_fingerprint=keys.short_fingerprint(fingerprint),
            page_size=page_size,
        )
    )
