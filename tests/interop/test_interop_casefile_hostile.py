"""Hostile case files: mutated field by field, garbled, truncated, not UTF-8, not an object, huge numbers.

Through the parser, through CaseService.import_case and through ``facetdesk import-case FILE``: a case
file is imported whole or refused with errors that name each bad field (exit status 2 on the command
line, never a traceback), and a refused import writes nothing.
"""

from __future__ import annotations

import itertools
import json
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facetdesk.cli import main
from facetdesk.domain.case import CaseFile
from facetdesk.domain.errors import InvalidRecord
from facetdesk.interop.casefile import dump_case, parse_case, read_case
from facetdesk.services.context import AppContext, build_context
from tests.actors import ADMIN_PHYSICIAN
from tests.builders.cases import make_case
from tests.hostile import (
    CLEAR_ERRORS,
    HOSTILE,
    PURE,
    Big,
    assert_clear,
    db_rows,
    mutations,
    related,
)
from tests.profiles import examples

CASE: dict[str, Any] = json.loads(dump_case(make_case()))
_fresh = itertools.count(1)


def fresh_case() -> dict[str, Any]:
    """The synthetic case with its own MRN and procedure uids, so imports into one database never collide."""
    n = next(_fresh)
    raw = json.loads(json.dumps(CASE))
    raw["patient"]["mrn"] = f"HCF-{n:06d}"
    for procedure in (raw["procedure"], *raw["prior_procedures"]):
        procedure["uid"] = str(uuid.uuid4())
    return raw


def json_text(payload: Any) -> str:
    """JSON for ``payload``; Big markers become their text here (a 5000-deep list cannot go through json.dumps)."""
    bigs: dict[str, Big] = {}

    def mark(value: Any) -> Any:
        if isinstance(value, Big):
            key = f"@@big{len(bigs)}@@"
            bigs[key] = value
            return key
        if isinstance(value, dict):
            return {k: mark(v) for k, v in value.items()}
        if isinstance(value, list):
            return [mark(v) for v in value]
        return value

    text = json.dumps(mark(payload), default=str)
    for key, big in bigs.items():
        if big.kind == "deep_list":
            body = "[" * big.size + "]" * big.size
        elif big.kind == "deep_dict":
            body = '{"a":' * big.size + "{}" + "}" * big.size
        else:
            body = json.dumps(big.make())
        text = text.replace(json.dumps(key), body)
    return text


def case_related(error_path: tuple, mutated: tuple) -> bool:
    """``related``, plus the case's cross-checks: procedure dates against the birth date, uids against each other."""
    if related(error_path, mutated) or error_path == ("file",):  # ("file",): the JSON text itself (too deep)
        return True
    if error_path in (("procedure",), ("prior_procedures",)):
        return mutated[:2] == ("patient", "date_of_birth") or mutated[-1:] == ("uid",) or mutated == ("patient",)
    return False


def assert_names_the_field(exc: InvalidRecord, mutated: tuple) -> None:
    assert_clear(exc)
    assert any(case_related(e.path, mutated) for e in exc.errors), (
        f"the change at {mutated} is refused with errors about other fields: {[str(e) for e in exc.errors]}"
    )


# ---- the parser: many examples, no database ---------------------------------------------------------------------


@PURE
@given(data=st.data())
def test_parse_case_refuses_each_hostile_field_by_name(data):
    base = fresh_case()
    mutation = data.draw(mutations(base, ["attachments", "id"]))
    text = json_text(mutation.apply(base, build=False))

    try:
        case = parse_case(text)
    except InvalidRecord as exc:
        assert_names_the_field(exc, mutation.path)
    else:
        assert parse_case(dump_case(case)) == case, "a case FacetDesk accepts must survive its own export"


def _garble(text: str, how: str, at: float, junk: bytes) -> bytes:
    raw = text.encode("utf-8")
    cut = int(len(raw) * at)
    if how == "truncate":
        return raw[:cut]
    if how == "insert":
        return raw[:cut] + junk + raw[cut:]
    if how == "overwrite":
        return raw[:cut] + junk + raw[cut + len(junk) :]
    if how == "bom":
        return b"\xef\xbb\xbf" + raw
    if how == "latin-1":
        return text.replace("Testperson", "Testpérson").encode("latin-1", "replace")
    if how == "huge-number":
        return re.sub(rb'"nrs": \d+', b'"nrs": 1' + b"0" * 5000, raw, count=1)
    if how == "top-level":
        return junk or b"[]"
    raise AssertionError(how)


garbling = st.tuples(
    st.sampled_from(["truncate", "insert", "overwrite", "bom", "latin-1", "huge-number", "top-level"]),
    st.floats(min_value=0, max_value=1),
    st.one_of(
        st.binary(min_size=1, max_size=8),
        st.sampled_from([b"\xff\xfe", b"\x00", b"\xed\xa0\x80", b'"', b"}", b"]", b"null", b"42", b'"text"', b"[{}]"]),
    ),
)


@PURE
@given(garbled=garbling)
def test_read_case_refuses_garbled_bytes_on_the_file(tmp_path_factory, garbled):
    path = tmp_path_factory.mktemp("case") / "case.json"
    path.write_bytes(_garble(json_text(fresh_case()), *garbled))

    try:
        read_case(path)
    except InvalidRecord as exc:
        assert_clear(exc)


# ---- CaseService.import_case: one transaction, all or nothing ------------------------------------------------------


@pytest.fixture
def ctx(make_database_url: Callable[..., str]) -> Iterator[AppContext]:
    context = build_context(make_database_url("clinic"), actor=ADMIN_PHYSICIAN)
    try:
        yield context
    finally:
        context.close()


@HOSTILE
@given(data=st.data(), twice=st.booleans())
def test_import_case_stores_all_of_a_case_or_nothing(ctx, data, twice):
    base = fresh_case()
    mutation = data.draw(mutations(base, ["attachments"]))
    try:
        case = parse_case(json_text(mutation.apply(base, build=False)))
    except InvalidRecord as exc:
        assert_names_the_field(exc, mutation.path)
        return
    before = db_rows(ctx)

    try:
        result = ctx.cases.import_case(case)
    except CLEAR_ERRORS as exc:
        assert_clear(exc)
        assert db_rows(ctx) == before, f"refused with {type(exc).__name__}, yet the database changed"
        return

    stored = ctx.cases.case_for(result.procedure_id)
    assert stored.procedure.model_dump(exclude={"id", "version"}) == case.procedure.model_dump(
        exclude={"id", "version"}
    )
    assert stored.patient.model_dump(exclude={"id", "version"}) == case.patient.model_dump(exclude={"id", "version"})
    assert parse_case(dump_case(stored)) == stored
    if twice:  # importing the same file again adds nothing
        again = ctx.cases.import_case(case)
        assert (again.procedure_id, again.procedures_added) == (result.procedure_id, 0)


def test_import_case_with_a_prior_listed_twice_is_refused_by_name():
    raw = fresh_case()
    raw["prior_procedures"].append(dict(raw["prior_procedures"][0]))

    with pytest.raises(InvalidRecord) as exc:
        parse_case(json.dumps(raw))

    [error] = exc.value.errors
    assert error.path == ("prior_procedures",)
    assert "listed more than once" in error.message


# ---- the command line: exit status 2 and the field's name, never a traceback -----------------------------------------


def run_import(tmp_path: Path, body: bytes, capsys) -> tuple[int, str]:
    path = tmp_path / f"case-{next(_fresh)}.json"
    path.write_bytes(body)
    code = main(["--db", f"sqlite:///{tmp_path / 'cli' / 'facetdesk.sqlite3'}", "import-case", str(path)])
    captured = capsys.readouterr()
    return code, captured.err


def assert_cli_names_each_error(code: int, err: str, body: bytes) -> None:
    assert "Traceback" not in err
    if code == 0:
        return
    assert code == 2, f"exit status {code}: {err[:300]}"
    try:
        read_case_bytes(body)
    except InvalidRecord as exc:
        for error in exc.errors:
            assert str(error) in err, f"{error} is not in the command line's message: {err[:300]}"
    assert re.search(r"^  \S.*: \S", err, re.MULTILINE), f"no 'Field: problem' line in {err[:300]!r}"


def read_case_bytes(body: bytes) -> CaseFile:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidRecord([]) from None
    return parse_case(text)


@settings(HOSTILE, max_examples=examples(20))
@given(data=st.data(), garbled=st.one_of(st.none(), garbling))
def test_cli_import_case_exits_2_naming_the_field(tmp_path_factory, capsys, data, garbled):
    tmp_path = tmp_path_factory.mktemp("cli")
    base = fresh_case()
    if garbled is None:
        mutation = data.draw(mutations(base, ["attachments"]))
        body = json_text(mutation.apply(base, build=False)).encode("utf-8", "surrogatepass")
    else:
        body = _garble(json_text(base), *garbled)

    code, err = run_import(tmp_path, body, capsys)

    assert_cli_names_each_error(code, err, body)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\xff\xfe{}",
        b"[" * 100_000,
        b'{"patient": ' + b"9" * 5000 + b"}",
        json.dumps({**CASE, "patient": {**CASE["patient"], "family_name": "A\x00B"}}).encode(),
        json.dumps({**CASE, "procedure": {**CASE["procedure"], "performed_at": "0001-01-01T00:00+14:00"}}).encode(),
        json.dumps(
            {**CASE, "procedure": {**CASE["procedure"], "technique": [[[[[[[[[[[[[[[[[["x"]]]]]]]]]]]]]]]]]]}}
        ).encode(),
    ],
    ids=["empty", "not-utf8", "deep", "huge-number", "nul", "year-1-offset", "nested-enum"],
)
def test_cli_import_case_known_hostile_files(tmp_path, capsys, body):
    code, err = run_import(tmp_path, body, capsys)

    assert code == 2
    assert_cli_names_each_error(code, err, body)


def test_once_a_bug_cli_export_case_with_an_impossible_id(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'cli' / 'facetdesk.sqlite3'}"
    code = main(["--db", db, "export-case", "99999999999999999999", "-o", str(tmp_path / "case.json")])
    assert code == 1 and "does not exist" in capsys.readouterr().err  # today: OverflowError, a traceback


# ---- REGRESSIONS: one example per bug these tests found and this change fixed ------------------------------------


@pytest.mark.parametrize(
    ("text", "wording"),
    [
        ("[" * 100_000, "nests its JSON too deeply"),  # was RecursionError
        ('{"patient": ' + "9" * 5000 + "}", "number too long"),  # was ValueError
        (None, "must be the text"),  # was TypeError
        (b"{}", "must be the text"),
    ],
    ids=["deep", "5000-digits", "none", "bytes"],
)
def test_regression_parse_case_refuses_on_the_file(text, wording):
    with pytest.raises(InvalidRecord) as exc:
        parse_case(text)
    [error] = exc.value.errors
    assert error.path == ("file",) and wording in error.message


def test_regression_read_case(tmp_path):
    case = make_case()
    with_bom = tmp_path / "notepad.json"
    with_bom.write_bytes(b"\xef\xbb\xbf" + dump_case(case).encode("utf-8"))
    assert read_case(with_bom) == case  # was "not valid JSON (line 1, column 1)": Windows Notepad writes a BOM
    with pytest.raises(InvalidRecord) as exc:
        read_case(tmp_path / "a\x00b.json")  # was ValueError: embedded null byte
    assert exc.value.errors[0].path == ("file",)
