"""Who is working at this workstation: permission checks and the audit entries written for them."""

from __future__ import annotations

import socket
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.orm import Session

from facetdesk.domain.audit import AuditAction, AuditEntry
from facetdesk.domain.users import Actor, NotPermitted, Permission
from facetdesk.storage.audit import append_audit


def workstation_name() -> str:
    return (socket.gethostname() or "unknown")[:100]


class WorkSession:
    """The signed-in user (or the command line), shared by every service of one application context."""

    def __init__(self, actor: Actor | None = None, workstation: str | None = None):
        self.workstation = workstation or workstation_name()
        self._actor = actor
        # The clinic CA, opened with an administrator's password at sign-in (services.keys): only an
        # administrator's session can certify a physician's signing key. Forgotten at sign-out.
        self.clinic_ca: Any = None

    @property
    def actor(self) -> Actor | None:
        return self._actor

    def sign_in(self, actor: Actor) -> None:
        if self._actor is None or self._actor.username != actor.username:
            self.clinic_ca = None
        self._actor = actor

    def sign_out(self) -> None:
        self._actor = None
        self.clinic_ca = None

    def may(self, permission: Permission) -> bool:
        return self._actor is not None and self._actor.may(permission)

    def require(self, permission: Permission) -> Actor:
        """The actor, if allowed ``permission``; NotPermitted (with a sentence for the user) otherwise."""
        if self._actor is None or not self._actor.may(permission):
            raise NotPermitted(self._actor, permission)
        return self._actor

    def log(
        self,
        session: Session,
        action: AuditAction,
        entity: str,
        entity_id: object = None,
        *,
        fields: Iterable[str] = (),
        detail: dict[str, Any] | None = None,
        username: str | None = None,
    ) -> AuditEntry:
        """Append an audit entry in ``session``'s transaction: it commits or rolls back with the change.

        Only names, ids, field names, hashes and counts go in; never patient free text.
        """
        return append_audit(
            session,
            AuditEntry(
                at=datetime.now(timezone.utc).replace(tzinfo=None),
                username=username or (self._actor.username if self._actor else "(nobody)"),
                workstation=(self._actor.workstation if self._actor else "") or self.workstation,
                action=action,
                entity=entity,
                entity_id=None if entity_id is None else str(entity_id),
                fields=tuple(fields),
                detail=detail or {},
            ),
        )
