"""Use cases for the clinic settings (letterhead, page size): load and save, one transaction each."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from facetdesk.domain.errors import InvalidRecord, field_errors
from facetdesk.domain.settings import ClinicSettings
from facetdesk.storage.db import Database
from facetdesk.storage.settings import load_settings, save_settings


def parse_settings(data: dict[str, Any] | ClinicSettings) -> ClinicSettings:
    """Validate settings from a form (or re-validate a model); InvalidRecord names each bad field."""
    if isinstance(data, ClinicSettings):
        data = data.model_dump()
    try:
        return ClinicSettings.model_validate(data)
    except ValidationError as exc:
        raise InvalidRecord(field_errors(exc)) from None


class SettingsService:
    def __init__(self, database: Database):
        self._db = database

    def load(self) -> ClinicSettings:
        """The clinic's settings, or the defaults when none were saved yet."""
        with self._db.read() as session:
            return load_settings(session)

    def save(self, data: dict[str, Any] | ClinicSettings) -> ClinicSettings:
        """Validate and store the settings, replacing any saved before."""
        settings = parse_settings(data)
        with self._db.transaction() as session:
            return save_settings(session, settings)
