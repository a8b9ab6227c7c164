"""Registers the bundled fonts: DejaVu for Latin, Greek, Cyrillic, Hebrew and Arabic, Droid Sans Fallback for Chinese
and Japanese, NanumGothic for Korean, Lohit Devanagari for Devanagari, so names print and are embedded."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from facetdesk.resources import resources_dir

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
# TrueType faces for what DejaVu lacks, tried in order: Droid Sans Fallback for Chinese and Japanese (Apache 2.0),
# NanumGothic for Korean (OFL 1.1), Lohit Devanagari (OFL 1.1, shaped with HarfBuzz: paragraphs.NoteParagraph);
# licences in resources/fonts. One weight each, so bold text in these scripts prints regular. Registered on first
# need: the CJK faces are 4 MB each, and most notes never use them.
FALLBACKS = (
    ("DroidSansFallback", "DroidSansFallbackFull.ttf"),
    ("NanumGothic", "NanumGothic.ttf"),
    ("LohitDevanagari", "LohitDevanagari.ttf"),
)
# Scripts whose letters change shape and order with their neighbours: set by HarfBuzz, not letter by letter.
SHAPED_FACES = frozenset({"LohitDevanagari"})
FONTS_LABEL = "DejaVu Sans, Droid Sans Fallback, NanumGothic or Lohit Devanagari"


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
def _fallback_faces() -> dict[int, str]:
    """Each character DejaVu lacks -> the first fallback face that draws it."""
    faces: dict[int, str] = {}
    registered = pdfmetrics.getRegisteredFontNames()
    for name, file in FALLBACKS:
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(resources_dir() / "fonts" / file)))
            for bold, italic in ((0, 0), (1, 0), (0, 1), (1, 1)):
                addMapping(name, bold, italic, name)
        # Control characters are never text to draw, whatever a font maps them to.
        for cp in pdfmetrics.getFont(name).face.charToGlyph:
            if cp >= 0x20 and not 0x7F <= cp <= 0x9F:
                faces.setdefault(cp, name)
    covered = covered_code_points()
    return {cp: name for cp, name in faces.items() if cp not in covered}


def fallback_code_points() -> frozenset[int]:
    """Characters a fallback face draws (and the DejaVu faces do not): what fallback_markup sets in them."""
    return frozenset(_fallback_faces())


def fallback_markup(markup):
    """Paragraph markup with each run of characters only a fallback face draws wrapped in <font name=...>.

    Markup (tags, entities) is ASCII, which DejaVu draws, so only text is ever wrapped.
    """
    if not isinstance(markup, str):  # a paragraph's split pieces are built from fragments, not markup
        return markup
    if covered_code_points().issuperset(map(ord, markup)):
        return markup
    faces = _fallback_faces()
    out: list[str] = []
    run: list[str] = []
    run_face: str | None = None
    for ch in markup + "\0":  # the sentinel ends the last run
        face = faces.get(ord(ch)) if ch != "\0" else None
        if face != run_face and run:
            out.append(f'<font name="{run_face}">{"".join(run)}</font>')
            run = []
        run_face = face
        if face is None:
            out.append(ch)
        else:
            run.append(ch)
    return "".join(out[:-1])


@lru_cache(maxsize=1)
def covered_code_points() -> frozenset[int]:
    """Characters both faces can draw: any text may be set in bold, so a character must be in both."""
    # The registered faces' character maps: parsing the font files a second time would double the start-up cost.
    register_fonts()
    maps = [set(pdfmetrics.getFont(name).face.charToGlyph) for name in _files()]
    return frozenset(set.intersection(*maps))
