"""The text of each page of a PDF, for tests that read a note back."""

from __future__ import annotations

import io

from pypdf import PdfReader


def pages_text(pdf: bytes) -> list[str]:
    # Whitespace is normalised: extraction splits wrapped lines and table cells unpredictably.
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages]
