"""Procedures performed in a time range: keyset pages in date order, per-patient batches, and their query plans."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from facetdesk.storage.repository import (
    patients_performed_between,
    performed_between,
    performed_by_patients,
    save_patient,
    save_procedure,
)
from facetdesk.storage.tables import ProcedureRow

START, END = datetime(2024, 3, 10), datetime(2024, 3, 21)  # [10 March, 21 March): 10 to 20 March inclusive
# Three patients; ties at one minute (broken by id) and both ends of the range, inside and out.
TIMES = {
    1: [datetime(2024, 3, 9, 23, 59), datetime(2024, 3, 10, 0, 0), datetime(2024, 3, 15, 9, 0)],
    2: [datetime(2024, 3, 15, 9, 0), datetime(2024, 3, 15, 9, 0), datetime(2024, 3, 20, 23, 59)],
    3: [datetime(2024, 3, 21, 0, 0), datetime(2024, 3, 12, 8, 30)],
}


@pytest.fixture
def clinic(db, make_patient, make_procedure):
    """(patient id -> [(procedure id, performed_at)]) of the synthetic clinic."""
    stored: dict[int, list[tuple[int, datetime]]] = {}
    n = 0
    with db.transaction() as s:
        for p, times in TIMES.items():
            patient = save_patient(s, make_patient(p))
            for when in times:
                n += 1
                saved = save_procedure(s, patient.id, make_procedure(n, performed_at=when))
                stored.setdefault(patient.id, []).append((saved.id, when))
    return stored


def _expected(clinic, start=START, end=END) -> list[int]:
    rows = [(when, pid) for procedures in clinic.values() for pid, when in procedures]
    return [pid for when, pid in sorted(rows) if start <= when and (end is None or when < end)]


def _walk(db, limit: int, start=START, end=END) -> list[list[int]]:
    pages, after = [], None
    while True:
        with db.read() as s:
            page = performed_between(s, start, end, after, limit)
        pages.append([procedure.id for _, procedure in page.records])
        if page.cursor is None:
            return pages
        after = page.cursor


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 1000])
def test_pages_add_up_to_the_range_in_date_order_with_both_ends_included(db, clinic, limit):
    pages = _walk(db, limit)

    assert [pid for page in pages for pid in page] == _expected(clinic)
    assert all(len(page) <= limit for page in pages)


def test_each_procedure_comes_with_its_own_patient(db, clinic):
    with db.read() as s:
        page = performed_between(s, START, END)
    owner = {pid: patient_id for patient_id, procedures in clinic.items() for pid, _ in procedures}
    assert page.records and page.cursor is None
    for patient, procedure in page.records:
        assert owner[procedure.id] == patient.id
        assert START <= procedure.performed_at < END


def test_an_open_end_and_an_empty_range(db, clinic):
    with db.read() as s:
        assert [p.id for _, p in performed_between(s, START, None).records] == _expected(clinic, end=None)
        empty = performed_between(s, datetime(2030, 1, 1), datetime(2030, 1, 2))
    assert empty.records == [] and empty.cursor is None


def test_a_stored_time_with_seconds_is_read_once(db, clinic):
    # Rows written outside FacetDesk may carry seconds, which the domain model drops: the cursor must
    # be the stored value or the row would sort after its own cursor and come back forever.
    pid = clinic[next(iter(clinic))][2][0]
    with db.transaction() as s:
        s.execute(
            sa.update(ProcedureRow).where(ProcedureRow.id == pid).values(performed_at=datetime(2024, 3, 15, 9, 0, 42))
        )

    pages = _walk(db, 1)

    flat = [p for page in pages for p in page]
    assert sorted(flat) == sorted(_expected(clinic)) and len(flat) == len(set(flat))


def test_patients_and_their_batches(db, clinic):
    with db.read() as s:
        ids = patients_performed_between(s, START, END)
        records = performed_by_patients(s, ids, START, END)
        one = performed_by_patients(s, ids[:1], START, END)
        none = performed_by_patients(s, [], START, END)

    expected = _expected(clinic)
    assert ids == sorted(p for p, procedures in clinic.items() if any(pid in expected for pid, _ in procedures))
    assert sorted(p.id for _, p in records) == sorted(expected)
    keys = [(patient.id, p.performed_at, p.id) for patient, p in records]
    assert keys == sorted(keys)  # by patient, then oldest first
    assert {patient.id for patient, _ in one} == {ids[0]}
    assert none == []


# ---- query plans --------------------------------------------------------------------------------


def _selects(db, call) -> list[tuple[str, object]]:
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        with db.read() as s:
            call(s)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return seen


def _reads(s, clinic):
    first = performed_between(s, START, END, None, 2)
    performed_between(s, START, END, first.cursor, 2)
    ids = patients_performed_between(s, START, END)
    performed_by_patients(s, ids, START, END)


@pytest.mark.sqlite_only
def test_sqlite_reads_go_through_the_performed_at_and_patient_indexes(db, clinic):
    statements = [(st, p) for st, p in _selects(db, lambda s: _reads(s, clinic)) if "FROM procedures " in st]
    assert len(statements) == 4
    for statement, parameters in statements:
        with db.engine.connect() as conn:
            plan = [row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
        procedure_lines = [line for line in plan if "procedures" in line]
        assert procedure_lines and all(line.startswith("SEARCH") for line in procedure_lines), plan
        assert any("ix_procedures_performed_at" in line or "ix_procedures_patient_performed" in line for line in plan)
        if "patient_id IN" not in statement and "DISTINCT" not in statement:
            assert not any("TEMP B-TREE" in line for line in plan), plan  # pages come in index order


@pytest.mark.postgresql
def test_postgresql_reads_can_use_their_indexes(db, clinic, backend):
    if backend != "postgresql":
        pytest.skip("PostgreSQL plans")
    for statement, parameters in _selects(db, lambda s: _reads(s, clinic)):
        if "FROM procedures " not in statement:
            continue
        with db.engine.connect() as conn, conn.begin():
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = "\n".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {statement}", parameters))
        assert "Seq Scan" not in plan, plan
        assert "ix_procedures_performed_at" in plan or "ix_procedures_patient_performed" in plan, plan


def test_a_day_range_is_half_open(db, clinic):
    day = datetime(2024, 3, 15)
    with db.read() as s:
        got = [p.performed_at for _, p in performed_between(s, day, day + timedelta(days=1)).records]
    assert got == [datetime(2024, 3, 15, 9, 0)] * 3
