"""Locates the bundled resources/ directory (source checkout or installed wheel)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def _bundled() -> Path:
    # Found once: the package does not move while it runs, and the catalog is looked up by every
    # validator of every record (a registry export validates hundreds of thousands of them).
    here = Path(__file__).resolve().parent
    for candidate in (here / "_resources", here.parent / "resources"):
        if (candidate / "drugs.json").is_file():
            return candidate
    raise FileNotFoundError("FacetDesk resources/ directory not found next to the package")


def resources_dir() -> Path:
    """Return the directory holding catalogs, thresholds and fonts.

    FACETDESK_RESOURCES overrides it so a clinic (or a test) can point at
    its own reviewed copy of the clinical data.
    """
    override = os.environ.get("FACETDESK_RESOURCES")
    if override:
        return Path(override)
    return _bundled()
