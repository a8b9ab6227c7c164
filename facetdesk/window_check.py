"""Checks, before Qt starts, that a window can open; otherwise explains how to fix it."""

from __future__ import annotations

import os
import sys

LINUX_LIBS_HINT = (
    "FacetDesk cannot open its window.\n"
    "On Linux, Qt needs a display (DISPLAY or WAYLAND_DISPLAY) and these system libraries:\n"
    "  Debian/Ubuntu: sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1\n"
    "Without a screen (for example on a server), use the command line: facetdesk --help"
)

# Libraries Qt's xcb platform plugin loads that minimal Linux installs often lack.
_XCB_LIBS = ("xcb-cursor", "xcb-icccm", "xcb-keysyms")
# Platforms that need no display server.
_HEADLESS = ("offscreen", "minimal", "vnc", "eglfs", "linuxfb")


def window_problem(environ: dict[str, str] | None = None, platform: str | None = None) -> str | None:
    """Return why a window cannot open here, or None when it should."""
    env = os.environ if environ is None else environ
    platform = platform or sys.platform
    if not platform.startswith("linux"):
        return None
    qpa = env.get("QT_QPA_PLATFORM", "")
    if qpa.split(":")[0] in _HEADLESS:
        return None
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        return "no display: neither DISPLAY nor WAYLAND_DISPLAY is set"
    if env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        import ctypes.util  # only on X11, where the check needs it: it costs every other start-up

        missing = [lib for lib in _XCB_LIBS if ctypes.util.find_library(lib) is None]
        if missing:
            return "missing system libraries: " + ", ".join(f"lib{m}" for m in missing)
    return None
