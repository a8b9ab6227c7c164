"""How the spine picker draws itself: bands, vertebral bodies, facets, nerves and the legend."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPalette, QPen

from facetdesk.domain.enums import Side
from facetdesk.ui.editor.spine_geometry import Key, SpineGeometry, SpineLayout

# The only colours not taken from the palette: the selection accent and the nerve marker (which matches
# the green the targets summary uses for derived values). Each has a lighter twin for dark palettes.
SELECTED_COLOR = ("#e8590c", "#ff8a3d")
NERVE_COLOR = ("#2b8a3e", "#69db7c")


class Picker(Protocol):
    """What the drawing reads from the spine picker, declared here so this module need not import the picker."""

    _selected: set[Key]
    _hover: Key | None
    _cursor: Key

    def palette(self) -> QPalette: ...
    def font(self) -> QFont: ...
    def rect(self) -> QRect: ...
    def width(self) -> int: ...
    def hasFocus(self) -> bool: ...
    def tr(self, text: str, /) -> str: ...
    def _geometry(self) -> SpineLayout: ...
    def _nerve_marks(self, geo: SpineLayout) -> list[tuple[Key, QPointF]]: ...
    def _side_name(self, side: Side) -> str: ...


class SpineDrawing:
    """Paints a SpinePicker: reads the picker's geometry, selection, cursor and nerves; keeps no state."""

    def __init__(self, picker: Picker):
        self._picker = picker

    def _accent(self, pair: tuple[str, str]) -> QColor:
        dark = self._picker.palette().color(QPalette.ColorRole.Window).lightness() < 128
        return QColor(pair[1] if dark else pair[0])

    def paint(self, p: QPainter) -> None:
        """Paint through p, a painter just opened on the picker, and end it."""
        geo = self._picker._geometry()
        pal = self._picker.palette()
        text = pal.color(QPalette.ColorRole.WindowText)
        muted = QColor(text)
        muted.setAlphaF(0.6)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)

        card = QRectF(self._picker.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        p.setPen(QPen(pal.color(QPalette.ColorRole.Mid), 1))
        p.setBrush(pal.color(QPalette.ColorRole.Base))
        p.drawRoundedRect(card, 6, 6)

        small = QFont(self._picker.font())
        small.setPixelSize(geo.label_px)
        self._paint_bands(p, geo, small, muted)
        self._paint_header(p, geo, muted)
        self._paint_columns(p, geo)
        self._paint_bodies(p, geo, small)
        self._paint_facets(p, geo)
        self._paint_nerves(p, geo, small)
        self._paint_legend(p, geo, muted)
        p.end()

    def _paint_bands(self, p: QPainter, geo: SpineLayout, font: QFont, muted: QColor) -> None:
        shade = QColor(self._picker.palette().color(QPalette.ColorRole.Text))
        names = {"C": self._picker.tr("Cervical"), "T": self._picker.tr("Thoracic"), "LS": self._picker.tr("Lumbar")}
        p.setFont(font)
        for i, (letters, rect) in enumerate(geo.bands):
            shade.setAlphaF(0.035 if i % 2 else 0.06)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(shade)
            p.drawRoundedRect(rect, 5, 5)
            p.save()
            p.setPen(muted)
            p.translate(rect.left() + geo.label_px * 0.9, rect.center().y())
            p.rotate(-90)
            strip = QRectF(-rect.height() / 2, -geo.label_px, rect.height(), geo.label_px * 1.6)
            p.drawText(strip, Qt.AlignmentFlag.AlignCenter, names[letters])
            p.restore()

    def _paint_header(self, p: QPainter, geo: SpineLayout, muted: QColor) -> None:
        p.setFont(self._picker.font())
        p.setPen(muted)
        first = geo.levels[0]
        for side in (Side.LEFT, Side.RIGHT):
            x = geo.facets[(first, side)].center().x()
            rect = QRectF(x - 60, geo.header_y - 10, 120, 20)
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, self._picker._side_name(side).capitalize())

    def _paint_columns(self, p: QPainter, geo: SpineLayout) -> None:
        """A faint line through each side's facets: the articular pillar the joints stack along."""
        pen = QPen(self._picker.palette().color(QPalette.ColorRole.Mid), max(1.0, geo.unit * 0.12))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        for side in (Side.LEFT, Side.RIGHT):
            path = QPainterPath(geo.facets[(geo.levels[0], side)].center())
            for level in geo.levels[1:]:
                path.lineTo(geo.facets[(level, side)].center())
            p.drawPath(path)

    def _paint_bodies(self, p: QPainter, geo: SpineLayout, font: QFont) -> None:
        pal = self._picker.palette()
        p.setFont(font)
        fill = pal.color(QPalette.ColorRole.Button)
        edge = pal.color(QPalette.ColorRole.Dark)
        for name, rect in geo.bodies.items():
            p.setPen(QPen(edge, 1))
            p.setBrush(fill)
            if name.startswith("S"):
                # The sacrum narrows downward: a rounded trapezoid rather than a box.
                inset = rect.width() * 0.18
                path = QPainterPath()
                path.moveTo(rect.left(), rect.top() + 3)
                path.quadTo(rect.left(), rect.top(), rect.left() + 3, rect.top())
                path.lineTo(rect.right() - 3, rect.top())
                path.quadTo(rect.right(), rect.top(), rect.right(), rect.top() + 3)
                path.lineTo(rect.right() - inset, rect.bottom())
                path.lineTo(rect.left() + inset, rect.bottom())
                path.closeSubpath()
                p.drawPath(path)
            else:
                radius = min(rect.height(), rect.width()) * 0.28
                p.drawRoundedRect(rect, radius, radius)
            p.setPen(pal.color(QPalette.ColorRole.ButtonText))
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, name)

    def _paint_facets(self, p: QPainter, geo: SpineLayout) -> None:
        pal = self._picker.palette()
        accent = self._accent(SELECTED_COLOR)
        outline = QColor(pal.color(QPalette.ColorRole.Text))
        outline.setAlphaF(0.55)
        highlight = pal.color(QPalette.ColorRole.Highlight)
        for key, rect in geo.facets.items():
            selected = key in self._picker._selected
            if selected:
                p.setPen(QPen(accent.darker(125), 1.2))
                p.setBrush(accent)
            else:
                p.setPen(QPen(outline, 1))
                p.setBrush(pal.color(QPalette.ColorRole.Base))
            p.drawEllipse(rect)
            if key == self._picker._hover:
                tint = QColor(highlight)
                tint.setAlphaF(0.35)
                p.setPen(QPen(highlight, 1.5))
                p.setBrush(tint)
                p.drawEllipse(rect)
        if self._picker.hasFocus():
            rect = geo.facets[self._picker._cursor].adjusted(-3, -3, 3, 3)
            p.setPen(QPen(highlight, 2))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawEllipse(rect)

    def _paint_nerves(self, p: QPainter, geo: SpineLayout, font: QFont) -> None:
        color = self._accent(NERVE_COLOR)
        r = max(2.5, geo.unit * 0.22)
        fm = QFontMetricsF(font)
        h = fm.height()
        p.setFont(font)
        marks = self._picker._nerve_marks(geo)
        for side in (Side.LEFT, Side.RIGHT):
            label_y = -1e9
            for (name, _), c in sorted((m for m in marks if m[0][1] == side), key=lambda m: m[1].y()):
                # Labels closer than a line apart (e.g. the third occipital nerve above C3) are pushed
                # down and tied to their dot with a short leader.
                label_y = max(c.y(), label_y + h)
                sign = -1 if side == Side.LEFT else 1
                anchor = QPointF(c.x() + sign * (r + 3), label_y)
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(color)
                p.drawEllipse(c, r, r)
                if abs(label_y - c.y()) > 0.5:
                    p.setPen(QPen(color, 0.8))
                    p.drawLine(c, QPointF(anchor.x() - sign * 1, label_y))
                short = SpineGeometry.nerve_short(name)
                w = fm.horizontalAdvance(short) + 2
                box = QRectF(anchor.x() - w if side == Side.LEFT else anchor.x(), label_y - h / 2, w, h)
                align = Qt.AlignmentFlag.AlignVCenter | (
                    Qt.AlignmentFlag.AlignRight if side == Side.LEFT else Qt.AlignmentFlag.AlignLeft
                )
                p.setPen(color)
                p.drawText(box, align, short)

    def _paint_legend(self, p: QPainter, geo: SpineLayout, muted: QColor) -> None:
        fm = QFontMetricsF(self._picker.font())
        line = fm.height() + 4
        p.setFont(self._picker.font())
        x0 = 14.0
        y = geo.legend_top + 6
        accent = self._accent(SELECTED_COLOR)
        nerve = self._accent(NERVE_COLOR)
        items = (
            (accent, self._picker.tr("Selected joint"), True),
            (nerve, self._picker.tr("Nerve blocked (medial branch)"), False),
        )
        for color, label, ellipse in items:
            cy = y + line / 2
            p.setPen(QPen(color.darker(125), 1) if ellipse else Qt.PenStyle.NoPen)
            p.setBrush(color)
            if ellipse:
                p.drawEllipse(QRectF(x0, cy - 5, 15, 10))
            else:
                p.drawEllipse(QPointF(x0 + 7.5, cy), 3.5, 3.5)
            p.setPen(muted)
            p.drawText(QRectF(x0 + 22, y, self._picker.width() - x0 - 30, line), Qt.AlignmentFlag.AlignVCenter, label)
            y += line
