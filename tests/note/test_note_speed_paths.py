"""The renderer's speed paths change no output: the same bytes as plain reportlab, and no state kept between notes."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from pypdf import PdfReader
from reportlab.platypus import Paragraph

from facetdesk.domain.settings import ClinicSettings
from facetdesk.note import glyphs, render, story
from facetdesk.note import styles as st
from facetdesk.note.content import build_note_content
from facetdesk.note.fonts import register_fonts
from facetdesk.note.paragraphs import NoteParagraph
from facetdesk.note.render import render_note
from tests.builders.cases import GENERATED_AT, LONG_NOTES, clinic, logo_png, make_case, mbb_botox_case, signed_case
from tests.profiles import examples

REPO = Path(__file__).resolve().parents[2]

CASES = {
    "plain": lambda: (make_case(), None),
    "clinic": lambda: (make_case(), ClinicSettings(clinic_name="Synthetic Spine Clinic", page_size="a4")),
    # Long notes split paragraphs and tables across pages; a split starts the line breaking afresh.
    "long": lambda: (make_case(notes=LONG_NOTES), None),
    "signed": lambda: (signed_case(), None),
    "letterhead": lambda: (mbb_botox_case(), clinic()),
    "wide-logo": lambda: (mbb_botox_case(), clinic(logo=logo_png(1600, 100), page_size="a4")),
    "names": lambda: (make_case(family="Ωμέγα <&>", given="Жанна 漢字"), None),
}


def _pdf(case, clinic_settings=None) -> bytes:
    return render_note(build_note_content(case, clinic=clinic_settings, generated_at=GENERATED_AT))


def _plain_reportlab(monkeypatch) -> None:
    """Every paragraph a plain reportlab Paragraph (with the same CJK fallback markup): wrapped again each time
    platypus asks."""
    from facetdesk.note.fonts import fallback_markup

    def plain(text, style=None, *args, **kwargs):
        return Paragraph(fallback_markup(text), style, *args, **kwargs)

    monkeypatch.setattr(story, "NoteParagraph", plain)
    monkeypatch.setattr(render, "NoteParagraph", plain)


@pytest.mark.parametrize("name", sorted(CASES))
def test_wrap_once_paragraphs_give_the_bytes_of_plain_paragraphs(name, monkeypatch):
    case, clinic_settings = CASES[name]()
    fast = _pdf(case, clinic_settings)
    with monkeypatch.context() as m:
        _plain_reportlab(m)
        plain = _pdf(case, clinic_settings)
    assert fast == plain


@settings(max_examples=examples(12), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    words=hs.integers(min_value=0, max_value=2500),
    blocks=hs.integers(min_value=1, max_value=12),
    long_word=hs.integers(min_value=0, max_value=400),
)
def test_wrap_once_paragraphs_match_plain_ones_wherever_pages_break(words, blocks, long_word, monkeypatch):
    """Notes of every length move the page breaks through every section; a very long word is split too."""
    sentence = "Needle advanced to the junction of the superior articular and transverse process."
    text = " ".join(sentence.split()[i % 12] for i in range(words))
    notes = "\n\n".join([text[i::blocks] for i in range(blocks)] + ["x" * long_word])
    case = make_case(notes=notes)
    fast = _pdf(case)
    with monkeypatch.context() as m:
        _plain_reportlab(m)
        assert _pdf(case) == fast


def test_paragraph_breaks_its_lines_once_per_width(monkeypatch):
    register_fonts()
    calls = []
    original = Paragraph.breakLines
    monkeypatch.setattr(Paragraph, "breakLines", lambda self, widths: calls.append(widths) or original(self, widths))
    p = NoteParagraph("Pain diary for 24 h; clinic review in 2 weeks " * 6, st.BODY)

    first = p.wrap(200, 1000)
    assert p.wrap(200, 50) == first  # the height offered does not change the lines
    assert len(calls) == 1
    narrower = p.wrap(120, 1000)
    assert narrower[1] > first[1] and len(calls) == 2
    assert p.wrap(200, 1000) == first and len(calls) == 3

    parts = p.split(200, 30)
    assert len(parts) == 2
    p.wrap(200, 1000)
    assert len(calls) == 4  # a split may have changed what the lines are made of: broken again


def test_table_styles_are_shared_and_unchanged_by_use():
    assert st.grid_table_style() is st.grid_table_style()
    before = list(st.grid_table_style().getCommands())
    _pdf(make_case())
    assert list(st.grid_table_style().getCommands()) == before


def test_no_state_is_kept_from_one_note_to_the_next():
    first = _pdf(make_case())
    _pdf(make_case(notes=LONG_NOTES), clinic())
    _pdf(mbb_botox_case(), clinic(logo=logo_png(1600, 100), page_size="a4"))
    assert _pdf(make_case()) == first


def test_a_fresh_process_renders_the_same_bytes_as_a_warm_one(tmp_path):
    """The caches (fonts, styles, character map) hold nothing a cold render would not rebuild the same way."""
    warm = _pdf(make_case())
    out = tmp_path / "cold.pdf"
    code = (
        "from pathlib import Path\n"
        "from tests.builders.cases import GENERATED_AT, make_case\n"
        "from facetdesk.note.content import build_note_content\n"
        "from facetdesk.note.render import render_note\n"
        f"Path({str(out)!r}).write_bytes(render_note(build_note_content(make_case(), generated_at=GENERATED_AT)))\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, timeout=120)
    assert out.read_bytes() == warm


def test_every_page_still_draws_its_header_and_footer():
    """Laid out once per note, drawn on each page: every page names the patient and counts the pages."""
    pages = PdfReader(io.BytesIO(_pdf(make_case(notes=LONG_NOTES), clinic()))).pages
    assert len(pages) >= 3
    for n, page in enumerate(pages, start=1):
        text = " ".join(page.extract_text().split())
        assert "Testperson, Alex" in text and "MRN FD-000123" in text
        assert f"Page {n} of {len(pages)}" in text and "Generated 2026-10-01 12:05" in text
    # The letterhead is on the first page only.
    assert "Synthetic Spine & Pain Centre" in pages[0].extract_text()
    assert "12 Synthetic Way" not in pages[1].extract_text()


@pytest.mark.parametrize(
    "text", ["", "plain ASCII", "line\nbreak\ttab\r\n", "Ñúñez Ωμέγα Жанна", "漢字 and ㅋ", "emoji 🙂 ok", "\x00"]
)
def test_missing_characters_fast_path_agrees_with_the_character_loop(text):
    covered = glyphs.covered_code_points() | glyphs.fallback_code_points()
    expected: list[str] = []
    for ch in text:
        if ch not in "\n\r\t" and ord(ch) not in covered and ch not in expected:
            expected.append(ch)
    assert glyphs.missing_characters(text) == expected
