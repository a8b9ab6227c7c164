"""Reading an image file saved at a procedure: DICOM (pydicom), PNG or JPEG (Pillow), to a de-identified PNG.

The rendering keeps the pixels and nothing of a DICOM header: no name, ID, birth date, institution or dates can
reach a note, a case file or an export through it. Only the modality (RF, XA, CT...) is read from the header.
A file FacetDesk cannot read is refused with the reason, never stored half-read.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from facetdesk.domain.images import MAX_IMAGE_BYTES, ImageFormat

# The rendering's longest side (pixels): enough to see a needle tip on screen and on paper, small in the database.
RENDER_MAX_SIDE = 1024


class ImageRefused(ValueError):
    """The file is not an image FacetDesk can keep; the message says why and what is accepted."""


@dataclass(frozen=True)
class DecodedImage:
    source_format: ImageFormat
    modality: str
    width: int
    height: int
    png: bytes  # the de-identified rendering


def sniff(data: bytes) -> ImageFormat | None:
    """The format by the file's own signature (never by its name)."""
    if len(data) >= 132 and data[128:132] == b"DICM":
        return ImageFormat.DICOM
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return ImageFormat.PNG
    if data.startswith(b"\xff\xd8\xff"):
        return ImageFormat.JPEG
    return None


def decode_image(data: bytes) -> DecodedImage:
    """The file as a de-identified PNG rendering; ImageRefused when it is not a readable DICOM, PNG or JPEG."""
    if not data:
        raise ImageRefused("the file is empty")
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageRefused(f"the file is {len(data) / 2**20:.0f} MiB; at most {MAX_IMAGE_BYTES // 2**20} MiB")
    fmt = sniff(data)
    if fmt is None:
        raise ImageRefused("is not a DICOM, PNG or JPEG image (saved from the C-arm or CT: export DICOM or PNG)")
    if fmt is ImageFormat.DICOM:
        image, modality = _dicom(data)
    else:
        image, modality = _picture(data), ""
    return _rendered(image, fmt, modality)


def _picture(data: bytes):
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning) as exc:
        raise ImageRefused(f"cannot be read as an image ({type(exc).__name__})") from None
    return image


def _dicom(data: bytes):
    import numpy as np
    import pydicom
    from PIL import Image
    from pydicom.errors import InvalidDicomError
    from pydicom.pixels import apply_voi_lut

    try:
        ds = pydicom.dcmread(io.BytesIO(data))
    except (InvalidDicomError, OSError, ValueError, KeyError, EOFError) as exc:
        raise ImageRefused(f"is not a readable DICOM file ({type(exc).__name__})") from None
    if "PixelData" not in ds:
        raise ImageRefused("is a DICOM file without an image (a report or a structured document?)")
    try:
        pixels = ds.pixel_array
    except Exception as exc:  # noqa: BLE001 - pydicom raises many kinds for compressed or damaged pixel data
        syntax = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
        name = getattr(syntax, "name", str(syntax or "unknown"))
        raise ImageRefused(
            f"its pixel data cannot be decoded ({name}; {type(exc).__name__}): export it uncompressed or as PNG"
        ) from None
    if int(getattr(ds, "NumberOfFrames", 1) or 1) > 1:
        pixels = pixels[0]  # a cine loop: its first frame, the one the C-arm saved as the spot image
    if getattr(ds, "PhotometricInterpretation", "MONOCHROME2") in ("RGB", "YBR_FULL", "YBR_FULL_422"):
        image = Image.fromarray(np.asarray(pixels, dtype=np.uint8), mode="RGB")
    else:
        values = apply_voi_lut(pixels, ds).astype(np.float64)
        low, high = float(values.min()), float(values.max())
        scaled = np.zeros(values.shape) if high <= low else (values - low) / (high - low) * 255.0
        if getattr(ds, "PhotometricInterpretation", "") == "MONOCHROME1":
            scaled = 255.0 - scaled  # white is low: invert, so bone looks as on the C-arm's screen
        image = Image.fromarray(scaled.round().astype(np.uint8), mode="L")
    modality = str(getattr(ds, "Modality", "") or "")[:16]
    return image, modality


def _rendered(image, fmt: ImageFormat, modality: str) -> DecodedImage:
    from PIL import Image

    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    image.thumbnail((RENDER_MAX_SIDE, RENDER_MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # A new image from the pixels alone: no text chunk, EXIF or ICC profile of the source is carried over.
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    clean.save(out, format="PNG", optimize=True)
    return DecodedImage(fmt, modality, image.width, image.height, out.getvalue())
