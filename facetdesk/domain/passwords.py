"""Password rules, apart from the account models so the sign-in screen can show them before pydantic loads."""

from __future__ import annotations

# NIST SP 800-63B §5.1.1.2: memorized secrets of at least 8 characters, no composition rules.
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256


def check_password_rules(password: str) -> str | None:
    """What is wrong with a new password, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"use at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"use at most {MAX_PASSWORD_LENGTH} characters"
    if password.strip() == "":
        return "use characters other than spaces"
    try:
        # Hashed as UTF-8: a lone surrogate (pasted from a broken source) cannot be, nor typed again.
        password.encode("utf-8")
    except UnicodeEncodeError:
        return "use only characters that can be typed; this one holds an invalid character"
    return None
