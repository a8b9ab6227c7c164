"""When no window can open, FacetDesk explains why and exits non-zero instead of aborting."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from facetdesk.window_check import window_problem


def test_no_display_is_reported():
    assert "no display" in window_problem({}, "linux")


def test_offscreen_needs_no_display():
    assert window_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None


def test_other_platforms_are_not_checked():
    assert window_problem({}, "win32") is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the display hint is Linux-specific")
def test_gui_without_display_prints_hint_and_exits_nonzero(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["FACETDESK_DB"] = str(tmp_path / "x.sqlite3")
    result = subprocess.run([sys.executable, "-m", "facetdesk"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "libxcb-cursor0" in result.stderr and "libxcb-icccm4" in result.stderr and "libxcb-keysyms1" in result.stderr
    assert "Aborted" not in result.stderr and "core dumped" not in result.stderr
