"""Start-up, in real subprocesses: the app still starts and signs in, and the first screens import only what they show.

The PDF renderer (reportlab), Alembic, QtCharts, QtPdf, QtPrintSupport, the rules and the procedure editor are
imported on first use, not at start (see facetdesk/app.py); these tests keep it that way without timing anything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from facetdesk.services.context import build_context

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 120
USERNAME = "dr.startup"
PASSWORD = "synthetic start-up pass phrase"

# Modules the first screens must not import (prefixes).
NOT_AT_START = (
    "reportlab",
    "alembic",
    "PySide6.QtCharts",
    "PySide6.QtPdf",
    "PySide6.QtPdfWidgets",
    "PySide6.QtPrintSupport",
    "facetdesk.note",
    "facetdesk.rules",
    "facetdesk.services.rendering",
    "facetdesk.ui.editor.procedure_editor",
    "facetdesk.ui.shell.note_preview",
    "facetdesk.ui.editor.relief_chart",
)

_LOADED = (
    "import json, sys\n"
    f"prefixes = {NOT_AT_START!r}\n"
    "loaded = sorted(m for m in sys.modules if any(m == p or m.startswith(p + '.') for p in prefixes))\n"
    "print('LOADED ' + json.dumps(loaded), flush=True)\n"
)


def _python(code: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)  # offscreen Qt and temporary user folders, from tests/conftest.py
    env.pop("FACETDESK_DB", None)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=TIMEOUT
    )


def _loaded(done: subprocess.CompletedProcess) -> list[str]:
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("LOADED "))
    return json.loads(line.removeprefix("LOADED "))


@pytest.fixture
def clinic_url(tmp_path: Path) -> str:
    """A migrated database with one account, as a clinic's is on any day but the first."""
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    ctx = build_context(url, drafts_dir=tmp_path / "drafts")
    try:
        ctx.accounts.create_first_account({"username": USERNAME, "display_name": "Dr. Start Up"}, PASSWORD)
    finally:
        ctx.close()
    return url


def test_the_main_window_shows_without_the_editor_notes_charts_or_alembic(clinic_url):
    done = _python(
        "from facetdesk import app\n"
        "from facetdesk.services.context import build_context\n"
        "from tests.actors import ADMIN_PHYSICIAN\n"
        "qapp = app.start_qt()\n"
        f"ctx = build_context({clinic_url!r})\n"
        "ctx.work.sign_in(ADMIN_PHYSICIAN)\n"
        "window = app.show_main_window(ctx)\n"
        "qapp.processEvents()\n"
        "assert window.isVisible() and window.patient_list.isVisible()\n" + _LOADED + "window.close()\n"
        "ctx.close()\n"
    )
    assert _loaded(done) == []


# Runs `facetdesk --db URL` (cli.main) with the sign-in dialog's exec wrapped: ``answer`` runs in its event loop.
_WITH_SIGN_IN_ANSWERED = (
    "import sys\n"
    "from PySide6.QtCore import QTimer\n"
    "from PySide6.QtWidgets import QApplication\n"
    "from facetdesk import cli\n"
    "from facetdesk.ui.signing import sign_in\n"
    "real_exec = sign_in.SignInDialog.exec\n"
    "def exec_and_answer(dialog):\n"
    "    QTimer.singleShot(0, lambda: answer(dialog))\n"
    "    return real_exec(dialog)\n"
    "sign_in.SignInDialog.exec = exec_and_answer\n"
)


def test_the_sign_in_dialog_is_painted_before_the_database_layer_is_imported(clinic_url):
    # The first screen comes from Qt alone, without even the domain's errors, the input widgets or the
    # first-account dialog; SQLAlchemy, pydantic, the services and then the main window's modules (without the
    # editor, notes or charts) load behind it while the user types, and "Sign in" is enabled once the database
    # is open.
    done = _python(
        _WITH_SIGN_IN_ANSWERED
        + "def report_loaded():\n"
        + "".join(f"    {ln}\n" for ln in _LOADED.splitlines())
        + "LATER = ('sqlalchemy', 'pydantic', 'facetdesk.services.accounts', 'facetdesk.ui.shell.main_window',\n"
        "    'facetdesk.domain.errors', 'facetdesk.ui.common.widgets', 'facetdesk.ui.signing.accounts_dialogs')\n"
        "seen = {}\n"
        "def answer(dialog):\n"
        "    if 'painted' not in seen:\n"
        "        if not dialog.isVisible():\n"
        "            QTimer.singleShot(1, lambda: answer(dialog))\n"
        "            return\n"
        "        seen['painted'] = True\n"
        "        data = [m for m in LATER if m in sys.modules]\n"
        "        enabled = dialog.sign_in_button.isEnabled()\n"
        "        print('AT PAINT ' + ','.join(data) + ' ENABLED ' + str(enabled), flush=True)\n"
        "        print('STATUS ' + dialog.opening_note.text(), flush=True)\n"
        "        print('ICON AT SHOW ' + str(QApplication.windowIcon().isNull()), flush=True)\n"
        "    if not (dialog.sign_in_button.isEnabled() and dialog.opening.done):\n"
        "        QTimer.singleShot(5, lambda: answer(dialog))\n"
        "        return\n"
        "    print('OPENED ' + str(dialog.opening_note.isVisible()), flush=True)\n"
        "    print('ICON LATER ' + str(len(QApplication.windowIcon().availableSizes())), flush=True)\n"
        "    report_loaded()\n"
        "    print('MAIN ' + str('facetdesk.ui.shell.main_window' in sys.modules), flush=True)\n"
        "    dialog.reject()\n"
        f"sys.exit(cli.main(['--db', {clinic_url!r}]))\n"
    )
    assert _loaded(done) == []
    assert "AT PAINT  ENABLED False" in done.stdout, done.stdout
    assert "STATUS Opening the clinic's database…" in done.stdout
    assert "OPENED False" in done.stdout  # the status line goes once the database is open
    assert "MAIN True" in done.stdout  # loaded behind the dialog too, so signing in does not wait for it
    # The window icon's images are decoded after the first paint, not before it, and then every window has them.
    assert "ICON AT SHOW True" in done.stdout and "ICON LATER 6" in done.stdout, done.stdout


def test_the_app_starts_signs_in_and_quits(clinic_url, _isolated_user_dirs):
    # The whole start as `facetdesk --db URL` runs it: the sign-in dialog (answered here once the database is
    # open), the main window (closed once shown) and signing out. The daily backup waits two minutes after start
    # (it must not compete with the first minute), so a start and quit this quick writes none and is not held up.
    done = _python(
        _WITH_SIGN_IN_ANSWERED + "def close_main():\n"
        "    tops = QApplication.topLevelWidgets()\n"
        "    shown = [w for w in tops if type(w).__name__ == 'MainWindow' and w.isVisible()]\n"
        "    if not shown:\n"
        "        QTimer.singleShot(10, close_main)\n"
        "        return\n"
        "    print('SHOWN ' + shown[0].session.user_label.text(), flush=True)\n"
        "    shown[0].close()\n"
        "def answer(dialog):\n"
        "    if not dialog.sign_in_button.isEnabled():\n"
        "        QTimer.singleShot(5, lambda: answer(dialog))\n"
        "        return\n"
        f"    dialog.username.setText({USERNAME!r})\n"
        f"    dialog.password.setText({PASSWORD!r})\n"
        "    QTimer.singleShot(0, close_main)\n"
        "    dialog.sign_in_button.click()\n"
        f"sys.exit(cli.main(['--db', {clinic_url!r}]))\n"
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "SHOWN Dr. Start Up" in done.stdout
    backups = list((_isolated_user_dirs / "data" / "FacetDesk" / "backups").glob("*.sqlite3*"))
    assert backups == [], "the daily backup ran in the first minute"
    ctx = build_context(clinic_url)
    try:
        from tests.actors import ADMIN_PHYSICIAN

        ctx.work.sign_in(ADMIN_PHYSICIAN)
        actions = [e.action.value for e in ctx.audit.search()]
    finally:
        ctx.close()
    assert "sign_in" in actions and "sign_out" in actions


def test_a_file_that_is_no_database_is_explained_and_the_app_ends_without_a_window(tmp_path):
    # The sign-in is already on screen when the opening fails: it closes, the reason is shown, exit status 1.
    not_a_database = tmp_path / "notes.sqlite3"
    not_a_database.write_bytes(b"this is a text file, not a database " * 100)
    done = _python(
        "import sys\n"
        "from PySide6.QtWidgets import QMessageBox\n"
        "from facetdesk import cli\n"
        "def say(parent, title, text):\n"
        "    print('CRITICAL ' + text.replace(chr(10), ' '), flush=True)\n"
        "QMessageBox.critical = say\n"
        f"sys.exit(cli.main(['--db', 'sqlite:///{not_a_database}']))\n"
    )
    assert done.returncode == 1, done.stderr[-3000:]
    assert "CRITICAL The database could not be opened." in done.stdout
    assert not_a_database.read_bytes().startswith(b"this is a text file")  # left as it was


def test_the_daily_backup_waits_before_it_runs_then_writes_a_compressed_copy(qtbot, clinic_url, _isolated_user_dirs):
    """The first-start backup of a large database must not compete with the physician's first minute: it starts
    after a delay (DAILY_BACKUP_DELAY_S; shortened here), on its own thread, and says so in the status bar."""
    import time

    from PySide6.QtWidgets import QMainWindow

    from facetdesk.app import _start_daily_backup
    from facetdesk.services.backups import DAILY_BACKUP_DELAY_S

    assert DAILY_BACKUP_DELAY_S >= 60  # not in the first minute
    ctx = build_context(clinic_url)
    window = QMainWindow()
    qtbot.addWidget(window)
    folder = _isolated_user_dirs / "data" / "FacetDesk" / "backups"
    try:
        started = time.monotonic()
        _start_daily_backup(window, ctx, delay_s=0.5)
        assert not list(folder.glob("*.sqlite3*"))  # nothing at once
        qtbot.waitUntil(lambda: "Daily backup written" in window.statusBar().currentMessage(), timeout=20000)
        assert time.monotonic() - started >= 0.5
        [written] = list(folder.glob("facetdesk-*.sqlite3.gz"))
        assert written.stat().st_size > 0
    finally:
        ctx.close()
