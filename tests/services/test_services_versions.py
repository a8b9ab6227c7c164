"""The versions a screen compares to catch up with another workstation: every change moves them, nothing else does."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from facetdesk.services.context import build_context
from facetdesk.services.records import NotFound
from facetdesk.storage.roundtrips import count_round_trips
from tests import signers
from tests.actors import ADMIN_PHYSICIAN
from tests.builders.records import patient_data, scored_block_data

START = datetime(2026, 3, 2, 9, 0)


@pytest.fixture
def other(ctx):
    """Another workstation on the same database."""
    context = build_context(ctx.database.url, actor=ADMIN_PHYSICIAN)
    yield context
    context.close()


def _shown(ctx, patient_id: int, limit: int | None = None) -> tuple[dict[int, int], object]:
    """What a timeline read now shows: id -> version, and the cursor of its last row when more follow."""
    rows = ctx.records.list_procedures(patient_id, limit=None if limit is None else limit + 1)
    more = limit is not None and len(rows) > limit
    rows = rows[:limit] if limit is not None else rows
    return {r.id: r.version for r in rows}, (rows[-1].cursor if more else None)


def test_a_save_a_signature_and_an_addendum_elsewhere_each_move_the_versions(ctx, other):
    patient = ctx.records.save_patient(patient_data())
    saved = ctx.records.save_procedure(patient.id, scored_block_data(START))
    shown, through = _shown(ctx, patient.id)
    before = ctx.records.versions_of(patient.id)
    assert not before.differ_from(shown, through)  # nothing changed: nothing to reload
    assert before.procedure(saved.id) == saved.version and before.patient == patient.version

    signed = signers.sign(other, saved.id)
    after_signing = ctx.records.versions_of(patient.id)
    assert after_signing.differ_from(shown, through)
    assert after_signing.procedure(saved.id) == signed.version > saved.version
    shown, through = _shown(ctx, patient.id)
    assert not after_signing.differ_from(shown, through)

    signers.enrol(other)
    other.signing.add_addendum(saved.id, "Synthetic correction.", signers.PASSWORD)
    assert ctx.records.versions_of(patient.id).differ_from(shown, through)

    other.records.save_patient(other.records.get_patient(patient.id).model_copy(update={"allergies": ["latex"]}))
    assert ctx.records.versions_of(patient.id).patient == patient.version + 1


def test_only_procedures_within_the_rows_read_count_for_a_paged_timeline(ctx, other):
    patient = ctx.records.save_patient(patient_data())
    for n in range(5):
        ctx.records.save_procedure(patient.id, scored_block_data(START + timedelta(days=10 * n)))
    shown, through = _shown(ctx, patient.id, limit=2)  # the two newest read; three older ones not yet
    assert through is not None

    other.records.save_procedure(patient.id, scored_block_data(START - timedelta(days=30)))  # older than any
    assert not ctx.records.versions_of(patient.id).differ_from(shown, through)

    other.records.save_procedure(patient.id, scored_block_data(START + timedelta(days=100)))  # the newest now
    assert ctx.records.versions_of(patient.id).differ_from(shown, through)


def test_a_patient_without_procedures_has_its_own_version_and_an_unknown_one_is_not_found(ctx):
    patient = ctx.records.save_patient(patient_data())
    versions = ctx.records.versions_of(patient.id)
    assert (versions.patient, versions.procedures) == (patient.version, ())
    with pytest.raises(NotFound):
        ctx.records.versions_of(patient.id + 1000)


def test_the_check_is_one_round_trip(ctx, backend):
    patient = ctx.records.save_patient(patient_data())
    for n in range(30):
        ctx.records.save_procedure(patient.id, scored_block_data(START + timedelta(days=n)))
    ctx.records.versions_of(patient.id)  # a connection in the pool, as at every tick after the first
    with count_round_trips(ctx.database.engine) as trips:
        versions = ctx.records.versions_of(patient.id)
    assert len(versions.procedures) == 30
    statements = [s for s in trips.statements if not s.lstrip().upper().startswith("BEGIN")]
    assert len(statements) == 1, str(trips)
    if backend == "postgresql":
        assert trips.total == 1, str(trips)
