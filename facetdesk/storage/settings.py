"""Clinic settings repository: the single clinic_settings row as a ClinicSettings model."""

from __future__ import annotations

import json

from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from facetdesk.domain.base import STORED
from facetdesk.domain.settings import ClinicSettings, changed_settings, setting_label
from facetdesk.storage.audit import audited_settings
from facetdesk.storage.tables import CLINIC_SETTINGS_ID, ClinicSettingsRow, utcnow


def load_settings(session: Session, *, lock: bool = False) -> ClinicSettings:
    """The stored settings, or the defaults when none have been saved yet; ``lock``: the row is locked until the
    transaction ends (on a server), so what a save compared is what it replaces."""
    row = session.get(ClinicSettingsRow, CLINIC_SETTINGS_ID, with_for_update=lock or None)
    if row is None:
        return ClinicSettings()
    return ClinicSettings.model_validate(
        {
            "clinic_name": row.clinic_name,
            "address": row.address,
            "phone": row.phone,
            "logo": row.logo,
            "page_size": row.page_size,
            **({} if row.idle_lock_minutes is None else {"idle_lock_minutes": row.idle_lock_minutes}),
            "note_long_form": bool(row.note_long_form),
            "note_images": bool(row.note_images),
            **({} if not row.ehr_interface else {"ehr": json.loads(row.ehr_interface)}),
        },
        context=STORED,
    )


def settings_changed_outside(session: Session) -> list[str] | None:
    """The settings (as the settings page names them) whose stored value is not the one last saved through
    FacetDesk; None when that cannot be told (no save recorded their digests: saved by an older FacetDesk)."""
    audited = audited_settings(session)
    if audited is None:
        return None if session.get(ClinicSettingsRow, CLINIC_SETTINGS_ID) is not None else []
    return [setting_label(path) for path in changed_settings(load_settings(session), audited)]


def save_settings(session: Session, settings: ClinicSettings) -> ClinicSettings:
    """Insert or replace the single settings row; returns the settings as stored."""
    row = session.get(ClinicSettingsRow, CLINIC_SETTINGS_ID)
    if row is None:
        try:
            with session.begin_nested():
                session.add(_fill(ClinicSettingsRow(id=CLINIC_SETTINGS_ID), settings))
            return settings
        except sa_exc.IntegrityError:
            # Another workstation saved the first settings meanwhile: replace its row instead.
            row = session.get(ClinicSettingsRow, CLINIC_SETTINGS_ID, populate_existing=True)
            if row is None:
                raise
    _fill(row, settings)
    session.flush()
    return settings


def _fill(row: ClinicSettingsRow, settings: ClinicSettings) -> ClinicSettingsRow:
    row.clinic_name = settings.clinic_name
    row.address = settings.address
    row.phone = settings.phone
    row.logo = settings.logo
    row.page_size = settings.page_size.value
    row.idle_lock_minutes = settings.idle_lock_minutes
    row.note_long_form = settings.note_long_form
    row.note_images = settings.note_images
    row.ehr_interface = settings.ehr.model_dump_json()
    row.updated_at = utcnow()
    return row
