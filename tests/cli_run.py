"""The command line as a user runs it: a real subprocess from the repository's root, with its own database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 60


def run(*args: str, db: Path | None = None, script: tuple[str, ...] = ("-m", "facetdesk"), input: str | None = None):
    env = dict(os.environ)
    env.pop("FACETDESK_DB", None)
    if db is not None:
        env["FACETDESK_DB"] = str(db)
    return subprocess.run(
        [sys.executable, *script, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        input=input,
    )
