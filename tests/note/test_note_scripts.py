"""Every name printed right: each script drawn in a face that has it, right-to-left lines in visual order with
Arabic joined, Devanagari shaped, and the text read back in logical (typed) order by poppler's pdftotext.

Verifiers not written here: pdftotext (poppler-utils) extracts the pages; python-bidi's Rust implementation of
the Unicode Bidirectional Algorithm is the oracle for the drawing order of mixed-direction lines.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata

import pytest
from bidi import get_display
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from facetdesk.note.bidi_text import visual
from facetdesk.note.content import build_note_content
from facetdesk.note.render import render_note
from tests.builders.cases import GENERATED_AT, clinic, mbb_botox_case
from tests.profiles import examples

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed"
)

# Family and given names in each script (synthetic), with what the note must hold for them.
NAMES = {
    "Hebrew": ("כהן", "משה"),
    "Arabic": ("العلي", "محمد"),
    "Chinese": ("王", "小明"),
    "Japanese": ("山田", "はなこ"),
    "Korean": ("김", "민준"),
    "Devanagari": ("शर्मा", "क्षितिज"),
    "Greek": ("Παπαδοπούλου", "Ελένη"),
    "Cyrillic": ("Иванова", "Юлия"),
    "combining diacritics": ("Nguye\u0302\u0303n", "Zoe\u0308"),  # typed decomposed: ê + tilde, e + diaeresis
}
# Bidirectional formatting marks pdftotext puts around right-to-left runs; not part of the text.
_BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _read_back(pdf: bytes) -> list[str]:
    """Each page as pdftotext extracts it, marks removed and normalised (NFKC: joined Arabic forms are letters)."""
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return [unicodedata.normalize("NFKC", _BIDI_MARKS.sub("", page)) for page in out.split("\f") if page.strip()]


def _note(family: str, given: str, notes: str = "") -> bytes:
    case = mbb_botox_case(notes=notes)
    patient = case.patient.model_copy(update={"family_name": family, "given_name": given})
    content = build_note_content(case.model_copy(update={"patient": patient}), generated_at=GENERATED_AT,
                                 clinic=clinic())  # fmt: skip
    assert content.warnings == (), content.warnings  # every character is drawn: nothing to warn about
    return render_note(content)


@needs_pdftotext
@pytest.mark.parametrize("script", list(NAMES))
def test_a_name_in_any_script_reads_back_in_logical_order_on_every_page(script):
    family, given_name = NAMES[script]
    pages = _read_back(_note(family, given_name))
    assert len(pages) >= 2
    if script in ("Hebrew", "Arabic"):
        # Each name reads back as typed. pdftotext orders the words of a right-to-left run that holds a comma
        # by its own rule ("given,family"); the order they are drawn in is checked against the algorithm below.
        expected = [unicodedata.normalize("NFKC", name) for name in (family, given_name)]
    else:
        expected = [unicodedata.normalize("NFKC", f"{family}, {given_name}")]
    for page in pages:
        assert all(name in page for name in expected), (expected, page[:200])


def test_the_header_line_of_a_right_to_left_name_is_drawn_in_the_algorithms_order():
    for family, given_name in (NAMES["Hebrew"], NAMES["Arabic"]):
        line = f"{family}, {given_name}"
        assert visual(line) == get_display(line, base_dir="L")


@needs_pdftotext
def test_words_in_several_scripts_read_back_in_a_paragraph():
    notes = "\n\n".join(
        ("Diary kept by שרה לוי at home", "Brother: محمد عبد الله", "Interpreter: हिंदी भाषा", "Ελένη, Юлия, 김민준")
    )
    text = " ".join(_read_back(_note("Testperson", "Robin", notes)))
    for words in ("שרה לוי", "محمد عبد الله", "हिंदी भाषा", "Ελένη, Юлия, 김민준"):
        assert words in text, words


def test_arabic_is_drawn_joined_and_devanagari_shaped():
    """The glyphs drawn, in drawing order (pypdf reads the content stream as it is, no ActualText): Arabic in
    its joined forms, and the i-sign of 'हि' drawn before its consonant, as HarfBuzz places it."""
    pdf = _note("العلي", "हिमा")
    drawn = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "\ufee0" in drawn or "\ufedf" in drawn  # lam in a joined (initial/medial) form
    assert "العلي" not in drawn  # not the unjoined letters in typed order
    fonts = {
        str(f.get_object()["/BaseFont"]) for f in PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"].values()
    }
    assert any("Lohit-Devanagari" in name for name in fonts)
    assert "िह" in drawn and "हिमा" not in drawn  # shaped: the i-sign is drawn before the consonant it follows


# The drawing order of mixed lines, against python-bidi's Rust implementation of the algorithm. Brackets are
# compared as one class: this module draws their mirrored glyphs, the oracle leaves mirroring to the renderer.
_SAME_BRACKET = str.maketrans(dict.fromkeys("()[]", "|"))


@pytest.mark.parametrize(
    "line",
    ["Name: משה כהן, MRN 12", "Hebrew: שרה לוי (בת 54) at home", "Arabic: محمد عبد الله العلي, لا إله",
     "Daughter: נועה בת-אל 054", "x [שלום (עולם) 3] y", "מחיר: 12.50 ₪", "plain English stays as typed"],
)  # fmt: skip
def test_a_line_is_drawn_in_the_order_of_the_bidirectional_algorithm(line):
    assert visual(line).translate(_SAME_BRACKET) == get_display(line, base_dir="L").translate(_SAME_BRACKET)


@settings(max_examples=examples(300), deadline=None)
@given(st.text(alphabet="abcאבגمحد019 ,.-()[]:", max_size=30))
def test_any_mixed_line_is_drawn_in_the_order_of_the_bidirectional_algorithm(line):
    assert visual(line).translate(_SAME_BRACKET) == get_display(line, base_dir="L").translate(_SAME_BRACKET)


def test_a_combining_mark_is_drawn_after_its_letter_in_a_right_to_left_word():
    # Hebrew shin with its dot (U+05C1), then resh: drawn right to left, the dot stays with the shin.
    drawn = visual("a שׁר b")
    assert drawn == "a רשׁ b"
