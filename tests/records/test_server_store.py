"""The ward server with several workstations, on a real PostgreSQL the test run starts itself
(tests/pg_server.py): the schema, two clients on one patient at the same moment, 8 processes
writing at once, a viewer refused, the audit trail no one can change, changes heard by other
workstations, and the server crashing while clients write."""

import contextlib
import multiprocessing
import select
import threading
import time
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
import sqlalchemy as sa
from psycopg import errors

from tacrocalc.domain.record import Patient, Trough
from tacrocalc.domain.units import q
from tacrocalc.records import server as ward
from tacrocalc.records.protocol_files import load_protocol
from tacrocalc.records.server import ReadOnlyRole, ServerUnavailable
from tacrocalc.records.store import StaleRecord, Store
from tests.records import stores
from tests.records.stores import dump, login, open_store
from tests.records.test_migrations import schema_differences
from tests.records.test_store import TODAY, add_patient

VIEWER = "nurse.view"


def trough(n: int) -> Trough:
    """The n-th trough of a series: each its own minute."""
    at = datetime(2026, 5, 1, 0, 0) + timedelta(minutes=n)
    return Trough(date=at.date(), time=at.time(), value=q(5 + n % 50 / 10, "ug/L"))


@pytest.fixture
def folder(pg_server, tmp_path):
    """A ward database (standing for a data folder) holding patient H123; the stores opened
    on it log in as dr.test, a clinician."""
    with stores.on_server(pg_server):
        with open_store(tmp_path / "data") as store:
            add_patient(store)
        yield tmp_path / "data"


def admin_url(store: Store, server) -> str:
    """The URL of the store's database as its owner (the login that ran `server init`)."""
    database = store.server.split("@/", 1)[1].split("?", 1)[0]
    return server.url(database)


def test_the_ward_database_has_the_schema_of_sql_schema(folder, pg_server):
    with open_store(folder) as store:
        url = admin_url(store, pg_server)
    engine = sa.create_engine("postgresql+psycopg://", creator=lambda: psycopg.connect(url))
    try:
        with engine.connect() as connection:
            assert schema_differences(connection) == []
    finally:
        engine.dispose()


# -- two clients, one patient ---------------------------------------------------------------


def _save_together(together, outcome, name, store, n):
    """One of two workstations pressing Save at the same moment."""
    together.wait()
    try:
        outcome[name] = store.add_observation("H123", trough(n), today=TODAY).ok
    except StaleRecord as refused:
        outcome[name] = refused


def test_two_clients_writing_one_patient_at_the_same_moment(folder):
    """Both read the same version and press Save together: the server lets one through and
    refuses the other, whichever comes second, with who changed the patient; nothing is lost
    (the refused one writes after reloading)."""
    with open_store(folder) as mine, open_store(folder, user="drjones") as theirs:
        for round_ in range(5):
            mine.load("H123")
            theirs.load("H123")
            together = threading.Barrier(2)
            outcome: dict[str, object] = {}
            workers = [
                threading.Thread(
                    target=_save_together, args=(together, outcome, name, store, 2 * round_ + i)
                )
                for i, (name, store) in enumerate((("mine", mine), ("theirs", theirs)))
            ]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join(10)
            saved = [name for name, result in outcome.items() if result is True]
            refused = [result for result in outcome.values() if isinstance(result, StaleRecord)]
            assert len(saved) == 1 and len(refused) == 1, outcome
            winner = "dr.test" if saved == ["mine"] else "drjones"
            assert f"was changed by {winner} at " in str(refused[0])
            # The refused one reloads and saves what was kept on its screen.
            loser = theirs if saved == ["mine"] else mine
            loser.load("H123")
            assert loser.add_observation(
                "H123", trough(2 * round_ + (0 if loser is mine else 1)), today=TODAY
            ).ok
        assert len(mine.load("H123").observations) == 10
        assert mine.version("H123") == 1 + 1 + 10  # created, saved, ten checks


# -- 8 workstations at once -----------------------------------------------------------------

WORKSTATIONS = 8
CHECKS = 20


def _ward_round(url: str, patient_id: str) -> int:
    """One workstation (a process of its own): a new patient and CHECKS troughs, one write
    each; the ids written."""
    with Store(server=url, protocol_for=load_protocol) as store:
        patient = Patient(id=patient_id, name=f"Patient {patient_id}", birth_date=None, sex=None)
        assert store.save_patient(patient, protocol_id="seed-1997", today=TODAY).ok
        store.load(patient_id)  # as the window does: each write states its version
        for n in range(CHECKS):
            assert store.add_observation(patient_id, trough(n), today=TODAY).ok
    return CHECKS


def test_eight_processes_writing_different_patients_at_once(folder):
    url = stores.server_url(folder)
    ids = [f"W{i}" for i in range(WORKSTATIONS)]
    context = multiprocessing.get_context("spawn")
    started = time.monotonic()
    with context.Pool(WORKSTATIONS) as pool:
        written = pool.starmap(_ward_round, [(url, pid) for pid in ids], chunksize=1)
    took = time.monotonic() - started
    assert written == [CHECKS] * WORKSTATIONS
    with open_store(folder) as store:
        for pid in ids:
            record = store.load(pid)
            assert record is not None
            assert record.observations == tuple(trough(n) for n in range(CHECKS)), pid
            assert len(store.history(pid)) == 1 + CHECKS
            assert store.version(pid) == 2 + CHECKS
        assert len(store.list_patients()) == 1 + WORKSTATIONS
    print(f"{WORKSTATIONS} processes x {CHECKS + 1} writes in {took:.1f} s")


# -- who may do what ------------------------------------------------------------------------


def test_a_viewer_is_refused_in_one_line_and_nothing_is_written(folder, pg_server):
    login(pg_server, VIEWER, ward.VIEWER)
    with open_store(folder) as clinician:
        unchanged = dump(clinician)
    url = stores.server_url(folder).replace(f"{stores.USER}@", f"{VIEWER}@")
    with Store(server=url, protocol_for=load_protocol) as viewer:
        assert viewer.load("H123") is not None  # a viewer reads (to print a plan)
        for write in (
            lambda: viewer.add_observation("H123", trough(1), today=TODAY),
            lambda: viewer.save_patient(
                Patient(id="H9", name="New", birth_date=None, sex=None),
                protocol_id="seed-1997",
                today=TODAY,
            ),
        ):
            with pytest.raises(ReadOnlyRole) as refused:
                write()
            assert str(refused.value) == (
                f"Not saved: your login on the ward database {url.split('@/')[1].split('?')[0]}"
                f" on this computer ({pg_server.socket_dir}) as {VIEWER} may read patients but"
                " not change them (ask the ward's administrator for the clinician role)."
            )
        assert viewer.load("H123") is not None  # and goes on reading after the refusal
    with open_store(folder) as clinician:
        assert dump(clinician) == unchanged


AUDIT_CHANGES = (
    "UPDATE audit SET os_user = 'someone else'",
    "DELETE FROM audit",
    "TRUNCATE audit",
)


@pytest.mark.parametrize("statement", AUDIT_CHANGES)
@pytest.mark.parametrize("who", ["clinician", "owner"])
def test_no_one_changes_or_removes_the_audit_trail(folder, pg_server, statement, who):
    """A clinician's role may only add to it (grants); its owner, even a superuser, is stopped
    by the triggers of migration 0005 (and 0006's, which add to it, change nothing there)."""
    with open_store(folder) as store:
        before = dump(store)["audit"]
        url = stores.server_url(folder) if who == "clinician" else admin_url(store, pg_server)
    assert before
    with psycopg.connect(url, autocommit=True) as db, pytest.raises(errors.InsufficientPrivilege):
        db.execute(statement)
    with open_store(folder) as store:
        assert dump(store)["audit"] == before


def test_the_server_stamps_who_and_when_in_the_audit_trail(folder):
    with open_store(folder) as store:
        assert store.add_observation("H123", trough(1), today=TODAY).ok  # clock: 1 June 2026
        last = store.history("H123")[-1]
    assert last.user == "dr.test"
    assert abs(datetime.fromisoformat(last.at) - datetime.now(UTC)) < timedelta(minutes=1)


# -- the database writes the audit trail (migration 0006) ---------------------------------


def trail(store: Store, patient_id: str = "H123") -> list[tuple[object, ...]]:
    return [
        (e.user, e.action, e.entity, e.entity_id, e.before, e.after, e.reason)
        for e in store.history(patient_id)
    ]


PATIENT_AS_STORED = {
    "birth_date": "1990-02-01",
    "id": "H123",
    "name": "Zoë Ångström-Lee",
    "prior_ciclosporin_nephrotoxicity": False,
    "protocol": "seed-1997",
    "sex": "F",
}
WEIGHT_AS_STORED = {"date": "2026-05-01", "value": "99.5 kg"}


@pytest.mark.parametrize(
    ("change", "entry"),
    [
        (
            "INSERT INTO weights (patient_id, date, value, unit)"
            " VALUES ('H123', '2026-05-01', 99.5, 'kg')",
            ("insert", "weight", None, WEIGHT_AS_STORED),
        ),
        (
            "UPDATE patients SET name = 'Someone Else' WHERE id = 'H123'",
            (
                "update",
                "patient",
                PATIENT_AS_STORED,
                {**PATIENT_AS_STORED, "name": "Someone Else"},
            ),
        ),
        (
            "DELETE FROM patients WHERE id = 'H123'",
            ("delete", "patient", PATIENT_AS_STORED, None),
        ),
    ],
    ids=["insert", "update", "delete"],
)
def test_a_change_made_with_sql_by_a_clinician_is_in_the_audit_trail(
    folder, pg_server, change, entry
):
    """Not only TacroCalc's writes: a clinician's login changing a patient's rows with psql
    leaves an entry naming that login, the row before and after as TacroCalc writes them, and
    no reason. The history shows it like any other."""
    login(pg_server, "dr.psql")
    with open_store(folder) as store:
        before = trail(store)
    with psycopg.connect(stores.server_url(folder, "dr.psql")) as db:
        db.execute(change)
    with open_store(folder) as store:
        after = trail(store)
    assert after[: len(before)] == before
    (added,) = after[len(before) :]
    user, action, entity, _, old, new, reason = added
    assert (user, action, entity, old, new, reason) == ("dr.psql", *entry, "")


def test_a_change_deleting_a_patient_with_sql_leaves_an_entry_for_each_row(folder):
    with open_store(folder) as store:
        assert store.add_observation("H123", trough(1), today=TODAY).ok
        known = len(store.history("H123"))
    with psycopg.connect(stores.server_url(folder)) as db:
        db.execute("DELETE FROM patients WHERE id = 'H123'")
    with open_store(folder) as store:
        gone = [(e.action, e.entity) for e in store.history("H123")[known:]]
    assert sorted(gone) == [("delete", "observation"), ("delete", "patient")]


def test_the_version_raised_alone_is_no_entry(folder):
    """A write raises the patient's version with its change: that is no change of theirs."""
    with open_store(folder) as store:
        before, version = trail(store), store.version("H123")
    with psycopg.connect(stores.server_url(folder)) as db:
        db.execute("UPDATE patients SET version = version + 1 WHERE id = 'H123'")
    with open_store(folder) as store:
        assert trail(store) == before
        assert store.version("H123") == version + 1


def test_the_audit_entry_names_the_login_whatever_the_sql_sends(folder, pg_server):
    """Settings name TacroCalc's word and reason; the user and the time are the server's."""
    login(pg_server, "dr.psql")
    with psycopg.connect(stores.server_url(folder, "dr.psql")) as db:
        db.execute("SELECT set_config('tacrocalc.action', 'correct', true)")
        db.execute("SELECT set_config('tacrocalc.reason', 'typo in the name', true)")
        db.execute("SET LOCAL extra_float_digits = 0")
        db.execute(
            "INSERT INTO weights (patient_id, date, value, unit)"
            " VALUES ('H123', '2026-05-01', 0.1::float8 + 0.2::float8, 'kg')"
        )
    with open_store(folder) as store:
        last = store.history("H123")[-1]
    assert (last.user, last.action, last.reason) == ("dr.psql", "correct", "typo in the name")
    assert last.after == {"date": "2026-05-01", "value": f"{0.1 + 0.2!r} kg"}
    assert abs(datetime.fromisoformat(last.at) - datetime.now(UTC)) < timedelta(minutes=1)


def test_a_whole_record_written_without_its_entry_is_rolled_back_at_commit(folder):
    """An import or a replace is one entry for the whole record, which the store writes: the
    rows then make none of their own, so such a transaction that writes no entry for the
    patient is rolled back when it commits."""
    change = "UPDATE patients SET name = 'Someone Else' WHERE id = 'H123'"
    with open_store(folder) as store:
        before = dump(store)
    with psycopg.connect(stores.server_url(folder)) as db:
        db.execute("SELECT set_config('tacrocalc.action', 'import', true)")
        db.execute(change)  # accepted here ...
        with pytest.raises(errors.InsufficientPrivilege, match="without an entry in the audit"):
            db.commit()  # ... and rolled back at commit
        # With its entry, it is committed; the entry is stamped with the server's user.
        db.execute("SELECT set_config('tacrocalc.action', 'import', true)")
        db.execute(change)
        db.execute(
            "INSERT INTO audit (at, os_user, action, entity, entity_id, patient_id)"
            " VALUES ('', 'someone', 'replace', 'patient', 'H123', 'H123')"
        )
        db.commit()
    with open_store(folder) as store:
        after = dump(store)
        assert store.load("H123").patient.name == "Someone Else"
    assert len(after["audit"]) == len(before["audit"]) + 1
    assert after["audit"][-1][2] == "dr.test"  # os_user: the server's, not what was sent


# -- changes heard by other workstations ----------------------------------------------------


def wait_for_change(listener, seconds: float = 1.0) -> tuple[set[str], float]:
    """What the listener hears within `seconds`, and how long it took."""
    started = time.monotonic()
    heard: set[str] = set()
    while not heard and (left := started + seconds - time.monotonic()) > 0:
        readable, _, _ = select.select([listener.fileno()], [], [], left)
        if readable:
            heard = listener.changed()
    return heard, time.monotonic() - started


def test_a_change_on_one_client_is_heard_by_another_within_a_second(folder, pg_server):
    with (
        open_store(folder) as mine,
        open_store(folder, user="drjones") as theirs,
        contextlib.closing(mine.listen()) as listener,
    ):
        assert listener.changed() == set()  # never waits
        mine.load("H123")
        theirs.load("H123")
        add_patient(theirs, Patient(id="H7", name="Other Patient", birth_date=None, sex=None))
        assert wait_for_change(listener)[0] == {"H7"}

        assert theirs.add_observation("H123", trough(1), today=TODAY).ok
        heard, took = wait_for_change(listener)
        assert heard == {"H123"}
        assert took < 1.0
        print(f"heard in {took * 1000:.1f} ms")
        # A write refused (stale) changed nothing, and nothing is heard.
        with pytest.raises(StaleRecord):
            mine.add_observation("H123", trough(2), today=TODAY)
        assert wait_for_change(listener, 0.3)[0] == set()
        # A change made outside TacroCalc is heard too.
        with psycopg.connect(admin_url(mine, pg_server)) as db:
            db.execute("UPDATE patients SET name = 'Renamed' WHERE id = 'H123'")
        assert wait_for_change(listener)[0] == {"H123"}


# -- the server crashes while clients write -------------------------------------------------


@pytest.fixture
def crashing_server(tmp_path):
    """A server of this test's own, syncing what it commits as a ward's server does (the other
    tests' server does not), so that it can be crashed without disturbing them."""
    from tests.pg_server import MISSING, running_server, server_binaries

    binaries = server_binaries()
    if binaries is None:
        pytest.skip(MISSING)
    with running_server(binaries, durable=True) as server, stores.on_server(server):
        yield server


class Writer(threading.Thread):
    """A workstation writing troughs to its patient one after another, as fast as it can,
    keeping the ids of those reported saved and the sentences of those refused. Told its
    record is stale, it reloads, as the window offers to."""

    def __init__(self, url: str, patient_id: str) -> None:
        super().__init__(daemon=True)
        self.url, self.patient_id = url, patient_id
        self.saved: list[int] = []
        self.refused: list[str] = []
        self.stale: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        with Store(server=self.url, protocol_for=load_protocol) as store:
            store.load(self.patient_id)
            n = 0
            while not self.stop.is_set():
                n += 1
                try:
                    written = store.add_observation(self.patient_id, trough(n), today=TODAY)
                except ServerUnavailable as error:
                    self.refused.append(str(error))
                    time.sleep(0.02)
                    continue
                except StaleRecord as error:
                    self.stale.append(str(error))
                    store.load(self.patient_id)
                    continue
                assert written.ok and written.id is not None
                self.saved.append(written.id)


def wait_until(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.01)


def test_the_server_crashing_while_clients_write(crashing_server, tmp_path):
    server = crashing_server
    url = stores.server_url(tmp_path / "ward")
    with Store(server=url, protocol_for=load_protocol) as setup:
        for pid in ("W1", "W2"):
            add_patient(setup, Patient(id=pid, name=f"Patient {pid}", birth_date=None, sex=None))
    with (
        Store(server=url, protocol_for=load_protocol) as reader,
        contextlib.closing(reader.listen()) as listener,
    ):
        writers = [Writer(url, "W1"), Writer(url, "W2")]
        for writer in writers:
            writer.start()
        try:
            wait_until(lambda: all(len(w.saved) >= 20 for w in writers), 30, "writes before")
            server.stop("immediate")  # a crash: what was not committed is gone
            saved_before = [len(w.saved) for w in writers]
            wait_until(lambda: all(len(w.refused) >= 3 for w in writers), 10, "refusals")
            # While it is down: one sentence naming the server, to the writers and to a reader.
            with pytest.raises(ServerUnavailable) as down:
                reader.load("W1")
            assert str(down.value).startswith("The connection to the ward database ward_1 on")
            server.start()
            # The same stores (no restart) write again once it is back.
            wait_until(
                lambda: all(
                    len(w.saved) >= n + 20 for w, n in zip(writers, saved_before, strict=True)
                ),
                30,
                "writes after the restart",
            )
        finally:
            for writer in writers:
                writer.stop.set()
            for writer in writers:
                writer.join(10)
        for writer in writers:
            assert writer.refused
            for sentence in writer.refused:
                assert "\n" not in sentence
                assert "ward database ward_1 on this computer" in sentence
                assert "Traceback" not in sentence
            assert (
                sentence.startswith("Not saved: ")
                or "nothing is saved while it is away" in sentence
                or "reload the patient to see whether the change is there" in sentence
            ), sentence
            # A write the server committed as it fell, before it could say so, was told as "may
            # or may not be saved"; the next write finds the patient changed (by this very user),
            # and is refused until the patient is reloaded.
            unsure = [s for s in writer.refused if "reload the patient to see whether the" in s]
            assert len(writer.stale) <= len(unsure) <= 1
        # Every write reported saved is there, after the crash as before it.
        for writer in writers:
            ids = {obs_id for obs_id, _, _ in reader.observations(writer.patient_id)}
            assert set(writer.saved) <= ids
            assert len(ids) <= len(writer.saved) + 1  # at most one committed as the server fell
        # The listener opened before the crash says it lost its connection; a new one hears.
        with pytest.raises(ServerUnavailable, match="changes made by others are not seen"):
            listener.changed()
        with contextlib.closing(reader.listen()) as again:
            assert reader.add_observation("W1", trough(9999), today=TODAY).ok
            assert wait_for_change(again)[0] == {"W1"}
        print(
            "saved before the crash: "
            + ", ".join(str(n) for n in saved_before)
            + "; refused while down: "
            + ", ".join(str(len(w.refused)) for w in writers)
            + "; stale after a write the crash left unsure: "
            + ", ".join(str(len(w.stale)) for w in writers)
        )
