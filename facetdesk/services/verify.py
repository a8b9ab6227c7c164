"""`facetdesk verify`: the audit chain, every signature (cryptographically), and every record against its
last audited change. What it can and cannot prove is said in its report and in docs/signatures.md.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from facetdesk.domain.audit import GENESIS_HASH, AuditAction, AuditEntry, canonical_json, sha256_text, verify_chain
from facetdesk.domain.ehr import MessageCheck, QueuedMessages
from facetdesk.domain.follow_up import FollowUp
from facetdesk.domain.procedure import Procedure
from facetdesk.domain.signed_content import (
    UnknownFormat,
    addendum_content,
    canonical_bytes,
    follow_up_record_hash,
    gives_signed_content,
    identity,
    image_record_hash,
    patient_record_hash,
    procedure_record_hash,
    sha256_hex,
)
from facetdesk.storage.audit import EHR_QUEUED, iter_audit
from facetdesk.storage.follow_ups import iter_follow_ups
from facetdesk.storage.images import iter_images
from facetdesk.storage.outbox import iter_messages
from facetdesk.storage.patients import get_patient
from facetdesk.storage.settings import settings_changed_outside
from facetdesk.storage.signatures import StoredSignature, iter_signatures, legacy_signed_ids, signed_content
from facetdesk.storage.signed_notes import StoredProcedure, iter_patients, iter_procedures
from facetdesk.storage.trust import StoredKey, all_keys, clinic_cas
from facetdesk.trust import ca as ca_mod
from facetdesk.trust import keys, pades


@dataclass(frozen=True)
class Problem:
    """One thing that does not hold; ``where`` names an audit entry or a record by id, never a patient."""

    where: str
    what: str
    kind: str = "CHANGED"  # or FORGED: a signature FacetDesk did not make


@dataclass
class VerifyReport:
    audit_entries: int = 0
    # The newest entry: a clinic can note it (or compare it with a backup's) to notice removed newest entries.
    head: str = ""
    newest_signature: str = ""
    clinic_cas: list[str] = field(default_factory=list)
    signed_procedures: int = 0
    addenda: int = 0
    signatures: int = 0
    records_checked: int = 0
    # Records whose last change predates record hashes: nothing to compare them with.
    records_unhashed: int = 0
    # Signed before cryptographic signatures (listed by migration 0007): not verifiable.
    unhashed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # What was read: every check above ran on this one snapshot, so a colleague's signature made meanwhile
    # is either wholly in it or wholly absent, never half (no false alarm).
    snapshot: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        out = [f"Checked {self.snapshot}."] if self.snapshot else []
        out += [
            f"Audit log: {self.audit_entries} entries checked.",
            f"Signed procedures: {self.signed_procedures} checked, with {self.addenda} addenda "
            f"({self.signatures} cryptographic signatures).",
            f"Records: {self.records_checked} patients and procedures compared with their last audited change"
            + (
                f"; {self.records_unhashed} last changed before FacetDesk kept record hashes."
                if self.records_unhashed
                else "."
            ),
        ]
        for fingerprint in self.clinic_cas:
            out.append(f"Clinic CA certificate SHA-256: {fingerprint} (compare with the one your clinic keeps).")
        if self.unhashed:
            out.append(
                f"{len(self.unhashed)} procedure(s) signed before cryptographic signatures (not verifiable): "
                f"{', '.join(self.unhashed[:20])}{' …' if len(self.unhashed) > 20 else ''}"
            )
        out += self.notes
        if self.head:
            out.append(f"Newest audit entry: {self.head}.")
        if self.newest_signature:
            out.append(
                f"Newest signature: {self.newest_signature}. Each signature covers the audit trail up to its moment, "
                "so entries before it cannot be rewritten unnoticed; entries after it are protected only by the "
                "chain itself: compare the newest entry's hash above with the one you noted (or a backup's)."
            )
        out += [f"{p.kind}: {p.where}: {p.what}" for p in self.problems]
        out.append("Everything checked is as it was written." if self.ok else f"{len(self.problems)} problem(s) found.")
        return out


def _signed_moment(envelope: dict[str, Any]) -> datetime | None:
    """The moment the envelope says it was signed (UTC), or None when it says none that can be read."""
    try:
        return datetime.strptime(str(envelope.get("signed_at")), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def _unhashed(count: int) -> str:
    return f"; {count} last changed before FacetDesk kept record hashes." if count else "."


# What an import's record hashes name that it always created (a patient or procedure may have been there already).
_ALWAYS_NEW_ON_IMPORT = ("follow_up", "image")
# The records verify compares with the trail; FacetDesk never deletes one but an image (audited as DELETE).
_RECORDS = {"patient": "patient", "procedure": "procedure", "follow_up": "follow-up", "image": "image"}


_OUTBOX_PROBLEMS = {
    MessageCheck.CONTENT_CHANGED: "its content is not what FacetDesk queued for the EHR",
    MessageCheck.ROUTE_CHANGED: "its destination (folder, file name, or interface engine host and port) or its "
    "labels are not what FacetDesk queued it with",
    MessageCheck.NOT_QUEUED: "no audited queueing made this message: it was added or renumbered outside FacetDesk",
}


@dataclass
class _Trail:
    """What the audit trail says, gathered in one pass."""

    entries: list[AuditEntry] = field(default_factory=list)
    hashes: dict[str, int] = field(default_factory=dict)  # entry hash -> position in the chain
    signs: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)  # (procedure id, part) -> detail
    imported: set[tuple[str, int]] = field(default_factory=set)  # the signs above that an import recorded
    # Procedure id -> what its EHR queueing entries say (payload hashes, and each message's route since routes).
    queued: dict[str, QueuedMessages] = field(default_factory=lambda: defaultdict(QueuedMessages))
    renderings: dict[str, str] = field(default_factory=dict)  # image id -> its de-identified rendering's SHA-256
    records: dict[tuple[str, str], tuple[int, str]] = field(default_factory=dict)  # (entity, id) -> (format, hash)
    # Per entity, the lowest id whose creation the trail hashed: ids only grow, so every record of that entity
    # with a higher id was created while FacetDesk kept record hashes and must have one.
    first_hashed: dict[str, int] = field(default_factory=dict)
    legacy: dict[str, Any] | None = None

    def created_hashed(self, entity: str, entity_id: str) -> None:
        if entity_id.isdigit():
            number = int(entity_id)
            self.first_hashed[entity] = min(number, self.first_hashed.get(entity, number))


def _read_trail(session: Session) -> _Trail:
    trail = _Trail()
    for entry in iter_audit(session):
        trail.hashes[entry.entry_hash] = len(trail.entries)
        trail.entries.append(entry)
        detail = entry.detail
        if entry.action in (AuditAction.SIGN, AuditAction.ADDENDUM) and entry.entity_id is not None:
            part = detail.get("part")
            if part is None:  # written before cryptographic signatures
                part = 0 if entry.action is AuditAction.SIGN else int(detail.get("position", -1)) + 1
            trail.signs[(entry.entity_id, int(part))] = detail
        elif entry.action is AuditAction.EXPORT and detail.get("format") == EHR_QUEUED and entry.entity_id:
            trail.queued[entry.entity_id].add(detail)
        elif entry.action is AuditAction.LEGACY_SIGNATURES:
            trail.legacy = detail
        elif entry.action is AuditAction.IMPORT:
            for imported in detail.get("signatures") or ():
                key = (str(imported.get("procedure")), int(imported.get("part", -1)))
                trail.signs[key] = imported
                trail.imported.add(key)
        if "record_sha256" in detail and entry.entity_id is not None:
            trail.records[(entry.entity, entry.entity_id)] = (
                int(detail.get("record_format", 1)),
                detail["record_sha256"],
            )
            if entry.action is AuditAction.CREATE:
                trail.created_hashed(entry.entity, entry.entity_id)
        for name, digest in (detail.get("records") or {}).items():
            entity, _, entity_id = str(name).partition(":")
            trail.records[(entity, entity_id)] = (int(detail.get("record_format", 1)), digest)
            if entry.action is AuditAction.IMPORT and entity in _ALWAYS_NEW_ON_IMPORT:
                trail.created_hashed(entity, entity_id)
        if entry.entity == "image" and "png_sha256" in detail and entry.entity_id is not None:
            trail.renderings[entry.entity_id] = str(detail["png_sha256"])
        for name, digest in (detail.get("renderings") or {}).items():
            trail.renderings[str(name).partition(":")[2]] = str(digest)
        if entry.action is AuditAction.DELETE and entry.entity_id is not None:
            trail.records.pop((entry.entity, entry.entity_id), None)
    return trail


class Verifier:
    """One verification of one database snapshot; ``run`` fills the report."""

    def __init__(self, session: Session, anchor: tuple[int, str] | None = None):
        self._session = session
        # The newest signing entry this workstation wrote (services.anchors), or None.
        self._anchor = anchor
        self.report = VerifyReport()

    def run(self) -> VerifyReport:
        session, report = self._session, self.report
        trail = _read_trail(session)
        self._trail = trail
        self._seen: set[tuple[str, str]] = set()
        self._certificates: dict[tuple[int, int], Any] = {}  # (procedure id, part) -> the signer's certificate
        self._moments: dict[tuple[int, int], datetime] = {}  # (procedure id, part) -> the signed moment (UTC)
        report.audit_entries = len(trail.entries)
        if trail.entries:
            last = trail.entries[-1]
            report.head = f"#{last.id} at {last.at:%Y-%m-%d %H:%M:%S} UTC, hash {last.entry_hash}"
        for brk in verify_chain(trail.entries):
            report.problems.append(Problem(f"audit entry {brk.entry_id}", brk.reason))
        if self._anchor is not None and self._anchor[1] not in trail.hashes:
            report.problems.append(
                Problem(
                    f"audit entry {self._anchor[0]}",
                    "this workstation recorded a signature in it, but the audit trail no longer holds it: "
                    "entries were removed or the chain was re-hashed",
                )
            )
        self._cas = [ca_mod.load_der(c.certificate) for c in clinic_cas(session)]
        report.clinic_cas = [ca_mod.certificate_fingerprint(c) for c in self._cas]
        self._keys: dict[int, StoredKey] = {k.id: k for k in all_keys(session)}
        self._check_keys()
        self._legacy = self._legacy_ids()
        by_procedure: dict[int, list[StoredSignature]] = defaultdict(list)
        for signature in iter_signatures(session):
            by_procedure[signature.procedure_id].append(signature)
            report.signatures += 1
        seen: set[int] = set()
        newest: StoredSignature | None = None
        for stored in iter_procedures(session):
            self._check_record("procedure", stored)
            if not stored.signed:
                if stored.id in by_procedure:
                    seen.add(stored.id)
                    report.problems.append(
                        Problem(f"procedure {stored.id}", "was signed, but is no longer stored as a signed procedure")
                    )
                continue
            seen.add(stored.id)
            report.signed_procedures += 1
            parts = sorted(by_procedure.get(stored.id, []), key=lambda s: s.part)
            self._check_signed(stored, parts)
            for part in parts:
                if (part.procedure_id, part.part) in self._moments and (
                    newest is None or self._moment(part) > self._moment(newest)
                ):
                    newest = part
        for patient_id, patient in iter_patients(session):
            self._check_patient(patient_id, patient)
        for visit_id, visit in iter_follow_ups(session):
            self._check_follow_up(visit_id, visit)
        self._check_images(session)
        self._check_removed()
        self._check_outbox(session)
        self._check_settings(session)
        signed_in_log = {int(pid) for (pid, _part) in trail.signs if pid.isdigit()}
        for procedure_id in sorted(signed_in_log - seen):
            report.problems.append(
                Problem(f"procedure {procedure_id}", "was signed, but is no longer stored as a signed procedure")
            )
        if newest is not None:
            report.newest_signature = (
                f"procedure {newest.procedure_id}"
                + (f" addendum {newest.part}" if newest.part else "")
                + f" at {self._moment(newest):%Y-%m-%d %H:%M:%S} UTC"
            )
        return report

    def _moment(self, part: StoredSignature) -> datetime:
        return self._moments[(part.procedure_id, part.part)]

    # ---- keys and legacy list --------------------------------------------------------------
    def _check_keys(self) -> None:
        for key in self._keys.values():
            if keys.fingerprint(key.public_key) != key.fingerprint:
                self.report.problems.append(
                    Problem(f"signing key {key.id} ({key.username})", "its fingerprint is not that of its public key")
                )

    def _legacy_ids(self) -> set[int]:
        ids = legacy_signed_ids(self._session)
        recorded = self._trail.legacy
        digest = sha256_text(canonical_json(sorted(ids)))
        if recorded is None:
            if ids:
                self.report.problems.append(
                    Problem(
                        "legacy signatures",
                        "the list of procedures signed before cryptographic signatures "
                        "is not in the audit log (it was made up later)",
                        "FORGED",
                    )
                )
                return set()
        elif recorded.get("ids_sha256") != digest:
            self.report.problems.append(
                Problem(
                    "legacy signatures",
                    "the list of procedures signed before cryptographic signatures "
                    "differs from the one recorded when it was made",
                    "FORGED",
                )
            )
            return set()
        return set(ids)

    # ---- signatures ------------------------------------------------------------------------
    def _check_signed(self, stored: StoredProcedure, parts: list[StoredSignature]) -> None:
        proc = stored.procedure
        where = f"procedure {stored.id}" + (f" ({proc.uid})" if proc is not None else "")
        problems = self.report.problems
        if proc is None:
            problems.append(Problem(where, stored.problem or "cannot be read"))
            return
        self.report.addenda += len(proc.addenda)
        by_part = {p.part: p for p in parts}
        main = by_part.get(0)
        if main is None:
            if stored.id in self._legacy:
                self.report.unhashed.append(where)
            else:
                assert proc.signature is not None
                problems.append(
                    Problem(
                        where,
                        f"is marked signed by {proc.signature.signed_by} on {proc.signature.signed_at:%Y-%m-%d %H:%M} "
                        "but carries no cryptographic signature",
                        "FORGED",
                    )
                )
            return
        envelope = self._check_signature(where, main, proc.uid)
        if envelope is not None:
            self._check_procedure_content(where, stored, main)
        previous = main
        for position, addendum in enumerate(proc.addenda):
            part = by_part.get(position + 1)
            label = f"addendum {position + 1}"
            if part is None:
                problems.append(Problem(where, f"{label} carries no cryptographic signature", "FORGED"))
                continue
            if self._check_signature(where, part, proc.uid, previous) is not None:
                try:
                    expected = canonical_bytes(addendum_content(proc.uid, position, addendum, part.content_format))
                except UnknownFormat as exc:
                    problems.append(Problem(where, f"{label}: {exc}"))
                    continue
                if expected != part.content.encode("utf-8"):
                    problems.append(Problem(where, f"{label} differs from what was signed"))
            previous = part
        extra = [p for p in parts if p.part > len(proc.addenda)]
        if extra:
            problems.append(Problem(where, f"{len(extra)} signed addendum(s) are missing"))
        missing_in_log = [n for (pid, n) in self._trail.signs if pid == str(stored.id) and n not in by_part]
        if missing_in_log:
            problems.append(Problem(where, f"{len(missing_in_log)} signature(s) recorded in the audit log are missing"))
        self._check_pdf(where, parts)

    def _check_signature(
        self, where: str, part: StoredSignature, uid: str, previous: StoredSignature | None = None
    ) -> dict[str, Any] | None:
        """The envelope, when its Ed25519 signature is by a key the clinic CA certified; None (problem noted) if not."""
        problems = self.report.problems
        label = "its signature" if part.part == 0 else f"addendum {part.part}'s signature"
        try:
            envelope = json.loads(part.envelope)
        except ValueError:
            problems.append(Problem(where, f"{label} cannot be read", "FORGED"))
            return None
        public = self._signer_public_key(where, part, label)
        if public is None:
            return None
        envelope_bytes = part.envelope.encode("utf-8")
        if canonical_bytes(envelope) != envelope_bytes or not keys.verify(public, envelope_bytes, part.signature):
            problems.append(Problem(where, f"{label} is not a valid signature by the key it names", "FORGED"))
            return None
        expected = {
            "procedure_uid": uid,
            "part": str(part.part),
            "content_format": str(part.content_format),
            "key_fingerprint": keys.fingerprint(public),
            "previous_envelope_sha256": None if previous is None else sha256_hex(previous.envelope.encode("utf-8")),
        }
        wrong = [name for name, value in expected.items() if envelope.get(name) != value]
        if wrong:
            problems.append(
                Problem(where, f"{label} was made for another record or place ({', '.join(wrong)})", "FORGED")
            )
            return None
        if sha256_hex(part.content.encode("utf-8")) != envelope.get("content_sha256"):
            problems.append(Problem(where, f"{label}: the stored signed content differs from the one signed"))
        if sha256_hex(part.pdf) != envelope.get("pdf_sha256"):
            problems.append(Problem(where, f"{label}: the stored signed PDF differs from the one signed"))
        moment = _signed_moment(envelope)
        if moment is None or not ca_mod.valid_at(self._certificates[(part.procedure_id, part.part)], moment):
            # The time that counts is the one signed, not the row's copy of it (a plain column anyone can edit).
            problems.append(Problem(where, f"{label} was made outside its certificate's validity", "FORGED"))
            return None
        self._moments[(part.procedure_id, part.part)] = moment
        key = (str(part.procedure_id), part.part)
        if part.signed_elsewhere != (key in self._trail.imported):
            # "Signed elsewhere" spares a signature the audit-head check below: only an import may say so.
            problems.append(
                Problem(
                    where,
                    f"{label} is stored as "
                    + ("imported from another database" if part.signed_elsewhere else "made here")
                    + ", but the audit log records it otherwise",
                    "FORGED",
                )
            )
        head = envelope.get("audit_head")
        # A signature imported from another database covers that database's trail, not this one.
        if not part.signed_elsewhere and head != GENESIS_HASH and head not in self._trail.hashes:
            problems.append(
                Problem(
                    where,
                    f"{label} covers an audit trail that is no longer there: entries before it were "
                    "removed, changed or re-hashed",
                )
            )
        logged = self._trail.signs.get((str(part.procedure_id), part.part))
        if logged is None or logged.get("envelope_sha256") != sha256_hex(envelope_bytes):
            problems.append(Problem(where, f"{label} is not in the audit log"))
        return envelope

    def _signer_public_key(self, where: str, part: StoredSignature, label: str) -> bytes | None:
        problems = self.report.problems
        if part.key_id is not None:
            key = self._keys.get(part.key_id)
            certificate_der = key.content_certificate if key else None
            if key is None or certificate_der is None:
                problems.append(Problem(where, f"{label} names a key the clinic CA never certified", "FORGED"))
                return None
        else:
            certificate_der = part.signer_certificate
            if certificate_der is None:
                problems.append(Problem(where, f"{label} names no signer", "FORGED"))
                return None
        try:
            certificate = ca_mod.load_der(certificate_der)
        except ValueError:
            problems.append(Problem(where, f"{label}: the signer's certificate cannot be read", "FORGED"))
            return None
        public = ca_mod.content_key_of(certificate)
        if public is None or not any(ca_mod.issued_by(certificate, ca) for ca in self._cas):
            problems.append(Problem(where, f"{label} is by a key no clinic CA of this database certified", "FORGED"))
            return None
        if part.key_id is not None and public != self._keys[part.key_id].public_key:
            problems.append(Problem(where, f"{label}: the key's certificate is for another key", "FORGED"))
            return None
        self._certificates[(part.procedure_id, part.part)] = certificate
        return public

    def _check_procedure_content(self, where: str, stored: StoredProcedure, main: StoredSignature) -> None:
        assert stored.procedure is not None
        try:
            same = gives_signed_content(stored.procedure, main.content, main.content_format)
        except (ValueError, KeyError, TypeError, UnknownFormat) as exc:
            self.report.problems.append(Problem(where, f"its signed content cannot be checked ({exc})"))
            return
        if not same:
            self.report.problems.append(Problem(where, "its content differs from what was signed"))
            return
        signed = json.loads(main.content)
        try:
            patient = get_patient(self._session, stored.patient_id)
        except ValidationError:
            patient = None  # its rows are no valid record: _check_patient names that
        if patient is not None and identity(patient) != signed["patient"]:
            self.report.notes.append(
                f"{where}: the patient's identity was changed after signing; the signed note shows it as signed."
            )

    def _check_pdf(self, where: str, parts: list[StoredSignature]) -> None:
        if not parts:
            return
        for earlier, later in zip(parts, parts[1:], strict=False):
            if not later.pdf.startswith(earlier.pdf):
                self.report.problems.append(
                    Problem(where, f"addendum {later.part}'s signed PDF does not extend the one signed before it")
                )
        try:
            checks = pades.check_pdf(parts[-1].pdf, self._cas)
        except Exception as exc:  # noqa: BLE001 - any unreadable PDF is a finding, not a crash of verify
            self.report.problems.append(Problem(where, f"its signed PDF cannot be read ({type(exc).__name__})"))
            return
        bad = [c.field for c in checks if not c.ok]
        if bad or len(checks) != len(parts):
            self.report.problems.append(
                Problem(
                    where,
                    "the PDF's embedded signatures do not all validate against the clinic CA "
                    f"({len(checks)} found, {len(parts)} expected{', failing: ' + ', '.join(bad) if bad else ''})",
                )
            )

    # ---- records against their last audited change -----------------------------------------
    def _recorded(self, entity: str, entity_id: int, min_format: int = 1) -> tuple[int, str] | None:
        """The record's last audited (format, hash), or None when there is nothing to compare it with: it predates
        record hashes (counted), or no audited change ever made it (a problem: added behind FacetDesk's back)."""
        key = str(entity_id)
        self._seen.add((entity, key))
        self.report.records_checked += 1
        recorded = self._trail.records.get((entity, key))
        if recorded is not None and recorded[0] >= min_format:
            return recorded
        first = self._trail.first_hashed.get(entity)
        if first is not None and entity_id > first:
            self.report.problems.append(
                Problem(
                    f"{_RECORDS[entity]} {entity_id}",
                    "no audited change made it: it was added outside FacetDesk, or the audit trail's newest "
                    "entries were removed",
                )
            )
        else:
            self.report.records_unhashed += 1
        return None

    def _check_removed(self) -> None:
        """Every record the trail hashed is still there: FacetDesk deletes none but an image, and audits that."""
        for entity, entity_id in sorted(self._trail.records):
            if entity in _RECORDS and (entity, entity_id) not in self._seen:
                self.report.problems.append(Problem(f"{_RECORDS[entity]} {entity_id}", "was removed outside FacetDesk"))

    def _check_record(self, entity: str, stored: StoredProcedure) -> None:
        recorded = self._recorded(entity, stored.id)
        if recorded is None:
            return
        if stored.procedure is None:
            self.report.problems.append(Problem(f"procedure {stored.id}", stored.problem or "cannot be read"))
            return
        fmt, digest = recorded
        if procedure_record_hash(stored.patient_id, stored.procedure, fmt) != digest:
            self.report.problems.append(
                Problem(f"procedure {stored.id}", "was changed outside FacetDesk since its last audited change")
            )

    def _check_images(self, session: Session) -> None:
        """Each image against its audited record, and its original file against the record's SHA-256."""
        for image_id, image, original, png in iter_images(session):
            recorded = self._recorded("image", image_id)
            if recorded is None:
                continue
            where = f"image {image_id}"
            rendering = self._trail.renderings.get(str(image_id))
            if image is None or image_record_hash(image, recorded[0]) != recorded[1]:
                self.report.problems.append(Problem(where, "its record was changed outside FacetDesk"))
            elif original is not None and hashlib.sha256(original).hexdigest() != image.sha256:
                self.report.problems.append(Problem(where, "its image file differs from the one attached"))
            elif rendering is not None and hashlib.sha256(png).hexdigest() != rendering:
                # Images attached before the rendering's hash was kept have none to compare with.
                self.report.problems.append(Problem(where, "the picture shown and printed differs from the one made"))

    def _check_outbox(self, session: Session) -> None:
        """Each message on its way to the EHR is the one FacetDesk queued (its SHA-256 is in the queuing entry),
        going where it was queued to (its route's hash too, for messages queued since routes were recorded)."""
        legacy = 0
        stored: set[int] = set()
        for message_id, route, payload in iter_messages(session):
            stored.add(message_id)
            queued = self._trail.queued.get(str(route.procedure_id), QueuedMessages())
            check = queued.check(message_id, route, hashlib.sha256(payload).hexdigest())
            if check is MessageCheck.LEGACY:
                legacy += 1
            elif check is not MessageCheck.AS_QUEUED:
                self.report.problems.append(Problem(f"EHR message {message_id}", _OUTBOX_PROBLEMS[check]))
        # FacetDesk never deletes a queued message: one the trail names and the outbox lacks was removed outside it,
        # and whether it reached the EHR can no longer be told from the outbox.
        for procedure_id, queued in sorted(self._trail.queued.items()):
            for message_id in sorted(set(queued.routes) - stored):
                self.report.problems.append(
                    Problem(
                        f"EHR message {message_id}",
                        f"queued for procedure {procedure_id}, but no longer in the outbox: it was removed outside "
                        "FacetDesk",
                    )
                )
        if legacy:
            self.report.notes.append(
                f"EHR outbox: {legacy} message(s) queued before FacetDesk recorded where each goes: their content "
                "is checked, their destination is not (the sender sends them only where the clinic settings say)."
            )

    def _check_settings(self, session: Session) -> None:
        """The clinic settings are as last saved through FacetDesk (their digests are in that save's entry): a
        database edit of, say, the EHR outbox folder would send every later note elsewhere."""
        try:
            changed = settings_changed_outside(session)
        except (ValidationError, ValueError, TypeError) as exc:
            self.report.problems.append(Problem("clinic settings", f"cannot be read ({exc.__class__.__name__})"))
            return
        if changed is None:
            self.report.notes.append(
                "Clinic settings: last saved before FacetDesk recorded each setting's hash; they are checked from "
                "their next save."
            )
        elif changed:
            self.report.problems.append(
                Problem(
                    "clinic settings",
                    f"changed outside FacetDesk since their last audited save: {', '.join(changed)}",
                )
            )

    def _check_follow_up(self, visit_id: int, visit: FollowUp | None) -> None:
        # Follow-ups recorded before format 5 carry no record hash of their own.
        recorded = self._recorded("follow_up", visit_id, min_format=5)
        if recorded is None:
            return
        if visit is None or follow_up_record_hash(visit, recorded[0]) != recorded[1]:
            self.report.problems.append(
                Problem(f"follow-up {visit_id}", "was changed outside FacetDesk since its last audited change")
            )

    def _check_patient(self, patient_id: int, patient) -> None:
        recorded = self._recorded("patient", patient_id)
        if recorded is None:
            return
        if patient is None or patient_record_hash(patient, recorded[0]) != recorded[1]:
            self.report.problems.append(
                Problem(f"patient {patient_id}", "was changed outside FacetDesk since its last audited change")
            )


def signed_record_problem(session: Session, procedure_id: int, procedure: Procedure) -> str | None:
    """What a reader of a signed procedure must be told when its stored record is not what was signed, or None.

    A cheap check of one record for the screens (no cryptography, no trail: `facetdesk verify` does that): the
    record is marked signed with no signature FacetDesk made, or its fields no longer give the signed content.
    """
    if procedure.signature is None:
        return None
    signed_part = signed_content(session, procedure_id)
    if signed_part is None:
        if procedure_id in legacy_signed_ids(session):
            return None
        return (
            f"Marked signed by {procedure.signature.signed_by}, but it carries no signature FacetDesk made (it was "
            "changed outside FacetDesk): it is shown as an unsigned draft. Ask your administrator to run "
            "'facetdesk verify'."
        )
    fmt, content = signed_part
    try:
        same = gives_signed_content(procedure, content, fmt)
    except (ValueError, KeyError, TypeError, UnknownFormat):
        same = False
    if same:
        return None
    return (
        "This record was changed outside FacetDesk after it was signed: the note shown is the one signed, and the "
        "record's fields no longer match it. Ask your administrator to run 'facetdesk verify'."
    )
