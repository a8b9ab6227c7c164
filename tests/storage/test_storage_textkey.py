"""Search keys: folding and the prefix range equal "starts with" in byte order."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from facetdesk.storage.textkey import fold, successor

# Both databases compare the key columns byte-wise (UTF-8), which is code point order.
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=8)


def in_range(key: str, prefix: str) -> bool:
    upper = successor(prefix)
    return key >= prefix and (upper is None or key < upper)


@given(text, text)
def test_range_is_prefix_match(key, prefix):
    assert in_range(key, prefix) == key.startswith(prefix)


@given(text, text)
def test_range_is_prefix_match_when_key_extends_prefix(prefix, rest):
    assert in_range(prefix + rest, prefix)


def test_byte_order_is_code_point_order():
    words = ["a", "ab", "b", "é", "z", "\uffff", "\U0001f600", "\ud7ff", "\ue000"]
    assert sorted(words) == sorted(words, key=lambda w: w.encode("utf-8"))


def test_fold():
    assert fold("  Müller-Lüdenscheidt ") == "muller-ludenscheidt"
    assert fold("STRAẞE") == "strasse"
    assert fold("van  der\tBerg") == "van der berg"
    assert successor("a\U0010ffff") == "b"
    assert successor("\U0010ffff") is None
    assert successor("\ud7ff") == "\ue000"
