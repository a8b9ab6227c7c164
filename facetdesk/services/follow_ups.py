"""Follow-up visits: a nurse or physician records how the patient is doing weeks or months after a procedure."""

from __future__ import annotations

import builtins
from typing import Any

from facetdesk.domain.audit import AuditAction
from facetdesk.domain.base import is_row_id
from facetdesk.domain.errors import FieldError, InvalidRecord
from facetdesk.domain.follow_up import FollowUp
from facetdesk.domain.signed_content import RECORD_FORMAT, follow_up_record_hash
from facetdesk.domain.text import shown
from facetdesk.domain.users import NotPermitted, Permission
from facetdesk.services.records import NotFound
from facetdesk.services.session import WorkSession
from facetdesk.services.validation import validated
from facetdesk.storage import repository as repo
from facetdesk.storage.audit import changed_since
from facetdesk.storage.db import Database
from facetdesk.storage.errors import StaleRecord
from facetdesk.storage.follow_ups import follow_ups_for_patient, get_follow_up, save_follow_up


class FollowUpService:
    def __init__(self, database: Database, work: WorkSession):
        self._db = database
        self._work = work

    def save(self, data: dict[str, Any] | FollowUp) -> FollowUp:
        """Validate and store a visit (new when it has no id); it is the signed-in person's record of it."""
        if not (self._work.may(Permission.EDIT_PROCEDURE) or self._work.may(Permission.RECORD_PAIN_SCORES)):
            raise NotPermitted(self._work.actor, Permission.RECORD_PAIN_SCORES)
        raw: object = data.model_dump() if isinstance(data, FollowUp) else data
        actor = self._work.actor
        if actor is not None and isinstance(raw, dict):
            raw = {**raw, "recorded_by": actor.display_name}  # who records it is who is signed in, never typed
        visit = validated(FollowUp, raw)
        with self._db.transaction() as session:
            found = repo.procedure_by_uid(session, visit.procedure_uid)
            if found is None:
                raise NotFound(f"procedure {shown(visit.procedure_uid)} does not exist")
            procedure = found[1]
            if visit.seen_on < procedure.performed_at.date():
                raise InvalidRecord(
                    [FieldError(("seen_on",), f"is before the procedure of {procedure.performed_at:%Y-%m-%d}")]
                )
            before = get_follow_up(session, visit.id) if visit.id is not None else None
            if visit.id is not None and before is None:
                raise NotFound(f"follow-up {shown(visit.id)} does not exist")
            if visit.id is not None and before is not None and before.version != visit.version:
                raise StaleRecord(
                    "follow-up visit", changed_since(session, "follow_up", visit.id, visit.version, before.version)
                )
            if before is not None and before.procedure_uid != visit.procedure_uid:
                # A visit stays with the procedure it followed up; moving it would rewrite another's outcome.
                raise InvalidRecord(
                    [FieldError(("procedure_uid",), "is not the procedure this follow-up was recorded for")]
                )
            saved = save_follow_up(session, visit)
            action = AuditAction.CREATE if before is None else AuditAction.UPDATE
            changed = (
                () if before is None else [k for k in FollowUp.model_fields if getattr(before, k) != getattr(saved, k)]
            )
            detail = {
                "procedure": procedure.id,
                "record_format": RECORD_FORMAT,
                "record_sha256": follow_up_record_hash(saved),
            }
            self._work.log(session, action, "follow_up", saved.id, fields=changed, detail=detail)
            return saved

    def of_patient(self, patient_id: int) -> builtins.list[FollowUp]:
        """The patient's follow-up visits, oldest first (none for an id no patient has)."""
        self._work.require(Permission.VIEW)
        if not is_row_id(patient_id):
            return []
        with self._db.read() as session:
            return follow_ups_for_patient(session, patient_id)
