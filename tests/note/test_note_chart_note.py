"""The chart-grade note: a fully documented bilateral two-level MBB with botulinum toxin, as PDF text."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from facetdesk.domain.procedure import Target
from facetdesk.note.content import build_note_content
from facetdesk.note.instructions import EMERGENCY_BOTOX
from facetdesk.note.render import render_handout, render_note
from tests.builders.cases import GENERATED_AT, GLUCOSE_LINE, LONG_NOTES, clinic, logo_png, mbb_botox_case
from tests.pdf_pages import pages_text

IDENTIFIERS = ("Samplewoman, Robin", "MRN FD-000456", "DOB 1970-07-02", "Date of service 2026-10-01 09:30")


def note(case=None, **kwargs):
    kwargs.setdefault("clinic", clinic())
    kwargs.setdefault("discharge_instructions", (GLUCOSE_LINE,))
    return build_note_content(case or mbb_botox_case(), generated_at=GENERATED_AT, **kwargs)


def text_of(pdf: bytes) -> str:
    return " ".join(pages_text(pdf))


@pytest.fixture(scope="module")
def full_text() -> str:
    return text_of(render_note(note()))


EXPECTED = [
    # letterhead
    "Synthetic Spine & Pain Centre",
    "12 Synthetic Way",
    "Testville, TS 00000",
    "Phone +1 555 0100",
    # indication: diagnoses and the LCD elements
    "Indication",
    "Pre-procedure diagnosis: M47.816",
    "Post-procedure diagnosis: Same as pre-procedure",
    "Pain duration: 9 months",
    "12 weeks supervised PT",
    "Pain scale: NRS 0-10",
    "Disability: Oswestry Disability Index (%): 42",
    "Pre-injection pain (day of procedure): 8/10",
    # the procedure: consent, one narrative, radiation and images, levels with nerves, drugs, toxin
    "Medial branch block (diagnostic, first block), L4-L5 bilateral; L5-S1 bilateral, under fluoroscopic guidance",
    "Informed consent: Obtained · Risks, benefits and alternatives: Discussed · Off-label use of botulinum toxin: "
    "Discussed · Time-out: Performed",
    "The patient was placed prone. The skin was prepped with chlorhexidine and the field draped in sterile fashion.",
    "Monitoring: pulse oximetry and blood pressure (NIBP).",
    "The skin and needle track were infiltrated with lidocaine 1% 4 mL (40 mg).",
    "Under fluoroscopic guidance (AP and oblique views), a 22-gauge 3.5-inch spinal needle was advanced by a "
    "posterior oblique (down-the-beam) approach to the L3 and L4 medial branches and the L5 dorsal ramus on the "
    "left and right. Aspiration before injection was negative for blood and CSF.",
    "Fluoroscopy time: 48 s · Radiation dose: 1.9 mGy (reference air kerma) · Images saved: Saved",
    "Contrast injection (iohexol 300 mgI/mL, 1.5 mL = 450 mg iodine); spread: spread along the medial branch groove "
    "at each level.",
    "At each nerve, bupivacaine 0.5% 0.5 mL was injected (total 3 mL = 15 mg, 6 nerves).",
    "Botulinum toxin, onabotulinumtoxinA (Botox) 100 U reconstituted in 2 mL (50 U/mL), was injected into the "
    "multifidus (lumbar) at L4 on the left and right (20 U, 0.4 mL each side)",
    "total 80 U.",
    "L3 medial branch, L4 medial branch",
    "Medications",
    # complications and the post-procedure check
    "Complications and post-procedure check",
    "Post-procedure neurological check: Unchanged from baseline",
    "Tolerance: Tolerated well",
    "Findings: Degenerative facet arthropathy at L4-L5 and L5-S1 on fluoroscopy.",
    "Estimated blood loss: Minimal (< 1 mL)",
    "Disposition: Discharged home with escort",
    # pain response and chart
    "Pain response",
    "expected duration of bupivacaine: 3 h (unconfirmed)",
    "50% relief (NRS 4)",
    "80% relief (NRS 1.6)",
    "Hours after injection",
    "Scores after 24 h (2 d) are in the table, not the chart.",
    # interpretation, decision support, codes, signature
    "Interpretation and plan",
    "Follow-up: Review of the pain diary in 2 weeks",
    "Decision support",
    "Codes (suggested; the coder confirms)",
    "64493-50 ×1",
    "64494-50 ×1",
    "64646 ×1",
    "J0585 ×",
    "J0585-JW ×",
    "Attestation",
    "Physician: Dr. Jordan Synthetic",
    "Signature:",
    "Date/time:",
]
# Written to the patient: in the handout, never in the chart note.
PATIENT_LINES = [
    GLUCOSE_LINE,
    "Keep your pain diary",
    "severe headache",
    "New weakness or numbness in your arms or legs",
    "bladder or bowels, is an emergency",
    "increasing redness, swelling",
    "Call the clinic at +1 555 0100",
    EMERGENCY_BOTOX,
]


@pytest.mark.parametrize("expected", EXPECTED)
def test_note_carries(full_text, expected):
    assert expected in full_text


@pytest.fixture(scope="module")
def handout_text() -> str:
    return text_of(render_handout(note()))


@pytest.mark.parametrize("line", PATIENT_LINES)
def test_the_patients_instructions_are_in_the_handout_not_the_chart_note(full_text, handout_text, line):
    assert line in handout_text and line not in full_text


def test_the_handout_has_a_diary_sheet_with_clock_times_and_how_to_return_it(handout_text):
    # The clinic's time points as clock times from the injection at 09:30 on 2026-10-01 (a Thursday).
    for label, clock in (("15 min", "09:45"), ("8 h", "17:30"), ("next day", "Fri 2026-10-02 09:30"),
                         ("1 week", "Thu 2026-10-08 09:30")):  # fmt: skip
        assert f"{label} {clock}" in handout_text
    assert "Pain: circle one (0 = none, 10 = worst)" in handout_text
    assert "Bring this sheet to your next visit" in handout_text and "+1 555 0100" in handout_text
    for ident in IDENTIFIERS:
        assert ident in handout_text
    assert "DRAFT" not in handout_text  # not the chart's note: no draft watermark


def test_no_section_is_printed_twice(full_text):
    for once in (
        "Technique details",
        "Nerves blocked (shared",
        "Consent and time-out",
        "Relief interpretation:",
        "Discharge instructions",
        "relief.expected_duration_hours",
        "lcd.",
        "No complications were recorded",
    ):
        assert once not in full_text, once
    # Each sentence of the narrative once.
    assert full_text.count("Informed consent:") == 1 and full_text.count("Aspiration before injection") == 1
    assert full_text.count("Botulinum toxin, onabotulinumtoxinA (Botox) 100 U reconstituted") == 1


def test_sections_in_procedure_note_order(full_text):
    sections = [
        "Patient and service",
        "Indication",
        "Pre-procedure diagnosis",
        "Procedure",
        "Informed consent",
        "The patient was placed prone",
        "Fluoroscopy time",
        "Medications",
        "Botulinum toxin",
        "Complications and post-procedure check",
        "Pain response",
        "Interpretation and plan",
        "Decision support",
        "Notes",
        "Codes (suggested",
        "Attestation",
    ]
    # Each heading found after the one before it (a heading's word may also occur earlier in the text).
    at = 0
    for section in sections:
        at = full_text.index(section, at) + len(section)


def test_no_warnings_for_text_the_font_has():
    assert note().warnings == ()


@pytest.mark.parametrize("long", [False, True])
def test_identifiers_and_page_numbers_on_every_page(long):
    case = mbb_botox_case(notes=LONG_NOTES) if long else mbb_botox_case()
    pages = pages_text(render_note(note(case)))
    assert (len(pages) >= 4) if long else (len(pages) <= 2)
    for n, page in enumerate(pages, start=1):
        for ident in IDENTIFIERS:
            assert ident in page, (n, ident)
        assert f"Page {n} of {len(pages)}" in page
        assert "DRAFT — not signed" in page and "Generated 2026-10-01 12:05" in page
    # Letterhead on the first page, the clinic's name in every page's header.
    assert "12 Synthetic Way" in pages[0]
    assert all("Synthetic Spine & Pain Centre" in page for page in pages)
    if long:
        text = " ".join(pages)
        assert all(f"Block {i}." in text for i in range(26))


@pytest.mark.parametrize("size,width_pt,height_pt", [("letter", 612, 792), ("a4", 595.3, 841.9)])
def test_paper_size_comes_from_the_clinic(size, width_pt, height_pt):
    content = note(clinic=clinic(page_size=size))
    assert content.page_size == size
    for page in PdfReader(io.BytesIO(render_note(content))).pages:
        assert float(page.mediabox.width) == pytest.approx(width_pt, abs=0.5)
        assert float(page.mediabox.height) == pytest.approx(height_pt, abs=0.5)


def test_explicit_page_size_overrides_the_clinic():
    pdf = render_note(note(clinic=clinic(page_size="letter")), page_size="a4")
    assert round(float(PdfReader(io.BytesIO(pdf)).pages[0].mediabox.width)) == 595


def test_no_clinic_means_letter_and_no_letterhead():
    content = note(clinic=None)
    assert content.page_size == "letter" and content.letterhead.empty
    text = text_of(render_note(content))
    assert "12 Synthetic Way" not in text and "Call the clinic if you have a fever" in text_of(render_handout(content))


def _images(resources) -> list:
    """Image XObjects of a resource dictionary, looking inside form XObjects too."""
    found = []
    xobjects = resources.get_object().get("/XObject") if resources is not None else None
    for xobj in (xobjects or {}).values():
        xobj = xobj.get_object()
        if xobj.get("/Subtype") == "/Image":
            found.append(xobj)
        elif xobj.get("/Subtype") == "/Form":
            found += _images(xobj.get("/Resources"))
    return found


def _logo_jpeg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (60, 120), "#336699").save(buf, format="JPEG")
    return buf.getvalue()


@pytest.mark.parametrize("logo", [logo_png(), logo_png(1600, 100), _logo_jpeg()], ids=["png", "wide-png", "jpeg"])
def test_logo_is_embedded_on_the_first_page_only(logo):
    pages = PdfReader(io.BytesIO(render_note(note(clinic=clinic(logo=logo))))).pages
    images = _images(pages[0]["/Resources"])
    assert len(images) == 1
    assert all(not _images(page["/Resources"]) for page in pages[1:])


def test_logo_scaled_to_letterhead_height():
    from facetdesk.note import styles as st
    from facetdesk.note.render import _logo

    tall = _logo(logo_png(100, 400)).wrap(500, 500)
    wide = _logo(logo_png(1600, 100)).wrap(500, 500)
    assert tall[1] == pytest.approx(st.LOGO_HEIGHT)
    assert wide[0] == pytest.approx(st.LOGO_MAX_WIDTH) and wide[1] < st.LOGO_HEIGHT


def test_unreadable_logo_is_named_not_fatal():
    broken = b"\x89PNG\r\n\x1a\n" + b"not really a png"
    text = text_of(render_note(note(clinic=clinic(logo=broken))))
    assert "[logo could not be read]" in text and "Synthetic Spine & Pain Centre" in text


def test_characters_outside_the_fonts_are_warned_about_and_kept():
    # Tamil is in none of the bundled faces; Chinese, Korean and Devanagari are drawn by the fallback faces.
    content = note(mbb_botox_case(notes="Patient wrote அஆ in the diary", findings="Arthropathy சர்மா 中 김 शर्मा"))
    label = "DejaVu Sans, Droid Sans Fallback, NanumGothic or Lohit Devanagari"
    assert content.warnings == (
        f"Some characters cannot be shown in these fonts ({label}): 'ச' (U+0B9A), "
        "'ர' (U+0BB0), '்' (U+0BCD), 'ம' (U+0BAE), 'ா' (U+0BBE) in Findings."
        " They are kept in the record but print as empty boxes here.",
        f"Some characters cannot be shown in these fonts ({label}): 'அ' (U+0B85), 'ஆ' (U+0B86) in Notes."
        " They are kept in the record but print as empty boxes here.",
    )
    # The text itself is kept, not replaced by a marker.
    assert content.notes == "Patient wrote அஆ in the diary"
    pages = pages_text(render_note(content))
    # The warning is at the top of the note, before the first section.
    first = pages[0]
    assert "Some characters cannot be shown in these fonts" in first
    assert first.index("U+0B9A") < first.index("Patient and service")
    assert "U+0B86) in Notes" in first
    assert "Patient wrote" in " ".join(pages)


@pytest.mark.parametrize(
    ("family", "face"),
    [("王小明", "DroidSansFallback"), ("山田花子", "DroidSansFallback"), ("やまだ", "DroidSansFallback"),
     ("カタカナ", "DroidSansFallback"), ("김민준", "NanumGothic")],
)  # fmt: skip
def test_chinese_japanese_and_korean_names_print_in_a_fallback_face_and_read_back(family, face):
    case = mbb_botox_case()
    case = case.model_copy(update={"patient": case.patient.model_copy(update={"family_name": family})})
    content = note(case)
    assert content.warnings == ()
    pdf = render_note(content)
    pages = pages_text(pdf)
    assert all(f"{family}, Robin" in page for page in pages)  # every page's header, in logical order
    fonts = {str(f.get_object()["/BaseFont"]) for p in PdfReader(io.BytesIO(pdf)).pages
             for f in p["/Resources"]["/Font"].values()}  # fmt: skip
    assert any(face in name for name in fonts)


def test_warning_names_each_section_and_caps_the_list():
    content = note(
        # Tamil: in no bundled face.
        mbb_botox_case(notes="".join(chr(0x0B85 + i) for i in range(12))),
        clinic=clinic(address="1 Way ஸ"),
    )
    by_section = {re.search(r" in ([A-Z][^.]*)\. They", w).group(1): w for w in content.warnings}
    assert set(by_section) == {"Clinic letterhead", "Notes"}
    assert "and 4 more" in by_section["Notes"]


@pytest.mark.parametrize("name", ["Żółć Łukasz", "Παπαδοπούλου", "Иванова", "O'Brien-Smith Seán"])
def test_european_scripts_need_no_warning(name):
    assert note(mbb_botox_case(notes=name)).warnings == ()


def test_same_content_same_bytes_with_logo_and_chart():
    content = note()
    first = render_note(content)
    assert render_note(content) == first
    assert render_note(note()) == first


def test_one_level_note_is_short_and_numbered():
    case = mbb_botox_case(targets=[Target(level="L4-L5", side="left")], botulinum_toxin=None, pain_scores=[])
    pages = pages_text(render_note(note(case)))
    assert len(pages) <= 3
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    assert "Relief not computed, no relief chart: no post-injection pain scores" in " ".join(pages)


@pytest.mark.parametrize("baseline", [8, None])
def test_a_note_without_scores_says_so_once(baseline):
    """No diary (an ablation, a toxin visit): one line says there are no scores and so no relief; with no
    pre-injection score either, both missing facts are named."""
    case = mbb_botox_case(pain_scores=[], pre_procedure_pain=baseline)
    text = " ".join(pages_text(render_note(note(case))))
    assert text.count("post-injection") == 1
    if baseline is None:
        assert "no pre-injection pain score" in text and "No post-injection scores" in text


def test_many_address_lines_fold_so_the_letterhead_fits():
    address = "\n".join(f"L{i}" for i in range(100))  # within the 400 characters the settings allow
    content = note(clinic=clinic(address=address))
    assert len(content.letterhead.address) == 5 and content.letterhead.address[-1].startswith("L4, L5, L6")
    assert "L98, L99" in text_of(render_note(content))
