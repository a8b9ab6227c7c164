"""The floor for bench_startup_x11.py: a bare PySide6 dialog, then on Enter a bare main window, nothing else.

Run: python benchmarks/x11_floor.py WIDTH HEIGHT [--data-stack]   (WIDTH HEIGHT: the sign-in dialog's size, as
measured in the same run)

The same steps as FacetDesk's start, done by Qt alone: a dialog of the sign-in dialog's size with a label,
shown at once; Enter (typed by the watcher, as it types FacetDesk's password and Enter) closes it and shows a
1280 x 820 QMainWindow with a label, the size of FacetDesk's main window. With --data-stack, Enter first imports
what any window reading FacetDesk's database must load whoever writes it: pydantic (fixed by the customer) and
SQLAlchemy's ORM (the storage layer the developers' guide names), and opens an in-memory SQLite database through
it: the "data stack floor" that the memory figure is set beside. Nothing here is part of FacetDesk.
"""

import sys

from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMainWindow, QVBoxLayout


class Floor(QDialog):
    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt API)
        # Compared by text: importing PySide6's Qt namespace for Qt.Key would cost the floor 15 ms.
        if event.text() in ("\r", "\n"):
            self.accept()


def main() -> int:
    app = QApplication(sys.argv)
    dialog = Floor()
    dialog.setWindowTitle("floor")
    QVBoxLayout(dialog).addWidget(QLabel("A bare dialog"))
    dialog.resize(int(sys.argv[1]), int(sys.argv[2]))
    dialog.show()
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return 0
    if "--data-stack" in sys.argv[3:]:
        import builtins

        # As FacetDesk does (facetdesk/app.py): without this, PySide6's import hook keeps the source of every
        # module imported after it, 18 MiB here, which would flatter FacetDesk's share.
        builtins.__import__ = getattr(builtins, "__orig_import__", builtins.__import__)
        import pydantic  # noqa: F401
        import sqlalchemy as sa
        import sqlalchemy.orm  # noqa: F401

        with sa.create_engine("sqlite://").connect() as connection:
            connection.execute(sa.text("select 1"))
    window = QMainWindow()
    window.setWindowTitle("floor")
    window.setCentralWidget(QLabel("A bare window"))
    window.resize(1280, 820)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
