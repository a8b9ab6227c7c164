"""Procedure note: note content -> PDF bytes (reportlab)."""
