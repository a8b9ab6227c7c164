"""Targets: facet joints by level and side, with the nerves a medial branch block reaches."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from facetdesk.domain.catalog import Catalog
from facetdesk.domain.enums import Side
from facetdesk.ui.common import style
from facetdesk.ui.common.widgets import named
from facetdesk.ui.editor.spine_picker import SpinePicker


class TargetsPanel(QWidget):
    changed = Signal()

    def __init__(self, catalog: Catalog):
        super().__init__()
        self._catalog = catalog
        self.boxes: dict[tuple[str, Side], QCheckBox] = {}
        # The drawing and the check-box grid (the table-like view screen readers walk) show the same
        # selection; each user action on either updates the other silently and emits changed once.
        self.picker = SpinePicker(catalog)
        self.picker.changed.connect(self._on_picker_changed)
        columns = QHBoxLayout()
        columns.addWidget(self.picker, 0, Qt.AlignmentFlag.AlignTop)
        for region in ("cervical", "thoracic", "lumbar"):
            group = QGroupBox(self.tr(region.capitalize()))
            grid = QGridLayout(group)
            grid.addWidget(QLabel(self.tr("<b>Joint</b>")), 0, 0)
            grid.addWidget(QLabel(self.tr("<b>Left</b>")), 0, 1)
            grid.addWidget(QLabel(self.tr("<b>Right</b>")), 0, 2)
            row = 1
            for joint in catalog.joints:
                if joint.region != region:
                    continue
                # The level's name ticks both sides in one click (most blocks are bilateral), or clears both.
                both = named(QToolButton(), f"{joint.level} both sides")
                both.setText(joint.level)
                both.setAutoRaise(True)
                both.setToolTip(
                    self.tr("Tick both sides of {level} (click again to clear both)").format(level=joint.level)
                )
                both.clicked.connect(lambda _checked=False, level=joint.level: self.toggle_both(level))
                grid.addWidget(both, row, 0)
                for col, side in ((1, Side.LEFT), (2, Side.RIGHT)):
                    box = named(QCheckBox(), f"{joint.level} {side.label.lower()}")
                    box.setToolTip(f"{joint.level} {side.label.lower()} facet joint")
                    box.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
                    box.toggled.connect(self._on_box_toggled)
                    grid.addWidget(box, row, col, Qt.AlignmentFlag.AlignCenter)
                    self.boxes[(joint.level, side)] = box
                row += 1
            grid.setRowStretch(row, 1)
            columns.addWidget(group)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet(f"color: {style.DERIVED_COLOR};")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(columns)
        layout.addWidget(self.summary)

    def targets(self) -> list[dict]:
        return [{"level": level, "side": side} for (level, side), box in self.boxes.items() if box.isChecked()]

    def set_targets(self, targets) -> None:
        wanted = {(t.level, t.side) for t in targets}
        self._check_boxes(wanted)
        self.picker.set_targets(wanted)
        self.changed.emit()

    def set_nerves(self, nerves: list[tuple[str, Side]]) -> None:
        """Show on the drawing the nerves a medial branch block reaches (empty for other techniques)."""
        self.picker.set_nerves(nerves)

    def _check_boxes(self, wanted: set[tuple[str, Side]]) -> None:
        for key, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(key in wanted)
            box.blockSignals(False)

    def toggle_both(self, level: str) -> None:
        """Tick both sides of ``level``; when both are ticked already, clear both."""
        pair = [self.boxes[(level, side)] for side in (Side.LEFT, Side.RIGHT)]
        tick = not all(box.isChecked() for box in pair)
        wanted = {key for key, box in self.boxes.items() if box.isChecked()}
        wanted = (
            wanted | {(level, s) for s in (Side.LEFT, Side.RIGHT)}
            if tick
            else wanted - {(level, Side.LEFT), (level, Side.RIGHT)}
        )
        self._check_boxes(wanted)
        self.picker.set_targets(wanted)
        self.changed.emit()

    def _on_box_toggled(self, _checked: bool) -> None:
        self.picker.set_targets(key for key, box in self.boxes.items() if box.isChecked())
        self.changed.emit()

    def _on_picker_changed(self) -> None:
        self._check_boxes(self.picker.targets())
        self.changed.emit()

    def set_summary(self, text: str) -> None:
        self.summary.setText(text)
