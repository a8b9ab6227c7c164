"""Paged lists: keyset pages of the patient search and of a patient's procedures, and the query plans behind them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from facetdesk.domain.enums import Side, Technique
from facetdesk.domain.procedure import PainScore, Signature, Target
from facetdesk.storage import patients as patients_module
from facetdesk.storage.repository import (
    list_procedures,
    save_patient,
    save_procedure,
    search_patients,
)

# Synthetic names: shared family names (ties broken by given name, then id), accents, particles.
PEOPLE = [
    ("Müller", "Anna", "MRN-0001"),
    ("Muller", "Anna", "mrn-0002"),
    ("Mullins", "Ansgar", "X-0003"),
    ("Müller", "Bodo", "X-0004"),
    ("Andersen", "Müde", "X-0005"),
    ("van der Berg", "Anouk", "X-0006"),
    ("Åberg", "Sten", "X-0007"),
    ("Zorn", "Ana", "MRN-0008"),
    ("Zorn", "Ana", "MRN-0009"),
    ("Smith", "Annabel", "X-0010"),
    ("Smithson", "Lee", "X-0011"),
    ("Éclair", "Anton", "X-0012"),
    ("Ober", "Mia", "X-0013"),
    ("Quist", "Ann", "X-0014"),
]


@pytest.fixture
def people(db, make_patient):
    saved = []
    with db.transaction() as s:
        for i, (family, given, mrn) in enumerate(PEOPLE, start=1):
            saved.append(save_patient(s, make_patient(i, family_name=family, given_name=given, mrn=mrn)))
    return saved


def _pages(db, text: str, page: int) -> list[list[int]]:
    pages, after = [], None
    while True:
        with db.read() as s:
            rows = search_patients(s, text, page, after)
        if not rows:
            return pages
        pages.append([r.id for r in rows])
        after = rows[-1].cursor


def _all(db, text: str) -> list[int]:
    with db.read() as s:
        return [r.id for r in search_patients(s, text, 1000)]


@pytest.mark.parametrize("text", ["", "an", "m", "mull", "MÜLLER", "zorn", "x-00", "zorn, ana", "ana zorn", "é"])
def test_keyset_pages_add_up_to_the_whole_list(db, people, text):
    everyone = _all(db, text)
    pages = _pages(db, text, 3)
    assert [i for p in pages for i in p] == everyone
    assert all(len(p) == 3 for p in pages[:-1])


def test_pages_follow_list_order_with_ties_broken_by_id(db, people):
    ids = _all(db, "")
    with db.read() as s:
        rows = search_patients(s, "", 1000)
    keys = [(r.cursor.family_key, r.cursor.given_key, r.cursor.id) for r in rows]
    assert keys == sorted(keys) and len(set(ids)) == len(ids) == len(PEOPLE)
    # Two "Zorn, Ana" and the two folded "muller, anna": neither is lost or repeated at a page boundary.
    assert [i for p in _pages(db, "zorn", 1) for i in p] == _all(db, "zorn")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mull", {"Müller", "Muller", "Mullins"}),  # family name, accents folded
        ("MÜL", {"Müller", "Muller", "Mullins"}),
        ("müd", {"Andersen"}),  # given name with an accent
        ("ana", {"Zorn"}),  # given name
        ("mrn-000", {"Müller", "Muller", "Zorn"}),  # MRN, any case
        ("aberg", {"Åberg"}),
        ("ecl", {"Éclair"}),
    ],
)
def test_search_finds_by_family_given_mrn_and_folded_accents(db, people, text, expected):
    with db.read() as s:
        assert {r.family_name for r in search_patients(s, text, 100)} == expected


@pytest.mark.sqlite_only
def test_walking_the_name_index_finds_what_the_sort_finds(db, people, monkeypatch):
    by_sort = {text: (_all(db, text), _pages(db, text, 2)) for text in ("a", "an", "mrn", "x")}
    _walk_always(monkeypatch)
    by_walk = {text: (_all(db, text), _pages(db, text, 2)) for text in ("a", "an", "mrn", "x")}
    assert by_walk == by_sort
    assert by_sort["an"][0]  # not vacuous


def _walk_always(monkeypatch) -> None:
    # Every scattered branch read along the name index, as for a prefix matching thousands of patients.
    monkeypatch.setattr(patients_module, "_WALK_FROM_GIVEN", 1)
    monkeypatch.setattr(patients_module, "_WALK_FROM_MRN", 1)


# ---- a patient's procedures, newest first ---------------------------------------------------------------------------


@pytest.fixture
def history(db, make_patient, make_procedure):
    """Nine procedures: two at the same minute (ties broken by id), one signed, one cervical with no scores."""
    with db.transaction() as s:
        patient = save_patient(s, make_patient(1))
        start = datetime(2024, 1, 8, 9, 0)
        saved = []
        for n in range(9):
            when = start + timedelta(days=7 * (n // 2 * 2))  # pairs share a time
            overrides: dict = {"performed_at": when}
            if n == 3:
                overrides |= {
                    "targets": [Target(level="C5-C6", side=Side.RIGHT), Target(level="C4-C5", side=Side.RIGHT)],
                    "pain_scores": [],
                    "pre_procedure_pain": None,
                    "technique": Technique.INTRA_ARTICULAR,
                    "medications": [],
                    "botulinum_toxin": None,
                }
            if n == 5:
                overrides |= {"signature": Signature(signed_by="Dr. Synthetic Signer", signed_at=when)}
            if n == 6:
                overrides["pain_scores"] = [PainScore(minutes_after=30, nrs=1), PainScore(minutes_after=15, nrs=2)]
            saved.append(save_procedure(s, patient.id, make_procedure(n + 1, **overrides)))
    return patient, saved


def _newest_first(saved):
    return sorted(saved, key=lambda p: (p.performed_at, p.id), reverse=True)


def test_procedure_pages_add_up_to_the_whole_history_newest_first(db, history):
    patient, saved = history
    pages, before = [], None
    with db.read() as s:
        while rows := list_procedures(s, patient.id, before, 4):
            pages.append(rows)
            before = rows[-1].cursor
        whole = list_procedures(s, patient.id)
    assert [len(p) for p in pages] == [4, 4, 1]
    assert [r.id for p in pages for r in p] == [r.id for r in whole] == [p.id for p in _newest_first(saved)]


def test_a_procedure_summary_holds_what_the_timeline_shows(db, history):
    patient, saved = history
    with db.read() as s:
        summaries = {r.id: r for r in list_procedures(s, patient.id, limit=100)}
    for procedure in saved:
        summary = summaries[procedure.id]
        assert summary.targets == tuple((t.level, t.side) for t in procedure.targets)
        assert summary.pain_scores == tuple((p.minutes_after, p.nrs) for p in procedure.pain_scores)
        assert summary.pre_procedure_pain == procedure.pre_procedure_pain
        assert summary.signed_at == (procedure.signature.signed_at if procedure.signature else None)
        assert summary.physician == procedure.physician and summary.performed_at == procedure.performed_at


# ---- query plans ------------------------------------------------------------------------------------------------


def _statements(db, call) -> list[tuple[str, object]]:
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        with db.read() as s:
            call(s)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return seen


def _sqlite_plan(db, statement: str, parameters) -> list[str]:
    return [detail for _, _, detail in _sqlite_plan_tree(db, statement, parameters)]


def _sqlite_plan_tree(db, statement: str, parameters) -> list[tuple[int, int, str]]:
    """EXPLAIN QUERY PLAN's lines as (id, parent, detail)."""
    with db.engine.connect() as conn:
        return [(row[0], row[1], row[3]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]


def _table_sorts(tree: list[tuple[int, int, str]]) -> list[str]:
    """For each sort of a table's rows (a temp b-tree beside the read of a table, not of a page already read),
    that read's line."""
    sorts = []
    for _, parent, detail in tree:
        if "TEMP B-TREE" in detail and "UNION" not in detail:
            reads = [d for _, p, d in tree if p == parent and d.startswith(("SEARCH patients", "SCAN patients"))]
            sorts += reads
    return sorts


def _sorts_its_matches(read: str) -> bool:
    # Sorted are only the matches of a scattered branch read through its own index (fewer than _WALK_FROM),
    # and those of several name ranges (a two-word search) gathered from the name index: never a table.
    return "ix_patients_mrn_key" in read or "ix_patients_given_key" in read or " OR " in read


SEARCHES = ["", "smi", "an", "a", "mrn-0", "zorn, ana", "ana zorn"]


@pytest.mark.sqlite_only
@pytest.mark.parametrize("walk", [False, True])
def test_sqlite_search_reads_through_indexes_and_sorts_no_table(db, people, monkeypatch, walk):
    if walk:
        _walk_always(monkeypatch)
    for text in SEARCHES:
        for cursor_page in (False, True):
            after = None
            if cursor_page:
                with db.read() as s:
                    first = search_patients(s, text, 2)
                after = first[-1].cursor if first else None

            def search(s, text=text, after=after):
                search_patients(s, text, 3, after)

            statements = _statements(db, search)
            # The page itself is one statement; before it, SQLite counts a scattered branch's matches (up to
            # _WALK_FROM) to choose its index, as it keeps no statistics of its own.
            pages = [st for st, _ in statements if st.lstrip().startswith("WITH")]
            assert len(pages) == 1, statements
            for statement, parameters in statements:
                tree = _sqlite_plan_tree(db, statement, parameters)
                plan = [detail for _, _, detail in tree]
                lines = [line for line in plan if "patients" in line or "procedures" in line]
                assert lines, plan
                for line in lines:
                    # SEARCH: a range on an index. SCAN is allowed only along the name index, in list
                    # order, where LIMIT stops it after a page.
                    assert "USING" in line and "INDEX" in line, (text, statement, plan)
                    if line.startswith("SCAN"):
                        assert "ix_patients_name_key" in line, (text, plan)
                for read in _table_sorts(tree):
                    assert _sorts_its_matches(read), (text, statement, plan)
                if text == "" or "," in text:
                    assert not _table_sorts(tree), plan  # in list order already


@pytest.mark.sqlite_only
def test_sqlite_procedure_pages_read_through_indexes(db, history):
    patient, _ = history
    with db.read() as s:
        cursor = list_procedures(s, patient.id, limit=2)[-1].cursor

    def pages(s):
        list_procedures(s, patient.id, limit=3)
        list_procedures(s, patient.id, cursor, 3)

    statements = _statements(db, pages)
    assert len(statements) == 2  # one per page (procedures, targets and pain scores), whatever its length
    for statement, parameters in statements:
        plan = _sqlite_plan(db, statement, parameters)
        reads = [line for line in plan if line.startswith(("SEARCH", "SCAN")) and not line.startswith("SCAN page")]
        assert reads and all(line.startswith("SEARCH") and "INDEX" in line for line in reads), plan
        assert not any("TEMP B-TREE" in line for line in plan), plan
        assert any("procedures USING" in line and "ix_procedures_patient_performed" in line for line in plan), plan


@pytest.mark.postgresql
def test_postgresql_list_queries_can_use_their_indexes(db, people, history, backend):
    if backend != "postgresql":
        pytest.skip("PostgreSQL plans")
    patient, _ = history

    def lists(s):
        for text in SEARCHES:
            search_patients(s, text, 3)
        list_procedures(s, patient.id, limit=3)

    for statement, parameters in _statements(db, lists):
        with db.engine.connect() as conn, conn.begin():
            # A few rows would rightly be scanned; with scans priced out, a plan without one proves
            # the indexes serve each condition and the list order.
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = "\n".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN {statement}", parameters))
        assert "Seq Scan" not in plan, plan
        if "FROM procedures" in statement and "count" not in statement:
            assert "ix_procedures_patient_performed" in plan, plan
