"""Every field of a patient and a procedure survives storage, on SQLite and PostgreSQL.

The records come from tests/builders/every_field.py, generated from the domain models: a field added to a model is
filled, saved and compared here without anyone editing this file, and a field storage forgets fails it.
"""

from __future__ import annotations

import pytest

from facetdesk.domain.base import ShortText
from facetdesk.domain.procedure import Procedure
from facetdesk.storage.repository import get_patient, get_procedure, save_patient, save_procedure
from tests.builders.every_field import (
    UnknownFieldType,
    differences,
    exemptions,
    full_instance,
    full_patient,
    full_procedure,
    left_at_default,
    unexplained_defaults,
)

# What storage sets itself: compared separately (an id is assigned, the version moves on).
BOOKKEEPING = {"id", "version"}


def _content(record) -> dict:
    return record.model_dump(exclude=BOOKKEEPING)


# ---- the generated records really set every field ----------------------------------------------------


@pytest.mark.parametrize("variant", [0, 1])
def test_full_records_leave_only_the_known_fields_at_their_default(variant) -> None:
    assert unexplained_defaults(full_patient(variant)) == []
    assert unexplained_defaults(full_procedure(variant)) == []
    assert unexplained_defaults(full_procedure(variant, signed=True), signed=True) == []


def test_the_exemptions_are_exactly_the_bookkeeping_and_signing_fields() -> None:
    # Changing this list is a decision: each entry is a field no round-trip test fills.
    assert set(exemptions()) == {
        "Patient.id",
        "Patient.version",
        "Procedure.id",
        "Procedure.version",
        "Procedure.signature",
        "Procedure.addenda",
    }
    assert set(exemptions(signed=True)) == {"Patient.id", "Patient.version", "Procedure.id", "Procedure.version"}
    assert left_at_default(full_procedure()) == [
        "Procedure.id",
        "Procedure.version",
        "Procedure.signature",
        "Procedure.addenda",
    ]
    assert left_at_default(full_patient()) == ["Patient.id", "Patient.version"]


def test_the_two_variants_differ_in_every_required_field() -> None:
    """A field without a default is set in both; a test that changes a record from one to the other changes it."""
    for first, second in ((full_patient(0), full_patient(1)), (full_procedure(0), full_procedure(1))):
        model = type(first)
        same = [n for n, f in model.model_fields.items() if f.is_required() and getattr(first, n) == getattr(second, n)]
        assert same == [], f"{model.__name__}: variants 0 and 1 agree on {same}"


class _WithNewField(Procedure):
    new_field: ShortText = ""


class _WithUnknownType(Procedure):
    new_field: complex | None = None


def test_a_new_field_is_filled_without_teaching_the_generator() -> None:
    record = full_instance(_WithNewField, skip=exemptions())
    assert record.new_field and "_WithNewField.new_field" not in left_at_default(record)
    assert unexplained_defaults(record) == []


def test_a_field_type_the_generator_does_not_know_fails_loudly() -> None:
    with pytest.raises(UnknownFieldType, match=r"_WithUnknownType\.new_field: .*does not know"):
        full_instance(_WithUnknownType, skip=exemptions())


def test_a_field_left_at_its_default_is_named() -> None:
    record = full_procedure().model_copy(update={"notes": ""})
    assert unexplained_defaults(record) == [
        "Procedure.notes is left at its default: teach tests/builders/every_field.py a value for it"
    ]


# ---- storage ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("longest", [False, True], ids=["typical", "longest"])
def test_every_field_survives_insert_and_read(db, longest) -> None:
    """``longest``: every text as long as the model allows, bounded numbers at their maximum (column sizes)."""
    patient, procedure = full_patient(longest=longest), full_procedure(longest=longest)
    with db.transaction() as s:
        saved_patient = save_patient(s, patient)
        saved = save_procedure(s, saved_patient.id, procedure)
    with db.read() as s:
        loaded_patient = get_patient(s, saved_patient.id)
        patient_id, loaded = get_procedure(s, saved.id)
    assert patient_id == saved_patient.id
    assert differences(_content(patient), _content(loaded_patient)) == []
    assert differences(_content(procedure), _content(loaded)) == []
    assert loaded == saved and loaded.id == saved.id and loaded.version == saved.version == 1
    assert loaded_patient == saved_patient


@pytest.mark.parametrize("longest", [False, True], ids=["typical", "longest"])
def test_the_signed_content_and_record_hashes_survive_storage(db, longest) -> None:
    """What a signature and the audit's record hashes cover reads back byte for byte from the rows."""
    from facetdesk.domain.signed_content import (
        addendum_content,
        canonical_bytes,
        identity,
        patient_record_hash,
        procedure_content,
        procedure_record_hash,
    )

    patient, procedure = full_patient(longest=longest), full_procedure(longest=longest)
    with db.transaction() as s:
        saved_patient = save_patient(s, patient)
        saved = save_procedure(s, saved_patient.id, procedure)
    with db.read() as s:
        loaded_patient = get_patient(s, saved_patient.id)
        _, loaded = get_procedure(s, saved.id)
    signed = full_procedure(signed=True, longest=longest)
    assert canonical_bytes(procedure_content(identity(patient), procedure)) == canonical_bytes(
        procedure_content(identity(loaded_patient), loaded)
    )
    assert patient_record_hash(patient) == patient_record_hash(loaded_patient)
    assert procedure_record_hash(saved_patient.id, procedure) == procedure_record_hash(saved_patient.id, loaded)
    # Every addendum's content has a canonical form too (no field of a type format 1 cannot spell).
    for position, addendum in enumerate(signed.addenda):
        assert canonical_bytes(addendum_content(signed.uid, position, addendum))


def test_every_field_survives_an_update(db) -> None:
    """Saving over a stored record replaces every field (the update path rewrites rows and child rows)."""
    with db.transaction() as s:
        first_patient = save_patient(s, full_patient(0))
        first = save_procedure(s, first_patient.id, full_procedure(0))
    patient = full_patient(1, id=first_patient.id, version=first_patient.version)
    procedure = full_procedure(1, id=first.id, uid=first.uid, version=first.version)
    with db.transaction() as s:
        save_patient(s, patient)
        saved = save_procedure(s, first_patient.id, procedure)
    with db.read() as s:
        loaded_patient = get_patient(s, first_patient.id)
        _, loaded = get_procedure(s, first.id)
    assert differences(_content(patient), _content(loaded_patient)) == []
    assert differences(_content(procedure), _content(loaded)) == []
    assert loaded.version == saved.version == first.version + 1


def test_a_field_storage_does_not_keep_fails_the_comparison(db) -> None:
    """What the round trip above catches: a new domain field that storage never saves."""
    with db.transaction() as s:
        patient = save_patient(s, full_patient())
        procedure = full_instance(_WithNewField, skip=exemptions())
        saved = save_procedure(s, patient.id, procedure)
    with db.read() as s:
        _, loaded = get_procedure(s, saved.id)
    assert differences(_content(procedure), _content(loaded)) == [
        "new_field: '_WithNewField.new_field #0 ü' is missing"
    ]
