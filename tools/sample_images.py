"""Synthetic fluoroscopy frames for the demo and screenshots: a lumbar spine drawn in grey with a needle, saved as
DICOM (XA) with pydicom. No real patient: the header names a synthetic one."""

from __future__ import annotations

import io

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid


def _spine(view: str, size: int = 384) -> np.ndarray:
    """Vertebral bodies (bright blocks), discs (darker gaps) and a needle (a bright line) on soft tissue."""
    image = np.full((size, size), 900.0)
    yy, xx = np.mgrid[0:size, 0:size]
    image += 300 * np.exp(-(((xx - size / 2) / (size / 3)) ** 2))  # soft tissue, brighter in the middle
    body_w = size // 4 if view == "ap" else size // 3
    centre = size // 2 if view == "ap" else int(size * 0.45)
    for top in range(20, size, size // 5):
        body = (yy >= top) & (yy < top + size // 7) & (abs(xx - centre) < body_w)
        image[body] += 1400
        if view == "ap":  # pedicles: the "eyes" of each vertebra
            for dx in (-body_w + 18, body_w - 18):
                eye = ((xx - centre - dx) ** 2 + (yy - top - 18) ** 2) < 90
                image[eye] += 700
    # The needle, from lower left towards the target, ending at a facet's medial branch.
    for t in np.linspace(0, 1, 400):
        x = int(size * 0.15 + t * (centre - body_w - size * 0.12))
        y = int(size * 0.9 - t * size * 0.42)
        image[max(y - 1, 0) : y + 2, max(x - 1, 0) : x + 2] = 3900
    rng = np.random.default_rng(7)
    return np.clip(image + rng.normal(0, 40, image.shape), 0, 4095)


def fluoroscopy_frame(view: str = "ap", size: int = 384) -> bytes:
    """An XA DICOM frame of the drawn spine, 12 bits stored; ``size`` pixels square."""
    pixels = _spine(view, size).astype(np.uint16)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.12.1"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.Modality = "XA"
    ds.PatientName = "Synthetic^Demo"
    ds.PatientID = "DEMO-0042"
    ds.Rows, ds.Columns = pixels.shape
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.PixelData = pixels.tobytes()
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()
