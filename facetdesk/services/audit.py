"""The audit trail for people (search) and for trust (verify the chain and every signed note)."""

from __future__ import annotations

from datetime import datetime

from facetdesk.domain.audit import AuditAction, AuditEntry
from facetdesk.domain.base import MAX_ROW_ID
from facetdesk.domain.errors import FieldError, InvalidRecord
from facetdesk.domain.text import storable_text
from facetdesk.domain.users import Permission
from facetdesk.services.anchors import AnchorStore
from facetdesk.services.session import WorkSession
from facetdesk.services.verify import Problem, Verifier, VerifyReport
from facetdesk.storage.audit import search_audit
from facetdesk.storage.db import Database

MAX_PAGE = 5000


def _check_filters(**filters: object) -> None:
    """Refuse filters of the wrong kind by name, before they reach a query."""
    errors: list[FieldError] = []
    for name in ("since", "until"):
        if filters[name] is not None and not isinstance(filters[name], datetime):
            errors.append(FieldError((name,), "must be a date and time"))
    for name in ("username", "entity", "entity_id"):
        value = filters[name]
        if value is not None and (not isinstance(value, str) or not storable_text(value) or len(value) > 200):
            errors.append(FieldError((name,), "must be text of at most 200 characters"))
    if filters["action"] is not None and not isinstance(filters["action"], AuditAction):
        errors.append(FieldError(("action",), "must be one of the audited actions"))
    for name in ("limit", "offset"):
        value = filters[name]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0 or value > MAX_ROW_ID:
            errors.append(FieldError((name,), "must be a whole number of at least 0"))
    if errors:
        raise InvalidRecord(errors)


class AuditService:
    def __init__(self, database: Database, work: WorkSession, anchors: AnchorStore | None = None):
        self._db = database
        self._work = work
        self._anchors = anchors

    def search(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        username: str | None = None,
        action: AuditAction | None = None,
        entity: str | None = None,
        entity_id: str | None = None,
        limit: int = 500,
        offset: int = 0,
    ) -> list[AuditEntry]:
        """Entries matching the filters, newest first (times are UTC)."""
        self._work.require(Permission.VIEW_AUDIT)
        _check_filters(
            since=since,
            until=until,
            username=username,
            action=action,
            entity=entity,
            entity_id=entity_id,
            limit=limit,
            offset=offset,
        )
        with self._db.read() as session:
            return search_audit(
                session,
                since=since,
                until=until,
                username=username,
                action=action,
                entity=entity,
                entity_id=entity_id,
                limit=max(1, min(limit, MAX_PAGE)),
                offset=max(0, offset),
            )

    def verify(self) -> VerifyReport:
        """Check the audit chain, every signature and every record against what was recorded (services.verify)."""
        self._work.require(Permission.VIEW_AUDIT)
        with self._db.read() as session:
            # First, so the moment named is the snapshot's (PostgreSQL takes it at the first statement).
            snapshot = self._db.snapshot_of(session)
            report = Verifier(session, self._anchors.anchor() if self._anchors else None).run()
        report.snapshot = snapshot
        return report


__all__ = ["AuditService", "Problem", "VerifyReport"]
