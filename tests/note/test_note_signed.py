"""A signed note: signature line, addenda, status; the DRAFT watermark only on unsigned notes."""

from __future__ import annotations

import io

from pypdf import PdfReader

from facetdesk.note.content import DRAFT_STATUS, SIGNED_STATUS, build_note_content
from facetdesk.note.render import render_note
from tests.builders.cases import GENERATED_AT, make_case, signed_case


def _text(pdf: bytes) -> str:
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages)


def test_signed_content_has_status_signature_and_addenda_and_no_watermark():
    content = build_note_content(signed_case(), generated_at=GENERATED_AT)
    assert (content.status, content.watermark) == (SIGNED_STATUS, "")
    assert content.signed == "Electronically signed by Dr. Synthetic Example on 2026-10-01 11:40"
    assert [(a.heading, a.text, a.signed) for a in content.addenda] == [
        (
            "Addendum 1 — Dr. Synthetic Example, 2026-10-02 08:15",
            "Levels: L4-L5 only.",
            "Electronically signed by Dr. Synthetic Example on 2026-10-02 08:15",
        ),
        (
            "Addendum 2 — Dr. Other Reader, 2026-10-03 09:00",
            "Patient called: pain 2/10.",
            "Electronically signed by Dr. Other Reader on 2026-10-03 09:00",
        ),
    ]


def test_draft_content_keeps_the_draft_status_and_watermark():
    content = build_note_content(make_case(), generated_at=GENERATED_AT)
    assert (content.status, content.watermark, content.signed, content.addenda) == (DRAFT_STATUS, "DRAFT", "", ())


def test_signed_pdf_shows_signature_and_every_addendum_and_no_draft():
    pdf = render_note(build_note_content(signed_case(), generated_at=GENERATED_AT))
    text = _text(pdf)
    assert "Electronically signed by Dr. Synthetic Example on 2026-10-01 11:40" in text
    assert "Addenda" in text and "Levels: L4-L5 only." in text and "Patient called: pain 2/10." in text
    assert "Electronically signed by Dr. Other Reader on 2026-10-03 09:00" in text
    assert "DRAFT" not in text and "Signed" in text
    # Byte stability holds for signed notes too.
    assert render_note(build_note_content(signed_case(), generated_at=GENERATED_AT)) == pdf


def test_draft_pdf_still_shows_draft():
    text = _text(render_note(build_note_content(make_case(), generated_at=GENERATED_AT)))
    assert "DRAFT" in text and "Electronically signed" not in text
