"""Storage test fixtures: a fresh database per test on each backend (tests/pg.py) and synthetic patients/procedures."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from facetdesk.domain.enums import (
    BotoxProduct,
    Complication,
    ConservativeCare,
    DisabilityScale,
    Disposition,
    Guidance,
    Intent,
    Sedation,
    Sex,
    Side,
    Technique,
    VolumeBasis,
)
from facetdesk.domain.patient import AnticoagulantUse, Patient
from facetdesk.domain.procedure import (
    BotoxSite,
    BotoxTreatment,
    Indication,
    MedicationAdministration,
    PainScore,
    Procedure,
    Target,
)
from facetdesk.storage.db import Database, open_database


def build_patient(n: int = 1, **overrides: object) -> Patient:
    """A synthetic patient; ``n`` varies MRN and names so many can coexist."""
    fields: dict = {
        "mrn": f"TST-{n:05d}",
        "family_name": f"Testperson{n}",
        "given_name": f"Alex{n}",
        "date_of_birth": date(1960, 1, 1 + n % 28),
        "sex": Sex.FEMALE,
        "weight_kg": 72.5,
        "diabetes": True,
        "anticoagulants": [
            AnticoagulantUse(agent="clopidogrel", last_dose_at=datetime(2024, 2, 20, 8, 0)),
            AnticoagulantUse(agent="aspirin_secondary"),
        ],
        "allergies": ["iodinated contrast", "latex"],
        "pregnant": False,
        "neuromuscular_disease": None,
        "injection_site_infection": False,
    }
    fields.update(overrides)
    return Patient(**fields)


def build_procedure(n: int = 1, **overrides: object) -> Procedure:
    """A full synthetic lumbar medial branch block: two levels bilateral, Botox, pain scores."""
    fields: dict = {
        "uid": f"00000000-0000-4000-8000-{n:012d}",
        "performed_at": datetime(2024, 3, 5, 9, 30),
        "physician": "Dr. Synthetic Example",
        "indication": Indication(
            pain_duration_months=14,
            conservative_care=[ConservativeCare.NSAIDS, ConservativeCare.PHYSICAL_THERAPY],
            conservative_care_details="8 weeks of supervised PT",
            baseline_pain=7,
            disability_scale=DisabilityScale.ODI,
            disability_score=42.0,
        ),
        "diagnoses": ["M47.816", "M47.817"],
        "technique": Technique.MEDIAL_BRANCH_BLOCK,
        "intent": Intent.DIAGNOSTIC_FIRST,
        "guidance": Guidance.FLUOROSCOPY,
        "contrast": True,
        "sedation": Sedation.MINIMAL,
        "targets": [
            Target(level="L5-S1", side=Side.RIGHT),
            Target(level="L4-L5", side=Side.LEFT),
            Target(level="L4-L5", side=Side.RIGHT),
            Target(level="L5-S1", side=Side.LEFT),
        ],
        "medications": [
            MedicationAdministration(
                agent="bupivacaine", concentration_mg_per_ml=5.0, volume_ml=0.5, volume_basis=VolumeBasis.PER_NERVE
            ),
            MedicationAdministration(agent="lidocaine", concentration_mg_per_ml=10, volume_ml=3),
        ],
        "botulinum_toxin": BotoxTreatment(
            product=BotoxProduct.ONABOTULINUMTOXINA,
            vial_units=100,
            diluent_ml=2,
            sites=[
                BotoxSite(muscle="multifidus_lumbar", level="L4", side=Side.LEFT, units=20),
                BotoxSite(muscle="multifidus_lumbar", level="L4", side=Side.RIGHT, units=20),
                BotoxSite(muscle="multifidus_lumbar", level="L5", side=Side.LEFT, units=12.5),
            ],
        ),
        "pre_procedure_pain": 7,
        "pain_scores": [
            PainScore(minutes_after=0, nrs=7, activity="standing"),
            PainScore(minutes_after=15, nrs=3, activity="standing"),
            PainScore(minutes_after=30, nrs=2, activity="walking"),
            PainScore(minutes_after=60, nrs=2),
            PainScore(minutes_after=240, nrs=4, activity="sitting"),
        ],
        "complications": [Complication.VASOVAGAL, Complication.OTHER],
        "complication_details": "brief light-headedness, resolved supine",
        "disposition": Disposition.HOME_WITH_ESCORT,
        "follow_up": "Pain diary; clinic in 2 weeks",
        "notes": "Synthetic test record.\nSecond line.",
    }
    fields.update(overrides)
    return Procedure(**fields)


@pytest.fixture(autouse=True)
def _no_real_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # A test that forgets its URL must never reach the user's real database.
    monkeypatch.setenv("FACETDESK_DB", str(tmp_path / "guard" / "unexpected.sqlite3"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """The SQLite file behind ``db``; a test asking for it runs on SQLite only (see tests/pg.py)."""
    return tmp_path / "data" / "facetdesk.sqlite3"


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = open_database(database_url)
    yield database
    database.close()


@pytest.fixture
def make_patient() -> Callable[..., Patient]:
    return build_patient


@pytest.fixture
def make_procedure() -> Callable[..., Procedure]:
    return build_procedure
