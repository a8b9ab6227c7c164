"""A toxin-only visit: the facet rules (LCD, block response) do not apply to it and do not count it; the toxin and
patient-safety rules do, and its units count against the next session's window."""

from __future__ import annotations

from datetime import timedelta

from facetdesk.domain.catalog import get_catalog
from facetdesk.rules import Status
from facetdesk.rules.registry import RULES, evaluate
from tests.builders.records import WHEN, botox, procedure, screened_patient, toxin_visit
from tests.rules.rule_runs import one, value


def test_every_facet_rule_is_not_applicable_and_every_other_rule_still_runs():
    findings = evaluate(screened_patient(), toxin_visit(), [], get_catalog())
    by_rule = {f.rule: f for f in findings}
    assert set(by_rule) == set(RULES)  # every rule answered, none crashed
    facet = [r for r in RULES.values() if r.facet_only]
    assert len(facet) >= 20 and all(r.id.startswith(("lcd.", "relief.")) for r in facet)
    for r in facet:
        f = by_rule[r.id]
        assert f.status == Status.NOT_APPLICABLE and "toxin-only visit" in f.message, r.id
    assert "could not be evaluated" not in " ".join(f.message for f in findings)
    assert by_rule["botox.units_window"].status == Status.MET
    assert "80 U onabotulinumtoxinA this session" in by_rule["botox.units_window"].message


def test_a_toxin_only_visit_counts_in_the_next_sessions_window_but_not_as_a_facet_session():
    cap = value("botox.max_units_window")
    earlier = toxin_visit([cap / 2, cap / 2], performed_at=WHEN - timedelta(days=20))
    block_with_toxin = procedure(botulinum_toxin=botox([10]))
    assert one("botox.units_window", block_with_toxin, priors=(earlier,)).status == Status.NOT_MET
    assert one("botox.interval", block_with_toxin, priors=(earlier,)).status == Status.NOT_MET
    sessions = one("lcd.sessions_12m", block_with_toxin, priors=(earlier,))
    assert "1 diagnostic session(s)" in sessions.message and "therapeutic" not in sessions.message
