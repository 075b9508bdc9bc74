"""Two people on one patient, on both stores (two Store objects on one data folder, or two
logins on one ward database): a write based on a version of the patient older than the one
stored is refused, saying who changed the patient and when, and nothing is written; what the
other wrote is there."""

import itertools
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from tacrocalc.domain.course import CourseEvent, EventKind
from tacrocalc.domain.protocol import FormulationId
from tacrocalc.domain.record import (
    BaselineSetting,
    CoMedicationChange,
    Creatinine,
    Trough,
    WeightEntry,
)
from tacrocalc.domain.units import q
from tacrocalc.records.store import StaleRecord
from tests.records.stores import dump, on_postgresql, open_store
from tests.records.test_store import PATIENT, TODAY, add_patient

pytestmark = pytest.mark.usefixtures("each_store")

OTHER = "drjones"
TROUGH = Trough(date=date(2026, 5, 20), time=time(8), value=q(7.5, "ug/L"))
_SAMPLES = itertools.count(1)


def a_trough() -> Trough:
    """A trough not recorded yet: each sample a minute after the last (R12.10 refuses the same
    result added twice)."""
    n = next(_SAMPLES)
    return Trough(date=date(2026, 5, 21), time=time(n // 60 % 24, n % 60), value=q(7.5, "ug/L"))


START = CourseEvent(
    kind=EventKind.START,
    date=date(2026, 5, 1),
    formulation=FormulationId.IR_CAPSULE,
    dose=q(3, "mg"),
    times=(time(8), time(20)),
)


def real_clock() -> datetime:
    """The wall clock: the ward server stamps the audit trail with its own."""
    return datetime.now(UTC)


@pytest.fixture
def folder(tmp_path):
    """A data folder (or its ward database) holding patient H123 with one trough, one weight
    and a course started."""
    with open_store(tmp_path / "data") as store:
        add_patient(store)
        assert store.add_observation("H123", TROUGH, today=TODAY).ok
        assert store.add_weight(
            "H123", WeightEntry(date=date(2026, 5, 1), value=q(60, "kg")), today=TODAY
        ).ok
        assert store.add_event("H123", START, today=TODAY).ok
    return tmp_path / "data"


def workstation(folder, user="dr.test"):
    return open_store(folder, user=user, clock=real_clock)


def stale_sentence(user: str, at: datetime) -> str:
    return (
        f"Not saved: H123 was changed by {user} at {at.astimezone():%H:%M} — reload to see it."
        " What you typed is kept."
    )


def test_a_write_on_a_stale_version_is_refused_naming_who_and_when(folder):
    with workstation(folder) as mine, workstation(folder, OTHER) as theirs:
        mine.load("H123")
        theirs.load("H123")
        before = datetime.now(UTC)
        theirs_trough = Trough(date=date(2026, 5, 27), time=time(8), value=q(9.1, "ug/L"))
        assert theirs.add_observation("H123", theirs_trough, today=TODAY).ok
        after = datetime.now(UTC)
        unchanged = dump(mine)

        mine_trough = Trough(date=date(2026, 5, 28), time=time(8), value=q(6.2, "ug/L"))
        with pytest.raises(StaleRecord) as refused:
            mine.add_observation("H123", mine_trough, today=TODAY)

        # The sentence names the other user and the local time of their change (the minute of
        # the write, read back from the audit trail).
        assert str(refused.value) in {stale_sentence(OTHER, before), stale_sentence(OTHER, after)}
        assert "\n" not in str(refused.value)
        assert refused.value.user == OTHER
        assert dump(mine) == unchanged  # nothing written, not even the version
        # Theirs is there; once reloaded, mine is written too.
        assert mine.load("H123").observations == (TROUGH, theirs_trough)
        assert mine.add_observation("H123", mine_trough, today=TODAY).ok
        assert mine.load("H123").observations == (TROUGH, theirs_trough, mine_trough)


def test_the_sentence_gives_the_local_time_of_the_change(folder):
    """On SQLite the time is the writer's clock (on the server, the server's: above)."""
    if on_postgresql():
        pytest.skip("the server stamps the audit trail with its own clock")
    changed_at = datetime(2026, 6, 1, 14, 32).astimezone()  # 14:32 on this computer
    with (
        open_store(folder, clock=lambda: changed_at) as mine,
        open_store(folder, user=OTHER, clock=lambda: changed_at) as theirs,
    ):
        mine.load("H123")
        assert theirs.add_weight(
            "H123", WeightEntry(date=date(2026, 5, 30), value=q(61, "kg")), today=TODAY
        ).ok
        with pytest.raises(StaleRecord, match="changed by drjones at 14:32 — reload"):
            mine.add_weight(
                "H123", WeightEntry(date=date(2026, 5, 31), value=q(62, "kg")), today=TODAY
            )
    # A change made on another day says which.
    with (
        open_store(folder, clock=lambda: changed_at + timedelta(days=1)) as mine,
        open_store(folder, user=OTHER, clock=lambda: changed_at) as theirs,
    ):
        mine.load("H123")
        assert theirs.add_observation("H123", a_trough(), today=TODAY).ok
        with pytest.raises(StaleRecord, match="changed by drjones at 14:32 on 2026-06-01 — "):
            mine.add_observation("H123", a_trough(), today=TODAY)


def _writes():
    """Every kind of write a store makes to a patient: (name, write(store, events ids))."""
    day = date(2026, 5, 25)
    return [
        (
            "patient",
            lambda s, _: s.save_patient(
                replace(PATIENT, name="Zoë Lee"),
                protocol_id="seed-1997",
                today=TODAY,
            ),
        ),
        (
            "check",
            lambda s, _: s.add_observations(
                "H123",
                (
                    Trough(date=day, time=time(8), value=q(8, "ug/L")),
                    Creatinine(date=day, value=q(80, "umol/L")),
                ),
                today=TODAY,
            ),
        ),
        (
            "correct",
            lambda s, _: s.correct_observation(
                s.observations("H123")[0][0],
                Trough(date=day, value=q(5, "ug/L")),
                today=TODAY,
            ),
        ),
        (
            "delete",
            lambda s, _: s.delete_observation(s.observations("H123")[0][0], reason="wrong tube"),
        ),
        (
            "weight",
            lambda s, _: s.add_weight(
                "H123", WeightEntry(date=day, value=q(59, "kg")), today=TODAY
            ),
        ),
        (
            "event",
            lambda s, _: s.add_event(
                "H123",
                CourseEvent(
                    kind=EventKind.CHANGE,
                    date=day + timedelta(days=len(s.events("H123"))),  # one a day
                    dose=q(3 + len(s.events("H123")), "mg"),
                    reason="trough 4",
                ),
                today=TODAY,
            ),
        ),
        (
            "correct event",
            lambda s, ids: s.correct_event(
                ids[0],
                replace(START, dose=q(2, "mg")),
                today=TODAY,
                reason="typed 3 for 2",
            ),
        ),
        (
            "baseline",
            lambda s, _: s.set_baseline(
                "H123",
                BaselineSetting(date=day, value=q(90, "umol/L"), reason="after transplant"),
                today=TODAY,
            ),
        ),
        (
            "co-medication",
            lambda s, _: s.add_co_medication(
                "H123", CoMedicationChange(date=day, note="fluconazole"), today=TODAY
            ),
        ),
    ]


WRITES = _writes()


@pytest.mark.parametrize(("name", "write"), WRITES, ids=[name for name, _ in WRITES])
def test_every_kind_of_write_raises_the_version_once_and_is_refused_when_stale(folder, name, write):
    with workstation(folder) as mine, workstation(folder, OTHER) as theirs:
        events = [event_id for event_id, _ in mine.events("H123")]
        mine.load("H123")
        version = mine.version("H123")
        # Written by the one who read the latest version: the version goes up by one, however
        # many rows the write holds.
        assert write(mine, events).ok, name
        assert mine.version("H123") == version + 1
        # Their store read nothing: it writes as a command does, and raises the version.
        assert theirs.add_observation("H123", a_trough(), today=TODAY).ok
        assert mine.version("H123") == version + 2
        # Mine is now stale for every kind of write: refused, nothing written.
        unchanged = dump(mine)
        with pytest.raises(StaleRecord, match=f"changed by {OTHER} at "):
            write(mine, events)
        assert dump(mine) == unchanged


def test_a_store_remembers_the_version_of_its_own_writes(folder):
    with workstation(folder) as mine:
        mine.load("H123")
        for day in (21, 22, 23):
            trough = Trough(date=date(2026, 5, day), value=q(7, "ug/L"))
            assert mine.add_observation("H123", trough, today=TODAY).ok
        assert len(mine.load("H123").observations) == 4


def test_a_refused_write_does_not_move_what_the_store_remembers(folder):
    """After a refusal the store still holds the version it read: the next write is refused
    too, until the patient is loaded again."""
    with workstation(folder) as mine, workstation(folder, OTHER) as theirs:
        mine.load("H123")
        theirs.load("H123")
        assert theirs.add_observation("H123", a_trough(), today=TODAY).ok
        for _ in range(2):
            with pytest.raises(StaleRecord):
                mine.add_observation("H123", a_trough(), today=TODAY)
        mine.load("H123")
        assert mine.add_observation("H123", a_trough(), today=TODAY).ok
        # ... and theirs is stale now.
        with pytest.raises(StaleRecord, match=r"changed by dr\.test at "):
            theirs.add_observation("H123", a_trough(), today=TODAY)


def test_a_store_that_never_read_the_patient_writes_as_before(folder):
    """A command (import, a check typed on the command line) states no version."""
    with workstation(folder) as command, workstation(folder, OTHER) as theirs:
        theirs.load("H123")
        assert theirs.add_observation("H123", a_trough(), today=TODAY).ok
        assert command.add_observation("H123", a_trough(), today=TODAY).ok
        assert command.add_observation("H123", a_trough(), today=TODAY).ok
        assert len(command.load("H123").observations) == 4


def test_replacing_a_patient_keeps_the_version_counting_up(folder):
    with workstation(folder) as mine, workstation(folder, OTHER) as theirs:
        record = mine.load("H123")
        version = mine.version("H123")
        assert theirs.import_record(record, replace=True).ok
        assert theirs.version("H123") == version + 1
        with pytest.raises(StaleRecord, match=f"changed by {OTHER} at "):
            mine.add_observation("H123", a_trough(), today=TODAY)
        # A store that read the replaced version replaces it, and counts on.
        mine.load("H123")
        assert mine.import_record(record, replace=True).ok
        assert mine.version("H123") == version + 2
        assert mine.add_observation("H123", a_trough(), today=TODAY).ok


def test_a_new_patient_and_an_unknown_one(tmp_path):
    with workstation(tmp_path / "data") as store:
        assert store.load("H123") is None
        assert store.version("H123") is None
        add_patient(store)  # the store read no version of it: created as before
        assert store.version("H123") == 2
        assert store.load("H123") is not None
        add_patient(store)
        assert store.version("H123") == 3


def test_a_listener_only_on_the_ward_server(folder):
    with workstation(folder) as store:
        listener = store.listen()
        if on_postgresql():
            assert listener is not None
            listener.close()
        else:
            assert listener is None


def test_a_stale_refusal_crosses_to_another_process_as_it_was():
    """A StaleRecord raised in a worker process (bench_server's workstations) is read back
    with its sentence and fields, not lost in unpickling."""
    import pickle
    from datetime import UTC, datetime

    from tacrocalc.records.store import StaleRecord

    error = StaleRecord("H1", "drjones", datetime(2026, 1, 2, 14, 32, tzinfo=UTC), TODAY)
    again = pickle.loads(pickle.dumps(error))
    assert (str(again), again.user, again.at) == (str(error), error.user, error.at)
