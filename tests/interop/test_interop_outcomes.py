"""Outcomes rows and CSV cells: the columns of one procedure, de-identification, formula-safe atomic CSV files."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date, datetime, timedelta

import pytest

from facetdesk.domain.catalog import get_catalog
from facetdesk.domain.follow_up import FollowUp
from facetdesk.domain.procedure import Addendum, Signature
from facetdesk.domain.radiofrequency import Lesioning
from facetdesk.interop.outcomes import (
    CLINICAL_COLUMNS,
    DEIDENTIFIED_COLUMNS,
    FOLLOW_UP_COLUMNS,
    FREE_TEXT_COLUMNS,
    IDENTIFIED_COLUMNS,
    IDENTITY_COLUMNS,
    MAX_SHIFT_DAYS,
    RF_COLUMNS,
    deidentify,
    draw_shift_days,
    outcome_row,
    pseudonym,
)
from facetdesk.interop.outcomes_csv import csv_cell, write_outcomes_csv
from tests.builders.records import ablation_data, follow_up_data, procedure, rich_patient, rich_procedure

CATALOG = get_catalog()


@pytest.fixture
def row():
    procedure = rich_procedure(
        signature=Signature(signed_by="Dr. Synthetic Example", signed_at=datetime(2024, 3, 5, 11, 0)),
        addenda=[
            Addendum(
                author="Dr. Synthetic Example",
                written_at=datetime(2024, 3, 6, 8, 0),
                text="Synthetic addendum.",
                signed_by="Dr. Synthetic Example",
                signed_at=datetime(2024, 3, 6, 8, 0),
            )
        ],
    )
    return outcome_row(rich_patient(3), procedure, CATALOG)


def test_the_identified_row_holds_every_column_in_order(row):
    assert list(row) == list(IDENTIFIED_COLUMNS)
    assert IDENTIFIED_COLUMNS == IDENTITY_COLUMNS + CLINICAL_COLUMNS + FREE_TEXT_COLUMNS
    assert len(set(IDENTIFIED_COLUMNS)) == len(IDENTIFIED_COLUMNS)


def test_a_bilateral_two_level_block_reads_as_a_registry_wants_it(row):
    # rich_procedure: L4-L5 and L5-S1 both sides; bupivacaine 5 mg/mL 0.5 mL per nerve, lidocaine 10 mg/mL 3 mL.
    assert row["levels"] == ("L4-L5", "L5-S1")
    assert row["sides"] == ("bilateral", "bilateral")
    assert row["target_count"] == 4
    assert row["region"] == ("lumbar",)
    nerves = 6  # L3 MB, L4 MB, L5 dorsal ramus on each side
    assert row["local_anaesthetics"] == ("bupivacaine", "lidocaine")
    assert row["local_anaesthetic_mg"] == (5.0 * 0.5 * nerves, 30.0)
    assert row["corticosteroids"] == () and row["corticosteroid_mg"] == ()
    assert row["botox_units"] == 52.5 and row["botox_muscles"] == ("multifidus_lumbar",)
    assert row["post_pain"] == ("0:7", "15:3", "30:2", "60:2", "240:4")
    # pre-injection 7, best 2 at 30 min: (7-2)/7 = 71.4%; >=50% from 15 to 60 min, below at 240.
    assert row["peak_relief_pct"] == 71.4 and row["peak_relief_min"] == 30
    # lasted_min is counted from when relief began (15 min).
    assert (row["relief_meaningful_from_min"], row["relief_meaningful_lasted_min"]) == (15, 45)
    assert row["relief_meaningful_below_at_min"] == 240
    assert row["relief_positive_block_from_min"] is None
    assert row["signed"] is True and row["addenda_count"] == 1
    assert row["addenda"] == "Synthetic addendum."


def test_deidentified_row_keeps_only_the_allow_list_and_shifts_dates(row):
    out = deidentify(row, pseudonym="P000007", procedure_ref="P000007-1", shift_days=-40)

    assert list(out) == list(DEIDENTIFIED_COLUMNS)
    assert not set(out) & (set(IDENTITY_COLUMNS) | set(FREE_TEXT_COLUMNS))
    assert out["patient"] == "P000007" and out["procedure"] == "P000007-1"
    assert out["performed_at"] == row["performed_at"] - timedelta(days=40)
    assert out["signed_at"] == row["signed_at"] - timedelta(days=40)
    for column in set(CLINICAL_COLUMNS) - {"performed_at", "signed_at"}:
        assert out[column] == row[column], column


@pytest.mark.parametrize(("age", "shown"), [(0, 0), (45, 45), (89, 89), (90, "90+"), (104, "90+"), (None, None)])
def test_ages_above_89_are_one_category(row, age, shown):
    assert deidentify({**row, "age_years": age}, pseudonym="P1", procedure_ref="P1-1", shift_days=3)["age_years"] == (
        shown
    )


def test_age_is_counted_on_the_day_of_the_procedure():
    procedure = rich_procedure(performed_at=datetime(2025, 3, 15, 9, 0))
    assert outcome_row(rich_patient(date_of_birth=date(1935, 3, 16)), procedure, CATALOG)["age_years"] == 89
    assert outcome_row(rich_patient(date_of_birth=date(1935, 3, 15)), procedure, CATALOG)["age_years"] == 90


@pytest.mark.parametrize("shift", [0, 1.5, True, "3", None])
def test_deidentify_refuses_a_zero_or_odd_shift(row, shift):
    with pytest.raises(ValueError):
        deidentify(row, pseudonym="P1", procedure_ref="P1-1", shift_days=shift)


def test_a_date_that_cannot_be_shifted_is_withheld(row):
    early = {**row, "performed_at": datetime(1, 1, 2, 9, 0)}
    assert deidentify(early, pseudonym="P1", procedure_ref="P1-1", shift_days=-5)["performed_at"] is None


def test_shifts_are_whole_days_never_zero_both_ways_within_the_bound():
    drawn = [draw_shift_days() for _ in range(4000)]
    assert all(isinstance(d, int) and d != 0 and -MAX_SHIFT_DAYS <= d <= MAX_SHIFT_DAYS for d in drawn)
    assert min(drawn) < -MAX_SHIFT_DAYS // 2 and max(drawn) > MAX_SHIFT_DAYS // 2
    assert len(set(drawn)) > 200  # spread over the range, not a few values


def test_pseudonyms_are_numbered():
    assert pseudonym(1) == "P000001" and pseudonym(123) == "P000123" and pseudonym(1234567) == "P1234567"


# ---- cells ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "yes"),
        (False, "no"),
        (7, "7"),
        (7.5, "7.5"),
        (30.0, "30"),
        (1234567.0, "1234567"),
        (0.00004, "0"),
        (-20.5, "-20.5"),  # a number, not a formula
        (-0.0, "0"),
        (datetime(2025, 4, 2, 10, 15), "2025-04-02T10:15"),
        (date(1970, 6, 15), "1970-06-15"),
        (("L4-L5", "L5-S1"), "L4-L5;L5-S1"),
        ((7.5, 15.0), "7.5;15"),
        ((), ""),
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1 555", "'+1 555"),
        ("-2 weeks", "'-2 weeks"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("a=b", "a=b"),
        (("=x", "y"), "'=x;y"),
    ],
)
def test_cells(value, text):
    assert csv_cell(value) == text


# ---- files ----------------------------------------------------------------------------------------


def _rows(n: int):
    for i in range(n):
        yield {"a": i, "b": f"text {i}", "c": ("x", "y")}


def test_the_file_reads_back_with_its_header(tmp_path):
    target, count, sha256 = write_outcomes_csv(tmp_path / "out.csv", ["a", "b", "c"], _rows(3))

    assert count == 3 and len(sha256) == 64
    text = target.read_bytes().decode("utf-8")
    assert list(csv.DictReader(io.StringIO(text))) == [{"a": str(i), "b": f"text {i}", "c": "x;y"} for i in range(3)]
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def _failing(after: int):
    yield from _rows(after)
    raise RuntimeError("a record could not be read")


def test_a_failure_midway_leaves_neither_a_file_nor_a_temporary_one(tmp_path):
    with pytest.raises(RuntimeError):
        write_outcomes_csv(tmp_path / "out.csv", ["a", "b", "c"], _failing(2))
    assert list(tmp_path.iterdir()) == []


def test_a_failure_keeps_the_previous_file_as_it_was(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("previous export\n", encoding="utf-8")

    def refuse(count, sha256):
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        write_outcomes_csv(target, ["a", "b", "c"], _rows(2), before_rename=refuse)
    assert target.read_text(encoding="utf-8") == "previous export\n"
    assert list(tmp_path.iterdir()) == [target]


def test_before_rename_sees_the_count_and_hash_of_the_finished_file(tmp_path):
    seen = []
    target, count, sha256 = write_outcomes_csv(
        tmp_path / "out.csv", ["a", "b", "c"], _rows(4), before_rename=lambda n, h: seen.append((n, h))
    )
    assert seen == [(4, hashlib.sha256(target.read_bytes()).hexdigest())] == [(count, sha256)]


@pytest.mark.parametrize("name", ["a\x00b.csv", "\ud800.csv", "", "missing/out.csv", "x" * 300 + ".csv"])
def test_an_impossible_file_name_is_an_os_error_and_leaves_nothing(tmp_path, name):
    with pytest.raises(OSError):
        write_outcomes_csv(tmp_path / name if name else "", ["a"], iter(()))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("path", [None, 12, ["x.csv"]])
def test_a_path_that_is_not_a_path_is_an_os_error(path):
    with pytest.raises(OSError):
        write_outcomes_csv(path, ["a"], iter(()))


# ---- radiofrequency and follow-up columns -------------------------------------------------------------


def _rf(**overrides):
    lesioning = {"method": "cooled", "cannula_gauge": 17, "active_tip_mm": 4.0, "sensory_threshold_v": 0.5,
                 "motor_test": "no_radicular_response", "temperature_c": 60, "seconds_per_lesion": 150,
                 "lesions_per_nerve": 1}  # fmt: skip
    return procedure(**ablation_data(pre_procedure_pain=8, radiofrequency=lesioning, **overrides))


def _visit(proc, days: int, **fields) -> FollowUp:
    seen = proc.performed_at.date() + timedelta(days=days)
    return FollowUp.model_validate(follow_up_data(proc.uid, seen, **fields))


def test_rf_columns_name_every_lesioning_field_and_hold_an_ablations_values():
    assert RF_COLUMNS == tuple(f"rf_{name}" for name in Lesioning.model_fields)  # a new field needs a decision
    row = outcome_row(rich_patient(), _rf(), CATALOG)
    assert {c: row[c] for c in RF_COLUMNS} == {
        "rf_method": "cooled", "rf_cannula_gauge": 17, "rf_active_tip_mm": 4.0, "rf_sensory_threshold_v": 0.5,
        "rf_motor_test": "no_radicular_response", "rf_temperature_c": 60, "rf_seconds_per_lesion": 150,
        "rf_lesions_per_nerve": 1,
    }  # fmt: skip
    block = outcome_row(rich_patient(), rich_procedure(), CATALOG)
    assert all(block[c] is None for c in RF_COLUMNS)


def test_follow_up_columns_of_an_rf_whose_relief_ended():
    rf = _rf()
    days_per_month = CATALOG.threshold("time.days_per_month").value
    # Pain 8 before: NRS 2 is 75% better, 3 is 62.5%, 6 is 25% (below the RF's 50%).
    visits = [
        _visit(rf, 200, pain_nrs=6, adl_improvement_pct=10, global_impression="minimally_improved", notes="Secret"),
        _visit(rf, 30, pain_nrs=2),
        _visit(rf, 120, pain_nrs=3, adl_improvement_pct=55),
    ]
    row = outcome_row(rich_patient(), rf, CATALOG, visits)
    assert row["follow_up_visits"] == 3
    assert row["last_follow_up_months"] == round(200 / days_per_month, 1)
    assert (row["last_follow_up_pain_nrs"], row["last_follow_up_pain_improvement_pct"]) == (6, 25.0)
    assert row["last_follow_up_adl_improvement_pct"] == 10
    assert row["last_follow_up_impression"] == "minimally_improved"
    assert row["improvement_threshold_pct"] == CATALOG.threshold("lcd.rfa.repeat_min_improvement_pct").value
    assert row["improvement_for_months"] == CATALOG.threshold("lcd.rfa.repeat_min_duration_months").value
    assert row["improvement_sustained"] is False  # below 50% at 200 days, the first visit at 6 months or later
    assert (row["improvement_lasted_months"], row["improvement_ended"]) == (round(120 / days_per_month, 1), True)
    assert "Secret" not in repr(row)


def test_follow_up_columns_without_visits_are_empty_but_the_count_and_thresholds():
    row = outcome_row(rich_patient(), rich_procedure(), CATALOG)
    assert row["follow_up_visits"] == 0
    for column in FOLLOW_UP_COLUMNS:
        if column not in ("follow_up_visits", "improvement_threshold_pct", "improvement_for_months"):
            assert row[column] is None, column
    # Not an ablation: the LCD's repeat rule for other procedures asks its own improvement and months.
    assert row["improvement_for_months"] == CATALOG.threshold("lcd.repeat_therapeutic.min_duration_months").value


def test_a_still_relieved_rf_is_sustained_unknown_before_the_months_and_not_ended():
    rf = _rf()
    row = outcome_row(rich_patient(), rf, CATALOG, [_visit(rf, 30, pain_nrs=2), _visit(rf, 60, pain_nrs=1)])
    assert row["improvement_sustained"] is None and row["improvement_ended"] is False
    assert csv_cell(row["improvement_sustained"]) == "" and csv_cell(row["improvement_ended"]) == "no"


def test_the_deidentified_row_keeps_rf_and_follow_up_columns_as_they_are():
    rf = _rf()
    row = outcome_row(rich_patient(), rf, CATALOG, [_visit(rf, 30, pain_nrs=2, notes="Called Testperson")])
    out = deidentify(row, pseudonym="P000001", procedure_ref="P000001-1", shift_days=12)
    assert set(RF_COLUMNS) | set(FOLLOW_UP_COLUMNS) <= set(out)
    for column in RF_COLUMNS + FOLLOW_UP_COLUMNS:
        assert out[column] == row[column], column
