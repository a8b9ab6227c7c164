"""Synthetic clinic-scale database: ten years of a busy clinic (100,000 patients, 500,000 procedures), made up.

Besides the procedures (medications, toxin sites, pain diaries): follow-up visits after about a third of them,
fluoroscopy images (a small synthetic DICOM frame and its rendering) on a few percent, and toxin given elsewhere
for a few percent of patients, so the screens and reads are measured with every kind of record in it.

Run: python benchmarks/clinic_data.py [--patients N] [--procedures N] [--path FILE] [--force]

The database is created with facetdesk.storage.db.open_database (so it is migrated exactly as the app's), then
filled with SQLAlchemy Core executemany in large transactions on a connection of its own that skips the journal
and fsync (a half-built file is simply rebuilt). Search keys are folded by facetdesk.storage.textkey.fold, as a
real save folds them, and every row is valid for the domain models: a few procedures are read back through the
repository (full validation) before the marker file that says "complete" is written beside the database.

Every name is made up from syllables; none is a real patient. Signed procedures carry a signature but no stored
note PDF (signed_notes), so `facetdesk verify` is not meaningful on this database.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent
for folder in (HERE.parent, HERE):  # the project (facetdesk) and this folder (common), as run_all.py has it
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import common  # noqa: E402

from facetdesk.domain.catalog import get_catalog  # noqa: E402
from facetdesk.storage.db import open_database  # noqa: E402
from facetdesk.storage.tables import (  # noqa: E402
    BotoxSiteRow,
    BotoxTreatmentRow,
    DiagnosisRow,
    FollowUpRow,
    MedicationRow,
    PainScoreRow,
    PatientAllergyRow,
    PatientAnticoagulantRow,
    PatientRow,
    PatientToxinElsewhereRow,
    ProcedureImageRow,
    ProcedureRow,
    TargetRow,
)
from facetdesk.storage.textkey import fold  # noqa: E402

# Bump when what the generator writes changes: a database built by an older generator is rebuilt.
GENERATOR_VERSION = 2
DEFAULT_SEED = 20240607
BENCH_MRN = "BENCH-200"
BENCH_PROCEDURES = 200
YEARS = 10
# Procedures per transaction (with their child rows).
CHUNK = 50_000

_FAMILY_START = (
    "Ka", "Lo", "Mar", "Ben", "Tor", "Vel", "Ar", "Dra", "Sel", "Fen", "Gor", "Hal", "Ist", "Jor", "Kel", "Lun",
    "Mor", "Nel", "Os", "Pra", "Quin", "Ras", "Sto", "Tam", "Ul", "Vos", "Wen", "Yar", "Zel", "Bre", "Cor", "Dun",
    "El", "Fal", "Gre", "Hol", "Ing", "Kor", "Lin", "Mal", "Nor", "Pel", "Rov", "Sal", "Tre", "Var", "Wil", "Ab",
    "Bré", "Mö", "Ñu", "Çe", "Jó", "Sæ", "Dö", "Lú", "Zá", "Vé",
)  # fmt: skip
_FAMILY_MIDDLE = ("", "", "", "ra", "ven", "li", "do", "mar", "si", "tel", "bo", "ga", "né", "lö")
_FAMILY_END = (
    "ner", "son", "ski", "ez", "ova", "berg", "dale", "mann", "ti", "ard", "ley", "ric", "vic", "holm", "ado", "ier",
    "ström", "quist", "eau", "ini", "sen", "stad", "wick", "ton", "ez", "ović", "ák", "é", "ay", "ell",
)  # fmt: skip
_FAMILY_PARTICLE = ("van ", "de ", "da ", "von ", "del ", "ten ")
_GIVEN_START = (
    "A", "Be", "Ca", "Da", "E", "Fi", "Ga", "Ha", "I", "Jo", "Ka", "Li", "Ma", "Ni", "O", "Pe", "Ra", "Sa", "Te",
    "U", "Vi", "Wi", "Ya", "Zo", "Lé", "Jó", "Ré", "Ño", "Ma", "Ele", "Ari", "Tho",
)  # fmt: skip
_GIVEN_END = ("na", "la", "ra", "mo", "lin", "ric", "ta", "son", "ne", "dra", "vin", "lo", "mé", "ël", "rin", "bel")
_PHYSICIANS = tuple(
    f"Dr. {g} {f}"
    for g, f in (
        ("Ansa", "Velmor"), ("Brin", "Kaldor"), ("Cato", "Ristel"), ("Dela", "Montrez"), ("Evo", "Saranek"),
        ("Fenna", "Holbrück"), ("Gilo", "Tavern"), ("Hesta", "Quorin"),
    )
)  # fmt: skip

# Diagnoses (ICD-10-CM, from resources/diagnoses.json) that fit each region.
_DIAGNOSES = {
    "cervical": (("M47.812",), ("M47.812", "M54.2")),
    "thoracic": (("M47.814",), ("M47.814", "M54.6")),
    "lumbar": (("M47.816",), ("M47.817",), ("M47.816", "M54.50")),
}
# (agent, strength mg/mL, volume mL, volume basis[, site]): catalog strengths, usual volumes.
_MBB_ANAESTHETICS = (
    ("bupivacaine", 5.0, 0.5, "per_nerve"),
    ("lidocaine", 20, 0.5, "per_nerve"),
    ("bupivacaine", 7.5, 0.3, "per_nerve"),
)
_IA_ANAESTHETICS = (
    ("bupivacaine", 5.0, 1.0, "per_joint"),
    ("ropivacaine", 2.0, 1.0, "per_joint"),
    ("lidocaine", 10, 1.0, "per_joint"),
)
_IA_ADDITIONS = (
    ("triamcinolone_acetonide", 40, 0.5, "total", "target"),
    ("methylprednisolone_acetate", 40, 1.0, "total", "target"),
    ("dexamethasone_sodium_phosphate", 10, 1.0, "total", "target"),
    ("iohexol", 240, 0.5, "per_joint", "target"),
)
_SKIN_INFILTRATION = ("lidocaine", 10, 3.0, "total", "skin")
_ANTICOAGULANTS = ("aspirin_primary", "ibuprofen", "naproxen")
_ALLERGIES = ("Penicillin", "Latex", "Iodinated contrast", "Sulfonamides", "Codeine")


def marker_path(path: Path) -> Path:
    return path.with_name(path.name + ".complete.json")


def _parameters(patients: int, procedures: int, seed: int) -> dict:
    return {"generator": GENERATOR_VERSION, "patients": patients, "procedures": procedures, "seed": seed}


def ensure_big_db(
    path: Path = common.BIG_DB,
    patients: int = 100_000,
    procedures: int = 500_000,
    seed: int = DEFAULT_SEED,
    *,
    force: bool = False,
    verbose: bool = False,
) -> Path:
    """The synthetic clinic database at ``path``, built once; reused while its marker matches the parameters."""
    if patients < 1 or procedures < BENCH_PROCEDURES:
        raise ValueError(f"need at least 1 patient and {BENCH_PROCEDURES} procedures (the BENCH-200 patient's)")
    path = Path(path)
    marker = marker_path(path)
    wanted = _parameters(patients, procedures, seed)
    if not force and path.is_file() and marker.is_file():
        try:
            if json.loads(marker.read_text(encoding="utf-8")).get("parameters") == wanted:
                return path
        except (OSError, ValueError):
            pass
    marker.unlink(missing_ok=True)
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    url = "sqlite:///" + path.absolute().as_posix()
    open_database(url).close()  # created and migrated exactly as the app does it
    counts = _fill(url, patients, procedures, seed, verbose)
    _check_readable(url)
    seconds = time.perf_counter() - started
    marker.write_text(
        json.dumps({"parameters": wanted, "counts": counts, "seconds": round(seconds, 1)}, indent=2),
        encoding="utf-8",
    )
    if verbose:
        print(f"built {path} in {seconds:.1f} s")
    return path


def big_db_info(path: Path = common.BIG_DB) -> dict:
    """What the marker beside a built database says: parameters, row counts, build time."""
    return json.loads(marker_path(Path(path)).read_text(encoding="utf-8"))


# ---- names and patients -------------------------------------------------------------------------------------------


def _family_names(rng: random.Random, count: int) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        name = rng.choice(_FAMILY_START) + rng.choice(_FAMILY_MIDDLE) + rng.choice(_FAMILY_END)
        roll = rng.random()
        if roll < 0.04:
            name = rng.choice(_FAMILY_PARTICLE) + name
        elif roll < 0.07:
            name = f"{name}-{rng.choice(_FAMILY_START)}{rng.choice(_FAMILY_END)}"
        names.add(name)
    return sorted(names)


def _given_names(rng: random.Random, count: int) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        names.add(rng.choice(_GIVEN_START) + rng.choice(_GIVEN_END) + rng.choice(("", "", "", "a", "o", "e")))
    return sorted(names)


def _zipf_weights(count: int) -> list[float]:
    # A few names are common, most are rare, as in a real list of surnames.
    return [1.0 / (rank + 1) ** 0.9 for rank in range(count)]


def _patient_rows(rng: random.Random, patients: int, bench_index: int) -> list[dict]:
    families = _family_names(rng, max(200, min(30_000, patients // 4)))
    givens = _given_names(rng, 400)
    rng.shuffle(families)
    rng.shuffle(givens)
    family_pick = rng.choices(families, _zipf_weights(len(families)), k=patients)
    given_pick = rng.choices(givens, _zipf_weights(len(givens)), k=patients)
    # Eight-digit MRNs in random order, so a typed digit matches about a ninth of the clinic.
    mrn_numbers = rng.sample(range(10_000_000, 100_000_000), patients)
    created = datetime(2015, 1, 5, 8, 0)
    rows = []
    for i in range(patients):
        mrn = BENCH_MRN if i == bench_index else str(mrn_numbers[i])
        family, given = family_pick[i], given_pick[i]
        sex = rng.choices(("female", "male", "other", "unknown"), (48, 48, 1, 3))[0]
        rows.append(
            {
                "id": i + 1,
                "mrn": mrn,
                "mrn_key": fold(mrn),
                "family_name": family,
                "family_key": fold(family),
                "given_name": given,
                "given_key": fold(given),
                "date_of_birth": date(1935, 1, 1) + timedelta(days=rng.randrange(60 * 365)),
                "sex": sex,
                "weight_kg": round(rng.uniform(48, 125), 1) if rng.random() < 0.9 else None,
                "diabetes": rng.random() < 0.14 if rng.random() < 0.8 else None,
                "pregnant": False if sex != "female" else (None if rng.random() < 0.5 else False),
                "neuromuscular_disease": False if rng.random() < 0.7 else None,
                "injection_site_infection": False if rng.random() < 0.7 else None,
                "created_at": created,
                "updated_at": created,
            }
        )
    return rows


def _toxin_elsewhere(rng: random.Random, patients: int) -> list[dict]:
    """Botox for migraine (or another product for spasticity) given elsewhere, for a few patients."""
    rows = []
    today = date.today()
    for pid in range(1, patients + 1):
        if rng.random() < 0.03:
            product, units, why = rng.choice(
                (("onabotulinumtoxinA", 155.0, "chronic migraine"), ("abobotulinumtoxinA", 500.0, "spasticity"))
            )
            for pos in range(rng.randint(1, 3)):
                rows.append({"patient_id": pid, "position": pos, "given_on": today - timedelta(days=90 * (pos + 1)),
                             "product": product, "units": units, "indication": why,
                             "source": "neurology clinic, letter"})  # fmt: skip
    return rows


def _patient_children(rng: random.Random, patients: int) -> tuple[list[dict], list[dict]]:
    anticoagulants, allergies = [], []
    for pid in range(1, patients + 1):
        if rng.random() < 0.08:
            anticoagulants.append(
                {"patient_id": pid, "position": 0, "agent": rng.choice(_ANTICOAGULANTS), "last_dose_at": None}
            )
        if rng.random() < 0.12:
            for pos, text in enumerate(rng.sample(_ALLERGIES, rng.randint(1, 2))):
                allergies.append({"patient_id": pid, "position": pos, "text": text})
    return anticoagulants, allergies


# ---- procedures ---------------------------------------------------------------------------------------------------


class _ProcedureMaker:
    """Builds one procedure's row and its children's rows from a random stream."""

    def __init__(self, rng: random.Random):
        catalog = get_catalog()
        self.rng = rng
        self.joints_by_region: dict[str, list[str]] = {}
        for joint in catalog.joints:
            self.joints_by_region.setdefault(joint.region, []).append(joint.level)
        self.vertebrae = list(catalog.vertebrae)
        self.muscles = {region: [m.key for m in catalog.muscles_for(region)] for region in self.joints_by_region}
        self.timepoints = [minutes for minutes, _label in catalog.diary_timepoints] or [15, 30, 60, 120, 240, 1440]
        self.uid_bits = rng.getrandbits

    def targets(self, region: str) -> list[tuple[str, str]]:
        rng = self.rng
        levels = self.joints_by_region[region]
        if region == "lumbar":
            start = rng.choice((1, 2, 2, 3, 3, 3, 4))  # the lower lumbar joints are the usual ones
        else:
            start = rng.randrange(len(levels))
        count = min(rng.choice((1, 1, 2, 2, 2, 3)), len(levels) - start)
        chosen = levels[start : start + count]
        sides = rng.choice((("left",), ("right",), ("left", "right"), ("left", "right")))
        return [(level, side) for level in chosen for side in sides]

    def medications(self, technique: str) -> list[dict]:
        rng = self.rng
        if technique == "medial_branch_block":
            main = rng.choice(_MBB_ANAESTHETICS)
            extra = _SKIN_INFILTRATION
        else:
            main = rng.choice(_IA_ANAESTHETICS)
            extra = rng.choice(_IA_ADDITIONS)
        meds = [(*main, "target")]
        if rng.random() < 0.55:
            meds.append(extra)
        return [
            {
                "position": i,
                "agent": agent,
                "concentration_mg_per_ml": float(strength),
                "volume_ml": volume,
                "volume_basis": basis,
                "site": site,
            }
            for i, (agent, strength, volume, basis, site) in enumerate(meds)
        ]

    def pain_scores(self, baseline: int) -> list[dict]:
        rng = self.rng
        times = sorted(rng.sample(self.timepoints[:9], rng.randint(3, 6)))
        best = max(0, baseline - rng.randint(1, baseline))
        out = []
        for i, minutes in enumerate(times):
            # Relief comes early and wears off over the diary.
            drift = round((baseline - best) * i / max(1, len(times) - 1) * rng.uniform(0.2, 1.1))
            out.append({"minutes_after": minutes, "nrs": min(10, best + drift), "activity": ""})
        return out

    def botox(self, region: str) -> tuple[dict, list[dict]]:
        rng = self.rng
        prefix = region[0].upper()
        levels = [v for v in self.vertebrae if v.startswith(prefix)] or self.vertebrae
        sites = []
        for pos, muscle in enumerate(
            rng.sample(self.muscles[region], rng.randint(1, min(4, len(self.muscles[region]))))
        ):
            sites.append(
                {
                    "position": pos,
                    "muscle": muscle,
                    "level": rng.choice(levels),
                    "side": rng.choice(("left", "right")),
                    "units": float(rng.choice((10, 15, 20, 25, 30, 40, 50))),
                    "product": None,
                }
            )
        return {"product": "onabotulinumtoxinA", "vial_units": 100.0, "diluent_ml": 2.0}, sites

    def procedure(self, pid: int, patient_id: int, performed_at: datetime, signed_before: datetime) -> dict:
        rng = self.rng
        region = rng.choices(("lumbar", "cervical", "thoracic"), (70, 22, 8))[0]
        technique = "medial_branch_block" if rng.random() < 0.6 else "intra_articular"
        if technique == "medial_branch_block":
            intent = rng.choices(("diagnostic_first", "diagnostic_confirmatory", "therapeutic"), (5, 3, 2))[0]
        else:
            intent = rng.choices(("therapeutic", "diagnostic_first"), (8, 2))[0]
        meds = self.medications(technique)
        baseline = rng.randint(4, 9)
        physician = rng.choice(_PHYSICIANS)
        signed = performed_at < signed_before and rng.random() < 0.75
        disability = rng.random() < 0.3
        return {
            "row": {
                "id": pid,
                "uid": str(uuid.UUID(int=self.uid_bits(128), version=4)),
                "patient_id": patient_id,
                "version_id": 1,
                "performed_at": performed_at,
                "physician": physician,
                "pain_duration_months": rng.randint(3, 120),
                "conservative_care_details": "",
                "pain_scale": "NRS",
                "baseline_pain": baseline,
                "disability_scale": ("NDI" if region == "cervical" else "ODI") if disability else None,
                "disability_score": float(rng.randint(10, 70)) if disability else None,
                "technique": technique,
                "intent": intent,
                "mbb_not_possible_reason": "",
                "rfa_not_candidate_reason": "",
                "guidance": rng.choices(("fluoroscopy", "ct", "ultrasound"), (85, 8, 7))[0],
                "contrast": any(m["agent"] == "iohexol" for m in meds) or rng.random() < 0.3,
                "sedation": rng.choices(("none", "minimal", "moderate"), (70, 20, 10))[0],
                "pre_procedure_pain": baseline,
                "complication_details": "",
                "disposition": "home_stable",
                "follow_up": "Clinic review in 2 weeks with pain diary",
                "notes": "",
                "consent_obtained": True,
                "time_out_performed": True,
                "position": "prone" if region != "cervical" else rng.choice(("prone", "lateral")),
                "skin_prep": "chlorhexidine",
                "needle": "22G 3.5 in spinal needle",
                "contrast_spread": "",
                "findings": "",
                "estimated_blood_loss": "minimal",
                "signed_by": physician if signed else None,
                "signed_at": performed_at + timedelta(hours=rng.randint(1, 48)) if signed else None,
                "created_at": performed_at,
                "updated_at": performed_at,
            },
            "region": region,
            "targets": self.targets(region),
            "diagnoses": rng.choice(_DIAGNOSES[region]),
            "medications": meds,
            "pain_scores": self.pain_scores(baseline),
            "botox": self.botox(region) if rng.random() < 0.2 else None,
        }


def _schedule(rng: random.Random, patients: int, procedures: int, bench_index: int) -> list[tuple[datetime, int]]:
    """(performed_at, patient id) for every procedure, oldest first, so ids grow with time as in a real clinic."""
    end = datetime.now().replace(second=0, microsecond=0) - timedelta(days=1)
    start = end - timedelta(days=365 * YEARS)
    span_minutes = int((end - start).total_seconds() // 60)
    others = [i for i in range(patients) if i != bench_index] if patients > 1 else [bench_index]
    # Heavy-tailed visits per patient: many come once or twice, some for years.
    cum, total = [], 0.0
    for _ in others:
        total += rng.paretovariate(1.3)
        cum.append(total)
    owners = rng.choices(others, cum_weights=cum, k=procedures - BENCH_PROCEDURES)
    owners += [bench_index] * BENCH_PROCEDURES

    def when() -> datetime:
        # Working hours, on the quarter hour.
        day = start + timedelta(minutes=rng.randrange(span_minutes))
        return day.replace(hour=rng.randint(7, 16), minute=rng.choice((0, 15, 30, 45)))

    schedule = [(when(), owner + 1) for owner in owners]
    schedule.sort()
    return schedule


def _chunks(schedule: list[tuple[datetime, int]], size: int) -> Iterator[tuple[int, list[tuple[datetime, int]]]]:
    for first in range(0, len(schedule), size):
        yield first, schedule[first : first + size]


def _generation_engine(url: str) -> sa.Engine:
    engine = sa.create_engine(url)

    @sa.event.listens_for(engine, "connect")
    def _fast(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Only for this one-off bulk load: no journal, no fsync (a crash means a rebuild, not a repair).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=OFF")
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA cache_size=-400000")
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def _fill(url: str, patients: int, procedures: int, seed: int, verbose: bool) -> dict[str, int]:
    rng = random.Random(seed)
    bench_index = patients // 2
    counts: dict[str, int] = {}

    def insert(conn: sa.Connection, table: sa.Table, rows: list[dict]) -> None:
        if rows:
            conn.execute(table.insert(), rows)
            counts[table.name] = counts.get(table.name, 0) + len(rows)

    engine = _generation_engine(url)
    t0 = time.perf_counter()
    try:
        with engine.begin() as conn:
            insert(conn, PatientRow.__table__, _patient_rows(rng, patients, bench_index))
            anticoagulants, allergies = _patient_children(rng, patients)
            insert(conn, PatientAnticoagulantRow.__table__, anticoagulants)
            insert(conn, PatientAllergyRow.__table__, allergies)
            insert(conn, PatientToxinElsewhereRow.__table__, _toxin_elsewhere(rng, patients))
        if verbose:
            print(f"  {patients:,} patients in {time.perf_counter() - t0:.1f} s", flush=True)
        maker = _ProcedureMaker(rng)
        schedule = _schedule(rng, patients, procedures, bench_index)
        signed_before = datetime.now() - timedelta(days=30)
        botox_id = 0
        image = _image_files()
        today = date.today()
        for first, chunk in _chunks(schedule, CHUNK):
            rows: dict[str, list[dict]] = {
                "procedures": [], "targets": [], "diagnoses": [], "medications": [], "pain": [], "botox": [],
                "sites": [], "follow_ups": [], "images": [],
            }  # fmt: skip
            for offset, (performed_at, patient_id) in enumerate(chunk):
                pid = first + offset + 1
                made = maker.procedure(pid, patient_id, performed_at, signed_before)
                rows["procedures"].append(made["row"])
                rows["targets"] += [{"procedure_id": pid, "level": lv, "side": sd} for lv, sd in made["targets"]]
                rows["diagnoses"] += [
                    {"procedure_id": pid, "position": i, "code": code} for i, code in enumerate(made["diagnoses"])
                ]
                rows["medications"] += [{"procedure_id": pid, **m} for m in made["medications"]]
                rows["pain"] += [{"procedure_id": pid, **p} for p in made["pain_scores"]]
                seen_on = (performed_at + timedelta(days=rng.randint(28, 90))).date()
                if rng.random() < 0.33 and seen_on <= today:
                    rows["follow_ups"].append(_follow_up(rng, pid, seen_on, made["row"]["baseline_pain"]))
                if made["row"]["guidance"] == "fluoroscopy" and rng.random() < 0.04:
                    level = made["targets"][0][0]
                    rows["images"].append({"procedure_id": pid, "view": "ap", "level": level, "caption": "",
                                           "added_by": made["row"]["physician"], "added_at": performed_at,
                                           **image})  # fmt: skip
                if made["botox"] is not None:
                    botox_id += 1
                    treatment, sites = made["botox"]
                    rows["botox"].append({"id": botox_id, "procedure_id": pid, **treatment})
                    rows["sites"] += [{"treatment_id": botox_id, **s} for s in sites]
            with engine.begin() as conn:
                insert(conn, ProcedureRow.__table__, rows["procedures"])
                insert(conn, TargetRow.__table__, rows["targets"])
                insert(conn, DiagnosisRow.__table__, rows["diagnoses"])
                insert(conn, MedicationRow.__table__, rows["medications"])
                insert(conn, PainScoreRow.__table__, rows["pain"])
                insert(conn, BotoxTreatmentRow.__table__, rows["botox"])
                insert(conn, BotoxSiteRow.__table__, rows["sites"])
                insert(conn, FollowUpRow.__table__, rows["follow_ups"])
                insert(conn, ProcedureImageRow.__table__, rows["images"])
            if verbose:
                done = first + len(chunk)
                print(f"  {done:,} procedures ({time.perf_counter() - t0:.1f} s)", flush=True)
    finally:
        engine.dispose()
    # Back to the app's journal mode (outside any transaction, so not through the engine's BEGIN hook).
    raw = sqlite3.connect(make_url(url).database, isolation_level=None)
    try:
        raw.execute("PRAGMA journal_mode=WAL")
    finally:
        raw.close()
    return counts


def _follow_up(rng: random.Random, procedure_id: int, seen_on: date, baseline: int) -> dict:
    pain = rng.randint(0, baseline)
    return {"procedure_id": procedure_id, "version_id": 1, "seen_on": seen_on, "recorded_by": "RN Bench Synthetic",
            "pain_nrs": pain, "disability_scale": "ODI", "disability_score": float(rng.randint(5, 60)),
            "adl_improvement_pct": float(rng.randint(-20, 80)), "analgesic_use": rng.choice(("less", "same")),
            "global_impression": rng.choice(("much_improved", "minimally_improved", "no_change")), "notes": "",
            "updated_at": datetime.combine(seen_on, datetime.min.time())}  # fmt: skip


def _image_files() -> dict:
    """One small synthetic fluoroscopy DICOM frame (tools/sample_images.py) and its rendering, shared by every image
    row (a clinic's C-arm frames are alike in size; their content does not matter to a read)."""
    import hashlib

    sys.path.insert(0, str(HERE.parent / "tools"))
    from sample_images import fluoroscopy_frame

    from facetdesk.interop.images import decode_image

    original = fluoroscopy_frame("ap", size=96)
    decoded = decode_image(original)
    return {"source_format": "dicom", "modality": decoded.modality, "width": decoded.width,
            "height": decoded.height, "sha256": hashlib.sha256(original).hexdigest(), "png": decoded.png,
            "original": original}  # fmt: skip


def _check_readable(url: str) -> None:
    """Read the BENCH-200 patient and some procedures back through the repository: every one validates."""
    from facetdesk.storage import repository as repo

    database = open_database(url)
    try:
        with database.read() as session:
            patient = repo.find_patient_by_mrn(session, BENCH_MRN)
            assert patient is not None and patient.id is not None
            listed = repo.list_procedures(session, patient.id)
            assert len(listed) == BENCH_PROCEDURES, len(listed)
            last = session.scalar(sa.select(sa.func.max(ProcedureRow.id)))
            sample = random.Random(1).sample(range(1, last + 1), min(40, last))
            for procedure_id in [*sample, listed[0].id, listed[-1].id]:
                assert repo.get_procedure(session, procedure_id) is not None
            assert repo.get_patient(session, 1) is not None
            # The newer records validate too: a patient's follow-ups, an image, toxin given elsewhere.
            from facetdesk.storage.follow_ups import follow_ups_for_patient
            from facetdesk.storage.images import images_of

            follow_ups_for_patient(session, patient.id)
            image_owner = session.scalar(sa.select(ProcedureImageRow.procedure_id).limit(1))
            if image_owner is not None:
                uid = session.scalar(sa.select(ProcedureRow.uid).where(ProcedureRow.id == image_owner))
                assert images_of(session, uid)
            toxin_owner = session.scalar(sa.select(PatientToxinElsewhereRow.patient_id).limit(1))
            if toxin_owner is not None:
                assert repo.get_patient(session, toxin_owner).toxin_elsewhere
    finally:
        database.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", type=Path, default=common.BIG_DB)
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--procedures", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--force", action="store_true", help="rebuild even if a complete database is there")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    path = ensure_big_db(args.path, args.patients, args.procedures, args.seed, force=args.force, verbose=True)
    info = big_db_info(path)
    print(f"{path} ({path.stat().st_size / 1024 / 1024:.0f} MiB), ready in {time.perf_counter() - t0:.1f} s")
    for table, count in info["counts"].items():
        print(f"  {table}: {count:,}")
    print(f"  built in {info['seconds']} s")


if __name__ == "__main__":
    main()
