"""Synthetic image files saved at a procedure: a fluoroscopy DICOM made with pydicom, PNG and JPEG made with Pillow.

The DICOM header carries a synthetic patient's identity on purpose: tests check that none of it leaves FacetDesk.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

# Synthetic identity in the header, so a leak is visible in any output that carries it.
HEADER_NAME = "Headerleak^Synthetic"
HEADER_ID = "DCM-LEAK-0001"
HEADER_INSTITUTION = "Synthetic Leak Hospital"


def fluoroscopy_dicom(photometric: str = "MONOCHROME2", size: tuple[int, int] = (96, 128)) -> bytes:
    """A one-frame XA image: a bright vertical bar (the needle) on a gradient, 12 bits stored."""
    rows, cols = size
    pixels = np.tile(np.linspace(200, 3000, cols, dtype=np.uint16), (rows, 1))
    pixels[:, cols // 2 - 2 : cols // 2 + 2] = 4000
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.12.1"  # X-Ray Angiographic Image Storage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality = "XA"
    ds.PatientName = HEADER_NAME
    ds.PatientID = HEADER_ID
    ds.PatientBirthDate = "19580702"
    ds.InstitutionName = HEADER_INSTITUTION
    ds.StudyDate = "20261005"
    ds.Rows, ds.Columns = rows, cols
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = photometric
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 12, 11
    ds.PixelRepresentation = 0
    ds.PixelData = pixels.tobytes()
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


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
