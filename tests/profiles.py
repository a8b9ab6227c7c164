"""Hypothesis profiles: derandomised in CI, random locally, and an exploring run that tries ten times more.

Chosen by HYPOTHESIS_PROFILE (``ci``, ``dev``, ``explore``); without it, ``ci`` when CI is set, else ``dev``.
- ``ci``: the same examples on every run (derandomised, no example database), so a red build is reproducible.
- ``dev``: fresh random examples each run; a failure is saved in .hypothesis/ and tried first next time.
- ``explore``: like ``dev`` with ten times each test's examples, for a deliberate hunt before a release.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.register_profile("explore", deadline=None, max_examples=1000)

PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
if PROFILE not in ("ci", "dev", "explore"):
    raise SystemExit(f"HYPOTHESIS_PROFILE must be ci, dev or explore, not {PROFILE!r}")
settings.load_profile(PROFILE)


def examples(n: int) -> int:
    """A test's number of examples: ``n``, or ten times ``n`` when exploring."""
    return n * 10 if PROFILE == "explore" else n
