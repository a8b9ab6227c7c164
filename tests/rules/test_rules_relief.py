"""Relief rules: diagnostic block interpretation, concordance, RFA candidacy and missing pain scores."""

from __future__ import annotations

from datetime import datetime

import pytest

from facetdesk.domain.catalog import get_catalog
from facetdesk.rules.finding import Severity, Status
from facetdesk.rules.relief import INDETERMINATE, NEGATIVE, NOT_EVALUATED, POSITIVE, interpret_block
from tests.rules.risk_builders import (
    BUPIVACAINE,
    LIDOCAINE,
    STEROID,
    edited_resources,
    make_procedure,
    one,
    scores,
    value,
)

BASELINE = 10
EARLIER = datetime(2026, 9, 1, 9, 0)


def threshold() -> float:
    return value("relief.positive_block_pct")


def window(agent: str) -> int:
    return int(value("relief.expected_duration_hours")[agent] * 60)


def nrs_at(pct: float) -> int:
    """The NRS that gives exactly ``pct`` relief from BASELINE (the threshold must fall on a whole NRS step)."""
    nrs = round(BASELINE * (100 - pct) / 100)
    assert (BASELINE - nrs) / BASELINE * 100 == pct
    return nrs


def good() -> int:
    return nrs_at(threshold())


def block(pairs, meds=(LIDOCAINE,), baseline=BASELINE, **kw):
    return make_procedure(pre_procedure_pain=baseline, pain_scores=scores(*pairs), medications=list(meds), **kw)


def interpret(proc):
    return interpret_block(proc, get_catalog())


# ---- interpret_block / relief.diagnostic_block ----------------------------------


def test_positive_block():
    w = window("lidocaine")
    proc = block([(15, good() - 1), (w, good())])
    result = interpret(proc)
    assert result.result == POSITIVE and result.positive
    assert result.agent == "lidocaine"
    assert result.expected_hours == value("relief.expected_duration_hours")["lidocaine"]
    assert result.peak == 100 * (BASELINE - good() + 1) / BASELINE
    assert result.duration == w
    f = one("relief.diagnostic_block", procedure=proc)
    assert (f.status, f.severity) == (Status.MET, Severity.INFO)
    assert "positive" in f.message
    assert f"threshold {threshold():g}%" in f.message
    assert f"expected duration of lidocaine {w // 60:g} h" in f.message
    assert f"peak relief {result.peak:g}%" in f.message
    assert f.field == ("pain_scores",)
    # the expected durations are tagged unconfirmed in thresholds.json
    assert f.unconfirmed and "unconfirmed threshold" in f.message
    assert "L38773" in f.source


@pytest.mark.parametrize(
    ("nrs_shift", "word"),
    [(1, NEGATIVE), (0, POSITIVE), (-1, POSITIVE)],  # NRS one higher is less relief: just below the threshold
)
def test_relief_threshold_boundary(nrs_shift, word):
    w = window("lidocaine")
    proc = block([(15, good() + nrs_shift), (w, good() + nrs_shift)])
    assert interpret(proc).result == word
    f = one("relief.diagnostic_block", procedure=proc)
    assert f.status == (Status.MET if word == POSITIVE else Status.NOT_MET)
    assert word in f.message


@pytest.mark.parametrize(("offset", "word"), [(-1, INDETERMINATE), (0, POSITIVE), (1, POSITIVE)])
def test_duration_boundary(offset, word):
    w = window("lidocaine")
    proc = block([(15, good()), (w + offset, good())])
    result = interpret(proc)
    assert result.result == word
    if word == INDETERMINATE:
        assert "no score at or after the expected duration" in result.reason
        f = one("relief.diagnostic_block", procedure=proc)
        assert (f.status, f.severity) == (Status.NOT_MET, Severity.CAUTION)
        assert "indeterminate" in f.message


def test_negative_block_is_warning():
    proc = block([(15, good() + 2), (window("lidocaine"), good() + 3)])
    f = one("relief.diagnostic_block", procedure=proc)
    assert (f.status, f.severity) == (Status.NOT_MET, Severity.WARNING)
    assert "negative" in f.message


def test_peak_counts_only_scores_within_expected_duration():
    w = window("lidocaine")
    proc = block([(15, good() + 1), (w + 60, 0)])
    result = interpret(proc)
    assert result.result == NEGATIVE
    assert result.peak == 100 * (BASELINE - good() - 1) / BASELINE


def test_relief_falling_below_within_window_is_indeterminate():
    w = window("lidocaine")
    proc = block([(15, good()), (30, good() + 2), (w, good())])
    result = interpret(proc)
    assert result.result == INDETERMINATE
    assert "fell below" in result.reason and "30 min" in result.reason
    assert result.duration == 15


def test_first_score_below_threshold_is_indeterminate():
    w = window("lidocaine")
    result = interpret(block([(0, BASELINE), (15, good()), (w, good())]))
    assert result.result == INDETERMINATE
    assert "first score" in result.reason


def test_relief_ending_after_last_in_window_score():
    w = window("lidocaine")
    result = interpret(block([(15, good()), (w - 30, good()), (w + 60, BASELINE)]))
    assert result.result == INDETERMINATE
    assert "not shown to last" in result.reason
    assert not result.duration_open


def test_several_local_anaesthetics_use_longest():
    w = window("bupivacaine")
    assert w > window("lidocaine")
    proc = block([(15, good()), (window("lidocaine"), good())], meds=(LIDOCAINE, BUPIVACAINE))
    result = interpret(proc)
    assert result.agent == "bupivacaine"
    assert result.result == INDETERMINATE
    assert "several local anaesthetics" in result.reason
    assert "several local anaesthetics" in one("relief.diagnostic_block", procedure=proc).message


@pytest.mark.parametrize(
    ("kw", "reason"),
    [
        ({"baseline": None}, "no pre-injection pain score"),
        ({"baseline": 0}, "pre-injection pain was 0"),
        ({"pairs": []}, "no post-injection pain scores"),
        ({"pairs": [(24 * 60, 0)]}, "no pain score within the expected duration of lidocaine"),
        ({"meds": (STEROID,)}, "no local anaesthetic recorded"),
    ],
)
def test_not_evaluated(kw, reason):
    args = {"pairs": [(15, 0)], **kw}
    proc = block(args.pop("pairs"), **args)
    assert interpret(proc).result == NOT_EVALUATED
    f = one("relief.diagnostic_block", procedure=proc)
    assert (f.status, f.severity) == (Status.NOT_EVALUATED, Severity.CAUTION)
    assert reason in f.message


def test_agent_without_expected_duration_is_not_evaluated(tmp_path, monkeypatch):
    monkeypatch.setenv(
        "FACETDESK_RESOURCES",
        str(edited_resources(tmp_path, lambda t: t["relief.expected_duration_hours"]["value"].pop("lidocaine"))),
    )
    f = one("relief.diagnostic_block", procedure=block([(15, 0), (600, 0)]))
    assert f.status == Status.NOT_EVALUATED
    assert "no expected duration of lidocaine" in f.message


def test_therapeutic_is_not_applicable():
    f = one("relief.diagnostic_block", procedure=block([(15, BASELINE)], intent="therapeutic"))
    assert (f.status, f.severity) == (Status.MET, Severity.INFO)
    assert "not applicable" in f.message


def test_edited_thresholds_change_the_result(tmp_path, monkeypatch):
    w = window("lidocaine")
    proc_pairs = [(15, good()), (w, good())]
    assert one("relief.diagnostic_block", procedure=block(proc_pairs)).status == Status.MET

    def stricter(t):
        t["relief.positive_block_pct"]["value"] = threshold() + 10
        t["relief.expected_duration_hours"]["value"]["lidocaine"] = w / 60 + 1

    monkeypatch.setenv("FACETDESK_RESOURCES", str(edited_resources(tmp_path, stricter)))
    f = one("relief.diagnostic_block", procedure=block(proc_pairs))
    assert (f.status, f.severity) == (Status.NOT_MET, Severity.WARNING)
    assert f"threshold {threshold():g}%" in f.message


# ---- relief.concordance ---------------------------------------------------------


def lido_block(last_good: int, after: int, when=EARLIER, **kw):
    return block([(15, good()), (last_good, good()), (after, BASELINE)], meds=(LIDOCAINE,), performed_at=when, **kw)


def bupi_block(last_good: int, after: int, when=None, **kw):
    extra = {"performed_at": when} if when else {}
    return block([(15, good()), (last_good, good()), (after, BASELINE)], meds=(BUPIVACAINE,), **extra, **kw)


def test_concordant_pair():
    prior = lido_block(120, 240)
    f = one("relief.concordance", procedure=bupi_block(360, 480), priors=[prior])
    assert (f.status, f.severity) == (Status.MET, Severity.INFO)
    assert "concordant" in f.message and "bupivacaine" in f.message
    assert "Barnsley" in f.source


@pytest.mark.parametrize(("bupi_last", "status"), [(119, Status.NOT_MET), (120, Status.NOT_MET), (121, Status.MET)])
def test_concordance_boundary(bupi_last, status):
    prior = lido_block(120, 240)
    f = one("relief.concordance", procedure=bupi_block(bupi_last, 480), priors=[prior])
    assert f.status == status
    if status == Status.NOT_MET:
        assert f.severity == Severity.CAUTION
        assert "discordant" in f.message


def test_concordance_order_does_not_matter():
    prior = bupi_block(120, 240, when=EARLIER)
    f = one("relief.concordance", procedure=lido_block(360, 480, when=datetime(2026, 10, 5, 9, 0)), priors=[prior])
    assert f.status == Status.NOT_MET


def test_same_agent_is_not_a_pair():
    f = one("relief.concordance", procedure=bupi_block(360, 480), priors=[bupi_block(360, 480, when=EARLIER)])
    assert (f.status, f.severity) == (Status.MET, Severity.INFO)
    assert "not a comparative pair (same agent" in f.message


def test_no_earlier_block_or_other_levels_is_not_applicable():
    assert "not applicable" in one("relief.concordance", procedure=bupi_block(360, 480)).message
    other = lido_block(120, 240, targets=[{"level": "L3-L4", "side": "left"}])
    later = lido_block(120, 240, when=datetime(2026, 11, 1, 9, 0))
    therapeutic = lido_block(120, 240, intent="therapeutic")
    for prior in (other, later, therapeutic):
        f = one("relief.concordance", procedure=bupi_block(360, 480), priors=[prior])
        assert (f.status, f.severity) == (Status.MET, Severity.INFO)
        assert "no earlier diagnostic block" in f.message


def test_concordance_missing_data_is_not_evaluated():
    prior = make_procedure(performed_at=EARLIER, pain_scores=scores((15, 0)), medications=[LIDOCAINE])
    f = one("relief.concordance", procedure=bupi_block(360, 480), priors=[prior])
    assert (f.status, f.severity) == (Status.NOT_EVALUATED, Severity.CAUTION)
    assert "no pre-injection pain score" in f.message


def test_concordance_block_never_reaching_threshold_is_not_evaluated():
    prior = block([(15, BASELINE)], meds=(LIDOCAINE,), performed_at=EARLIER)
    f = one("relief.concordance", procedure=bupi_block(360, 480), priors=[prior])
    assert f.status == Status.NOT_EVALUATED
    assert "never reached" in f.message


def test_concordance_not_applicable_to_therapeutic():
    f = one("relief.concordance", procedure=bupi_block(360, 480, intent="therapeutic"), priors=[lido_block(120, 240)])
    assert "not applicable" in f.message


# ---- relief.rfa_candidate -------------------------------------------------------


def test_two_positive_mbbs_suggest_rfa():
    prior = block([(30, 1), (window("bupivacaine"), 1)], meds=(BUPIVACAINE,), performed_at=EARLIER)
    current = block([(30, 1), (window("lidocaine"), 2)], meds=(LIDOCAINE,))
    f = one("relief.rfa_candidate", procedure=current, priors=[prior])
    assert (f.status, f.severity) == (Status.MET, Severity.INFO)
    assert f.message.startswith(
        "consider radiofrequency ablation: two positive diagnostic medial branch blocks at L4-L5, L5-S1 "
        "(2026-09-01 bupivacaine 90%; 2026-10-05 lidocaine 90%)"
    )
    assert "L38773" in f.source


@pytest.mark.parametrize(
    "prior_kw",
    [
        {"technique": "intra_articular"},
        {"intent": "therapeutic"},
        {"targets": [{"level": "L4-L5", "side": "left"}]},
        {"pairs": [(30, 5), (240, 5)]},
    ],
)
def test_no_rfa_without_second_positive_mbb(prior_kw):
    args = {"pairs": [(30, 1), (240, 1)], "meds": (BUPIVACAINE,), "performed_at": EARLIER, **prior_kw}
    prior = block(args.pop("pairs"), **args)
    current = block([(30, 1), (window("lidocaine"), 1)])
    f = one("relief.rfa_candidate", procedure=current, priors=[prior])
    assert (f.status, f.severity) == (Status.MET, Severity.INFO)
    assert f.message.startswith("not (yet) two positive diagnostic MBBs at L4-L5, L5-S1")
    assert "2026-10-05 lidocaine 90% positive" in f.message


def test_no_rfa_when_this_block_not_positive():
    prior = block([(30, 1), (240, 1)], meds=(BUPIVACAINE,), performed_at=EARLIER)
    f = one("relief.rfa_candidate", procedure=block([(30, 1)]), priors=[prior])
    assert "not (yet)" in f.message
    assert "2026-09-01 bupivacaine 90% positive" in f.message and "indeterminate" in f.message


def test_rfa_not_applicable_to_intra_articular():
    f = one("relief.rfa_candidate", procedure=block([(30, 1)], technique="intra_articular"))
    assert "not applicable" in f.message


# ---- relief.scores_missing ------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "pairs", "what"),
    [(None, [(15, 1)], "no pre-injection"), (5, [], "no post-injection"), (None, [], "no pre-injection")],
)
def test_scores_missing(baseline, pairs, what):
    f = one("relief.scores_missing", procedure=block(pairs, baseline=baseline))
    assert (f.status, f.severity) == (Status.NOT_MET, Severity.WARNING)
    assert what in f.message
    t = one("relief.scores_missing", procedure=block(pairs, baseline=baseline, intent="therapeutic"))
    assert (t.status, t.severity) == (Status.NOT_MET, Severity.CAUTION)


def test_scores_present_is_met():
    f = one("relief.scores_missing", procedure=block([(15, 1)], baseline=5))
    assert (f.status, f.severity) == (Status.MET, Severity.INFO)
    assert f.source


def test_skin_lidocaine_does_not_decide_the_blocks_agent():
    """Only anaesthetic given at the targets blocks the joint; skin infiltration is not the block's agent."""
    from facetdesk.domain.catalog import get_catalog
    from facetdesk.domain.procedure import Procedure
    from facetdesk.rules.relief import interpret_block

    data = {
        "performed_at": "2026-10-05T09:30",
        "physician": "Dr. Test",
        "technique": "medial_branch_block",
        "intent": "diagnostic_first",
        "guidance": "fluoroscopy",
        "targets": [{"level": "L4-L5", "side": "left"}],
        "pre_procedure_pain": 8,
        "pain_scores": [{"minutes_after": 30, "nrs": 1}],
    }
    skin = {"agent": "ropivacaine", "concentration_mg_per_ml": 2, "volume_ml": 3, "site": "skin"}
    block = {"agent": "lidocaine", "concentration_mg_per_ml": 20, "volume_ml": 0.5, "volume_basis": "per_nerve"}
    result = interpret_block(Procedure(**data, medications=[skin, block]), get_catalog())
    assert result.agent == "lidocaine"
