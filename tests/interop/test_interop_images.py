"""Reading images saved at a procedure: DICOM (a real test file and a synthetic fluoroscopy frame), PNG and JPEG
become a PNG rendering that carries the pixels and nothing of a header; anything else is refused with the reason."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from pydicom.data import get_testdata_file

from facetdesk.domain.images import ImageFormat
from facetdesk.interop.images import RENDER_MAX_SIDE, ImageRefused, decode_image
from tests.builders.images import HEADER_ID, HEADER_INSTITUTION, HEADER_NAME, fluoroscopy_dicom, picture


def _pixels(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def test_a_real_ct_dicom_file_is_rendered_with_its_modality():
    data = open(get_testdata_file("CT_small.dcm"), "rb").read()
    decoded = decode_image(data)
    assert (decoded.source_format, decoded.modality, decoded.width, decoded.height) == (
        ImageFormat.DICOM,
        "CT",
        128,
        128,
    )
    image = _pixels(decoded.png)
    assert image.format == "PNG" and image.size == (128, 128)
    low, high = image.getextrema()
    assert low < 30 and high > 225  # windowed to the full grey range, not a black square


@pytest.mark.parametrize("data", [fluoroscopy_dicom(), picture("PNG")], ids=["dicom", "png"])
def test_the_rendering_carries_no_header_or_text(data):
    png = decode_image(data).png
    for secret in (HEADER_NAME, HEADER_ID, HEADER_INSTITUTION, "19580702"):
        assert secret.encode() not in png
    assert _pixels(png).info.get("Comment") is None and not _pixels(png).text


def test_the_needle_stays_bright_and_monochrome1_is_inverted():
    normal = _pixels(decode_image(fluoroscopy_dicom()).png)
    inverted = _pixels(decode_image(fluoroscopy_dicom("MONOCHROME1")).png)
    middle = normal.width // 2
    assert normal.getpixel((middle, 10)) == 255 and inverted.getpixel((middle, 10)) == 0
    assert normal.getpixel((0, 10)) < 10 and inverted.getpixel((0, 10)) > 245


def test_jpeg_and_a_large_image_are_kept_small():
    assert decode_image(picture("JPEG")).source_format is ImageFormat.JPEG
    big = decode_image(picture("PNG", size=(3000, 1500)))
    assert (big.width, big.height) == (RENDER_MAX_SIDE, RENDER_MAX_SIDE // 2)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"%PDF-1.7 a report", "not a DICOM, PNG or JPEG"),
        (picture("PNG")[:40], "cannot be read"),
        (open(get_testdata_file("rtplan.dcm"), "rb").read(), "without an image"),
    ],
    ids=["empty", "pdf", "truncated-png", "dicom-without-pixels"],
)
def test_what_is_not_a_readable_image_is_refused_with_the_reason(data, reason):
    with pytest.raises(ImageRefused, match=reason):
        decode_image(data)
