"""Render FacetDesk's application icon from resources/icons/facetdesk.svg into the sizes each platform takes.

Run: python tools/make_icons.py   (writes resources/icons/facetdesk-<N>.png, facetdesk.ico and facetdesk.icns)

The window icon and the Linux menu entry take the PNGs, the Windows executable and MSI the .ico, FacetDesk.app
the .icns. Run again after changing the SVG; the files it writes are committed, so a build needs no SVG renderer.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QRectF
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
SIZES = (16, 32, 48, 64, 128, 256, 512)


def render(renderer: QSvgRenderer, size: int, target: Path) -> None:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    if not image.save(str(target)):
        raise OSError(f"could not write {target}")


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (QImage text needs one)
    renderer = QSvgRenderer(str(ICONS / "facetdesk.svg"))
    if not renderer.isValid():
        raise SystemExit("resources/icons/facetdesk.svg is not a valid SVG")
    for size in SIZES:
        render(renderer, size, ICONS / f"facetdesk-{size}.png")
    largest = Image.open(ICONS / f"facetdesk-{SIZES[-1]}.png")
    largest.save(ICONS / "facetdesk.ico", sizes=[(s, s) for s in SIZES if s <= 256])
    largest.save(ICONS / "facetdesk.icns")
    for path in sorted(ICONS.iterdir()):
        print(f"{path.name}: {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
