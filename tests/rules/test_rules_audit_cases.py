"""Cases from a clinical and coding audit of the rules that no other test covered, each with the defect it showed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from facetdesk.rules import coverage, coverage_rf, doses  # noqa: F401  (registers the rules)
from facetdesk.rules.finding import Severity, Status
from tests.builders.records import WHEN, ablation_data, left, med, procedure, screened_patient
from tests.rules.rule_runs import one, value

DAY_MIN = 24 * 60


def ablation(**overrides):
    from facetdesk.domain.procedure import Procedure

    return Procedure.model_validate(ablation_data(**overrides))


# ---- lcd.repeat_therapeutic: the earlier procedure's diary as it stood at this one ---------------------------
def test_a_repeat_is_not_supported_by_diary_scores_recorded_after_it():
    """A repeat 40 days after a therapeutic block was 'met' on that block's 90-day diary score, a score
    taken after the repeat itself (and one the repeat's own effect may have made)."""
    months = value("lcd.repeat_therapeutic.min_duration_months")
    required_days = months * value("time.days_per_month")
    min_pct = value("lcd.repeat_therapeutic.min_relief_pct")
    nrs = int(10 - 10 * min_pct / 100)
    earlier_days = 40
    assert earlier_days < required_days
    prior = procedure(
        performed_at=WHEN - timedelta(days=earlier_days),
        intent="therapeutic",
        targets=left("L4-L5"),
        pre_procedure_pain=10,
        pain_scores=[
            {"minutes_after": 30, "nrs": nrs},
            {"minutes_after": 30 * DAY_MIN, "nrs": nrs},
            {"minutes_after": int(required_days * DAY_MIN), "nrs": nrs},
        ],
    )
    repeat = procedure(intent="therapeutic", rfa_not_candidate_reason="declines ablation", targets=left("L4-L5"))
    f = one("lcd.repeat_therapeutic", repeat, [prior])
    assert f.status == Status.NOT_MET, f.message
    assert "after this procedure" in f.message


# ---- lcd.rfa_prerequisite / lcd.therapeutic_prerequisite: the second block at least 2 weeks after the first -----
def _positive_mbb(days_before: int, intent: str) -> object:
    hours = value("relief.expected_duration_hours")["lidocaine"]
    return procedure(
        performed_at=WHEN - timedelta(days=days_before),
        intent=intent,
        targets=left("L4-L5"),
        medications=[med("lidocaine", 10, 0.5)],
        pre_procedure_pain=10,
        pain_scores=[{"minutes_after": 30, "nrs": 1}, {"minutes_after": int(hours * 60), "nrs": 1}],
    )


def _blocks_days_apart(apart: int) -> list:
    return [_positive_mbb(30 + apart, "diagnostic_first"), _positive_mbb(30, "diagnostic_confirmatory")]


@pytest.mark.parametrize(
    ("rule_id", "current"),
    [
        ("lcd.rfa_prerequisite", lambda: ablation()),
        ("lcd.therapeutic_prerequisite", lambda: procedure(intent="therapeutic", rfa_not_candidate_reason="declines")),
    ],
)
def test_two_positive_blocks_count_as_two_only_two_weeks_apart(rule_id, current):
    """An ablation after positive blocks 10 days apart was 'met', while relief.rfa_candidate at the second block
    said 'not yet' for the same pair: the LCD's second block comes at least 2 weeks after the first."""
    min_days = int(value("lcd.confirmatory.min_interval_days"))
    assert value("lcd.rfa.min_diagnostic_mbbs") == value("lcd.therapeutic.min_diagnostic_blocks") == 2
    close = one(rule_id, current(), _blocks_days_apart(min_days - 1))
    assert close.status == Status.NOT_MET, close.message
    assert "1 positive" in close.message and "too close" in close.message
    apart = one(rule_id, current(), _blocks_days_apart(min_days))
    assert apart.status == Status.MET, apart.message


# ---- lcd.rfa_repeat: a repeat before the months of improvement have passed ----------------------------------
def test_a_repeat_ablation_before_the_months_of_improvement_have_passed_is_not_met():
    """A repeat ablation 5 months after the last one, with no follow-up yet, read 'check by hand': 6 months of
    improvement cannot have been shown 5 months after the ablation."""
    # Months of relief are time.days_per_month days, as in the diary and the follow-ups (domain.follow_up).
    days = int(value("lcd.rfa.repeat_min_duration_months") * value("time.days_per_month"))
    too_soon = ablation(performed_at=WHEN - timedelta(days=days - 1))
    f = one("lcd.rfa_repeat", ablation(), [too_soon])
    assert f.status == Status.NOT_MET and f.severity == Severity.WARNING, f.message
    assert "cannot be shown" in f.message
    long_enough = ablation(performed_at=WHEN - timedelta(days=days))
    assert one("lcd.rfa_repeat", ablation(), [long_enough]).status == Status.NOT_EVALUATED


# ---- lcd.regions: T12-L1 is lumbar only with L1-L2, as the reference says --------------------------------------
def test_t12_l1_with_a_lumbar_level_other_than_l1_l2_is_two_regions():
    """T12-L1 with L4-L5 was 'one spinal region: lumbar' while the coding, for the same session, suggested two
    primary codes from both families (64490 + 64493). The reference makes T12-L1 lumbar only with L1-L2."""
    from facetdesk.domain.catalog import get_catalog
    from facetdesk.rules.coverage import session_regions

    skip = procedure(targets=left("T12-L1", "L4-L5"))
    assert session_regions(skip, get_catalog()) == ["thoracic", "lumbar"]
    assert one("lcd.regions", skip).status == Status.NOT_MET
    junction = procedure(targets=left("T12-L1", "L1-L2"))
    assert session_regions(junction, get_catalog()) == ["lumbar"]
    assert one("lcd.regions", junction).status == Status.MET


# ---- dose.steroid_cumulative: sex not recorded ------------------------------------------------------------------
def test_the_12_month_steroid_cap_is_not_passed_silently_when_sex_is_not_recorded():
    """240 mg MPE in 12 months for a patient whose sex is not recorded read 'met': the 200 mg cap for
    postmenopausal women may apply, so the data cannot clear it."""
    year_max = value("dose.steroid.year_max_mpe")
    this = procedure(medications=[med("methylprednisolone_acetate", 80, 0.5)])  # 40 mg
    prior = procedure(performed_at=WHEN - timedelta(days=30), medications=[med("methylprednisolone_acetate", 80, 2.5)])
    assert 40 + 200 > year_max
    unknown = one("dose.steroid_cumulative", this, (prior,), patient=screened_patient(sex="unknown"))
    assert unknown.status == Status.NOT_EVALUATED and unknown.severity == Severity.CAUTION, unknown.message
    assert "sex not recorded" in unknown.message
    male = one("dose.steroid_cumulative", this, (prior,), patient=screened_patient(sex="male"))
    assert male.status == Status.MET
    under = procedure(performed_at=WHEN - timedelta(days=30), medications=[med("methylprednisolone_acetate", 80, 1)])
    assert one("dose.steroid_cumulative", this, (under,), patient=screened_patient(sex="unknown")).status == Status.MET


# ---- volume.intra_articular / volume.medial_branch: nothing recorded at the targets -----------------------------
@pytest.mark.parametrize(
    ("rule_id", "technique", "at_targets"),
    [
        ("volume.medial_branch", "medial_branch_block", []),
        ("volume.medial_branch", "medial_branch_block", [med("iohexol", 240, 0.3)]),
        ("volume.intra_articular", "intra_articular", []),
    ],
)
def test_no_injectate_at_the_targets_is_not_a_volume_within_the_maximum(rule_id, technique, at_targets):
    """Skin infiltration alone gave '0 mL per nerve, within the 0.5 mL maximum' (met): the volume at the targets
    was never recorded."""
    skin = med("lidocaine", 10, 3, site="skin")
    proc = procedure(technique=technique, medications=[skin, *at_targets])
    f = one(rule_id, proc)
    assert f.status == Status.NOT_EVALUATED, f.message


# ---- risk.anticoagulant: a toxin-only visit has no facet bleeding-risk class -----------------------------------
def test_blood_thinners_at_a_toxin_only_visit_are_left_to_the_physician_not_a_crash():
    """A toxin-only visit of a patient on apixaban gave 'could not be evaluated (ValueError)': the ASRA classes of
    the reference are for facet procedures, and this visit injects no facet joint."""
    from facetdesk.rules import risks  # noqa: F401  (registers the rule)
    from tests.builders.records import toxin_visit

    patient = screened_patient(anticoagulants=[{"agent": "apixaban", "last_dose_at": WHEN - timedelta(hours=12)}])
    f = one("risk.anticoagulant", toxin_visit(), patient=patient)
    assert f.status == Status.NOT_EVALUATED and f.severity == Severity.CAUTION, f.message
    assert "apixaban" in f.message and "no facet joint" in f.message
