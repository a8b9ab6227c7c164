"""A findings panel read in two seconds: patient risks pinned, problems by severity, titles, quiet checks counted."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from facetdesk.rules import Finding, Severity, Status
from facetdesk.ui.editor.findings_panel import FindingsPanel
from tests.ui.helpers import start_procedure


def _f(rule: str, severity: Severity, status: Status, message: str = "synthetic message") -> Finding:
    return Finding(rule=rule, severity=severity, status=status, message=message, source="synthetic source")


def _rows(panel: FindingsPanel) -> list[str]:
    return [panel.list.item(i).text() for i in range(panel.list.count())]


def test_problems_come_first_by_severity_with_titles_and_quiet_checks_are_one_count(qtbot):
    panel = FindingsPanel()
    qtbot.addWidget(panel)
    findings = [
        _f("lcd.imaging", Severity.INFO, Status.MET),
        _f("lcd.scales", Severity.WARNING, Status.NOT_MET, "missing: disability score"),
        _f("dose.steroid_session", Severity.INFO, Status.NOT_APPLICABLE),
        _f("risk.allergy", Severity.CRITICAL, Status.NOT_MET, "iohexol given; allergy to iodinated contrast"),
        _f("lcd.pain_duration", Severity.CAUTION, Status.NOT_EVALUATED, "the pain duration is not recorded"),
    ]
    panel.set_findings(findings, [])
    rows = _rows(panel)
    assert rows[0] == "Critical (1)" and rows[1].startswith("Allergies — NOT MET\n")
    assert rows[2] == "Warnings (1)" and rows[3].startswith("Pain and disability scales documented — NOT MET")
    assert rows[4] == "Cautions (1)" and rows[5].startswith("Pain duration — not evaluated")
    assert rows[-1].startswith("✓ 1 checks met, 1 not applicable")
    assert not any("lcd." in r or "risk." in r for r in rows)  # ids are the detail, not the headline
    panel.show_met.setChecked(True)
    assert any(r.startswith("✓ Image guidance accepted for coverage") for r in _rows(panel))
    panel.list.setCurrentItem(panel.item_for("lcd.scales"))
    assert panel.source.text() == "Rule lcd.scales · Source: synthetic source"


def test_nothing_is_cut_off(qtbot):
    from PySide6.QtCore import Qt

    panel = FindingsPanel()
    qtbot.addWidget(panel)
    long = "word " * 80
    panel.set_findings([_f("lcd.scales", Severity.WARNING, Status.NOT_MET, long)], [])
    assert panel.list.wordWrap() and panel.list.textElideMode() == Qt.TextElideMode.ElideNone
    assert long in panel.item_for("lcd.scales").text()


def test_a_patients_blood_thinner_leads_the_panel_with_its_last_dose_even_when_held(qtbot, window, ctx):
    last = datetime(2026, 8, 25, 8, 0)
    patient = ctx.records.save_patient(
        {"mrn": "PIN-1", "family_name": "Pinned", "given_name": "Pat", "date_of_birth": date(1955, 5, 5),
         "sex": "male", "anticoagulants": [{"agent": "apixaban", "last_dose_at": last}]}
    )  # fmt: skip
    ed = start_procedure(qtbot, window, patient.id, last + timedelta(days=7))
    ed.refresh_findings()
    rows = _rows(ed.findings)
    assert rows[0] == "Patient risks"
    assert rows[1].startswith("✓ Blood thinners: apixaban last taken 2026-08-25 08:00, 168 h before the procedure")


def test_unconfirmed_threshold_keys_are_the_detail_not_the_headline_and_counts_read_as_words(qtbot):
    panel = FindingsPanel()
    qtbot.addWidget(panel)
    f = Finding(rule="relief.diagnostic_block", severity=Severity.CAUTION, status=Status.NOT_MET,
                message="indeterminate [uses an unconfirmed threshold: review before relying on it]",
                source="synthetic source", unconfirmed=True,
                unconfirmed_keys=("relief.expected_duration_hours",))  # fmt: skip
    panel.set_findings([f, _f("lcd.scales", Severity.WARNING, Status.NOT_MET), _f("lcd.imaging", Severity.CAUTION,
                        Status.NOT_MET)], [])  # fmt: skip
    assert not any("relief.expected_duration_hours" in r for r in _rows(panel))
    panel.list.setCurrentItem(panel.item_for("relief.diagnostic_block"))
    assert panel.source.text().endswith("Unconfirmed threshold(s) to review: relief.expected_duration_hours")
    assert panel.summary.text().startswith("1 warning, 2 cautions;")


def test_every_line_of_a_wrapped_finding_has_room_at_any_panel_width(qtbot):
    """Qt's own height for a wrapped item is measured wider than the text is painted: at some widths the last line
    of a finding (the off-label advisory at a 1280-pixel window) was cut off with '…'."""
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtWidgets import QStyle

    panel = FindingsPanel()
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    messages = (
        "off-label: not an FDA indication for paraspinal injection for back pain; Medicare coverage depends on "
        "the MAC's botulinum toxin LCD [coverage unconfirmed: review before relying on it]",
        "diagnostic block negative; peak relief 87.5% at 15 min; relief >=80% from 15 min, lasted 15 min; expected "
        "duration of bupivacaine 3 h; threshold 80% (relief fell below 80% at 1 h, before 3 h)",
        "not a candidate on this block: it was negative at L4-L5, L5-S1 (2026-10-05 bupivacaine 87.5% negative)",
    )
    panel.set_findings(
        [_f("botox.off_label", Severity.INFO, Status.ADVISORY, messages[0]),
         _f("relief.diagnostic", Severity.CAUTION, Status.NOT_MET, messages[1]),
         _f("relief.rfa_candidate", Severity.CAUTION, Status.NOT_MET, messages[2])], []
    )  # fmt: skip
    lst = panel.list
    # The text is painted inside the item less the focus-frame margin twice on each side (QCommonStyle).
    margin = lst.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, lst) + 1
    cut = []
    for width in range(320, 720, 3):
        panel.resize(width, 900)
        qtbot.waitUntil(lambda w=width: lst.viewport().width() <= w)
        for i in range(lst.count()):
            item = lst.item(i)
            rect = lst.visualItemRect(item)
            text_rect = QRect(0, 0, rect.width() - 4 * margin, 100_000)
            needed = lst.fontMetrics().boundingRect(text_rect, Qt.TextFlag.TextWordWrap, item.text()).height()
            if needed > rect.height():
                cut.append((width, item.text()[:30]))
    assert cut == []
