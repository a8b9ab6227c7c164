"""The LCD's radiofrequency ablation rules: diagnostic blocks first, thermal lesions, repeats, blocks after it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from facetdesk.domain.months import add_months
from facetdesk.rules.finding import Status
from tests.builders.records import WHEN, bilateral, procedure, scores
from tests.rules.rule_runs import one, value


def ablation(**overrides):
    """A conventional (thermal) radiofrequency ablation at left L4-L5, at WHEN."""
    fields = {
        "technique": "radiofrequency_ablation",
        "intent": "therapeutic",
        "radiofrequency": {"method": "conventional", "temperature_c": value("lcd.rfa.min_temperature_c")},
    }
    return procedure(**(fields | overrides))


def mbb(days_before: int, nrs: int, **overrides):
    """A diagnostic lidocaine MBB at left L4-L5 ``days_before`` WHEN: baseline 10, then ``nrs`` through
    lidocaine's expected duration (so 10 - nrs tenths of relief by the one definition of a block response)."""
    hours = value("relief.expected_duration_hours")["lidocaine"]
    fields = {
        "performed_at": WHEN - timedelta(days=days_before),
        "pre_procedure_pain": 10,
        "medications": [{"agent": "lidocaine", "concentration_mg_per_ml": 10, "volume_ml": 0.5}],
        "pain_scores": scores((30, nrs), (int(hours * 60), nrs)),
    }
    return procedure(**(fields | overrides))


def test_an_ablation_after_two_positive_mbbs_is_covered_and_one_is_not_enough():
    assert value("lcd.rfa.min_diagnostic_mbbs") == 2  # the cases below are built for two
    two = [mbb(60, 1), mbb(30, 1, intent="diagnostic_confirmatory")]
    f = one("lcd.rfa_prerequisite", ablation(), two)
    assert f.status == Status.MET and "2 positive diagnostic medial branch block(s) at L4-L5" in f.message
    f = one("lcd.rfa_prerequisite", ablation(), two[:1])
    assert f.status == Status.NOT_MET and "1 positive" in f.message


def test_negative_blocks_intra_articular_blocks_and_other_levels_do_not_count():
    negative = mbb(60, 9)
    ia = mbb(45, 1, technique="intra_articular")
    elsewhere = mbb(30, 1, targets=bilateral("L3-L4"))
    f = one("lcd.rfa_prerequisite", ablation(), [negative, ia, elsewhere])
    assert f.status == Status.NOT_MET and f.message.startswith("0 positive") and "negative:" in f.message


def test_blocks_without_scores_leave_the_ablation_to_be_checked_by_hand():
    unscored = mbb(60, 1, pain_scores=[])
    f = one("lcd.rfa_prerequisite", ablation(), [unscored, mbb(30, 1)])
    assert f.status == Status.NOT_EVALUATED and "not evaluable" in f.message


def test_the_prerequisite_and_thermal_rules_do_not_apply_to_injections():
    for rid in ("lcd.rfa_prerequisite", "lcd.rfa_thermal", "lcd.rfa_repeat"):
        assert one(rid, procedure()).status == Status.NOT_APPLICABLE


@pytest.mark.parametrize("delta, status", [(0, Status.MET), (-1, Status.NOT_MET)])
def test_thermal_lesions_at_or_above_the_minimum_temperature(delta, status):
    minimum = value("lcd.rfa.min_temperature_c")
    f = one("lcd.rfa_thermal", ablation(radiofrequency={"method": "conventional", "temperature_c": minimum + delta}))
    assert f.status == status and f"at least {minimum:g} °C" in f.message


def test_pulsed_is_not_thermal_and_a_missing_temperature_is_checked_by_hand():
    pulsed = one("lcd.rfa_thermal", ablation(radiofrequency={"method": "pulsed"}))
    assert pulsed.status == Status.NOT_MET and pulsed.field == ("radiofrequency", "method")
    unknown = one("lcd.rfa_thermal", ablation(radiofrequency={"method": "cooled"}))
    assert unknown.status == Status.NOT_EVALUATED and "no lesion temperature recorded" in unknown.message


def test_a_repeat_ablation_is_never_passed_without_its_follow_up():
    first = one("lcd.rfa_repeat", ablation())
    assert first.status == Status.NOT_APPLICABLE and "first ablation" in first.message
    earlier = ablation(performed_at=WHEN - timedelta(days=250))
    repeat = one("lcd.rfa_repeat", ablation(), [earlier])
    months = value("lcd.rfa.repeat_min_duration_months")
    assert repeat.status == Status.NOT_EVALUATED and repeat.message.startswith("check by hand")
    assert f"{months:g} months" in repeat.message


def test_a_diagnostic_block_at_an_ablated_level_waits_the_minimum_years():
    years = value("lcd.rfa.rediagnose_after_years")
    months = int(years * 12)
    too_soon = ablation(performed_at=add_months(WHEN, -months) + timedelta(days=1))
    f = one("lcd.block_after_ablation", procedure(), [too_soon])
    assert f.status == Status.NOT_MET and "no diagnostic block at a successfully ablated level" in f.message
    long_ago = ablation(performed_at=add_months(WHEN, -months))
    assert one("lcd.block_after_ablation", procedure(), [long_ago]).status == Status.MET
    elsewhere = ablation(performed_at=WHEN - timedelta(days=10), targets=bilateral("L2-L3"))
    assert one("lcd.block_after_ablation", procedure(), [elsewhere]).status == Status.NOT_APPLICABLE


def test_an_ablation_is_not_judged_by_the_therapeutic_injection_rules():
    for rid in ("lcd.therapeutic_prerequisite", "lcd.repeat_therapeutic"):
        assert one(rid, ablation()).status == Status.NOT_APPLICABLE
    # ... and an earlier ablation is no earlier therapeutic injection at the same site.
    f = one(
        "lcd.repeat_therapeutic", procedure(intent="therapeutic"), [ablation(performed_at=WHEN - timedelta(days=90))]
    )
    assert f.status == Status.NOT_APPLICABLE and "first therapeutic procedure" in f.message


def _visits(prior, *pairs):
    """(months after ``prior``, NRS) follow-up visits of a stored ``prior``."""
    from facetdesk.domain.follow_up import FollowUp

    return [
        FollowUp(procedure_uid=prior.uid, seen_on=add_months(prior.performed_at.date(), m), recorded_by="RN Synthetic",
                 pain_nrs=nrs)
        for m, nrs in pairs
    ]  # fmt: skip


@pytest.mark.parametrize(
    "pairs, status",
    [
        (((1, 2), (3, 3), (6, 4)), Status.MET),  # from 8: 75%, 62.5%, 50% through 6 months
        (((1, 2), (3, 6), (6, 2)), Status.NOT_MET),  # fell below 50% at 3 months
        (((1, 2), (3, 2)), Status.NOT_EVALUATED),  # visits do not reach 6 months yet
    ],
)
def test_a_repeat_ablation_is_judged_by_the_follow_ups_of_the_earlier_one(pairs, status):
    assert (value("lcd.rfa.repeat_min_improvement_pct"), value("lcd.rfa.repeat_min_duration_months")) == (50, 6)
    earlier = ablation(performed_at=add_months(WHEN, -8), pre_procedure_pain=8)
    f = one("lcd.rfa_repeat", ablation(), [earlier], follow_ups=_visits(earlier, *pairs))
    assert f.status == status, f.message


@pytest.mark.parametrize(("sedation", "rf_wording"), [("moderate", True), ("deep", True), ("general", False)])
def test_sedation_with_an_ablation_is_worded_for_rfa_but_general_anaesthesia_is_not(sedation, rf_wording):
    # CGS denies sedation billed with a pain procedure other than RFA (S5); NGS's GA line applies to all (S6).
    f = one("lcd.sedation", ablation(sedation=sedation))
    assert f.status == Status.NOT_MET and "document medical necessity" in f.message
    assert ("radiofrequency ablation" in f.message) is rf_wording
    block = one("lcd.sedation", procedure(sedation=sedation))
    assert "radiofrequency" not in block.message
