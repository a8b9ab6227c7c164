"""Where the spine picker's bodies, facets, bands and nerve marks sit for a given size, font and catalog."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF

from facetdesk.domain.catalog import Catalog
from facetdesk.domain.enums import Side

# Relative size of a vertebral body by region letter (height, width), in drawing units: the spine
# widens and deepens caudally, and the proportions keep C2-S1 readable in about 560 px.
_BODY = {"C": (0.78, 2.0), "T": (0.92, 2.3), "L": (1.15, 2.9), "S": (1.3, 3.3)}
_GAP = 0.32  # disc space between bodies, in units
_REGIONS = ("C", "T", "LS")  # vertebra letters per background band; S1 shares the lumbar band
_NERVE_LEVEL = re.compile(r"^([CTLS])(\d+)\b")

Key = tuple[str, Side]


@dataclass
class SpineLayout:
    levels: list[str]
    unit: float
    bodies: dict[str, QRectF]
    facets: dict[Key, QRectF]
    joint_y: dict[str, float]
    bands: list[tuple[str, QRectF]]
    header_y: float
    legend_top: float
    label_px: int

    def joint_rect(self, level: str, side: Side) -> QRectF:
        # A copy, so a caller that moves it cannot shift the cached facet.
        return QRectF(self.facets[(level, Side(side))])

    def hit(self, pos: QPointF) -> Key | None:
        best, best_d = None, None
        for key, rect in self.facets.items():
            grown = rect.adjusted(-3, -2, 3, 2)
            if grown.contains(pos):
                d = (rect.center() - pos).manhattanLength()
                if best_d is None or d < best_d:
                    best, best_d = key, d
        return best


class SpineGeometry:
    """The catalog's joints laid out on a widget of a given size and line height, and what lies under a point."""

    def __init__(self, catalog: Catalog):
        self.levels = [j.level for j in catalog.joints]
        self.joint_nerves = {j.level: j.nerves for j in catalog.joints}
        self._vertebrae: list[str] = []
        for level in self.levels:
            for name in level.split("-"):
                if name not in self._vertebrae:
                    self._vertebrae.append(name)
        self._cached: tuple[tuple[int, int, float], SpineLayout] | None = None

    def layout(self, width: int, height: int, line: float) -> SpineLayout:
        # Every paint, mouse move and tooltip asks; only a new size or font changes the answer.
        key = (width, height, line)
        if self._cached is None or self._cached[0] != key:
            self._cached = (key, self._compute(width, height, line))
        return self._cached[1]

    def _compute(self, width: int, height: int, line: float) -> SpineLayout:
        margin = 8.0
        header = line + 8
        legend = 2 * (line + 4) + 8
        avail_h = max(height - 2 * margin - header - legend, 100.0)
        heights = [_BODY[v[0]][0] for v in self._vertebrae]
        total_units = sum(heights) + _GAP * (len(heights) - 1)
        # Half the drawing's width in units: widest body, facet, nerve dot and label, plus the region strip.
        half_units = _BODY["S"][1] / 2 + 3.6
        unit = min(avail_h / total_units, (width - 2 * margin) / (2 * half_units + 1.4))
        unit = max(unit, 4.0)
        # Widths may stretch a little beyond the height unit when there is room, so bodies read as bodies.
        ux = max(unit, min(unit * 1.35, (width - 2 * margin) / (2 * half_units + 1.4)))
        cx = width / 2 + 0.7 * ux  # leave the region labels room on the left
        top = margin + header + (avail_h - total_units * unit) / 2
        bodies: dict[str, QRectF] = {}
        y = top
        for name, h in zip(self._vertebrae, heights, strict=True):
            w = _BODY[name[0]][1] * ux
            bodies[name] = QRectF(cx - w / 2, y, w, h * unit)
            y += (h + _GAP) * unit
        facets: dict[Key, QRectF] = {}
        joint_y: dict[str, float] = {}
        for level in self.levels:
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
        right = width - margin - 2
        for letters in _REGIONS:
            names = [v for v in self._vertebrae if v[0] in letters]
            if not names:
                continue
            t = bodies[names[0]].top() - _GAP * unit / 2 + 1
            b = bodies[names[-1]].bottom() + _GAP * unit / 2 - 1
            bands.append((letters, QRectF(left, t, right - left, b - t)))
        label_px = int(max(8, min(12, unit * 0.62)))
        return SpineLayout(
            levels=self.levels,
            unit=unit,
            bodies=bodies,
            facets=facets,
            joint_y=joint_y,
            bands=bands,
            header_y=margin + header / 2,
            legend_top=height - margin - legend,
            label_px=label_px,
        )

    def ordered(self, keys: Iterable[Key]) -> list[Key]:
        order = {level: i for i, level in enumerate(self.levels)}
        return sorted(keys, key=lambda k: (order[k[0]], k[1] != Side.LEFT))

    def _nerve_y(self, name: str, geo: SpineLayout) -> float | None:
        """Where a nerve is marked: beside the vertebra it is named after, else at the first joint it serves."""
        m = _NERVE_LEVEL.match(name)
        if m and m.group(0) in geo.bodies:
            return geo.bodies[m.group(0)].center().y()
        for level in self.levels:
            if name in self.joint_nerves[level]:
                return geo.joint_y[level]
        return None

    @staticmethod
    def nerve_short(name: str) -> str:
        m = _NERVE_LEVEL.match(name)
        return m.group(0) if m else "".join(word[0].upper() for word in name.split())

    def nerve_marks(self, geo: SpineLayout, nerves: Iterable[Key]) -> list[tuple[Key, QPointF]]:
        marks = []
        dx = 0.75 * geo.unit
        for name, side in dict.fromkeys(nerves):
            y = self._nerve_y(name, geo)
            if y is None:
                continue
            # Beside the facet column on that side, lateral to the widest facet near that height.
            nearest = min(self.levels, key=lambda lv: abs(geo.joint_y[lv] - y))
            rect = geo.facets[(nearest, side)]
            x = rect.left() - dx if side == Side.LEFT else rect.right() + dx
            marks.append(((name, side), QPointF(x, y)))
        return marks

    def nerve_hit(self, geo: SpineLayout, nerves: Iterable[Key], pos: QPointF) -> Key | None:
        r = max(5.0, geo.unit * 0.5)
        for key, p in self.nerve_marks(geo, nerves):
            if (p - pos).manhattanLength() <= r:
                return key
        return None
