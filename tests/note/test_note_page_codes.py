"""A QR code on every page, read back by a decoder we did not write (zbarimg), so scanned paper finds its record."""

from __future__ import annotations

import io
import os
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from facetdesk.services.rendering import render_case_handout, render_case_note
from tests.builders.cases import LONG_NOTES, clinic, mbb_botox_case

TOOLS = ("pdftoppm", "zbarimg")


@pytest.fixture(scope="module", autouse=True)
def _decoder():
    if not all(shutil.which(tool) for tool in TOOLS):
        if os.environ.get("CI"):
            pytest.fail("pdftoppm and zbarimg (poppler-utils, zbar-tools) are needed under CI")
        pytest.skip("pdftoppm or zbarimg not installed (Debian: poppler-utils zbar-tools)")


def decoded_pages(pdf: bytes, tmp_path, dpi: int = 200) -> list[str]:
    """Each page rendered as a scanner would see it, and what zbarimg reads on it."""
    (tmp_path / "doc.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "doc.pdf", "page"], cwd=tmp_path, check=True)
    out = []
    for image in sorted(tmp_path.glob("page-*.png")):
        found = subprocess.run(["zbarimg", "--raw", "-q", str(image)], capture_output=True, text=True)
        out.append(found.stdout.strip())
        image.unlink()
    return out


@pytest.mark.parametrize("page_size", ["letter", "a4"])
@pytest.mark.parametrize("long", [False, True], ids=["two-page note", "long note"])
def test_every_page_of_the_note_carries_its_code(tmp_path, long, page_size):
    case = mbb_botox_case(notes=LONG_NOTES) if long else mbb_botox_case()
    pdf = render_case_note(case, clinic=clinic(page_size=page_size)).pdf
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert pages >= (4 if long else 2)
    uid = case.procedure.uid
    assert decoded_pages(pdf, tmp_path) == [
        f"FACETDESK;DOC=procedure-note;MRN=FD-000456;UID={uid};PAGE={n}" for n in range(1, pages + 1)
    ]


def test_the_handout_pages_say_they_are_the_handout(tmp_path):
    case = mbb_botox_case()
    pdf = render_case_handout(case, clinic=clinic())
    assert decoded_pages(pdf, tmp_path) == [
        f"FACETDESK;DOC=patient-handout;MRN=FD-000456;UID={case.procedure.uid};PAGE={n}" for n in (1, 2)
    ]
