"""Shared benchmark helpers: timing statistics, peak/resident memory, machine description, result records.

Every benchmark module exposes ``run(db_path: Path) -> list[Figure]``; benchmarks/run_all.py runs them in one
process tree and writes docs/benchmarks.md. A figure is printed next to its floor measured in the same run.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "benchmarks" / ".data"
BIG_DB = DATA_DIR / "clinic-100k.sqlite3"


@dataclass
class Figure:
    """One measured figure, its floor (what the framework alone takes, measured in the same run) and target."""

    name: str
    value: float
    unit: str
    floor: float | None = None
    floor_name: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""
    # 0 for a count (actions), 1 for timings and sizes.
    decimals: int = 1
    # Where it was measured: the Qt platform (offscreen in-process, xcb on Xvfb from outside) or no window at all.
    platform: str = "—"

    def row(self) -> str:
        floor = "—" if self.floor is None else f"{self.floor:.{self.decimals}f} {self.unit} ({self.floor_name})"
        verdict = {True: "met", False: "NOT met", None: "—"}[self.met]
        value = "not measured" if self.value != self.value else f"{self.value:.{self.decimals}f} {self.unit}"
        return f"| {self.name} | {self.platform} | {value} | {floor} | {self.target} | {verdict} | {self.note} |"


def timings_ms(fn: Callable[[], object], runs: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def rss_mib(pid: int | None = None) -> float:
    """Resident set size of a process (Linux /proc), in MiB."""
    with open(f"/proc/{pid or os.getpid()}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("VmRSS not found")


def run_python(code_or_script: list[str], env: dict[str, str] | None = None, timeout: float = 300) -> str:
    """Run a fresh Python process (the benchmark's own interpreter) and return its stdout."""
    full_env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"), **(env or {})}
    done = subprocess.run(
        [sys.executable, *code_or_script], capture_output=True, text=True, env=full_env, timeout=timeout, cwd=ROOT
    )
    if done.returncode != 0:
        raise RuntimeError(f"{code_or_script[:2]} failed: {done.stderr[-2000:]}")
    return done.stdout


def machine() -> str:
    cpus = os.cpu_count()
    mem = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            mem = f", {int(fh.readline().split()[1]) / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        pass
    return (
        f"{platform.platform()}, {cpus} CPUs{mem}, Python {platform.python_version()}, "
        f"{platform.processor() or platform.machine()}"
    )
