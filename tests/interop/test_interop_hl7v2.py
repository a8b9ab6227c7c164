"""The HL7 v2 MDM message and its ACK: delimiters in names escaped, read back by python-hl7; replies that are not
acknowledgements refused by name."""

from __future__ import annotations

import base64
from datetime import datetime

import hl7
import pytest

from facetdesk.domain.ehr import EhrInterface
from facetdesk.domain.procedure import Signature
from facetdesk.interop.hl7v2 import NotAnAck, escape, mdm_message, parse_ack
from tests.builders.records import patient, procedure

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 64


def _message(**patient_fields) -> hl7.Message:
    signed = procedure().model_copy(
        update={"signature": Signature(signed_by="Dr. Ann & Co^", signed_at=datetime(2026, 12, 1, 10, 0))}
    )
    text = mdm_message(
        patient().model_copy(update=patient_fields),
        signed,
        PDF,
        EhrInterface(mrn_assigning_authority="CLINIC"),
        control_id="CTRL1",
        now=datetime(2026, 12, 1, 10, 5),
    )
    return hl7.parse(text)


def test_names_with_hl7_delimiters_are_escaped_and_read_back_whole():
    message = _message(family_name="O'Brien|Smith^Jr", given_name="Anne~Marie & Co\\")
    pid5 = message.segment("PID")[5]
    # python-hl7 splits on the delimiters; escaped ones stay inside their component.
    assert len(pid5[0]) == 2
    assert message.unescape(str(pid5[0][0])) == "O'Brien|Smith^Jr"
    assert message.unescape(str(pid5[0][1])) == "Anne~Marie & Co\\"
    assert base64.b64decode(str(message.segment("OBX")[5]).split("^")[4]) == PDF


def test_the_signer_and_the_moment_of_signing_are_in_txa_22():
    txa22 = str(_message().segment("TXA")[22])
    parts = txa22.split("^")
    assert parts[1] == escape("Dr. Ann & Co^") and parts[14].startswith("20261201100000")


@pytest.mark.parametrize(
    ("reply", "why"),
    [
        ("", "not an HL7 acknowledgement"),
        ("hello there", "not an HL7 acknowledgement"),
        ("MSH|^~\\&|EHR||||20261201||ACK|1|P|2.5\rMSA|ZZ|CTRL1\r", "not one of table 0008's"),
    ],
)
def test_a_reply_that_is_not_an_ack_is_refused_by_name(reply, why):
    with pytest.raises(NotAnAck, match=why):
        parse_ack(reply)


def test_an_error_ack_carries_the_receivers_reason():
    ack = parse_ack("MSH|^~\\&|EHR||||20261201||ACK|1|P|2.5\rMSA|AE|CTRL1|Patient not found\rERR|||207|E\r")
    assert (ack.code, ack.control_id, ack.accepted) == ("AE", "CTRL1", False)
    assert "Patient not found" in ack.text


def test_every_segment_ends_with_a_carriage_return_the_last_one_too():
    """HL7 v2.5 ch. 2.5: each segment, the last included, is terminated by <CR>; receivers that read segment by
    segment (and MLLP peers expecting <CR><FS><CR>) otherwise see the OBX with the PDF as unterminated."""
    signed = procedure().model_copy(
        update={"signature": Signature(signed_by="Dr. Synthetic", signed_at=datetime(2026, 12, 1, 10, 0))}
    )
    text = mdm_message(patient(), signed, PDF, EhrInterface(), control_id="CTRL1", now=datetime(2026, 12, 1, 10, 5))
    assert text.endswith("\r") and not text.endswith("\r\r")
    segments = text.split("\r")[:-1]
    assert [s[:3] for s in segments] == ["MSH", "EVN", "PID", "PV1", "TXA", "OBX"]
    # python-hl7, another reader, sees the same six segments and the PDF whole.
    message = hl7.parse(text)
    assert len(message) == 6
    assert base64.b64decode(str(message.segment("OBX")[5]).split("^")[4]) == PDF
