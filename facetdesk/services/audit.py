"""The audit trail for people (search) and for trust (verify the chain and every signed note)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from facetdesk.domain.audit import AuditAction, AuditEntry, sha256_bytes, verify_chain
from facetdesk.domain.base import MAX_ROW_ID
from facetdesk.domain.errors import FieldError, InvalidRecord
from facetdesk.domain.integrity import addendum_content_hash, procedure_content_hash
from facetdesk.domain.text import storable_text
from facetdesk.domain.users import Permission
from facetdesk.services.session import WorkSession
from facetdesk.storage.audit import iter_audit, search_audit
from facetdesk.storage.db import Database
from facetdesk.storage.signed_notes import iter_signed_procedures


@dataclass(frozen=True)
class Problem:
    """One thing that does not hold; ``where`` names an audit entry or a procedure, never a patient."""

    where: str
    what: str


@dataclass
class VerifyReport:
    audit_entries: int = 0
    # The newest entry: a clinic can note it (or compare it with a backup's) to notice removed newest entries,
    # which no chain can reveal by itself.
    head: str = ""
    signed_procedures: int = 0
    addenda: int = 0
    # Signed before tamper evidence existed (revision 0006): nothing to check them against.
    unhashed: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        out = [
            f"Audit log: {self.audit_entries} entries checked.",
            f"Signed procedures: {self.signed_procedures} checked, with {self.addenda} addenda.",
        ]
        if self.unhashed:
            out.append(
                f"{len(self.unhashed)} procedure(s) were signed before FacetDesk kept hashes and cannot be "
                f"checked: {', '.join(self.unhashed[:20])}{' …' if len(self.unhashed) > 20 else ''}"
            )
        if self.head:
            out.append(f"Newest audit entry: {self.head}.")
        out += [f"CHANGED: {p.where}: {p.what}" for p in self.problems]
        out.append("Everything checked is as it was written." if self.ok else f"{len(self.problems)} problem(s) found.")
        return out


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
    def __init__(self, database: Database, work: WorkSession):
        self._db = database
        self._work = work

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
        """Check the audit chain, every signed note and every addendum against what was recorded."""
        self._work.require(Permission.VIEW_AUDIT)
        report = VerifyReport()
        # What the audit log says was signed: procedure id -> hashes, and addendum hashes by position.
        signed: dict[str, dict] = {}
        addenda: dict[str, dict[int, str]] = {}
        with self._db.read() as session:
            entries: list[AuditEntry] = []
            for entry in iter_audit(session):
                entries.append(entry)
                if entry.action is AuditAction.SIGN and entry.entity_id is not None:
                    signed[entry.entity_id] = entry.detail
                elif entry.action is AuditAction.ADDENDUM and entry.entity_id is not None:
                    position = int(entry.detail.get("position", -1))
                    addenda.setdefault(entry.entity_id, {})[position] = str(entry.detail.get("content_sha256"))
            report.audit_entries = len(entries)
            if entries:
                last = entries[-1]
                report.head = f"#{last.id} at {last.at:%Y-%m-%d %H:%M:%S} UTC, hash {last.entry_hash[:16]}…"
            for brk in verify_chain(entries):
                report.problems.append(Problem(f"audit entry {brk.entry_id}", brk.reason))
            seen: set[str] = set()
            for stored in iter_signed_procedures(session):
                report.signed_procedures += 1
                self._check_signed(stored, signed, addenda, report)
                if stored.procedure is not None and stored.procedure.id is not None:
                    seen.add(str(stored.procedure.id))
                elif stored.note is not None:
                    seen.add(str(stored.note.procedure_id))
            for procedure_id in sorted(set(signed) - seen, key=lambda x: int(x) if x.isdigit() else 0):
                report.problems.append(
                    Problem(f"procedure {procedure_id}", "was signed, but is no longer stored as a signed procedure")
                )
        return report

    def _check_signed(self, stored, signed: dict[str, dict], addenda: dict[str, dict[int, str]], report) -> None:
        proc = stored.procedure
        note = stored.note
        pid = str(proc.id if proc is not None else note.procedure_id if note else "?")
        where = f"procedure {pid}" + (f" ({proc.uid})" if proc is not None else "")
        recorded = signed.get(pid)
        if note is None and recorded is None:
            report.unhashed.append(where)
            return
        if proc is None:
            report.problems.append(Problem(where, stored.problem or "cannot be read"))
            return
        if note is None:
            report.problems.append(Problem(where, "its signed note (PDF and hashes) is missing"))
            return
        content = procedure_content_hash(proc, stored.patient_id)
        if content != note.content_sha256:
            report.problems.append(Problem(where, "its content differs from what was signed"))
        if sha256_bytes(note.pdf) != note.pdf_sha256:
            report.problems.append(Problem(where, "its signed PDF differs from the one signed"))
        if recorded is None:
            report.problems.append(Problem(where, "its signature is not in the audit log"))
        else:
            if recorded.get("content_sha256") != note.content_sha256:
                report.problems.append(Problem(where, "its content hash differs from the one in the audit log"))
            if recorded.get("pdf_sha256") != note.pdf_sha256:
                report.problems.append(Problem(where, "its PDF hash differs from the one in the audit log"))
        logged_addenda = addenda.get(pid, {})
        for position, addendum in enumerate(proc.addenda):
            report.addenda += 1
            stored_hash = stored.addendum_hashes[position] if position < len(stored.addendum_hashes) else None
            logged = logged_addenda.get(position)
            if stored_hash is None and logged is None:
                continue  # written before 0006
            actual = addendum_content_hash(addendum, proc.uid, position)
            if actual != stored_hash or actual != logged:
                report.problems.append(Problem(where, f"addendum {position + 1} differs from what was signed"))
        missing = [pos for pos in logged_addenda if pos >= len(proc.addenda)]
        if missing:
            report.problems.append(Problem(where, f"{len(missing)} signed addendum(s) are missing"))
