"""Moving a workstation's records to the clinic's PostgreSQL server: copy all or nothing, audit the move, verify.

The copy itself is facetdesk.storage.transfer. This module checks who asks, records the move as one
audit entry chained after the copied ones (in the same transaction, so the move and its record commit
together), and then runs the check ``facetdesk verify`` runs on the server's copy. When that check
fails, the workstation's file is checked too, to tell a problem it already had from one the move made.
"""

from __future__ import annotations

from dataclasses import dataclass

from facetdesk.domain.audit import AuditAction
from facetdesk.domain.users import Permission
from facetdesk.services.audit import AuditService, VerifyReport
from facetdesk.services.session import WorkSession
from facetdesk.storage.db import Database
from facetdesk.storage.errors import DatabaseUnavailable
from facetdesk.storage.transfer import Progress, TransferError, copy_all, open_source, open_target

# The tables a person counts in; the rest are their parts (medications, pain scores, ...).
_SUMMARY = (
    ("patients", "patient", "patients"),
    ("procedures", "procedure", "procedures"),
    ("signatures", "signature", "signatures"),
    ("procedure_addenda", "addendum", "addenda"),
    ("users", "account", "accounts"),
    ("presets", "preset", "presets"),
    ("audit_log", "audit entry", "audit entries"),
)


@dataclass(frozen=True)
class MoveReport:
    """What was moved where, and what the integrity check found on the server afterwards."""

    source: str
    # The server's address with the password masked.
    target: str
    rows: dict[str, int]
    verify: VerifyReport
    # Checked only when the server's copy did not verify: the same problems in the file predate the move.
    source_verify: VerifyReport | None = None
    # The file was written by an older FacetDesk and was upgraded in a temporary copy (the file is unchanged).
    upgraded: bool = False

    @property
    def ok(self) -> bool:
        return self.verify.ok

    def summary(self) -> str:
        counts = [
            f"{self.rows.get(table, 0):,} {one if self.rows.get(table, 0) == 1 else many}"
            for table, one, many in _SUMMARY
        ]
        total = sum(self.rows.values())
        return f"copied {', '.join(counts)} ({total:,} rows in {len(self.rows)} tables) to {self.target}"

    def lines(self) -> list[str]:
        out = [self.summary()]
        if self.ok:
            out.append(
                f"verify: OK (checked on the server: audit trail of {self.verify.audit_entries:,} entries, "
                f"{self.verify.signed_procedures:,} signed procedure(s) with {self.verify.addenda:,} addenda)"
            )
            return out
        out.append(f"verify: FAILED on the server, {len(self.verify.problems)} problem(s):")
        out += [f"  CHANGED: {p.where}: {p.what}" for p in self.verify.problems]
        if self.source_verify is not None and self.source_verify.problems == self.verify.problems:
            out.append(
                "The workstation's file has exactly these problems too: they predate the move, which copied them "
                f"faithfully. Run facetdesk --db {self.source} verify and find out what changed it."
            )
        else:
            out.append(
                "The workstation's file does not show the same problems: the copy on the server differs from it. "
                "Do not use the server database (drop it and create it anew before another try); keep working on "
                "the workstation and report this."
            )
        return out


def move_to_server(
    source_url: str, target_url: str, work: WorkSession, *, progress: Progress | None = None
) -> MoveReport:
    """Copy the SQLite database at ``source_url`` into the unused PostgreSQL database at ``target_url``.

    All or nothing: refused (TransferError, nothing written) unless the server database is unused and
    the file is an intact FacetDesk database; the file is only read. The move is one audit entry on
    the server, with the number of rows of each table (no patient data).
    """
    work.require(Permission.MANAGE_USERS)  # the accounts move with the records
    work.require(Permission.VIEW_AUDIT)  # and so does the audit trail, which is checked afterwards
    with open_source(source_url) as source:
        target = open_target(target_url)
        try:
            copied = _copy(source.database, target, work, progress)
            report = AuditService(target, work).verify()
            source_report = None if report.ok else AuditService(source.database, work).verify()
            return MoveReport(
                str(source.path), target.url_for_display(), copied, report, source_report, upgraded=source.upgraded
            )
        finally:
            target.close()


def _copy(source: Database, target: Database, work: WorkSession, progress: Progress | None) -> dict[str, int]:
    try:
        with source.engine.connect() as reading, reading.begin(), target.transaction() as session:
            copied = copy_all(reading, session.connection(), progress)
            work.log(session, AuditAction.TRANSFER, "database", detail=dict(copied.rows))
    except DatabaseUnavailable as exc:
        raise TransferError(
            f"The database server on {exc.server} stopped answering during the move ({exc.reason}). The move is "
            "all or nothing: unless the connection dropped at the very end, nothing was copied. Run the move "
            "again; if it then says the server already holds records, run facetdesk verify on the server to "
            "check the completed move."
        ) from exc
    return copied.rows
