"""The application context: one database and the services over it, built in one place."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from facetdesk.domain.catalog import Catalog, get_catalog
from facetdesk.domain.users import Actor
from facetdesk.services.accounts import AccountService
from facetdesk.services.audit import AuditService
from facetdesk.services.cases import CaseService
from facetdesk.services.drafts import DraftStore, default_drafts_dir
from facetdesk.services.notes import NoteService
from facetdesk.services.presets import PresetService
from facetdesk.services.records import RecordService
from facetdesk.services.session import WorkSession
from facetdesk.services.settings import SettingsService
from facetdesk.storage.db import Database, open_database, resolve_database_url


@dataclass
class AppContext:
    database: Database
    catalog: Catalog
    work: WorkSession
    records: RecordService
    cases: CaseService
    notes: NoteService
    settings: SettingsService
    drafts: DraftStore
    presets: PresetService
    accounts: AccountService
    audit: AuditService

    def close(self) -> None:
        self.database.close()


def build_context(db_url: str | None = None, drafts_dir: Path | None = None, actor: Actor | None = None) -> AppContext:
    """Open the database and wire the services. ``actor``: who acts (None until someone signs in)."""
    database = open_database(resolve_database_url(db_url))
    work = WorkSession(actor)
    records = RecordService(database, work)
    cases = CaseService(database, work, records)
    settings = SettingsService(database, work)
    notes = NoteService(database, work, cases, settings)
    return AppContext(
        database=database,
        catalog=get_catalog(),
        work=work,
        records=records,
        cases=cases,
        notes=notes,
        settings=settings,
        drafts=DraftStore(drafts_dir or default_drafts_dir()),
        presets=PresetService(database, work),
        accounts=AccountService(database, work),
        audit=AuditService(database, work),
    )
