"""Folded search keys and index-friendly prefix ranges for case-insensitive search."""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

_MAX_CODE_POINT = 0x10FFFF
_SURROGATES = range(0xD800, 0xE000)


def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced: "  Müller " and "muller" fold alike.

    Front-desk staff type names without accents; folding both sides lets them find
    the chart either way.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def successor(prefix: str) -> str | None:
    """The smallest string greater than every string starting with ``prefix`` (None: unbounded)."""
    chars = list(prefix)
    while chars:
        code = ord(chars.pop()) + 1
        if code in _SURROGATES:
            code = _SURROGATES.stop  # not encodable in UTF-8; skip to the next real code point
        if code <= _MAX_CODE_POINT:
            return "".join(chars) + chr(code)
    return None


def starts_with(column: ColumnElement[str] | InstrumentedAttribute[str], prefix: str) -> ColumnElement[bool]:
    """``column`` starts with the folded ``prefix``, as a range a b-tree index can serve.

    LIKE 'abc%' uses an index only on SQLite with NOCASE columns and on PostgreSQL with
    text_pattern_ops; a byte-ordered range works on both without special indexes.
    """
    upper = successor(prefix)
    if upper is None:
        return column >= prefix
    return sa.and_(column >= prefix, column < upper)
