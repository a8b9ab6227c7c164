"""Screenshots of the main window holding the sample case, one per editor tab, into docs/screenshots/.

Run under a real X server for a true window (xvfb-run -a python tools/screenshots.py), or offscreen.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from sample_case import sample_case  # noqa: E402

from facetdesk.services.context import build_context  # noqa: E402
from facetdesk.ui.main_window import MainWindow  # noqa: E402


def main(out_dir: Path = ROOT / "docs" / "screenshots") -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("FacetDesk-screenshots")
    with tempfile.TemporaryDirectory() as tmp:
        ctx = build_context(f"sqlite:///{tmp}/demo.sqlite3")
        result = ctx.cases.import_case(sample_case())
        window = MainWindow(ctx)
        window.resize(1360, 860)
        window.show()
        app.processEvents()
        window.patient_list.refresh()
        window.open_patient(result.patient_id)
        app.processEvents()
        window.grab().save(str(out_dir / "patient.png"))
        window.open_procedure(result.procedure_id)
        window.editor.refresh_findings()
        names = ["procedure", "indication", "targets", "medications", "botox", "pain", "outcome"]
        for i, name in enumerate(names):
            window.editor.tabs.setCurrentIndex(i)
            app.processEvents()
            window.grab().save(str(out_dir / f"editor-{name}.png"))
        window.editor.tabs.setCurrentIndex(0)
        preview = window.preview_note()
        preview.resize(900, 1000)
        QTest.qWait(2500)  # QPdfView renders pages in the background
        preview.grab().save(str(out_dir / "note-preview.png"))
        preview.close()
        window.close()
        ctx.close()
    print(f"wrote screenshots to {out_dir}")


if __name__ == "__main__":
    main()
