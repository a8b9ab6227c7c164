"""Every field of a patient and a procedure survives a case file: written with dump_case, read with parse_case.

The records come from tests/builders/every_field.py, generated from the domain models, so a field added later is in
the file too; a field the case file drops, renames or re-types fails the comparison, naming the field.
"""

from __future__ import annotations

import json

import pytest

from facetdesk.domain.case import CaseFile
from facetdesk.interop.casefile import dump_case, parse_case
from tests.builders.every_field import differences, full_patient, full_procedure, unexplained_defaults


def _full_case(longest: bool = False) -> CaseFile:
    # A prior procedure is another record (variant 1: another uid and other values throughout).
    return CaseFile(
        patient=full_patient(longest=longest),
        procedure=full_procedure(0, longest=longest),
        prior_procedures=[full_procedure(1, longest=longest)],
    )


@pytest.mark.parametrize("longest", [False, True], ids=["typical", "longest"])
def test_every_field_survives_the_case_file(longest) -> None:
    case = _full_case(longest)
    assert unexplained_defaults(case.patient) == []
    assert unexplained_defaults(case.procedure) == []
    parsed = parse_case(dump_case(case))
    assert differences(case, parsed) == []
    assert parsed == case


def test_every_field_is_written_under_its_own_name() -> None:
    """The file names each field as the model does: a field left out of the dump is missing here."""
    case = _full_case()
    written = json.loads(dump_case(case))
    for key, record in (("patient", case.patient), ("procedure", case.procedure)):
        missing = [name for name in type(record).model_fields if name not in written[key]]
        assert missing == [], f"the case file's {key} lacks {missing}"
    assert len(written["prior_procedures"]) == 1


def test_ids_and_versions_in_the_file_are_read_back_as_written() -> None:
    """Bookkeeping is data in a case file too: what the file says is what is parsed (import decides the rest)."""
    case = _full_case()
    case = case.model_copy(
        update={
            "patient": case.patient.model_copy(update={"id": 7}),
            "procedure": case.procedure.model_copy(update={"id": 11, "version": 3}),
        }
    )
    parsed = parse_case(dump_case(case))
    assert (parsed.patient.id, parsed.procedure.id, parsed.procedure.version) == (7, 11, 3)
    assert differences(case, parsed) == []
