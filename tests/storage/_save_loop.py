"""Crash-test child: saves patient+procedure pairs forever, printing "n patient_id procedure_id" after each commit."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def _test_data():
    # conftest.py is not importable by name from a subprocess; load it by path under a private name.
    spec = importlib.util.spec_from_file_location("_storage_test_data", Path(__file__).with_name("conftest.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(url: str, limit: int) -> None:
    from facetdesk.storage.db import open_database
    from facetdesk.storage.repository import save_patient, save_procedure

    data = _test_data()
    database = open_database(url)
    for n in range(1, limit + 1):
        with database.transaction() as session:
            patient = save_patient(session, data.build_patient(n))
            procedure = save_procedure(session, patient.id, data.build_procedure(n))
        # Printed only after the with-block committed: every line is a promise of a durable record.
        print(n, patient.id, procedure.id, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
