"""A workstation in a process of its own, driven by the multi-process tests over stdin/stdout (JSON lines).

Each line in is one command ({"op": ..., ...}); each line out is its answer: {"ok": true, ...} or
{"ok": false, "error": <exception class>, "message": <what the user would read>, "seconds": <how long>}.
Synthetic data only. Run: python -m tests.concurrency.station DATABASE_URL
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from typing import Any


def _cheap_crypto() -> None:
    # As the test suite's autouse fixtures (tests/conftest.py): the same code paths at the cheapest cost.
    import argon2
    from argon2.profiles import CHEAPEST

    from facetdesk.services import accounts
    from facetdesk.trust import keys

    accounts.PasswordHasher = lambda: argon2.PasswordHasher.from_parameters(CHEAPEST)  # type: ignore[assignment]
    keys.DEFAULT_KDF = keys.KdfParams(time_cost=1, memory_kib=8, parallelism=1)


class Station:
    def __init__(self, url: str):
        from facetdesk.services.context import build_context
        from tests.actors import ADMIN_PHYSICIAN

        self.ctx = build_context(url, actor=ADMIN_PHYSICIAN)
        self.patient: Any = None
        self.procedure: Any = None
        self.patient_id: int | None = None
        self.settings: Any = None

    # ---- commands -----------------------------------------------------------------------------------
    def sign_in(self, role: str) -> dict:
        from tests import actors

        self.ctx.work.sign_in(getattr(actors, role))
        return {}

    def load_patient(self, id: int) -> dict:
        self.patient = self.ctx.records.get_patient(id)
        return {"version": self.patient.version}

    def save_patient(self, allergy: str) -> dict:
        edited = self.patient.model_copy(update={"allergies": [*self.patient.allergies, allergy]})
        saved = self.ctx.records.save_patient(edited)
        self.patient = saved
        return {"version": saved.version}

    def load_procedure(self, id: int) -> dict:
        patient, self.procedure = self.ctx.records.get_procedure(id)
        self.patient_id = patient.id
        return {"version": self.procedure.version}

    def save_procedure(self, notes: str | None = None, nrs: int | None = None) -> dict:
        update: dict[str, Any] = {}
        if notes is not None:
            update["notes"] = notes
        if nrs is not None:
            update["pain_scores"] = [{"minutes_after": 30, "nrs": nrs}]
        saved = self.ctx.records.save_procedure(self.patient_id, self.procedure.model_copy(update=update))
        self.procedure = saved
        return {"version": saved.version}

    def sign(self, id: int, version: int) -> dict:
        from tests import signers

        return {"version": signers.sign(self.ctx, id, version).version}

    def addendum(self, id: int, text: str) -> dict:
        from tests import signers

        return {"addenda": len(signers.add_addendum(self.ctx, id, text).addenda)}

    def churn(self, patient_id: int, seconds: float) -> dict:
        """Create, sign and add an addendum to procedures for ``seconds``: a busy colleague."""
        from tests import signers
        from tests.builders.records import rich_procedure

        done, deadline, n = 0, time.monotonic() + seconds, 0
        while time.monotonic() < deadline:
            n += 1
            data = rich_procedure(n).model_dump(exclude={"id", "uid", "version"})
            saved = self.ctx.records.save_procedure(patient_id, data)
            signers.sign(self.ctx, saved.id, saved.version)
            signers.add_addendum(self.ctx, saved.id, f"Synthetic addendum {n}.")
            done += 1
        return {"signed": done}

    def load_settings(self) -> dict:
        self.settings = self.ctx.settings.load()
        return {"phone": self.settings.phone}

    def save_settings(self, **fields: Any) -> dict:
        """Save the settings page as loaded with ``fields`` changed (an EHR field as ehr_<name>)."""
        ehr = {k[len("ehr_") :]: v for k, v in fields.items() if k.startswith("ehr_")}
        plain = {k: v for k, v in fields.items() if not k.startswith("ehr_")}
        edited = self.settings.model_copy(update={**plain, "ehr": self.settings.ehr.model_copy(update=ehr)})
        self.settings = self.ctx.settings.save(edited, based_on=self.settings)
        return {}

    def save_settings_changes(self, frozen: bool = False, **fields: Any) -> dict:
        """Change only ``fields`` (an EHR field as ehr_<name>) with no form loaded, as the command line and the
        self-test save. ``frozen``: stop this process inside the save, after it read the settings under the row's
        lock and before it writes (the test resumes it)."""
        from facetdesk.services import settings as module

        changes: dict[str, Any] = {k: v for k, v in fields.items() if not k.startswith("ehr_")}
        ehr = {k[len("ehr_") :]: v for k, v in fields.items() if k.startswith("ehr_")}
        if ehr:
            changes["ehr"] = ehr
        real = module.save_settings

        def stopping(session: Any, settings: Any) -> Any:
            print(json.dumps({"ok": True, "frozen": True}), flush=True)
            os.kill(os.getpid(), signal.SIGSTOP)
            return real(session, settings)

        module.save_settings = stopping if frozen else real  # type: ignore[assignment]
        try:
            self.ctx.settings.save(changes)
        finally:
            module.save_settings = real  # type: ignore[assignment]
        return {}

    def verify(self) -> dict:
        report = self.ctx.audit.verify()
        return {"verified": report.ok, "lines": report.lines() if not report.ok else [], "snapshot": report.snapshot}

    def freeze_in_transaction(self, id: int) -> dict:
        """Save a patient up to its audit entry, then stop this process before COMMIT (a frozen workstation)."""
        from facetdesk.domain.audit import AuditAction
        from facetdesk.storage import repository as repo

        with self.ctx.database.transaction() as session:
            patient = repo.get_patient(session, id)
            saved = repo.save_patient(session, patient.model_copy(update={"allergies": ["frozen"]}))
            self.ctx.work.log(session, AuditAction.UPDATE, "patient", saved.id, fields=("allergies",), detail={})
            print(json.dumps({"ok": True, "frozen": True}), flush=True)
            os.kill(os.getpid(), signal.SIGSTOP)  # the test resumes or kills it
        return {}


def main(url: str) -> None:
    _cheap_crypto()
    station = Station(url)
    print(json.dumps({"ok": True, "ready": True}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        op = command.pop("op")
        started = time.monotonic()
        try:
            answer = {"ok": True, **getattr(station, op)(**command)}
        except Exception as exc:  # noqa: BLE001 - reported to the test, which decides
            answer = {"ok": False, "error": type(exc).__name__, "message": str(exc)}
        answer["seconds"] = round(time.monotonic() - started, 3)
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
