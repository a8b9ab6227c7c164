"""Locates the bundled resources/ directory (source checkout or installed wheel)."""

from __future__ import annotations

import os
from pathlib import Path


def resources_dir() -> Path:
    """Return the directory holding catalogs, thresholds and fonts.

    FACETDESK_RESOURCES overrides it so a clinic (or a test) can point at
    its own reviewed copy of the clinical data.
    """
    override = os.environ.get("FACETDESK_RESOURCES")
    if override:
        return Path(override)
    here = Path(__file__).resolve().parent
    for candidate in (here / "_resources", here.parent / "resources"):
        if (candidate / "drugs.json").is_file():
            return candidate
    raise FileNotFoundError("FacetDesk resources/ directory not found next to the package")
