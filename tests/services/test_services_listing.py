"""Paged lists through the record service: cursors from one page ask for the next; anything else is refused clearly."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from facetdesk.domain.errors import InvalidRecord
from facetdesk.storage.repository import PatientCursor, ProcedureCursor
from tests.builders.records import patient_data, scored_block_data


@pytest.fixture
def listed(ctx):
    patients = [ctx.records.save_patient(patient_data(n, family_name=f"Pagetest{n % 4}")) for n in range(1, 11)]
    start = datetime(2025, 1, 6, 9, 0)
    for n in range(7):
        ctx.records.save_procedure(patients[0].id, scored_block_data(start + timedelta(days=7 * n)))
    return patients


def test_pages_of_the_patient_search_follow_each_other(ctx, listed):
    seen, after = [], None
    while page := ctx.records.search_patients("pagetest", 3, after=after):
        seen += [p.id for p in page]
        after = page[-1].cursor
    assert seen == [p.id for p in ctx.records.search_patients("pagetest", 100)]
    assert sorted(seen) == sorted(p.id for p in listed)


def test_pages_of_a_patients_procedures_follow_each_other(ctx, listed):
    pid = listed[0].id
    seen, before = [], None
    while page := ctx.records.list_procedures(pid, before=before, limit=3):
        seen += [p.id for p in page]
        before = page[-1].cursor
    assert seen == [p.id for p in ctx.records.list_procedures(pid)]
    assert len(seen) == 7


@pytest.mark.parametrize(
    "after",
    [
        "pagetest",
        ("a", "b", 1),
        {"family_key": "a"},
        PatientCursor(1, "b", 1),
        PatientCursor("a", "b", 0),
        PatientCursor("a", "b", 2**40),
        PatientCursor("a\ud800", "b", 1),
        PatientCursor("a", "b", True),
    ],
)
def test_a_patient_cursor_that_no_page_gave_is_refused_clearly(ctx, listed, after):
    with pytest.raises(InvalidRecord) as raised:
        ctx.records.search_patients("pagetest", 3, after=after)
    assert raised.value.errors[0].path == ("after",)


@pytest.mark.parametrize(
    ("before", "limit", "field"),
    [
        ("yesterday", 3, "before"),
        (ProcedureCursor("2025-01-01", 1), 3, "before"),
        (ProcedureCursor(datetime(2025, 1, 1, tzinfo=timezone.utc), 1), 3, "before"),
        (ProcedureCursor(datetime(2025, 1, 1), -1), 3, "before"),
        (None, 0, "limit"),
        (None, 10**6, "limit"),
        (None, 2.5, "limit"),
        (None, True, "limit"),
        (None, "3", "limit"),
    ],
)
def test_a_procedure_cursor_or_limit_out_of_range_is_refused_clearly(ctx, listed, before, limit, field):
    with pytest.raises(InvalidRecord) as raised:
        ctx.records.list_procedures(listed[0].id, before=before, limit=limit)
    assert raised.value.errors[0].path == (field,)
