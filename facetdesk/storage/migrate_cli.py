"""Developer entry to Alembic: ``python -m facetdesk.storage.migrate_cli [--url URL] revision --autogenerate -m ...``.

Apart from storage.migrate, which storage.db uses to bring a database to the head revision, so the two never
import each other.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from facetdesk.storage.db import resolve_database_url
from facetdesk.storage.migrate import alembic_config


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    url = None
    if args[:1] == ["--url"] and len(args) > 1:
        url, args = args[1], args[2:]
    from alembic.config import CommandLine

    cli = CommandLine(prog="python -m facetdesk.storage.migrate_cli [--url URL]")
    options = cli.parser.parse_args(args)
    cli.run_cmd(alembic_config(resolve_database_url(url)), options)


if __name__ == "__main__":
    main()
