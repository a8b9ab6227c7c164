"""Screenshot gallery: the main window holding the sample case, light and dark, into docs/screenshots/.

Run under a real X server for a true window:  xvfb-run -a -s "-screen 0 1600x1100x24" python tools/screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtGui import QColor, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from sample_case import sample_case  # noqa: E402

from facetdesk.services.context import build_context  # noqa: E402
from facetdesk.ui.main_window import MainWindow  # noqa: E402

TABS = ["procedure", "indication", "targets", "medications", "botox", "pain", "outcome"]


def shoot(app: QApplication, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        ctx = build_context(f"sqlite:///{tmp}/demo.sqlite3")
        result = ctx.cases.import_case(sample_case())
        window = MainWindow(ctx)
        window.resize(1360, 860)
        window.show()
        window.patient_list.refresh()
        window.open_patient(result.patient_id)
        QTest.qWait(200)
        window.grab().save(str(out_dir / "patient.png"))
        window.open_procedure(result.procedure_id)
        window.editor.refresh_findings()
        for i, name in enumerate(TABS):
            window.editor.tabs.setCurrentIndex(i)
            QTest.qWait(200)
            window.grab().save(str(out_dir / f"editor-{name}.png"))
        window.editor.tabs.setCurrentIndex(0)
        preview = window.preview_note()
        preview.resize(900, 1000)
        QTest.qWait(2500)  # QPdfView renders pages in the background
        preview.grab().save(str(out_dir / "note-preview.png"))
        preview.close()
        window.editor.has_unsaved_changes = lambda: False  # nothing was edited; close without asking
        window.close()
        ctx.close()


def dark_palette() -> QPalette:
    """What a desktop in dark mode hands Qt; Xvfb has no desktop, so the gallery sets it itself."""
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#2b2d30",
        QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1e1f22",
        QPalette.ColorRole.AlternateBase: "#26282b",
        QPalette.ColorRole.Text: "#e6e6e6",
        QPalette.ColorRole.Button: "#36383c",
        QPalette.ColorRole.ButtonText: "#e6e6e6",
        QPalette.ColorRole.Highlight: "#3d6fb6",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#36383c",
        QPalette.ColorRole.ToolTipText: "#e6e6e6",
        QPalette.ColorRole.PlaceholderText: "#8c8f94",
        QPalette.ColorRole.Link: "#8ab4f8",
    }
    for role, color in roles.items():
        p.setColor(role, QColor(color))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#7a7d82"))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#7a7d82"))
    return p


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("FacetDesk-screenshots")
    app.setStyle("Fusion")
    light = app.style().standardPalette()
    for palette, name in ((light, "light"), (dark_palette(), "dark")):
        app.setPalette(palette)
        QTest.qWait(100)
        shoot(app, ROOT / "docs" / "screenshots" / name)
    print(f"wrote screenshots to {ROOT / 'docs' / 'screenshots'}")


if __name__ == "__main__":
    main()
