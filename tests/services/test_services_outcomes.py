"""Outcomes export: every procedure of a date range in a CSV a registry can read, identified or de-identified.

Expected values are computed here from the stored records (ctx.records), not copied from the export.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import pytest

from facetdesk.domain.audit import AuditAction
from facetdesk.domain.enums import VolumeBasis
from facetdesk.domain.errors import InvalidRecord
from facetdesk.domain.users import NotPermitted
from facetdesk.interop.outcomes import DEIDENTIFIED_COLUMNS, IDENTIFIED_COLUMNS
from facetdesk.services import outcomes as outcomes_module
from tests import signers
from tests.builders.records import patient_data, scored_block_data

FROM, TO = "2025-03-10", "2025-03-20"
FIRST, LAST = date(2025, 3, 10), date(2025, 3, 20)

# (patient n, date of birth, procedure times). Both ends of the range are inside; a minute outside is not.
CLINIC = {
    1: ("1970-06-15", ["2025-03-09T23:59", "2025-03-10T00:00", "2025-03-14T08:00"]),
    2: ("1981-02-03", ["2025-03-12T10:00", "2025-03-20T23:59", "2025-03-21T00:00"]),
    3: ("1930-01-01", ["2025-03-15T09:00", "2025-03-18T09:30"]),  # 95 years old
    4: ("1935-03-12", ["2025-03-11T14:00"]),  # 89 (90 the next day)
    5: ("1990-07-30", ["2025-02-01T10:00"]),  # nothing in range
}
# Free text that may identify a patient: none of it may reach a de-identified file.
FREE_TEXT = ("findings", "notes", "follow_up", "complication_details")


def _procedure(n: int, k: int, when: str) -> dict:
    """A different procedure for each (patient, number): levels, drugs, scores and free text vary."""
    marker = f"{n}x{k}"
    if k % 3 == 0:
        extra = {
            "technique": "intra_articular",
            "intent": "therapeutic",
            "targets": [{"level": "L3-L4", "side": "right"}, {"level": "L4-L5", "side": "left"}],
            "medications": [
                {
                    "agent": "triamcinolone_acetonide",
                    "concentration_mg_per_ml": 40.0,
                    "volume_ml": 0.5,
                    "volume_basis": "per_joint",
                },
                {"agent": "bupivacaine", "concentration_mg_per_ml": 2.5, "volume_ml": 1.0, "volume_basis": "per_joint"},
                {"agent": "lidocaine", "concentration_mg_per_ml": 10.0, "volume_ml": 2.0, "site": "skin"},
            ],
            "pain_scores": [{"minutes_after": 15, "nrs": 1}, {"minutes_after": 60, "nrs": 1}],
        }
    elif k % 3 == 1:
        extra = {
            "targets": [{"level": "C5-C6", "side": "left"}, {"level": "C5-C6", "side": "right"}],
            "medications": [
                {"agent": "bupivacaine", "concentration_mg_per_ml": 5.0, "volume_ml": 0.3, "volume_basis": "per_nerve"},
                {"agent": "dexamethasone_sodium_phosphate", "concentration_mg_per_ml": 4.0, "volume_ml": 1.0},
            ],
            "botulinum_toxin": {
                "product": "onabotulinumtoxinA",
                "vial_units": 100.0,
                "diluent_ml": 2.0,
                "sites": [
                    {"muscle": "trapezius_upper", "level": "C6", "side": "left", "units": 15.0},
                    {"muscle": "trapezius_upper", "level": "C6", "side": "right", "units": 15.0},
                    {"muscle": "splenius_capitis", "level": "C5", "side": "left", "units": 7.5},
                ],
            },
            "pain_scores": [
                {"minutes_after": 15, "nrs": 5},
                {"minutes_after": 30, "nrs": 2},
                {"minutes_after": 120, "nrs": 5},
            ],
        }
    else:
        extra = {"pain_scores": [{"minutes_after": 30, "nrs": 3}], "pre_procedure_pain": 4 + n % 4}
    data = scored_block_data(
        when,
        physician=f"Dr. Physician{n}",
        indication={"baseline_pain": 6 + n % 3, "pain_duration_months": 10 * n},  # pain duration: the patient's key
        diagnoses=["M47.816"] if k % 3 != 1 else ["M47.812"],
        complications=["other"],
        complication_details=f"dizzy-{marker}",
        findings=f"Findings {marker}: spoke with Quillon{n}",
        notes=f'=HYPERLINK("http://x/{marker}") note-{marker}',
        follow_up=f"follow-{marker} call 555-01{n}{k}",
        **extra,
    )
    return data


@pytest.fixture
def out(tmp_path) -> Path:
    """An empty folder for the exports (tmp_path also holds the SQLite database)."""
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    # Pages and batches of two: every export crosses several of each.
    monkeypatch.setattr(outcomes_module, "PAGE_SIZE", 2)
    monkeypatch.setattr(outcomes_module, "PATIENT_BATCH", 2)


@pytest.fixture
def clinic(ctx):
    """patient id -> (Patient, [Procedure as stored]); one procedure signed, with an addendum."""
    stored = {}
    for n, (born, times) in CLINIC.items():
        patient = ctx.records.save_patient(
            patient_data(
                n, mrn=f"OUT-{n:04d}", family_name=f"Quillon{n}", given_name=f"Zebadiah{n}", date_of_birth=born
            )
        )
        for k, when in enumerate(times):
            ctx.records.save_procedure(patient.id, _procedure(n, k, when))
        stored[patient.id] = patient
    target = ctx.records.procedures_of(next(p.id for p in stored.values() if p.mrn == "OUT-0003"))[0]
    signers.sign(ctx, target.id, target.version)
    signers.add_addendum(ctx, target.id, "Addendum: Quillon3 phoned, addendum-secret")
    return {pid: (patient, ctx.records.procedures_of(pid)) for pid, patient in stored.items()}


def _in_range(clinic):
    return {
        procedure.uid: (patient, procedure)
        for patient, procedures in clinic.values()
        for procedure in procedures
        if FIRST <= procedure.performed_at.date() <= LAST
    }


def _read(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def _exports(ctx) -> list:
    return [e for e in ctx.audit.search(action=AuditAction.EXPORT) if e.entity == "procedures"]


# ---- independent computations from the stored record ---------------------------------------------------


def _doses(procedure, catalog, drug_class: str) -> dict[str, float]:
    totals: dict[str, float] = {}
    for med in procedure.medications:
        if catalog.agent(med.agent).drug_class != drug_class:
            continue
        times = {VolumeBasis.PER_JOINT: len(procedure.targets), VolumeBasis.PER_NERVE: len(procedure.nerves())}
        mg = med.concentration_mg_per_ml * med.volume_ml * times.get(med.volume_basis, 1)
        totals[med.agent] = totals.get(med.agent, 0.0) + mg
    return totals


def _parallel(names: str, numbers: str) -> dict[str, float]:
    if not names:
        assert not numbers
        return {}
    return dict(zip(names.split(";"), (float(x) for x in numbers.split(";")), strict=True))


def _relief(procedure, threshold: float):
    """(peak %, peak minute, first minute >= threshold, last of the run, first below after)."""
    pre = procedure.pre_procedure_pain
    points = [(s.minutes_after, (pre - s.nrs) / pre * 100) for s in procedure.pain_scores]
    peak = max(points, key=lambda p: (p[1], -p[0]))
    at_or_above = [m for m, pct in points if pct >= threshold]
    if not at_or_above:
        return peak, (None, None, None)
    start = at_or_above[0]
    run_end, below = start, None
    for m, pct in points:
        if m <= start:
            continue
        if pct >= threshold:
            run_end = m
        else:
            below = m
            break
    return peak, (start, run_end, below)


def _number(text: str) -> int | None:
    return None if text == "" else int(text)


def _check_clinical(row: dict[str, str], patient, procedure, catalog) -> None:
    levels = sorted({t.level for t in procedure.targets}, key=catalog.joint_index)
    assert row["levels"] == ";".join(levels)
    sides = []
    for level in levels:
        at = {t.side.value for t in procedure.targets if t.level == level}
        sides.append("bilateral" if at == {"left", "right"} else at.pop())
    assert row["sides"] == ";".join(sides)
    assert int(row["target_count"]) == len(procedure.targets)
    assert row["region"] == ";".join(sorted({catalog.joint(lv).region for lv in levels}))
    assert row["technique"] == procedure.technique.value and row["intent"] == procedure.intent.value
    for names, mg, kind in (
        ("local_anaesthetics", "local_anaesthetic_mg", "local_anesthetic"),
        ("corticosteroids", "corticosteroid_mg", "corticosteroid"),
    ):
        got = _parallel(row[names], row[mg])
        assert got == pytest.approx(_doses(procedure, catalog, kind)), (names, row[names], row[mg])
    botox = procedure.botulinum_toxin
    if botox is None:
        assert row["botox_units"] == row["botox_muscles"] == row["botox_product"] == ""
    else:
        assert float(row["botox_units"]) == pytest.approx(sum(s.units for s in botox.sites))
        assert set(row["botox_muscles"].split(";")) == {s.muscle for s in botox.sites}
    assert _number(row["baseline_pain"]) == procedure.indication.baseline_pain
    assert _number(row["pre_procedure_pain"]) == procedure.pre_procedure_pain
    scores = dict(pair.split(":") for pair in row["post_pain"].split(";"))
    assert {int(m): int(v) for m, v in scores.items()} == {s.minutes_after: s.nrs for s in procedure.pain_scores}
    threshold = catalog.threshold("relief.meaningful_pct").value
    (peak_at, peak_pct), (start, run_end, below) = _relief(procedure, threshold)
    assert float(row["peak_relief_pct"]) == pytest.approx(peak_pct, abs=0.05)
    assert int(row["peak_relief_min"]) == peak_at
    assert float(row["relief_meaningful_threshold_pct"]) == threshold
    assert _number(row["relief_meaningful_from_min"]) == start
    # How long relief lasted, counted from when it began (the one definition of a relief duration).
    assert _number(row["relief_meaningful_lasted_min"]) == (None if start is None else run_end - start)
    assert _number(row["relief_meaningful_below_at_min"]) == below
    assert row["diagnoses"] == ";".join(procedure.diagnoses)
    assert row["complications"] == ";".join(c.value for c in procedure.complications)
    assert row["signed"] == ("yes" if procedure.signature else "no")
    assert int(row["addenda_count"]) == len(procedure.addenda)
    assert row["cpt_codes"], "a fluoroscopy-guided facet procedure has a suggested code"


# ---- identified --------------------------------------------------------------------------------------------


def test_identified_export_has_every_procedure_in_range_and_none_outside(ctx, clinic, out):
    result = ctx.outcomes.export_csv(out / "outcomes.csv", FROM, TO)

    rows = _read(result.path)
    expected = _in_range(clinic)
    assert result.rows == len(rows) == len(expected) == 7
    assert list(rows[0]) == list(IDENTIFIED_COLUMNS)
    assert {r["procedure_uid"] for r in rows} == set(expected)
    times = [r["performed_at"] for r in rows]
    assert times == sorted(times)  # date order
    assert times[0] == "2025-03-10T00:00" and times[-1] == "2025-03-20T23:59"  # both ends included
    for row in rows:
        patient, procedure = expected[row["procedure_uid"]]
        assert (row["mrn"], row["family_name"], row["given_name"]) == (
            patient.mrn,
            patient.family_name,
            patient.given_name,
        )
        assert row["date_of_birth"] == patient.date_of_birth.isoformat()
        assert row["physician"] == procedure.physician
        assert row["performed_at"] == procedure.performed_at.isoformat(timespec="minutes")
        assert int(row["age_years"]) == patient.age_on(procedure.performed_at.date())
        assert row["findings"] == procedure.findings and row["follow_up"] == procedure.follow_up
        assert row["notes"] == "'" + procedure.notes  # a formula in a spreadsheet: neutralised
        _check_clinical(row, patient, procedure, ctx.catalog)
    signed = [r for r in rows if r["signed"] == "yes"]
    assert len(signed) == 1 and signed[0]["signed_by"] == ctx.work.actor.display_name
    assert "addendum-secret" in signed[0]["addenda"]


def test_date_objects_and_an_open_ended_range_are_accepted(ctx, clinic, out):
    result = ctx.outcomes.export_csv(out / "all.csv", date(2025, 1, 1), date.max)
    assert result.rows == sum(len(procedures) for _, procedures in clinic.values())


def test_an_empty_range_writes_the_header_only(ctx, clinic, out):
    result = ctx.outcomes.export_csv(out / "none.csv", "2030-01-01", "2030-01-01")
    assert result.rows == 0
    assert result.path.read_text(encoding="utf-8").strip() == ",".join(IDENTIFIED_COLUMNS)


# ---- de-identified ---------------------------------------------------------------------------------------


def test_deidentified_export_holds_no_identifier_and_keeps_each_patients_intervals(ctx, clinic, out):
    result = ctx.outcomes.export_csv(out / "deid.csv", FROM, TO, deidentify=True)

    text = result.path.read_text(encoding="utf-8")
    rows = _read(result.path)
    expected = _in_range(clinic)
    assert result.rows == len(rows) == len(expected)
    assert list(rows[0]) == list(DEIDENTIFIED_COLUMNS)

    secrets_ = {ctx.work.actor.display_name}
    for patient, procedures in clinic.values():
        secrets_ |= {patient.mrn, patient.family_name, patient.given_name, patient.date_of_birth.isoformat()}
        for procedure in procedures:
            secrets_ |= {procedure.uid, procedure.physician, *(getattr(procedure, f) for f in FREE_TEXT)}
            secrets_ |= {a.text for a in procedure.addenda}
            secrets_ |= {f"{name}-" for name in ("dizzy", "note", "follow")}
    secrets_ |= {"Quillon", "Zebadiah", "OUT-", "addendum-secret", "HYPERLINK", "555-01"}
    leaked = sorted(s for s in secrets_ if s and s in text)
    assert not leaked, leaked

    # The pseudonym -> patient key of this test: pain duration is 10 x the patient's number.
    by_patient: dict[int, list[dict[str, str]]] = {}
    for row in rows:
        by_patient.setdefault(int(row["pain_duration_months"]) // 10, []).append(row)
    stored_by_n = {int(p.mrn[-4:]): (p, procs) for p, procs in clinic.values()}
    offsets = {}
    for n, patient_rows in by_patient.items():
        patient, procedures = stored_by_n[n]
        in_range = sorted(
            (p for p in procedures if FIRST <= p.performed_at.date() <= LAST), key=lambda p: p.performed_at
        )
        real = [p.performed_at for p in in_range]
        shifted = [datetime.fromisoformat(r["performed_at"]) for r in patient_rows]
        assert shifted == sorted(shifted)  # a patient's procedures together, oldest first
        assert {r["patient"] for r in patient_rows} == {patient_rows[0]["patient"]}
        assert [r["procedure"] for r in patient_rows] == [
            f"{patient_rows[0]['patient']}-{k}" for k in range(1, len(real) + 1)
        ]
        shifts = {s - r for s, r in zip(shifted, real, strict=True)}
        assert len(shifts) == 1  # one offset per patient: intervals kept
        shift = shifts.pop()
        assert shift.seconds == 0 and 1 <= abs(shift.days) <= 182
        offsets[n] = shift.days
        for row, procedure in zip(patient_rows, in_range, strict=True):
            if procedure.signature is not None:
                signed = datetime.fromisoformat(row["signed_at"])
                assert signed - procedure.signature.signed_at.replace(second=0) == shift
        ages = {r["age_years"] for r in patient_rows}
        if n == 3:
            assert ages == {"90+"}
        elif n == 4:
            assert ages == {"89"}
        else:
            assert all(int(a) < 90 for a in ages)
    assert sorted(by_patient) == [1, 2, 3, 4]
    assert len({r["patient"] for r in rows}) == 4
    assert sorted(r["patient"] for r in rows if r["procedure"].endswith("-1")) == [f"P{i:06d}" for i in range(1, 5)]
    assert len(set(offsets.values())) > 1  # drawn for each patient (4 equal draws: about 1 in 48 million)


def test_each_export_draws_new_offsets(ctx, clinic, out):
    runs = []
    for i in range(3):
        rows = _read(ctx.outcomes.export_csv(out / f"d{i}.csv", FROM, TO, deidentify=True).path)
        runs.append(sorted((r["pain_duration_months"], r["performed_at"]) for r in rows))
    assert len({tuple(run) for run in runs}) > 1


# ---- refusals ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date_from", "date_to", "field"),
    [
        ("2025-03-20", "2025-03-10", "date_to"),
        ("2025-02-30", "2025-03-10", "date_from"),
        ("yesterday", "2025-03-10", "date_from"),
        ("2025-03-01", "20250310", "date_to"),
        ("2025-03-01", "", "date_to"),
        (datetime(2025, 3, 1, 8, 0), "2025-03-10", "date_from"),
        (None, "2025-03-10", "date_from"),
    ],
)
def test_a_bad_range_names_the_field_and_writes_nothing(ctx, clinic, out, date_from, date_to, field):
    before = len(_exports(ctx))
    with pytest.raises(InvalidRecord) as exc:
        ctx.outcomes.export_csv(out / "x.csv", date_from, date_to)
    assert [e.path for e in exc.value.errors] == [(field,)]
    assert ("From date" if field == "date_from" else "To date") in str(exc.value)
    assert list(out.iterdir()) == []
    assert len(_exports(ctx)) == before


def test_both_bad_dates_are_named_at_once(ctx, out):
    with pytest.raises(InvalidRecord) as exc:
        ctx.outcomes.export_csv(out / "x.csv", "2025-13-01", "soon")
    assert [e.path for e in exc.value.errors] == [("date_from",), ("date_to",)]


@pytest.mark.parametrize("where", ["missing-folder/x.csv", "a-folder"])
def test_an_unwritable_file_leaves_nothing_and_is_not_recorded(ctx, clinic, out, where):
    (out / "a-folder").mkdir()
    before = len(_exports(ctx))
    with pytest.raises(OSError):
        ctx.outcomes.export_csv(out / where, FROM, TO)
    assert [p.name for p in out.iterdir()] == ["a-folder"]
    assert list((out / "a-folder").iterdir()) == []
    assert len(_exports(ctx)) == before


def test_a_failure_midway_leaves_no_file_and_no_audit_entry(ctx, clinic, out, monkeypatch):
    calls = []
    real = outcomes_module.outcome_row

    def fail_on_the_fourth(*args):
        calls.append(1)
        if len(calls) == 4:
            raise RuntimeError("synthetic failure while reading")
        return real(*args)

    monkeypatch.setattr(outcomes_module, "outcome_row", fail_on_the_fourth)
    before = len(_exports(ctx))
    with pytest.raises(RuntimeError):
        ctx.outcomes.export_csv(out / "x.csv", FROM, TO)
    assert list(out.iterdir()) == []
    assert len(_exports(ctx)) == before


def test_the_export_is_audited_once_without_patient_data(ctx, clinic, out):
    before = len(_exports(ctx))
    result = ctx.outcomes.export_csv(out / "deid.csv", FROM, TO, deidentify=True)

    entries = _exports(ctx)
    assert len(entries) == before + 1
    entry = entries[0]  # newest first
    assert entry.action == AuditAction.EXPORT and entry.entity_id is None
    assert entry.detail == {
        "format": "outcomes-csv",
        "deidentified": True,
        "rows": result.rows,
        "from": FROM,
        "to": TO,
        "sha256": result.sha256,
    }
    assert ctx.audit.verify().ok


def test_refused_without_the_export_permission(ctx, clinic, out):
    ctx.work.sign_out()
    with pytest.raises(NotPermitted):
        ctx.outcomes.export_csv(out / "x.csv", FROM, TO)
    assert list(out.iterdir()) == []


def test_refused_for_a_role_without_it(ctx, clinic, out, monkeypatch):
    from facetdesk.domain.users import Permission

    actor = ctx.work.actor
    monkeypatch.setattr(type(actor), "may", lambda self, permission: permission != Permission.EXPORT)
    with pytest.raises(NotPermitted):
        ctx.outcomes.export_csv(out / "x.csv", FROM, TO, deidentify=True)
    assert list(out.iterdir()) == []


def test_deidentify_must_be_yes_or_no(ctx, out):
    with pytest.raises(InvalidRecord) as exc:
        ctx.outcomes.export_csv(out / "x.csv", FROM, TO, deidentify="yes")
    assert [e.path for e in exc.value.errors] == [("deidentify",)]


def test_times_between_pages_do_not_skip_or_repeat(ctx, clinic, out):
    # Three procedures at one minute (ties broken by id) across pages of two.
    patient = next(iter(clinic.values()))[0]
    for _ in range(3):
        ctx.records.save_procedure(patient.id, _procedure(1, 2, "2025-03-13T07:00"))
    rows = _read(ctx.outcomes.export_csv(out / "ties.csv", FROM, TO).path)
    uids = [r["procedure_uid"] for r in rows]
    assert len(uids) == len(set(uids)) == len(_in_range(clinic)) + 3
    assert [r["performed_at"] for r in rows].count("2025-03-13T07:00") == 3


def test_shifts_keep_the_time_of_day(ctx, clinic, out):
    rows = _read(ctx.outcomes.export_csv(out / "d.csv", FROM, TO, deidentify=True).path)
    real = sorted(procedure.performed_at.time() for _, procedure in _in_range(clinic).values())
    assert sorted(datetime.fromisoformat(r["performed_at"]).time() for r in rows) == real
