"""Storage errors the user can act on, each carrying a message fit to show as is."""

from __future__ import annotations


class StorageError(Exception):
    """Base class: ``str(error)`` is a complete sentence for the user."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class DatabaseError(StorageError):
    """The database cannot be opened, is not a FacetDesk database, or is too new for this version."""


class DuplicateMrn(StorageError):
    def __init__(self, mrn: str):
        self.mrn = mrn
        super().__init__(f"MRN {mrn} already belongs to another patient. Nothing was saved.")


class DuplicateProcedure(StorageError):
    def __init__(self, uid: str):
        self.uid = uid
        super().__init__(f"A procedure with identifier {uid} is already stored. Nothing was saved.")


class StaleRecord(StorageError):
    def __init__(self) -> None:
        super().__init__(
            "This procedure was changed on another workstation since you opened it; "
            "reopen it to see the changes. Nothing was saved."
        )


class RecordNotFound(StorageError):
    """The record being updated no longer exists (deleted elsewhere, or a wrong id)."""
