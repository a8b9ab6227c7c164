"""The main window: pages, menus, session (lock, switch user), the note's outputs and preview."""
