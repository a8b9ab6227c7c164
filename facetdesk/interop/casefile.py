"""Reads and writes self-contained JSON case files, with errors that name the bad field."""

from __future__ import annotations

import json
import os
import stat
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from facetdesk.domain.case import CaseFile
from facetdesk.domain.errors import FieldError, InvalidRecord, field_errors
from facetdesk.domain.text import shown
from facetdesk.interop.files import write_atomically

# The largest case file read, in bytes (UTF-8). A typical case with 500 prior procedures exports to about
# 1.8 MB, and about 4 MB when every one of them carries 2,000 characters of notes and findings: 20 MiB is
# five to ten times that (a procedure with every text field at its longest is about 90 kB, so even 200 of
# those fit). A larger file is refused before it is read whole (at most one byte more is read), so a huge or
# endless file never fills the memory.
MAX_CASE_FILE_BYTES = 20 * 1024 * 1024


def parse_case(text: str) -> CaseFile:
    """The case file in ``text``, read strictly: what JSON says is what each field gets, never a coerced value.

    Refused, naming the field: a key given twice in one object, true/false or text where a number belongs,
    text or a number where true/false belongs, a number where a date belongs; and text over
    MAX_CASE_FILE_BYTES.
    """
    if not isinstance(text, str):
        raise InvalidRecord([FieldError(("file",), "must be the text of a JSON case file")])
    if len(text) > MAX_CASE_FILE_BYTES // 4 and len(text.encode("utf-8", "surrogatepass")) > MAX_CASE_FILE_BYTES:
        raise InvalidRecord([_too_large()])
    repeated: list[_Repeated] = []
    try:
        raw = json.loads(text, object_pairs_hook=lambda pairs: _object(pairs, repeated))
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
    if repeated:
        raise InvalidRecord(_repeated_key_errors(raw))
    wrong_types = _type_errors(raw, _case_json_schema(), ())
    if wrong_types:
        raise InvalidRecord(wrong_types)
    try:
        # Lax mode is safe here: every value already has the JSON type its field takes (checked above).
        # pydantic's own strict mode cannot be used: the models' "before" validators hand it Python values,
        # and strict Python mode then refuses the dates and choices a JSON file can only write as text.
        return CaseFile.model_validate(raw)
    except ValidationError as exc:
        raise InvalidRecord(field_errors(exc)) from None


def read_case(path: str | Path) -> CaseFile:
    """The case file at ``path``: a regular file of at most MAX_CASE_FILE_BYTES, read as ``parse_case`` reads."""
    data = _read_regular_file(path, MAX_CASE_FILE_BYTES)
    try:
        # utf-8-sig: a byte-order mark (Windows Notepad writes one) is not part of the JSON.
        text = data.decode("utf-8-sig")
    except ValueError as exc:  # not UTF-8
        raise InvalidRecord([FieldError(("file",), f"cannot be read: {exc}")]) from None
    return parse_case(text)


def _too_large() -> FieldError:
    return FieldError(
        ("file",), f"is larger than {MAX_CASE_FILE_BYTES // (1024 * 1024)} MiB, more than any case file holds"
    )


def _not_regular(mode: int) -> FieldError:
    if stat.S_ISDIR(mode):
        kind = "a folder"
    elif stat.S_ISFIFO(mode):
        kind = "a named pipe (FIFO)"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "a device"
    elif stat.S_ISSOCK(mode):
        kind = "a socket"
    else:
        kind = "not a regular file"
    return FieldError(("file",), f"is {kind}, not a case file: give the path of a regular .json file")


def _read_regular_file(path: str | Path, limit: int) -> bytes:
    """At most ``limit`` bytes of the regular file at ``path``; anything else is refused, never waited on."""
    # O_NONBLOCK: a FIFO put in the file's place after the first check opens at once (and is refused by the
    # second) instead of waiting for a writer. Windows has neither FIFOs nor the flag.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    data = b""
    try:
        status = os.stat(path)
        if stat.S_ISREG(status.st_mode) and status.st_size <= limit:
            fd = os.open(path, flags)
            with open(fd, "rb") as file:  # closes fd, also when fstat or read fails
                status = os.fstat(file.fileno())
                if stat.S_ISREG(status.st_mode) and status.st_size <= limit:
                    data = file.read(limit + 1)  # the file may have grown since fstat
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the file name
        raise InvalidRecord([FieldError(("file",), f"cannot be read: {exc}")]) from None
    if not stat.S_ISREG(status.st_mode):
        raise InvalidRecord([_not_regular(status.st_mode)])
    if status.st_size > limit or len(data) > limit:
        raise InvalidRecord([_too_large()])
    return data


# ---- strict JSON: repeated keys and values of the wrong JSON type ---------------------------------------------


class _Repeated(dict):
    """A JSON object in which some key was given more than once (JSON keeps the last, silently)."""

    counts: dict[str, int]


def _object(pairs: list[tuple[str, Any]], repeated: list[_Repeated]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    marked = _Repeated(obj)
    marked.counts = {}
    for key, _ in pairs:
        marked.counts[key] = marked.counts.get(key, 0) + 1
    repeated.append(marked)
    return marked


def _repeated_key_errors(raw: dict[str, Any]) -> list[FieldError]:
    """One error per repeated key, at the path of the object holding it (the file itself at the top)."""
    errors: list[FieldError] = []
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), raw)]
    while stack:  # without recursion: json.loads accepts nesting deeper than Python's recursion limit
        path, value = stack.pop()
        if isinstance(value, dict):
            if isinstance(value, _Repeated):
                for key, count in value.counts.items():
                    if count > 1:
                        times = "twice" if count == 2 else f"{count} times"
                        errors.append(FieldError(path or ("file",), f"key {shown(key)} appears {times}"))
            stack.extend((path + (k,), v) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((path + (i,), v) for i, v in reversed(list(enumerate(value))))
    return errors


@cache
def _case_json_schema() -> dict[str, Any]:
    # Generated from the models, so a field added later is held to its JSON type without a change here.
    return CaseFile.model_json_schema()


_JSON_TYPES = {type(None): "null", bool: "boolean", int: "integer", float: "number", str: "string"}


def _type_errors(value: Any, schema: dict[str, Any], path: tuple[str | int, ...]) -> list[FieldError]:
    """Errors for values whose JSON type their field does not take, where pydantic's lax mode would coerce.

    Only a primitive of the wrong kind is reported here (true for a number, "5" for a number, "yes" or 1 for
    true/false, a number for a date); a list or object in the wrong place is left to pydantic, which refuses it.
    """
    branches = _branches(schema)
    if isinstance(value, dict):
        errors: list[FieldError] = []
        for branch in branches:
            properties = branch.get("properties")
            if isinstance(properties, dict):
                for key, item in value.items():
                    if key in properties:
                        errors.extend(_type_errors(item, properties[key], path + (key,)))
                break
        return errors
    if isinstance(value, list):
        for branch in branches:
            items = branch.get("items")
            if isinstance(items, dict):
                return [err for i, item in enumerate(value) for err in _type_errors(item, items, path + (i,))]
        return []
    found = _JSON_TYPES.get(type(value))
    allowed = {t for branch in branches for t in _types_of(branch)}
    if found is None or found == "null" or found in allowed or not all(_types_of(b) for b in branches):
        return []  # null is pydantic's to judge; a branch without a type takes any value
    if found in ("integer", "number") and allowed & {"integer", "number"}:
        return []  # 2 for a number is fine; 2.0 or 2.5 for a whole number is pydantic's to judge (2.5 is refused)
    return [FieldError(path, f"must be {_expected(allowed, branches)}, not {_found(value)}")]


def _branches(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The alternatives a schema allows, with references to the models' definitions followed."""
    out: list[dict[str, Any]] = []
    pending = [schema]
    while pending:
        node = pending.pop(0)
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            pending.append(_case_json_schema()["$defs"][ref.removeprefix("#/$defs/")])
        elif "anyOf" in node or "oneOf" in node:
            pending.extend(node.get("anyOf", []) + node.get("oneOf", []))
        else:
            out.append(node)
    return out


def _types_of(branch: dict[str, Any]) -> list[str]:
    kind = branch.get("type")
    if isinstance(kind, str):
        return [kind]
    if isinstance(kind, list):
        return [k for k in kind if isinstance(k, str)]
    return []  # no type given: any value (left to pydantic)


def _expected(allowed: set[str], branches: list[dict[str, Any]]) -> str:
    if "boolean" in allowed:
        return "true or false (without quotes)"
    if "integer" in allowed:
        return "a whole number (without quotes)"
    if "number" in allowed:
        return "a number (without quotes)"
    formats = {b.get("format") for b in branches}
    if "date-time" in formats:
        return 'a date and time written as text ("YYYY-MM-DDTHH:MM")'
    if "date" in formats:
        return 'a date written as text ("YYYY-MM-DD")'
    choices = [c for b in branches for c in b.get("enum", ()) if isinstance(c, str)]
    if choices:
        return "one of " + ", ".join(shown(c) for c in choices) + " (in quotes)"
    if "string" in allowed:
        return "text (in quotes)"
    return " or ".join(sorted(allowed))


def _found(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the text {shown(value)}"
    return f"the number {shown(value)}"


def dump_case(case: CaseFile) -> str:
    return case.model_dump_json(indent=2) + "\n"


def write_case(case: CaseFile, path: str | Path, *, shared: bool = False) -> None:
    # Beside the target and renamed, so a crash never leaves half a case file; owner-only unless shared.
    write_atomically(dump_case(case).encode("utf-8"), path, shared=shared)


def case_schema() -> dict[str, Any]:
    return CaseFile.model_json_schema()
