"""The spine picker: joints chosen by keyboard or mouse, kept in step with the targets check boxes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from facetdesk.domain.catalog import load_catalog
from facetdesk.domain.enums import Side
from facetdesk.resources import resources_dir
from facetdesk.ui.editor.targets_panel import TargetsPanel
from tests.ui.helpers import click, find


@pytest.fixture
def panel(qtbot):
    widget = TargetsPanel(load_catalog(resources_dir()))
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _count(signal) -> list:
    calls: list = []
    signal.connect(lambda: calls.append(1))
    return calls


def test_keyboard_selects_and_clears_a_joint(qtbot, panel):
    picker = find(panel, "Spine picker")
    levels = [j.level for j in panel._catalog.joints]
    changes = _count(panel.changed)
    picker.setFocus()
    qtbot.keyClick(picker, Qt.Key.Key_Home)
    for _ in range(levels.index("L4-L5")):
        qtbot.keyClick(picker, Qt.Key.Key_Down)
    qtbot.keyClick(picker, Qt.Key.Key_Right)
    assert picker.cursor_key() == ("L4-L5", Side.RIGHT)
    qtbot.keyClick(picker, Qt.Key.Key_Space)
    assert picker.targets() == {("L4-L5", Side.RIGHT)}
    assert find(panel, "L4-L5 right").isChecked()
    assert panel.targets() == [{"level": "L4-L5", "side": Side.RIGHT}]
    assert len(changes) == 1
    qtbot.keyClick(picker, Qt.Key.Key_Space)
    assert picker.targets() == set()
    assert not find(panel, "L4-L5 right").isChecked()
    assert len(changes) == 2


def test_keyboard_edges_and_enter(qtbot, panel):
    picker = panel.picker
    picker.setFocus()
    qtbot.keyClick(picker, Qt.Key.Key_Up)
    assert picker.cursor_key() == ("C2-C3", Side.LEFT)
    qtbot.keyClick(picker, Qt.Key.Key_End)
    qtbot.keyClick(picker, Qt.Key.Key_Down)
    assert picker.cursor_key() == ("L5-S1", Side.LEFT)
    qtbot.keyClick(picker, Qt.Key.Key_Return)
    assert find(panel, "L5-S1 left").isChecked()
    qtbot.keyClick(picker, Qt.Key.Key_Left)
    qtbot.keyClick(picker, Qt.Key.Key_Home)
    assert picker.cursor_key() == ("C2-C3", Side.LEFT)


def test_clicking_a_facet_on_the_drawing_toggles_it(qtbot, panel):
    picker = panel.picker
    changes = _count(panel.changed)
    spot = picker.joint_rect("L5-S1", Side.LEFT).center().toPoint()
    qtbot.mouseClick(picker, Qt.MouseButton.LeftButton, pos=spot)
    assert picker.targets() == {("L5-S1", Side.LEFT)}
    assert find(panel, "L5-S1 left").isChecked()
    assert picker.hasFocus() or not picker.isActiveWindow()
    assert picker.cursor_key() == ("L5-S1", Side.LEFT)
    qtbot.mouseClick(picker, Qt.MouseButton.LeftButton, pos=spot)
    assert picker.targets() == set()
    assert not find(panel, "L5-S1 left").isChecked()
    assert len(changes) == 2


def test_every_facet_is_hit_where_it_is_drawn(qtbot, panel):
    picker = panel.picker
    for joint in panel._catalog.joints:
        for side in Side:
            assert picker._hit(picker.joint_rect(joint.level, side).center()) == (joint.level, side)
    assert picker._hit(picker.rect().topLeft().toPointF()) is None


def test_ticking_a_check_box_updates_the_drawing(qtbot, panel):
    changes = _count(panel.changed)
    drawing = _count(panel.picker.changed)
    click(qtbot, find(panel, "C5-C6 left"))
    assert panel.picker.targets() == {("C5-C6", Side.LEFT)}
    assert len(changes) == 1 and drawing == []
    click(qtbot, find(panel, "C5-C6 left"))
    assert panel.picker.targets() == set()
    assert len(changes) == 2


def test_set_targets_does_not_emit_changed(qtbot, panel):
    picker = panel.picker
    with qtbot.assertNotEmitted(picker.changed):
        picker.set_targets([("T4-T5", Side.RIGHT)])
    assert picker.targets() == {("T4-T5", Side.RIGHT)}


def test_accessible_description_names_cursor_and_selection(qtbot, panel):
    picker = panel.picker
    assert picker.accessibleName() == "Spine picker"
    assert picker.focusPolicy() == Qt.FocusPolicy.StrongFocus
    picker.setFocus()
    qtbot.keyClick(picker, Qt.Key.Key_End)
    qtbot.keyClick(picker, Qt.Key.Key_Up)
    qtbot.keyClick(picker, Qt.Key.Key_Space)
    description = picker.accessibleDescription()
    assert "L4-L5 left, selected" in description
    assert "Selected joints: L4-L5 left" in description
    qtbot.keyClick(picker, Qt.Key.Key_Right)
    assert "L4-L5 right, not selected" in picker.accessibleDescription()


def test_nerves_and_tooltips(qtbot, panel):
    picker = panel.picker
    panel.set_nerves([("L3 medial branch", Side.LEFT), ("third occipital nerve", Side.RIGHT)])
    marks = {key for key, _ in picker._nerve_marks(picker._geometry())}
    assert marks == {("L3 medial branch", Side.LEFT), ("third occipital nerve", Side.RIGHT)}
    assert picker._nerve_short("third occipital nerve") == "TON"
    tip = picker._joint_tip(("L4-L5", Side.LEFT))
    assert "L4-L5 left" in tip and "L3 medial branch" in tip and "L4 medial branch" in tip
    picker.grab()  # paints with nerves, hover and selection without warnings
    picker.resize(220, 460)
    picker.grab()
