"""The signed note as an HL7 v2.5 MDM message (T02 original, T06 addendum) with the PDF embedded, and its ACK.

Built with hl7apy (structure checked against its v2.5 message definitions; field lengths are not, since the
embedded PDF is far longer than v2.5's suggested maximum, as every MDM carrying a document is). The codes come
from resources/interchange.json: TXA-2 "PN" (table 0270) and OBX-3 LOINC 28570-0.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime

from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.core import Message
from hl7apy.exceptions import HL7apyException
from hl7apy.parser import parse_message

from facetdesk.domain.ehr import EhrInterface
from facetdesk.domain.enums import Sex
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Procedure
from facetdesk.interop.document_codes import document_codes

VERSION = "2.5"
DEFAULT_APPLICATION = "FacetDesk"
# HL7 table 0001 (administrative sex).
_SEX = {Sex.FEMALE: "F", Sex.MALE: "M", Sex.OTHER: "O", Sex.UNKNOWN: "U"}
# Table 0008: AA/CA accepted; AE/CE error; AR/CR rejected.
ACCEPTED = ("AA", "CA")
SEGMENT_END = "\r"
_ESCAPES = (("\\", "\\E\\"), ("|", "\\F\\"), ("^", "\\S\\"), ("&", "\\T\\"), ("~", "\\R\\"))


def escape(text: str) -> str:
    """Text for an HL7 v2 field: its delimiters escaped, line breaks as spaces."""
    for raw, escaped in _ESCAPES:
        text = text.replace(raw, escaped)
    return " ".join(text.split())


def hl7_time(moment: datetime) -> str:
    """DTM with its UTC offset (a naive record time is the workstation's local time, as in FHIR exports)."""
    aware = moment if moment.tzinfo is not None else moment.astimezone()
    return aware.strftime("%Y%m%d%H%M%S%z")


def document_number(procedure: Procedure, part: int) -> str:
    """TXA-12's entity identifier: the procedure's uid and the signed part (0 the note, 1… each addendum)."""
    return f"{procedure.uid}.{part}"


def mdm_message(
    patient: Patient,
    procedure: Procedure,
    pdf: bytes,
    interface: EhrInterface,
    *,
    control_id: str,
    now: datetime,
) -> str:
    """The MDM message of the procedure's signed note as it stands (T02 first, T06 once addenda are signed)."""
    assert procedure.signature is not None, "only a signed note goes to the EHR"
    codes = document_codes()
    part = len(procedure.addenda)
    signer, signed_at = (
        (procedure.signature.signed_by, procedure.signature.signed_at)
        if part == 0
        else (procedure.addenda[-1].signed_by, procedure.addenda[-1].signed_at)
    )
    event = "T02" if part == 0 else "T06"
    app = escape(interface.sending_application or DEFAULT_APPLICATION)
    m = Message("MDM_T02", version=VERSION, validation_level=VALIDATION_LEVEL.TOLERANT)
    m.msh.msh_3 = app
    m.msh.msh_4 = escape(interface.sending_facility)
    m.msh.msh_5 = escape(interface.receiving_application)
    m.msh.msh_6 = escape(interface.receiving_facility)
    m.msh.msh_7 = hl7_time(now)
    m.msh.msh_9 = f"MDM^{event}^MDM_T02"
    m.msh.msh_10 = control_id
    m.msh.msh_11 = "P"
    m.msh.msh_12 = VERSION
    m.msh.msh_18 = "UNICODE UTF-8"
    m.evn.evn_1 = event
    m.evn.evn_2 = hl7_time(now)
    m.pid.pid_3 = f"{escape(patient.mrn)}^^^{escape(interface.mrn_assigning_authority)}^MR"
    m.pid.pid_5 = f"{escape(patient.family_name)}^{escape(patient.given_name)}"
    m.pid.pid_7 = patient.date_of_birth.strftime("%Y%m%d")
    m.pid.pid_8 = _SEX[patient.sex]
    m.pv1.pv1_2 = "O"  # table 0004: outpatient (the FHIR Encounter's AMB)
    m.txa.txa_1 = "1"
    m.txa.txa_2 = codes.hl7v2_type.code
    m.txa.txa_3 = "AP"  # table 0191: other application data (the PDF)
    m.txa.txa_4 = hl7_time(procedure.performed_at)
    m.txa.txa_5 = f"^{escape(procedure.physician)}"
    m.txa.txa_6 = hl7_time(signed_at)
    m.txa.txa_12 = f"{document_number(procedure, part)}^{app}"
    if part > 0:
        m.txa.txa_13 = f"{document_number(procedure, part - 1)}^{app}"
    m.txa.txa_17 = "LA"  # table 0271: legally authenticated (signed with the physician's key)
    m.txa.txa_19 = "AV"  # table 0273: available for patient care
    # PPN: the signer's name (component 2) and the moment of signing (component 15).
    m.txa.txa_22 = f"^{escape(signer)}" + "^" * 13 + hl7_time(signed_at)
    obs = m.add_group("MDM_T02_OBSERVATION")
    obs.obx.obx_1 = "1"
    obs.obx.obx_2 = "ED"
    o = codes.hl7v2_observation
    obs.obx.obx_3 = f"{o.code}^{escape(o.display)}^{o.system}"
    # ED: source application ^ type of data (AP) ^ subtype (PDF, user table 0291) ^ encoding ^ the data.
    obs.obx.obx_5 = "^AP^PDF^Base64^" + base64.b64encode(pdf).decode("ascii")
    obs.obx.obx_11 = "F"
    obs.obx.obx_14 = hl7_time(signed_at)
    m.validate()  # the MDM_T02 structure: required segments and their order
    # hl7apy joins segments with <CR>; the standard terminates each one with it, the last included.
    return m.to_er7() + SEGMENT_END


@dataclass(frozen=True)
class Ack:
    code: str  # MSA-1
    control_id: str  # MSA-2: the control id of the message acknowledged
    text: str  # MSA-3 and any ERR segment's text, for the outbox view

    @property
    def accepted(self) -> bool:
        return self.code in ACCEPTED


class NotAnAck(ValueError):
    """The reply could not be read as an HL7 acknowledgement."""


def parse_ack(reply: str) -> Ack:
    """Read the receiver's ACK (original or enhanced mode); NotAnAck when it is not one."""
    text = reply.strip().replace("\n", "\r")
    try:
        message = parse_message(text, validation_level=VALIDATION_LEVEL.TOLERANT, find_groups=False)
        msa = message.msa
        code = msa.msa_1.to_er7()
        control = msa.msa_2.to_er7()
        detail = [msa.msa_3.to_er7()] if msa.msa_3.to_er7() else []
    except (HL7apyException, AttributeError, IndexError, ValueError) as exc:
        raise NotAnAck(f"the reply is not an HL7 acknowledgement ({exc.__class__.__name__})") from exc
    for segment in text.split("\r"):
        if segment.startswith("ERR|"):
            fields = segment.split("|")
            detail.extend(f for f in fields[1:] if f and len(f) < 200)
    if code not in ("AA", "AE", "AR", "CA", "CE", "CR"):
        raise NotAnAck(f"the acknowledgement code {code!r} is not one of table 0008's")
    return Ack(code, control, "; ".join(detail))
