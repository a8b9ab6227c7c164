"""PostgreSQL as the shared server of several workstations: opening it, concurrent saves, a lost server.

These tests run on PostgreSQL only (FACETDESK_TEST_PG_URL, see tests/pg.py); the one about an unreachable
server needs no server at all. Two Database objects opened on one database stand for two workstations:
separate engines, pools and connections, as on two machines.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from facetdesk.domain.procedure import Procedure
from facetdesk.storage import db as db_module
from facetdesk.storage.db import Database, open_database
from facetdesk.storage.errors import DatabaseError, DatabaseUnavailable, RecordLocked, StaleRecord
from facetdesk.storage.migrate import alembic_config
from facetdesk.storage.repository import get_patient, get_procedure, save_patient, save_procedure, sign_procedure
from facetdesk.storage.tables import PatientRow
from tests.pg import PgServer

pytestmark = pytest.mark.postgresql

WAIT_S = 30
SIGNED_AT = datetime(2024, 3, 5, 11, 0)


def _database_name(url: str) -> str:
    return make_url(url).database or ""


@pytest.fixture
def workstations(database_url: str) -> Iterator[tuple[Database, Database]]:
    """Two workstations on one PostgreSQL database."""
    a, b = open_database(database_url), open_database(database_url)
    yield a, b
    a.close()
    b.close()


@pytest.fixture
def stored(workstations, make_patient, make_procedure) -> tuple[int, Procedure]:
    a, _ = workstations
    with a.transaction() as s:
        patient = save_patient(s, make_patient())
        return patient.id, save_procedure(s, patient.id, make_procedure())


def _load(database: Database, procedure_id: int) -> Procedure:
    with database.read() as s:
        return get_procedure(s, procedure_id)[1]


# ---- opening ------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_unreachable_server_is_a_clear_error_without_the_password():
    # Nothing listens on this port: the same answer as a server that is down.
    url = f"postgresql+psycopg://clinic:s3cret-not-shown@127.0.0.1:{_free_port()}/facetdesk"
    with pytest.raises(DatabaseError) as info:
        open_database(url)
    message = str(info.value)
    assert message.startswith(f"The database server on 127.0.0.1:{make_url(url).port} is not reachable (")
    assert "Check that the server is running" in message
    assert "s3cret-not-shown" not in message


def test_wrong_password_is_a_clear_error_without_the_password(pg_server: PgServer, database_url):
    url = make_url(database_url).set(password="s3cret-not-shown").render_as_string(hide_password=False)
    with pytest.raises(DatabaseError) as info:
        open_database(url)
    message = str(info.value)
    assert "did not accept the user name or password" in message
    assert "s3cret-not-shown" not in message


def test_missing_database_is_a_clear_error(pg_server: PgServer):
    url = pg_server.url_for(f"{pg_server.prefix}_never_created")
    with pytest.raises(DatabaseError, match=r"The database \S+_never_created on \S+ does not exist"):
        open_database(url)


def test_plain_postgresql_url_uses_the_shipped_driver(pg_server: PgServer, database_url):
    # "postgresql://" alone would mean psycopg2 to SQLAlchemy, which FacetDesk does not install.
    plain = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with open_database(plain) as database:
        assert database.engine.dialect.driver == "psycopg"
        assert database.url == plain


def test_empty_database_is_set_up_and_a_foreign_one_refused(pg_server: PgServer, make_database_url):
    empty = make_database_url(migrated=False)
    with open_database(empty) as database, database.read() as s:
        assert s.scalar(sa.text("select count(*) from presets")) == 2  # migrated to head, seeded
    foreign = make_database_url(migrated=False)
    with sa.create_engine(foreign).begin() as conn:
        conn.exec_driver_sql("create table invoices (id serial primary key, total numeric)")
    with pytest.raises(DatabaseError, match="not a FacetDesk database"):
        open_database(foreign)
    with sa.create_engine(foreign).connect() as conn:
        assert set(sa.inspect(conn).get_table_names()) == {"invoices"}


def test_database_from_newer_version_is_refused(database_url):
    with open_database(database_url) as database, database.engine.begin() as conn:
        conn.exec_driver_sql("update alembic_version set version_num = '9999'")
    with pytest.raises(DatabaseError, match="newer version of FacetDesk"):
        open_database(database_url)


def test_every_migration_runs_down_and_up_again(make_database_url):
    from alembic import command

    url = make_database_url(migrated=False)
    config = alembic_config(url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    with sa.create_engine(url).connect() as conn:
        assert sa.inspect(conn).get_table_names() == ["alembic_version"]
    command.upgrade(config, "head")
    with open_database(url) as database, database.read() as s:
        assert s.scalar(sa.text("select count(*) from presets")) == 2


_AT = datetime(2024, 3, 5, 9, 0)
# A patient and a procedure as FacetDesk wrote them at revision 0001.
_PATIENT_0001 = {
    "mrn": "TEST-00001",
    "family_name": "Testperson",
    "given_name": "Alex",
    "mrn_key": "tst-00001",
    "family_key": "testperson",
    "given_key": "alex",
    "date_of_birth": _AT.date().replace(year=1960),
    "sex": "female",
    "created_at": _AT,
    "updated_at": _AT,
}
_PROCEDURE_0001 = {
    "uid": "rev-0001-procedure",
    "version_id": 3,
    "performed_at": _AT,
    "physician": "Dr. Synthetic Example",
    "conservative_care_details": "",
    "pain_scale": "NRS",
    "technique": "intra_articular",
    "intent": "diagnostic_first",
    "guidance": "fluoroscopy",
    "contrast": True,
    "sedation": "none",
    "complication_details": "",
    "follow_up": "",
    "notes": "written at 0001",
    "created_at": _AT,
    "updated_at": _AT,
}


def test_database_from_0001_with_records_upgrades_on_the_server(make_database_url):
    # Later revisions add NOT NULL columns (with server defaults) and tables next to populated ones.
    from alembic import command

    url = make_database_url(migrated=False)
    command.upgrade(alembic_config(url), "0001")
    engine = sa.create_engine(url)
    old = sa.MetaData()
    old.reflect(engine)
    patients, procedures = old.tables["patients"], old.tables["procedures"]
    with engine.begin() as conn:
        patient_id = conn.execute(patients.insert().values(**_PATIENT_0001).returning(patients.c.id)).scalar_one()
        procedure_id = conn.execute(
            procedures.insert().values(patient_id=patient_id, **_PROCEDURE_0001).returning(procedures.c.id)
        ).scalar_one()
        conn.execute(
            old.tables["procedure_targets"].insert(), {"procedure_id": procedure_id, "level": "L4-L5", "side": "left"}
        )
        conn.execute(
            old.tables["pain_scores"].insert(),
            {"procedure_id": procedure_id, "minutes_after": 30, "nrs": 2, "activity": ""},
        )
    engine.dispose()
    with open_database(url) as database:
        loaded = _load(database, procedure_id)
        assert (loaded.uid, loaded.version, loaded.notes) == ("rev-0001-procedure", 3, "written at 0001")
        assert (loaded.needle, loaded.mbb_not_possible_reason, loaded.signature) == ("", "", None)
        assert [str(t) for t in loaded.targets] == ["L4-L5 left"] and loaded.pain_scores[0].nrs == 2
        with database.transaction() as s:
            assert save_procedure(s, patient_id, loaded.model_copy(update={"findings": "Arthropathy."})).version == 4
            sign_procedure(s, procedure_id, "Dr. Synthetic Example", SIGNED_AT)
            newcomer = save_patient(s, get_patient(s, patient_id).model_copy(update={"id": None, "mrn": "TEST-00002"}))
        assert newcomer.id != patient_id  # the id sequence carries on after the rows written at 0001
        assert _load(database, procedure_id).is_signed


# ---- two workstations ----------------------------------------------------------------------------


def test_writers_are_read_committed_and_readers_see_one_snapshot(workstations):
    # The tests below prove the saves safe at this isolation level, PostgreSQL's default; a read is one
    # snapshot (REPEATABLE READ, read only), so what it loads in several statements belongs together.
    a, _ = workstations
    with a.transaction() as s:
        assert s.scalar(sa.text("show transaction_isolation")) == "read committed"
    with a.read() as s:
        assert s.scalar(sa.text("show transaction_isolation")) == "repeatable read"
        assert s.scalar(sa.text("show transaction_read_only")) == "on"


def test_second_workstation_saving_an_old_copy_is_refused(workstations, stored):
    a, b = workstations
    patient_id, saved = stored
    on_a, on_b = _load(a, saved.id), _load(b, saved.id)
    assert on_a.version == on_b.version == saved.version
    with a.transaction() as s:
        first = save_procedure(s, patient_id, on_a.model_copy(update={"notes": "saved on workstation A"}))
    edited_on_b = on_b.model_copy(update={"notes": "saved on workstation B", "targets": on_b.targets[:1]})
    with pytest.raises(StaleRecord), b.transaction() as s:
        save_procedure(s, patient_id, edited_on_b)
    assert _load(a, saved.id) == _load(b, saved.id) == first


class _Outcome:
    """The result of ``work`` run in a thread of its own (a workstation), or the exception it raised."""

    def __init__(self, work: Callable[[], object]):
        self.value: object = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(work,), daemon=True)
        self._thread.start()

    def _run(self, work: Callable[[], object]) -> None:
        try:
            self.value = work()
        except BaseException as exc:  # handed to the test through .error
            self.error = exc

    def join(self) -> _Outcome:
        self._thread.join(WAIT_S)
        assert not self._thread.is_alive(), "a workstation's transaction never finished"
        return self


def _held_open(database: Database, work: Callable[[sa.orm.Session], object]) -> tuple[_Outcome, threading.Event]:
    """Run ``work`` in a transaction that stays open, its row locks held, until the returned event is set."""
    worked, release = threading.Event(), threading.Event()

    def run() -> object:
        try:
            with database.transaction() as s:
                result = work(s)
                worked.set()
                assert release.wait(WAIT_S)
            return result
        finally:
            worked.set()

    outcome = _Outcome(run)
    assert worked.wait(WAIT_S)
    return outcome, release


def _in_transaction(database: Database, work: Callable[[sa.orm.Session], object]) -> Callable[[], object]:
    def run() -> object:
        with database.transaction() as s:
            return work(s)

    return run


def _wait_until_blocked(pg_server: PgServer, database_url: str) -> None:
    """Return once a session on the database waits for a lock (the other workstation's row lock)."""
    deadline = time.monotonic() + WAIT_S
    query = (
        "select count(*) from pg_stat_activity"
        " where datname = :db and backend_type = 'client backend' and wait_event_type = 'Lock'"
    )
    while not pg_server.execute(query, db=_database_name(database_url))[0][0]:
        assert time.monotonic() < deadline, "the second workstation never waited for the first one's lock"
        time.sleep(0.005)


def test_racing_saves_one_wins_and_the_other_is_stale(pg_server, database_url, workstations, stored):
    # Both read version N; B's save starts while A's UPDATE is written but not committed.
    a, b = workstations
    patient_id, saved = stored
    on_a, on_b = _load(a, saved.id), _load(b, saved.id)
    mine = on_a.model_copy(update={"notes": "saved on workstation A"})
    theirs = on_b.model_copy(update={"notes": "saved on workstation B", "targets": on_b.targets[:1]})
    first, release = _held_open(a, lambda s: save_procedure(s, patient_id, mine))
    second = _Outcome(_in_transaction(b, lambda s: save_procedure(s, patient_id, theirs)))
    _wait_until_blocked(pg_server, database_url)
    release.set()
    assert first.join().error is None
    assert isinstance(second.join().error, StaleRecord), second.error
    assert _load(b, saved.id) == first.value == mine.model_copy(update={"version": saved.version + 1})


def _save_together(start: threading.Barrier, station: Database, patient_id: int, edited: Procedure):
    def run() -> object:
        start.wait(WAIT_S)
        with station.transaction() as s:
            return save_procedure(s, patient_id, edited)

    return run


def test_many_workstations_saving_one_version_at_once(database_url, stored):
    # No choreography: four workstations save the same version at once, five times over.
    patient_id, saved = stored
    stations = [open_database(database_url) for _ in range(4)]
    try:
        current = saved
        for round_ in range(5):
            start = threading.Barrier(len(stations))
            racing = [
                _Outcome(
                    _save_together(
                        start,
                        station,
                        patient_id,
                        current.model_copy(update={"notes": f"round {round_} station {n}"}),
                    )
                )
                for n, station in enumerate(stations)
            ]
            outcomes = [o.join() for o in racing]
            winners = [o.value for o in outcomes if o.error is None]
            assert len(winners) == 1, [o.error for o in outcomes]
            assert all(isinstance(o.error, StaleRecord) for o in outcomes if o.error is not None)
            current = _load(stations[0], saved.id)
            assert current == winners[0] and current.version == saved.version + round_ + 1
    finally:
        for station in stations:
            station.close()


def test_a_save_racing_a_signature_is_refused_and_the_signature_kept(pg_server, database_url, workstations, stored):
    a, b = workstations
    patient_id, saved = stored
    on_b = _load(b, saved.id)
    signer, release = _held_open(
        a, lambda s: sign_procedure(s, saved.id, "Dr. Synthetic Example", SIGNED_AT, expected_version=saved.version)
    )
    saver = _Outcome(
        _in_transaction(b, lambda s: save_procedure(s, patient_id, on_b.model_copy(update={"notes": "x"})))
    )
    _wait_until_blocked(pg_server, database_url)
    release.set()
    assert signer.join().error is None
    assert isinstance(saver.join().error, RecordLocked), saver.error
    stored_now = _load(a, saved.id)
    assert stored_now.is_signed and stored_now.notes == saved.notes
    assert stored_now.signature.signed_at == SIGNED_AT


def test_a_signature_racing_a_save_is_refused_and_the_save_kept(pg_server, database_url, workstations, stored):
    a, b = workstations
    patient_id, saved = stored
    edited = _load(a, saved.id).model_copy(update={"notes": "edited before signing"})
    saver, release = _held_open(a, lambda s: save_procedure(s, patient_id, edited))
    signer = _Outcome(
        _in_transaction(
            b, lambda s: sign_procedure(s, saved.id, "Dr. Synthetic Example", SIGNED_AT, expected_version=saved.version)
        )
    )
    _wait_until_blocked(pg_server, database_url)
    release.set()
    assert saver.join().error is None
    assert isinstance(signer.join().error, StaleRecord), signer.error
    stored_now = _load(b, saved.id)
    assert not stored_now.is_signed and stored_now == saver.value


def test_racing_saves_of_one_patient_one_wins_and_the_other_is_stale(pg_server, database_url, workstations, stored):
    # Both read version N; B's save waits for A's row lock, then finds the version moved on: refused, not lost.
    a, b = workstations
    patient_id, _ = stored
    with a.read() as s:
        patient = get_patient(s, patient_id)
    mine = patient.model_copy(update={"allergies": ["latex"]})
    first, release = _held_open(a, lambda s: save_patient(s, mine))
    later = patient.model_copy(update={"allergies": ["penicillin", "iodine"], "family_name": "Renamed"})
    second = _Outcome(_in_transaction(b, lambda s: save_patient(s, later)))
    _wait_until_blocked(pg_server, database_url)
    release.set()
    assert first.join().error is None
    assert isinstance(second.join().error, StaleRecord), second.error
    assert "This patient was changed on another workstation" in str(second.error)
    with a.read() as s:
        assert get_patient(s, patient_id) == mine.model_copy(update={"version": patient.version + 1})


def test_racing_saves_of_one_preset_both_succeed_last_one_wins(pg_server, database_url, workstations):
    from facetdesk.storage.presets import list_presets, save_preset

    a, b = workstations
    with a.read() as s:
        preset = list_presets(s)[0]
    shorter = preset.model_copy(update={"medications": preset.medications[:1]})
    first, release = _held_open(a, lambda s: save_preset(s, shorter))
    renamed = preset.model_copy(update={"name": "Renamed on workstation B"})
    second = _Outcome(_in_transaction(b, lambda s: save_preset(s, renamed)))
    _wait_until_blocked(pg_server, database_url)
    release.set()
    assert first.join().error is None
    assert second.join().error is None, second.error
    with a.read() as s:
        assert next(p for p in list_presets(s) if p.id == preset.id) == renamed


# ---- the server goes away -----------------------------------------------------------------------


def _server(database_url: str) -> str:
    url = make_url(database_url)
    return f"{url.host}:{url.port}" if url.port else f"{url.host}"


def _count_patients(database: Database) -> int:
    with database.read() as s:
        return s.scalar(sa.select(sa.func.count()).select_from(PatientRow))


def test_connection_lost_mid_transaction_is_a_clear_error_and_the_next_one_works(
    pg_server, database_url, db, make_patient
):
    with pytest.raises(DatabaseUnavailable) as info, db.transaction() as s:
        save_patient(s, make_patient(1))
        assert pg_server.terminate_backends(_database_name(database_url)) == 1
        save_patient(s, make_patient(2))
    message = str(info.value)
    assert message.startswith(f"The database server on {_server(database_url)} is not reachable (")
    assert message.endswith("Your unsaved work is kept; try again.")
    assert "terminating connection" in info.value.reason
    assert isinstance(info.value.__cause__, sa.exc.DBAPIError)
    # Nothing of the lost transaction was committed, and the next use case reconnects by itself.
    assert _count_patients(db) == 0
    with db.transaction() as s:
        saved = save_patient(s, make_patient(3))
    with db.read() as s:
        assert get_patient(s, saved.id) == saved


def test_connection_dropped_while_idle_is_replaced_without_an_error(pg_server, database_url, db, make_patient):
    assert _count_patients(db) == 0  # a pooled connection now exists
    assert pg_server.terminate_backends(_database_name(database_url)) == 1
    with db.transaction() as s:  # checked before every save: the dead connection is noticed and replaced
        save_patient(s, make_patient(1))
    assert _count_patients(db) == 1


def test_a_read_after_a_pause_gets_a_live_connection(pg_server, database_url, db, make_patient, monkeypatch):
    with db.transaction() as s:
        saved = save_patient(s, make_patient(1))
    assert pg_server.terminate_backends(_database_name(database_url)) == 1
    # As if the connection had sat unused in the pool for IDLE_CHECK_S: a read checks it first.
    monkeypatch.setattr(db_module, "IDLE_CHECK_S", 0.0)
    with db.lookup() as s:
        assert get_patient(s, saved.id) == saved
    assert pg_server.terminate_backends(_database_name(database_url)) == 1
    with db.read() as s:
        assert get_patient(s, saved.id) == saved


def test_a_read_right_after_a_drop_says_try_again_and_the_next_one_reconnects(
    pg_server, database_url, db, make_patient
):
    # A connection used a moment ago is not checked (a round trip per keystroke): one the server dropped
    # in the meantime fails that read as something the user can act on, and is replaced for the next.
    with db.transaction() as s:
        saved = save_patient(s, make_patient(1))
    assert pg_server.terminate_backends(_database_name(database_url)) == 1
    with pytest.raises(DatabaseUnavailable) as info, db.lookup() as s:
        get_patient(s, saved.id)
    assert str(info.value).endswith("Your unsaved work is kept; try again.")
    with db.lookup() as s:
        assert get_patient(s, saved.id) == saved


def test_server_refusing_connections_then_back(pg_server, database_url, db, make_patient):
    with db.transaction() as s:
        saved = save_patient(s, make_patient(1))
    name = _database_name(database_url)
    pg_server.allow_connections(name, False)
    try:
        pg_server.terminate_backends(name)  # as a stopped server: the connections go, new ones are refused
        # The pooled connection, used a moment ago, is not checked before a read: the read fails on it.
        with pytest.raises(DatabaseUnavailable) as info, db.read() as s:
            get_patient(s, saved.id)
        assert str(info.value).endswith("Your unsaved work is kept; try again.")
        # Then every new connection is refused, and the user is told why.
        with pytest.raises(DatabaseUnavailable, match="not currently accepting connections") as info:
            with db.read() as s:
                get_patient(s, saved.id)
        assert str(info.value).endswith("Your unsaved work is kept; try again.")
        with pytest.raises(DatabaseUnavailable, match="not currently accepting connections"), db.transaction() as s:
            save_patient(s, make_patient(2))
    finally:
        pg_server.allow_connections(name, True)
    with db.transaction() as s:
        save_patient(s, make_patient(3))
    assert _count_patients(db) == 2


# ---- time limits ---------------------------------------------------------------------------------


def _with_query(database_url: str, **query: str) -> str:
    return make_url(database_url).update_query_dict(query).render_as_string(hide_password=False)


def test_the_servers_time_limits_are_set_on_every_connection_and_a_clinic_can_change_them(database_url):
    with open_database(database_url) as default, default.read() as s:
        assert s.scalar(sa.text("show statement_timeout")) == "30s"
        assert s.scalar(sa.text("show lock_timeout")) == "5s"
        assert s.scalar(sa.text("show idle_in_transaction_session_timeout")) == "15s"
    url = _with_query(database_url, statement_timeout="60", lock_timeout="2.5", idle_in_transaction_session_timeout="9")
    with open_database(url) as clinic, clinic.transaction() as s:
        assert s.scalar(sa.text("show statement_timeout")) == "1min"
        assert s.scalar(sa.text("show lock_timeout")) == "2500ms"
        assert s.scalar(sa.text("show idle_in_transaction_session_timeout")) == "9s"


@pytest.mark.parametrize("value", ["0", "soon", "-3", "100000"])
def test_a_time_limit_that_is_not_a_number_of_seconds_is_refused_by_name(database_url, value):
    with pytest.raises(
        DatabaseError, match=f"lock_timeout in the database address must be a number of seconds.*{value}"
    ):
        open_database(_with_query(database_url, lock_timeout=value))


def test_a_statement_past_the_limit_is_a_clear_error_and_nothing_is_saved(database_url, make_patient):
    from facetdesk.storage.errors import ServerTooSlow

    with open_database(_with_query(database_url, statement_timeout="1")) as database:
        with (
            pytest.raises(ServerTooSlow, match="did not finish within 1 s. Nothing was saved"),
            database.transaction() as s,
        ):
            save_patient(s, make_patient(1))
            s.execute(sa.text("select pg_sleep(3)"))
        assert _count_patients(database) == 0


def test_waiting_past_the_lock_limit_for_a_colleagues_row_is_a_clear_error(
    pg_server, database_url, workstations, stored
):
    from facetdesk.storage.errors import RecordBusy

    a, _ = workstations
    patient_id, saved = stored
    impatient = open_database(_with_query(database_url, lock_timeout="1"))
    try:
        holder, release = _held_open(
            a, lambda s: save_procedure(s, patient_id, saved.model_copy(update={"notes": "A"}))
        )
        with pytest.raises(RecordBusy, match="Another workstation is still saving"), impatient.transaction() as s:
            save_procedure(s, patient_id, saved.model_copy(update={"notes": "B"}))
        release.set()
        assert holder.join().error is None
    finally:
        impatient.close()


def test_a_lookup_runs_outside_a_transaction_and_refuses_to_write(db, make_patient):
    with db.transaction() as s:
        save_patient(s, make_patient(1))
    with db.lookup() as s:
        # Autocommit: no BEGIN, no ROLLBACK; each statement is its own snapshot.
        assert s.scalar(sa.text("SELECT count(*) FROM patients")) == 1
        assert s.connection().connection.dbapi_connection.autocommit
    for write in (sa.text("DELETE FROM patients"), sa.select(PatientRow.id).with_for_update()):
        with pytest.raises(RuntimeError, match="read-only"), db.lookup() as s:
            s.execute(write)
    with pytest.raises(RuntimeError, match="read-only"), db.lookup() as s:
        s.add(PatientRow(mrn="X"))
        s.flush()
    assert _count_patients(db) == 1
