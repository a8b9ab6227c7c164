"""Reads and writes self-contained JSON case files, with errors that name the bad field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from facetdesk.domain.case import CaseFile
from facetdesk.domain.errors import FieldError, InvalidRecord, field_errors
from facetdesk.interop.files import write_atomically


def parse_case(text: str) -> CaseFile:
    if not isinstance(text, str):
        raise InvalidRecord([FieldError(("file",), "must be the text of a JSON case file")])
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidRecord(
            [FieldError(("file",), f"is not valid JSON (line {exc.lineno}, column {exc.colno})")]
        ) from None
    except RecursionError:
        raise InvalidRecord([FieldError(("file",), "nests its JSON too deeply to be a case file")]) from None
    except ValueError:  # a number with thousands of digits (Python refuses to convert it)
        raise InvalidRecord([FieldError(("file",), "holds a number too long to be read; no field needs one")]) from None
    if not isinstance(raw, dict):
        raise InvalidRecord([FieldError(("file",), "must hold a JSON object with patient and procedure")])
    try:
        return CaseFile.model_validate(raw)
    except ValidationError as exc:
        raise InvalidRecord(field_errors(exc)) from None


def read_case(path: str | Path) -> CaseFile:
    try:
        # utf-8-sig: a byte-order mark (Windows Notepad writes one) is not part of the JSON.
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, ValueError) as exc:  # ValueError: not UTF-8, or a NUL in the file name
        raise InvalidRecord([FieldError(("file",), f"cannot be read: {exc}")]) from None
    return parse_case(text)


def dump_case(case: CaseFile) -> str:
    return case.model_dump_json(indent=2) + "\n"


def write_case(case: CaseFile, path: str | Path) -> None:
    # Beside the target and renamed, so a crash never leaves half a case file.
    write_atomically(dump_case(case).encode("utf-8"), path)


def case_schema() -> dict[str, Any]:
    return CaseFile.model_json_schema()
