"""Watches a private Xvfb server from outside the app: when a client's window is mapped and first painted.

Used by bench_startup_x11.py. The watcher is another X client: SubstructureNotify on the root window reports
each top-level window mapped (there is no window manager, so nothing reparents), and a DAMAGE object on the
root reports every drawing into it and its children, Qt's first put of the window's backing store included
(Qt gives its windows no server-painted background, so the first damage inside a window that was just mapped
is the app's own paint). Keys are typed with XTEST, as a person's would arrive. Needs python-xlib
(``pip install -e ".[bench]"``) and the Xvfb binary.
"""

from __future__ import annotations

import os
import select
import subprocess
import time
from dataclasses import dataclass

from Xlib import XK, X, display
from Xlib.ext import damage, xtest


@dataclass
class Shown:
    """A top-level window: when it was mapped and first painted (perf_counter seconds), and its size."""

    window: int
    mapped: float
    painted: float
    width: int
    height: int


class Xvfb:
    """A private Xvfb server (its own display number) and an X connection watching it."""

    def __init__(self, width: int = 1920, height: int = 1080) -> None:
        read_fd, write_fd = os.pipe()
        self.process = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
            pass_fds=(write_fd,),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write_fd)
        number = b""
        with os.fdopen(read_fd, "rb") as pipe:
            while not number.endswith(b"\n"):
                chunk = pipe.read(1)
                if not chunk:
                    self.process.kill()
                    raise RuntimeError("Xvfb did not start")
                number += chunk
        self.name = ":" + number.decode().strip()
        self.display = display.Display(self.name)
        if not self.display.has_extension("DAMAGE") or not self.display.has_extension("XTEST"):
            self.close()
            raise RuntimeError("Xvfb lacks the DAMAGE or XTEST extension")
        self.display.damage_query_version()
        self.root = self.display.screen().root
        self.root.change_attributes(event_mask=X.SubstructureNotifyMask)
        self.root.damage_create(damage.DamageReportRawRectangles)
        self.display.sync()
        self.drain()

    def close(self) -> None:
        self.display.close()
        self.process.terminate()
        self.process.wait(timeout=10)

    def __enter__(self) -> Xvfb:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def drain(self) -> None:
        """Forget the events so far (the root's own first paint, the previous client's windows)."""
        self.display.sync()
        while self.display.pending_events():
            self.display.next_event()
        self._mapped: dict[int, tuple] = {}
        self.unmapped: set[int] = set()

    def _events(self, deadline: float):
        while True:
            while self.display.pending_events():
                yield self.display.next_event(), time.perf_counter()
            left = deadline - time.perf_counter()
            if left <= 0:
                return
            select.select([self.display], [], [], min(left, 0.05))

    def next_window(self, timeout: float = 30.0, min_width: int = 0, alive=lambda: True) -> Shown:
        """The next top-level window mapped (at least ``min_width`` wide), once something is drawn into it.

        A window mapped but not yet painted when the timeout comes is remembered for the next call.
        """
        deadline = time.perf_counter() + timeout
        for event, at in self._events(deadline):
            kind = type(event).__name__
            if kind == "MapNotify" and not event.override:
                geometry = event.window.get_geometry()
                self._mapped[event.window.id] = (at, geometry)
            elif kind == "UnmapNotify":
                self.unmapped.add(event.window.id)
            elif kind == "DamageNotify":
                area = event.area
                for window_id, (mapped_at, geometry) in list(self._mapped.items()):
                    inside = (
                        geometry.x <= area.x < geometry.x + geometry.width
                        and geometry.y <= area.y < geometry.y + geometry.height
                    )
                    if inside and geometry.width >= min_width:
                        del self._mapped[window_id]
                        return Shown(window_id, mapped_at, at, geometry.width, geometry.height)
            if not alive():
                break
        raise TimeoutError("no window was mapped and painted")

    def mapped(self, min_width: int = 0) -> bool:
        """Whether a window at least ``min_width`` wide is mapped and not yet painted."""
        return any(geometry.width >= min_width for _at, geometry in self._mapped.values())

    def quiet(self, for_s: float = 1.0, timeout: float = 20.0) -> None:
        """Until nothing has been drawn for ``for_s`` seconds (the first page listed, the status bar settled)."""
        deadline = time.perf_counter() + timeout
        last = time.perf_counter()
        while time.perf_counter() < deadline:
            got = False
            for _event, at in self._events(min(deadline, last + for_s)):
                got = True
                last = at
                break
            if not got:
                return

    def focus(self, window: int) -> None:
        """Keyboard focus to ``window`` (there is no window manager to give it)."""
        target = self.display.create_resource_object("window", window)
        self.display.set_input_focus(target, X.RevertToParent, X.CurrentTime)
        self.display.sync()

    def type_text(self, text: str) -> None:
        for char in text:
            self.press(XK.string_to_keysym({" ": "space", ",": "comma", ".": "period", "-": "minus"}.get(char, char)))

    def press(self, keysym: int) -> None:
        keycode = self.display.keysym_to_keycode(keysym)
        if not keycode:
            raise ValueError(f"no key for keysym {keysym}")
        shifted = self.display.keycode_to_keysym(keycode, 0) != keysym
        shift = self.display.keysym_to_keycode(XK.XK_Shift_L)
        if shifted:
            xtest.fake_input(self.display, X.KeyPress, shift)
        xtest.fake_input(self.display, X.KeyPress, keycode)
        xtest.fake_input(self.display, X.KeyRelease, keycode)
        if shifted:
            xtest.fake_input(self.display, X.KeyRelease, shift)
        self.display.sync()

    def key(self, name: str) -> None:
        self.press(XK.string_to_keysym(name))
