"""Clinic outcomes counted from hand-countable procedures: types, block responses, conversion to RF, how long
relief lasted after RF (censored cases included), complications; and the figures that say them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from fractions import Fraction

import pytest

from facetdesk.domain.block_response import BlockVerdict
from facetdesk.domain.catalog import get_catalog
from facetdesk.domain.clinic_outcomes import OutcomesTally, Share, kaplan_meier
from facetdesk.domain.enums import Complication, Intent, Technique
from facetdesk.domain.follow_up import FollowUp
from facetdesk.domain.outcome_figures import FIGURE_KEYS, NOT_ENOUGH, axis_ticks, outcome_figures, type_label
from facetdesk.domain.procedure import Procedure
from tests.builders.records import (
    ablation_data,
    follow_up_data,
    judged_block_data,
    left,
    scores,
    toxin_visit_data,
)

CATALOG = get_catalog()
DAY0 = date(2024, 1, 10)
FIRST, LAST = DAY0, DAY0 + timedelta(days=60)
DAYS_PER_MONTH = CATALOG.threshold("time.days_per_month").value


def at(days: int) -> datetime:
    return datetime.combine(DAY0, time(9, 0)) + timedelta(days=days)


def proc(data: dict) -> Procedure:
    return Procedure.model_validate(data)


def rf(days: int, **overrides) -> Procedure:
    """An RF at left L4-L5 ``days`` after DAY0, pain 10 before it (so a follow-up's NRS n is (10 - n) * 10% better)."""
    return proc(ablation_data(performed_at=at(days), pre_procedure_pain=10, **overrides))


def visits(procedure: Procedure, *days_and_nrs: tuple[int, int]) -> list[FollowUp]:
    """Follow-ups ``days`` after the procedure's day with pain ``nrs``."""
    day = procedure.performed_at.date()
    return [
        FollowUp.model_validate(follow_up_data(procedure.uid, day + timedelta(days=d), pain_nrs=nrs))
        for d, nrs in days_and_nrs
    ]


# The hand-counted clinic: (patient, procedure, its follow-ups). Relief threshold 50% (lcd.rfa.repeat_*): NRS 5 or
# less after pain 10 is at or above it.
P1_RF = rf(30)
P2_RF = rf(40)
P3_RF = rf(50, complications=["vasovagal"])
CLINIC = [
    (1, proc(judged_block_data(1, performed_at=at(0))), []),  # positive, lumbar
    (1, P1_RF, visits(P1_RF, (30, 2), (90, 3), (180, 8))),  # relief ended: last at or above at 90 days
    (2, proc(judged_block_data(1, performed_at=at(5), targets=left("C5-C6"))), []),  # positive, cervical
    (2, P2_RF, visits(P2_RF, (60, 1), (120, 4))),  # lumbar; still relieved at 120 days (censored)
    (3, proc(judged_block_data(9, performed_at=at(10), complications=["vasovagal", "hematoma"])), []),  # negative
    (3, P3_RF, visits(P3_RF, (30, 7))),  # below at the first follow-up: 0 days
    # Intra-articular, scored only at 30 min: reached the threshold, never shown to last: indeterminate.
    (4, proc(judged_block_data(1, performed_at=at(12), technique="intra_articular", pain_scores=scores((30, 1)))), []),
    (4, proc(judged_block_data(None, performed_at=at(14))), []),  # no scores: not evaluated
    (4, proc(toxin_visit_data(performed_at=at(15))), []),
    (4, rf(16), []),  # no follow-up: counted apart
    (5, rf(2), []),  # before patient 5's positive block: no conversion
    (5, proc(judged_block_data(1, performed_at=at(20), intent="diagnostic_confirmatory")), []),
]


def tally_of(clinic=CLINIC, later_rfs=None) -> OutcomesTally:
    """The tally fed as the service feeds it: the range's procedures, then the positive patients' RFs."""
    tally = OutcomesTally(CATALOG)
    for patient, procedure, follow_ups in clinic:
        tally.add(patient, procedure, follow_ups)
    rfs = [(p, x) for p, x, _ in clinic if x.technique is Technique.RADIOFREQUENCY_ABLATION]
    for patient, procedure in rfs + (later_rfs or []):
        if patient in tally.positive_block_patients():
            tally.add_later_rf(patient, procedure)
    return tally


@pytest.fixture(scope="module")
def outcomes():
    return tally_of().result(FIRST, LAST)


def test_counts_by_technique_and_intent_include_rf_and_toxin_only_visits(outcomes):
    assert outcomes.procedures == 12
    assert {(t, i): n for t, i, n in outcomes.by_type} == {
        (Technique.INTRA_ARTICULAR, Intent.DIAGNOSTIC_FIRST): 1,
        (Technique.MEDIAL_BRANCH_BLOCK, Intent.DIAGNOSTIC_FIRST): 4,
        (Technique.MEDIAL_BRANCH_BLOCK, Intent.DIAGNOSTIC_CONFIRMATORY): 1,
        (Technique.RADIOFREQUENCY_ABLATION, Intent.THERAPEUTIC): 5,
        (Technique.TOXIN_ONLY, Intent.THERAPEUTIC): 1,
    }


def test_block_responses_by_the_one_definition_not_evaluated_counted_apart(outcomes):
    assert dict(outcomes.blocks) == {
        BlockVerdict.POSITIVE: 3,
        BlockVerdict.NEGATIVE: 1,
        BlockVerdict.INDETERMINATE: 1,
        BlockVerdict.NOT_EVALUATED: 1,
    }
    assert outcomes.diagnostic_blocks == 6 and outcomes.judged_blocks == 5
    assert outcomes.block_share(BlockVerdict.POSITIVE) == Share(3, 5)  # of the judged, not of all six
    assert outcomes.block_share(BlockVerdict.NEGATIVE) == Share(1, 5)  # the unevaluable one is not a negative
    assert outcomes.block_share(BlockVerdict.NOT_EVALUATED) == Share(1, 6)


def test_conversion_counts_patients_with_an_rf_after_a_positive_block_in_a_region_it_treated(outcomes):
    # Patient 1: lumbar block, lumbar RF after it. Patient 2: cervical block, lumbar RF. Patient 5: RF before.
    assert outcomes.conversion == Share(1, 3)


def test_an_rf_after_the_range_counts_and_two_rfs_are_one_patient():
    later = rf(400, targets=left("C5-C6"))  # patient 2's cervical RF, a year on
    again = rf(500)  # patient 1's second RF
    outcomes = tally_of(later_rfs=[(2, later), (1, again)]).result(FIRST, LAST)
    assert outcomes.conversion == Share(2, 3)


def test_relief_after_rf_median_counts_a_censored_rf_until_its_last_visit(outcomes):
    relief = outcomes.relief
    assert relief.threshold_pct == CATALOG.threshold("lcd.rfa.repeat_min_improvement_pct").value
    assert (relief.ended, relief.ongoing, relief.unmeasured, relief.n) == (2, 1, 2, 3)
    # By hand: 0 days, one of 3 ended: 2/3 relieved; 90 days, one of the 2 left ended: 1/3 <= 1/2. The RF still
    # relieved at 120 days was at risk until then: left out, the median would be 0 (1 of 2 at 0 days); counted
    # as ended, the curve would fall to 0 at 120 days.
    assert relief.median_months == pytest.approx(90 / DAYS_PER_MONTH)
    assert relief.longest_months == pytest.approx(120 / DAYS_PER_MONTH)
    assert [(round(m * DAYS_PER_MONTH), round(p, 1)) for m, p in relief.curve] == [
        (0, 100.0),
        (0, 66.7),
        (90, 33.3),
        (120, 33.3),
    ]


def test_complication_rate_and_each_complication(outcomes):
    assert outcomes.complicated == Share(2, 12)
    assert outcomes.by_complication == ((Complication.VASOVAGAL, 2), (Complication.HEMATOMA, 1))


@pytest.mark.parametrize(
    ("spans", "median"),
    [
        ([(10, True), (20, False), (30, True), (40, True)], 30),  # 3/4, then 3/4 * 1/2 = 3/8
        ([(10, True), (20, True), (30, False), (40, False)], 20),  # exactly one half is the median
        ([(10, True), (20, False), (30, False), (40, False)], None),  # 3/4 when follow-up runs out: not reached
        ([(10, False), (10, True), (10, True)], 10),  # ended before censored at the same time: 1/3
        ([], None),
    ],
)
def test_kaplan_meier_median(spans, median):
    assert kaplan_meier(spans)[0] == median


def test_kaplan_meier_steps_are_exact_fractions():
    assert kaplan_meier([(5, True), (5, True), (8, False), (9, True)])[1] == (
        (0, Fraction(1)),
        (5, Fraction(1, 2)),
        (9, Fraction(0)),
        (9, Fraction(0)),
    )


def test_an_empty_range_says_not_enough_data_for_every_figure_never_zero_percent():
    empty = OutcomesTally(CATALOG).result(FIRST, LAST)
    for figure in outcome_figures(empty):
        assert figure.empty, figure.key
        assert figure.headline.startswith(NOT_ENOUGH), figure.key
        assert "n = 0" in figure.n_text, figure.key
        assert "%" not in figure.headline.replace(f"{empty.relief.threshold_pct:g}%", ""), figure.key


def test_the_figures_carry_the_counts_and_their_n(outcomes):
    figures = {f.key: f for f in outcome_figures(outcomes)}
    assert figures["procedures"].n_text == "n = 12 procedures"
    assert [(b.label, b.value) for b in figures["procedures"].bars][-2:] == [
        ("Radiofrequency ablation", 5),
        ("Botulinum toxin only", 1),
    ]
    blocks = figures["blocks"]
    assert blocks.headline == "Positive: 3 of 5 judged blocks (60%)"
    assert blocks.n_text == "n = 6 diagnostic blocks (5 judged)"
    assert [b.text for b in blocks.bars] == ["3 (60% of judged)", "1 (20% of judged)", "1 (20% of judged)",
                                             "1 (counted apart)"]  # fmt: skip
    assert figures["conversion"].headline.startswith("1 of 3 patients with a positive diagnostic block (33.3%)")
    relief = figures["relief"]
    assert relief.headline == f"Median {90 / DAYS_PER_MONTH:.1f} months of relief of at least 50% after RF"
    assert relief.n_text.startswith("n = 3 RFs with follow-up (2 ended, 1 still relieved")
    assert "2 more without a measured follow-up" in relief.n_text
    assert relief.marker == relief.curve[2][0] and relief.reference_pct == 50
    complications = figures["complications"]
    assert complications.headline == "2 of 12 procedures (16.7%) recorded a complication"
    assert [b.text for b in complications.bars] == ["2 (16.7%)", "2 (16.7%)", "1 (8.3%)"]


def test_a_median_not_reached_says_so_with_the_longest_follow_up():
    ongoing = rf(1)
    outcomes = tally_of([(1, ongoing, visits(ongoing, (200, 2)))]).result(FIRST, LAST)
    (relief,) = [f for f in outcome_figures(outcomes) if f.key == "relief"]
    assert outcomes.relief.median_months is None and relief.marker is None
    assert relief.headline.startswith("Median not reached") and f"{200 / DAYS_PER_MONTH:.1f} months" in relief.headline


@pytest.mark.parametrize(
    ("maximum", "ticks"),
    [
        (0, (0, 1)),
        (1, (0, 1)),
        (4, (0, 1, 2, 3, 4)),
        (7, (0, 2, 4, 6, 8)),
        (12, (0, 5, 10, 15)),
        (100, (0, 20, 40, 60, 80, 100)),
    ],
)
def test_axis_ticks_reach_the_maximum_in_round_steps(maximum, ticks):
    assert axis_ticks(maximum) == pytest.approx(ticks)


def test_figure_keys_name_the_figures_in_order(outcomes):
    assert tuple(f.key for f in outcome_figures(outcomes)) == FIGURE_KEYS


def test_every_kind_of_procedure_has_a_short_distinct_label():
    labels = {type_label(t, i) for t in Technique for i in Intent}
    # An RF and a toxin-only visit are therapeutic only: one label each; the two injections, three intents each.
    assert len(labels) == 2 * len(Intent) + 2
    assert all(len(label) <= 40 for label in labels), sorted(labels, key=len)[-1]
