"""Signing and addenda in storage: a signed procedure is locked for every writer; addenda only append."""

from __future__ import annotations

from datetime import datetime

import pytest

from facetdesk.domain.procedure import Addendum
from facetdesk.storage import repository as repo
from facetdesk.storage.errors import AlreadySigned, NotSigned, RecordLocked, StaleRecord
from facetdesk.storage.tables import AddendumRow

SIGNED_AT = datetime(2024, 3, 5, 11, 0)


def _addendum(text: str, at: datetime) -> Addendum:
    return Addendum(author="Dr. Synthetic Example", written_at=at, text=text, signed_by="Dr. Synthetic Example",
                    signed_at=at)  # fmt: skip


@pytest.fixture
def stored(db, make_patient, make_procedure):
    with db.transaction() as s:
        patient = repo.save_patient(s, make_patient())
        procedure = repo.save_procedure(s, patient.id, make_procedure())
    return patient.id, procedure


@pytest.fixture
def signed(db, stored):
    patient_id, procedure = stored
    with db.transaction() as s:
        return patient_id, repo.sign_procedure(s, procedure.id, "Dr. Synthetic Example", SIGNED_AT)


def test_signing_stores_the_signature_and_moves_the_version(db, stored):
    _, procedure = stored
    with db.transaction() as s:
        signed = repo.sign_procedure(s, procedure.id, " Dr. Synthetic Example ", SIGNED_AT.replace(microsecond=7))
    assert signed.is_signed and not procedure.is_signed
    assert (signed.signature.signed_by, signed.signature.signed_at) == ("Dr. Synthetic Example", SIGNED_AT)
    assert signed.version == procedure.version + 1
    with db.read() as s:
        assert repo.get_procedure(s, procedure.id)[1] == signed


def test_update_of_a_signed_procedure_is_refused_and_changes_nothing(db, signed):
    patient_id, procedure = signed
    edited = procedure.model_copy(update={"notes": "changed after signing", "signature": None})
    with pytest.raises(RecordLocked) as info, db.transaction() as s:
        repo.save_procedure(s, patient_id, edited)
    assert str(info.value) == (
        "This procedure was signed by Dr. Synthetic Example on 2024-03-05 11:00 and can no longer be changed; "
        "add an addendum instead."
    )
    # Even with the signature and the current version, a save is not a way to change it.
    with pytest.raises(RecordLocked), db.transaction() as s:
        repo.save_procedure(s, patient_id, procedure.model_copy(update={"notes": "changed"}))
    with db.read() as s:
        assert repo.get_procedure(s, procedure.id)[1] == procedure


def test_signing_twice_is_refused(db, signed):
    _, procedure = signed
    with pytest.raises(AlreadySigned, match="already signed by Dr. Synthetic Example on 2024-03-05 11:00"):
        with db.transaction() as s:
            repo.sign_procedure(s, procedure.id, "Dr. Someone Else", datetime(2024, 3, 6, 8, 0))
    with db.read() as s:
        assert repo.get_procedure(s, procedure.id)[1].signature == procedure.signature


def test_signing_a_version_other_than_the_one_read_is_refused(db, stored):
    patient_id, procedure = stored
    with db.transaction() as s:
        repo.save_procedure(s, patient_id, procedure.model_copy(update={"notes": "edited elsewhere"}))
    with pytest.raises(StaleRecord), db.transaction() as s:
        repo.sign_procedure(s, procedure.id, "Dr. Synthetic Example", SIGNED_AT, expected_version=procedure.version)
    with db.read() as s:
        assert not repo.get_procedure(s, procedure.id)[1].is_signed


def test_an_unsaved_signature_cannot_ride_along_with_a_save(db, stored):
    patient_id, procedure = stored
    with db.transaction() as s:
        signed = repo.sign_procedure(s, procedure.id, "Dr. Synthetic Example", SIGNED_AT)
    # The other way round too: saving the unsigned record with a signature attached is not signing.
    with db.transaction() as s:
        other = repo.save_procedure(s, patient_id, signed.model_copy(update={"id": None, "uid": "other-uid"}))
    assert other.is_signed  # a new record (e.g. an imported signed case) keeps its signature
    with pytest.raises(ValueError, match="sign_procedure"), db.transaction() as s:
        unsigned = repo.save_procedure(s, patient_id, procedure.model_copy(update={"id": None, "uid": "third"}))
        repo.save_procedure(s, patient_id, unsigned.model_copy(update={"signature": signed.signature}))


def test_addendum_only_on_a_signed_procedure(db, stored):
    _, procedure = stored
    with pytest.raises(NotSigned), db.transaction() as s:
        repo.add_addendum(s, procedure.id, _addendum("Too early.", SIGNED_AT))
    with db.read() as s:
        assert repo.get_procedure(s, procedure.id)[1].addenda == []


def test_addenda_append_and_keep_the_earlier_ones_intact(db, signed):
    _, procedure = signed
    first, second = (
        _addendum("Levels were L4-L5 only.", datetime(2024, 3, 6, 9, 0)),
        _addendum("Patient called: pain 2/10.", datetime(2024, 3, 7, 9, 0)),
    )
    with db.transaction() as s:
        after_first = repo.add_addendum(s, procedure.id, first)
    with db.transaction() as s:
        after_second = repo.add_addendum(s, procedure.id, second)
    assert after_first.addenda == [first]
    assert after_second.addenda == [first, second]
    assert after_second.version > after_first.version > procedure.version
    # Everything else, the signature included, is as it was signed.
    assert after_second.model_copy(update={"addenda": [], "version": procedure.version}) == procedure
    with db.read() as s:
        assert repo.get_procedure(s, procedure.id)[1] == after_second
        assert [r.position for r in s.query(AddendumRow).order_by(AddendumRow.position)] == [0, 1]


def test_no_storage_function_edits_or_removes_an_addendum():
    # Append-only by construction: the repository offers adding, and nothing named for changing one.
    names = {n for n in dir(repo) if "addend" in n.lower()}
    assert names == {"add_addendum"}


def test_a_signed_case_keeps_its_signature_and_addenda_on_insert(db, signed, make_patient):
    _, procedure = signed
    with db.transaction() as s:
        procedure = repo.add_addendum(s, procedure.id, _addendum("Late entry.", datetime(2024, 3, 6, 9, 0)))
        other = repo.save_patient(s, make_patient(2))
        copy = repo.save_procedure(s, other.id, procedure.model_copy(update={"id": None, "uid": "copied"}))
    with db.read() as s:
        stored = repo.get_procedure(s, copy.id)[1]
    assert (stored.signature, stored.addenda) == (procedure.signature, procedure.addenda)
