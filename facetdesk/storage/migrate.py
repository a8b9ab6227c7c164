"""Alembic wiring: a programmatic config, the upgrade run on open, and a developer CLI.

Alembic (and the migration scripts it loads) is imported only when a database is not already at
HEAD_REVISION: opening an up-to-date database, as on every ordinary start, is one plain query.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from facetdesk.storage.errors import DatabaseError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().with_name("migrations")
VERSION_TABLE = "alembic_version"
# The newest revision in migrations/versions, read from the file names (NNNN_what.py, revision "NNNN") so that a
# start does not have to run Alembic to find nothing to do; tests/storage/test_storage_migrate_head.py compares it
# with Alembic's own head.
HEAD_REVISION = max(p.name[:4] for p in (MIGRATIONS_DIR / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))


def stored_revisions(connection: sa.Connection) -> set[str] | None:
    """The revisions recorded in the database (one plain query); None when it has no version table."""
    if not sa.inspect(connection).has_table(VERSION_TABLE):
        return None
    return set(connection.exec_driver_sql(f"SELECT version_num FROM {VERSION_TABLE}").scalars())


def is_at_head(connection: sa.Connection) -> bool:
    """True when the database is a FacetDesk database already migrated to this version's head."""
    return stored_revisions(connection) == {HEAD_REVISION}


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config without alembic.ini: the app and tests build it the same way."""
    from alembic.config import Config

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
    stored = stored_revisions(connection)
    if stored is None and sa.inspect(connection).get_table_names():
        raise DatabaseError(
            f"{where} is a database, but not a FacetDesk database. It was left unchanged; choose another file."
        )
    if not stored or stored == {HEAD_REVISION}:
        return  # new (empty), or exactly this version's: no need to ask Alembic which revisions it knows
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

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
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
