"""Use cases over storage, rules and notes: save, export, import, render."""
