"""A stored chart stays readable when the clock or the catalog changes after it was saved."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from facetdesk.domain.errors import InvalidRecord
from facetdesk.resources import resources_dir
from facetdesk.services.validation import parse_procedure
from facetdesk.storage import repository as repo


def _store(db, make_patient, make_procedure, **overrides):
    with db.transaction() as s:
        patient = repo.save_patient(s, make_patient())
        return patient, repo.save_procedure(s, patient.id, make_procedure(**overrides))


def test_time_ahead_of_this_clock_still_opens(db, make_patient, make_procedure):
    """Another workstation whose clock runs ahead saved this; it must open here."""
    patient, saved = _store(db, make_patient, make_procedure)
    ahead = datetime.now().replace(second=0, microsecond=0) + timedelta(hours=3)
    with db.engine.begin() as conn:
        conn.execute(sa.text("update procedures set performed_at = :t where id = :i"), {"t": ahead, "i": saved.id})
    with db.read() as s:
        _, loaded = repo.get_procedure(s, saved.id)
    assert loaded.performed_at == ahead


def test_strength_removed_from_catalog_still_opens_but_is_reported_on_save(
    db, make_patient, make_procedure, tmp_path, monkeypatch
):
    meds = [{"agent": "lidocaine", "concentration_mg_per_ml": 40, "volume_ml": 1, "volume_basis": "total"}]
    patient, saved = _store(db, make_patient, make_procedure, medications=meds)
    # The clinic's reviewed catalog no longer offers lidocaine 4%.
    reviewed = tmp_path / "resources"
    shutil.copytree(resources_dir(), reviewed)
    drugs = json.loads((reviewed / "drugs.json").read_text())
    lido = next(a for a in drugs["agents"] if a["key"] == "lidocaine")
    lido["strengths"] = [s for s in lido["strengths"] if s["mg_per_ml"] != 40]
    (reviewed / "drugs.json").write_text(json.dumps(drugs))
    monkeypatch.setenv("FACETDESK_RESOURCES", str(reviewed))

    with db.read() as s:
        _, loaded = repo.get_procedure(s, saved.id)
    assert loaded.medications[0].concentration_mg_per_ml == 40
    with pytest.raises(InvalidRecord) as info:
        parse_procedure(loaded.model_dump())
    assert "lidocaine comes in 1%, 2%" in str(info.value)
