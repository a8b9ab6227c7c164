"""Starts the FacetDesk desktop app (same as the ``facetdesk`` command)."""

import sys

from facetdesk.cli import main

if __name__ == "__main__":
    sys.exit(main())
