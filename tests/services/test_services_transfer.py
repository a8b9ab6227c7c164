"""move_to_server: the moved clinic reads back equal through the services, verifies, and keeps working."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from facetdesk.domain.audit import AuditAction
from facetdesk.domain.users import NotPermitted
from facetdesk.services.context import build_context
from facetdesk.services.session import WorkSession
from facetdesk.services.transfer import move_to_server
from facetdesk.storage.errors import AlreadySigned, RecordLocked
from tests.actors import ADMIN_PHYSICIAN, COMMAND_LINE, NURSE, PHYSICIAN
from tests.builders.records import patient_data, rich_procedure
from tests.services.transfer_clinic import PASSWORDS, build_clinic, empty_server_database

__all__ = ["empty_server_database"]  # a fixture, used by name


def _ctx(url: str, actor=ADMIN_PHYSICIAN):
    return closing(build_context(url, actor=actor))


def everything(url: str, clinic) -> dict:
    """The clinic as the services show it."""
    with _ctx(url) as ctx:
        return {
            "patients": [ctx.records.get_patient(i) for i in clinic.patient_ids],
            "procedures": [ctx.records.get_procedure(i) for i in clinic.procedure_ids],
            "settings": ctx.settings.load(),
            "presets": ctx.presets.list(),
            "users": ctx.accounts.list_users(),
            "audit": list(reversed(ctx.audit.search(limit=5000))),
        }


@pytest.fixture
def clinic(tmp_path: Path):
    return build_clinic(tmp_path / "workstation" / "facetdesk.sqlite3")


@pytest.mark.postgresql
def test_the_moved_clinic_reads_back_equal_verifies_and_keeps_working(clinic, empty_server_database):
    before = everything(clinic.url, clinic)
    seen: list[tuple[str, int]] = []

    report = move_to_server(
        clinic.url, empty_server_database, WorkSession(COMMAND_LINE), progress=lambda t, n: seen.append((t, n))
    )

    assert report.ok and report.source_verify is None and not report.upgraded
    # One signed with a key (and its addendum), one signed before cryptographic signatures (listed, not verifiable).
    assert report.verify.signed_procedures == 2 and report.verify.addenda == 1
    assert len(report.verify.unhashed) == 1
    assert report.rows["patients"] == 3 and report.rows["procedures"] == 3 and report.rows["users"] == 2
    assert seen == list(report.rows.items())
    assert report.source == str(clinic.path)
    assert "s3cret" not in report.target and report.target.endswith(empty_server_database.rsplit("/", 1)[1])
    after = everything(empty_server_database, clinic)
    *copied, moved = after["audit"]
    assert {**after, "audit": copied} == before
    assert after["settings"].logo == before["settings"].logo and after["settings"].logo is not None
    # The move is one entry, chained after the copied ones, by the command line, holding counts only.
    assert (moved.action, moved.entity, moved.username) == (AuditAction.TRANSFER, "database", COMMAND_LINE.username)
    assert moved.prev_hash == copied[-1].entry_hash and moved.id == copied[-1].id + 1
    assert moved.detail == report.rows and moved.fields == ()

    with _ctx(empty_server_database) as server:
        # The signed procedure is still signed and locked for everyone.
        patient, signed = server.records.get_procedure(clinic.signed_id)
        assert signed.signature is not None and len(signed.addenda) == 1
        with pytest.raises(RecordLocked):
            server.records.save_procedure(patient.id, signed.model_copy(update={"notes": "changed after the move"}))
        server.accounts.sign_in("dr.first", PASSWORDS["dr.first"])
        with pytest.raises(AlreadySigned):
            server.signing.sign_procedure(signed.id, signed.version, PASSWORDS["dr.first"])
        # New records take fresh ids: every sequence continues after the copied ids.
        new_patient = server.records.save_patient(patient_data(99))
        assert new_patient.id == max(clinic.patient_ids) + 1
        new_procedure = server.records.save_procedure(new_patient.id, rich_procedure(99))
        assert new_procedure.id == max(clinic.procedure_ids) + 1 and new_procedure.botulinum_toxin is not None
        assert server.signing.add_addendum(signed.id, "Written on the server.", PASSWORDS["dr.first"]).addenda[-1].text
        preset = server.presets.save({**_preset(), "name": "After the move"})
        assert preset.id == max(p.id for p in before["presets"]) + 1
        user = server.accounts.create_user(
            {"username": "dr.third", "display_name": "Dr. Third", "role": "physician"}, "third password"
        )
        assert user.id == 3
        again = server.audit.verify()
        assert again.ok, again.lines()
        assert again.audit_entries > len(after["audit"]) and again.addenda == 2


def _preset() -> dict:
    return {
        "technique": "medial_branch_block",
        "medications": [
            {"agent": "lidocaine", "concentration_mg_per_ml": 10.0, "volume_ml": 0.5, "volume_basis": "per_nerve"}
        ],
    }


@pytest.mark.postgresql
def test_problems_the_file_already_had_are_carried_over_and_reported_as_older(clinic, empty_server_database):
    with sqlite3.connect(clinic.path) as conn:  # changed behind FacetDesk's back, before the move
        conn.execute(
            "update procedure_medications set volume_ml = volume_ml * 10 where procedure_id = ?", (clinic.signed_id,)
        )

    report = move_to_server(clinic.url, empty_server_database, WorkSession(COMMAND_LINE))

    assert not report.ok
    assert report.source_verify is not None and report.source_verify.problems == report.verify.problems
    text = "\n".join(report.lines())
    assert "verify: FAILED" in text and f"CHANGED: procedure {clinic.signed_id}" in text
    assert "predate the move" in text


@pytest.mark.parametrize("actor", [NURSE, PHYSICIAN], ids=["nurse", "physician"])
def test_only_an_administrator_or_the_command_line_moves_the_records(clinic, actor):
    with pytest.raises(NotPermitted):
        move_to_server(clinic.url, "postgresql://facetdesk@127.0.0.1:1/facetdesk", WorkSession(actor))
