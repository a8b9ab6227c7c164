"""Spacing, colours and fonts used across the UI, in one place; colours follow the light or dark palette."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication

SPACING = 8
MARGIN = 12
SPIN_MAX_WIDTH = 200
COMBO_MAX_WIDTH = 420

# Semantic colours chosen for contrast on a light and on a dark window background.
_LIGHT = {
    "ERROR_COLOR": "#b00020",
    "MUTED_COLOR": "#5f6368",
    "DERIVED_COLOR": "#1a5e20",
    "CRITICAL_COLOR": "#b00020",
    "WARNING_COLOR": "#b35400",
    "CAUTION_COLOR": "#7a6000",
    "BANNER_STYLE": "background: #e8f0fe; color: #0b2a55; border: 1px solid #c6d6f5; border-radius: 4px; "
    "padding: 6px 10px;",
}
_DARK = {
    "ERROR_COLOR": "#ff8a80",
    "MUTED_COLOR": "#b0b4b9",
    "DERIVED_COLOR": "#8fd694",
    "CRITICAL_COLOR": "#ff8a80",
    "WARNING_COLOR": "#ffb74d",
    "CAUTION_COLOR": "#f3d36b",
    "BANNER_STYLE": "background: #1f3354; color: #e3ecff; border: 1px solid #35507f; border-radius: 4px; "
    "padding: 6px 10px;",
}


def is_dark() -> bool:
    app = QGuiApplication.instance()
    return isinstance(app, QGuiApplication) and app.palette().window().color().lightness() < 128


def __getattr__(name: str) -> str:
    # Read when a widget is built, so the colour matches the palette in force then.
    table = _DARK if is_dark() else _LIGHT
    if name in table:
        return table[name]
    raise AttributeError(name)
