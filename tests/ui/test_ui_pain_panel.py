"""Pain diary panel: standard time points from the catalog, live relief, the chart, and load/save round trips."""

from __future__ import annotations

import pytest

from facetdesk.domain.catalog import get_catalog
from facetdesk.domain.procedure import PainScore
from facetdesk.ui.editor.pain_panel import RELIEF, TIME, PainPanel
from tests.ui.helpers import click, find, set_spin


@pytest.fixture
def catalog():
    return get_catalog()


@pytest.fixture
def panel(qtbot, catalog):
    p = PainPanel(catalog)
    qtbot.addWidget(p)
    p.resize(1300, 720)
    p.show()
    return p


def _relief_text(panel: PainPanel, minutes: int) -> str:
    return panel.rows.table.item(panel.row_number(minutes), RELIEF).text()


def _legend(panel: PainPanel) -> str:
    return panel.legend.text().replace("&nbsp;", " ")


def test_the_catalog_lists_the_diary_time_points(catalog):
    assert [m for m, _ in catalog.diary_timepoints] == [
        15,
        30,
        60,
        120,
        240,
        360,
        480,
        1440,
        10080,
        20160,
        43200,
        129600,
    ]
    assert dict(catalog.diary_timepoints)[1440] == "next day" and dict(catalog.diary_timepoints)[43200] == "1 month"


def test_a_clinic_without_a_diary_file_gets_no_standard_rows(tmp_path, catalog):
    from facetdesk.domain.catalog import load_catalog
    from facetdesk.resources import resources_dir

    for f in resources_dir().glob("*.json"):
        if f.name != "pain_diary.json":
            (tmp_path / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_catalog(tmp_path).diary_timepoints == ()


def test_standard_rows_are_ready_to_fill_and_nothing_is_saved_until_scored(panel, catalog):
    assert panel.rows.rows() == len(catalog.diary_timepoints)
    labels = [panel.rows.table.item(r + 1, TIME).text() for r in range(panel.rows.rows())]
    assert labels == [label for _, label in catalog.diary_timepoints]
    minutes = find(panel, "Pain score 1 minutes after injection")
    assert minutes.value() == 15 and minutes.isReadOnly()
    assert find(panel, "Pain score 1 NRS").text() == "—"
    assert panel.scores() == []


def test_scores_hold_only_the_rows_given_an_nrs_and_relief_updates_live(qtbot, panel):
    set_spin(qtbot, find(panel, "Pre-injection pain (NRS)"), 8)
    set_spin(qtbot, find(panel, f"Pain score {panel.row_number(15)} NRS"), 2)
    set_spin(qtbot, find(panel, f"Pain score {panel.row_number(60)} NRS"), 4)
    assert [(s["minutes_after"], s["nrs"]) for s in panel.scores()] == [(15, 2), (60, 4)]
    assert _relief_text(panel, 15) == "75% relief" and _relief_text(panel, 60) == "50% relief"
    assert _relief_text(panel, 30) == ""
    set_spin(qtbot, find(panel, "Pre-injection pain (NRS)"), 10)
    assert _relief_text(panel, 15) == "80% relief"
    # One score at 80% (15 min), 60% at 1 h: seen once, not "lasted 0 min".
    assert panel.summary.text().startswith("Peak relief: 80% at 15 min. Relief ≥80%: at 15 min only (below at 1 h)")


def test_the_chart_plots_the_baseline_and_the_scores(qtbot, panel):
    set_spin(qtbot, find(panel, "Pre-injection pain (NRS)"), 8)
    set_spin(qtbot, find(panel, f"Pain score {panel.row_number(15)} NRS"), 2)
    set_spin(qtbot, find(panel, f"Pain score {panel.row_number(60)} NRS"), 4)
    chart = panel.chart
    assert [(p.x(), p.y()) for p in chart.scores.points()] == [(0, 8), (0.25, 2), (1, 4)]
    assert [(p.x(), p.y()) for p in chart.baseline_point.points()] == [(0, 8)]
    # Relief lines at the NRS that is 50% and 80% below a baseline of 8.
    levels = sorted(line.points()[0].y() for line in chart.relief_lines)
    assert levels == pytest.approx([1.6, 4.0])
    assert all(line.isVisible() for line in chart.relief_lines)
    assert "50% relief (NRS 4)" in _legend(panel) and "80% relief (NRS 1.6)" in _legend(panel)
    assert sorted(chart.relief_axis.categoriesLabels()) == ["0%", "100%", "50%", "80%"]


def test_without_a_baseline_the_chart_has_no_relief_lines(qtbot, panel):
    set_spin(qtbot, find(panel, f"Pain score {panel.row_number(30)} NRS"), 3)
    assert not any(line.isVisible() for line in panel.chart.relief_lines)
    assert [(p.x(), p.y()) for p in panel.chart.scores.points()] == [(0.5, 3)]
    assert _relief_text(panel, 30) == "no baseline"


def test_the_block_agents_expected_duration_is_shaded_to_its_hours(panel):
    area = panel.chart.duration
    assert not area.isVisible()
    panel.set_block_agent("bupivacaine", 3, True)
    assert area.isVisible()
    assert max(p.x() for p in area.upperSeries().points()) == 3
    assert area.name() == "expected duration of bupivacaine: 3 h (unconfirmed)"
    assert "expected duration of bupivacaine: 3 h (unconfirmed)" in _legend(panel)
    assert panel.chart.x_axis.max() >= 3
    panel.set_block_agent("ropivacaine", 8, False)
    assert max(p.x() for p in area.upperSeries().points()) == 8
    assert area.name() == "expected duration of ropivacaine: 8 h"
    panel.set_block_agent(None, None, False)
    assert not area.isVisible()


def test_other_times_can_be_added_removed_and_need_a_time(qtbot, panel):
    n_standard = panel.rows.rows()
    click(qtbot, find(panel, "Pain scores: add row"))
    n = n_standard + 1
    set_spin(qtbot, find(panel, f"Pain score {n} NRS"), 5)
    entry = panel.scores()[0]
    assert entry["minutes_after"] is None  # kept, so saving refuses it rather than dropping a score
    assert panel.rows.table.item(n, RELIEF).text() == "enter the time"
    set_spin(qtbot, find(panel, f"Pain score {n} minutes after injection"), 90)
    assert panel.scores()[0]["minutes_after"] == 90
    assert panel.rows.table.item(n, TIME).text() == "1 h 30 min"
    panel.rows.table.setCurrentCell(n, 0)
    click(qtbot, find(panel, "Pain scores: remove row"))
    assert panel.rows.rows() == n_standard and panel.scores() == []


def test_removing_a_standard_row_clears_it(qtbot, panel):
    n = panel.row_number(240)
    set_spin(qtbot, find(panel, f"Pain score {n} NRS"), 3)
    panel.rows.table.setCurrentCell(n, 0)
    click(qtbot, find(panel, "Pain scores: remove row"))
    assert panel.row_number(240) == n and panel.scores() == []


def test_load_round_trip_puts_other_times_in_time_order(panel):
    stored = [
        PainScore(minutes_after=15, nrs=1, activity="standing"),
        PainScore(minutes_after=90, nrs=3, activity=""),
        PainScore(minutes_after=10080, nrs=6, activity="walking"),
    ]
    panel.load(7, stored)
    assert panel.pre_pain.value_or_none() == 7
    assert [PainScore(**s) for s in panel.scores()] == stored
    # 90 min sits between the 1 h and 2 h rows, and the names follow the display order.
    n = panel.row_number(90)
    assert n == panel.row_number(60) + 1 == panel.row_number(120) - 1
    assert find(panel, f"Pain score {n} NRS").value() == 3
    assert panel.rows.rows() == len(get_catalog().diary_timepoints) + 1
    assert "1 wk: NRS 6" in panel.later.text() and panel.later.isVisible()
    assert max(p.x() for p in panel.chart.scores.points()) == 1.5  # the week is listed, not plotted
    panel.load(None, [])
    assert panel.scores() == [] and panel.rows.rows() == len(get_catalog().diary_timepoints)
    assert panel.pre_pain.value_or_none() is None and not panel.later.isVisible()


def test_the_chart_goes_under_the_grid_on_narrow_widths(qtbot, panel):
    from PySide6.QtWidgets import QBoxLayout

    assert panel._columns.direction() == QBoxLayout.Direction.LeftToRight
    panel.resize(700, 720)
    qtbot.waitUntil(lambda: panel._columns.direction() == QBoxLayout.Direction.TopToBottom)
