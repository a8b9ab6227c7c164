"""The signed note into the EHR: queued at signing, written to the outbox folder as an HL7 MDM message and a FHIR
DocumentReference, sent over MLLP to a listener on 127.0.0.1 with its ACK checked, retried, and listed."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from datetime import datetime, timedelta

import hl7
import pytest
import sqlalchemy as sa
from fhir.resources.R4B.documentreference import DocumentReference

from facetdesk.domain.ehr import DeliveryStatus, Destination, MessageKind
from facetdesk.domain.errors import InvalidRecord
from facetdesk.services.ehr_outbox import MAX_ATTEMPTS, EhrOutboxService
from facetdesk.storage import outbox as store
from facetdesk.storage.signatures import signed_document
from tests import signers
from tests.mllp_listener import free_port, mllp_listener

MRN_SYSTEM = "urn:oid:2.16.840.1.113883.3.999.1"  # synthetic OID arc for the tests
PROC_SYSTEM = "https://ehr.example.org/facetdesk-procedure"


def interface(folder=None, port=None, **more) -> dict:
    data = {
        "mrn_system": MRN_SYSTEM,
        "procedure_id_system": PROC_SYSTEM,
        "mrn_assigning_authority": "SYNTHCLINIC",
        "sending_facility": "PAINCLINIC",
        "receiving_application": "EHR",
        "send_on_signing": True,
        "outbox_folder": str(folder) if folder else "",
        **({"mllp_host": "127.0.0.1", "mllp_port": port} if port else {}),
    }
    if not folder:
        data["send_on_signing"] = False
    return data | more


@pytest.fixture
def signed_setup(ctx, make_patient_data, make_procedure_data, tmp_path):
    def make(**ehr):
        ctx.settings.save({"ehr": ehr})
        patient = ctx.records.save_patient(make_patient_data())
        procedure = ctx.records.save_procedure(patient.id, make_procedure_data(notes="As performed."))
        signed = signers.sign(ctx, procedure.id, procedure.version)
        return patient, signed

    return make


def test_nothing_is_queued_until_the_clinic_turns_it_on(ctx, signed_setup):
    signed_setup()
    assert ctx.outbox.entries() == []
    assert ctx.signing.ehr_problem is None


def test_signing_writes_the_mdm_message_and_the_document_reference_to_the_outbox_folder(ctx, signed_setup, tmp_path):
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    patient, signed = signed_setup(**interface(outbox))
    entries = ctx.outbox.entries()
    assert {(e.kind, e.destination, e.status) for e in entries} == {
        (MessageKind.HL7_MDM, Destination.FOLDER, DeliveryStatus.PENDING),
        (MessageKind.FHIR_DOCUMENT, Destination.FOLDER, DeliveryStatus.PENDING),
    }
    report = ctx.outbox.deliver_due()
    assert (report.sent, report.retrying, report.failed) == (2, 0, 0)
    with ctx.database.read() as session:
        pdf = signed_document(session, signed.id)
    (hl7_file,) = outbox.glob("*.hl7")
    (json_file,) = outbox.glob("*.json")
    # Read back with python-hl7, not the library that built it.
    message = hl7.parse(hl7_file.read_bytes().decode("utf-8"))
    assert str(message.segment("MSH")[9]) == "MDM^T02^MDM_T02"
    assert str(message.segment("PID")[3]) == f"{patient.mrn}^^^SYNTHCLINIC^MR"
    assert str(message.segment("PID")[5]) == f"{patient.family_name}^{patient.given_name}"
    txa = message.segment("TXA")
    assert (str(txa[2]), str(txa[17])) == ("PN", "LA")
    obx = message.segment("OBX")
    assert str(obx[3]) == "28570-0^Procedure note^LN"
    assert base64.b64decode(str(obx[5]).split("^")[4]) == pdf
    # The DocumentReference on its own: valid FHIR R4B, the clinic's identifier systems, the signed PDF.
    raw = json.loads(json_file.read_text(encoding="utf-8"))
    doc = DocumentReference.model_validate(raw)
    assert doc.type.coding[0].system == "http://loinc.org" and doc.type.coding[0].code == "28570-0"
    assert doc.subject.identifier.system == MRN_SYSTEM and doc.subject.identifier.value == patient.mrn
    assert doc.context.related[0].identifier.system == PROC_SYSTEM
    attachment = doc.content[0].attachment
    assert attachment.contentType == "application/pdf"
    assert base64.b64decode(raw["content"][0]["attachment"]["data"], validate=True) == pdf
    assert attachment.size == len(pdf) and doc.docStatus == "final"
    assert {e.status for e in ctx.outbox.entries()} == {DeliveryStatus.SENT}


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler's pdfsig is not installed")
def test_the_pdf_in_the_message_still_carries_its_signature(ctx, signed_setup, tmp_path):
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    signed_setup(**interface(outbox))
    ctx.outbox.deliver_due()
    (hl7_file,) = outbox.glob("*.hl7")
    data = str(hl7.parse(hl7_file.read_bytes().decode("utf-8")).segment("OBX")[5]).split("^")[4]
    extracted = tmp_path / "from-message.pdf"
    extracted.write_bytes(base64.b64decode(data))
    out = subprocess.run(["pdfsig", "-nocert", str(extracted)], capture_output=True, text=True).stdout
    assert "Signature #1" in out and "Total document signed" in out


def test_mdm_round_trips_through_an_mllp_listener_and_its_ack(ctx, signed_setup, tmp_path):
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    with mllp_listener() as listener:
        _, signed = signed_setup(**interface(outbox, listener.port))
        report = ctx.outbox.deliver_due()
        assert report.sent == 3 and report.failed == 0
        (received,) = listener.received
    with ctx.database.read() as session:
        pdf = signed_document(session, signed.id)
    message = hl7.parse(received.replace("\n", "\r"))
    assert base64.b64decode(str(message.segment("OBX")[5]).split("^")[4]) == pdf
    (sent,) = [e for e in ctx.outbox.entries() if e.destination is Destination.MLLP]
    assert (sent.status, sent.ack_code, sent.attempts) == (DeliveryStatus.SENT, "AA", 1)
    assert str(message.segment("MSH")[10]) == sent.control_id
    assert sent.target == f"127.0.0.1:{listener.port}"


def test_an_ack_refusing_the_message_fails_it_until_a_person_retries(ctx, signed_setup):
    with mllp_listener() as listener:
        listener.ack_code, listener.ack_text = "AE", "Unknown patient"
        # Not sent on signing (no outbox folder): queued by hand, as "Send to EHR" does.
        _, signed = signed_setup(**interface(None, listener.port))
        assert ctx.outbox.entries() == []
        ctx.outbox.queue(signed.id)
        report = ctx.outbox.deliver_due()
        assert (report.sent, report.failed) == (0, 1)
        (entry,) = ctx.outbox.entries()
        assert entry.status is DeliveryStatus.FAILED and entry.ack_code == "AE"
        assert "refused by the EHR (AE): Unknown patient" in entry.last_error
        # Not retried on its own: the EHR would refuse the same message again.
        assert ctx.outbox.deliver_due().sent == 0 and len(listener.received) == 1
        listener.ack_code, listener.ack_text = "AA", ""
        ctx.outbox.retry(entry.id)
        assert ctx.outbox.deliver_due().sent == 1
    (entry,) = ctx.outbox.entries()
    assert entry.status is DeliveryStatus.SENT and entry.attempts == 2
    # The same message went twice: same control id, same bytes.
    first, second = listener.received
    assert first == second


def test_an_unreachable_interface_engine_is_retried_later_then_given_up(ctx, signed_setup):
    port = free_port()
    _, signed = signed_setup(**interface(None, port))
    procedure_id = signed.id
    clock = [datetime(2026, 12, 6, 9, 0)]
    service = EhrOutboxService(ctx.database, ctx.work, clock=lambda: clock[0])
    (message_id,) = service.queue(procedure_id)
    assert service.deliver_due().retrying == 1
    (entry,) = service.entries()
    assert entry.status is DeliveryStatus.PENDING and entry.attempts == 1
    assert "cannot connect" in entry.last_error and entry.next_attempt_at > clock[0]
    # Not due again before its time.
    assert service.deliver_due().retrying == 0
    for _ in range(MAX_ATTEMPTS - 1):
        clock[0] += timedelta(hours=5)
        service.deliver_due()
    (entry,) = service.entries()
    assert entry.status is DeliveryStatus.FAILED and entry.attempts == MAX_ATTEMPTS
    assert entry.last_error.startswith(f"gave up after {MAX_ATTEMPTS} attempts")
    # Nothing is lost: retried by hand once the engine is back, the same message goes.
    with mllp_listener(port=port) as listener:
        service.retry(message_id)
        assert service.deliver_due().sent == 1
        assert len(listener.received) == 1


def test_an_addendum_goes_as_t06_naming_the_note_it_amends(ctx, signed_setup, tmp_path):
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    _, signed = signed_setup(**interface(outbox))
    signers.add_addendum(ctx, signed.id, "Correction: left side only.")
    ctx.outbox.deliver_due()
    messages = [hl7.parse(p.read_bytes().decode("utf-8")) for p in outbox.glob("*.hl7")]
    events = sorted(str(m.segment("MSH")[9]) for m in messages)
    assert events == ["MDM^T02^MDM_T02", "MDM^T06^MDM_T02"]
    t06 = next(m for m in messages if str(m.segment("MSH")[9]).startswith("MDM^T06"))
    assert str(t06.segment("TXA")[12]).startswith(f"{signed.uid}.1^")
    assert str(t06.segment("TXA")[13]).startswith(f"{signed.uid}.0^")
    docs = [DocumentReference.model_validate_json(p.read_text(encoding="utf-8")) for p in outbox.glob("*.json")]
    assert sorted(d.docStatus for d in docs) == ["amended", "final"]
    amended = next(d for d in docs if d.docStatus == "amended")
    assert amended.relatesTo[0].code == "replaces"


def test_two_workstations_never_send_one_message_twice(ctx, signed_setup, tmp_path):
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    signed_setup(**interface(outbox))
    first_id = ctx.outbox.entries()[-1].id
    now = datetime.now()
    with ctx.database.transaction() as session:
        assert store.claim(session, first_id, now, timedelta(minutes=10)) is not None
    with ctx.database.transaction() as session:
        assert store.claim(session, first_id, now, timedelta(minutes=10)) is None
    # A claim left by a workstation that quit is taken over after STALE_CLAIM.
    with ctx.database.transaction() as session:
        assert store.claim(session, first_id, now + timedelta(minutes=11), timedelta(minutes=10)) is not None


def test_settings_name_the_field_and_what_is_allowed(ctx):
    cases = [
        ({"send_on_signing": True}, "Outbox folder"),
        ({"mllp_port": 2575}, "Interface engine host"),
        ({"mrn_system": "my mrns"}, "MRN identifier system"),
        ({"mrn_assigning_authority": "A|B"}, "HL7 v2 delimiters"),
        ({"mllp_host": "ehr.example.org", "mllp_port": 70000}, "Interface engine port"),
    ]
    for ehr, expected in cases:
        with pytest.raises(InvalidRecord, match=expected):
            ctx.settings.save({"ehr": ehr})
    saved = ctx.settings.save({"ehr": {"mrn_system": MRN_SYSTEM, "mllp_host": "ehr.example.org", "mllp_port": 2575}})
    assert ctx.settings.load().ehr == saved.ehr and saved.ehr.mllp_port == 2575


def test_the_fhir_bundle_of_a_signed_procedure_carries_the_document_and_the_clinic_systems(ctx, signed_setup, tmp_path):
    _, signed = signed_setup(**interface(None) | {"mrn_system": MRN_SYSTEM})
    path = ctx.cases.export_fhir(signed.id, tmp_path / "bundle.json")
    bundle = json.loads(path.read_text(encoding="utf-8"))
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds.count("DocumentReference") == 1
    patient = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    assert patient["identifier"][0]["system"] == MRN_SYSTEM
    doc = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "DocumentReference")
    assert doc["subject"]["reference"] == f"urn:uuid:{patient['id']}"
    with ctx.database.read() as session:
        assert base64.b64decode(doc["content"][0]["attachment"]["data"]) == signed_document(session, signed.id)


def test_a_queued_message_changed_in_the_database_is_never_sent_and_verify_names_it(ctx, signed_setup, tmp_path):
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    signed_setup(**interface(outbox))
    assert ctx.audit.verify().ok
    hl7_id = next(e.id for e in ctx.outbox.entries() if e.kind is MessageKind.HL7_MDM)
    with ctx.database.transaction() as session:  # the same length, other words: as a forger would keep it parseable
        payload = session.scalar(sa.text("select payload from ehr_messages where id = :id"), {"id": hl7_id})
        forged = bytes(payload).replace(b"MDM", b"MDX", 1)
        session.execute(sa.text("update ehr_messages set payload = :p where id = :id"), {"p": forged, "id": hl7_id})
    report = ctx.outbox.deliver_due()
    assert (report.sent, report.failed) == (1, 1)  # the untouched FHIR document goes; the changed message does not
    assert list(outbox.glob("*.hl7")) == []
    entry = next(e for e in ctx.outbox.entries() if e.id == hl7_id)
    assert entry.status is DeliveryStatus.FAILED and "not what FacetDesk queued" in entry.last_error
    problems = ctx.audit.verify().problems
    assert [p.where for p in problems] == [f"EHR message {hl7_id}"]


def _set(ctx, message_id: int, **columns) -> None:
    """A change typed into the database outside FacetDesk."""
    with ctx.database.transaction() as session:
        assignments = ", ".join(f"{name} = :{name}" for name in columns)
        session.execute(sa.text(f"update ehr_messages set {assignments} where id = :id"), {**columns, "id": message_id})


def test_a_message_redirected_in_the_database_is_never_sent_and_verify_names_it(ctx, signed_setup, tmp_path):
    outbox, elsewhere = tmp_path / "outbox", tmp_path / "elsewhere"
    outbox.mkdir()
    elsewhere.mkdir()
    with mllp_listener() as engine, mllp_listener() as intruder:
        signed_setup(**interface(outbox, engine.port))
        assert ctx.audit.verify().ok
        by_kind = {(e.kind, e.destination): e.id for e in ctx.outbox.entries()}
        hl7_file = by_kind[MessageKind.HL7_MDM, Destination.FOLDER]
        json_file = by_kind[MessageKind.FHIR_DOCUMENT, Destination.FOLDER]
        mllp = by_kind[MessageKind.HL7_MDM, Destination.MLLP]
        _set(ctx, hl7_file, target=str(elsewhere))
        _set(ctx, json_file, file_name="../elsewhere/stolen.json")  # out of the folder by its file name
        _set(ctx, mllp, target=f"127.0.0.1:{intruder.port}")
        report = ctx.outbox.deliver_due()
        assert (report.sent, report.failed) == (0, 3)
        assert intruder.received == [] and engine.received == []
    assert list(elsewhere.iterdir()) == [] and list(outbox.iterdir()) == []
    for entry in ctx.outbox.entries():
        assert entry.status is DeliveryStatus.FAILED
        assert "destination" in entry.last_error and "not the one FacetDesk queued it to" in entry.last_error
    problems = ctx.audit.verify().problems
    assert sorted(p.where for p in problems) == sorted(f"EHR message {i}" for i in (hl7_file, json_file, mllp))
    assert all("destination" in p.what for p in problems)


def test_a_copy_of_a_message_added_with_another_destination_is_never_sent(ctx, signed_setup, tmp_path):
    with mllp_listener() as engine, mllp_listener() as intruder:
        _, signed = signed_setup(**interface(None, engine.port))
        (queued,) = ctx.outbox.queue(signed.id)
        columns = "procedure_id, part, kind, destination, control_id, file_name, status, attempts, last_error, "
        columns += "ack_code, created_at, next_attempt_at, sha256, payload"
        copy = f"insert into ehr_messages ({columns}, target) select {columns}, :t from ehr_messages where id = :id"
        with ctx.database.transaction() as session:
            session.execute(
                sa.text(copy),
                {"t": f"127.0.0.1:{intruder.port}", "id": queued},
            )
        report = ctx.outbox.deliver_due()
        assert (report.sent, report.failed) == (1, 1)
        assert intruder.received == [] and len(engine.received) == 1
    (copy,) = [e for e in ctx.outbox.entries() if e.id != queued]
    assert copy.status is DeliveryStatus.FAILED
    problems = ctx.audit.verify().problems
    assert [p.where for p in problems] == [f"EHR message {copy.id}"]
    assert "added or renumbered outside FacetDesk" in problems[0].what


def _queued_before_routes(ctx, procedure_id: int, folder, file_name: str) -> int:
    """A message as FacetDesk queued it before it recorded each message's destination: rows, and an audit entry
    with the payloads' SHA-256 only."""
    from facetdesk.domain.audit import AuditAction, sha256_bytes
    from facetdesk.storage.audit import EHR_QUEUED

    payload = b"MSH|^~\\&|FacetDesk|SYNTHETIC||EHR|20240101||MDM^T02^MDM_T02|legacy\r"
    message = store.NewMessage(
        procedure_id, 0, MessageKind.HL7_MDM, Destination.FOLDER, str(folder), "legacy", file_name,
        sha256_bytes(payload), payload,
    )  # fmt: skip
    with ctx.database.transaction() as session:
        (message_id,) = store.add_messages(session, [message], datetime.now())
        detail = {"format": EHR_QUEUED, "part": 0, "messages": ["hl7-mdm>folder"], "sha256": [message.sha256]}
        ctx.work.log(session, AuditAction.EXPORT, "procedure", procedure_id, detail=detail)
    return message_id


def test_messages_queued_before_destinations_were_audited_verify_and_go_only_where_the_settings_say(
    ctx, signed_setup, tmp_path
):
    outbox, elsewhere = tmp_path / "outbox", tmp_path / "elsewhere"
    outbox.mkdir()
    elsewhere.mkdir()
    _, signed = signed_setup(**interface(outbox, send_on_signing=False))
    to_outbox = _queued_before_routes(ctx, signed.id, outbox, "facetdesk-note-legacy.hl7")
    to_elsewhere = _queued_before_routes(ctx, signed.id, elsewhere, "facetdesk-note-legacy.hl7")
    out_by_name = _queued_before_routes(ctx, signed.id, outbox, "../elsewhere/facetdesk-note-legacy.hl7")
    verified = ctx.audit.verify()
    assert verified.ok, verified.lines()
    assert any("3 message(s) queued before FacetDesk recorded where each goes" in line for line in verified.lines())
    report = ctx.outbox.deliver_due()
    assert (report.sent, report.failed) == (1, 2)
    assert [p.name for p in outbox.iterdir()] == ["facetdesk-note-legacy.hl7"]
    assert list(elsewhere.iterdir()) == []
    status = {e.id: e for e in ctx.outbox.entries()}
    assert status[to_outbox].status is DeliveryStatus.SENT
    for refused in (to_elsewhere, out_by_name):
        assert status[refused].status is DeliveryStatus.FAILED
        assert "no longer the one in Clinic settings" in status[refused].last_error


def _edit_settings_in_the_database(ctx, **ehr) -> None:
    """The EHR interface settings changed by SQL, outside FacetDesk (as an intruder with database access would)."""
    with ctx.database.transaction() as session:
        stored = json.loads(session.scalar(sa.text("select ehr_interface from clinic_settings")))
        session.execute(sa.text("update clinic_settings set ehr_interface = :e"), {"e": json.dumps(stored | ehr)})


def test_ehr_settings_redirected_in_the_database_send_nothing_until_an_administrator_saves_them(
    ctx, signed_setup, make_procedure_data, tmp_path
):
    """A notes folder changed by SQL would have every later note queued to it, audited as if FacetDesk chose it:
    queueing is refused naming the setting, verify names it, and a save through FacetDesk puts things right."""
    outbox, elsewhere = tmp_path / "outbox", tmp_path / "elsewhere"
    outbox.mkdir()
    elsewhere.mkdir()
    patient, first = signed_setup(**interface(outbox))
    assert ctx.audit.verify().ok
    _edit_settings_in_the_database(ctx, outbox_folder=str(elsewhere))
    problems = ctx.audit.verify().problems
    assert [(p.where, p.what) for p in problems] == [
        ("clinic settings", "changed outside FacetDesk since their last audited save: EHR interface: outbox folder")
    ]
    procedure = ctx.records.save_procedure(patient.id, make_procedure_data(notes="Second note."))
    signers.sign(ctx, procedure.id, procedure.version)  # signing itself succeeds; the note is not queued
    assert ctx.signing.ehr_problem is not None and "changed outside FacetDesk" in ctx.signing.ehr_problem
    assert "EHR interface: outbox folder" in ctx.signing.ehr_problem
    with pytest.raises(ValueError, match="EHR interface settings were changed outside FacetDesk"):
        ctx.outbox.queue(first.id)
    ctx.outbox.deliver_due()
    assert list(elsewhere.iterdir()) == []
    # The administrator looks, puts the folder back and saves: notes flow again and verify is clean.
    ctx.settings.save({"ehr": {"outbox_folder": str(outbox)}})
    assert ctx.audit.verify().ok
    assert ctx.outbox.queue(procedure.id)


def test_a_setting_outside_the_ehr_interface_changed_in_the_database_is_named_but_does_not_stop_notes(
    ctx, signed_setup, tmp_path
):
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    _, signed = signed_setup(**interface(outbox, send_on_signing=False))
    with ctx.database.transaction() as session:
        session.execute(sa.text("update clinic_settings set clinic_name = 'Somewhere Else'"))
    assert [p.what for p in ctx.audit.verify().problems] == [
        "changed outside FacetDesk since their last audited save: clinic name"
    ]
    assert ctx.outbox.queue(signed.id)


def test_settings_last_saved_before_their_hashes_were_kept_are_noted_not_flagged(ctx, signed_setup, tmp_path):
    """A database whose settings an older FacetDesk saved (its audit entry names the fields, no digests): verify
    says they are checked from their next save, and notes still go where the settings say."""
    from facetdesk.domain.audit import AuditAction
    from facetdesk.storage.settings import load_settings, save_settings

    outbox = tmp_path / "outbox"
    outbox.mkdir()
    _, signed = signed_setup(**interface(outbox, send_on_signing=False))
    with ctx.database.transaction() as session:
        save_settings(session, load_settings(session).model_copy(update={"clinic_name": "Older Save"}))
        ctx.work.log(session, AuditAction.SETTINGS_UPDATE, "clinic_settings", 1, fields=["clinic_name"])
    verified = ctx.audit.verify()
    assert verified.ok, verified.lines()
    assert any("checked from their next save" in line for line in verified.lines())
    assert ctx.outbox.queue(signed.id)
    ctx.settings.save({"clinic_name": "Newer Save"})
    assert not any("checked from their next save" in line for line in ctx.audit.verify().lines())


def test_a_queued_message_deleted_in_the_database_is_named_by_verify(ctx, signed_setup, tmp_path):
    """FacetDesk never deletes a queued note: one removed by SQL (sent or not, nobody can now tell) is a problem."""
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    signed_setup(**interface(outbox))
    gone = next(e.id for e in ctx.outbox.entries() if e.kind is MessageKind.HL7_MDM)
    with ctx.database.transaction() as session:
        session.execute(sa.text("delete from ehr_messages where id = :id"), {"id": gone})
    problems = ctx.audit.verify().problems
    assert [p.where for p in problems] == [f"EHR message {gone}"]
    assert "no longer in the outbox: it was removed outside FacetDesk" in problems[0].what
