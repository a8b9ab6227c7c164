"""Images saved at a procedure (fluoroscopy or CT, from the C-arm or the scanner): proof of needle placement.

An image is a record of its own, attached to a procedure by the procedure's uid, as a follow-up is: it can be
added after the note is signed (images are often exported from the C-arm later), and it is never edited, only
removed while the procedure is unsigned. What the image shows is said by its view and level; the pixels are kept
as a de-identified PNG rendering, and a DICOM file's original bytes (whose header names the patient) are kept
for the chart and leave FacetDesk only when an export asks for them.
"""

from __future__ import annotations

import base64
from datetime import datetime

from pydantic import Base64Bytes, Field, field_validator

from facetdesk.domain.base import Model, Name, RowId, ShortText
from facetdesk.domain.catalog import get_catalog
from facetdesk.domain.enums import LabelledEnum
from facetdesk.domain.procedure_form import FormField
from facetdesk.domain.text import shown

# What one image file may be (an input limit, not a clinical one): a fluoroscopy frame or a CT slice is far
# smaller; a larger file is a series or a video, which FacetDesk does not keep.
MAX_IMAGE_BYTES = 50 * 1024 * 1024


class ImageView(LabelledEnum):
    """The projection, as the documentation's fluoroscopic views name them."""

    AP = "ap", "AP"
    LATERAL = "lateral", "Lateral"
    OBLIQUE = "oblique", "Oblique"


class ImageFormat(LabelledEnum):
    DICOM = "dicom", "DICOM"
    PNG = "png", "PNG"
    JPEG = "jpeg", "JPEG"


class ProcedureImage(Model):
    """One image's record; its pixels (the PNG rendering) and original file are stored beside it."""

    id: RowId | None = None
    procedure_uid: str = Field(min_length=1, max_length=64)
    view: ImageView
    # The facet joint level the image shows (a joint of the spine catalog, C2-C3 to L5-S1).
    level: str
    caption: ShortText = ""
    source_format: ImageFormat
    # From a DICOM header: the modality (RF, XA, CT...) only, never who or where; "" for PNG and JPEG.
    modality: str = Field(default="", max_length=16)
    width: int = Field(ge=1, le=100_000)
    height: int = Field(ge=1, le=100_000)
    # SHA-256 of the original file, hex: the audit trail keeps it, so a swapped image is found.
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    added_by: Name
    added_at: datetime

    @field_validator("level")
    @classmethod
    def _known_joint(cls, v: str) -> str:
        joints = [j.level for j in get_catalog().joints]
        if v not in joints:
            raise ValueError(f"{shown(v)} is not a facet joint level; allowed: {joints[0]} to {joints[-1]}")
        return v

    def label(self) -> str:
        """'AP, L4-L5' (and the caption), as the editor and the note caption it."""
        return f"{self.view.label}, {self.level}" + (f": {self.caption}" if self.caption else "")


class AttachedImage(ProcedureImage):
    """An image as a case file carries it: the record, the de-identified PNG rendering and, only when the export
    asked for it, the original file (a DICOM file's header names the patient)."""

    png: Base64Bytes = Field(min_length=8, max_length=MAX_IMAGE_BYTES)
    original: Base64Bytes | None = Field(default=None, max_length=MAX_IMAGE_BYTES)

    @field_validator("png")
    @classmethod
    def _a_png(cls, v: bytes) -> bytes:
        if not v.startswith(b"\x89PNG\r\n\x1a\n"):
            raise ValueError("must be a PNG image (base64)")
        return v

    @classmethod
    def of(cls, image: ProcedureImage, png: bytes, original: bytes | None = None) -> AttachedImage:
        """The record with its pixels (given as bytes; a case file holds them as base64)."""
        encoded = {"png": base64.b64encode(png).decode()}
        if original is not None:
            encoded["original"] = base64.b64encode(original).decode()
        return cls.model_validate({**image.model_dump(exclude={"id"}), **encoded})

    def record(self) -> ProcedureImage:
        return ProcedureImage.model_validate(self.model_dump(exclude={"png", "original"}))


# The entry form (after a file is chosen), described once: the dialog builds its widgets from it.
FIELDS: tuple[FormField, ...] = (
    FormField(("view",), "View", "Images", "choice"),
    FormField(("caption",), "Caption", "Images", "text", "Optional: what the image shows",
              placeholder="needle at the L4 medial branch"),
)  # fmt: skip
