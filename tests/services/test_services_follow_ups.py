"""Recording follow-up visits: by a nurse or a physician, after the procedure, named by who is signed in, audited."""

from __future__ import annotations

from datetime import date

import pytest

from facetdesk.domain.audit import AuditAction
from facetdesk.domain.errors import InvalidRecord
from facetdesk.services.records import NotFound
from tests.actors import ADMIN_PHYSICIAN, NURSE
from tests.builders.records import patient_data, scored_block_data


@pytest.fixture
def procedure(ctx):
    patient = ctx.records.save_patient(patient_data())
    return ctx.records.save_procedure(patient.id, scored_block_data())


def _visit(procedure, **fields):
    return {"procedure_uid": procedure.uid, "seen_on": date(2024, 6, 5), "recorded_by": "typed name", **fields}


def test_a_visit_is_recorded_in_the_signed_in_name_and_audited(ctx, procedure):
    saved = ctx.follow_ups.save(_visit(procedure, pain_nrs=3, adl_improvement_pct=55))
    assert saved.recorded_by == ADMIN_PHYSICIAN.display_name  # never the typed name
    patient_id = ctx.records.get_procedure(procedure.id)[0].id
    assert ctx.follow_ups.of_patient(patient_id) == [saved]
    (entry,) = ctx.audit.search(entity="follow_up")
    assert (entry.action, entry.entity_id) == (AuditAction.CREATE, str(saved.id))


def test_a_visit_before_the_procedure_or_of_no_procedure_is_refused(ctx, procedure):
    with pytest.raises(InvalidRecord) as info:
        ctx.follow_ups.save(_visit(procedure, seen_on=date(2024, 1, 1)))
    assert info.value.errors[0].path == ("seen_on",) and "before the procedure" in info.value.errors[0].message
    with pytest.raises(NotFound):
        ctx.follow_ups.save(_visit(procedure, procedure_uid="no-such-procedure"))


def test_a_nurse_records_follow_ups_in_her_own_name(ctx, procedure):
    ctx.work.sign_in(NURSE)
    saved = ctx.follow_ups.save(_visit(procedure, pain_nrs=2, global_impression="much_improved"))
    assert saved.recorded_by == NURSE.display_name and saved.pain_nrs == 2


def test_an_update_of_a_visit_is_audited_with_the_fields_changed(ctx, procedure):
    first = ctx.follow_ups.save(_visit(procedure, pain_nrs=5))
    second = ctx.follow_ups.save(first.model_copy(update={"pain_nrs": 4, "notes": "Better on walks."}))
    assert second.version == first.version + 1
    (update,) = ctx.audit.search(entity="follow_up", action=AuditAction.UPDATE)
    assert {"pain_nrs", "notes"} <= set(update.fields) and "seen_on" not in update.fields


@pytest.mark.parametrize(
    "sql",
    [
        "update follow_ups set pain_nrs = 1",  # a better outcome written behind the app
        "update follow_ups set adl_improvement_pct = 80",
        "update follow_ups set seen_on = '2024-12-01'",  # a visit moved to 'reach' six months
    ],
)
def test_verify_catches_a_follow_up_changed_with_raw_sql(ctx, procedure, sql):
    # The repeat rules decide from follow-ups: a quiet edit could open the gate for a repeat ablation.
    import sqlalchemy as sa

    visit = ctx.follow_ups.save(_visit(procedure, pain_nrs=5, adl_improvement_pct=20))
    before = ctx.audit.verify()
    assert before.ok and before.records_unhashed == 0, before.lines()
    with ctx.database.engine.begin() as conn:
        conn.execute(sa.text(sql))
    report = ctx.audit.verify()
    assert [p.where for p in report.problems] == [f"follow-up {visit.id}"], report.lines()


def test_a_visit_cannot_be_moved_to_another_procedure_or_saved_under_an_unknown_id(ctx, procedure):
    other = ctx.records.save_procedure(
        ctx.records.get_procedure(procedure.id)[0].id, scored_block_data("2024-04-01T09:00:00")
    )
    saved = ctx.follow_ups.save(_visit(procedure, pain_nrs=5))
    moved = saved.model_copy(update={"procedure_uid": other.uid})
    with pytest.raises(InvalidRecord) as exc:
        ctx.follow_ups.save(moved)
    assert [e.path for e in exc.value.errors] == [("procedure_uid",)]
    with pytest.raises(NotFound):
        ctx.follow_ups.save(saved.model_copy(update={"id": 987654}))
    assert [v.procedure_uid for v in ctx.follow_ups.of_patient(ctx.records.get_procedure(procedure.id)[0].id)] == [
        procedure.uid
    ]


def test_a_visit_saved_over_another_workstations_change_is_refused_as_a_visit_naming_it(ctx, procedure):
    from facetdesk.services.context import build_context
    from facetdesk.storage.errors import StaleRecord

    saved = ctx.follow_ups.save(_visit(procedure, pain_nrs=3))
    other = build_context(ctx.database.url, actor=ADMIN_PHYSICIAN)
    try:
        other.follow_ups.save(saved.model_copy(update={"pain_nrs": 5}))
    finally:
        other.close()
    with pytest.raises(StaleRecord) as info:
        ctx.follow_ups.save(saved.model_copy(update={"notes": "Doing well."}))
    assert str(info.value).startswith(
        "This follow-up visit was changed on another workstation"
    ) and "(pain nrs)" in str(info.value)
    (stored,) = ctx.follow_ups.of_patient(ctx.records.get_procedure(procedure.id)[0].id)
    assert (stored.pain_nrs, stored.notes) == (5, "")
