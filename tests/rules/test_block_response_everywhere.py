"""One set of blocks through every rule that asks "was this block positive": they all give the same answer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from facetdesk.domain.block_response import BlockVerdict, block_response
from facetdesk.domain.catalog import get_catalog
from facetdesk.domain.timefmt import format_minutes
from facetdesk.interop.fhir.common import Scope
from facetdesk.interop.fhir.procedure import outcome_text
from facetdesk.interop.outcomes import outcome_row
from facetdesk.note.procedure_sections import pain_block
from facetdesk.rules import coverage  # noqa: F401  (registers the coverage rules)
from facetdesk.rules.finding import Status
from tests.builders.records import BUPIVACAINE, LIDOCAINE, WHEN, left, procedure, scores, screened_patient
from tests.rules.rule_runs import one, value


def _w(agent: str) -> int:
    return int(value("relief.expected_duration_hours")[agent] * 60)


# Baseline 8: NRS 1 = 87.5%, NRS 2 = 75%, NRS 7 = 12.5%. Each with the verdict the definition gives it.
BLOCKS = {
    "positive": ([(15, 1), (30, 1), (_w("lidocaine"), 1)], BlockVerdict.POSITIVE),
    "slow onset, positive": ([(15, 3), (30, 1), (60, 1), (_w("lidocaine"), 1)], BlockVerdict.POSITIVE),
    "late onset": ([(15, 6), (30, 5), (90, 1), (_w("lidocaine"), 1)], BlockVerdict.INDETERMINATE),
    "wore off early": ([(15, 1), (60, 4), (_w("lidocaine"), 1)], BlockVerdict.NEGATIVE),
    "relief only a day later": ([(30, 7), (24 * 60, 1)], BlockVerdict.NEGATIVE),
    "never reached": ([(15, 5), (_w("lidocaine"), 5)], BlockVerdict.NEGATIVE),
    "no score at the duration": ([(15, 1), (60, 1)], BlockVerdict.INDETERMINATE),
}


def _block(pairs, when, intent="diagnostic_first", meds=(LIDOCAINE,)):
    return procedure(
        performed_at=when, intent=intent, pre_procedure_pain=8, pain_scores=scores(*pairs), medications=list(meds)
    )


def _positive_other(when):
    return _block([(15, 1), (_w("bupivacaine"), 1)], when, meds=(BUPIVACAINE,))


@pytest.mark.parametrize("name", list(BLOCKS))
def test_every_rule_gives_the_blocks_verdict(name):
    pairs, verdict = BLOCKS[name]
    first = _block(pairs, WHEN - timedelta(days=30))
    assert block_response(first, get_catalog()).verdict is verdict, name
    positive = verdict is BlockVerdict.POSITIVE

    # The block itself.
    assert one("relief.diagnostic_block", procedure=_block(pairs, WHEN)).verdict == verdict.value

    # As the earlier block a confirmatory block relies on.
    confirmatory = _block(pairs, WHEN, intent="diagnostic_confirmatory")
    f = one("lcd.confirmatory_block", procedure=confirmatory, priors=[first])
    assert (f.status == Status.MET) is positive, f.message

    # As one of the two diagnostic blocks a therapeutic procedure needs (the other one positive).
    therapeutic = procedure(performed_at=WHEN, intent="therapeutic", rfa_not_candidate_reason="synthetic reason")
    other = _positive_other(WHEN - timedelta(days=60))
    f = one("lcd.therapeutic_prerequisite", procedure=therapeutic, priors=[other, first])
    assert (f.status == Status.MET) is positive, f.message

    # As the first of two blocks for radiofrequency ablation (the second one positive, weeks later).
    second = _positive_other(WHEN)
    f = one("relief.rfa_candidate", procedure=second, priors=[first])
    assert (f.verdict == "candidate") is positive, f.message

    # As one of a comparative pair: concordance is judged only between two positive blocks.
    f = one("relief.concordance", procedure=second, priors=[first])
    if positive:
        # Compared, not turned away: concordant or discordant, or undetermined only because a relief was still on
        # at its last score (its duration is a lower bound), never because a block was not positive.
        assert f.verdict in ("concordant", "discordant", "undetermined"), f.message
        assert " block was " not in f.message, f.message
        assert (f.verdict == "undetermined") is ("at its last score" in f.message), f.message
    else:
        assert f.verdict in ("not concordant", "undetermined") and "concordant comparative" not in f.message
        assert (f.verdict == "not concordant") is (verdict is BlockVerdict.NEGATIVE)


def test_the_note_and_the_exports_print_the_duration_the_block_was_judged_on():
    """Relief that dips while the anaesthetic takes effect (before the onset allowance) and then holds: the block
    is positive with relief from the later score, and the note, the FHIR outcome and the registry row say so too,
    not 'lasted 0 min' from the first score."""
    early, dip = onset() // 3, 2 * onset() // 3
    pairs = [(early, 1), (dip, 6), (onset() + 15, 1), (_w("lidocaine"), 1), (_w("lidocaine") + 60, 7)]
    block = _block(pairs, WHEN)
    catalog = get_catalog()
    response = block_response(block, catalog)
    assert response.verdict is BlockVerdict.POSITIVE
    assert (response.began_at, response.lasted_until) == (onset() + 15, _w("lidocaine"))
    threshold = value("relief.positive_block_pct")
    lasted = format_minutes(_w("lidocaine") - onset() - 15)
    printed = f"Relief ≥{threshold:g}%: from {format_minutes(onset() + 15)}, lasted {lasted}"

    assert any(line.startswith(printed) for line in pain_block(block, catalog).durations)
    assert printed in outcome_text(block, Scope(procedure_uid="synthetic", catalog=catalog))
    row = outcome_row(screened_patient(), block, catalog)
    assert (row["relief_positive_block_from_min"], row["relief_positive_block_lasted_min"]) == (
        response.began_at,
        response.duration_minutes,
    )


def onset() -> int:
    return int(value("relief.onset_allowance_minutes"))


def test_a_first_block_at_more_levels_counts_for_each_rule_alike():
    """First block at L4-L5 and L5-S1, confirmatory at L4-L5 only, both positive: the confirmatory rule, the RFA
    prerequisite and RFA candidacy all count the first block as an earlier block at L4-L5."""
    pairs = [(15, 1), (_w("bupivacaine"), 1)]
    first = procedure(
        performed_at=WHEN - timedelta(days=30), pre_procedure_pain=8, pain_scores=scores(*pairs),
        medications=[BUPIVACAINE], targets=left("L4-L5", "L5-S1"),
    )  # fmt: skip
    second = procedure(
        performed_at=WHEN, intent="diagnostic_confirmatory", pre_procedure_pain=8, pain_scores=scores(*pairs),
        medications=[BUPIVACAINE], targets=left("L4-L5"),
    )  # fmt: skip
    assert one("lcd.confirmatory_block", procedure=second, priors=[first]).status == Status.MET
    rfa = procedure(
        performed_at=WHEN + timedelta(days=30), technique="radiofrequency_ablation", intent="therapeutic",
        radiofrequency={"method": "conventional"}, targets=left("L4-L5"),
    )  # fmt: skip
    assert one("lcd.rfa_prerequisite", procedure=rfa, priors=[first, second]).status == Status.MET
    f = one("relief.rfa_candidate", procedure=second, priors=[first])
    assert f.verdict == "candidate", f.message
    # The other way round, the later block's extra level was never blocked before: neither rule counts it.
    wider = second.model_copy(update={"targets": first.targets})
    narrow = first.model_copy(update={"targets": second.targets})
    assert one("lcd.confirmatory_block", procedure=wider, priors=[narrow]).status == Status.NOT_MET
    assert one("relief.rfa_candidate", procedure=wider, priors=[narrow]).verdict == "not yet"
