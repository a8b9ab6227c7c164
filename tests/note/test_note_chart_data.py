"""The relief chart's data: axis, relief lines, the anaesthetic's expected duration, and when there is no chart."""

from __future__ import annotations

import pytest

from facetdesk.domain.catalog import get_catalog
from facetdesk.domain.procedure import MedicationAdministration, PainScore
from facetdesk.note.chart import relief_chart_drawing
from facetdesk.note.chart_data import expected_duration, relief_chart
from tests.builders.cases import make_case, mbb_botox_case


def chart(case):
    return relief_chart(case.procedure, get_catalog())


def test_mbb_chart_data():
    data, note = chart(mbb_botox_case())
    assert data is not None and note == ""
    catalog = get_catalog()
    hours = catalog.threshold("relief.expected_duration_hours").value["bupivacaine"]
    assert data.baseline == 8
    # The 2-day score stays in the table; the axis holds the 6 h of plotted scores.
    assert data.points[-1] == (360, 6)
    assert data.axis_minutes == 360 and data.axis_title == "Hours after injection"
    assert data.ticks[0] == (0, "0") and data.ticks[-1] == (360, "6")
    assert data.shade_minutes == hours * 60
    assert data.shade_label == f"expected duration of bupivacaine: {hours:g} h (unconfirmed)"
    meaningful = catalog.threshold("relief.meaningful_pct").value
    positive = catalog.threshold("relief.positive_block_pct").value
    assert [(line.pct, line.nrs) for line in data.relief_lines] == [
        (meaningful, pytest.approx(8 * (1 - meaningful / 100))),
        (positive, pytest.approx(8 * (1 - positive / 100))),
    ]
    assert "Scores after 24 h (2 d) are in the table, not the chart." in data.caption


@pytest.mark.parametrize(
    "overrides,reason",
    [
        (dict(pre_procedure_pain=None), "No relief chart: no pre-injection pain score."),
        (dict(pain_scores=[]), "No relief chart: no post-injection pain scores."),
        (
            dict(pain_scores=[PainScore(minutes_after=3 * 24 * 60, nrs=4)]),
            "No relief chart: no scores in the first 24 h after injection (later scores are in the table).",
        ),
    ],
)
def test_no_chart_says_why(overrides, reason):
    data, note = chart(mbb_botox_case(**overrides))
    assert data is None and note == reason


def test_short_diary_uses_minutes():
    data, _ = chart(make_case(medications=[], pain_scores=[PainScore(minutes_after=20, nrs=3)]))
    assert data is not None
    assert data.axis_minutes == 60 and data.axis_title == "Minutes after injection"
    assert data.shade_minutes is None and "none is shaded" in data.caption


def test_longest_target_anaesthetic_is_shaded_and_skin_infiltration_is_not():
    catalog = get_catalog()
    hours = catalog.threshold("relief.expected_duration_hours").value
    meds = [
        MedicationAdministration(agent="ropivacaine", concentration_mg_per_ml=5, volume_ml=4, site="skin"),
        MedicationAdministration(
            agent="lidocaine", concentration_mg_per_ml=10, volume_ml=0.5, volume_basis="per_nerve"
        ),
        MedicationAdministration(
            agent="bupivacaine", concentration_mg_per_ml=5, volume_ml=0.5, volume_basis="per_nerve"
        ),
    ]
    name, h, unconfirmed = expected_duration(make_case(medications=meds).procedure, catalog)
    assert (name, h) == ("bupivacaine", hours["bupivacaine"])
    assert unconfirmed == catalog.threshold("relief.expected_duration_hours").unconfirmed
    assert expected_duration(make_case(medications=meds[:1]).procedure, catalog) is None


def test_drawing_fits_the_content_width():
    data, _ = chart(mbb_botox_case())
    drawing = relief_chart_drawing(data)
    from facetdesk.note import styles as st

    assert drawing.width == pytest.approx(st.CONTENT_WIDTH)
