"""The rendered PDF: text extracted back out, identifiers on every page, fonts, byte stability."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from facetdesk.domain.settings import ClinicSettings
from facetdesk.note.content import build_note_content
from facetdesk.note.render import render_note
from tests.builders.cases import GENERATED_AT, LONG_NOTES, make_case
from tests.pdf_pages import pages_text

CLINIC = ClinicSettings(clinic_name="Synthetic Spine Clinic")


def render(case, **kwargs) -> bytes:
    return render_note(build_note_content(case, clinic=CLINIC, generated_at=GENERATED_AT), **kwargs)


def test_every_value_appears(case):
    text = " ".join(pages_text(render(case)))
    for expected in [
        "Testperson, Alex",
        "FD-000123",
        "1961-03-14",
        "2026-10-01 09:30",
        "Dr. Jordan Synthetic",
        "Synthetic Spine Clinic",
        "M47.816",
        "L3-L4",
        "L4-L5",
        "Left, Right",
        "L2 medial branch",
        "Medial branch block",
        "(diagnostic, first block)",
        "fluoroscopic guidance",
        "bupivacaine",
        "0.5 mL per nerve",
        "12.5 mg",
        "lidocaine",
        "15 mg",
        "triamcinolone acetonide",
        "40 mg",
        "onabotulinumtoxinA (Botox)",
        "100 U in 2 mL (50 U/mL)",
        "multifidus (lumbar)",
        "20 U",
        "0.4 mL",
        "60 U",
        "8/10",
        "87.5%",
        "62.5%",
        "25%",
        "sit-to-stand",
        "lifting",
        "Peak relief: 87.5% at 15 min",
        "lasted 3 h 45 min (below at 6 h)",
        "Vasovagal reaction",
        "Discharged home with escort",
        "apixaban",
        "latex",
        "2026-05-12",
        "Intra-articular facet injection",
        "DRAFT — not signed",
        "Physician:",
        "Signature:",
        "Date/time:",
    ]:
        assert expected in text, expected


def test_long_note_flows_with_identifiers_on_every_page():
    assert len(LONG_NOTES) > 15_000
    pages = pages_text(render(make_case(notes=LONG_NOTES)))
    assert len(pages) >= 3
    for n, page in enumerate(pages, start=1):
        for ident in ("Testperson, Alex", "MRN FD-000123", "DOB 1961-03-14", "Date of service 2026-10-01"):
            assert ident in page, (n, ident)
        assert f"Page {n} of {len(pages)}" in page
        assert "DRAFT — not signed" in page
        assert "Generated 2026-10-01 12:05" in page
    text = " ".join(pages)
    assert all(f"Block {i}." in text for i in range(26))


@pytest.mark.parametrize(
    "family,given",
    [("Żółć", "Łukasz"), ("Παπαδοπούλου", "Ελένη"), ("Иванова", "Ольга"), ("O'Brien-Smith", "Seán")],
)
def test_names_survive_text_extraction(family, given):
    pages = pages_text(render(make_case(family=family, given=given)))
    assert all(f"{family}, {given}" in page for page in pages)


def test_markup_characters_print_literally():
    tricky = "<b>&\"quotes'</b> & <i>not markup</i>"
    text = " ".join(pages_text(render(make_case(notes=tricky, follow_up="review <2 wk> & call"))))
    assert tricky in text
    assert "review <2 wk> & call" in text


def test_fonts_are_embedded(case):
    reader = PdfReader(io.BytesIO(render(case)))
    seen = 0
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert descriptor is not None, font.get("/BaseFont")
            assert "/FontFile2" in descriptor.get_object(), font.get("/BaseFont")
            seen += 1
    assert seen


def test_same_content_same_bytes(case):
    content = build_note_content(case, generated_at=GENERATED_AT)
    first = render_note(content)
    assert render_note(content) == first
    info = PdfReader(io.BytesIO(first)).metadata
    assert info["/CreationDate"].startswith("D:20261001120500")
    assert info["/Title"] == "Facet joint procedure note"


@pytest.mark.parametrize("size,width_pt,height_pt", [("letter", 612, 792), ("a4", 595.3, 841.9)])
def test_page_sizes(case, size, width_pt, height_pt):
    reader = PdfReader(io.BytesIO(render(case, page_size=size)))
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(width_pt, abs=0.5)
    assert float(box.height) == pytest.approx(height_pt, abs=0.5)
    assert "12.5 mg" in " ".join(pages_text(render(case, page_size=size)))


def test_unknown_page_size_is_refused(case):
    with pytest.raises(ValueError):
        render(case, page_size="legal")


def test_findings_typed_as_lines_print_as_lines():
    """'Facet arthropathy L4-L5.' and 'Contrast spread intra-articular.' typed on two lines ran together."""
    findings = "Facet arthropathy L4-L5 left.\nContrast spread intra-articular, no vascular uptake."
    pdf = render(make_case(findings=findings))
    lines = [line.strip() for p in PdfReader(io.BytesIO(pdf)).pages for line in (p.extract_text() or "").splitlines()]
    first = next(line for line in lines if "arthropathy L4-L5 left." in line)
    assert "Contrast spread" not in first
    assert any(line.startswith("Contrast spread intra-articular") for line in lines)
