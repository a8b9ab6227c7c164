"""Storage errors the user can act on, each carrying a message fit to show as is."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime


class StorageError(Exception):
    """Base class: ``str(error)`` is a complete sentence for the user."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class DatabaseError(StorageError):
    """The database cannot be opened, is not a FacetDesk database, or is too new for this version."""


class DatabaseUnavailable(StorageError):
    """The database server could not be reached, or the connection to it dropped, during a use case.

    Nothing of that use case was committed (unless the connection dropped during COMMIT itself, when
    the server may have kept it: a retried save then reports the record as changed or already stored).
    What the user typed is still on screen and in the draft; the same action works once the server answers.
    """

    def __init__(self, server: str, reason: str):
        self.server = server
        self.reason = reason
        super().__init__(
            f"The database server on {server} is not reachable ({reason}). Your unsaved work is kept; try again."
        )


class RecordBusy(StorageError):
    """Another workstation held the record (or the audit trail) longer than the lock limit: nothing was saved."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(
            f"Another workstation is still saving (it held the record for more than {seconds:g} s). "
            "Nothing was saved; your work is kept; try again in a moment."
        )


class ServerTooSlow(StorageError):
    """The server cancelled a statement that ran past the statement limit: nothing of the use case was saved."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(
            f"The database server did not finish within {seconds:g} s. Nothing was saved; your work is kept; "
            "try again, and tell whoever runs the server if it keeps happening."
        )


class DuplicateMrn(StorageError):
    def __init__(self, mrn: str):
        self.mrn = mrn
        super().__init__(f"MRN {mrn} already belongs to another patient. Nothing was saved.")


class DuplicateProcedure(StorageError):
    def __init__(self, uid: str):
        self.uid = uid
        super().__init__(f"A procedure with identifier {uid} is already stored. Nothing was saved.")


class StaleRecord(StorageError):
    """Saved over a version another workstation changed since this one read it: refused, nothing saved."""

    def __init__(self, record: str = "procedure", changed: Sequence[str] = ()) -> None:
        self.record = record
        # What the other workstation changed, when known (named so the user knows what to look at again).
        self.changed = tuple(changed)
        what = f" ({', '.join(self.changed)})" if self.changed else ""
        super().__init__(
            f"This {record} was changed on another workstation since you opened it{what}; "
            "reopen it to see the changes. Nothing was saved."
        )


class RecordLocked(StorageError):
    """The procedure is signed: nothing may change it; corrections go into addenda."""

    def __init__(self, signed_by: str, signed_at: datetime, message: str | None = None):
        self.signed_by = signed_by
        self.signed_at = signed_at
        super().__init__(
            message
            or f"This procedure was signed by {signed_by} on {signed_at:%Y-%m-%d %H:%M} and can no longer "
            "be changed; add an addendum instead."
        )


class AlreadySigned(RecordLocked):
    def __init__(self, signed_by: str, signed_at: datetime):
        super().__init__(
            signed_by,
            signed_at,
            f"This procedure was already signed by {signed_by} on {signed_at:%Y-%m-%d %H:%M}; "
            "it cannot be signed again. Add an addendum instead.",
        )


class NotSigned(StorageError):
    def __init__(self) -> None:
        super().__init__(
            "Only a signed procedure takes addenda; change the procedure itself and sign it. Nothing was saved."
        )


class RecordNotFound(StorageError):
    """The record being updated no longer exists (deleted elsewhere, or a wrong id)."""


class DuplicateUsername(StorageError):
    def __init__(self, username: str):
        self.username = username
        super().__init__(f"The user name {username} is taken; choose another. Nothing was saved.")
