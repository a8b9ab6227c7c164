"""Clinic outcomes from the database: the range's procedures read in pages with their follow-ups, the positive
patients' later RFs, the charts PDF, and the RF and follow-up columns of both exports.

A hand-counted clinic (March 2025); every expected number below is counted from CLINIC by hand.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from facetdesk.domain.audit import AuditAction
from facetdesk.domain.block_response import BlockVerdict
from facetdesk.domain.clinic_outcomes import Share
from facetdesk.domain.enums import Complication, Intent, Technique
from facetdesk.domain.errors import InvalidRecord
from facetdesk.domain.users import NotPermitted
from facetdesk.interop.outcomes import FOLLOW_UP_COLUMNS, RF_COLUMNS
from facetdesk.services import outcomes as outcomes_module
from tests.actors import NURSE
from tests.builders.records import (
    ablation_data,
    follow_up_data,
    judged_block_data,
    patient_data,
    scores,
    toxin_visit_data,
)
from tests.pdf_pages import pages_text

FROM, TO = "2025-03-01", "2025-03-31"
DAYS_PER_MONTH = 30  # checked against the catalog in the relief test


def rf(when: str, **overrides) -> dict:
    return ablation_data(performed_at=when, pre_procedure_pain=8, **overrides)


# Patient key -> [(procedure data, [(visit day, pain NRS, free-text notes)])]. Pain 8 before each RF: NRS 4 or
# less is at least 50% better.
CLINIC = {
    "A": [
        (judged_block_data(1, performed_at="2025-03-03T09:00"), []),  # positive, lumbar
        (rf("2025-04-20T09:00"), []),  # after the range: counts only for A's conversion
    ],
    "B": [
        (judged_block_data(9, performed_at="2025-03-05T09:00"), []),  # negative
        (
            rf("2025-03-10T09:00", complications=["vasovagal"]),
            [("2025-04-09", 2, "Visit note naming Hollowmere"), ("2025-06-08", 3, ""), ("2025-08-07", 7, "")],
        ),  # relief ended: last at or above on 06-08, 90 days after
    ],
    "C": [
        (judged_block_data(None, performed_at="2025-03-07T09:00"), []),  # not evaluated
        (rf("2025-03-12T09:00"), [("2025-05-11", 1, "")]),  # still relieved at 60 days
    ],
    "D": [
        (toxin_visit_data(performed_at="2025-03-15T09:00"), []),
        (
            judged_block_data(
                1, performed_at="2025-03-16T09:00", technique="intra_articular", pain_scores=scores((30, 1))
            ),
            [],
        ),  # fmt: skip  # indeterminate
        (judged_block_data(1, performed_at="2025-04-01T09:00"), []),  # after the range
    ],
    "E": [
        (judged_block_data(1, performed_at="2025-02-20T09:00"), []),  # positive, but before the range
        (rf("2025-03-20T09:00"), []),  # no follow-up
    ],
}


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    monkeypatch.setattr(outcomes_module, "PAGE_SIZE", 2)
    monkeypatch.setattr(outcomes_module, "PATIENT_BATCH", 1)


@pytest.fixture
def clinic(ctx):
    """Patient key -> saved patient; the procedures and follow-ups of CLINIC saved."""
    saved = {}
    for n, (key, records) in enumerate(CLINIC.items(), start=1):
        patient = ctx.records.save_patient(patient_data(n, family_name=f"Hollowmere{key}", mrn=f"OUTC-{n:04d}"))
        saved[key] = patient
        for data, visits in records:
            procedure = ctx.records.save_procedure(patient.id, data)
            for day, nrs, notes in visits:
                ctx.follow_ups.save(follow_up_data(procedure.uid, day, pain_nrs=nrs, notes=notes))
    return saved


def test_the_range_counted_by_hand(ctx, clinic):
    o = ctx.outcomes.clinic_outcomes(FROM, TO)

    assert (o.first, o.last, o.procedures) == (date(2025, 3, 1), date(2025, 3, 31), 8)
    assert {(t, i): n for t, i, n in o.by_type} == {
        (Technique.INTRA_ARTICULAR, Intent.DIAGNOSTIC_FIRST): 1,
        (Technique.MEDIAL_BRANCH_BLOCK, Intent.DIAGNOSTIC_FIRST): 3,
        (Technique.RADIOFREQUENCY_ABLATION, Intent.THERAPEUTIC): 3,
        (Technique.TOXIN_ONLY, Intent.THERAPEUTIC): 1,
    }
    assert dict(o.blocks) == {
        BlockVerdict.POSITIVE: 1,
        BlockVerdict.NEGATIVE: 1,
        BlockVerdict.INDETERMINATE: 1,
        BlockVerdict.NOT_EVALUATED: 1,
    }
    # A's block is in the range and its RF after it: converted, though the RF is in April.
    assert o.conversion == Share(1, 1)
    assert (o.relief.ended, o.relief.ongoing, o.relief.unmeasured) == (1, 1, 1)
    assert o.complicated == Share(1, 8) and o.by_complication == ((Complication.VASOVAGAL, 1),)


def test_relief_after_rf_reads_follow_ups_recorded_after_the_range(ctx, clinic):
    assert ctx.catalog.threshold("time.days_per_month").value == DAYS_PER_MONTH
    relief = ctx.outcomes.clinic_outcomes(FROM, TO).relief
    # C still relieved at 60 days leaves the risk set; B's relief ended at 90 days, the last one at risk: 0.
    assert relief.median_months == pytest.approx(90 / DAYS_PER_MONTH)
    assert relief.curve[-1] == pytest.approx((90 / DAYS_PER_MONTH, 0.0))


def test_another_range_counts_other_procedures(ctx, clinic):
    o = ctx.outcomes.clinic_outcomes("2025-03-10", "2025-03-12")
    assert o.procedures == 2 and o.diagnostic_blocks == 0 and o.conversion == Share(0, 0)
    wider = ctx.outcomes.clinic_outcomes("2025-02-01", "2025-04-30")
    assert wider.procedures == 11
    # E's February block now counts, and E's RF a month after it: converted, as A is; D's positive block of
    # 1 April has no RF after it.
    assert wider.conversion == Share(2, 3)


def test_a_nurse_sees_the_figures_and_no_one_signed_out_does(ctx, clinic):
    ctx.work.sign_in(NURSE)
    assert ctx.outcomes.clinic_outcomes(FROM, TO).procedures == 8
    ctx.work.sign_out()
    with pytest.raises(NotPermitted):
        ctx.outcomes.clinic_outcomes(FROM, TO)


def test_a_bad_range_names_the_field(ctx):
    with pytest.raises(InvalidRecord) as exc:
        ctx.outcomes.clinic_outcomes("2025-03-31", "2025-03-01")
    assert [e.path for e in exc.value.errors] == [("date_to",)]


# ---- the charts PDF ----------------------------------------------------------------------------------------


def test_the_charts_pdf_holds_every_figure_with_its_n_and_no_patient(ctx, clinic, tmp_path):
    result = ctx.outcomes.export_charts_pdf(tmp_path / "charts.pdf", FROM, TO)

    data = result.path.read_bytes()
    assert len(data) < 150_000, "small enough to mail"
    text = " ".join(pages_text(data))
    for expected in (
        "Clinic outcomes",
        "2025-03-01 to 2025-03-31",
        "Procedures by type",
        "n = 8 procedures",
        "Diagnostic blocks by response",
        "Positive: 1 of 3 judged blocks (33.3%)",
        "n = 4 diagnostic blocks (3 judged)",
        "From a positive block to RF",
        "1 of 1 patient with a positive diagnostic block (100%)",
        "Relief of at least 50% after RF",
        "Median 3.0 months",
        "1 more without a measured follow-up",
        "Complications",
        "1 of 8 procedures (12.5%) recorded a complication",
    ):
        assert expected in text, expected
    for patient in clinic.values():
        assert patient.family_name not in text and patient.mrn not in text
    (entry,) = [
        e for e in ctx.audit.search(action=AuditAction.EXPORT) if e.detail.get("format") == "outcomes-charts-pdf"
    ]
    assert entry.detail["sha256"] == result.sha256 and entry.detail["procedures"] == 8


def test_the_charts_pdf_of_an_empty_range_says_not_enough_data(ctx, tmp_path):
    text = " ".join(
        pages_text(ctx.outcomes.export_charts_pdf(tmp_path / "c.pdf", "2030-01-01", "2030-01-31").path.read_bytes())
    )
    assert text.count("Not enough data") == 5 and "n = 0 procedures" in text


def test_an_unwritable_charts_pdf_leaves_nothing_and_is_not_recorded(ctx, clinic, tmp_path):
    before = len(ctx.audit.search(action=AuditAction.EXPORT))
    with pytest.raises(OSError):
        ctx.outcomes.export_charts_pdf(tmp_path / "missing" / "c.pdf", FROM, TO)
    assert len(ctx.audit.search(action=AuditAction.EXPORT)) == before


# ---- the export's RF and follow-up columns -----------------------------------------------------------------


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


@pytest.mark.parametrize("deidentify", [False, True])
def test_both_exports_carry_rf_and_follow_up_columns(ctx, clinic, tmp_path, deidentify):
    result = ctx.outcomes.export_csv(tmp_path / "out.csv", FROM, TO, deidentify=deidentify)

    rows = _rows(result.path)
    assert set(RF_COLUMNS) | set(FOLLOW_UP_COLUMNS) <= set(rows[0])
    rfs = [r for r in rows if r["technique"] == "radiofrequency_ablation"]
    assert len(rfs) == 3 and {r["rf_method"] for r in rfs} == {"conventional"}
    assert {r["rf_temperature_c"] for r in rfs} == {str(ctx.catalog.threshold("lcd.rfa.min_temperature_c").value)}
    by_visits = {r["follow_up_visits"]: r for r in rfs}
    ended, ongoing, none = by_visits["3"], by_visits["1"], by_visits["0"]
    # B: pain 8 before, 7 at the last visit, 150 days after the RF.
    assert (ended["last_follow_up_pain_nrs"], ended["last_follow_up_pain_improvement_pct"]) == ("7", "12.5")
    assert ended["last_follow_up_months"] == "5"
    assert (ended["improvement_lasted_months"], ended["improvement_ended"]) == ("3", "yes")
    assert ended["improvement_sustained"] == "no"
    assert (ongoing["improvement_lasted_months"], ongoing["improvement_ended"]) == ("2", "no")
    assert ongoing["improvement_sustained"] == ""  # not yet 6 months of visits: unknown, an empty cell
    assert none["last_follow_up_months"] == none["improvement_ended"] == ""
    blocks = [r for r in rows if r["technique"] != "radiofrequency_ablation"]
    assert all(r[c] == "" for r in blocks for c in RF_COLUMNS)


def test_the_deidentified_export_holds_no_identity_and_no_follow_up_notes(ctx, clinic, tmp_path):
    text = ctx.outcomes.export_csv(tmp_path / "d.csv", FROM, TO, deidentify=True).path.read_text(encoding="utf-8")
    assert "Hollowmere" not in text and "OUTC-" not in text and ctx.work.actor.display_name not in text
    assert "Visit note" not in text  # a follow-up's notes are free text
    identified = ctx.outcomes.export_csv(tmp_path / "i.csv", FROM, TO).path.read_text(encoding="utf-8")
    assert "Hollowmere" in identified  # the control: the names are there to leak
