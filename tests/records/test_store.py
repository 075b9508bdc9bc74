"""The patient store: round trips, refusals that change nothing, the audit trail, search,
permissions, migrations, damage and backups."""

import json
import shutil
import sqlite3
import stat
import sys
from dataclasses import replace
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from tacrocalc.domain.issues import IssueCode
from tacrocalc.domain.protocol import FormulationId
from tacrocalc.domain.record import (
    BloodPressure,
    CoMedicationChange,
    Creatinine,
    Patient,
    Regimen,
    Sex,
    Trough,
    WeightEntry,
)
from tacrocalc.domain.units import magnitude, q
from tacrocalc.records import patient_file
from tacrocalc.records.protocol_files import load_protocol
from tacrocalc.records.store import (
    DB_NAME,
    SCHEMA_VERSION,
    NotABackup,
    StoreDamaged,
    StoreTooNew,
    fold,
    restore,
)
from tests import shown
from tests.records.stores import dump, on_postgresql, open_store
from tests.seed_cases import case_1, case_2, case_3

TODAY = date(2026, 6, 1)
FIXTURE_V1 = Path(__file__).resolve().parent.parent / "data" / "store-v1.sqlite3"


pytestmark = pytest.mark.usefixtures("each_store")


@pytest.fixture
def store(tmp_path):
    with open_store(tmp_path / "data") as opened:
        yield opened


PATIENT = Patient(id="H123", name="Zoë Ångström-Lee", birth_date=date(1990, 2, 1), sex=Sex.FEMALE)


def add_patient(store, patient=PATIENT):
    written = store.save_patient(patient, protocol_id="seed-1997", today=TODAY)
    assert written.ok
    return patient


# -- round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize("record", [case_1(), case_2(), case_3()], ids=["case1", "case2", "case3"])
def test_import_export_import_export_is_byte_identical(tmp_path, record):
    text = patient_file.dumps(record)
    with open_store(tmp_path / "a") as first:
        assert first.import_record(record).ok
        exported = first.export_text(record.patient.id)
    assert exported == text
    again = patient_file.loads(exported, protocol_for=load_protocol, today=TODAY)
    with open_store(tmp_path / "b") as second:
        assert second.import_record(again).ok
        assert second.export_text(record.patient.id) == exported
        assert second.load(record.patient.id) == record


def test_entries_made_one_by_one_load_as_the_domain_record(store):
    add_patient(store)
    store.add_weight("H123", WeightEntry(date=date(2026, 1, 5), value=q(60, "kg")), today=TODAY)
    store.start_regimen(
        "H123",
        Regimen(
            start=date(2026, 1, 5),
            formulation=FormulationId.IR_CAPSULE,
            dose=q(3, "mg"),
            times=(time(8), time(20)),
        ),
    )
    trough = Trough(
        date=date(2026, 1, 14), time=time(8), value=q(8.1, "ug/L"), last_dose_time=time(20)
    )
    assert store.add_observation("H123", trough, today=TODAY).ok
    store.add_co_medication(
        "H123", CoMedicationChange(date=date(2026, 2, 1), note="fluconazole"), today=TODAY
    )
    record = store.load("H123")
    assert record.patient == PATIENT
    assert magnitude(record.weights[0].value, "kg") == 60
    assert record.regimens[0].times == (time(8), time(20))
    assert [(e.kind.value, e.recorded_by) for e in record.events] == [("start", "dr.test")]
    assert record.observations == (trough,)
    assert record.co_medication[0].note == "fluconazole"


# -- refusals change nothing ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("write", "code"),
    [
        (
            lambda s: s.add_observation(
                "H123", Trough(date=date(2026, 6, 2), value=q(8, "ug/L")), today=TODAY
            ),
            IssueCode.DATE_IN_FUTURE,
        ),
        (
            lambda s: s.add_observation(
                "H123", Trough(date=date(2026, 1, 2), value=q(250, "ug/L")), today=TODAY
            ),
            IssueCode.OUT_OF_BOUNDS,
        ),
        (
            lambda s: s.add_observation(
                "H123", Creatinine(date=date(1989, 1, 2), value=q(80, "umol/L")), today=TODAY
            ),
            IssueCode.DATE_BEFORE_BIRTH,
        ),
        (
            lambda s: s.add_observation(
                "H123",
                BloodPressure(
                    date=date(2026, 1, 2), systolic=q(80, "mmHg"), diastolic=q(90, "mmHg")
                ),
                today=TODAY,
            ),
            IssueCode.SYSTOLIC_NOT_ABOVE_DIASTOLIC,
        ),
        (
            lambda s: s.add_observation(
                "NOPE", Trough(date=date(2026, 1, 2), value=q(8, "ug/L")), today=TODAY
            ),
            IssueCode.UNKNOWN_PATIENT,
        ),
        (
            lambda s: s.add_weight(
                "H123", WeightEntry(date=date(2026, 1, 2), value=q(5, "kg")), today=TODAY
            ),
            IssueCode.OUT_OF_BOUNDS,
        ),
        (
            lambda s: s.start_regimen(
                "H123",
                Regimen(
                    start=date(2026, 1, 5),
                    formulation=FormulationId.ADVAGRAF,
                    dose=q(3, "mg"),
                    times=(time(8), time(20)),
                ),
            ),
            IssueCode.BAD_DOSE_TIMES,
        ),
        (
            lambda s: s.start_regimen(
                "H123",
                Regimen(
                    start=date(2026, 1, 5),
                    formulation=FormulationId.IR_CAPSULE,
                    dose=q(0, "mg"),
                    times=(time(8), time(20)),
                ),
            ),
            IssueCode.RATE_NOT_POSITIVE,
        ),
        (
            lambda s: s.save_patient(
                replace(PATIENT, name=" "), protocol_id="seed-1997", today=TODAY
            ),
            IssueCode.MISSING_VALUE,
        ),
        (
            lambda s: s.save_patient(PATIENT, protocol_id="no-such", today=TODAY),
            IssueCode.BAD_PROTOCOL,
        ),
        (
            lambda s: s.correct_observation(
                999, Trough(date=date(2026, 1, 2), value=q(8, "ug/L")), today=TODAY
            ),
            IssueCode.UNKNOWN_OBSERVATION,
        ),
        (lambda s: s.delete_observation(999), IssueCode.UNKNOWN_OBSERVATION),
        (
            lambda s: s.import_record(
                replace(case_1(), patient=replace(case_1().patient, id="H123"))
            ),
            IssueCode.PATIENT_EXISTS,
        ),
    ],
)
def test_every_refusal_leaves_the_database_unchanged(store, write, code):
    add_patient(store)
    store.add_observation("H123", Trough(date=date(2026, 1, 2), value=q(8, "ug/L")), today=TODAY)
    before = dump(store)
    written = write(store)
    assert not written.ok
    assert written.issues[0].code is code
    assert dump(store) == before


def test_a_correction_with_a_bad_value_is_refused_and_keeps_the_old_one(store):
    add_patient(store)
    oid = store.add_observation(
        "H123", Trough(date=date(2026, 1, 2), value=q(8, "ug/L")), today=TODAY
    ).id
    before = dump(store)
    bad = store.correct_observation(
        oid, Trough(date=date(2026, 1, 2), value=q(300, "ug/L")), today=TODAY
    )
    assert bad.issues[0].code is IssueCode.OUT_OF_BOUNDS
    assert dump(store) == before
    escaped = store.correct_observation(  # R12.9: the reason is free text, checked too
        oid, Trough(date=date(2026, 1, 2), value=q(9, "ug/L")), today=TODAY, reason="ok\x1b[2J"
    )
    assert escaped.issues[0].code is IssueCode.BAD_TEXT
    assert "why corrected" in escaped.issues[0].field
    assert dump(store) == before
    good = store.correct_observation(
        oid, Trough(date=date(2026, 1, 2), value=q(9, "ug/L")), today=TODAY, reason="typed 8"
    )
    assert good.ok and store.history("H123")[-1].reason == "typed 8"


# -- audit trail ---------------------------------------------------------------------------


def test_audit_rows_for_insert_correct_delete_restore(store):
    add_patient(store)
    first = Trough(date=date(2026, 1, 2), value=q(8, "ug/L"))
    oid = store.add_observation("H123", first, today=TODAY).id
    store.correct_observation(oid, replace(first, value=q(9.5, "ug/L")), today=TODAY)
    store.delete_observation(oid)
    assert store.load("H123").observations == ()
    deleted = store.observations("H123", include_deleted=True)
    assert deleted[0][0] == oid and deleted[0][2] is not None
    store.restore_observation(oid)
    assert magnitude(store.load("H123").troughs()[0].value, "ug/L") == 9.5
    history = [(e.action, e.entity, e.before, e.after) for e in store.history("H123")]
    item = {"date": "2026-01-02", "kind": "trough", "value": "8 ug/L"}
    corrected = {**item, "value": "9.5 ug/L"}
    assert history[1:] == [
        ("insert", "observation", None, item),
        ("correct", "observation", item, corrected),
        ("delete", "observation", corrected, None),
        ("restore", "observation", None, corrected),
    ]
    assert history[0][:2] == ("insert", "patient")
    assert {e.user for e in store.history("H123")} == {"dr.test"}
    at = datetime.fromisoformat(store.history("H123")[0].at)
    if on_postgresql():  # the ward server stamps its own time, whatever the workstation says
        assert abs(at - datetime.now(UTC)).total_seconds() < 60
    else:
        assert at == datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def test_replacing_an_imported_patient_keeps_the_old_record_in_the_history(store):
    old = case_2()
    store.import_record(old)
    newer = replace(old, observations=old.observations[:4])
    assert store.import_record(newer, replace=True).ok
    assert store.load("SEED-2") == newer
    last = store.history("SEED-2")[-1]
    assert last.action == "replace"
    assert last.before == patient_file.to_document(old)
    assert last.after == patient_file.to_document(newer)


def test_updating_a_patient_is_audited_with_before_and_after(store):
    add_patient(store)
    store.save_patient(
        replace(PATIENT, prior_ciclosporin_nephrotoxicity=True),
        protocol_id="seed-1997",
        today=TODAY,
    )
    entry = store.history("H123")[-1]
    assert entry.action == "update"
    assert entry.before["prior_ciclosporin_nephrotoxicity"] is False
    assert entry.after["prior_ciclosporin_nephrotoxicity"] is True


# -- search ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("zoe", ["H123"]),  # accents ignored
        ("ZOË", ["H123"]),  # case ignored
        ("angst", ["H123"]),  # a later word of the name
        ("ångström-l", ["H123"]),
        ("h12", ["H123"]),  # the id
        ("lee", []),  # a prefix of a word, not the middle of one
        ("zoe ang", ["H123"]),  # every word typed must match
        ("zoe smith", []),
        ("seed", ["SEED-1", "SEED-2"]),
        ("seed-2", ["SEED-2"]),
    ],
)
def test_search_by_prefix_of_id_or_name(store, query, found):
    add_patient(store)
    store.import_record(case_1())
    store.import_record(case_2())
    assert sorted(p.id for p in store.search(query)) == found


def test_fold():
    assert fold("  Zoë ÅNGSTRÖM ") == "zoe angstrom"
    assert fold("Straße") == "strasse"


# -- files on disk --------------------------------------------------------------------------


@pytest.mark.sqlite_only
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_the_folder_and_files_are_private(tmp_path):
    folder = tmp_path / "data"
    with open_store(folder) as s:
        add_patient(s)
        s.backup(tmp_path / "copy.sqlite3")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.iterdir():
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE((tmp_path / "copy.sqlite3").stat().st_mode) == 0o600


@pytest.mark.sqlite_only
def test_wal_and_full_sync(store):
    db = store._db
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


# -- migrations, newer files, damage, backups -----------------------------------------------


@pytest.mark.sqlite_only
def test_migrates_a_version_1_database_and_keeps_a_copy(tmp_path):
    """tests/data/store-v1.sqlite3 was written by schema 1 (no search table): two patients,
    an observation, audit rows."""
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(FIXTURE_V1, folder / DB_NAME)
    with open_store(folder, daily_backup=False) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert [p.id for p in s.search("zoe")] == ["H123"]  # the new table was filled
        record = s.load("H123")
        assert magnitude(record.troughs()[0].value, "ug/L") == 8.1
        assert [e.action for e in s.history("H123")][:2] == ["insert", "insert"]
    copies = list((folder / "backups").glob("*before-v2.sqlite3"))
    assert len(copies) == 1  # and one before-v3 (tests/records/test_store_course.py)
    with sqlite3.connect(copies[0]) as old:
        assert old.execute("PRAGMA user_version").fetchone()[0] == 1


@pytest.mark.sqlite_only
def test_a_database_from_a_newer_version_is_refused_untouched(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / DB_NAME
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE future (x)")
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreTooNew, match="newer TacroCalc"):
        open_store(folder)
    assert path.read_bytes() == before
    assert not Path(f"{path}-wal").exists()


@pytest.mark.sqlite_only
@pytest.mark.parametrize("damage", ["not sqlite", "torn page"])
def test_a_damaged_database_is_never_written_and_names_the_latest_backup(tmp_path, damage):
    folder = tmp_path / "data"
    with open_store(folder) as s:
        add_patient(s)
    with open_store(folder) as s:  # a second open makes the day's backup
        pass
    path = folder / DB_NAME
    if damage == "not sqlite":
        path.write_bytes(b"this is not a database at all" * 100)
    else:
        data = bytearray(path.read_bytes())
        page = 4096
        data[2 * page : 3 * page] = b"\xff" * page  # a page of garbage inside the tables
        path.write_bytes(bytes(data))
    before = path.read_bytes()
    with pytest.raises(StoreDamaged) as raised:
        open_store(folder)
    assert path.read_bytes() == before
    assert raised.value.backup is not None
    assert str(raised.value.backup) in str(raised.value)
    assert str(path) in str(raised.value)


@pytest.mark.sqlite_only
def test_backup_and_restore(tmp_path):
    folder = tmp_path / "data"
    with open_store(folder) as s:
        add_patient(s)
        s.backup(tmp_path / "saved.sqlite3")
        s.add_observation("H123", Trough(date=date(2026, 1, 2), value=q(8, "ug/L")), today=TODAY)
    kept = restore(folder, tmp_path / "saved.sqlite3")
    assert kept is not None and kept.exists()
    with open_store(folder) as s:
        assert s.load("H123").observations == ()  # as it was when saved
    with open_store(kept.parent / "x", daily_backup=False) as other:
        assert other.load("H123") is None  # an unrelated folder stays empty


def test_restore_refuses_a_damaged_backup(tmp_path):
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"garbage" * 1000)
    with pytest.raises(NotABackup, match="cannot be restored: it is damaged or not a database"):
        restore(tmp_path / "data", bad)
    assert not (tmp_path / "data" / DB_NAME).exists()


def test_history_entries_are_json_of_the_patient_file(store):
    add_patient(store)
    entry = store.history("H123")[0]
    assert json.dumps(entry.after)  # serialisable, as it is stored
    assert entry.after["name"] == "Zoë Ångström-Lee"


def test_a_regimen_dose_no_product_can_make_up_is_refused(store):
    """R3.1: 3.3 mg cannot be made from 0.5, 1 and 5 mg capsules; the nearest is 3.5 mg."""
    add_patient(store)
    before = dump(store)
    written = store.start_regimen(
        "H123",
        Regimen(
            start=date(2026, 1, 5),
            formulation=FormulationId.IR_CAPSULE,
            dose=q(3.3, "mg"),
            times=(time(8), time(20)),
        ),
    )
    assert written.issues[0].code is IssueCode.NOT_DISPENSABLE
    assert shown(written.issues[0].param("nearest")) == "3.5 mg"
    assert dump(store) == before


def test_a_check_is_written_whole_or_not_at_all(store):
    """Trough, creatinine and BP of one day in one transaction: a bad BP refuses all three."""
    add_patient(store)
    day = date(2026, 1, 14)
    before = dump(store)
    bad = store.add_observations(
        "H123",
        (
            Trough(date=day, value=q(8, "ug/L")),
            Creatinine(date=day, value=q(80, "umol/L")),
            BloodPressure(date=day, systolic=q(80, "mmHg"), diastolic=q(95, "mmHg")),
        ),
        today=TODAY,
    )
    assert bad.issues[0].code is IssueCode.SYSTOLIC_NOT_ABOVE_DIASTOLIC
    assert dump(store) == before
    good = store.add_observations(
        "H123",
        (Trough(date=day, value=q(8, "ug/L")), Creatinine(date=day, value=q(80, "umol/L"))),
        today=TODAY,
    )
    assert good.ok
    assert len(store.load("H123").observations) == 2


def test_reads_sent_together_are_given_back_in_the_order_made():
    """On the ward server a record's reads are taken down, sent in one go and given back to
    the same readers in order; a read out of that order is refused, never answered wrongly."""
    from tacrocalc.records.store import _Recorder, _Replayer

    recorder = _Recorder()
    assert recorder.execute("SELECT a FROM t WHERE id = ?", ("H1",)).fetchone() is None
    recorder.execute("SELECT b FROM u WHERE id = ?", ("H1",))
    replayer = _Replayer(recorder.statements, [[(1,)], [(2,), (3,)]])
    assert replayer.execute("SELECT a FROM t WHERE id = ?", ("H1",)).fetchone() == (1,)
    with pytest.raises(RuntimeError, match="read out of order"):
        replayer.execute("SELECT b FROM u WHERE id = ?", ("H2",))
