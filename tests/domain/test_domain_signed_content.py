"""What a signature and an audit record hash cover: the current format names every field of the records."""

from __future__ import annotations

from datetime import datetime

import pytest

from facetdesk.domain import signed_content
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Procedure
from facetdesk.domain.signed_content import (
    CURRENT_FORMAT,
    RECORD_FORMAT,
    UnknownFormat,
    canonical_bytes,
    identity,
    patient_record_hash,
    procedure_content,
    procedure_record_hash,
)
from tests.builders.every_field import full_patient, full_procedure, model_fields_tree

# Fields a format leaves out on purpose, each with its reason.
NOT_IN_CONTENT = {
    "Patient.id": "a row id: local to one database, never part of what was recorded",
    "Procedure.id": "a row id: local to one database",
    "Patient.version": "the row version storage moves on at every save",
    "Procedure.version": "the row version storage moves on at every save",
    "Procedure.addenda": "each addendum is signed on its own (addendum_content), bound to the procedure's uid",
    "Procedure.signature": "covered as the content's 'signature' member, beside the procedure",
    "Signature.signed_by": "covered as the content's 'signature' member",
    "Signature.signed_at": "covered as the content's 'signature' member",
}


def _covered(spec: tuple, model: type, out: set[str]) -> set[str]:
    from tests.builders.every_field import field_key

    for item in spec:
        name, inner = (item, None) if isinstance(item, str) else item
        out.add(field_key(model, name))
        if inner is not None:
            from tests.builders.every_field import nested_models

            (nested,) = list(nested_models(model.model_fields[name].annotation))
            _covered(inner, nested, out)
    return out


@pytest.mark.parametrize("model", [Patient, Procedure])
def test_the_current_format_covers_every_field_of_the_records(model):
    """A field a later issue adds fails here until a new format covers it (and format N stays as it is)."""
    current = signed_content._FORMATS[CURRENT_FORMAT]
    spec = current.patient_record if model is Patient else current.procedure
    covered = _covered(spec, model, set())
    # The addendum's fields are covered by the addendum content.
    from facetdesk.domain.procedure import Addendum

    covered |= _covered(current.addendum, Addendum, set())
    fields = {key for key, _ in model_fields_tree(model)}
    missing = sorted(fields - covered - set(NOT_IN_CONTENT))
    assert missing == [], f"not covered by content format {CURRENT_FORMAT}: add a format {CURRENT_FORMAT + 1}"


def test_format_2_adds_the_lab_values_and_the_lcd_exclusions_and_format_1_stays():
    patient, procedure = full_patient(), full_procedure()
    v1 = procedure_content(identity(patient), procedure, 1)
    v2 = procedure_content(identity(patient), procedure, 2)
    assert "exclusions" not in v1["procedure"]["indication"]
    assert v2["procedure"]["indication"]["exclusions"] == [
        {"key": e.key, "answer": e.answer.value} for e in procedure.indication.exclusions
    ]
    assert (v1["format"], v2["format"]) == (1, 2)
    # Apart from the new fields and the format number, format 2 spells everything as format 1 did.
    del v2["procedure"]["indication"]["exclusions"]
    assert {**v2, "format": 1} == v1


def test_the_patient_record_hash_changes_with_the_inr_under_format_2_only():
    patient = full_patient()
    other = patient.model_copy(update={"inr": (patient.inr or 1) + 0.5, "inr_taken_at": datetime(2026, 1, 2, 3, 4)})
    assert patient_record_hash(patient, 1) == patient_record_hash(other, 1)
    assert patient_record_hash(patient, 2) != patient_record_hash(other, 2)
    assert RECORD_FORMAT == CURRENT_FORMAT >= 3


def test_the_procedure_record_hash_changes_with_an_exclusion_answer():
    procedure = full_procedure()
    other = procedure.model_copy(
        update={"indication": procedure.indication.model_copy(update={"exclusions": []})}, deep=True
    )
    assert procedure_record_hash(1, procedure, 1) == procedure_record_hash(1, other, 1)
    assert procedure_record_hash(1, procedure) != procedure_record_hash(1, other)
    assert canonical_bytes(procedure_content(identity(full_patient()), procedure))


def test_format_3_adds_the_documentation_items_and_format_2_stays():
    patient, procedure = full_patient(), full_procedure()
    v2 = procedure_content(identity(patient), procedure, 2)
    v3 = procedure_content(identity(patient), procedure, 3)
    doc = v3["procedure"].pop("documentation")
    assert "documentation" not in v2["procedure"]
    assert doc["views"] == [v.value for v in procedure.documentation.views] != []
    assert doc["fluoroscopy_seconds"] == str(procedure.documentation.fluoroscopy_seconds)
    assert {**v3, "format": 2} == v2


def test_the_procedure_record_hash_changes_with_a_documentation_item_under_format_3_only():
    procedure = full_procedure()
    changed = procedure.documentation.model_copy(update={"images_saved": not procedure.documentation.images_saved})
    other = procedure.model_copy(update={"documentation": changed})
    assert procedure_record_hash(1, procedure, 2) == procedure_record_hash(1, other, 2)
    assert procedure_record_hash(1, procedure, 3) != procedure_record_hash(1, other, 3)


def test_an_unknown_format_is_refused_by_name():
    newer = CURRENT_FORMAT + 1
    with pytest.raises(UnknownFormat, match=f"content format {newer}"):
        procedure_content({}, full_procedure(), newer)
    with pytest.raises(UnknownFormat):
        patient_record_hash(full_patient(), 0)
