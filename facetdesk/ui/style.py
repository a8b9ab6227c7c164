"""Spacing, colours and fonts used across the UI, in one place."""

SPACING = 8
MARGIN = 12
ERROR_COLOR = "#b00020"
MUTED_COLOR = "#5f6368"
DERIVED_COLOR = "#1a5e20"
