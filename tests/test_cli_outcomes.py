"""`facetdesk export-outcomes`, run as a real subprocess: identified and de-identified CSV, its refusals, its help."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest

from facetdesk.cli import OUTCOMES_DESCRIPTION
from facetdesk.interop.casefile import dump_case
from facetdesk.interop.outcomes import DEIDENTIFIED_COLUMNS, IDENTIFIED_COLUMNS
from tests.builders.cases import make_case
from tests.cli_run import run
from tests.pdf_pages import pages_text

CASE = make_case()
PROCEDURES = [*CASE.prior_procedures, CASE.procedure]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    db = tmp_path / "clinic" / "facetdesk.sqlite3"
    case_file = tmp_path / "case.json"
    case_file.write_text(dump_case(CASE), encoding="utf-8")
    imported = run("--db", str(db), "import-case", str(case_file))
    assert imported.returncode == 0, imported.stderr
    return db


def _range() -> tuple[str, str]:
    days = sorted(p.performed_at.date() for p in PROCEDURES)
    return days[0].isoformat(), days[-1].isoformat()


def test_export_outcomes_writes_one_row_per_procedure(db, tmp_path):
    out = tmp_path / "outcomes.csv"
    first, last = _range()

    proc = run("--db", str(db), "export-outcomes", "--from", first, "--to", last, "-o", str(out))

    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"wrote {len(PROCEDURES)} procedure{'s' if len(PROCEDURES) > 1 else ''} to {out}"
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == list(IDENTIFIED_COLUMNS)
    assert {r["procedure_uid"] for r in rows} == {p.uid for p in PROCEDURES}
    assert {r["mrn"] for r in rows} == {CASE.patient.mrn}
    with sqlite3.connect(db) as conn:
        audit = conn.execute("select username, action, entity, detail from audit_log order by id").fetchall()
    username, action, entity, detail = audit[-1]
    assert (action, entity) == ("export", "procedures") and username.startswith("os:")
    assert json.loads(detail)["rows"] == len(PROCEDURES) and json.loads(detail)["deidentified"] is False


def test_export_outcomes_deidentified_holds_no_identifier(db, tmp_path):
    out = tmp_path / "deid.csv"
    first, last = _range()

    proc = run("--db", str(db), "export-outcomes", "--from", first, "--to", last, "-o", str(out), "--deidentify")

    assert proc.returncode == 0, proc.stderr
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(DEIDENTIFIED_COLUMNS)
    patient = CASE.patient
    for secret in (patient.mrn, patient.family_name, patient.given_name, patient.date_of_birth.isoformat()):
        assert secret not in text
    for procedure in PROCEDURES:
        assert procedure.uid not in text and procedure.physician not in text
        assert procedure.performed_at.isoformat(timespec="minutes") not in text


def test_export_outcomes_with_a_bad_range_exits_2_naming_the_field(db, tmp_path):
    out = tmp_path / "x.csv"

    bad_day = run("--db", str(db), "export-outcomes", "--from", "2025-02-30", "--to", "2025-03-01", "-o", str(out))
    backwards = run("--db", str(db), "export-outcomes", "--from", "2025-03-02", "--to", "2025-03-01", "-o", str(out))

    assert bad_day.returncode == backwards.returncode == 2
    assert "From date: 2025-02-30 is not a day of the calendar" in bad_day.stderr
    assert "To date: 2025-03-01 is before the from date 2025-03-02" in backwards.stderr
    assert "nothing was written" in backwards.stderr and "Traceback" not in bad_day.stderr + backwards.stderr
    assert not out.exists()


def test_export_outcomes_to_a_missing_folder_exits_1_with_message(db, tmp_path):
    out = tmp_path / "no-such-folder" / "outcomes.csv"
    first, last = _range()

    proc = run("--db", str(db), "export-outcomes", "--from", first, "--to", last, "-o", str(out))

    assert proc.returncode == 1
    assert "cannot write" in proc.stderr and str(out) in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.parent.exists()


def test_export_outcomes_help_documents_every_column_and_what_deidentify_removes():
    proc = run("export-outcomes", "--help")
    assert proc.returncode == 0
    # The four columns of the second relief threshold are documented as "the same four for relief_positive_block_*".
    for column in IDENTIFIED_COLUMNS + DEIDENTIFIED_COLUMNS:
        assert column in OUTCOMES_DESCRIPTION or column.startswith("relief_positive_block_"), column
    for removed in ("MRN", "family and given name", "date of birth", "physician", "free-text", "90+", "182"):
        assert removed in proc.stdout


def test_export_outcomes_with_charts_writes_the_figures_beside_the_csv(db, tmp_path):
    out, charts = tmp_path / "outcomes.csv", tmp_path / "outcomes-charts.pdf"
    first, last = _range()

    proc = run(
        "--db", str(db), "export-outcomes", "--from", first, "--to", last, "-o", str(out), "--charts", str(charts)
    )

    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == f"wrote the charts to {charts}"
    text = " ".join(pages_text(charts.read_bytes()))
    assert f"n = {len(PROCEDURES)} procedures" in text and CASE.patient.family_name not in text
    with sqlite3.connect(db) as conn:
        details = [json.loads(d) for (d,) in conn.execute("select detail from audit_log where action = 'export'")]
    assert [d["format"] for d in details] == ["outcomes-csv", "outcomes-charts-pdf"]
