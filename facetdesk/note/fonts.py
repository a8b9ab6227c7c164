"""Registers the bundled DejaVu fonts so any Latin, Greek or Cyrillic name prints and is embedded."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from facetdesk.resources import resources_dir

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
FONT_LABEL = "DejaVu Sans"


def _files() -> dict[str, Path]:
    fonts = resources_dir() / "fonts"
    return {REGULAR: fonts / "DejaVuSans.ttf", BOLD: fonts / "DejaVuSans-Bold.ttf"}


def register_fonts() -> None:
    """Idempotent: reportlab's font registry is process-wide, so register once."""
    registered = pdfmetrics.getRegisteredFontNames()
    if REGULAR in registered and BOLD in registered:
        return
    for name, path in _files().items():
        pdfmetrics.registerFont(TTFont(name, str(path)))
    # Map <b>/<i> in Paragraph markup onto the bundled faces; there is no italic face bundled.
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, REGULAR)
    addMapping(REGULAR, 1, 1, BOLD)


@lru_cache(maxsize=1)
def covered_code_points() -> frozenset[int]:
    """Characters both faces can draw: any text may be set in bold, so a character must be in both."""
    # The registered faces' character maps: parsing the font files a second time would double the start-up cost.
    register_fonts()
    maps = [set(pdfmetrics.getFont(name).face.charToGlyph) for name in _files()]
    return frozenset(set.intersection(*maps))
