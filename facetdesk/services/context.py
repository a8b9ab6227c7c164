"""The application context: one database and the services over it, built in one place."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from facetdesk.domain.catalog import Catalog, get_catalog
from facetdesk.services.cases import CaseService
from facetdesk.services.drafts import DraftStore, default_drafts_dir
from facetdesk.services.notes import NoteService
from facetdesk.services.presets import PresetService
from facetdesk.services.records import RecordService
from facetdesk.services.settings import SettingsService
from facetdesk.storage.db import Database, open_database, resolve_database_url


@dataclass
class AppContext:
    database: Database
    catalog: Catalog
    records: RecordService
    cases: CaseService
    notes: NoteService
    settings: SettingsService
    drafts: DraftStore
    presets: PresetService

    def close(self) -> None:
        self.database.close()


def build_context(db_url: str | None = None, drafts_dir: Path | None = None) -> AppContext:
    database = open_database(resolve_database_url(db_url))
    records = RecordService(database)
    cases = CaseService(database, records)
    settings = SettingsService(database)
    drafts = DraftStore(drafts_dir or default_drafts_dir())
    notes = NoteService(cases, settings)
    return AppContext(database, get_catalog(), records, cases, notes, settings, drafts, PresetService(database))
