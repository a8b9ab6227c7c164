"""Helper process for the crash test: edit a new procedure until a draft is autosaved, then wait to be killed.

Run by tests/ui/test_ui_drafts_undo.py with FACETDESK_DB and the XDG directories of the test in its
environment. It prints the patient id, then "DRAFTED" once the draft is on disk, and blocks.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime

os.environ["QT_QPA_PLATFORM"] = "offscreen"

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QCheckBox  # noqa: E402

from facetdesk.services.context import build_context  # noqa: E402
from facetdesk.ui.shell.main_window import MainWindow  # noqa: E402
from tests.actors import ADMIN_PHYSICIAN  # noqa: E402
from tests.ui.helpers import choose_technique  # noqa: E402

# Whatever happens, the process never outlives a forgotten test run.
LIFETIME_MS = 120_000


def main() -> int:
    app = QApplication(sys.argv)
    app.setOrganizationName("FacetDeskCrashTest")
    app.setApplicationName("FacetDeskCrashTest")
    ctx = build_context(actor=ADMIN_PHYSICIAN)
    window = MainWindow(ctx, autosave_interval_ms=50)
    window.questions.ask_restore = lambda draft: False  # a fresh start: nothing to offer
    window.show()
    patient = ctx.records.save_patient(
        {
            "mrn": "CRASH-1",
            "family_name": "Crashtest",
            "given_name": "Kim",
            "date_of_birth": "1970-01-02",
            "sex": "female",
        }
    )
    window.patients.open_patient(patient.id)
    window.procedures.new_procedure()
    editor = window.editor
    editor.performed_at.setDateTime(editor.performed_at.dateTime().fromString("2026-05-06 08:15", "yyyy-MM-dd HH:mm"))
    editor.physician.setText("Dr. Killed Process")
    editor.documentation.needle.setText("22-gauge spinal needle")
    choose_technique(editor)
    for box in editor.targets.findChildren(QCheckBox):
        if box.accessibleName() == "L4-L5 left":
            box.setChecked(True)

    def drafted(_draft) -> None:
        print(f"PATIENT {patient.id}", flush=True)
        print("DRAFTED", flush=True)

    window.autosave.draft_saved.connect(drafted)
    QTimer.singleShot(LIFETIME_MS, app.quit)
    print(f"STARTED {datetime.now():%H:%M:%S}", flush=True)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
