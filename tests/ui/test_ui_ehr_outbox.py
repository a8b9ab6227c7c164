"""The EHR interface in the window: its settings page, the outbox view (pending, sent, failed, Retry), sending
off the screen's thread after signing, and "Send note to the EHR" for a note signed before it was set up."""

from __future__ import annotations

from facetdesk.domain.ehr import DeliveryStatus
from facetdesk.domain.errors import FieldError
from tests import signers
from tests.builders.records import procedure_data
from tests.mllp_listener import mllp_listener
from tests.ui.helpers import click, find, type_into

MRN_SYSTEM = "urn:oid:2.16.840.1.113883.3.999.1"


def _signed_procedure(ctx, patient):
    saved = ctx.records.save_procedure(patient.id, procedure_data())
    return signers.sign(ctx, saved.id, saved.version)


def _ehr(folder="", port=None, on=True) -> dict:
    return {
        "ehr": {
            "mrn_system": MRN_SYSTEM,
            "procedure_id_system": "https://ehr.example.org/procedures",
            "mrn_assigning_authority": "SYNTHCLINIC",
            "outbox_folder": str(folder),
            **({"mllp_host": "127.0.0.1", "mllp_port": port} if port else {}),
            "send_on_signing": on,
        }
    }


def test_the_ehr_page_refuses_a_bad_port_beside_it_and_keeps_what_was_typed(qtbot, window, ctx, tmp_path):
    dialog = window.admin.edit_settings()
    type_into(qtbot, find(dialog, "MRN identifier system"), MRN_SYSTEM)
    type_into(qtbot, find(dialog, "Interface engine host"), "interface.example.org")
    type_into(qtbot, find(dialog, "Interface engine port"), "25x5")
    assert dialog.save() is None
    label, _ = dialog.errors.label_for(FieldError(("ehr", "mllp_port"), ""))
    assert not label.isHidden() and "Interface engine port" not in label.text() and label.text()
    assert dialog.tabs.currentWidget() is dialog.ehr_page  # the page with the problem is shown
    assert ctx.settings.load().ehr.mllp_host == ""  # nothing saved
    find(dialog, "Interface engine port").setText("2575")
    type_into(qtbot, find(dialog, "Outbox folder"), str(tmp_path))
    assert dialog.save() is not None
    ehr = ctx.settings.load().ehr
    assert (ehr.mrn_system, ehr.mllp_host, ehr.mllp_port, ehr.outbox_folder) == (
        MRN_SYSTEM, "interface.example.org", 2575, str(tmp_path),
    )  # fmt: skip
    again = window.admin.edit_settings()
    assert find(again, "Interface engine port").text() == "2575"


def test_sending_on_signing_without_a_folder_is_refused_by_name(qtbot, window, ctx):
    dialog = window.admin.edit_settings()
    find(dialog, "Send on signing").setChecked(True)
    assert dialog.save() is None
    label, _ = dialog.errors.label_for(FieldError(("ehr", "outbox_folder"), ""))
    assert "needed to send signed notes" in label.text()


def test_a_signed_note_is_sent_off_the_screen_thread_and_shown_sent(qtbot, window, ctx, patient, tmp_path):
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    ctx.settings.save(_ehr(outbox))
    _signed_procedure(ctx, patient)
    dialog = window.admin.show_outbox()
    assert dialog.model.rowCount() == 2 and "2 pending" in dialog.summary.text()
    with qtbot.waitSignal(window.outbox_runner.finished, timeout=20000):
        click(qtbot, find(dialog, "Send due messages now"))
    assert "0 pending · 2 sent · 0 failed" in dialog.summary.text()
    statuses = {dialog.model.index(r, 5).data() for r in range(dialog.model.rowCount())}
    assert statuses == {"Sent"}
    assert sorted(p.suffix for p in outbox.iterdir()) == [".hl7", ".json"]
    assert "EHR: 2 message(s) sent" in window.statusBar().currentMessage()
    dialog.close()


def test_a_refused_message_shows_failed_and_retry_sends_it_again(qtbot, window, ctx, patient, tmp_path):
    with mllp_listener() as listener:
        listener.ack_code, listener.ack_text = "AR", "Unknown MRN"
        ctx.settings.save(_ehr(tmp_path, listener.port))
        _signed_procedure(ctx, patient)
        dialog = window.admin.show_outbox()
        with qtbot.waitSignal(window.outbox_runner.finished, timeout=20000):
            click(qtbot, find(dialog, "Send due messages now"))
        failed = [r for r in range(dialog.model.rowCount()) if dialog.model.entry(r).status is DeliveryStatus.FAILED]
        assert len(failed) == 1
        row = failed[0]
        assert "refused by the EHR (AR): Unknown MRN" in dialog.model.index(row, 7).data()
        assert "1 failed" in dialog.summary.text()
        assert "failed; see File → EHR outbox" in window.statusBar().currentMessage()
        retry = find(dialog, "Retry selected message")
        assert not retry.isEnabled()
        dialog.table.selectRow(row)
        assert retry.isEnabled()
        listener.ack_code, listener.ack_text = "AA", ""
        with qtbot.waitSignal(window.outbox_runner.finished, timeout=20000):
            click(qtbot, retry)
        assert {e.status for e in ctx.outbox.entries()} == {DeliveryStatus.SENT}
        assert len(listener.received) == 2
    dialog.close()


def test_send_note_to_the_ehr_queues_a_note_signed_before_sending_was_on(qtbot, window, ctx, patient, tmp_path):
    signed = _signed_procedure(ctx, patient)
    assert ctx.outbox.entries() == []
    ctx.settings.save(_ehr(tmp_path, on=False))
    window.procedures.open_procedure(signed.id)
    with qtbot.waitSignal(window.outbox_runner.finished, timeout=20000):
        queued = window.note_output.send_to_ehr()
    assert len(queued) == 2
    assert {e.status for e in ctx.outbox.entries()} == {DeliveryStatus.SENT}
    assert len(list(tmp_path.glob("facetdesk-note-*.hl7"))) == 1


def test_the_settings_page_saved_after_another_workstation_changed_the_ehr_page_says_so(qtbot, window, ctx):
    from facetdesk.services.context import build_context
    from tests.actors import ADMIN_PHYSICIAN

    dialog = window.admin.edit_settings()
    other = build_context(ctx.database.url, actor=ADMIN_PHYSICIAN)
    try:
        other.settings.save({"ehr": {"mrn_system": MRN_SYSTEM, "mllp_host": "ehr.example.org", "mllp_port": 2575}})
    finally:
        other.close()
    type_into(qtbot, find(dialog, "Clinic phone"), "555-0199")
    assert dialog.save() is None
    assert "changed on another workstation" in dialog.general_error.text()
    assert "EHR interface: mllp host" in dialog.general_error.text()
    assert (ctx.settings.load().ehr.mllp_host, ctx.settings.load().phone) == ("ehr.example.org", "")
