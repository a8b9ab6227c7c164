"""Decision support and discharge instructions in the note: findings arrive as data (synthetic messages)."""

from __future__ import annotations

from datetime import datetime

from facetdesk.domain.finding import Finding
from facetdesk.domain.procedure import Override
from facetdesk.note.content import DECISION_SUPPORT_NOT_RUN, NOT_ACKNOWLEDGED, build_note_content
from facetdesk.note.render import render_handout, render_note
from tests.builders.cases import GENERATED_AT, make_case
from tests.pdf_pages import pages_text

SRC_A = "Synthetic guideline A, section 1"
SRC_B = "Synthetic guideline B"
SRC_RELIEF = "Synthetic relief reference"


def finding(
    rule: str, severity: str, status: str, message: str, source: str = SRC_A, verdict: str | None = None
) -> Finding:
    return Finding(rule=rule, severity=severity, status=status, message=message, source=source, verdict=verdict)


FINDINGS = [
    finding("test.caution_open", "caution", "not_evaluated", "Synthetic caution not evaluated.", SRC_B),
    finding("test.warning_unacked", "warning", "not_met", "Synthetic warning not met & <unacked>.", SRC_A),
    finding("test.critical_acked", "critical", "not_met", "Synthetic critical not met.", SRC_B),
    finding("test.info_unmet", "info", "not_met", "Synthetic info not met, not listed."),
    finding("test.met_one", "warning", "met", "Synthetic met one, not listed."),
    finding("test.met_two", "critical", "met", "Synthetic met two, not listed."),
    finding("test.not_applicable", "info", "not_applicable", "Synthetic rule that does not apply."),
    finding("relief.diagnostic_block", "info", "met", "Synthetic block positive at 90%.", SRC_RELIEF),
    finding(
        "relief.rfa_candidate", "info", "met", "Consider synthetic radiofrequency ablation.", SRC_RELIEF, "candidate"
    ),
]
OVERRIDES = [
    Override(
        rule="test.critical_acked",
        reason="Synthetic reason <discussed> & documented",
        acknowledged_by="Dr. Ack Person",
        acknowledged_at=datetime(2026, 10, 1, 9, 41),
    ),
    Override(
        rule="test.no_longer_flagged",
        reason="Synthetic earlier reason",
        acknowledged_by="Dr. Ack Person",
        acknowledged_at=datetime(2026, 10, 1, 9, 42),
    ),
]
DISCHARGE = ("Check your synthetic blood glucose twice a day for 3 days.", "Call the synthetic clinic if unwell.")


def content(**kwargs):
    case = make_case(overrides=OVERRIDES, **kwargs.pop("procedure", {}))
    return build_note_content(case, generated_at=GENERATED_AT, **kwargs)


def test_flagged_rows_most_serious_first_with_acknowledgement():
    d = content(findings=FINDINGS).decision_support
    assert d.ran
    assert [(r.severity, r.rule) for r in d.flagged] == [
        ("CRITICAL", "test.critical_acked"),
        ("WARNING", "test.warning_unacked"),
        ("CAUTION", "test.caution_open"),
    ]
    critical, warning, caution = d.flagged
    assert critical.acknowledgement == (
        "Acknowledged by Dr. Ack Person on 2026-10-01 09:41: Synthetic reason <discussed> & documented"
    )
    assert warning.acknowledgement == NOT_ACKNOWLEDGED
    assert caution.acknowledgement == ""
    # Sources numbered in order of first use (the block's interpretation first); rows refer to them.
    assert d.sources == (SRC_RELIEF, SRC_B, SRC_A)
    assert (critical.source, warning.source, caution.source) == ("2", "3", "2")
    assert d.acknowledgements_on_record == (
        "test.no_longer_flagged — Acknowledged by Dr. Ack Person on 2026-10-01 09:42: Synthetic earlier reason",
    )
    assert [(line.text, line.source) for line in d.relief_interpretation] == [("Synthetic block positive at 90%.", "1")]
    assert [(line.text, line.source) for line in d.next_steps] == [("Consider synthetic radiofrequency ablation.", "1")]
    assert d.met_count == 4
    # 9 findings, one of which does not apply: 8 applied, of which 4 met.
    assert d.met_line == "8 guideline checks applied to this procedure; 4 met"


def test_the_next_step_is_printed_whatever_the_candidacy_and_not_again_as_a_finding():
    not_candidate = finding("relief.rfa_candidate", "caution", "not_met", "Synthetic: look for other generators.",
                            SRC_RELIEF, "not a candidate")  # fmt: skip
    d = content(findings=[*FINDINGS[:-1], not_candidate]).decision_support
    assert [line.text for line in d.relief_interpretation] == ["Synthetic block positive at 90%."]
    assert [line.text for line in d.next_steps] == ["Synthetic: look for other generators."]
    assert "relief.rfa_candidate" not in [row.rule for row in d.flagged]
    na = finding("relief.rfa_candidate", "info", "not_applicable", "Synthetic: not a diagnostic MBB.")
    assert content(findings=[*FINDINGS[:-1], na]).decision_support.next_steps == ()


def test_no_findings_means_not_run():
    c = content()
    assert not c.decision_support.ran
    assert c.decision_support.flagged == ()
    assert c.discharge_instructions == ()


def test_coverage_reasons_only_when_recorded():
    plain = dict(content().indication)
    assert "MBB not possible because" not in plain
    assert "Not a radiofrequency candidate because" not in plain
    both = dict(
        content(
            procedure=dict(mbb_not_possible_reason="Synthetic anatomy", rfa_not_candidate_reason="Synthetic device")
        ).indication
    )
    assert both["MBB not possible because"] == "Synthetic anatomy"
    assert both["Not a radiofrequency candidate because"] == "Synthetic device"


def test_pdf_shows_decision_support():
    pdf = render_note(
        content(
            findings=FINDINGS,
            discharge_instructions=DISCHARGE,
            procedure=dict(mbb_not_possible_reason="Synthetic anatomy", rfa_not_candidate_reason="Synthetic device"),
        )
    )
    text = " ".join(pages_text(pdf))
    for expected in [
        "Decision support",
        "Severity",
        "Finding and acknowledgement",
        "CRITICAL",
        "test.critical_acked: Synthetic critical not met. [2]",  # a rule without a title is named by its id
        "Synthetic warning not met & <unacked>. [3]",
        "Synthetic caution not evaluated. [2]",
        "Acknowledged by Dr. Ack Person on 2026-10-01 09:41: Synthetic reason <discussed> & documented",
        "Not acknowledged",
        "Acknowledgements on record",
        "test.no_longer_flagged",
        "Synthetic earlier reason",
        "Block response: Synthetic block positive at 90%. [1]",
        "Next step (decision support): Consider synthetic radiofrequency ablation. [1]",
        "8 guideline checks applied to this procedure; 4 met",
        "the treating physician decides",
        "Sources",
        f"[1] {SRC_RELIEF}",
        f"[2] {SRC_B}",
        f"[3] {SRC_A}",
        "MBB not possible because",
        "Synthetic anatomy",
        "Not a radiofrequency candidate because",
        "Synthetic device",
    ]:
        assert expected.lower() in text.lower(), expected
    # Met and info findings are counted, not listed.
    for hidden in ("test.met_one", "test.met_two", "Synthetic met one", "test.info_unmet", "Synthetic info not met"):
        assert hidden not in text, hidden
    assert DECISION_SUPPORT_NOT_RUN not in text
    # The patient's instructions are the handout's, not the chart note's.
    assert not any(line in text for line in DISCHARGE)
    handout = " ".join(pages_text(render_handout(content(findings=FINDINGS, discharge_instructions=DISCHARGE))))
    assert all(line in handout for line in DISCHARGE)
    sections = ("Complications", "Pain response", "Interpretation and plan", "Decision support", "Codes")
    order = [text.index(s) for s in sections]
    assert order == sorted(order)


def test_pdf_without_findings_says_not_run():
    text = " ".join(pages_text(render_note(content())))
    assert DECISION_SUPPORT_NOT_RUN in text
    # The handout has only the standard instructions: none of the case-specific ones were passed in.
    handout = " ".join(pages_text(render_handout(content())))
    assert "Keep your pain diary" in handout and "Keep your pain diary" not in text
    assert not any(line in handout for line in DISCHARGE)
    assert "MBB not possible because" not in text
    assert "guideline checks met" not in text


def test_long_findings_wrap_and_stay_byte_stable():
    long = "Synthetic long finding text that must wrap inside its cell. " * 12
    findings = [*FINDINGS, finding("test.a_rather_long_rule_identifier_name", "critical", "not_met", long)]
    c = content(findings=findings, discharge_instructions=DISCHARGE)
    first = render_note(c)
    assert render_note(c) == first
    text = " ".join(pages_text(first))
    # Whole, twice: in the page-1 banner a critical finding gets, and in the decision-support table.
    assert text.count("must wrap inside its cell") == 24
