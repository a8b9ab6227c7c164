"""Widgets and helpers every part of the UI shares: inputs, styles, error routing, tables, access."""
