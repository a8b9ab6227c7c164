"""The clinic's EHR interface: identifier systems, where signed notes go (folder, MLLP), the outbox's states."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails

from facetdesk.domain.audit import canonical_json, sha256_text
from facetdesk.domain.base import Model

# Placeholders used while a clinic has not named its EHR's systems: not registered identifiers.
PLACEHOLDER_MRN_SYSTEM = "urn:facetdesk:mrn"
PLACEHOLDER_PROCEDURE_SYSTEM = "urn:facetdesk:procedure-uid"
# HL7 v2's delimiters (MSH-1 and MSH-2 as FacetDesk sends them): an HD namespace must not contain one.
_HL7_DELIMITERS = set("|^~\\&")
# An HD namespace id is at most 20 characters in HL7 v2.5 (IS data type).
MAX_HL7_NAME = 20
# A FHIR uri: an absolute URI (urn:…, http(s)://…), no spaces.
_URI = re.compile(r"^(urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+|https?://\S+)$")
# A host name or an IPv4/IPv6 address, as typed in a settings form.
_HOST = re.compile(r"^[A-Za-z0-9.:\-\[\]]{1,253}$")


class DeliveryStatus(str, Enum):
    PENDING = "pending"  # waiting for its first or next attempt
    SENDING = "sending"  # claimed by one workstation now
    SENT = "sent"  # written to the folder, or acknowledged (AA/CA) by the interface engine
    FAILED = "failed"  # refused by the receiver, or given up after the last retry: needs a person


class MessageKind(str, Enum):
    HL7_MDM = "hl7-mdm"
    FHIR_DOCUMENT = "fhir-documentreference"


class Destination(str, Enum):
    FOLDER = "folder"
    MLLP = "mllp"


class EhrInterface(Model):
    """How signed notes reach the EHR; shared by every workstation (part of the clinic settings)."""

    # FHIR Identifier.system of the clinic's MRNs and of FacetDesk's procedure ids (urn:oid:…, http…).
    mrn_system: str = Field(default="", max_length=200)
    procedure_id_system: str = Field(default="", max_length=200)
    # HL7 v2: PID-3's assigning authority, and the applications and facilities of MSH-3 to MSH-6.
    mrn_assigning_authority: str = Field(default="", max_length=MAX_HL7_NAME)
    sending_application: str = Field(default="", max_length=MAX_HL7_NAME)
    sending_facility: str = Field(default="", max_length=MAX_HL7_NAME)
    receiving_application: str = Field(default="", max_length=MAX_HL7_NAME)
    receiving_facility: str = Field(default="", max_length=MAX_HL7_NAME)
    # A copy of every message goes to this folder (the interface engine may pick them up from there).
    outbox_folder: str = Field(default="", max_length=1000)
    # Optional: an interface engine listening for HL7 v2 over MLLP.
    mllp_host: str = Field(default="", max_length=253)
    mllp_port: int | None = Field(default=None, ge=1, le=65535)
    send_on_signing: bool = False

    @field_validator("mrn_system", "procedure_id_system")
    @classmethod
    def _uri(cls, v: str) -> str:
        if v and not _URI.match(v):
            raise ValueError("must be an absolute URI such as urn:oid:1.2.3 or https://ehr.example.org/mrn")
        return v

    @field_validator(
        "mrn_assigning_authority",
        "sending_application",
        "sending_facility",
        "receiving_application",
        "receiving_facility",
    )
    @classmethod
    def _hl7_name(cls, v: str) -> str:
        if _HL7_DELIMITERS & set(v):
            raise ValueError("must not contain | ^ ~ \\ or & (HL7 v2 delimiters)")
        return v

    @field_validator("mllp_host")
    @classmethod
    def _host(cls, v: str) -> str:
        if v and not _HOST.match(v):
            raise ValueError("must be a host name or an IP address, without spaces")
        return v

    @model_validator(mode="after")
    def _complete(self) -> EhrInterface:
        problems: list[tuple[str, str]] = []
        if bool(self.mllp_host) != (self.mllp_port is not None):
            missing = "mllp_port" if self.mllp_host else "mllp_host"
            problems.append((missing, "give both the interface engine's host and its port, or neither"))
        if self.send_on_signing:
            for name in ("outbox_folder", "mrn_system", "procedure_id_system", "mrn_assigning_authority"):
                if not getattr(self, name):
                    problems.append((name, "is needed to send signed notes to the EHR"))
        if problems:
            # A ValidationError with each field's location, as a field validator's would have.
            raise ValidationError.from_exception_data(
                type(self).__name__,
                [
                    InitErrorDetails(type="value_error", loc=(name,), input="", ctx={"error": ValueError(message)})
                    for name, message in problems
                ],
            )
        return self

    @property
    def mrn_uri(self) -> str:
        return self.mrn_system or PLACEHOLDER_MRN_SYSTEM

    @property
    def procedure_uri(self) -> str:
        return self.procedure_id_system or PLACEHOLDER_PROCEDURE_SYSTEM

    @property
    def has_mllp(self) -> bool:
        return bool(self.mllp_host) and self.mllp_port is not None


class OutboxEntry(Model):
    """One message to one destination, as the outbox view lists it (no payload)."""

    id: int
    procedure_id: int
    part: int = Field(ge=0)
    kind: MessageKind
    destination: Destination
    target: str
    control_id: str
    status: DeliveryStatus
    attempts: int = Field(ge=0)
    last_error: str = ""
    created_at: datetime
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None
    ack_code: str = ""
    patient: str = ""  # "Family, Given (MRN)", for the view
    performed_at: datetime | None = None


# Where a queued message goes is audited from this version of the queueing entry on (its "routes"): entries
# written before it hash the payloads only, and their messages are checked for content, not for destination.
ROUTE_FORMAT = 1


@dataclass(frozen=True)
class MessageRoute:
    """Where one queued message goes and what it is labelled, as its queueing audit entry hashes it."""

    procedure_id: int
    part: int
    kind: str
    destination: str
    target: str  # the folder, or "host:port" of the interface engine
    control_id: str
    file_name: str
    sha256: str  # of the payload, as stored beside it

    def digest(self) -> str:
        return sha256_text(canonical_json({"route_format": ROUTE_FORMAT, **asdict(self)}))


class MessageCheck(str, Enum):
    AS_QUEUED = "as queued"
    # Queued before destinations were audited: its content is checked, where it goes cannot be.
    LEGACY = "legacy"
    CONTENT_CHANGED = "content changed"
    ROUTE_CHANGED = "route changed"
    # No queueing entry names this message id: added, or renumbered, outside FacetDesk.
    NOT_QUEUED = "not queued"


@dataclass
class QueuedMessages:
    """What the queueing audit entries of one procedure say about its EHR messages."""

    payloads: set[str] = field(default_factory=set)
    legacy_payloads: set[str] = field(default_factory=set)
    routes: dict[int, str] = field(default_factory=dict)  # message id -> MessageRoute.digest()

    def add(self, detail: Mapping[str, Any]) -> None:
        """Take in one queueing entry's detail (services.ehr_outbox writes it)."""
        hashes = {str(h) for h in detail.get("sha256") or ()}
        self.payloads |= hashes
        routes = detail.get("routes")
        if not isinstance(routes, dict):
            self.legacy_payloads |= hashes
            return
        for message_id, digest in routes.items():
            if str(message_id).isdigit():
                self.routes[int(message_id)] = str(digest)

    def check(self, message_id: int, route: MessageRoute, payload_sha256: str) -> MessageCheck:
        """Whether the stored message is the one FacetDesk queued, going where it was queued to."""
        if payload_sha256 not in self.payloads:
            return MessageCheck.CONTENT_CHANGED
        recorded = self.routes.get(message_id)
        if recorded is not None:
            return MessageCheck.AS_QUEUED if recorded == route.digest() else MessageCheck.ROUTE_CHANGED
        # Bytes queued only by entries that record routes, under an id none of them names: a copy made outside.
        return MessageCheck.LEGACY if payload_sha256 in self.legacy_payloads else MessageCheck.NOT_QUEUED
