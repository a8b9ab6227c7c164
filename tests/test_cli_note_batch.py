"""`facetdesk note --batch`, run as a real subprocess: every valid case rendered, each bad one named, any job count."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from facetdesk.interop.casefile import dump_case
from facetdesk.services.batch_notes import case_files
from tests.builders.cases import make_case
from tests.cli_run import REPO, run

MRNS = ("FD-100001", "FD-100002", "FD-100003")


def _text(pdf: Path) -> str:
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages)


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    """Three valid case files (distinct MRNs) and one whose first pain score is out of range."""
    folder = tmp_path / "cases"
    folder.mkdir()
    for n, mrn in enumerate(MRNS, start=1):
        case = make_case()
        case = case.model_copy(update={"patient": case.patient.model_copy(update={"mrn": mrn})})
        (folder / f"case-{n}.json").write_text(dump_case(case), encoding="utf-8")
    raw = json.loads(dump_case(make_case()))
    raw["procedure"]["pain_scores"][0]["nrs"] = 11
    (folder / "bad.json").write_text(json.dumps(raw), encoding="utf-8")
    (folder / "readme.txt").write_text("not a case file", encoding="utf-8")
    return folder


def test_batch_renders_the_valid_files_and_names_the_invalid_one(cases, tmp_path):
    out = tmp_path / "notes"

    proc = run("note", "--batch", str(cases), "-o", str(out), "--jobs", "2")

    assert proc.returncode == 2, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["case-1.pdf", "case-2.pdf", "case-3.pdf"]
    for n, mrn in enumerate(MRNS, start=1):
        text = _text(out / f"case-{n}.pdf")
        assert f"MRN {mrn}" in text and "L4-L5" in text
    assert "bad.json: invalid case file" in proc.stderr
    assert "Procedure › Pain scores › row 1 › NRS: must be at most 10" in proc.stderr
    assert "case-1" not in proc.stderr and "readme" not in proc.stderr
    assert "3 rendered, 1 failed" in proc.stdout and "(2 processes)" in proc.stdout
    assert not list(out.glob("*.part"))


def test_batch_of_files_all_valid_exits_0_and_makes_the_folder(cases, tmp_path):
    out = tmp_path / "new" / "folder"
    files = [str(cases / f"case-{n}.json") for n in (1, 2)]

    proc = run("note", "--batch", *files, "-o", str(out))

    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["case-1.pdf", "case-2.pdf"]
    assert "2 rendered, 0 failed" in proc.stdout
    assert proc.stderr == ""


def test_batch_names_a_missing_file_and_still_renders_the_rest(cases, tmp_path):
    out = tmp_path / "notes"
    missing = tmp_path / "no-such-case.json"

    proc = run("note", "--batch", str(missing), str(cases / "case-1.json"), "-o", str(out), "--jobs", "1")

    assert proc.returncode == 2
    assert f"{missing}: invalid case file" in proc.stderr and "cannot be read" in proc.stderr
    assert (out / "case-1.pdf").exists()
    assert "1 rendered, 1 failed" in proc.stdout and "(1 process)" in proc.stdout


def test_two_files_whose_notes_would_share_a_name_are_refused(cases, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "case-1.json").write_bytes((cases / "case-1.json").read_bytes())
    out = tmp_path / "notes"

    proc = run("note", "--batch", str(cases / "case-1.json"), str(other / "case-1.json"), "-o", str(out))

    assert proc.returncode == 2
    assert "would overwrite the note of" in proc.stderr
    assert [p.name for p in out.iterdir()] == ["case-1.pdf"]


def test_batch_with_no_case_files_exits_2(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()

    proc = run("note", "--batch", str(empty), "-o", str(tmp_path / "notes"))

    assert proc.returncode == 2
    assert "no case files" in proc.stderr
    assert not (tmp_path / "notes").exists()


def test_batch_output_that_is_a_file_exits_1(cases, tmp_path):
    out = tmp_path / "taken"
    out.write_text("a file, not a folder", encoding="utf-8")

    proc = run("note", "--batch", str(cases), "-o", str(out))

    assert proc.returncode == 1
    assert "cannot write" in proc.stderr


@pytest.mark.parametrize("args", [("--jobs", "0"), ("--jobs", "two")])
def test_jobs_must_be_a_positive_number(cases, tmp_path, args):
    proc = run("note", "--batch", str(cases), "-o", str(tmp_path / "notes"), *args)

    assert proc.returncode == 2
    assert "--jobs" in proc.stderr


def test_single_note_still_takes_exactly_one_file(cases, tmp_path):
    two = run("note", str(cases / "case-1.json"), str(cases / "case-2.json"), "-o", str(tmp_path / "n.pdf"))
    assert two.returncode == 2 and "--batch" in two.stderr

    jobs = run("note", str(cases / "case-1.json"), "-o", str(tmp_path / "n.pdf"), "--jobs", "2")
    assert jobs.returncode == 2 and "--batch" in jobs.stderr

    one = run("note", str(cases / "case-1.json"), "-o", str(tmp_path / "n.pdf"))
    assert one.returncode == 0, one.stderr
    assert one.stdout.strip() == f"wrote {tmp_path / 'n.pdf'}"
    assert "MRN FD-100001" in _text(tmp_path / "n.pdf")


def test_one_and_two_jobs_write_the_same_bytes(cases, tmp_path):
    """One generation time for the run: the notes do not depend on how many processes rendered them."""
    code = (
        "import sys\n"
        "from datetime import datetime\n"
        "from facetdesk.services.batch_notes import case_files, render_batch\n"
        "folder, out, jobs = sys.argv[1], sys.argv[2], int(sys.argv[3])\n"
        "report = render_batch(case_files([folder]), out, jobs=jobs, generated_at=datetime(2026, 10, 1, 12, 5))\n"
        "print(report.workers, report.rendered, report.invalid)\n"
    )
    outputs = {}
    for jobs in (1, 2):
        out = tmp_path / f"jobs-{jobs}"
        done = subprocess.run(
            [sys.executable, "-c", code, str(cases), str(out), str(jobs)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        assert done.stdout.split() == [str(jobs), "3", "1"]
        outputs[jobs] = {p.name: p.read_bytes() for p in out.iterdir()}
    assert sorted(outputs[1]) == ["case-1.pdf", "case-2.pdf", "case-3.pdf"]
    assert outputs[1] == outputs[2]


def test_case_files_expands_folders_in_order_and_keeps_each_file_once(cases, tmp_path):
    missing = tmp_path / "missing.json"
    found = case_files([cases / "case-2.json", cases, missing])
    assert [p.name for p in found] == ["case-2.json", "bad.json", "case-1.json", "case-3.json", "missing.json"]
