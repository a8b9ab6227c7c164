"""Alembic wiring: a programmatic config, the upgrade run on open, and a developer CLI."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import CommandLine, Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError

from facetdesk.storage.errors import DatabaseError

MIGRATIONS_DIR = Path(__file__).resolve().with_name("migrations")
VERSION_TABLE = "alembic_version"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config without alembic.ini: the app and tests build it the same way."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        # ConfigParser treats % as interpolation; URLs may carry %-escapes.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def check_is_facetdesk(connection: sa.Connection, where: str) -> None:
    """Refuse, by reading only, a database holding someone else's tables or migrated by a newer FacetDesk.

    An empty database is fine: it is a new one for FacetDesk to set up.
    """
    tables = set(sa.inspect(connection).get_table_names())
    if tables and VERSION_TABLE not in tables:
        raise DatabaseError(
            f"{where} is a database, but not a FacetDesk database. It was left unchanged; choose another file."
        )
    config = alembic_config()
    script = ScriptDirectory.from_config(config)
    for head in MigrationContext.configure(connection).get_current_heads():
        try:
            script.get_revision(head)
        except CommandError:
            raise DatabaseError(
                f"{where} was written by a newer version of FacetDesk. "
                "Install that version (or newer) to open it; the database was left unchanged."
            ) from None


def upgrade_to_head(connection: sa.Connection) -> None:
    """Bring the schema up to date inside the caller's transaction."""
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def main(argv: Sequence[str] | None = None) -> None:
    """Developer entry: ``python -m facetdesk.storage.migrate [--url URL] revision --autogenerate -m ...``."""
    args = list(sys.argv[1:] if argv is None else argv)
    url = None
    if args[:1] == ["--url"] and len(args) > 1:
        url, args = args[1], args[2:]
    from facetdesk.storage.db import resolve_database_url

    cli = CommandLine(prog="python -m facetdesk.storage.migrate [--url URL]")
    options = cli.parser.parse_args(args)
    cli.run_cmd(alembic_config(resolve_database_url(url)), options)


if __name__ == "__main__":
    main()
