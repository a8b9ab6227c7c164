"""The procedure editor: its tabs, panels, findings, undo, autosave, decision support and signing controls."""
