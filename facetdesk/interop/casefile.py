"""Reads and writes self-contained JSON case files, with errors that name the bad field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from facetdesk.domain.case import CaseFile
from facetdesk.domain.errors import FieldError, InvalidRecord, field_errors


def parse_case(text: str) -> CaseFile:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidRecord(
            [FieldError(("file",), f"is not valid JSON (line {exc.lineno}, column {exc.colno})")]
        ) from None
    if not isinstance(raw, dict):
        raise InvalidRecord([FieldError(("file",), "must hold a JSON object with patient and procedure")])
    try:
        return CaseFile.model_validate(raw)
    except ValidationError as exc:
        raise InvalidRecord(field_errors(exc)) from None


def read_case(path: str | Path) -> CaseFile:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidRecord([FieldError(("file",), f"cannot be read: {exc}")]) from None
    return parse_case(text)


def dump_case(case: CaseFile) -> str:
    return case.model_dump_json(indent=2) + "\n"


def write_case(case: CaseFile, path: str | Path) -> None:
    target = Path(path)
    # Write beside the target and rename, so a crash never leaves half a case file.
    tmp = target.with_name(target.name + ".part")
    tmp.write_text(dump_case(case), encoding="utf-8")
    tmp.replace(target)


def case_schema() -> dict[str, Any]:
    return CaseFile.model_json_schema()
