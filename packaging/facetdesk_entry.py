"""The bundled app's entry point: the ``facetdesk`` command, frozen by PyInstaller (packaging/facetdesk.spec)."""

import multiprocessing
import sys

from facetdesk.cli import main

if __name__ == "__main__":
    # `facetdesk note --batch` renders in worker processes; on Windows and macOS they start by running this
    # executable again, which must then serve as the worker instead of starting another app.
    multiprocessing.freeze_support()
    sys.exit(main())
