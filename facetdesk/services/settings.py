"""Use cases for the clinic settings (letterhead, page size): load and save, one transaction each."""

from __future__ import annotations

from typing import Any

from facetdesk.domain.audit import AuditAction, changed_fields
from facetdesk.domain.errors import FieldError, InvalidRecord
from facetdesk.domain.settings import ClinicSettings, loggable_settings, setting_label, settings_digests
from facetdesk.domain.users import Permission
from facetdesk.services.session import WorkSession
from facetdesk.services.validation import WHOLE_WITHOUT_BASIS, validated, with_changes
from facetdesk.storage.db import Database
from facetdesk.storage.errors import StaleRecord
from facetdesk.storage.settings import load_settings, save_settings


def parse_settings(data: dict[str, Any] | ClinicSettings) -> ClinicSettings:
    """Validate settings from a form (or re-validate a model); InvalidRecord names each bad field."""
    return validated(ClinicSettings, data)


class SettingsService:
    def __init__(self, database: Database, work: WorkSession):
        self._db = database
        self._work = work

    def load(self) -> ClinicSettings:
        """The clinic's settings, or the defaults when none were saved yet."""
        with self._db.read() as session:
            return load_settings(session)

    def save(self, data: dict[str, Any] | ClinicSettings, based_on: ClinicSettings | None = None) -> ClinicSettings:
        """Validate and store the settings; never over a change another workstation made meanwhile.

        ``based_on``: the settings as the editor loaded them; ``data`` then replaces them all. When another
        workstation saved different ones since, the save is refused (StaleRecord naming what it changed): one page
        holds every setting, so saving it whole would silently put back what the other workstation changed.

        Without ``based_on`` (the command line, the self-test, a script), ``data`` is a dict naming only the settings
        to change ({"ehr": {"outbox_folder": ...}} changes that one): they are applied to the settings as stored,
        read under the row's lock in the same transaction, so nothing read earlier is written back. Whole settings
        without ``based_on`` are refused, naming based_on."""
        self._work.require(Permission.EDIT_SETTINGS)
        if based_on is not None and not isinstance(based_on, ClinicSettings):
            raise InvalidRecord([FieldError(("based_on",), "must be the clinic settings as they were loaded")])
        if based_on is None and isinstance(data, ClinicSettings):
            raise InvalidRecord([FieldError(("based_on",), WHOLE_WITHOUT_BASIS)])
        settings = parse_settings(data) if based_on is not None else None
        with self._db.transaction() as session:
            before = load_settings(session, lock=True)
            if based_on is not None and before != based_on:
                changed = changed_fields(loggable_settings(based_on), loggable_settings(before))
                raise StaleRecord("set of clinic settings", [setting_label(name) for name in changed])
            if settings is None:
                settings = validated(ClinicSettings, with_changes(before, data))
            saved = save_settings(session, settings)
            fields = changed_fields(loggable_settings(before), loggable_settings(saved))
            # Each setting's digest: verify and the EHR sender tell a value changed in the database from a save.
            detail = {"settings_sha256": settings_digests(saved)}
            self._work.log(session, AuditAction.SETTINGS_UPDATE, "clinic_settings", 1, fields=fields, detail=detail)
            return saved


class SettingsChangedOutside(ValueError):
    """Settings that matter here were changed in the database, not saved through FacetDesk."""
