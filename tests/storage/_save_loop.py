"""Crash-test child: saves patient+procedure pairs forever, printing "n patient_id procedure_id" after each commit."""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script: make the repository importable so the child saves the shared builders' records.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main(url: str, limit: int) -> None:
    from facetdesk.storage.db import open_database
    from facetdesk.storage.repository import save_patient, save_procedure
    from tests.builders.records import rich_patient, rich_procedure

    database = open_database(url)
    for n in range(1, limit + 1):
        with database.transaction() as session:
            patient = save_patient(session, rich_patient(n))
            procedure = save_procedure(session, patient.id, rich_procedure(n))
        # Printed only after the with-block committed: every line is a promise of a durable record.
        print(n, patient.id, procedure.id, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
