"""Strict case files: what the JSON says is what each field gets, and only a regular file of bounded size is read.

Refused with an error naming the field or the reason (exit status 2 on the command line): a key given twice in
one object, true/false or text where a number belongs, text or a number where true/false belongs, a number
where a date belongs, a FIFO, device or folder instead of a file, and a file over MAX_CASE_FILE_BYTES. What
FacetDesk writes, and the sample in docs/, still loads.
"""

from __future__ import annotations

import json
import os
import re
import threading
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from facetdesk.domain.enums import Sex
from facetdesk.domain.errors import FieldError, InvalidRecord
from facetdesk.interop import casefile
from facetdesk.interop.casefile import MAX_CASE_FILE_BYTES, dump_case, parse_case, read_case, write_case
from tests.builders.cases import make_case
from tests.cli_run import REPO, run

CASE: dict[str, Any] = json.loads(dump_case(make_case()))
SAMPLE = REPO / "docs" / "sample-case.json"
WAIT = 20  # seconds; reading a FIFO must return long before this, never wait for a writer

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes (FIFOs) on this system")


def case_with(change) -> dict[str, Any]:
    raw = json.loads(json.dumps(CASE))
    change(raw)
    return raw


def refused(text: str) -> list[FieldError]:
    with pytest.raises(InvalidRecord) as exc:
        parse_case(text)
    return exc.value.errors


def refused_file(path: Path) -> list[FieldError]:
    with pytest.raises(InvalidRecord) as exc:
        read_case(path)
    return exc.value.errors


class Pairs(list):
    """A JSON object written from its (key, value) pairs, so a test can give one key twice."""


def json_with_pairs(value: Any) -> str:
    if isinstance(value, Pairs):
        return "{" + ", ".join(f"{json.dumps(k)}: {json_with_pairs(v)}" for k, v in value) + "}"
    if isinstance(value, dict):
        return json_with_pairs(Pairs(value.items()))
    if isinstance(value, list):
        return "[" + ", ".join(json_with_pairs(v) for v in value) + "]"
    return json.dumps(value)


def with_repeated_key(raw: dict[str, Any], path: tuple[str | int, ...], key: str, *values: Any) -> str:
    """``raw`` as JSON text, the object at ``path`` giving ``key`` once more for each of ``values``."""
    holder: Any = raw
    for step in path:
        holder = holder[step]
    replacement = Pairs([*holder.items(), *((key, v) for v in values)])
    if not path:
        return json_with_pairs(replacement)
    parent: Any = raw
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = replacement
    return json_with_pairs(raw)


# ---- repeated keys ------------------------------------------------------------------------------------------------


def test_a_key_given_twice_in_a_row_is_refused_naming_the_row_and_the_key():
    text = with_repeated_key(case_with(lambda r: None), ("procedure", "pain_scores", 1), "nrs", 9)

    errors = refused(text)

    assert errors == [FieldError(("procedure", "pain_scores", 1), "key 'nrs' appears twice")]
    assert str(errors[0]) == "Procedure › Pain scores › row 2: key 'nrs' appears twice"


@pytest.mark.parametrize(
    ("path", "key", "values", "label", "message"),
    [
        ((), "patient", [CASE["patient"]], "file", "key 'patient' appears twice"),
        (("patient",), "mrn", ["X-1", "X-2"], "Patient", "key 'mrn' appears 3 times"),
        (("procedure",), "contrast", [True], "Procedure", "key 'contrast' appears twice"),
        (("procedure", "botulinum_toxin", "sites", 0), "units", [1], "Procedure › Botulinum toxin › Sites › row 1", ""),
        (("procedure", "indication"), "baseline_pain", [7], "Procedure › Indication", "key 'baseline_pain'"),
        (("procedure",), "not_a_field", [1], "Procedure", "key 'not_a_field' appears twice"),
    ],
    ids=["top-level", "three-times", "same-value", "deep", "indication", "unknown-key"],
)
def test_a_repeated_key_anywhere_is_refused(path, key, values, label, message):
    raw = case_with(lambda r: None)
    if key == "not_a_field":
        raw["procedure"][key] = 0
    text = with_repeated_key(raw, path, key, *values)

    [error] = refused(text)

    assert error.label == label and message in error.message


def test_every_repeated_key_is_named_not_only_the_first():
    raw = case_with(lambda r: None)
    raw["patient"] = Pairs([*raw["patient"].items(), ("sex", "male")])
    raw["procedure"]["targets"][0] = Pairs([*raw["procedure"]["targets"][0].items(), ("side", "right")])

    errors = refused(json_with_pairs(raw))

    assert {str(e) for e in errors} == {
        "Patient: key 'sex' appears twice",
        "Procedure › Targets › row 1: key 'side' appears twice",
    }


def test_a_repeated_key_is_refused_from_a_file_too(tmp_path):
    path = tmp_path / "case.json"
    path.write_text(with_repeated_key(case_with(lambda r: None), ("procedure", "pain_scores", 1), "nrs", 9), "utf-8")

    assert [str(e) for e in refused_file(path)] == ["Procedure › Pain scores › row 2: key 'nrs' appears twice"]


# ---- values of the wrong JSON type ---------------------------------------------------------------------------------


def _set(*path_and_value):
    *path, key, value = path_and_value

    def change(raw):
        for step in path:
            raw = raw[step]
        raw[key] = value

    return change


WRONG_TYPES = [
    # a boolean where a number belongs
    (("procedure", "pain_scores", 1, "nrs"), True, "must be a whole number", "not true"),
    (("procedure", "medications", 0, "volume_ml"), False, "must be a number", "not false"),
    (("patient", "weight_kg"), True, "must be a number", "not true"),
    (("procedure", "indication", "baseline_pain"), False, "must be a whole number", "not false"),
    (("format_version",), True, "must be a whole number", "not true"),
    # a number written as text
    (("procedure", "pain_scores", 1, "nrs"), "5", "must be a whole number", "not the text '5'"),
    (("procedure", "medications", 0, "volume_ml"), "2.5", "must be a number", "not the text '2.5'"),
    (("procedure", "botulinum_toxin", "vial_units"), "100", "must be a number", "not the text '100'"),
    (("procedure", "pre_procedure_pain"), " 3 ", "must be a whole number", "not the text ' 3 '"),
    # text or a number where true/false belongs
    (("procedure", "contrast"), "yes", "must be true or false", "not the text 'yes'"),
    (("procedure", "contrast"), 1, "must be true or false", "not the number 1"),
    (("procedure", "contrast"), "true", "must be true or false", "not the text 'true'"),
    (("patient", "diabetes"), "no", "must be true or false", "not the text 'no'"),
    (("patient", "pregnant"), 0, "must be true or false", "not the number 0"),
    (("procedure", "consent_obtained"), "1", "must be true or false", "not the text '1'"),
    # a number where a date, a time or a choice belongs (pydantic's lax mode reads a number as a Unix time)
    (("procedure", "performed_at"), 1_790_000_000, "must be a date and time", "not the number 1790000000"),
    (("patient", "date_of_birth"), 0, "must be a date", "not the number 0"),
    (("patient", "sex"), 1, "must be one of 'female', 'male'", "not the number 1"),
    (("procedure", "targets", 0, "side"), True, "must be one of 'left', 'right'", "not true"),
]


@pytest.mark.parametrize(
    ("path", "value", "expected", "found"),
    WRONG_TYPES,
    ids=[f"{'.'.join(map(str, p))}={v!r}" for p, v, *_ in WRONG_TYPES],
)
def test_a_value_of_the_wrong_json_type_is_refused_naming_the_field(path, value, expected, found):
    text = json.dumps(case_with(_set(*path, value)))

    [error] = refused(text)

    assert error.path == path
    assert error.message.startswith(expected) and found in error.message


def test_each_value_of_the_wrong_type_is_named():
    def change(raw):
        raw["procedure"]["pain_scores"][1]["nrs"] = "5"
        raw["procedure"]["medications"][0]["volume_ml"] = False
        raw["procedure"]["contrast"] = "yes"

    errors = refused(json.dumps(case_with(change)))

    assert [str(e) for e in errors] == [
        "Procedure › Contrast: must be true or false (without quotes), not the text 'yes'",
        "Procedure › Medications › row 1 › Volume (mL): must be a number (without quotes), not false",
        "Procedure › Pain scores › row 2 › NRS: must be a whole number (without quotes), not the text '5'",
    ]


@pytest.mark.parametrize(
    ("path", "value", "read_as"),
    [
        (("procedure", "medications", 0, "volume_ml"), 2, 2.0),  # an integer is a fine number
        (("patient", "weight_kg"), 80, 80.0),
        (("procedure", "pain_scores", 1, "nrs"), 4.0, 4),  # a whole number written with ".0"
        (("procedure", "pre_procedure_pain"), None, None),
        (("patient", "diabetes"), None, None),
        (("procedure", "contrast"), True, True),
        (("procedure", "performed_at"), "2026-10-01T09:30", None),  # without seconds
        (("procedure", "performed_at"), "2026-10-01T09:30:00Z", None),  # with an offset
        (("patient", "sex"), "male", Sex.MALE),
    ],
    ids=[
        "int-for-float",
        "int-weight",
        "whole-float-for-int",
        "null-int",
        "null-bool",
        "bool",
        "minutes",
        "utc",
        "enum",
    ],
)
def test_values_of_the_right_json_type_still_load(path, value, read_as):
    case = parse_case(json.dumps(case_with(_set(*path, value))))

    got: Any = case
    for step in path:
        got = got[step] if isinstance(step, int) else getattr(got, step)
    if read_as is not None or value is None:
        assert got == read_as and type(got) is type(read_as)


def test_a_fraction_for_a_whole_number_is_still_refused():
    [error] = refused(json.dumps(case_with(_set("procedure", "pain_scores", 1, "nrs", 4.5))))
    assert error.path == ("procedure", "pain_scores", 1, "nrs") and error.message == "must be a whole number"


# ---- what is not a regular file ------------------------------------------------------------------------------------


def read_in_thread(path: Path) -> tuple[list[FieldError] | None, BaseException | None]:
    """read_case(path) in a thread that must finish within WAIT seconds; (its errors, any other exception)."""
    outcome: dict[str, Any] = {}

    def target():
        try:
            read_case(path)
        except InvalidRecord as exc:
            outcome["errors"] = exc.errors
        except BaseException as exc:  # noqa: BLE001 (reported to the test below)
            outcome["other"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(WAIT)
    if thread.is_alive():
        # Unblock the reader stuck in open() (a writer that opens and closes at once), then fail.
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        thread.join(WAIT)
        pytest.fail(f"read_case waited on {path} for a writer")
    return outcome.get("errors"), outcome.get("other")


@needs_fifo
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "case.json"
    os.mkfifo(fifo)

    errors, other = read_in_thread(fifo)

    assert other is None
    assert [(e.path, e.message) for e in errors] == [
        (("file",), "is a named pipe (FIFO), not a case file: give the path of a regular .json file")
    ]


@needs_fifo
def test_a_fifo_swapped_in_after_the_check_is_refused_without_waiting(tmp_path, monkeypatch):
    regular = tmp_path / "regular.json"
    regular.write_text(dump_case(make_case()), "utf-8")
    fifo = tmp_path / "case.json"
    os.mkfifo(fifo)
    real_stat = os.stat

    def stat_before_the_swap(path, *args, **kwargs):  # the check sees the regular file the FIFO replaced
        return real_stat(regular if Path(path) == fifo else path, *args, **kwargs)

    monkeypatch.setattr(casefile.os, "stat", stat_before_the_swap)

    errors, other = read_in_thread(fifo)

    assert other is None
    assert [e.message for e in errors] == [
        "is a named pipe (FIFO), not a case file: give the path of a regular .json file"
    ]


@pytest.mark.skipif(not Path(os.devnull).exists() or os.name == "nt", reason="no /dev/null device")
def test_a_device_is_refused():
    errors = refused_file(Path(os.devnull))

    assert [(e.path, e.message) for e in errors] == [
        (("file",), "is a device, not a case file: give the path of a regular .json file")
    ]


def test_a_folder_is_refused(tmp_path):
    folder = tmp_path / "case.json"
    folder.mkdir()

    errors = refused_file(folder)

    assert [str(e) for e in errors] == ["file: is a folder, not a case file: give the path of a regular .json file"]


def test_a_missing_file_is_refused_as_unreadable(tmp_path):
    [error] = refused_file(tmp_path / "missing.json")
    assert error.path == ("file",) and error.message.startswith("cannot be read: ")


# ---- the size limit ----------------------------------------------------------------------------------------------


def padded(text: str, size: int) -> bytes:
    """``text`` with JSON whitespace after it, ``size`` bytes in all."""
    body = text.encode("utf-8")
    return body + b" " * (size - len(body))


def test_a_file_of_the_largest_size_loads(tmp_path):
    case = make_case()
    path = tmp_path / "case.json"
    path.write_bytes(padded(dump_case(case), MAX_CASE_FILE_BYTES))

    assert read_case(path) == case


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "case.json"
    path.write_bytes(padded(dump_case(make_case()), MAX_CASE_FILE_BYTES + 1))
    monkeypatch.setattr(casefile, "parse_case", lambda text: pytest.fail("a file over the limit was parsed"))

    [error] = refused_file(path)

    assert error.path == ("file",) and error.message == "is larger than 20 MiB, more than any case file holds"


def test_a_sparse_file_far_over_the_limit_is_refused(tmp_path):
    path = tmp_path / "case.json"
    with path.open("wb") as file:
        file.truncate(50 * MAX_CASE_FILE_BYTES)  # a gigabyte of nothing: never read

    [error] = refused_file(path)

    assert "larger than 20 MiB" in error.message


def test_text_over_the_limit_is_refused_by_parse_case():
    [error] = refused(padded(dump_case(make_case()), MAX_CASE_FILE_BYTES + 1).decode("utf-8"))
    assert error.path == ("file",) and "larger than 20 MiB" in error.message


def test_text_is_measured_in_utf8_bytes_not_characters():
    text = '"' + "é" * (MAX_CASE_FILE_BYTES // 2) + '"'  # fewer characters than the limit, more bytes

    [error] = refused(text)

    assert "larger than 20 MiB" in error.message


def test_the_limit_leaves_wide_room_for_a_case_with_500_prior_procedures(tmp_path):
    case = make_case()
    priors = [
        case.procedure.model_copy(
            update={"uid": str(uuid.uuid4()), "performed_at": case.procedure.performed_at - timedelta(days=i + 1)}
        )
        for i in range(500)
    ]
    big = case.model_copy(update={"prior_procedures": priors})
    path = tmp_path / "case.json"
    write_case(big, path)

    assert path.stat().st_size * 5 < MAX_CASE_FILE_BYTES
    assert read_case(path) == big


# ---- what FacetDesk writes still loads -----------------------------------------------------------------------------


def test_the_sample_case_in_docs_loads():
    case = read_case(SAMPLE)

    assert case.patient.mrn == "DEMO-0042"
    assert parse_case(dump_case(case)) == case


def test_a_case_written_by_facetdesk_loads(tmp_path):
    case = make_case()
    prior = case.procedure.model_copy(
        update={"uid": str(uuid.uuid4()), "performed_at": case.procedure.performed_at - timedelta(days=30)}
    )
    case = case.model_copy(update={"prior_procedures": [prior]})
    path = tmp_path / "case.json"
    write_case(case, path)

    assert read_case(path) == case


# ---- the command line: exit status 2, naming the field or the reason ---------------------------------------------


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "clinic" / "facetdesk.sqlite3"


def test_cli_import_case_exports_a_case_that_reads_back(tmp_path, db):
    imported = run("import-case", str(SAMPLE), db=db)
    assert imported.returncode == 0, imported.stderr
    procedure_id = re.search(r"procedure id (\d+)", imported.stdout).group(1)
    out = tmp_path / "exported.json"

    exported = run("export-case", procedure_id, "-o", str(out), db=db)

    assert exported.returncode == 0, exported.stderr
    assert read_case(out).procedure.uid == read_case(SAMPLE).procedure.uid


def test_cli_import_case_refuses_a_repeated_key_and_wrong_types(tmp_path, db):
    raw = case_with(_set("procedure", "medications", 0, "volume_ml", "2.5"))
    repeated = tmp_path / "repeated.json"
    repeated.write_text(with_repeated_key(raw, ("procedure", "pain_scores", 1), "nrs", 9), "utf-8")
    typed = tmp_path / "typed.json"
    typed.write_text(json.dumps(raw), "utf-8")

    first = run("import-case", str(repeated), db=db)
    second = run("import-case", str(typed), db=db)

    assert first.returncode == 2, first.stderr
    assert "Procedure › Pain scores › row 2: key 'nrs' appears twice" in first.stderr
    assert second.returncode == 2, second.stderr
    assert "Procedure › Medications › row 1 › Volume (mL): must be a number" in second.stderr
    for proc in (first, second):
        assert "invalid case file" in proc.stderr and "Traceback" not in proc.stderr
    assert "imported:" not in first.stdout + second.stdout


@needs_fifo
def test_cli_import_case_refuses_a_fifo_without_hanging(tmp_path, db):
    fifo = tmp_path / "case.json"
    os.mkfifo(fifo)

    proc = run("import-case", str(fifo), db=db)  # run() fails the test after its timeout

    assert proc.returncode == 2, proc.stderr
    assert "file: is a named pipe (FIFO)" in proc.stderr


@pytest.mark.parametrize("command", ["note", "check", "fhir"])
def test_cli_other_commands_refuse_a_folder_and_an_oversize_file(tmp_path, command):
    folder = tmp_path / "folder.json"
    folder.mkdir()
    big = tmp_path / "big.json"
    with big.open("wb") as file:
        file.truncate(MAX_CASE_FILE_BYTES + 1)
    extra = ["-o", str(tmp_path / "out")] if command in ("note", "fhir") else []

    for path, reason in ((folder, "file: is a folder"), (big, "file: is larger than 20 MiB")):
        proc = run(command, str(path), *extra)
        assert proc.returncode == 2, proc.stderr
        assert reason in proc.stderr and "Traceback" not in proc.stderr


@needs_fifo
def test_cli_note_batch_refuses_a_fifo_and_renders_the_other_files(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(dump_case(make_case()), "utf-8")
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    out = tmp_path / "notes"

    proc = run("note", "--batch", "--jobs", "1", str(good), str(fifo), "-o", str(out))

    assert proc.returncode == 2, proc.stderr
    assert f"{fifo}: invalid case file" in proc.stderr and "file: is a named pipe (FIFO)" in proc.stderr
    assert (out / "good.pdf").exists()
