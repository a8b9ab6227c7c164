"""Durability: records reported as saved survive the process being killed mid-write."""

from __future__ import annotations

import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from facetdesk.storage.db import open_database
from facetdesk.storage.repository import get_patient, get_procedure
from facetdesk.storage.tables import PatientRow, ProcedureRow

SCRIPT = Path(__file__).with_name("_save_loop.py")
REPO_ROOT = Path(__file__).resolve().parents[2]
LINES_BEFORE_KILL = 30
DEADLINE_SECONDS = 120
# The child would stop here on its own; it is killed long before.
CHILD_LIMIT = 1_000_000


def _read_lines(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL does not exist on Windows")
def test_saved_records_survive_sigkill(db_path, make_patient, make_procedure):
    url = f"sqlite:///{db_path}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}
    child = subprocess.Popen(
        [sys.executable, str(SCRIPT), url, str(CHILD_LIMIT)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_read_lines, args=(child.stdout, lines), daemon=True).start()
    saved: list[tuple[int, int, int]] = []
    deadline = time.monotonic() + DEADLINE_SECONDS
    try:
        while len(saved) < LINES_BEFORE_KILL:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.001))
            if line is None:  # the child exited
                break
            n, patient_id, procedure_id = (int(x) for x in line.split())
            saved.append((n, patient_id, procedure_id))
    except queue.Empty:
        pass
    finally:
        # Killed while it is still writing: no chance to flush, close or clean up.
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        stderr = child.stderr.read() if child.stderr else ""
    assert len(saved) == LINES_BEFORE_KILL, f"child printed {len(saved)} records; stderr:\n{stderr}"
    assert child.returncode == -signal.SIGKILL

    with sqlite3.connect(db_path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []

    database = open_database(url)
    try:
        with database.read() as s:
            for n, patient_id, procedure_id in saved:
                expected_patient = make_patient(n).model_copy(update={"id": patient_id, "version": 1})
                assert get_patient(s, patient_id) == expected_patient
                owner, procedure = get_procedure(s, procedure_id)
                assert owner == patient_id
                assert procedure == make_procedure(n).model_copy(update={"id": procedure_id, "version": 1})
            # Each use case saved a patient and a procedure together: never one without the other.
            patients = s.scalar(sa.select(sa.func.count()).select_from(PatientRow))
            procedures = s.scalar(sa.select(sa.func.count()).select_from(ProcedureRow))
            assert patients == procedures >= LINES_BEFORE_KILL
    finally:
        database.close()
