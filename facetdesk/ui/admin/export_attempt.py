"""An export's file written through a service call, its refusal or failure said where it belongs: a bad date
beside its field, anything else in the dialog's message line, and "nothing was written" when nothing was."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QCoreApplication

from facetdesk.domain.errors import InvalidRecord
from facetdesk.domain.users import NotPermitted
from facetdesk.storage.errors import StorageError
from facetdesk.ui.common.error_router import ErrorRouter
from facetdesk.ui.common.widgets import ErrorLabel

T = TypeVar("T")


def _tr(text: str) -> str:
    return QCoreApplication.translate("ExportAttempt", text)


def attempt_export(write: Callable[[], T], path: str, errors: ErrorRouter, message: ErrorLabel) -> T | None:
    """``write()``'s result; None when it was refused or failed, with the reason shown (the services write
    whole files or none, so nothing is half-written)."""
    try:
        return write()
    except InvalidRecord as exc:
        errors.show(exc.errors)
    except NotPermitted as exc:  # a PermissionError, so an OSError: not a file problem
        message.show_error(_tr("Nothing was exported: {msg}").format(msg=str(exc)))
    except OSError as exc:
        message.show_error(
            _tr("Could not write {path}: {reason}. Nothing was written.").format(
                path=path, reason=exc.strerror or str(exc)
            )
        )
    except StorageError as exc:
        message.show_error(
            _tr("Could not read the database: {reason}. Nothing was written to {path}.").format(
                reason=str(exc), path=path
            )
        )
    return None
