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

# Libraries Qt's xcb platform plugin loads that minimal Linux installs often lack, by the names it loads them by
# (their sonames; Debian's packages are named after them).
_XCB_LIBS = ("libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1")
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
        missing = [lib for lib in _XCB_LIBS if not _loadable(lib)]
        if missing:
            return "missing system libraries: " + ", ".join(lib.split(".so")[0] for lib in missing)
    return None


def _loadable(soname: str) -> bool:
    """Whether the dynamic loader finds ``soname``, as Qt's plugin will a moment later.

    Loading it is what Qt does anyway; ctypes.util.find_library would instead run ``ldconfig -p`` in a
    subprocess, some 20 ms of every start on X11 before the first window.
    """
    import ctypes  # only on X11, where the check needs it

    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True
