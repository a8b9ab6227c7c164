"""Use cases for procedure presets: list, get, save and delete, one transaction each."""

from __future__ import annotations

import builtins
from typing import Any

from facetdesk.domain.audit import AuditAction, changed_fields
from facetdesk.domain.base import is_row_id
from facetdesk.domain.errors import FieldError, InvalidRecord
from facetdesk.domain.preset import Preset
from facetdesk.domain.users import Permission
from facetdesk.services.session import WorkSession
from facetdesk.services.validation import WHOLE_WITHOUT_BASIS, validated, with_changes
from facetdesk.storage.db import Database
from facetdesk.storage.errors import RecordNotFound, StaleRecord
from facetdesk.storage.presets import (
    DuplicatePresetName,
    delete_preset,
    get_preset,
    list_presets,
    preset_name_owner,
    save_preset,
)


def parse_preset(data: dict[str, Any] | Preset) -> Preset:
    """Validate a preset from a form (or re-validate a model); InvalidRecord names each bad field."""
    return validated(Preset, data)


class PresetService:
    def __init__(self, database: Database, work: WorkSession):
        self._db = database
        self._work = work

    def list(self) -> builtins.list[Preset]:
        """Every preset, by name."""
        with self._db.read() as session:
            return list_presets(session)

    def get(self, preset_id: int) -> Preset | None:
        with self._db.read() as session:
            return get_preset(session, preset_id)

    def save(self, data: dict[str, Any] | Preset, based_on: Preset | None = None) -> Preset:
        """Validate and store (insert when ``id`` is None); a name already taken is an error on ('name',).

        ``based_on``: the preset as the editor loaded it; when another workstation saved it differently since, the
        save is refused (StaleRecord naming what changed) rather than silently putting their doses back. Without
        it, a stored preset is changed only by a dict naming its id and the fields to change, applied to the
        preset as stored under its row's lock; a whole stored preset without ``based_on`` is refused.
        Raises InvalidRecord, or RecordNotFound when the preset was deleted meanwhile.
        """
        self._work.require(Permission.EDIT_PRESETS)
        if based_on is not None and not isinstance(based_on, Preset):
            raise InvalidRecord([FieldError(("based_on",), "must be the preset as it was loaded")])
        if based_on is None and isinstance(data, Preset) and data.id is not None:
            raise InvalidRecord([FieldError(("based_on",), WHOLE_WITHOUT_BASIS)])
        changes = based_on is None and isinstance(data, dict) and data.get("id") is not None
        preset = None if changes else self._parsed(data)
        try:
            with self._db.transaction() as session:
                if preset is None:
                    preset = self._changed(session, data)
                elif based_on is not None and preset.id is not None:
                    stored = get_preset(session, preset.id, lock=True)
                    if stored is not None and stored != based_on:
                        changed = changed_fields(based_on.model_dump(mode="json"), stored.model_dump(mode="json"))
                        raise StaleRecord(
                            "preset", list(dict.fromkeys(c.split(".")[0].replace("_", " ") for c in changed))
                        )
                saved = save_preset(session, preset)
                self._work.log(session, AuditAction.PRESET_SAVE, "preset", saved.id)
                return saved
        except DuplicatePresetName as exc:
            raise InvalidRecord([FieldError(("name",), str(exc))]) from None

    def _parsed(self, data: dict[str, Any] | Preset) -> Preset:
        try:
            return parse_preset(data)
        except InvalidRecord as exc:
            # Name the taken name with the other problems, so one round of fixes is enough.
            taken = self._name_taken(data)
            if taken is not None and not any(e.path == ("name",) for e in exc.errors):
                raise InvalidRecord([FieldError(("name",), taken), *exc.errors]) from None
            raise

    @staticmethod
    def _changed(session, changes: Any) -> Preset:
        """The stored preset, locked, with the fields ``changes`` names changed."""
        preset_id = changes["id"]
        if not is_row_id(preset_id):
            raise InvalidRecord([FieldError(("id",), "must be the id of a stored preset")])
        stored = get_preset(session, preset_id, lock=True)
        if stored is None:
            raise RecordNotFound("This preset is no longer in the database (deleted on another workstation?).")
        return validated(Preset, with_changes(stored, changes))

    def _name_taken(self, data: dict[str, Any] | Preset) -> str | None:
        raw = data if isinstance(data, dict) else data.model_dump() if isinstance(data, Preset) else {}
        name, own_id = raw.get("name"), raw.get("id")
        if not isinstance(name, str) or not name.strip():
            return None
        with self._db.read() as session:
            owner = preset_name_owner(session, name)
        return None if owner is None or owner == own_id else DuplicatePresetName(name.strip()).message

    def delete(self, preset_id: int) -> bool:
        """Delete the preset; False when it was already gone."""
        self._work.require(Permission.EDIT_PRESETS)
        with self._db.transaction() as session:
            deleted = delete_preset(session, preset_id)
            if deleted:
                self._work.log(session, AuditAction.PRESET_DELETE, "preset", preset_id)
            return deleted
