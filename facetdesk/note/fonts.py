"""Registers the bundled fonts: DejaVu for Latin, Greek and Cyrillic, Droid Sans Fallback for Chinese, Japanese and
Korean, so names print and are embedded."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from facetdesk.resources import resources_dir

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
# TrueType outlines for CJK (Apache 2.0, resources/fonts/LICENSE-DroidSansFallback.txt); one weight, so bold text in
# these scripts prints regular. Registered on first need: it is 4 MB, and most notes never use it.
FALLBACK = "DroidSansFallback"
FONTS_LABEL = "DejaVu Sans or Droid Sans Fallback"


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
def fallback_code_points() -> frozenset[int]:
    """Characters the fallback face draws (and the DejaVu faces do not): what fallback_markup sets in it."""
    if FALLBACK not in pdfmetrics.getRegisteredFontNames():
        font = TTFont(FALLBACK, str(resources_dir() / "fonts" / "DroidSansFallbackFull.ttf"))
        pdfmetrics.registerFont(font)
        for bold, italic in ((0, 0), (1, 0), (0, 1), (1, 1)):
            addMapping(FALLBACK, bold, italic, FALLBACK)
    # Control characters are never text to draw, whatever a font maps them to.
    drawable = {cp for cp in pdfmetrics.getFont(FALLBACK).face.charToGlyph if cp >= 0x20 and not 0x7F <= cp <= 0x9F}
    return frozenset(drawable) - covered_code_points()


def fallback_markup(markup):
    """Paragraph markup with each run of characters only the fallback face draws wrapped in <font name=...>.

    Markup (tags, entities) is ASCII, which DejaVu draws, so only text is ever wrapped.
    """
    if not isinstance(markup, str):  # a paragraph's split pieces are built from fragments, not markup
        return markup
    covered = covered_code_points()
    if covered.issuperset(map(ord, markup)):
        return markup
    fallback = fallback_code_points()
    out: list[str] = []
    run: list[str] = []
    for ch in markup:
        if ord(ch) in fallback:
            run.append(ch)
            continue
        if run:
            out.append(f'<font name="{FALLBACK}">{"".join(run)}</font>')
            run = []
        out.append(ch)
    if run:
        out.append(f'<font name="{FALLBACK}">{"".join(run)}</font>')
    return "".join(out)


@lru_cache(maxsize=1)
def covered_code_points() -> frozenset[int]:
    """Characters both faces can draw: any text may be set in bold, so a character must be in both."""
    # The registered faces' character maps: parsing the font files a second time would double the start-up cost.
    register_fonts()
    maps = [set(pdfmetrics.getFont(name).face.charToGlyph) for name in _files()]
    return frozenset(set.intersection(*maps))
