"""Images of a procedure: attached by the physician from a saved file, listed, shown, removed while unsigned."""

from __future__ import annotations

import builtins
import hashlib
from typing import Any

from facetdesk.domain.audit import AuditAction
from facetdesk.domain.base import is_row_id, now
from facetdesk.domain.errors import FieldError, InvalidRecord
from facetdesk.domain.images import ProcedureImage
from facetdesk.domain.signed_content import RECORD_FORMAT, image_record_hash
from facetdesk.domain.text import shown
from facetdesk.domain.users import Permission
from facetdesk.interop.images import ImageRefused, decode_image
from facetdesk.services.records import NotFound
from facetdesk.services.session import WorkSession
from facetdesk.services.validation import validated
from facetdesk.storage import images as store
from facetdesk.storage import repository as repo
from facetdesk.storage.db import Database


class ImageService:
    def __init__(self, database: Database, work: WorkSession):
        self._db = database
        self._work = work

    def attach(self, procedure_id: int, data: bytes, entry: dict[str, Any]) -> ProcedureImage:
        """Keep ``data`` (a DICOM, PNG or JPEG file) as an image of the procedure, described by ``entry`` (view,
        level, caption). A file that cannot be read, or an entry with a bad field, is refused and nothing kept."""
        self._work.require(Permission.EDIT_PROCEDURE)
        raw = dict(entry) if isinstance(entry, dict) else {"entry": entry}
        # The file and the entry are checked together, so every problem is named at once.
        errors = _entry_errors(raw)
        decoded = None
        if not isinstance(data, (bytes, bytearray)):
            errors.insert(0, FieldError(("file",), "must be the bytes of an image file"))
        else:
            try:
                decoded = decode_image(bytes(data))
            except ImageRefused as exc:
                errors.insert(0, FieldError(("file",), str(exc)))
        if errors or decoded is None:
            raise InvalidRecord(errors)
        actor = self._work.actor
        with self._db.transaction() as session:
            uid = store.procedure_uid(session, procedure_id) if is_row_id(procedure_id) else None
            if uid is None:
                raise NotFound(f"procedure {shown(procedure_id)} does not exist")
            image = validated(
                ProcedureImage,
                {
                    **raw,
                    "procedure_uid": uid,
                    "source_format": decoded.source_format,
                    "modality": decoded.modality,
                    "width": decoded.width,
                    "height": decoded.height,
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "added_by": actor.display_name if actor is not None else "",
                    "added_at": now().replace(microsecond=0),
                },
            )
            saved = store.add_image(session, image, decoded.png, bytes(data))
            detail = {
                "procedure": procedure_id,
                "record_format": RECORD_FORMAT,
                "record_sha256": image_record_hash(saved),
                # The de-identified rendering shown and printed: not in the record hash (its format predates this),
                # so its own hash is kept beside it for verify.
                "png_sha256": hashlib.sha256(decoded.png).hexdigest(),
            }
            self._work.log(session, AuditAction.CREATE, "image", saved.id, detail=detail)
            return saved

    def of_procedure(self, procedure_id: int) -> builtins.list[ProcedureImage]:
        """The procedure's images in the order they were added (none for an id no procedure has)."""
        self._work.require(Permission.VIEW)
        if not is_row_id(procedure_id):
            return []
        with self._db.read() as session:
            uid = store.procedure_uid(session, procedure_id)
            return store.images_of(session, uid) if uid is not None else []

    def renderings(self, procedure_id: int) -> builtins.list[tuple[ProcedureImage, bytes]]:
        """The procedure's images with their de-identified PNGs, in one read (the editor's thumbnails)."""
        self._work.require(Permission.VIEW)
        if not is_row_id(procedure_id):
            return []
        with self._db.read() as session:
            uid = store.procedure_uid(session, procedure_id)
            found = store.images_with_pixels(session, uid) if uid is not None else []
        return [(image, png) for image, png, _ in found]

    def rendering(self, image_id: int) -> bytes:
        """The de-identified PNG of an image (what the editor shows and the note prints)."""
        self._work.require(Permission.VIEW)
        with self._db.read() as session:
            png = store.image_png(session, image_id) if is_row_id(image_id) else None
        if png is None:
            raise NotFound(f"image {shown(image_id)} does not exist")
        return png

    def remove(self, image_id: int) -> None:
        """Remove an image attached by mistake; refused once the procedure is signed (the record is evidence)."""
        self._work.require(Permission.EDIT_PROCEDURE)
        with self._db.transaction() as session:
            found = store.image_with_owner(session, image_id) if is_row_id(image_id) else None
            if found is None:
                raise NotFound(f"image {shown(image_id)} does not exist")
            image, procedure_id = found
            owner = repo.get_procedure(session, procedure_id, lock=True)
            if owner is not None and owner[1].is_signed:
                raise InvalidRecord(
                    [FieldError(("images",), "the procedure is signed: its images are part of the record")]
                )
            store.delete_image(session, image_id)
            self._work.log(session, AuditAction.DELETE, "image", image_id, detail={"procedure": procedure_id})


# What the file gives an image record: stand-ins while the entry alone is checked.
_FROM_FILE = {"source_format": "png", "modality": "", "width": 1, "height": 1, "sha256": "0" * 64}


_ENTRY = ("view", "level", "caption")


def _entry_errors(raw: dict[str, Any]) -> list[FieldError]:
    """The problems of what was typed and chosen (view, level, caption), before the file is read."""
    unknown = [FieldError((str(k),), f"is not part of an image entry (allowed: {', '.join(_ENTRY)})")
               for k in raw if k not in _ENTRY]  # fmt: skip
    if unknown:
        return unknown
    stand_ins = {**_FROM_FILE, "procedure_uid": "-", "added_by": "-", "added_at": now()}
    try:
        validated(ProcedureImage, {**raw, **stand_ins})
    except InvalidRecord as exc:
        return [e for e in exc.errors if str(e.path[0]) not in stand_ins] if exc.errors else []
    return []
