"""A drawn spine (C2 to S1, posterior view) on which facet joints are picked by mouse or keyboard."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from facetdesk.domain.catalog import Catalog
from facetdesk.domain.enums import Side
from facetdesk.ui.editor.spine_drawing import _BODY, _GAP, _NERVE_LEVEL, _REGIONS, Key, SpineDrawing, _Geometry


class SpinePicker(QWidget):
    """Click (or move to with the arrow keys and press Space) a facet joint to select or clear it."""

    changed = Signal()

    def __init__(self, catalog: Catalog, parent: QWidget | None = None):
        super().__init__(parent)
        self._drawing = SpineDrawing(self)
        self._catalog = catalog
        self._levels = [j.level for j in catalog.joints]
        self._joint_nerves = {j.level: j.nerves for j in catalog.joints}
        self._vertebrae: list[str] = []
        for level in self._levels:
            for name in level.split("-"):
                if name not in self._vertebrae:
                    self._vertebrae.append(name)
        self._selected: set[Key] = set()
        self._nerves: list[Key] = []
        self._cursor: Key = (self._levels[0], Side.LEFT)
        self._hover: Key | None = None
        self._geo: _Geometry | None = None
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
        self._selected = {(level, Side(side)) for level, side in targets if level in self._joint_nerves}
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
        self._drawing.paint()

    def cursor_key(self) -> Key:
        return self._cursor

    def joint_rect(self, level: str, side: Side) -> QRectF:
        return QRectF(self._geometry().facets[(level, Side(side))])

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
        chosen = [self._joint_name(k) for k in self._ordered(self._selected)]
        if chosen:
            text += " " + self.tr("Selected joints: {joints}.").format(joints=", ".join(chosen))
        else:
            text += " " + self.tr("No joints selected.")
        self.setAccessibleDescription(text)

    def _ordered(self, keys: Iterable[Key]) -> list[Key]:
        order = {level: i for i, level in enumerate(self._levels)}
        return sorted(keys, key=lambda k: (order[k[0]], k[1] != Side.LEFT))

    def _joint_tip(self, key: Key) -> str:
        state = self.tr("selected") if key in self._selected else self.tr("click to select")
        tip = self.tr("{joint} facet joint ({state})").format(joint=self._joint_name(key), state=state)
        nerves = ", ".join(self._joint_nerves[key[0]])
        return tip + "\n" + self.tr("Medial branch block: {nerves}").format(nerves=nerves)

    # ----- geometry -----

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self._geo = None
        super().resizeEvent(event)

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self._geo = None
            self.update()
        super().changeEvent(event)

    def _geometry(self) -> _Geometry:
        if self._geo is None:
            self._geo = self._layout()
        return self._geo

    def _layout(self) -> _Geometry:
        fm = QFontMetricsF(self.font())
        line = fm.height()
        margin = 8.0
        header = line + 8
        legend = 2 * (line + 4) + 8
        avail_h = max(self.height() - 2 * margin - header - legend, 100.0)
        heights = [_BODY[v[0]][0] for v in self._vertebrae]
        total_units = sum(heights) + _GAP * (len(heights) - 1)
        # Half the drawing's width in units: widest body, facet, nerve dot and label, plus the region strip.
        half_units = _BODY["S"][1] / 2 + 3.6
        unit = min(avail_h / total_units, (self.width() - 2 * margin) / (2 * half_units + 1.4))
        unit = max(unit, 4.0)
        # Widths may stretch a little beyond the height unit when there is room, so bodies read as bodies.
        ux = max(unit, min(unit * 1.35, (self.width() - 2 * margin) / (2 * half_units + 1.4)))
        cx = self.width() / 2 + 0.7 * ux  # leave the region labels room on the left
        top = margin + header + (avail_h - total_units * unit) / 2
        bodies: dict[str, QRectF] = {}
        y = top
        for name, h in zip(self._vertebrae, heights, strict=True):
            w = _BODY[name[0]][1] * ux
            bodies[name] = QRectF(cx - w / 2, y, w, h * unit)
            y += (h + _GAP) * unit
        facets: dict[Key, QRectF] = {}
        joint_y: dict[str, float] = {}
        for level in self._levels:
            upper, lower = (bodies[v] for v in level.split("-"))
            jy = (upper.bottom() + lower.top()) / 2
            joint_y[level] = jy
            fh = 0.62 * ((upper.height() + lower.height()) / 2 + _GAP * unit)
            fw = fh * 1.5 * ux / unit
            offset = (upper.width() + lower.width()) / 4 + fw * 0.42
            for side, sign in ((Side.LEFT, -1), (Side.RIGHT, 1)):
                fx = cx + sign * offset
                facets[(level, side)] = QRectF(fx - fw / 2, jy - fh / 2, fw, fh)
        bands = []
        left = margin + 2
        right = self.width() - margin - 2
        for letters in _REGIONS:
            names = [v for v in self._vertebrae if v[0] in letters]
            if not names:
                continue
            t = bodies[names[0]].top() - _GAP * unit / 2 + 1
            b = bodies[names[-1]].bottom() + _GAP * unit / 2 - 1
            bands.append((letters, QRectF(left, t, right - left, b - t)))
        label_px = int(max(8, min(12, unit * 0.62)))
        return _Geometry(
            unit=unit,
            bodies=bodies,
            facets=facets,
            joint_y=joint_y,
            bands=bands,
            header_y=margin + header / 2,
            legend_top=self.height() - margin - legend,
            label_px=label_px,
        )

    def _nerve_y(self, name: str, geo: _Geometry) -> float | None:
        """Where a nerve is marked: beside the vertebra it is named after, else at the first joint it serves."""
        m = _NERVE_LEVEL.match(name)
        if m and m.group(0) in geo.bodies:
            return geo.bodies[m.group(0)].center().y()
        for level in self._levels:
            if name in self._joint_nerves[level]:
                return geo.joint_y[level]
        return None

    @staticmethod
    def _nerve_short(name: str) -> str:
        m = _NERVE_LEVEL.match(name)
        return m.group(0) if m else "".join(word[0].upper() for word in name.split())

    def _nerve_marks(self, geo: _Geometry) -> list[tuple[Key, QPointF]]:
        marks = []
        dx = 0.75 * geo.unit
        for name, side in dict.fromkeys(self._nerves):
            y = self._nerve_y(name, geo)
            if y is None:
                continue
            # Beside the facet column on that side, lateral to the widest facet near that height.
            nearest = min(self._levels, key=lambda lv: abs(geo.joint_y[lv] - y))
            rect = geo.facets[(nearest, side)]
            x = rect.left() - dx if side == Side.LEFT else rect.right() + dx
            marks.append(((name, side), QPointF(x, y)))
        return marks

    def _hit(self, pos: QPointF) -> Key | None:
        geo = self._geometry()
        best, best_d = None, None
        for key, rect in geo.facets.items():
            grown = rect.adjusted(-3, -2, 3, 2)
            if grown.contains(pos):
                d = (rect.center() - pos).manhattanLength()
                if best_d is None or d < best_d:
                    best, best_d = key, d
        return best

    def _nerve_hit(self, pos: QPointF) -> Key | None:
        geo = self._geometry()
        r = max(5.0, geo.unit * 0.5)
        for key, p in self._nerve_marks(geo):
            if (p - pos).manhattanLength() <= r:
                return key
        return None

    # ----- input -----

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        level, side = self._cursor
        i = self._levels.index(level)
        key = event.key()
        if key == Qt.Key.Key_Up:
            self._move(self._levels[max(i - 1, 0)], side)
        elif key == Qt.Key.Key_Down:
            self._move(self._levels[min(i + 1, len(self._levels) - 1)], side)
        elif key == Qt.Key.Key_Left:
            self._move(level, Side.LEFT)
        elif key == Qt.Key.Key_Right:
            self._move(level, Side.RIGHT)
        elif key == Qt.Key.Key_Home:
            self._move(self._levels[0], side)
        elif key == Qt.Key.Key_End:
            self._move(self._levels[-1], side)
        elif key in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.toggle(level, side)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def _move(self, level: str, side: Side) -> None:
        self._cursor = (level, side)
        self._update_description()
        self.update()

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

    def leaveEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self._hover is not None:
            self._hover = None
            self.unsetCursor()
            self.update()
        super().leaveEvent(event)

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            pos = QPointF(event.pos())
            joint = self._hit(pos)
            nerve = None if joint else self._nerve_hit(pos)
            if joint:
                QToolTip.showText(event.globalPos(), self._joint_tip(joint), self)
            elif nerve:
                text = self.tr("{nerve}, {side}: blocked").format(nerve=nerve[0], side=self._side_name(nerve[1]))
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def focusInEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.update()
        super().focusOutEvent(event)

    # ----- painting -----
