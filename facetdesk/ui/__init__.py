"""PySide6 user interface: windows, widgets, item models, dialogs."""
