"""Finds characters the embedded font cannot draw, so the note can say so instead of printing empty boxes."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from functools import lru_cache

from facetdesk.note.fonts import FONTS_LABEL, covered_code_points, fallback_code_points

# Line breaks and tabs are layout, not glyphs.
_LAYOUT = frozenset("\n\r\t")
# A paragraph in an unsupported script would otherwise make a warning longer than the note.
MAX_LISTED = 8


@lru_cache(maxsize=1)
def _printable() -> frozenset[int]:
    return covered_code_points() | {ord(ch) for ch in _LAYOUT}


def missing_characters(text: str) -> list[str]:
    """Characters of ``text`` without a glyph, each once, in order of appearance."""
    # Nearly every string is fully covered: one set test answers that without a Python-level loop.
    if _printable().issuperset(map(ord, text)):
        return []
    covered, fallback = covered_code_points(), fallback_code_points()
    out: list[str] = []
    for ch in text:
        if ch in _LAYOUT or ord(ch) in covered or ord(ch) in fallback or ch in out:
            continue
        out.append(ch)
    return out


def describe(ch: str) -> str:
    """'ㅋ' (U+314B): the code point names the character even where it prints as a box."""
    return f"'{ch}' (U+{ord(ch):04X})"


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _strings(getattr(value, f.name))
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _strings(item)


def glyph_warnings(sections: Mapping[str, object]) -> tuple[str, ...]:
    """One warning per section whose text holds characters no bundled face draws; ``sections`` maps label ->
    content. (Right-to-left text is ordered and joined, bidi_text; Devanagari is shaped: neither is warned about.)"""
    out = []
    for label, value in sections.items():
        missing: list[str] = []
        for text in _strings(value):
            missing += [ch for ch in missing_characters(text) if ch not in missing]
        if missing:
            chars = ", ".join(describe(ch) for ch in missing[:MAX_LISTED])
            if len(missing) > MAX_LISTED:
                chars += f" and {len(missing) - MAX_LISTED} more"
            out.append(
                f"Some characters cannot be shown in these fonts ({FONTS_LABEL}): {chars} in {label}."
                " They are kept in the record but print as empty boxes here."
            )
    return tuple(out)
