"""Right-to-left text on the page: Arabic letters joined, each printed line in visual order, the logical text kept.

A PDF draws glyphs left to right. Hebrew and Arabic are stored in logical (reading) order, so each printed line
is reordered by the Unicode Bidirectional Algorithm (python-bidi), after the line is broken, with the note's
left-to-right base direction: "Name: משה כהן" keeps "Name:" on the left and the Hebrew reads right to left.
Arabic letters change shape with their neighbours; arabic-reshaper gives each its joined form (the
presentation forms DejaVu Sans draws) before the line is measured. What the reader's software extracts is the
logical text, given as the PDF's ActualText of the paragraph (pdf_text_string), so copying or indexing a page
gives the words as typed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache

from arabic_reshaper import ArabicReshaper
from arabic_reshaper.ligatures import LIGATURES
from bidi.algorithm import (
    MIRRORED,
    PARAGRAPH_LEVELS,
    apply_mirroring,
    explicit_embed_and_overrides,
    get_embedding_levels,
    get_empty_storage,
    reorder_resolved_levels,
    resolve_implicit_levels,
    resolve_neutral_types,
    resolve_weak_types,
)

_RTL_CLASSES = frozenset(("R", "AL", "RLE", "RLO", "RLI"))
# Arabic Presentation Forms-A and -B: what reshaping writes, mapped back to letters for the logical text.
_PRESENTATION = ((0xFB50, 0xFDFF), (0xFE70, 0xFEFF))


def right_to_left(text: str) -> bool:
    """Whether ``text`` holds right-to-left letters (Hebrew, Arabic, ...)."""
    return any(unicodedata.bidirectional(ch) in _RTL_CLASSES for ch in text)


def _arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" for ch in text)


@lru_cache(maxsize=4)
def _reshaper(drawable: frozenset[int]) -> ArabicReshaper:
    """A reshaper that forms only the ligatures the font draws (lam-alef, not 'Allah' as one glyph)."""
    config: dict[str, bool] = {"delete_harakat": False, "support_ligatures": True}
    for name, (_, forms) in LIGATURES:
        config[name] = all(ord(ch) in drawable for form in forms for ch in form)
    return ArabicReshaper(configuration=config)


def join_arabic(text: str, drawable: frozenset[int]) -> str:
    """``text`` with its Arabic letters in their joined forms (still in logical order); other text unchanged."""
    return _reshaper(drawable).reshape(text) if _arabic(text) else text


def logical(text: str) -> str:
    """Joined forms back to the letters they stand for: the text as it was typed."""
    if not any(lo <= ord(ch) <= hi for ch in text for lo, hi in _PRESENTATION):
        return text
    return "".join(
        unicodedata.normalize("NFKC", ch) if any(lo <= ord(ch) <= hi for lo, hi in _PRESENTATION) else ch for ch in text
    )


def _strong(bidi_type: str) -> str | None:
    """The direction a resolved type counts as inside and around brackets (numbers count as R)."""
    return "L" if bidi_type == "L" else "R" if bidi_type in ("R", "AL", "EN", "AN") else None


def _resolve_brackets(storage: dict, debug: bool = False) -> None:
    """Rule N0 of the algorithm (paired brackets), which python-bidi's Python implementation predates: a bracket
    pair takes the direction of the text inside it, so "(בת 54)" stays one right-to-left phrase.

    Pairs are found per level run (BD16, at most 63 open); a bracket's pair is its mirrored character.
    """
    for run in storage["runs"]:
        chars = storage["chars"][run["start"] : run["start"] + run["length"]]
        if not chars:
            continue
        embedding = "R" if chars[0]["level"] % 2 else "L"
        stack: list[tuple[str, int]] = []
        pairs: list[tuple[int, int]] = []
        for i, ch in enumerate(chars):
            if ch["type"] != "ON":
                continue
            category = unicodedata.category(ch["ch"])
            if category == "Ps" and ch["ch"] in MIRRORED:
                if len(stack) == 63:
                    break
                stack.append((MIRRORED[ch["ch"]], i))
            elif category == "Pe":
                for k in range(len(stack) - 1, -1, -1):
                    if stack[k][0] == ch["ch"]:
                        pairs.append((stack[k][1], i))
                        del stack[k:]
                        break
        for opening, closing in sorted(pairs):
            inside = {d for j in range(opening + 1, closing) if (d := _strong(chars[j]["type"]))}
            if embedding in inside:
                direction = embedding
            elif inside:
                before = next((d for j in range(opening - 1, -1, -1) if (d := _strong(chars[j]["type"]))), None)
                direction = (before or run["sor"]) if (before or run["sor"]) != embedding else embedding
            else:
                continue
            chars[opening]["type"] = chars[closing]["type"] = direction


def visual_order(text: str) -> list[tuple[int, str]]:
    """The characters of one line in drawing order (left to right) as (logical index, character to draw).

    The Unicode Bidirectional Algorithm with a left-to-right base; brackets inside right-to-left runs are
    mirrored, and a combining mark follows its base (rule L3), so the mark is drawn over the letter it belongs to.
    """
    storage = get_empty_storage()
    storage["base_level"] = PARAGRAPH_LEVELS["L"]
    storage["base_dir"] = "L"
    get_embedding_levels(text, storage)
    for i, ch in enumerate(storage["chars"]):
        ch["index"] = i
    for step in (explicit_embed_and_overrides, resolve_weak_types, _resolve_brackets, resolve_neutral_types,
                 resolve_implicit_levels, reorder_resolved_levels, apply_mirroring):  # fmt: skip
        step(storage, False)
    chars = storage["chars"]
    out: list[tuple[int, str]] = []
    marks: list[tuple[int, str]] = []
    for ch in chars:
        if ch["level"] % 2 and unicodedata.combining(ch["ch"]):
            marks.append((ch["index"], ch["ch"]))  # reversed before its base: it goes after the base
            continue
        out.append((ch["index"], ch["ch"]))
        out += marks
        marks = []
    return out + marks


def visual(text: str) -> str:
    """One line of text in drawing order."""
    return "".join(ch for _, ch in visual_order(text)) if right_to_left(text) else text


def reorder_runs(runs: Iterable[tuple[object, str]], clone: Callable[[object, str], object]) -> list[object]:
    """One printed line made of styled runs (style, text), in drawing order: the characters are reordered
    across the runs, and consecutive characters of one run become one run again (``clone(style, text)``)."""
    owners: list[int] = []
    styles: list[object] = []
    text = ""
    for i, (style, part) in enumerate(runs):
        styles.append(style)
        owners += [i] * len(part)
        text += part
    out: list[object] = []
    current, buf = -1, ""
    for index, ch in visual_order(text):
        if owners[index] != current and buf:
            out.append(clone(styles[current], buf))
            buf = ""
        current = owners[index]
        buf += ch
    if buf:
        out.append(clone(styles[current], buf))
    return out


def pdf_text_string(text: str) -> str:
    """``text`` as a PDF text string (UTF-16BE with its byte order mark, in hex): for /ActualText."""
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"
