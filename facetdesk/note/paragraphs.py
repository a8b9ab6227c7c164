"""The note's Paragraph: every script set right (fallback faces, joined and reordered right-to-left text, shaped
Devanagari), the typed text kept for extraction, and its line breaking done once per width."""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from facetdesk.note.bidi_text import join_arabic, logical, pdf_text_string, reorder_runs, right_to_left, visual
from facetdesk.note.fonts import SHAPED_FACES, covered_code_points, fallback_markup


def _shaped_style(style: ParagraphStyle) -> ParagraphStyle:
    """``style`` with HarfBuzz shaping on (reportlab's uharfbuzz support): only for paragraphs that need it, as it
    costs a shaping call per word."""
    cache = _SHAPED.get(style.name)
    if cache is None or cache[0] is not style:
        cache = _SHAPED[style.name] = (style, ParagraphStyle(f"{style.name}-shaped", parent=style, shaping=1))
    return cache[1]


_SHAPED: dict[str, tuple[ParagraphStyle, ParagraphStyle]] = {}


class NoteParagraph(Paragraph):
    """A reportlab Paragraph for any script, which keeps its line breaking for the width it was last wrapped at.

    Scripts: characters DejaVu lacks are set in a fallback face (fonts.fallback_markup); Arabic is joined before
    the lines are measured and right-to-left text is put in visual order line by line when drawn (bidi_text);
    Devanagari is shaped by HarfBuzz. Where the drawn glyphs are not the typed characters in reading order, the
    paragraph carries its typed text as the PDF's ActualText, which text extraction and screen readers use.

    Line breaking: platypus wraps most paragraphs of a note two or three times at the same width (a keep-together
    group measures its contents before the frame places them; a table wraps its cells to size the rows and again
    to draw them). Breaking lines was the largest single cost of rendering a note, and its result depends only on
    the width, the style and the parsed text, none of which change once the paragraph is built. A split starts
    afresh: reportlab's split may alter the fragments it shares with the pieces, and it drops the line breaking it
    gives up on.
    """

    _wrapped_at: float | None = None
    _wrapped: tuple[float, float] = (0.0, 0.0)

    def __init__(self, text: str, style=None, *args, **kwargs) -> None:
        if isinstance(text, str):
            text = fallback_markup(join_arabic(text, covered_code_points()))
            if style is not None and any(f'name="{face}"' in text for face in SHAPED_FACES):
                style = _shaped_style(style)
        super().__init__(text, style, *args, **kwargs)
        typed = "".join(getattr(f, "text", "") for f in getattr(self, "frags", ()))
        self._rtl = right_to_left(typed)
        self._actual = logical(typed) if self.style.shaping else None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        # Paragraph.wrap does not depend on availHeight: the width alone decides the lines.
        if availWidth == self._wrapped_at and hasattr(self, "blPara"):
            return self._wrapped
        self._wrapped_at = None
        size = super().wrap(availWidth, availHeight)
        self._wrapped_at, self._wrapped = availWidth, size
        return size

    def split(self, availWidth: float, availHeight: float) -> list:
        self._wrapped_at = None
        try:
            return super().split(availWidth, availHeight)
        finally:
            self._wrapped_at = None

    def draw(self) -> None:
        lines = getattr(self, "blPara")  # noqa: B009 (set by wrap; mypy cannot type reportlab's attribute)
        if self._rtl:
            self.blPara = _in_visual_order(lines)
        if self._actual is not None:
            # Marked content around the paragraph: readers extract ActualText instead of the glyphs it covers.
            self.canv._code.append(f"/Span <</ActualText {pdf_text_string(self._actual)}>> BDC")
        try:
            super().draw()
        finally:
            if self._actual is not None:
                self.canv._code.append("EMC")
            self.blPara = lines


def _in_visual_order(bl):
    """The broken lines with each line's characters in drawing order (kind 0: words; kind 1: styled runs)."""
    if bl.kind == 0:
        lines = [(extra, visual(" ".join(words)).split(" ")) for extra, words in bl.lines]
    else:
        lines = [
            line
            if any(hasattr(f, "cbDefn") or not hasattr(f, "text") for f in line.words)
            else line.clone(words=reorder_runs(((f, f.text) for f in line.words), lambda f, t: f.clone(text=t)))
            for line in bl.lines
        ]
    return bl.clone(lines=lines)
