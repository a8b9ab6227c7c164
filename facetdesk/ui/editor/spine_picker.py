"""A drawn spine (C2 to S1, posterior view) on which facet joints are picked by mouse or keyboard."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QFontMetricsF, QPainter
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from facetdesk.domain.catalog import Catalog
from facetdesk.domain.enums import Side
from facetdesk.ui.editor.spine_drawing import SpineDrawing
from facetdesk.ui.editor.spine_geometry import Key, SpineGeometry, SpineLayout


class SpinePicker(QWidget):
    """Click (or move to with the arrow keys and press Space) a facet joint to select or clear it."""

    changed = Signal()

    def __init__(self, catalog: Catalog, parent: QWidget | None = None):
        super().__init__(parent)
        self._drawing = SpineDrawing(self)
        self._catalog = catalog
        self._spine = SpineGeometry(catalog)
        self._selected: set[Key] = set()
        self._nerves: list[Key] = []
        self._cursor: Key = (self._spine.levels[0], Side.LEFT)
        self._hover: Key | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.MinimumExpanding)
        self.setMinimumSize(200, 440)
        self.setAccessibleName(self.tr("Spine picker"))
        self._update_description()

    # ----- API -----

    def targets(self) -> set[Key]:
        return set(self._selected)

    def set_targets(self, targets: Iterable[Key]) -> None:
        """Show these joints as selected, without emitting changed."""
        self._selected = {(level, Side(side)) for level, side in targets if level in self._spine.joint_nerves}
        self._update_description()
        self.update()

    def nerves(self) -> list[Key]:
        """The nerves drawn as blocked."""
        return list(self._nerves)

    def set_nerves(self, nerves: Iterable[Key]) -> None:
        """Mark the nerves a medial branch block reaches (an empty list for other techniques)."""
        self._nerves = [(name, Side(side)) for name, side in nerves]
        self.update()

    def toggle(self, level: str, side: Side) -> None:
        key = (level, Side(side))
        self._selected ^= {key}
        self._update_description()
        self.update()
        self.changed.emit()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self._drawing.paint(QPainter(self))

    def cursor_key(self) -> Key:
        return self._cursor

    def joint_rect(self, level: str, side: Side) -> QRectF:
        return self._geometry().joint_rect(level, side)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(270, 580)

    # ----- text -----

    def _side_name(self, side: Side) -> str:
        return self.tr("left") if side == Side.LEFT else self.tr("right")

    def _joint_name(self, key: Key) -> str:
        level, side = key
        return self.tr("{level} {side}").format(level=level, side=self._side_name(side))

    def _update_description(self) -> None:
        state = self.tr("selected") if self._cursor in self._selected else self.tr("not selected")
        text = self.tr("Cursor on {joint}, {state}.").format(joint=self._joint_name(self._cursor), state=state)
        chosen = [self._joint_name(k) for k in self._spine.ordered(self._selected)]
        if chosen:
            text += " " + self.tr("Selected joints: {joints}.").format(joints=", ".join(chosen))
        else:
            text += " " + self.tr("No joints selected.")
        self.setAccessibleDescription(text)

    def _joint_tip(self, key: Key) -> str:
        state = self.tr("selected") if key in self._selected else self.tr("click to select")
        tip = self.tr("{joint} facet joint ({state})").format(joint=self._joint_name(key), state=state)
        nerves = ", ".join(self._spine.joint_nerves[key[0]])
        return tip + "\n" + self.tr("Medial branch block: {nerves}").format(nerves=nerves)

    # ----- geometry -----

    def _geometry(self) -> SpineLayout:
        return self._spine.layout(self.width(), self.height(), QFontMetricsF(self.font()).height())

    def _nerve_marks(self, geo: SpineLayout) -> list[tuple[Key, QPointF]]:
        return self._spine.nerve_marks(geo, self._nerves)

    @staticmethod
    def _nerve_short(name: str) -> str:
        return SpineGeometry.nerve_short(name)

    def _hit(self, pos: QPointF) -> Key | None:
        return self._geometry().hit(pos)

    # ----- input -----

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        levels = self._spine.levels
        level, side = self._cursor
        i = levels.index(level)
        moves = {
            Qt.Key.Key_Up: (levels[max(i - 1, 0)], side),
            Qt.Key.Key_Down: (levels[min(i + 1, len(levels) - 1)], side),
            Qt.Key.Key_Left: (level, Side.LEFT),
            Qt.Key.Key_Right: (level, Side.RIGHT),
            Qt.Key.Key_Home: (levels[0], side),
            Qt.Key.Key_End: (levels[-1], side),
        }
        key = event.key()
        if key in moves:
            self._cursor = moves[key]
            self._update_description()
            self.update()
        elif key in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.toggle(level, side)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        key = self._hit(event.position()) if event.button() == Qt.MouseButton.LeftButton else None
        if key is None:
            super().mousePressEvent(event)
            return
        self._cursor = key
        self.toggle(*key)
        event.accept()

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt override)
        hover = self._hit(event.position())
        if hover != self._hover:
            self._hover = hover
            if hover is None:
                self.unsetCursor()
            else:
                self.setCursor(Qt.CursorShape.PointingHandCursor)
            self.update()
        super().mouseMoveEvent(event)

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            pos = QPointF(event.pos())
            joint = self._hit(pos)
            nerve = None if joint else self._spine.nerve_hit(self._geometry(), self._nerves, pos)
            if joint:
                QToolTip.showText(event.globalPos(), self._joint_tip(joint), self)
            elif nerve:
                text = self.tr("{nerve}, {side}: blocked").format(nerve=nerve[0], side=self._side_name(nerve[1]))
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        if event.type() == QEvent.Type.Leave and self._hover is not None:
            self._hover = None
            self.unsetCursor()
            self.update()
        return super().event(event)
