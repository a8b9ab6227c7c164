"""Command line, run as a real subprocess: schema, note, import-case, export-case and their failures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from facetdesk.interop.casefile import dump_case, read_case
from tests.builders.cases import make_case
from tests.cli_run import REPO, run


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "clinic" / "facetdesk.sqlite3"


@pytest.fixture
def case_file(tmp_path: Path) -> Path:
    path = tmp_path / "case.json"
    path.write_text(dump_case(make_case()), encoding="utf-8")
    return path


@pytest.fixture
def bad_case_file(tmp_path: Path) -> Path:
    raw = json.loads(dump_case(make_case()))
    raw["procedure"]["pain_scores"][0]["nrs"] = 11
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


def test_schema_prints_json_schema():
    proc = run("schema")

    assert proc.returncode == 0, proc.stderr
    schema = json.loads(proc.stdout)
    assert {"patient", "procedure"} <= set(schema["properties"])


def test_version_and_help():
    version = run("--version")
    assert version.returncode == 0
    assert "FacetDesk" in version.stdout

    helped = run("--help")
    assert helped.returncode == 0
    for command in ("export-case", "import-case", "note", "schema"):
        assert command in helped.stdout


def test_main_py_help_works():
    proc = run("--help", script=(str(REPO / "main.py"),))

    assert proc.returncode == 0, proc.stderr
    assert "usage: facetdesk" in proc.stdout
    assert "import-case" in proc.stdout


def test_note_writes_pdf_with_mrn_and_levels(tmp_path, case_file):
    out = tmp_path / "note.pdf"

    proc = run("note", str(case_file), "-o", str(out))

    assert proc.returncode == 0, proc.stderr
    assert str(out) in proc.stdout
    assert out.read_bytes().startswith(b"%PDF")
    assert not (tmp_path / "note.pdf.part").exists()
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    assert "FD-000123" in text
    assert "L4-L5" in text


def test_note_with_handout_writes_the_patients_sheet_beside_the_note(tmp_path, case_file):
    import stat

    out = tmp_path / "note.pdf"

    proc = run("note", str(case_file), "-o", str(out), "--handout")

    assert proc.returncode == 0, proc.stderr
    handout = tmp_path / "note-handout.pdf"
    assert str(handout) in proc.stdout and stat.S_IMODE(handout.stat().st_mode) == 0o600
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(handout).pages)
    assert "After your procedure" in text and "Your pain diary" in text and "FD-000123" in text
    assert "Keep your pain diary" not in " ".join(page.extract_text() or "" for page in PdfReader(out).pages)


def test_note_a4_page_size(tmp_path, case_file):
    out = tmp_path / "note.pdf"

    proc = run("note", str(case_file), "-o", str(out), "--page-size", "a4")

    assert proc.returncode == 0, proc.stderr
    width, height = (float(v) for v in PdfReader(out).pages[0].mediabox[2:])
    assert round(width) == 595 and round(height) == 842


def test_note_on_invalid_case_exits_2_and_names_the_field(tmp_path, bad_case_file):
    out = tmp_path / "note.pdf"

    proc = run("note", str(bad_case_file), "-o", str(out))

    assert proc.returncode == 2
    assert "invalid case file" in proc.stderr
    assert "NRS" in proc.stderr
    assert "must be at most 10" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_note_on_non_json_file_exits_2(tmp_path):
    path = tmp_path / "case.json"
    path.write_text("this is not json", encoding="utf-8")

    proc = run("note", str(path), "-o", str(tmp_path / "n.pdf"))

    assert proc.returncode == 2
    assert "not valid JSON" in proc.stderr


def test_import_case_prints_new_ids(case_file, db):
    proc = run("import-case", str(case_file), db=db)

    assert proc.returncode == 0, proc.stderr
    assert "patient id 1 (new)" in proc.stdout
    assert "procedure id 2" in proc.stdout  # the prior is stored first
    assert "2 procedure(s) added, 0 already present" in proc.stdout


def test_import_twice_reports_procedures_already_present(case_file, db):
    assert run("import-case", str(case_file), db=db).returncode == 0

    again = run("import-case", str(case_file), db=db)

    assert again.returncode == 0, again.stderr
    assert "(existing)" in again.stdout
    assert "0 procedure(s) added, 2 already present" in again.stdout


def test_import_invalid_case_exits_2_and_creates_no_database(bad_case_file, db):
    proc = run("import-case", str(bad_case_file), db=db)

    assert proc.returncode == 2
    assert "NRS" in proc.stderr
    assert not db.exists()


def test_import_with_conflicting_mrn_exits_2_with_message(tmp_path, case_file, db):
    assert run("import-case", str(case_file), db=db).returncode == 0
    clash = make_case(family="Differentname")
    clash_file = tmp_path / "clash.json"
    clash_file.write_text(dump_case(clash), encoding="utf-8")

    proc = run("import-case", str(clash_file), db=db)

    assert proc.returncode == 2
    assert "family name" in proc.stderr
    assert "nothing was imported" in proc.stderr


def test_import_then_export_round_trips_the_procedure(tmp_path, case_file, db):
    proc = run("--db", str(db), "import-case", str(case_file))
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "out.json"

    exported = run("--db", str(db), "export-case", "2", "-o", str(out))

    assert exported.returncode == 0, exported.stderr
    assert str(out) in exported.stdout
    original = read_case(case_file)
    case = read_case(out)
    assert case.procedure.uid == original.procedure.uid
    assert case.patient.mrn == original.patient.mrn
    assert [p.uid for p in case.prior_procedures] == [p.uid for p in original.prior_procedures]


def test_export_missing_procedure_exits_1_with_message(tmp_path, db):
    out = tmp_path / "out.json"

    proc = run("export-case", "999", "-o", str(out), db=db)

    assert proc.returncode == 1
    assert "procedure 999 does not exist" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_corrupt_database_makes_import_exit_1_and_leaves_file_untouched(tmp_path, case_file):
    db = tmp_path / "corrupt.sqlite3"
    garbage = os.urandom(8192)
    db.write_bytes(garbage)

    proc = run("--db", str(db), "import-case", str(case_file))

    assert proc.returncode == 1
    assert str(db) in proc.stderr
    assert "not a FacetDesk database" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert db.read_bytes() == garbage


def test_foreign_sqlite_database_is_refused_and_left_untouched(tmp_path, case_file):
    import sqlite3

    db = tmp_path / "other-app.sqlite3"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()
    conn.close()
    before = db.read_bytes()

    proc = run("--db", str(db), "import-case", str(case_file))

    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert db.read_bytes() == before


def test_note_to_missing_folder_exits_1_with_message(tmp_path, case_file):
    out = tmp_path / "no-such-folder" / "note.pdf"

    proc = run("note", str(case_file), "-o", str(out))

    assert proc.returncode == 1
    assert "cannot write" in proc.stderr and str(out) in proc.stderr
    assert "Traceback" not in proc.stderr


def test_export_to_missing_folder_exits_1_with_message(tmp_path, case_file, db):
    assert run("import-case", str(case_file), db=db).returncode == 0
    out = tmp_path / "no-such-folder" / "out.json"

    proc = run("export-case", "2", "-o", str(out), db=db)

    assert proc.returncode == 1
    assert "cannot write" in proc.stderr and str(out) in proc.stderr
    assert "Traceback" not in proc.stderr


# ---- check --------------------------------------------------------------------------------


def test_check_prints_findings_as_json(case_file):
    proc = run("check", str(case_file))
    assert proc.returncode == 0, proc.stderr
    findings = json.loads(proc.stdout)
    assert {"rule", "severity", "status", "message", "source"} <= set(findings[0])
    rules = {f["rule"] for f in findings}
    assert {"lcd.imaging", "dose.local_anesthetic", "risk.anticoagulant", "relief.diagnostic_block"} <= rules
    assert all(f["status"] in ("met", "not_met", "not_evaluated", "not_applicable", "advisory") for f in findings)
    block = next(f for f in findings if f["rule"] == "relief.diagnostic_block")
    assert block["verdict"] in ("positive", "negative", "indeterminate", "not evaluated")
    assert all(f["source"] for f in findings)


def test_check_reports_an_acknowledged_finding_with_its_reason(tmp_path):
    raw = json.loads(dump_case(make_case()))
    raw["procedure"]["guidance"] = "ultrasound"
    raw["procedure"]["overrides"] = [
        {"rule": "lcd.imaging", "reason": "C-arm out of service", "acknowledged_by": "Dr. Test",
         "acknowledged_at": "2026-10-01T09:40:00"}
    ]  # fmt: skip
    path = tmp_path / "us.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    findings = {f["rule"]: f for f in json.loads(run("check", str(path)).stdout)}
    imaging = findings["lcd.imaging"]
    assert imaging["status"] == "not_met" and imaging["severity"] == "warning"
    assert imaging["override"]["reason"] == "C-arm out of service"
    text = run("check", str(path), "--text").stdout
    assert "lcd.imaging" in text and "Acknowledged by Dr. Test: C-arm out of service" in text


def test_check_on_invalid_case_exits_2_naming_the_field(bad_case_file):
    proc = run("check", str(bad_case_file))
    assert proc.returncode == 2
    assert "NRS" in proc.stderr and "must be at most 10" in proc.stderr
    assert proc.stdout == ""


def test_changed_threshold_shows_in_check_and_note(case_file, tmp_path):
    """A clinic that lowers the positive-block threshold sees it in the findings and in the printed note."""
    import shutil

    from pypdf import PdfReader

    from facetdesk.resources import resources_dir

    clinic = tmp_path / "clinic-resources"
    shutil.copytree(resources_dir(), clinic)
    thresholds = json.loads((clinic / "thresholds.json").read_text(encoding="utf-8"))
    thresholds["thresholds"]["relief.positive_block_pct"]["value"] = 55
    (clinic / "thresholds.json").write_text(json.dumps(thresholds), encoding="utf-8")
    env_run = lambda *a: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "facetdesk", *a],
        env={**os.environ, "FACETDESK_RESOURCES": str(clinic)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    findings = {f["rule"]: f for f in json.loads(env_run("check", str(case_file)).stdout)}
    assert "threshold 55%" in findings["relief.diagnostic_block"]["message"]
    out = tmp_path / "note.pdf"
    assert env_run("note", str(case_file), "-o", str(out)).returncode == 0
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(out).pages).split())
    assert "threshold 55%" in text


@pytest.mark.parametrize(
    ("argv", "db"), [([], None), (["--db", "clinic.sqlite3"], "clinic.sqlite3")], ids=["no arguments", "--db FILE"]
)
def test_a_plain_start_opens_the_desktop_app_on_the_database_given(monkeypatch, argv, db):
    # Taken before the command parser is built (it costs the first window time), with the same outcome.
    from facetdesk import app, cli

    started = []
    monkeypatch.setattr(app, "run_gui", lambda db_url: started.append(db_url) or 0)
    assert cli.main(argv) == 0
    assert started == [db]


@pytest.mark.parametrize("argv", [["--db"], ["--db", "--version"], ["--db", "a", "b"]])
def test_a_start_the_short_way_does_not_understand_is_refused_by_the_full_parser(monkeypatch, capsys, argv):
    from facetdesk import app, cli

    monkeypatch.setattr(app, "run_gui", lambda db_url: pytest.fail(f"the app started on {db_url!r}"))
    with pytest.raises(SystemExit) as stop:
        cli.main(argv)
    assert stop.value.code == 2
    assert "usage: facetdesk" in capsys.readouterr().err
