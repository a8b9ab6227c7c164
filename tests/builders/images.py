"""Synthetic image files saved at a procedure: a fluoroscopy DICOM made with pydicom, PNG and JPEG made with Pillow.

The DICOM header carries a synthetic patient's identity on purpose: tests check that none of it leaves FacetDesk.
"""

from __future__ import annotations

import io

from PIL import Image

from facetdesk.services.self_test import synthetic_dicom

# Synthetic identity in the header, so a leak is visible in any output that carries it.
HEADER_NAME = "Headerleak^Synthetic"
HEADER_ID = "DCM-LEAK-0001"
HEADER_INSTITUTION = "Synthetic Leak Hospital"


def fluoroscopy_dicom(photometric: str = "MONOCHROME2", size: tuple[int, int] = (96, 128)) -> bytes:
    """A one-frame XA image (the self-test's own, services/self_test.py) with a synthetic identity in its header."""
    header = {
        "PatientName": HEADER_NAME,
        "PatientID": HEADER_ID,
        "PatientBirthDate": "19580702",
        "InstitutionName": HEADER_INSTITUTION,
        "StudyDate": "20261005",
    }
    return synthetic_dicom(size, photometric, header)


def picture(fmt: str = "PNG", size: tuple[int, int] = (80, 60)) -> bytes:
    """A small grey picture with a text chunk (PNG) that must not be carried into the rendering."""
    image = Image.new("L", size, 90)
    image.paste(230, (size[0] // 2 - 2, 0, size[0] // 2 + 2, size[1]))
    out = io.BytesIO()
    if fmt == "PNG":
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        info.add_text("Comment", HEADER_NAME)
        image.save(out, format="PNG", pnginfo=info)
    else:
        image.save(out, format=fmt)
    return out.getvalue()
