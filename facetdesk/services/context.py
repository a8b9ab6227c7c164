"""The application context: one database and the services over it, built in one place.

Each service is made (and its module imported) the first time it is used: signing in needs only the
accounts, the first screen after it only the records, while notes and case files pull in the PDF
renderer and the rules, which the start-up should not wait for.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from facetdesk.domain.users import Actor
from facetdesk.services.session import WorkSession
from facetdesk.storage.db import Database, open_database, resolve_database_url

if TYPE_CHECKING:
    from facetdesk.domain.catalog import Catalog
    from facetdesk.services.accounts import AccountService
    from facetdesk.services.anchors import AnchorStore
    from facetdesk.services.audit import AuditService
    from facetdesk.services.cases import CaseService
    from facetdesk.services.drafts import DraftStore
    from facetdesk.services.ehr_outbox import EhrOutboxService
    from facetdesk.services.follow_ups import FollowUpService
    from facetdesk.services.images import ImageService
    from facetdesk.services.notes import NoteService
    from facetdesk.services.outcomes import OutcomesService
    from facetdesk.services.pathway import PathwayService
    from facetdesk.services.presets import PresetService
    from facetdesk.services.records import RecordService
    from facetdesk.services.settings import SettingsService
    from facetdesk.services.signing import SigningService


class AppContext:
    """The open database, who is working (``work``) and the services, all sharing them."""

    def __init__(
        self, database: Database, work: WorkSession, drafts_dir: Path | None = None, anchor_file: Path | None = None
    ):
        """``drafts_dir``, ``anchor_file``: instead of the user data folder's (tests, the self-test)."""
        self.database = database
        self.work = work
        self._drafts_dir = drafts_dir
        self._anchor_file = anchor_file

    @cached_property
    def catalog(self) -> Catalog:
        from facetdesk.domain.catalog import get_catalog

        return get_catalog()

    @cached_property
    def records(self) -> RecordService:
        from facetdesk.services.records import RecordService

        return RecordService(self.database, self.work)

    @cached_property
    def signing(self) -> SigningService:
        from facetdesk.services.signing import SigningService

        # A signed note goes to the EHR outbox when the clinic sends on signing (Clinic settings → EHR interface).
        return SigningService(self.database, self.work, self.anchors, after_signing=self.outbox.queue_signed)

    @cached_property
    def outbox(self) -> EhrOutboxService:
        from facetdesk.services.ehr_outbox import EhrOutboxService

        return EhrOutboxService(self.database, self.work)

    @cached_property
    def anchors(self) -> AnchorStore:
        from facetdesk.services.anchors import AnchorStore, default_anchor_file

        return AnchorStore(self._anchor_file or default_anchor_file(), self.database.url)

    @cached_property
    def cases(self) -> CaseService:
        from facetdesk.services.cases import CaseService

        return CaseService(self.database, self.work, self.records)

    @cached_property
    def settings(self) -> SettingsService:
        from facetdesk.services.settings import SettingsService

        return SettingsService(self.database, self.work)

    @cached_property
    def notes(self) -> NoteService:
        from facetdesk.services.notes import NoteService

        return NoteService(self.database, self.work, self.cases, self.settings)

    @cached_property
    def outcomes(self) -> OutcomesService:
        from facetdesk.services.outcomes import OutcomesService

        return OutcomesService(self.database, self.work, self.catalog)

    @cached_property
    def drafts(self) -> DraftStore:
        from facetdesk.services.drafts import DraftStore, default_drafts_dir

        return DraftStore(self._drafts_dir or default_drafts_dir())

    @cached_property
    def follow_ups(self) -> FollowUpService:
        from facetdesk.services.follow_ups import FollowUpService

        return FollowUpService(self.database, self.work)

    @cached_property
    def images(self) -> ImageService:
        from facetdesk.services.images import ImageService

        return ImageService(self.database, self.work)

    @cached_property
    def pathway(self) -> PathwayService:
        from facetdesk.services.pathway import PathwayService

        return PathwayService(self.work, self.records, self.follow_ups, self.catalog)

    @cached_property
    def presets(self) -> PresetService:
        from facetdesk.services.presets import PresetService

        return PresetService(self.database, self.work)

    @cached_property
    def accounts(self) -> AccountService:
        from facetdesk.services.accounts import AccountService

        return AccountService(self.database, self.work)

    @cached_property
    def audit(self) -> AuditService:
        from facetdesk.services.audit import AuditService

        return AuditService(self.database, self.work, self.anchors)

    def close(self) -> None:
        self.database.close()


def build_context(
    db_url: str | None = None,
    drafts_dir: Path | None = None,
    actor: Actor | None = None,
    anchor_file: Path | None = None,
) -> AppContext:
    """Open the database and wire the services. ``actor``: who acts (None until someone signs in)."""
    database = open_database(resolve_database_url(db_url))
    return AppContext(database, WorkSession(actor), drafts_dir, anchor_file)
