"""Patient repository: round trip, updates, MRN uniqueness and search."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from facetdesk.domain.patient import AnticoagulantUse
from facetdesk.storage.errors import DuplicateMrn, RecordNotFound
from facetdesk.storage.repository import (
    find_patient_by_mrn,
    get_patient,
    save_patient,
    save_procedure,
    search_patients,
)
from facetdesk.storage.tables import PatientAllergyRow, PatientAnticoagulantRow, PatientRow


def test_round_trip_full_patient(db, make_patient):
    original = make_patient()
    with db.transaction() as s:
        saved = save_patient(s, original)
    assert saved.id is not None
    with db.read() as s:
        loaded = get_patient(s, saved.id)
    assert loaded == original.model_copy(update={"id": saved.id, "version": 1}) == saved
    assert loaded.anticoagulants[0].agent == "clopidogrel"


def test_get_missing_patient_is_none(db):
    with db.read() as s:
        assert get_patient(s, 12345) is None
        assert find_patient_by_mrn(s, "NOPE") is None


def test_update_replaces_children(db, make_patient):
    with db.transaction() as s:
        saved = save_patient(s, make_patient())
    changed = saved.model_copy(
        update={
            "family_name": "Renamed",
            "anticoagulants": [AnticoagulantUse(agent="aspirin_secondary"), AnticoagulantUse(agent="warfarin")],
            "allergies": ["penicillin"],
            "diabetes": None,
        }
    )
    with db.transaction() as s:
        again = save_patient(s, changed)
    assert again.id == saved.id
    with db.read() as s:
        assert get_patient(s, saved.id) == changed.model_copy(update={"version": 2}) == again
        assert s.scalar(sa.select(sa.func.count()).select_from(PatientAllergyRow)) == 1
        assert s.scalar(sa.select(sa.func.count()).select_from(PatientAnticoagulantRow)) == 2


def test_update_missing_patient_raises(db, make_patient):
    with pytest.raises(RecordNotFound), db.transaction() as s:
        save_patient(s, make_patient().model_copy(update={"id": 999}))


def _counts(session) -> tuple[int, int, int]:
    return tuple(
        session.scalar(sa.select(sa.func.count()).select_from(t))
        for t in (PatientRow, PatientAnticoagulantRow, PatientAllergyRow)
    )


def test_duplicate_mrn_on_insert_saves_nothing(db, make_patient):
    with db.transaction() as s:
        save_patient(s, make_patient(1))
    with db.read() as s:
        before = _counts(s)
    other = make_patient(2, mrn="test-00001")  # same MRN, other case
    with pytest.raises(DuplicateMrn) as info, db.transaction() as s:
        save_patient(s, make_patient(3))  # earlier work in the same use case is undone too
        save_patient(s, other)
    assert "test-00001 already belongs to another patient" in str(info.value)
    with db.read() as s:
        assert _counts(s) == before
        assert find_patient_by_mrn(s, "TEST-00003") is None


def test_duplicate_mrn_on_update_changes_nothing(db, make_patient):
    with db.transaction() as s:
        first = save_patient(s, make_patient(1))
        second = save_patient(s, make_patient(2))
    with pytest.raises(DuplicateMrn), db.transaction() as s:
        save_patient(s, second.model_copy(update={"mrn": first.mrn, "allergies": []}))
    with db.read() as s:
        assert get_patient(s, second.id) == second


def test_find_by_mrn_ignores_case_and_spaces(db, make_patient):
    with db.transaction() as s:
        saved = save_patient(s, make_patient(7, mrn="Ab-77"))
    with db.read() as s:
        assert find_patient_by_mrn(s, " aB-77 ") == saved


@pytest.fixture
def people(db, make_patient):
    rows = [
        ("100234", "Müller", "Anna"),
        ("100299", "Mullins", "Brian"),
        ("200001", "Smith", "Anna Maria"),
        ("200002", "Smithson", "Carl"),
        ("300003", "van der Berg", "Dirk"),
        ("400004", "Anders", "Zoe"),
    ]
    with db.transaction() as s:
        return {
            family: save_patient(s, make_patient(i, mrn=mrn, family_name=family, given_name=given))
            for i, (mrn, family, given) in enumerate(rows)
        }


def _names(results) -> list[str]:
    return [r.family_name for r in results]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1002", ["Müller", "Mullins"]),
        ("100299", ["Mullins"]),
        ("MUL", ["Müller", "Mullins"]),  # accent-insensitive
        ("müll", ["Müller", "Mullins"]),  # folding works both ways
        ("smith", ["Smith", "Smithson"]),
        ("anna", ["Müller", "Smith"]),  # given name
        ("an", ["Anders", "Müller", "Smith"]),  # family or given prefix
        ("Smith, an", ["Smith"]),
        ("smith,", ["Smith", "Smithson"]),
        ("anna smith", ["Smith"]),  # given family
        ("anna maria smi", ["Smith"]),  # two-word given name
        ("smith anna", ["Smith"]),  # family given
        ("van der", ["van der Berg"]),  # multi-word family name
        ("dirk van der b", ["van der Berg"]),
        ("zzz", []),
        ("%", []),  # no LIKE wildcards leak through
    ],
)
def test_search(db, people, text, expected):
    with db.read() as s:
        assert _names(search_patients(s, text)) == expected


def test_empty_search_lists_alphabetically_with_limit(db, people):
    with db.read() as s:
        assert _names(search_patients(s, "  ")) == ["Anders", "Müller", "Mullins", "Smith", "Smithson", "van der Berg"]
        assert _names(search_patients(s, "", limit=2)) == ["Anders", "Müller"]


def test_search_summary_counts_procedures(db, people, make_procedure):
    pid = people["Smith"].id
    with db.transaction() as s:
        save_procedure(s, pid, make_procedure(1))
        save_procedure(s, pid, make_procedure(2, performed_at=make_procedure().performed_at.replace(year=2025)))
    with db.read() as s:
        (smith,) = search_patients(s, "smith, anna")
        (anders,) = search_patients(s, "anders")
    assert (smith.id, smith.mrn, smith.given_name) == (pid, "200001", "Anna Maria")
    assert smith.procedure_count == 2
    assert smith.last_procedure_at.year == 2025
    assert smith.display_name == "Smith, Anna Maria"
    assert (anders.procedure_count, anders.last_procedure_at) == (0, None)
    assert anders.date_of_birth == people["Anders"].date_of_birth


def test_search_uses_indexes(db, people, backend):
    # Guard against a query change that turns search into a full scan on 100,000 patients.
    from facetdesk.storage.patients import _search_condition

    stmt = sa.select(PatientRow.id).where(_search_condition("smith anna")).limit(200)
    with db.read() as s:
        compiled = stmt.compile(s.bind, compile_kwargs={"literal_binds": True})
        if backend == "sqlite":
            plan = " ".join(str(row[-1]) for row in s.execute(sa.text(f"EXPLAIN QUERY PLAN {compiled}")))
            assert "SCAN" not in plan
        else:
            # Six rows would rightly be scanned; with scans priced out, a plan without one proves the
            # "C"-collated key columns' indexes serve the prefix ranges.
            s.execute(sa.text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(row[0] for row in s.execute(sa.text(f"EXPLAIN {compiled}")))
            assert "Seq Scan" not in plan
    assert "ix_patients_" in plan


def test_birth_date_round_trips_as_date(db, make_patient):
    with db.transaction() as s:
        saved = save_patient(s, make_patient(5, date_of_birth=date(1999, 12, 31)))
    with db.read() as s:
        assert get_patient(s, saved.id).date_of_birth == date(1999, 12, 31)
