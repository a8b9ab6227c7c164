"""What a keystroke in the patient search and opening a patient ask of the database: a budget of round trips.

On a clinic's server every statement, BEGIN, COMMIT/ROLLBACK and connection check waits one network round
trip, so at 5 ms each the count is the time (docs/benchmarks.md, bench_network.py). On SQLite they cost nothing
but the same code runs: the page reads are held to the same number of statements there.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from facetdesk.storage import db as db_module
from facetdesk.storage.roundtrips import RoundTrips, count_round_trips
from tests.builders.records import patient_data, rich_patient, scored_block_data

# What the patient list and the timeline ask for: a page and one row more (ui/common/paged_model.py).
SEARCH_LIMIT, TIMELINE_LIMIT = 101, 51


@pytest.fixture
def clinic(ctx):
    """A patient with anticoagulants, allergies and toxin given elsewhere, 60 procedures; 30 more patients."""
    for n in range(2, 32):
        ctx.records.save_patient(patient_data(n, family_name=f"Smith{n % 5}"))
    patient = ctx.records.save_patient(rich_patient(1, family_name="Smithson"))
    start = datetime(2024, 3, 4, 9, 0)
    for n in range(60):
        ctx.records.save_procedure(patient.id, scored_block_data(start + timedelta(days=3 * n)))
    return patient


def _page_statements(trips: RoundTrips) -> list[str]:
    # SQLite: its BEGIN and the counts of a scattered branch's matches (it keeps no statistics) are in-process.
    return [s for s in trips.statements if not s.lstrip().upper().startswith(("BEGIN", "SELECT COUNT"))]


def _open(ctx, patient_id: int) -> None:
    # What the window reads to open a patient (ui/shell/patient_flow.py, the patient page's timeline).
    ctx.records.get_patient(patient_id)
    ctx.records.usual_anticoagulants()
    ctx.records.list_procedures(patient_id, before=None, limit=TIMELINE_LIMIT)


def test_a_search_keystroke_is_one_round_trip(ctx, clinic, backend):
    ctx.records.search_patients("s", SEARCH_LIMIT)  # a connection in the pool, as after the first keystroke
    for text in ("s", "sm", "smi", "smith", "smithson", "test-00001", "alex1", "smith alex", "smithson, alex", ""):
        with count_round_trips(ctx.database.engine) as trips:
            found = ctx.records.search_patients(text, SEARCH_LIMIT)
        if text:
            assert found, text
        assert len(_page_statements(trips)) == 1, (text, str(trips))
        if backend == "postgresql":
            assert trips.total == 1, (text, str(trips))
    # The next page too.
    first = ctx.records.search_patients("smith", 3)
    with count_round_trips(ctx.database.engine) as trips:
        assert ctx.records.search_patients("smith", 3, after=first[-1].cursor)
    assert len(_page_statements(trips)) == 1, str(trips)
    if backend == "postgresql":
        assert trips.total == 1, str(trips)


def test_opening_a_patient_is_three_round_trips(ctx, clinic, backend):
    _open(ctx, clinic.id)
    with count_round_trips(ctx.database.engine) as trips:
        _open(ctx, clinic.id)
    # The patient with its lists, the clinic's usual anticoagulants, the first page of the timeline.
    assert len(_page_statements(trips)) == 3, str(trips)
    if backend == "postgresql":
        assert trips.total == 3, str(trips)
    # And each read is whole: the lists came with the patient, the scores and targets with the page.
    patient = ctx.records.get_patient(clinic.id)
    assert patient == clinic
    page = ctx.records.list_procedures(clinic.id, limit=TIMELINE_LIMIT)
    assert len(page) == TIMELINE_LIMIT and all(p.pain_scores and p.targets for p in page)


@pytest.mark.postgresql  # SQLite has no connection to check
def test_after_a_pause_a_read_checks_its_connection_and_a_save_always_does(ctx, clinic, monkeypatch):
    ctx.records.search_patients("s", SEARCH_LIMIT)
    with count_round_trips(ctx.database.engine) as trips:
        ctx.records.save_patient(patient_data(40))
    assert trips.pings == 1, str(trips)
    monkeypatch.setattr(db_module, "IDLE_CHECK_S", 0.0)  # as if every connection had sat unused that long
    with count_round_trips(ctx.database.engine) as trips:
        ctx.records.search_patients("sm", SEARCH_LIMIT)
    assert (trips.pings, trips.total) == (1, 2), str(trips)
