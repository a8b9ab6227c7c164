"""Command line over a signed procedure: import-case leaves it as signed, export-case carries the signature."""

from __future__ import annotations

import json
from pathlib import Path

from facetdesk.interop.casefile import dump_case, read_case
from facetdesk.services.context import build_context
from tests import signers
from tests.actors import ADMIN_PHYSICIAN
from tests.builders.cases import make_case
from tests.cli_run import run


def test_import_case_does_not_change_a_signed_procedure(tmp_path: Path):
    db = tmp_path / "clinic" / "facetdesk.sqlite3"
    case_file = tmp_path / "case.json"
    case = make_case()
    case_file.write_text(dump_case(case), encoding="utf-8")
    assert run("--db", str(db), "import-case", str(case_file)).returncode == 0
    ctx = build_context(f"sqlite:///{db}", drafts_dir=tmp_path / "drafts", actor=ADMIN_PHYSICIAN)
    try:
        (summary,) = [s for s in ctx.records.list_procedures(1) if s.uid == case.procedure.uid]
        stored = ctx.records.get_procedure(summary.id)[1]
        signed = signers.sign(ctx, summary.id, stored.version)
    finally:
        ctx.close()
    raw = json.loads(case_file.read_text(encoding="utf-8"))
    raw["procedure"]["notes"] = "Rewritten after signing."
    case_file.write_text(json.dumps(raw), encoding="utf-8")

    again = run("--db", str(db), "import-case", str(case_file))
    out = tmp_path / "out.json"
    exported = run("--db", str(db), "export-case", str(summary.id), "-o", str(out))

    assert again.returncode == 0, again.stderr
    assert exported.returncode == 0, exported.stderr
    assert read_case(out).procedure.model_dump(exclude={"id"}) == signed.model_dump(exclude={"id"})
