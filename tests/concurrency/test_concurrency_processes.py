"""Several workstations as separate processes on one PostgreSQL database (tests/concurrency/station.py).

Each test prints what it counted (rounds, winners, refusals, verify runs) into the test log, so a CI run
shows the figures docs/concurrency.md quotes. PostgreSQL only (FACETDESK_TEST_PG_URL; CI provides one).
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from facetdesk.services.context import build_context
from facetdesk.services.verify import Verifier
from facetdesk.storage.repository import get_procedure
from tests import signers
from tests.actors import ADMIN_PHYSICIAN
from tests.builders.records import rich_patient, rich_procedure

pytestmark = pytest.mark.postgresql

ROOT = Path(__file__).resolve().parents[2]
WAIT_S = 120  # a bound on a hung process, not a timing under test


class Station:
    """One workstation process; ``ask`` sends a command and waits for its answer."""

    def __init__(self, url: str):
        self._stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.concurrency.station", url],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        assert self.read().get("ready"), "the station did not start"

    def send(self, op: str, **args: Any) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"op": op, **args}) + "\n")
        self.proc.stdin.flush()

    def read(self, timeout: float = WAIT_S) -> dict[str, Any]:
        assert self.proc.stdout is not None
        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            if not sel.select(timeout):
                raise AssertionError(f"the station did not answer within {timeout} s")
        line = self.proc.stdout.readline()
        if not line:
            self._stderr.seek(0)
            raise AssertionError(f"the station ended: {self._stderr.read().decode(errors='replace')[-2000:]}")
        return json.loads(line)

    def ask(self, op: str, **args: Any) -> dict[str, Any]:
        self.send(op, **args)
        return self.read()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(WAIT_S)
        self._stderr.close()


@pytest.fixture
def stations(database_url):
    made: list[Station] = []

    def start(url: str | None = None) -> Station:
        made.append(Station(url or database_url))
        return made[-1]

    yield start
    for station in made:
        station.close()


@pytest.fixture
def ctx(database_url):
    context = build_context(database_url, actor=ADMIN_PHYSICIAN)
    signers.enrol(context)
    yield context
    context.close()


@pytest.fixture
def patient(ctx):
    return ctx.records.save_patient(rich_patient(1).model_dump(exclude={"id", "version"}))


def _new_procedure(ctx, patient, n: int):
    return ctx.records.save_procedure(patient.id, rich_procedure(n).model_dump(exclude={"id", "uid", "version"}))


def report(capsys, text: str) -> None:
    with capsys.disabled():
        print(f"\n[multi-process] {text}")


def _all_at_once(stations: list[Station], op: str, args: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Send ``op`` to every station before reading any answer: the saves race."""
    for station, a in zip(stations, args, strict=True):
        station.send(op, **a)
    return [station.read() for station in stations]


# ---- consistent reads --------------------------------------------------------------------------------


def test_a_paused_reader_sees_one_snapshot_while_another_process_saves_signs_and_adds_addenda(
    ctx, patient, stations, capsys
):
    procedure = _new_procedure(ctx, patient, 1)
    colleague = stations()
    with ctx.database.read() as session:
        # The reader's first statement fixes its snapshot; then it pauses while a colleague works.
        _, seen_first = get_procedure(session, procedure.id)
        assert colleague.ask("load_procedure", id=procedure.id)["ok"]
        assert colleague.ask("save_procedure", notes="Changed by the colleague.")["ok"]
        signed = colleague.ask("sign", id=procedure.id, version=procedure.version + 1)
        assert signed["ok"], signed
        assert colleague.ask("addendum", id=procedure.id, text="Colleague's addendum.")["ok"]
        # Every later statement of the paused reader still sees the moment of its first one.
        _, seen_later = get_procedure(session, procedure.id)
        assert seen_later == seen_first and not seen_later.is_signed and seen_later.addenda == []
        report_in_snapshot = Verifier(session).run()
    assert report_in_snapshot.ok, report_in_snapshot.lines()
    _, now = ctx.records.get_procedure(procedure.id)
    assert now.is_signed and len(now.addenda) == 1 and now.notes == "Changed by the colleague."
    report(capsys, "paused reader: 1 snapshot across a colleague's save, signature and addendum; verify in it: ok")


def test_verify_while_a_colleague_signs_gives_no_false_alarm(ctx, patient, stations, capsys):
    colleague = stations()
    colleague.send("churn", patient_id=patient.id, seconds=20)
    runs, alarms = 0, []
    deadline = time.monotonic() + 60
    while runs < 100 and time.monotonic() < deadline:
        result = ctx.audit.verify()
        runs += 1
        if not result.ok:
            alarms.append(result.lines())
        assert result.snapshot.startswith("one snapshot of the PostgreSQL database (repeatable read)")
    churned = colleague.read()
    assert churned["ok"], churned
    assert alarms == []
    report(capsys, f"verify: {runs} runs while a colleague signed {churned['signed']} procedures with addenda; "
           f"{len(alarms)} false alarms")  # fmt: skip
    assert ctx.audit.verify().ok


# ---- no silent overwrite -------------------------------------------------------------------------------


def _race(group: list[Station], load: tuple[str, dict], save: str, args: list[dict], refused: str) -> int:
    """One round: every station loads the same version, then all save at once. Returns the winner's index;
    every other station must have been told ``refused`` (a StaleRecord), never silently overwritten."""
    for s in group:
        assert s.ask(load[0], **load[1])["ok"]
    answers = _all_at_once(group, save, args)
    winners = [i for i, a in enumerate(answers) if a["ok"]]
    assert len(winners) == 1, answers
    for a in answers:
        if not a["ok"]:
            assert a["error"] == "StaleRecord" and refused in a["message"], a
    return winners[0]


def test_simultaneous_saves_of_one_procedure_have_one_winner_and_clear_refusals(ctx, patient, stations, capsys):
    procedure = _new_procedure(ctx, patient, 2)
    group = [stations() for _ in range(4)]
    rounds = 15
    for r in range(rounds):
        notes = [{"notes": f"round {r} by {i}"} for i in range(len(group))]
        winner = _race(group, ("load_procedure", {"id": procedure.id}), "save_procedure", notes, "changed on another")
        assert ctx.records.get_procedure(procedure.id)[1].notes == f"round {r} by {winner}"
    refusals = rounds * (len(group) - 1)
    report(capsys, f"procedure saves: {rounds} rounds x {len(group)} processes, {rounds} winners, {refusals} refusals")


def test_simultaneous_saves_of_one_patient_lose_no_change_silently(ctx, patient, stations, capsys):
    group = [stations() for _ in range(3)]
    rounds, kept = 12, list(ctx.records.get_patient(patient.id).allergies)
    for r in range(rounds):
        allergies = [{"allergy": f"allergen {r}-{i}"} for i in range(len(group))]
        winner = _race(
            group, ("load_patient", {"id": patient.id}), "save_patient", allergies, "This patient was changed"
        )
        kept.append(f"allergen {r}-{winner}")
        assert ctx.records.get_patient(patient.id).allergies == kept
    report(capsys, f"patient saves: {rounds} rounds x {len(group)} processes, every refused change told, none lost")


def test_signing_racing_an_edit_never_lets_both_through(ctx, patient, stations, capsys):
    signer, editor = stations(), stations()
    rounds, signed_wins, edit_wins = 10, 0, 0
    for r in range(rounds):
        procedure = _new_procedure(ctx, patient, 100 + r)
        for s in (signer, editor):
            assert s.ask("load_procedure", id=procedure.id)["ok"]
        signer.send("sign", id=procedure.id, version=procedure.version)
        time.sleep((r % 5) * 0.2)  # the edit starts 0 to 0.8 s later: the race falls either way
        editor.send("save_procedure", notes="edited while being signed")
        sign, edit = signer.read(), editor.read()
        assert sign["ok"] != edit["ok"], (sign, edit)
        _, stored = ctx.records.get_procedure(procedure.id)
        if sign["ok"]:
            signed_wins += 1
            assert stored.is_signed and stored.notes != "edited while being signed"
            assert edit["error"] in ("StaleRecord", "RecordLocked"), edit
        else:
            edit_wins += 1
            assert not stored.is_signed and stored.notes == "edited while being signed"
            assert sign["error"] == "StaleRecord", sign
    report(capsys, f"sign vs edit: {rounds} rounds, signature first {signed_wins}, edit first {edit_wins}, both 0")


def test_a_nurses_scores_racing_a_physicians_edit_say_changed_not_forbidden(ctx, patient, stations):
    procedure = _new_procedure(ctx, patient, 3)
    nurse, physician = stations(), stations()
    assert nurse.ask("sign_in", role="NURSE")["ok"]
    for s in (nurse, physician):
        assert s.ask("load_procedure", id=procedure.id)["ok"]
    assert physician.ask("save_procedure", notes="Physician's edit.")["ok"]
    answer = nurse.ask("save_procedure", nrs=2)
    assert answer["error"] == "StaleRecord" and "changed on another workstation" in answer["message"], answer


# ---- a server gone, a server frozen, a workstation frozen ---------------------------------------------


class Proxy:
    """tests/concurrency/proxy.py in a process of its own, in front of the test server."""

    def __init__(self, host: str, port: int, listen_port: int = 0):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.concurrency.proxy", host, str(port), str(listen_port)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline())

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)
            self.proc.kill()
        self.proc.wait(WAIT_S)


def _through(database_url: str, proxy: Proxy, **query: str) -> str:
    url = make_url(database_url)
    return url.set(host="127.0.0.1", port=proxy.port).update_query_dict(query).render_as_string(hide_password=False)


@pytest.fixture
def proxies(database_url):
    made: list[Proxy] = []

    def start(listen_port: int = 0) -> Proxy:
        url = make_url(database_url)
        made.append(Proxy(url.host or "127.0.0.1", url.port or 5432, listen_port))
        return made[-1]

    yield start
    for proxy in made:
        proxy.stop()


def test_a_server_gone_mid_session_is_a_clear_error_and_the_retry_saves(ctx, patient, stations, proxies, capsys):
    proxy = proxies()
    station = stations(_through(ctx.database.url, proxy, connect_timeout="3"))
    assert station.ask("load_patient", id=patient.id)["ok"]
    proxy.stop()  # the server went away
    gone = station.ask("save_patient", allergy="while the server was gone")
    assert gone["error"] == "DatabaseUnavailable" and "is not reachable" in gone["message"], gone
    assert "Your unsaved work is kept; try again." in gone["message"]
    proxies(proxy.port)  # back, at the same address
    again = station.ask("save_patient", allergy="after the server came back")
    assert again["ok"], again
    assert "after the server came back" in ctx.records.get_patient(patient.id).allergies
    assert "while the server was gone" not in ctx.records.get_patient(patient.id).allergies
    report(capsys, f"server gone: clear refusal after {gone['seconds']} s, retry saved")


def test_a_frozen_server_gives_a_clear_error_within_the_configured_limit(ctx, patient, stations, proxies, capsys):
    proxy = proxies()
    station = stations(_through(ctx.database.url, proxy, statement_timeout="2", connect_timeout="3"))
    assert station.ask("load_patient", id=patient.id)["ok"]
    os.kill(proxy.proc.pid, signal.SIGSTOP)  # the server stops answering on open connections
    try:
        frozen = station.ask("save_patient", allergy="while the server was frozen")
    finally:
        os.kill(proxy.proc.pid, signal.SIGCONT)
    assert frozen["error"] == "DatabaseUnavailable", frozen
    assert "Your unsaved work is kept; try again." in frozen["message"]
    # The limit: statement 2 s + the watchdog's 5 s grace, then a new connection's 3 s connect timeout.
    assert frozen["seconds"] < 30, frozen
    assert "while the server was frozen" not in ctx.records.get_patient(patient.id).allergies
    limits = "statement 2 s + 5 s grace, connect 3 s"
    report(capsys, f"frozen server: clear refusal after {frozen['seconds']} s (limits: {limits})")


def test_a_workstation_frozen_before_commit_never_blocks_colleagues_for_long(ctx, patient, stations, capsys):
    limits = {"lock_timeout": "2", "idle_in_transaction_session_timeout": "4"}
    url = make_url(ctx.database.url).update_query_dict(limits).render_as_string(hide_password=False)
    frozen, colleague = stations(url), stations(url)
    other = ctx.records.save_patient(rich_patient(2).model_dump(exclude={"id", "version"}))
    frozen.send("freeze_in_transaction", id=patient.id)
    assert frozen.read().get("frozen")  # it holds the audit trail's lock and the patient's row, and stopped
    try:
        assert colleague.ask("load_patient", id=other.id)["ok"]
        first = colleague.ask("save_patient", allergy="saved beside a frozen workstation")
        if not first["ok"]:
            assert first["error"] == "RecordBusy" and "Another workstation is still saving" in first["message"], first
            assert first["seconds"] < 30, first
            time.sleep(5)  # the server ends the frozen session after 4 s idle in its transaction
            assert colleague.ask("load_patient", id=other.id)["ok"]
            retry = colleague.ask("save_patient", allergy="saved beside a frozen workstation")
            assert retry["ok"], retry
    finally:
        os.kill(frozen.proc.pid, signal.SIGCONT)
    assert "saved beside a frozen workstation" in ctx.records.get_patient(other.id).allergies
    assert "frozen" not in ctx.records.get_patient(patient.id).allergies  # its transaction never committed
    assert ctx.audit.verify().ok
    outcome = "refused as busy, then saved" if not first["ok"] else "saved"
    report(capsys, f"frozen workstation: colleague {outcome}; first answer after {first['seconds']} s (lock limit 2 s)")


def test_the_settings_page_saved_on_two_workstations_refuses_the_second_naming_what_changed(ctx, stations):
    ctx.settings.save({"clinic_name": "Synthetic Pain Clinic", "phone": "555-0100"})
    front_desk, admin_office = stations(), stations()
    assert front_desk.ask("load_settings")["ok"] and admin_office.ask("load_settings")["ok"]
    first = admin_office.ask("save_settings", ehr_mllp_host="ehr.example.org", ehr_mllp_port=2575)
    assert first["ok"], first
    second = front_desk.ask("save_settings", phone="555-0199")
    assert not second["ok"] and second["error"] == "StaleRecord", second
    assert "EHR interface: mllp host" in second["message"] and "Nothing was saved" in second["message"]
    stored = ctx.settings.load()
    assert (stored.phone, stored.ehr.mllp_host, stored.ehr.mllp_port) == ("555-0100", "ehr.example.org", 2575)


def _someone_waits_for_a_row_lock(ctx) -> bool:
    """Whether a session of this database waits for a lock (polled: the server says when, not a timer)."""
    query = sa.text(
        "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'"
    )
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        with ctx.database.engine.connect() as conn:
            if conn.execute(query).scalar_one():
                return True
        time.sleep(0.05)
    return False


def test_settings_changed_without_a_form_by_two_processes_at_once_lose_neither_change(ctx, stations, capsys):
    ctx.settings.save({"clinic_name": "Synthetic Pain Clinic", "phone": "555-0100"})
    script, colleague = stations(), stations()
    script.send("save_settings_changes", frozen=True, phone="555-0199")
    assert script.read().get("frozen")  # it read the settings under the row's lock and stopped before writing
    try:
        colleague.send("save_settings_changes", ehr_mllp_host="ehr.example.org", ehr_mllp_port=2575)
        assert _someone_waits_for_a_row_lock(ctx), "the colleague's save did not wait for the settings row"
    finally:
        os.kill(script.proc.pid, signal.SIGCONT)
    first, second = script.read(), colleague.read()
    assert first["ok"] and second["ok"], (first, second)
    stored = ctx.settings.load()
    assert (stored.clinic_name, stored.phone) == ("Synthetic Pain Clinic", "555-0199")
    assert (stored.ehr.mllp_host, stored.ehr.mllp_port) == ("ehr.example.org", 2575)
    assert ctx.audit.verify().ok
    report(capsys, f"settings changed by two processes at once: both kept; the second waited {second['seconds']} s")
