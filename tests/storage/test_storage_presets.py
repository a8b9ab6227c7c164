"""Preset repository: round trip, unique names, delete, and the two presets seeded by migration 0004."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command

from facetdesk.domain.enums import Guidance, Intent, MedicationSite, Sedation, Technique, VolumeBasis
from facetdesk.domain.preset import Preset
from facetdesk.domain.procedure import MedicationAdministration
from facetdesk.storage.errors import RecordNotFound
from facetdesk.storage.migrate import alembic_config
from facetdesk.storage.presets import DuplicatePresetName, delete_preset, get_preset, list_presets, save_preset
from facetdesk.storage.tables import PresetMedicationRow, PresetRow
from facetdesk.storage.textkey import fold

MBB_SEED = "Lumbar MBB, bupivacaine 0.5% 0.5 mL per nerve"
IA_SEED = "Lumbar IA, triamcinolone 40 mg + lidocaine 1%"


def cervical_mbb(**overrides: object) -> Preset:
    fields: dict = {
        "name": "Cervical MBB, lidocaine 2%",
        "technique": Technique.MEDIAL_BRANCH_BLOCK,
        "intent": Intent.DIAGNOSTIC_CONFIRMATORY,
        "guidance": None,
        "sedation": Sedation.MINIMAL,
        "region": "cervical",
        "medications": [
            MedicationAdministration(
                agent="lidocaine", concentration_mg_per_ml=20, volume_ml=0.25, volume_basis=VolumeBasis.PER_NERVE
            ),
            MedicationAdministration(
                agent="lidocaine", concentration_mg_per_ml=10, volume_ml=2, site=MedicationSite.SKIN
            ),
        ],
    }
    fields.update(overrides)
    return Preset(**fields)


def _count(session, table) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(table))


def test_new_database_has_the_two_seeded_presets_and_they_validate(db):
    with db.read() as s:
        presets = {p.name: p for p in list_presets(s)}
    assert set(presets) == {MBB_SEED, IA_SEED}
    for preset in presets.values():
        # Valid as new input too (catalog strengths, technique rules), not only as stored data.
        assert Preset.model_validate(preset.model_dump()) == preset
        assert (preset.guidance, preset.sedation, preset.region) == (Guidance.FLUOROSCOPY, Sedation.NONE, "lumbar")
    mbb, ia = presets[MBB_SEED], presets[IA_SEED]
    assert (mbb.technique, mbb.intent) == (Technique.MEDIAL_BRANCH_BLOCK, Intent.DIAGNOSTIC_FIRST)
    assert [m.model_dump() for m in mbb.medications] == [
        {
            "agent": "bupivacaine",
            "concentration_mg_per_ml": 5.0,
            "volume_ml": 0.5,
            "volume_basis": VolumeBasis.PER_NERVE,
            "site": MedicationSite.TARGET,
        }
    ]
    assert (ia.technique, ia.intent) == (Technique.INTRA_ARTICULAR, Intent.THERAPEUTIC)
    steroid, anaesthetic = ia.medications
    assert (steroid.agent, steroid.concentration_mg_per_ml * steroid.volume_ml) == ("triamcinolone_acetonide", 40)
    assert steroid.volume_basis == VolumeBasis.TOTAL
    assert (anaesthetic.agent, anaesthetic.concentration_mg_per_ml) == ("lidocaine", 10)
    assert anaesthetic.volume_basis == VolumeBasis.PER_JOINT
    # One lumbar joint gets less than the 1.5 mL maximum (S8 Table 11).
    assert steroid.volume_ml + anaesthetic.volume_ml < 1.5


def test_seed_keys_are_the_folded_names(db):
    with db.read() as s:
        rows = s.execute(sa.select(PresetRow.name, PresetRow.name_key)).all()
    assert rows and all(key == fold(name) for name, key in rows)


def test_seed_renders_in_offline_sql_for_postgresql(capsys):
    command.upgrade(alembic_config("postgresql+psycopg://reviewer@localhost/facetdesk"), "0003:0004", sql=True)
    sql = capsys.readouterr().out
    assert "CREATE TABLE presets" in sql and "INSERT INTO preset_medications" in sql
    assert "lumbar mbb, bupivacaine 0.5% 0.5 ml per nerve" in sql


def test_round_trip_insert_and_update(db):
    with db.transaction() as s:
        saved = save_preset(s, cervical_mbb())
    assert saved.id is not None
    with db.read() as s:
        assert get_preset(s, saved.id) == saved
    changed = saved.model_copy(
        update={
            "name": "Cervical MBB, bupivacaine",
            "intent": None,
            "region": None,
            "medications": [
                MedicationAdministration(
                    agent="bupivacaine", concentration_mg_per_ml=5, volume_ml=0.3, volume_basis=VolumeBasis.PER_NERVE
                )
            ],
        }
    )
    with db.transaction() as s:
        assert save_preset(s, changed) == changed
    with db.read() as s:
        assert get_preset(s, saved.id) == changed
        assert _count(s, PresetRow) == 3
        assert _count(s, PresetMedicationRow) == 1 + 3  # one here, three in the seeds


def test_list_is_by_name(db):
    with db.transaction() as s:
        save_preset(s, cervical_mbb(name="aaa first"))
    with db.read() as s:
        assert [p.name for p in list_presets(s)] == ["aaa first", IA_SEED, MBB_SEED]


def test_duplicate_name_refused_and_nothing_saved(db):
    with db.transaction() as s:
        first = save_preset(s, cervical_mbb())
    with pytest.raises(DuplicatePresetName, match="already exists"):
        with db.transaction() as s:
            save_preset(s, cervical_mbb(name="  cervical mbb, LIDOCAINE 2%  ", region="thoracic"))
    # Renaming another preset onto a taken name is refused too.
    with pytest.raises(DuplicatePresetName):
        with db.transaction() as s:
            other = next(p for p in list_presets(s) if p.name == MBB_SEED)
            save_preset(s, other.model_copy(update={"name": first.name}))
    with db.read() as s:
        assert _count(s, PresetRow) == 3
        assert get_preset(s, first.id) == first
        assert {p.name for p in list_presets(s)} == {first.name, MBB_SEED, IA_SEED}


def test_unique_index_backs_the_check(db):
    with pytest.raises(sa.exc.IntegrityError):
        with db.transaction() as s:
            s.add(PresetRow(name="x", name_key=fold(MBB_SEED), technique="intra_articular"))


def test_delete(db):
    with db.transaction() as s:
        saved = save_preset(s, cervical_mbb())
    with db.transaction() as s:
        assert delete_preset(s, saved.id) is True
    with db.transaction() as s:
        assert delete_preset(s, saved.id) is False
    with db.read() as s:
        assert get_preset(s, saved.id) is None
        assert _count(s, PresetMedicationRow) == 3


def test_update_of_deleted_preset_refused(db):
    with db.transaction() as s:
        saved = save_preset(s, cervical_mbb())
    with db.transaction() as s:
        delete_preset(s, saved.id)
    with pytest.raises(RecordNotFound):
        with db.transaction() as s:
            save_preset(s, saved)
