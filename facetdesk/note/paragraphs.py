"""The note's Paragraph: breaks its lines once per width instead of every time platypus asks."""

from __future__ import annotations

from reportlab.platypus import Paragraph

from facetdesk.note.fonts import fallback_markup


class NoteParagraph(Paragraph):
    """A reportlab Paragraph that keeps its line breaking for the width it was last wrapped at.

    Platypus wraps most paragraphs of a note two or three times at the same width: a keep-together group
    (every heading is kept with what follows it) measures its contents before the frame places them, and a
    table wraps its cells once to size the rows and again to draw them. Breaking lines was the largest single
    cost of rendering a note, and its result depends only on the width, the style and the parsed text, none
    of which change once the paragraph is built. A split starts afresh: reportlab's split may alter the
    fragments it shares with the pieces, and it drops the line breaking it gives up on.
    """

    _wrapped_at: float | None = None
    _wrapped: tuple[float, float] = (0.0, 0.0)

    def __init__(self, text: str, style=None, *args, **kwargs) -> None:
        # Chinese, Japanese and Korean text is set in the fallback face (fonts.fallback_markup).
        super().__init__(fallback_markup(text), style, *args, **kwargs)

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
