"""Text helpers every layer shares: what can be stored, and how a value is quoted in a message."""

from __future__ import annotations


def storable_text(text: str) -> bool:
    """Whether ``text`` can be stored: valid UTF-8 (no unpaired surrogate) without NUL (PostgreSQL refuses it)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def shown(value: object, limit: int = 40) -> str:
    """A value quoted for an error message, shortened so a pasted megabyte never becomes the message."""
    if isinstance(value, (list, dict, tuple, set)):
        # Never repr() a container: a deeply nested one exhausts the stack, a big one the message.
        return f"<a {type(value).__name__}>"
    try:
        text = repr(value)
    except (RecursionError, ValueError):  # ValueError: an int beyond Python's str() digit limit
        return f"<a {type(value).__name__}>"
    return text if len(text) <= limit else f"{text[: limit - 1]}…"
