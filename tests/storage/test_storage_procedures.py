"""Procedure repository: round trip, child replacement, optimistic concurrency, lists."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from facetdesk.domain.enums import Complication, Intent, Position, Side, SkinPrep, Technique
from facetdesk.domain.procedure import Override, PainScore, Target
from facetdesk.storage import tables
from facetdesk.storage.errors import DuplicateProcedure, RecordNotFound, StaleRecord
from facetdesk.storage.repository import (
    get_procedure,
    list_procedures,
    procedure_by_uid,
    procedures_for_patient,
    save_patient,
    save_procedure,
)

CHILD_TABLES = (
    tables.ProcedureRow,
    tables.ConservativeCareRow,
    tables.DiagnosisRow,
    tables.PostDiagnosisRow,
    tables.TargetRow,
    tables.MedicationRow,
    tables.BotoxTreatmentRow,
    tables.BotoxSiteRow,
    tables.PainScoreRow,
    tables.ComplicationRow,
    tables.OverrideRow,
)


@pytest.fixture
def patient(db, make_patient):
    with db.transaction() as s:
        return save_patient(s, make_patient())


def _counts(session) -> dict[str, int]:
    return {t.__tablename__: session.scalar(sa.select(sa.func.count()).select_from(t)) for t in CHILD_TABLES}


def test_round_trip_full_procedure(db, patient, make_procedure):
    original = make_procedure()
    with db.transaction() as s:
        saved = save_procedure(s, patient.id, original)
    assert saved.id is not None and saved.version == 1
    with db.read() as s:
        patient_id, loaded = get_procedure(s, saved.id)
        assert procedure_by_uid(s, original.uid) == (patient.id, loaded)
        counts = _counts(s)
    assert patient_id == patient.id
    assert loaded == original.model_copy(update={"id": saved.id, "version": 1})
    assert loaded == saved
    assert loaded.laterality() == "bilateral" and loaded.levels() == ["L4-L5", "L5-S1"]
    assert loaded.botulinum_toxin.total_units == 52.5
    assert counts["botox_sites"] == 3 and counts["pain_scores"] == 5 and counts["procedure_targets"] == 4


def test_minimal_procedure_round_trips(db, patient, make_procedure):
    minimal = make_procedure(
        indication={},
        diagnoses=[],
        medications=[],
        botulinum_toxin=None,
        pain_scores=[],
        complications=[],
        complication_details="",
        disposition=None,
        pre_procedure_pain=None,
        targets=[Target(level="C5-C6", side=Side.LEFT)],
        technique=Technique.INTRA_ARTICULAR,
        intent=Intent.THERAPEUTIC,
    )
    with db.transaction() as s:
        saved = save_procedure(s, patient.id, minimal)
    with db.read() as s:
        assert get_procedure(s, saved.id)[1] == saved


def test_update_replaces_children_and_bumps_version(db, patient, make_procedure):
    with db.transaction() as s:
        saved = save_procedure(s, patient.id, make_procedure())
    changed = saved.model_copy(
        update={
            "targets": [Target(level="L4-L5", side=Side.LEFT)],
            "medications": saved.medications[1:],
            "botulinum_toxin": None,
            "pain_scores": [PainScore(minutes_after=30, nrs=1)],
            "complications": [Complication.HEMATOMA],
            "complication_details": "",
            "diagnoses": ["M47.817", "M47.816"],
            "notes": "edited",
        }
    )
    with db.transaction() as s:
        updated = save_procedure(s, patient.id, changed)
    assert (updated.id, updated.version) == (saved.id, 2)
    with db.read() as s:
        assert get_procedure(s, saved.id)[1] == changed.model_copy(update={"version": 2})
        counts = _counts(s)
    assert counts == {
        "procedures": 1,
        "procedure_conservative_care": 2,
        "procedure_diagnoses": 2,
        "procedure_post_diagnoses": 0,
        "procedure_targets": 1,
        "procedure_medications": 1,
        "botox_treatments": 0,
        "botox_sites": 0,
        "pain_scores": 1,
        "procedure_complications": 1,
        "procedure_overrides": 0,
    }
    # Saving the same children again (same keys) works too.
    with db.transaction() as s:
        assert save_procedure(s, patient.id, updated).version == 3


def _overrides() -> list[Override]:
    return [
        Override(
            rule="IA_DIAGNOSTIC_COVERAGE",
            reason="MBB not possible: posterior fusion hardware over L4-S1.",
            acknowledged_by="Dr. Synthetic Example",
            acknowledged_at=datetime(2024, 3, 5, 9, 12),
        ),
        Override(
            rule="ANTICOAGULANT_INTERVAL",
            reason="Low-risk procedure; cardiology advises against holding clopidogrel.",
            acknowledged_by="Dr. Other Example",
            acknowledged_at=datetime(2024, 3, 5, 9, 20),
        ),
    ]


def test_round_trip_coverage_reasons_and_overrides(db, patient, make_procedure):
    original = make_procedure(
        mbb_not_possible_reason="Posterior fusion hardware over L4-S1",
        rfa_not_candidate_reason="Pacemaker-dependent; RF ablation declined",
        overrides=_overrides(),
    )
    with db.transaction() as s:
        saved = save_procedure(s, patient.id, original)
    with db.read() as s:
        loaded = get_procedure(s, saved.id)[1]
        assert procedures_for_patient(s, patient.id) == [loaded]
        assert _counts(s)["procedure_overrides"] == 2
    assert loaded == original.model_copy(update={"id": saved.id, "version": 1})
    assert loaded.mbb_not_possible_reason == "Posterior fusion hardware over L4-S1"
    assert loaded.override_for("ANTICOAGULANT_INTERVAL").acknowledged_by == "Dr. Other Example"


def test_overrides_read_back_in_acknowledgement_order(db, patient, make_procedure):
    later, earlier = _overrides()[1], _overrides()[0]
    with db.transaction() as s:
        saved = save_procedure(s, patient.id, make_procedure(overrides=[later, earlier]))
    with db.read() as s:
        assert get_procedure(s, saved.id)[1].overrides == [earlier, later]


def test_update_replaces_overrides_and_reasons(db, patient, make_procedure):
    with db.transaction() as s:
        saved = save_procedure(
            s, patient.id, make_procedure(mbb_not_possible_reason="hardware", overrides=_overrides())
        )
    first = _overrides()[0]
    # Same rule re-acknowledged with a new reason (same primary key), the other one withdrawn.
    reworded = first.model_copy(update={"reason": "Reworded after review.", "acknowledged_at": datetime(2024, 3, 6, 8)})
    changed = saved.model_copy(
        update={"mbb_not_possible_reason": "", "rfa_not_candidate_reason": "declined", "overrides": [reworded]}
    )
    with db.transaction() as s:
        updated = save_procedure(s, patient.id, changed)
    with db.read() as s:
        assert get_procedure(s, saved.id)[1] == changed.model_copy(update={"version": 2})
        assert _counts(s)["procedure_overrides"] == 1
    cleared = updated.model_copy(update={"overrides": []})
    with db.transaction() as s:
        save_procedure(s, patient.id, cleared)
    with db.read() as s:
        assert get_procedure(s, saved.id)[1].overrides == []
        assert _counts(s)["procedure_overrides"] == 0


def _documented(make_procedure, **overrides):
    fields = {
        "consent_obtained": True,
        "time_out_performed": False,
        "position": Position.PRONE,
        "skin_prep": SkinPrep.CHLORHEXIDINE,
        "needle": "22 G 3.5 in spinal",
        "contrast_spread": "periarticular, no vascular uptake",
        "findings": "Hypertrophic L4-L5 facets.\n" + "x" * 5000,
        "estimated_blood_loss": "minimal",
        "post_procedure_diagnoses": ["M47.817", "M54.50", "M47.816"],
    }
    fields.update(overrides)
    return make_procedure(**fields)


def test_round_trip_procedure_documentation(db, patient, make_procedure):
    original = _documented(make_procedure)
    with db.transaction() as s:
        saved = save_procedure(s, patient.id, original)
    with db.read() as s:
        loaded = get_procedure(s, saved.id)[1]
        assert procedures_for_patient(s, patient.id) == [loaded]
        assert _counts(s)["procedure_post_diagnoses"] == 3
    assert loaded == original.model_copy(update={"id": saved.id, "version": 1})
    assert loaded.post_procedure_diagnoses == ["M47.817", "M54.50", "M47.816"]  # in entry order
    assert (loaded.consent_obtained, loaded.time_out_performed) == (True, False)
    assert (loaded.position, loaded.skin_prep) == (Position.PRONE, SkinPrep.CHLORHEXIDINE)
    assert len(loaded.findings) > 5000


def test_documentation_defaults_round_trip(db, patient, make_procedure):
    with db.transaction() as s:
        saved = save_procedure(s, patient.id, make_procedure())
    with db.read() as s:
        loaded = get_procedure(s, saved.id)[1]
    assert (loaded.consent_obtained, loaded.time_out_performed, loaded.position, loaded.skin_prep) == (None,) * 4
    assert (loaded.needle, loaded.contrast_spread, loaded.findings, loaded.estimated_blood_loss) == ("",) * 4
    assert loaded.post_procedure_diagnoses == []


def test_update_replaces_post_procedure_diagnoses(db, patient, make_procedure):
    with db.transaction() as s:
        saved = save_procedure(s, patient.id, _documented(make_procedure))
    # Same positions reused with other codes, one dropped, the enum answers cleared.
    changed = saved.model_copy(
        update={
            "post_procedure_diagnoses": ["M54.50", "M47.812"],
            "consent_obtained": None,
            "position": None,
            "skin_prep": SkinPrep.POVIDONE_IODINE,
            "findings": "",
        }
    )
    with db.transaction() as s:
        updated = save_procedure(s, patient.id, changed)
    with db.read() as s:
        assert get_procedure(s, saved.id)[1] == changed.model_copy(update={"version": 2})
        assert _counts(s)["procedure_post_diagnoses"] == 2
    with db.transaction() as s:
        save_procedure(s, patient.id, updated.model_copy(update={"post_procedure_diagnoses": []}))
    with db.read() as s:
        assert get_procedure(s, saved.id)[1].post_procedure_diagnoses == []
        assert _counts(s)["procedure_post_diagnoses"] == 0
        # The pre-procedure diagnoses are a separate list, untouched.
        assert get_procedure(s, saved.id)[1].diagnoses == ["M47.816", "M47.817"]


def test_stale_version_raises_and_changes_nothing(db, patient, make_procedure):
    with db.transaction() as s:
        opened_here = save_procedure(s, patient.id, make_procedure())
    elsewhere = opened_here.model_copy(update={"notes": "saved on workstation B"})
    with db.transaction() as s:
        latest = save_procedure(s, patient.id, elsewhere)
    with db.read() as s:
        before = _counts(s)
    mine = opened_here.model_copy(update={"notes": "saved on workstation A", "targets": opened_here.targets[:1]})
    with pytest.raises(StaleRecord) as info, db.transaction() as s:
        save_procedure(s, patient.id, mine)
    assert "changed on another workstation" in str(info.value) and "Nothing was saved" in str(info.value)
    with db.read() as s:
        assert get_procedure(s, opened_here.id)[1] == latest
        assert _counts(s) == before


def test_concurrent_update_detected_at_flush(db, patient, make_procedure):
    # On PostgreSQL another workstation can commit between our read and our UPDATE;
    # the UPDATE ... WHERE version_id = <read version> must then refuse.
    with db.transaction() as s:
        saved = save_procedure(s, patient.id, make_procedure())
    with pytest.raises(StaleRecord), db.transaction() as s:
        s.get(tables.ProcedureRow, saved.id)  # our read: version 1 in the identity map
        s.execute(sa.update(tables.ProcedureRow).where(tables.ProcedureRow.id == saved.id).values(version_id=2))
        save_procedure(s, patient.id, saved.model_copy(update={"notes": "lost update?"}))
    with db.read() as s:
        assert get_procedure(s, saved.id)[1] == saved


def test_duplicate_uid_raises(db, patient, make_procedure):
    with db.transaction() as s:
        save_procedure(s, patient.id, make_procedure(1))
    with pytest.raises(DuplicateProcedure), db.transaction() as s:
        save_procedure(s, patient.id, make_procedure(1))


def test_missing_patient_or_procedure(db, patient, make_procedure):
    with pytest.raises(RecordNotFound), db.transaction() as s:
        save_procedure(s, 424242, make_procedure())
    with pytest.raises(RecordNotFound), db.transaction() as s:
        save_procedure(s, patient.id, make_procedure().model_copy(update={"id": 77, "version": 1}))
    with db.read() as s:
        assert get_procedure(s, 77) is None
        assert procedure_by_uid(s, "no-such-uid") is None


def test_update_cannot_move_procedure_to_another_patient(db, patient, make_patient, make_procedure):
    with db.transaction() as s:
        other = save_patient(s, make_patient(2))
        saved = save_procedure(s, patient.id, make_procedure())
    with pytest.raises(ValueError), db.transaction() as s:
        save_procedure(s, other.id, saved)


def _at(day: int) -> datetime:
    return datetime(2024, 1, day, 10, 0)


def test_lists_order_and_summary(db, patient, make_procedure):
    with db.transaction() as s:
        mbb = save_procedure(s, patient.id, make_procedure(1, performed_at=_at(10)))
        ia = save_procedure(
            s,
            patient.id,
            make_procedure(
                2,
                performed_at=_at(20),
                technique=Technique.INTRA_ARTICULAR,
                intent=Intent.THERAPEUTIC,
                medications=[],
                targets=[
                    Target(level="L5-S1", side=Side.LEFT),
                    Target(level="L4-L5", side=Side.LEFT),
                    Target(level="L4-L5", side=Side.RIGHT),
                ],
            ),
        )
        single = save_procedure(
            s, patient.id, make_procedure(3, performed_at=_at(5), targets=[Target(level="C5-C6", side=Side.RIGHT)])
        )
    with db.read() as s:
        summaries = list_procedures(s, patient.id)
        full = procedures_for_patient(s, patient.id)
    assert [p.id for p in summaries] == [ia.id, mbb.id, single.id]
    assert [p.id for p in full] == [single.id, mbb.id, ia.id]
    assert full[1] == mbb
    assert [p.levels for p in summaries] == [
        "L4-L5 bilateral, L5-S1 left",
        "L4-L5, L5-S1 bilateral",
        "C5-C6 right",
    ]
    top = summaries[0]
    assert (top.uid, top.technique, top.intent, top.physician) == (
        ia.uid,
        Technique.INTRA_ARTICULAR,
        Intent.THERAPEUTIC,
        "Dr. Synthetic Example",
    )
    assert top.performed_at == _at(20)


def _count_selects(db, fn) -> int:
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        with db.read() as s:
            fn(s)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def test_no_n_plus_one_queries(db, patient, make_procedure):
    with db.transaction() as s:
        save_procedure(s, patient.id, make_procedure(1))
    one_full = _count_selects(db, lambda s: procedures_for_patient(s, patient.id))
    one_list = _count_selects(db, lambda s: list_procedures(s, patient.id))
    with db.transaction() as s:
        for n in range(2, 8):
            save_procedure(s, patient.id, make_procedure(n))
    assert _count_selects(db, lambda s: procedures_for_patient(s, patient.id)) == one_full
    assert _count_selects(db, lambda s: list_procedures(s, patient.id)) == one_list
    assert len(procedures_for_patient_ids(db, patient.id)) == 7


def procedures_for_patient_ids(db, patient_id) -> list[int]:
    with db.read() as s:
        return [p.id for p in procedures_for_patient(s, patient_id)]
