"""Images on the note: printed small, captioned, when the clinic chooses (never their DICOM header); at most one
row, the rest counted; the note keeps its two pages."""

from __future__ import annotations

import hashlib
import io
from datetime import datetime

import pytest
from pypdf import PdfReader

from facetdesk.domain.images import AttachedImage, ProcedureImage
from facetdesk.interop.images import decode_image
from facetdesk.note.content import build_note_content
from facetdesk.note.render import render_note
from tests.builders.cases import GENERATED_AT, clinic, make_case
from tests.builders.images import HEADER_NAME, fluoroscopy_dicom, picture
from tests.pdf_pages import pages_text


def _with_images(case, n: int):
    views = ["ap", "lateral", "oblique"]
    images = []
    for i in range(n):
        data = fluoroscopy_dicom() if i % 2 == 0 else picture()
        decoded = decode_image(data)
        record = ProcedureImage(
            procedure_uid=case.procedure.uid, view=views[i % 3], level="L4-L5", caption=f"image {i + 1}",
            source_format=decoded.source_format, modality=decoded.modality, width=decoded.width,
            height=decoded.height, sha256=hashlib.sha256(data).hexdigest(), added_by="Dr. Synthetic",
            added_at=datetime(2026, 10, 1, 10, 0),
        )  # fmt: skip
        images.append(AttachedImage.of(record, decoded.png, data))
    return case.model_copy(update={"images": images})


def _images_in(pdf: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_images_print_only_when_the_clinic_chooses():
    case = _with_images(make_case(), 2)
    plain = build_note_content(case, clinic=clinic(), generated_at=GENERATED_AT)
    assert plain.images == ()
    chosen = build_note_content(case, clinic=clinic(note_images=True), generated_at=GENERATED_AT)
    assert [i.caption for i in chosen.images] == ["AP, L4-L5: image 1", "Lateral, L4-L5: image 2"]
    pdf = render_note(chosen)
    assert _images_in(pdf) == _images_in(render_note(plain)) + 2
    text = " ".join(pages_text(pdf))
    assert "AP, L4-L5: image 1" in text and HEADER_NAME not in text
    assert HEADER_NAME.encode() not in pdf  # the DICOM header never reaches the note


@pytest.mark.parametrize("page_size", ["letter", "a4"])
def test_six_images_print_four_name_the_rest_and_keep_two_pages(page_size):
    case = _with_images(make_case(), 6)
    c = build_note_content(case, clinic=clinic(note_images=True, page_size=page_size), generated_at=GENERATED_AT)
    assert len(c.images) == 4 and c.images_not_printed == 2
    pages = pages_text(render_note(c))
    assert len(pages) <= 2
    assert "2 more image(s) in the record, not printed." in " ".join(" ".join(pages).split())


@pytest.mark.parametrize("page_size", ["letter", "a4"])
def test_the_signature_never_stands_alone_on_a_page(page_size):
    """The sample's two-level block with toxin, a letterhead and six images (four printed) runs to a third page:
    the codes go over with the attestation and signature lines, never left on a page with nothing to sign."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
    from sample_case import sample_case

    from facetdesk.services.rendering import render_case_note

    case = _with_images(sample_case(), 6)
    pages = pages_text(render_case_note(case, clinic=clinic(note_images=True, page_size=page_size)).pdf)
    signed_on = next(page for page in pages if "Attestation:" in page)
    assert "Codes (suggested; the coder confirms)" in signed_on, pages[-1]
