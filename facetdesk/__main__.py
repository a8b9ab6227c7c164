"""Entry point for ``python -m facetdesk``."""

import sys

from facetdesk.cli import main

sys.exit(main())
