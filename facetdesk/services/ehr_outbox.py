"""The signed note into the EHR: queued at signing as an HL7 v2 MDM message and a FHIR DocumentReference, written
to the clinic's outbox folder and, when set up, sent over MLLP with its ACK checked and retried.

A message is stored with its exact bytes before any attempt, so nothing is lost when the folder or the interface
engine is away, and a retry sends the same message (same control id). One workstation at a time sends a message:
it claims the row first (storage.outbox.claim).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from facetdesk.domain.audit import AuditAction, sha256_bytes
from facetdesk.domain.base import is_row_id
from facetdesk.domain.ehr import DeliveryStatus, Destination, EhrInterface, MessageCheck, MessageKind, OutboxEntry
from facetdesk.domain.text import shown
from facetdesk.domain.users import Permission
from facetdesk.services.records import NotFound
from facetdesk.services.session import WorkSession
from facetdesk.services.settings import SettingsChangedOutside
from facetdesk.storage import outbox as store
from facetdesk.storage import repository as repo
from facetdesk.storage.audit import EHR_QUEUED, queued_messages
from facetdesk.storage.db import Database
from facetdesk.storage.settings import load_settings, settings_changed_outside
from facetdesk.storage.signatures import signed_document

_log = logging.getLogger(__name__)

# Waits before the 2nd, 3rd… attempt after a failure to reach the folder or the interface engine; after the
# last one the message is "failed" and waits for a person (the outbox view's Retry).
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=4),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# A claim older than this belongs to a workstation that stopped mid-send: the message is due again.
STALE_CLAIM = timedelta(minutes=10)
NOT_AS_QUEUED = (
    "not sent: its content is not what FacetDesk queued (changed in the database outside FacetDesk); "
    "ask your administrator to run 'facetdesk verify'"
)
NOT_WHERE_QUEUED = (
    "not sent: its destination (folder, file name, or interface engine host and port) is not the one FacetDesk "
    "queued it to (changed in the database outside FacetDesk); ask your administrator to run 'facetdesk verify'"
)
LEGACY_ELSEWHERE = (
    "not sent: it was queued before FacetDesk recorded where each message goes, and its destination is no longer "
    "the one in Clinic settings → EHR interface; send the note again from FacetDesk"
)
# The EHR interface settings were edited in the database: a note queued or sent by them could go anywhere.
SETTINGS_CHANGED = (
    "not sent: the EHR interface settings were changed outside FacetDesk ({changed}); an administrator must check "
    "them in Clinic settings → EHR interface and save them, and run 'facetdesk verify'"
)
MLLP_TIMEOUT_S = 15.0

Exchange = Callable[[str, int, str], str]


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def __add__(self, other: DeliveryReport) -> DeliveryReport:
        return DeliveryReport(self.sent + other.sent, self.retrying + other.retrying, self.failed + other.failed)


def _default_exchange(host: str, port: int, message: str) -> str:
    from facetdesk.interop.mllp import exchange

    return exchange(host, port, message, timeout_s=MLLP_TIMEOUT_S)


class EhrOutboxService:
    def __init__(
        self,
        database: Database,
        work: WorkSession,
        *,
        exchange: Exchange | None = None,
        clock: Callable[[], datetime] = datetime.now,
    ):
        self._db = database
        self._work = work
        self._exchange = exchange or _default_exchange
        self._clock = clock

    # ---- queueing --------------------------------------------------------------------------
    def queue_signed(self, procedure_id: object) -> list[int]:
        """After a signature or an addendum: queue the signed note when the clinic sends on signing ([] if not)."""
        self._work.require(Permission.VIEW)
        with self._db.read() as session:
            interface = load_settings(session).ehr
        if not interface.send_on_signing:
            return []
        return self.queue(procedure_id)

    def queue(self, procedure_id: object) -> list[int]:
        """Queue the procedure's signed note, as it stands, to every destination the clinic set up."""
        self._work.require(Permission.VIEW)
        if not is_row_id(procedure_id):
            raise NotFound(f"procedure {shown(procedure_id)} does not exist")
        assert isinstance(procedure_id, int)
        from facetdesk.interop.fhir.document import standalone_document_json
        from facetdesk.interop.hl7v2 import mdm_message

        now = self._clock().replace(microsecond=0)
        with self._db.read() as session:
            interface = load_settings(session).ehr
            changed = _ehr_changed_outside(session)
            patient, procedure = self._signed(session, procedure_id)
            pdf = signed_document(session, procedure_id)
        if changed:
            # Queued now, the note would be pinned to wherever the edited settings point.
            raise SettingsChangedOutside(SETTINGS_CHANGED.format(changed=", ".join(changed)))
        if pdf is None or procedure.signature is None:
            raise NotFound(f"procedure {shown(procedure_id)} has no signed note to send")
        if not interface.outbox_folder and not interface.has_mllp:
            raise NotFound("no outbox folder or interface engine is set up (Clinic settings → EHR interface)")
        part = len(procedure.addenda)
        control = uuid.uuid4().hex[:20]  # MSH-10 holds at most 20 characters
        mdm = mdm_message(patient, procedure, pdf, interface, control_id=control, now=now).encode("utf-8")
        fhir = standalone_document_json(patient, procedure, pdf, interface)
        stem = f"facetdesk-note-{control}"
        messages: list[store.NewMessage] = []
        if interface.outbox_folder:
            for kind, payload, suffix in (
                (MessageKind.HL7_MDM, mdm, ".hl7"),
                (MessageKind.FHIR_DOCUMENT, fhir, ".json"),
            ):
                messages.append(
                    store.NewMessage(
                        procedure_id,
                        part,
                        kind,
                        Destination.FOLDER,
                        interface.outbox_folder,
                        control,
                        stem + suffix,
                        sha256_bytes(payload),
                        payload,
                    )  # fmt: skip
                )
        if interface.has_mllp:
            messages.append(
                store.NewMessage(
                    procedure_id,
                    part,
                    MessageKind.HL7_MDM,
                    Destination.MLLP,
                    f"{interface.mllp_host}:{interface.mllp_port}",
                    control,
                    stem + ".hl7",
                    sha256_bytes(mdm),
                    mdm,
                )  # fmt: skip
            )
        with self._db.transaction() as session:
            ids = store.add_messages(session, messages, now)
            self._work.log(
                session,
                AuditAction.EXPORT,
                "procedure",
                procedure_id,
                detail={
                    "format": EHR_QUEUED,
                    "part": part,
                    "messages": [f"{m.kind.value}>{m.destination.value}" for m in messages],
                    "sha256": sorted({m.sha256 for m in messages}),
                    # Where each message goes (its folder or host and port, file name, kind, control id), hashed
                    # by message id: verify and the sender refuse one sent elsewhere than queued.
                    "routes": {str(i): m.route.digest() for i, m in zip(ids, messages, strict=True)},
                },
            )
        return ids

    @staticmethod
    def _signed(session, procedure_id: int):
        found = repo.get_procedure(session, procedure_id)
        if found is None:
            raise NotFound(f"procedure {shown(procedure_id)} does not exist")
        patient = repo.get_patient(session, found[0])
        assert patient is not None
        return patient, found[1]

    # ---- delivery --------------------------------------------------------------------------
    def deliver_due(self) -> DeliveryReport:
        """Try every message whose time has come (blocking: run it off the screen's thread)."""
        self._work.require(Permission.VIEW)
        now = self._clock()
        with self._db.read() as session:
            due = store.due_ids(session, now, STALE_CLAIM)
        report = DeliveryReport()
        for message_id in due:
            report = report + self._deliver(message_id)
        return report

    def _deliver(self, message_id: int) -> DeliveryReport:
        now = self._clock()
        with self._db.transaction() as session:
            claimed = store.claim(session, message_id, now, STALE_CLAIM)
            if claimed is None:
                return DeliveryReport()  # another workstation has it, or finished it
            check = queued_messages(session, claimed.procedure_id).check(
                claimed.id, claimed.route, sha256_bytes(claimed.payload)
            )
            interface = load_settings(session).ehr
            changed = _ehr_changed_outside(session)
        attempts = claimed.attempts + 1
        refusal = _refusal(check, claimed, interface, changed)
        if refusal is not None:
            # Bytes FacetDesk did not queue, or a destination it did not queue them to (changed in the database),
            # never leave as the signed note.
            self._finish(claimed, DeliveryStatus.FAILED, attempts, error=refusal)
            return DeliveryReport(failed=1)
        try:
            ack_code = self._send(claimed)
        except _Refused as refused:
            self._finish(claimed, DeliveryStatus.FAILED, attempts, error=str(refused), ack=refused.code)
            return DeliveryReport(failed=1)
        except (OSError, ValueError) as exc:
            reason = str(exc) or exc.__class__.__name__
            if attempts >= MAX_ATTEMPTS:
                self._finish(
                    claimed, DeliveryStatus.FAILED, attempts, error=f"gave up after {attempts} attempts: {reason}"
                )
                return DeliveryReport(failed=1)
            retry_at = self._clock() + RETRY_DELAYS[attempts - 1]
            self._finish(claimed, DeliveryStatus.PENDING, attempts, error=reason, next_at=retry_at)
            return DeliveryReport(retrying=1)
        self._finish(claimed, DeliveryStatus.SENT, attempts, ack=ack_code)
        return DeliveryReport(sent=1)

    def _send(self, claimed: store.Claimed) -> str:
        if claimed.destination is Destination.FOLDER:
            from facetdesk.interop.files import write_atomically

            folder = Path(claimed.target)
            if not folder.is_dir():
                raise OSError(f"the outbox folder {claimed.target} is not reachable")
            # Readable by the interface engine's account, which is rarely the physician's.
            write_atomically(claimed.payload, folder / claimed.file_name, shared=True)
            return ""
        from facetdesk.interop.hl7v2 import parse_ack

        host, _, port = claimed.target.rpartition(":")
        reply = self._exchange(host, int(port), claimed.payload.decode("utf-8"))
        ack = parse_ack(reply)
        if ack.control_id != claimed.control_id:
            raise ValueError(f"the acknowledgement is for message {ack.control_id!r}, not this one")
        if not ack.accepted:
            raise _Refused(ack.code, f"refused by the EHR ({ack.code})" + (f": {ack.text}" if ack.text else ""))
        return ack.code

    def _finish(
        self,
        claimed: store.Claimed,
        status: DeliveryStatus,
        attempts: int,
        *,
        error: str = "",
        ack: str = "",
        next_at: datetime | None = None,
    ) -> None:
        now = self._clock()
        with self._db.transaction() as session:
            store.record_outcome(
                session,
                claimed.id,
                status,
                attempts=attempts,
                error=error[:1000],
                ack_code=ack,
                next_attempt_at=next_at,
                sent_at=now if status is DeliveryStatus.SENT else None,
            )
            if status is not DeliveryStatus.PENDING:
                self._work.log(
                    session,
                    AuditAction.EXPORT,
                    "procedure",
                    claimed.procedure_id,
                    detail={
                        "format": claimed.kind.value,
                        "destination": claimed.destination.value,
                        "outcome": status.value,
                        "ack": ack,
                        "attempts": attempts,
                        "sha256": sha256_bytes(claimed.payload),
                    },
                )
        if status is DeliveryStatus.FAILED:
            # The reason names the destination and the receiver's code, never the patient.
            _log.warning("EHR message %s to %s failed: %s", claimed.id, claimed.destination.value, error)

    # ---- the outbox view -----------------------------------------------------------------
    def retry(self, message_id: object) -> None:
        """A failed message back in the queue, due now."""
        self._work.require(Permission.VIEW)
        if not is_row_id(message_id):
            raise NotFound(f"message {shown(message_id)} does not exist")
        assert isinstance(message_id, int)
        with self._db.transaction() as session:
            if not store.requeue(session, message_id, self._clock()):
                raise NotFound(f"message {shown(message_id)} is not a failed message")

    def entries(self, limit: int = 500) -> list[OutboxEntry]:
        self._work.require(Permission.VIEW)
        with self._db.read() as session:
            return store.list_entries(session, limit)

    def counts(self) -> dict[DeliveryStatus, int]:
        with self._db.read() as session:
            return store.count_by_status(session)

    def interface(self) -> EhrInterface:
        with self._db.read() as session:
            return load_settings(session).ehr


def _ehr_changed_outside(session) -> list[str]:
    """The EHR interface settings changed in the database since their last save through FacetDesk."""
    return [name for name in settings_changed_outside(session) or () if name.startswith("EHR interface")]


def _refusal(check: MessageCheck, claimed: store.Claimed, interface: EhrInterface, changed: list[str]) -> str | None:
    """Why the claimed message must not be sent, or None (``changed``: EHR settings edited outside FacetDesk)."""
    if check is MessageCheck.CONTENT_CHANGED:
        return NOT_AS_QUEUED
    if check in (MessageCheck.ROUTE_CHANGED, MessageCheck.NOT_QUEUED):
        return NOT_WHERE_QUEUED
    if check is MessageCheck.LEGACY and changed:
        # Its only guard is the settings' destination, and that was edited outside FacetDesk.
        return SETTINGS_CHANGED.format(changed=", ".join(changed))
    if check is MessageCheck.LEGACY and not _still_configured(claimed, interface):
        # Its destination was never audited: it goes only where the clinic's settings still send notes.
        return LEGACY_ELSEWHERE
    return None


def _still_configured(claimed: store.Claimed, interface: EhrInterface) -> bool:
    if claimed.destination is Destination.FOLDER:
        name = claimed.file_name
        plain_name = name == Path(name).name and "\\" not in name and name not in ("", ".", "..")
        return bool(interface.outbox_folder) and claimed.target == interface.outbox_folder and plain_name
    return interface.has_mllp and claimed.target == f"{interface.mllp_host}:{interface.mllp_port}"


class _Refused(ValueError):
    """The receiver answered AE/AR (CE/CR): retrying the same message would be refused again."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
