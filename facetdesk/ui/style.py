"""Spacing, colours and fonts used across the UI, in one place."""

SPACING = 8
MARGIN = 12
ERROR_COLOR = "#b00020"
MUTED_COLOR = "#5f6368"
DERIVED_COLOR = "#1a5e20"
SPIN_MAX_WIDTH = 200
COMBO_MAX_WIDTH = 420
BANNER_STYLE = "background: #e8f0fe; color: #0b2a55; border: 1px solid #c6d6f5; border-radius: 4px; padding: 6px 10px;"
