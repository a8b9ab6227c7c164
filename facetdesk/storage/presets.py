"""Preset repository: procedure presets as Preset models, names unique case-insensitively."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, selectinload

from facetdesk.domain.base import STORED, is_row_id
from facetdesk.domain.preset import Preset
from facetdesk.domain.text import storable_text
from facetdesk.storage.errors import RecordNotFound, StorageError
from facetdesk.storage.medication_rows import medication_dicts, medication_rows
from facetdesk.storage.tables import PresetMedicationRow, PresetRow, utcnow
from facetdesk.storage.textkey import fold


class DuplicatePresetName(StorageError):
    def __init__(self, name: str):
        self.name = name
        super().__init__(f"A preset named {name!r} already exists; choose another name. Nothing was saved.")


def _select() -> sa.Select:
    return sa.select(PresetRow).options(selectinload(PresetRow.medications))


def preset_from_row(row: PresetRow) -> Preset:
    # STORED: a strength later removed from the catalog must not make the preset unreadable.
    return Preset.model_validate(
        {
            "id": row.id,
            "name": row.name,
            "technique": row.technique,
            "intent": row.intent,
            "guidance": row.guidance,
            "sedation": row.sedation,
            "region": row.region,
            "medications": medication_dicts(row.medications),
            "botox": None
            if row.botox_product is None
            else {"product": row.botox_product, "vial_units": row.botox_vial_units, "diluent_ml": row.botox_diluent_ml},
            "documentation": row.documentation,
        },
        context=STORED,
    )


def list_presets(session: Session) -> list[Preset]:
    """Every preset, by name."""
    return [preset_from_row(r) for r in session.scalars(_select().order_by(PresetRow.name_key))]


def get_preset(session: Session, preset_id: int, *, lock: bool = False) -> Preset | None:
    """The preset, or None; ``lock``: its row stays locked until the transaction ends (on a server)."""
    if not is_row_id(preset_id):  # no row has it, and a huge number cannot even be bound to the query
        return None
    query = _select().where(PresetRow.id == preset_id)
    row = session.scalar(query.with_for_update() if lock else query)
    return None if row is None else preset_from_row(row)


def preset_name_owner(session: Session, name: str) -> int | None:
    """The id of the preset with this name (ignoring case and accents), if any."""
    if not storable_text(name):
        return None  # stored names are valid UTF-8, so a name that is not (an unpaired surrogate) is no one's
    return session.scalar(sa.select(PresetRow.id).where(PresetRow.name_key == fold(name)))


def save_preset(session: Session, preset: Preset) -> Preset:
    """Insert (``id`` None) or update the preset; returns it with its id.

    Raises DuplicatePresetName when another preset has the name (ignoring case and accents),
    RecordNotFound when the preset to update is gone.
    """
    owner = preset_name_owner(session, preset.name)
    if owner is not None and owner != preset.id:
        raise DuplicatePresetName(preset.name)
    if preset.id is None:
        row = PresetRow()
    else:
        # FOR UPDATE: a concurrent save of this preset waits for this one (see storage.patients.save_patient).
        found = session.scalar(_select().where(PresetRow.id == preset.id).with_for_update())
        if found is None:
            raise RecordNotFound("This preset is no longer in the database (deleted on another workstation?).")
        row = found
        # Old rows go first: the new list reuses their (preset_id, position) keys.
        row.medications.clear()
        session.flush()
    try:
        # A savepoint keeps the session usable if another workstation took the name meanwhile.
        with session.begin_nested():
            _fill(row, preset)
            session.add(row)
            session.flush()
    except sa_exc.IntegrityError:
        if preset_name_owner(session, preset.name) not in (None, preset.id):
            raise DuplicatePresetName(preset.name) from None
        raise
    return preset.model_copy(update={"id": row.id})


def delete_preset(session: Session, preset_id: int) -> bool:
    """Delete the preset and its medication rows; False when there was none with this id."""
    if not is_row_id(preset_id):
        return False
    row = session.scalar(_select().where(PresetRow.id == preset_id))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def _fill(row: PresetRow, preset: Preset) -> None:
    row.name = preset.name
    row.name_key = fold(preset.name)
    row.technique = preset.technique.value
    row.intent = preset.intent.value if preset.intent else None
    row.guidance = preset.guidance.value if preset.guidance else None
    row.sedation = preset.sedation.value if preset.sedation else None
    row.region = preset.region
    toxin = preset.botox
    row.botox_product = toxin.product.value if toxin else None
    row.botox_vial_units = toxin.vial_units if toxin else None
    row.botox_diluent_ml = toxin.diluent_ml if toxin else None
    doc = preset.documentation
    row.documentation = doc.model_dump(mode="json", exclude_defaults=True) if doc is not None else None
    row.updated_at = utcnow()
    row.medications = medication_rows(PresetMedicationRow, preset.medications)
