"""Image repository: store, list and read the images of procedures; the blobs are read only when asked for."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.orm import Session, undefer

from facetdesk.domain.base import STORED
from facetdesk.domain.images import ProcedureImage
from facetdesk.storage import pages
from facetdesk.storage.errors import RecordNotFound
from facetdesk.storage.tables import ProcedureImageRow, ProcedureRow, column_value

_RECORD = tuple(name for name in ProcedureImage.model_fields if name not in ("id", "procedure_uid"))


def _from_row(row: ProcedureImageRow, procedure_uid: str) -> ProcedureImage:
    values = {name: getattr(row, name) for name in _RECORD}
    return ProcedureImage.model_validate({"id": row.id, "procedure_uid": procedure_uid, **values}, context=STORED)


def add_image(session: Session, image: ProcedureImage, png: bytes, original: bytes | None) -> ProcedureImage:
    """Insert a new image of the procedure ``image.procedure_uid``; returns it with its id."""
    procedure_id = session.scalar(sa.select(ProcedureRow.id).where(ProcedureRow.uid == image.procedure_uid))
    if procedure_id is None:
        raise RecordNotFound("The procedure is no longer in the database.")
    values = {name: column_value(getattr(image, name)) for name in _RECORD}
    row = ProcedureImageRow(procedure_id=procedure_id, png=png, original=original, **values)
    session.add(row)
    session.flush()
    return image.model_copy(update={"id": row.id})


def procedure_uid(session: Session, procedure_id: int) -> str | None:
    """The uid of a stored procedure (one indexed read; the record itself is not loaded)."""
    return session.scalar(sa.select(ProcedureRow.uid).where(ProcedureRow.id == procedure_id))


def images_of(session: Session, procedure_uid: str) -> list[ProcedureImage]:
    """The procedure's images in the order they were added (no blob is read)."""
    rows = session.scalars(
        sa.select(ProcedureImageRow)
        .join(ProcedureRow, ProcedureRow.id == ProcedureImageRow.procedure_id)
        .where(ProcedureRow.uid == procedure_uid)
        .order_by(ProcedureImageRow.id)
    )
    return [_from_row(row, procedure_uid) for row in rows]


def image_png(session: Session, image_id: int) -> bytes | None:
    """The de-identified rendering of one image."""
    return session.scalar(sa.select(ProcedureImageRow.png).where(ProcedureImageRow.id == image_id))


def image_original(session: Session, image_id: int) -> bytes | None:
    """The file as it was added (a DICOM file's header names the patient: only for the chart or when asked)."""
    return session.scalar(sa.select(ProcedureImageRow.original).where(ProcedureImageRow.id == image_id))


def image_with_owner(session: Session, image_id: int) -> tuple[ProcedureImage, int] | None:
    """An image and the id of its procedure."""
    found = session.execute(
        sa.select(ProcedureImageRow, ProcedureRow.uid)
        .join(ProcedureRow, ProcedureRow.id == ProcedureImageRow.procedure_id)
        .where(ProcedureImageRow.id == image_id)
    ).first()
    if found is None:
        return None
    row, uid = found
    return _from_row(row, uid), row.procedure_id


def delete_image(session: Session, image_id: int) -> None:
    session.execute(sa.delete(ProcedureImageRow).where(ProcedureImageRow.id == image_id))


def iter_images(session: Session, batch: int = 50) -> Iterator[tuple[int, ProcedureImage | None, bytes | None, bytes]]:
    """Every image by id with its original file and its rendering (for verification); None where the row is no
    valid record."""
    query = (
        sa.select(ProcedureImageRow, ProcedureRow.uid)
        .join(ProcedureRow, ProcedureRow.id == ProcedureImageRow.procedure_id)
        .options(undefer(ProcedureImageRow.original), undefer(ProcedureImageRow.png))
    )
    for row, uid in pages.by_id(session, query, ProcedureImageRow.id, batch):
        try:
            image: ProcedureImage | None = _from_row(row, uid)
        except ValidationError:
            image = None
        yield row.id, image, row.original, row.png


def images_with_pixels(
    session: Session, procedure_uid: str, originals: bool = False
) -> list[tuple[ProcedureImage, bytes, bytes | None]]:
    """The procedure's images with their PNG renderings (and originals when asked), in the order added."""
    query = (
        sa.select(ProcedureImageRow)
        .join(ProcedureRow, ProcedureRow.id == ProcedureImageRow.procedure_id)
        .where(ProcedureRow.uid == procedure_uid)
        .order_by(ProcedureImageRow.id)
        .options(undefer(ProcedureImageRow.png))
    )
    if originals:
        query = query.options(undefer(ProcedureImageRow.original))
    return [
        (_from_row(row, procedure_uid), row.png, row.original if originals else None) for row in session.scalars(query)
    ]
