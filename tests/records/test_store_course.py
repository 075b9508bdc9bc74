"""The treatment course in the store (R15): events added, corrected and deleted with the whole
course checked, each write in the audit trail; creatinine baselines (R6.5); the migration of
schema 2 regimens into events."""

import shutil
import sqlite3
from dataclasses import replace
from datetime import date, time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tacrocalc.domain.course import CourseEvent, EventKind, events_from_regimens
from tacrocalc.domain.issues import IssueCode
from tacrocalc.domain.protocol import FormulationId
from tacrocalc.domain.record import (
    BaselineSetting,
    Creatinine,
    Regimen,
    Trough,
)
from tacrocalc.domain.units import magnitude, q
from tacrocalc.records import patient_file
from tacrocalc.records.protocol_files import load_protocol
from tacrocalc.records.store import DB_NAME, SCHEMA_VERSION
from tests import shown
from tests.records.stores import dump, open_store
from tests.records.test_patient_file import courses
from tests.records.test_store import TODAY, add_patient

DATA = Path(__file__).resolve().parent.parent / "data"
BID = (time(8), time(20))
IR = FormulationId.IR_CAPSULE

pytestmark = pytest.mark.usefixtures("each_store")


@pytest.fixture
def store(tmp_path):
    with open_store(tmp_path / "data") as opened:
        add_patient(opened)
        yield opened


def start(day=date(2026, 1, 5), mg=3.0, **more):
    given = {"formulation": IR, "dose": q(mg, "mg"), "times": BID, **more}
    return CourseEvent(kind=EventKind.START, date=day, **given)


def event(kind, day, **more):
    return CourseEvent(kind=kind, date=day, **more)


def add(store, *events):
    ids = []
    for item in events:
        written = store.add_event("H123", item, today=TODAY)
        assert written.ok, written.issues
        ids.append(written.id)
    return ids


def kinds(store):
    return [(e.kind.value, e.date.isoformat()) for _, e in store.events("H123")]


# -- add_event ------------------------------------------------------------------------------


def test_an_event_is_completed_from_the_course_and_recorded_by_the_os_user(store):
    """R15.1: a change keeps product and times; a resume the dose before the hold."""
    add(
        store,
        start(),
        event(EventKind.CHANGE, date(2026, 2, 2), dose=q(4, "mg"), reason="trough 4.1"),
        event(EventKind.HOLD, date(2026, 3, 2), reason="creatinine +35 %"),
        event(EventKind.RESUME, date(2026, 3, 9), recorded_by="dr.other"),
    )
    (_, first), (_, change), (_, hold), (_, resume) = store.events("H123")
    assert first.recorded_by == "dr.test"  # the OS user the audit trail names
    assert (change.formulation, change.times, change.reason) == (IR, BID, "trough 4.1")
    assert hold.dose is None and hold.formulation is None
    assert (resume.formulation, magnitude(resume.dose, "mg"), resume.times) == (IR, 4, BID)
    assert resume.recorded_by == "dr.other"
    record = store.load("H123")
    assert record.events == tuple(e for _, e in store.events("H123"))
    assert [magnitude(r.dose, "mg") for r in record.regimens] == [3, 4, 4]


def test_an_event_in_the_future_is_refused_naming_the_field_and_the_value(store):
    """R12.8."""
    add(store, start())
    before = dump(store)
    written = store.add_event(
        "H123", event(EventKind.CHANGE, date(2026, 6, 2), dose=q(4, "mg")), today=TODAY
    )
    assert not written.ok and written.id is None
    issue = written.issues[0]
    assert issue.code is IssueCode.DATE_IN_FUTURE
    assert (issue.field, shown(issue.value)) == ("change on 2026-06-02", "2026-06-02")
    assert dump(store) == before


def test_a_resume_without_a_hold_is_refused(store):
    """R15.1: a resume needs a hold before it."""
    add(store, start())
    before = dump(store)
    written = store.add_event("H123", event(EventKind.RESUME, date(2026, 2, 2)), today=TODAY)
    assert [i.code for i in written.issues] == [IssueCode.EVENT_NOT_POSSIBLE]
    assert written.issues[0].value == "resume"
    assert shown(written.issues[0].param("status")) == "on"
    assert dump(store) == before


def test_two_events_on_one_date_need_their_times(store):
    """R12.8: refused without times; accepted with two different times, in time order."""
    add(store, start())
    hold = event(EventKind.HOLD, date(2026, 2, 2), reason="nil by mouth")
    before = dump(store)
    written = store.add_event("H123", replace(hold, date=date(2026, 1, 5)), today=TODAY)
    assert written.issues[0].code is IssueCode.EVENTS_SAME_DAY
    assert written.issues[0].value == date(2026, 1, 5)
    assert dump(store) == before
    add(store, hold)
    same_day = event(EventKind.RESUME, date(2026, 2, 2), time=time(18))
    assert store.add_event("H123", same_day, today=TODAY).issues[0].code is (
        IssueCode.EVENTS_SAME_DAY  # the hold has no time
    )
    (hold_id,) = [i for i, e in store.events("H123") if e.kind is EventKind.HOLD]
    assert store.correct_event(
        hold_id, replace(hold, time=time(9)), today=TODAY, reason="time of the hold known"
    ).ok
    add(store, same_day)
    assert kinds(store)[1:] == [("hold", "2026-02-02"), ("resume", "2026-02-02")]


def test_an_event_dated_before_the_latest_goes_in_date_order_if_the_course_allows(store):
    """R15.3: a change inserted between a start and a later change is fine; a hold inserted
    before a change would leave a change while held, and is refused."""
    add(store, start(), event(EventKind.CHANGE, date(2026, 3, 2), dose=q(5, "mg")))
    add(store, event(EventKind.CHANGE, date(2026, 2, 2), dose=q(4, "mg")))
    assert kinds(store) == [
        ("start", "2026-01-05"),
        ("change", "2026-02-02"),
        ("change", "2026-03-02"),
    ]
    ids = [i for i, _ in store.events("H123")]
    assert ids != sorted(ids)  # course order, not the order written
    before = dump(store)
    written = store.add_event("H123", event(EventKind.HOLD, date(2026, 2, 20)), today=TODAY)
    assert written.issues[0].code is IssueCode.EVENT_NOT_POSSIBLE
    assert written.issues[0].field == "change on 2026-03-02"
    assert dump(store) == before


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        (start(mg=3.3), IssueCode.NOT_DISPENSABLE),  # R3.1
        (start(times=(time(8), time(8))), IssueCode.DOSE_TIMES_NOT_12_HOURS),  # R2.2
        (start(day=date(1989, 1, 1)), IssueCode.DATE_BEFORE_BIRTH),  # R12.8
        (event(EventKind.CHANGE, date(2026, 1, 5), dose=q(3, "mg")), IssueCode.MISSING_VALUE),
        (event(EventKind.RESTART, date(2026, 1, 5)), IssueCode.MISSING_VALUE),
        (replace(start(), formulation=FormulationId.ENVARSUS, times=(time(8),)), None),
    ],
)
def test_a_first_event_that_makes_no_sense_is_refused(store, bad, code):
    before = dump(store)
    written = store.add_event("H123", bad, today=TODAY)
    if code is None:  # Envarsus 3 mg: 0.75 + 0.75 + 1 + ... is made up; accepted
        assert written.ok
        return
    assert code in [i.code for i in written.issues]
    assert dump(store) == before


def test_an_event_for_an_unknown_patient_is_refused(store):
    written = store.add_event("NOPE", start(), today=TODAY)
    assert written.issues[0].code is IssueCode.UNKNOWN_PATIENT


# -- correct_event, delete_event ------------------------------------------------------------


def test_a_correction_is_checked_as_the_whole_course(store):
    first, change = add(store, start(), event(EventKind.CHANGE, date(2026, 2, 2), dose=q(4, "mg")))
    before = dump(store)
    # the change made the same dose as the start: nothing changes (R15.1)
    same = store.correct_event(change, start(day=date(2026, 2, 2)), today=TODAY, reason="typo")
    assert same.issues[0].code is IssueCode.EVENT_NOT_POSSIBLE  # a start while on treatment
    to_three = event(EventKind.CHANGE, date(2026, 2, 2), dose=q(3, "mg"))
    assert store.correct_event(change, to_three, today=TODAY, reason="x").issues[0].code is (
        IssueCode.DOSE_UNCHANGED
    )
    assert store.correct_event(first, start(), today=TODAY, reason=" ").issues[0].code is (
        IssueCode.MISSING_VALUE  # a correction needs its reason (R15.3)
    )
    assert dump(store) == before
    written = store.correct_event(
        change,
        event(EventKind.CHANGE, date(2026, 2, 3), dose=q(4.5, "mg")),
        today=TODAY,
        reason="dose and date as prescribed",
    )
    assert written.ok and written.id == change
    (_, corrected) = store.events("H123")[1]
    assert (corrected.date, magnitude(corrected.dose, "mg")) == (date(2026, 2, 3), 4.5)
    assert corrected.recorded_by == "dr.test"  # who recorded it is kept
    assert corrected.times == BID


def test_deleting_the_only_start_while_results_exist_leaves_no_course(store):
    (only,) = add(store, start())
    store.add_observation("H123", Trough(date=date(2026, 1, 14), value=q(8, "ug/L")), today=TODAY)
    written = store.delete_event(only, today=TODAY, reason="entered for the wrong patient")
    assert written.ok
    assert store.events("H123") == []
    record = store.load("H123")
    assert record.events == () and len(record.observations) == 1


def test_a_delete_that_leaves_a_resume_without_its_hold_is_refused(store):
    _, hold, _ = add(
        store,
        start(),
        event(EventKind.HOLD, date(2026, 2, 2)),
        event(EventKind.RESUME, date(2026, 2, 9)),
    )
    before = dump(store)
    written = store.delete_event(hold, today=TODAY, reason="not held after all")
    assert written.issues[0].code is IssueCode.EVENT_NOT_POSSIBLE
    assert written.issues[0].field == "resume on 2026-02-09"
    assert dump(store) == before


def test_a_deleted_event_cannot_be_corrected_or_deleted_again(store):
    (only,) = add(store, start())
    assert store.delete_event(only, today=TODAY, reason="wrong patient").ok
    for written in (
        store.delete_event(only, today=TODAY, reason="again"),
        store.correct_event(only, start(), today=TODAY, reason="again"),
        store.delete_event(999, today=TODAY, reason="no such"),
    ):
        assert written.issues[0].code is IssueCode.UNKNOWN_OBSERVATION
        assert written.issues[0].field == "event"


def test_every_add_correct_and_delete_is_in_the_history_with_before_and_after(store):
    first, change = add(store, start(), event(EventKind.CHANGE, date(2026, 2, 2), dose=q(4, "mg")))
    fixed = event(EventKind.CHANGE, date(2026, 2, 2), dose=q(4.5, "mg"))
    store.correct_event(change, fixed, today=TODAY, reason="as prescribed")
    store.delete_event(change, today=TODAY, reason="never given")
    entries = [e for e in store.history("H123") if e.entity == "event"]
    started = {
        "date": "2026-01-05",
        "kind": "start",
        "formulation": "ir-capsule",
        "dose": "3 mg",
        "times": ["08:00", "20:00"],
        "recorded_by": "dr.test",
    }
    changed = {**started, "date": "2026-02-02", "kind": "change", "dose": "4 mg"}
    corrected = {**changed, "dose": "4.5 mg"}
    assert [(e.action, e.entity_id, e.before, e.after, e.reason) for e in entries] == [
        ("insert", str(first), None, started, ""),
        ("insert", str(change), None, changed, ""),
        ("correct", str(change), changed, corrected, "as prescribed"),
        ("delete", str(change), corrected, None, "never given"),
    ]
    assert {e.user for e in entries} == {"dr.test"}
    # the deleted event's values stay in the store too
    row = next(r for r in dump(store)["course_events"] if r[0] == change)
    dose, deleted_at = row[6], row[-1]  # id, patient_id, date, time, kind, formulation, dose
    assert dose == 4.5 and deleted_at is not None
    # and what the history holds reads back as the event (the patient file's shape)
    read_back = patient_file.read_patient(
        {
            **patient_file.to_document(store.load("H123")),
            "events": [entries[0].after, entries[3].before],
        },
        protocol_for=load_protocol,
        today=TODAY,
    )
    assert read_back.events[1].kind is EventKind.CHANGE


# -- start_regimen: the window's way in ------------------------------------------------------


def regimen(day, mg, formulation=IR, times=BID):
    return Regimen(start=day, formulation=formulation, dose=q(mg, "mg"), times=times)


def test_start_regimen_records_a_start_a_change_a_resume_and_a_restart(store):
    assert store.start_regimen("H123", regimen(date(2026, 1, 5), 3), today=TODAY).ok
    assert store.start_regimen("H123", regimen(date(2026, 2, 2), 4), today=TODAY).ok
    add(store, event(EventKind.HOLD, date(2026, 3, 2)))
    assert store.start_regimen("H123", regimen(date(2026, 3, 9), 3), today=TODAY).ok
    add(store, event(EventKind.STOP, date(2026, 4, 1), reason="inefficacy"))
    restart = regimen(date(2026, 5, 4), 4, FormulationId.ADVAGRAF, (time(8),))
    assert store.start_regimen("H123", restart).ok  # today from the store's clock
    assert [k for k, _ in kinds(store)] == ["start", "change", "hold", "resume", "stop", "restart"]


def test_start_regimen_refuses_another_product_which_is_a_switch(store):
    """R10.1: a switch is recorded explicitly, with its dose by R10 (add_event with SWITCH)."""
    store.start_regimen("H123", regimen(date(2026, 1, 5), 3), today=TODAY)
    before = dump(store)
    other = regimen(date(2026, 2, 2), 6, FormulationId.ADVAGRAF, (time(8),))
    written = store.start_regimen("H123", other, today=TODAY)
    assert written.issues[0].code is IssueCode.EVENT_NOT_POSSIBLE
    assert shown(written.issues[0].param("status")) == "other_product"
    assert dump(store) == before
    switch = event(
        EventKind.SWITCH,
        date(2026, 2, 2),
        formulation=FormulationId.ADVAGRAF,
        dose=q(6, "mg"),
        ratio=1.0,
    )
    add(store, switch)
    assert store.events("H123")[-1][1].times == (time(8),)  # the protocol's morning (R2.3)


def test_start_regimen_refuses_a_second_regimen_on_the_same_date(store):
    """R12.8: two events on one date need times; the window's regimens have none."""
    store.start_regimen("H123", regimen(date(2026, 1, 5), 3), today=TODAY)
    written = store.start_regimen("H123", regimen(date(2026, 1, 5), 4), today=TODAY)
    assert written.issues[0].code is IssueCode.EVENTS_SAME_DAY


# -- baselines (R6.5) -----------------------------------------------------------------------


def test_a_baseline_is_stored_audited_and_exported(store):
    baseline = BaselineSetting(date=date(2026, 4, 20), value=q(95, "umol/L"), reason="restart")
    written = store.set_baseline("H123", baseline, today=TODAY)
    assert written.ok
    assert store.load("H123").baselines == (baseline,)
    entry = store.history("H123")[-1]
    assert (entry.action, entry.entity, entry.before) == ("insert", "baseline", None)
    assert entry.after == {"date": "2026-04-20", "value": "95 umol/L", "reason": "restart"}
    text = store.export_text("H123")
    assert '"baselines"' in text
    again = patient_file.loads(text, protocol_for=load_protocol, today=TODAY)
    assert again.baselines == (baseline,)


@pytest.mark.parametrize(
    ("baseline", "code", "field"),
    [
        (
            BaselineSetting(date=date(2026, 6, 2), value=q(95, "umol/L"), reason="x"),
            IssueCode.DATE_IN_FUTURE,
            "baseline date",
        ),
        (
            BaselineSetting(date=date(2026, 4, 2), value=q(5, "umol/L"), reason="x"),
            IssueCode.OUT_OF_BOUNDS,
            "baseline creatinine",
        ),
        (
            BaselineSetting(date=date(2026, 4, 2), value=q(95, "umol/L"), reason=""),
            IssueCode.MISSING_VALUE,
            "baseline reason",
        ),
    ],
)
def test_a_baseline_that_cannot_be_is_refused(store, baseline, code, field):
    before = dump(store)
    written = store.set_baseline("H123", baseline, today=TODAY)
    assert (written.issues[0].code, written.issues[0].field) == (code, field)
    assert dump(store) == before


# -- import and export ----------------------------------------------------------------------


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=courses())
def test_any_sensible_course_survives_import_and_export(tmp_path_factory, doc):
    record = patient_file.read_patient(doc, protocol_for=load_protocol, today=TODAY)
    with open_store(tmp_path_factory.mktemp("s")) as store:
        assert store.import_record(record).ok
        assert store.load(record.patient.id) == record
        assert store.export_text(record.patient.id) == patient_file.dumps(record)
        assert [e for _, e in store.events(record.patient.id)] == list(record.events)


def test_an_imported_course_can_be_continued_and_replaced(store):
    doc = patient_file.to_document(store.load("H123"))
    doc["events"] = [
        patient_file.event_json(start()),
        patient_file.event_json(event(EventKind.STOP, date(2026, 2, 1), reason="renal")),
    ]
    record = patient_file.read_patient(doc, protocol_for=load_protocol, today=TODAY)
    assert store.import_record(record, replace=True).ok
    assert store.add_event("H123", event(EventKind.RESUME, date(2026, 3, 1)), today=TODAY).issues[
        0
    ].code is (IssueCode.EVENT_NOT_POSSIBLE)  # stopped, not held
    add(store, event(EventKind.RESTART, date(2026, 3, 1)))
    assert [k for k, _ in kinds(store)] == ["start", "stop", "restart"]
    assert store.history("H123")[-2].after["events"] == doc["events"]  # the replace


# -- migration from schema 2 ----------------------------------------------------------------


def _rows(path, table):
    with sqlite3.connect(path) as db:
        return db.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()


def _migrated(tmp_path):
    """tests/data/store-v2.sqlite3, written by the Store of commit 2e9dc54 (schema 2; see
    tests/data/make_store_v2.py), opened by this one."""
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(DATA / "store-v2.sqlite3", folder / DB_NAME)
    return folder


@pytest.mark.sqlite_only
def test_a_schema_2_store_migrates_its_regimens_into_events(tmp_path):
    folder = _migrated(tmp_path)
    source = DATA / "store-v2.sqlite3"
    old = {
        table: _rows(source, table)
        for table in ("patients", "weights", "observations", "co_medication")
    }
    old_audit = _rows(source, "audit")
    regimens = _rows(source, "regimens")
    with open_store(folder, daily_backup=False) as s:
        assert s.schema_version == SCHEMA_VERSION == 6  # legacy to 3, then Alembic
        h123 = s.load("H123")
        assert [(e.kind, e.date) for e in h123.events] == [
            (EventKind.START, date(2026, 1, 5)),
            (EventKind.CHANGE, date(2026, 2, 2)),
            (EventKind.SWITCH, date(2026, 3, 2)),
        ]
        assert {e.recorded_by for e in h123.events} == {"dr.v2"}  # from the audit trail
        # the same regimens as schema 2 stored, as events_from_regimens makes them
        stored = tuple(
            Regimen(
                start=date.fromisoformat(r[2]),
                formulation=FormulationId(r[3]),
                dose=q(r[4], r[5]),
                times=tuple(time.fromisoformat(t) for t in r[6].split(",")),
            )
            for r in regimens
            if r[1] == "H123"
        )
        assert h123.regimens == stored
        assert tuple(replace(e, recorded_by="") for e in h123.events) == (
            events_from_regimens(stored)
        )
        assert [e.kind for e in s.load("H200").events] == [EventKind.START]
        assert magnitude(s.load("H200").events[0].dose, "mg") == 2.4
        # patient data unchanged, the old audit trail kept as it was
        for table, rows in old.items():
            now = _rows(s.path, table)
            if table == "patients":  # schema 4 adds each patient's version, at 1
                assert {r[-1] for r in now} == {1}
                now = [r[:-1] for r in now]
            assert now == rows, table
        assert [r[:-1] for r in _rows(s.path, "audit")] == old_audit
        assert len(h123.observations) == 10  # 11 rows; the deleted one stays out
        with sqlite3.connect(s.path) as db:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
        assert "regimens" not in tables
        assert {"course_events", "creatinine_baselines"} <= tables
        # the course goes on from what was migrated
        add_event = s.add_event(
            "H123",
            CourseEvent(kind=EventKind.HOLD, date=date(2026, 4, 1), reason="renal"),
            today=TODAY,
        )
        assert add_event.ok
    copies = list((folder / "backups").glob("*before-v3.sqlite3"))
    assert len(copies) == 1
    with sqlite3.connect(copies[0]) as kept:
        assert kept.execute("PRAGMA user_version").fetchone()[0] == 2
        assert kept.execute("SELECT * FROM regimens ORDER BY id").fetchall() == regimens


@pytest.mark.sqlite_only
def test_what_schema_2_accepted_and_the_course_now_refuses_is_kept_and_does_not_block(tmp_path):
    """H300 was given dose times 08:00 and 08:00 and then the same dose again (schema 2 did
    not check R2.2 or R15.1). Migration keeps both as they were; a later entry is not blamed
    for them, but one with a fault of its own is still refused."""
    folder = _migrated(tmp_path)
    with open_store(folder, daily_backup=False) as s:
        events = [e for _, e in s.events("H300")]
        assert [e.kind for e in events] == [EventKind.START, EventKind.CHANGE]
        assert events[0].times == (time(8), time(8))
        change = CourseEvent(kind=EventKind.CHANGE, date=date(2026, 5, 1), dose=q(3, "mg"))
        assert s.add_event("H300", change, today=TODAY).ok
        same = CourseEvent(kind=EventKind.CHANGE, date=date(2026, 5, 20), dose=q(3, "mg"))
        assert s.add_event("H300", same, today=TODAY).issues[0].code is (IssueCode.DOSE_UNCHANGED)
        (first_id, first), *_ = s.events("H300")
        fixed = replace(first, times=BID)
        assert s.correct_event(first_id, fixed, today=TODAY, reason="times as given").ok


@pytest.mark.sqlite_only
def test_a_schema_1_store_migrates_through_2_and_3_to_the_newest(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(DATA / "store-v1.sqlite3", folder / DB_NAME)
    with open_store(folder, daily_backup=False) as s:
        assert s.schema_version == SCHEMA_VERSION == 6
        assert s.load("H123").events == ()
        assert magnitude(s.load("H123").troughs()[0].value, "ug/L") == 8.1
        add(s, start())
        assert s.history("H123")[-1].entity == "event"
    labels = sorted(p.name.split("-")[-1] for p in (folder / "backups").glob("*.sqlite3"))
    assert labels == ["v2.sqlite3", "v3.sqlite3", "v6.sqlite3"]  # one copy before each


@pytest.mark.sqlite_only
def test_results_keep_their_dose_at_the_time_after_migration(tmp_path):
    """R15.2: each result is linked to the regimen in force when it was sampled."""
    folder = _migrated(tmp_path)
    with open_store(folder, daily_backup=False) as s:
        record = s.load("H123")
    doses = {
        o.date.isoformat(): magnitude(record.regimen_on(o.date).dose, "mg")
        for o in record.observations
        if isinstance(o, Creatinine)
    }
    assert doses == {"2026-01-14": 3, "2026-02-11": 4, "2026-03-09": 8}
