"""Nothing reported saved is lost: the database file alone holds every entry, a restore never
leaves the folder without a whole store, and an emptied store is not taken for a new one."""

import shutil
import sqlite3
from datetime import UTC, date, datetime

import pytest

from tacrocalc.domain.record import Trough
from tacrocalc.domain.units import q
from tacrocalc.records.protocol_files import load_protocol
from tacrocalc.records.store import (
    BACKUP_DIR,
    DB_NAME,
    Store,
    StoreDamaged,
    StoreError,
    latest_backup,
    restore,
)
from tests.seed_cases import case_1, case_3

TODAY = date(2026, 1, 20)


def opened(folder, **kwargs):
    return Store(folder, protocol_for=load_protocol, **kwargs)


def test_the_database_file_alone_holds_every_entry_reported_saved(tmp_path):
    """An entry written and reported saved is in the .sqlite3 file itself, not only in the
    WAL, while the store is still open: a copy of that one file keeps it."""
    folder = tmp_path / "data"
    with opened(folder) as store:
        store.import_record(case_1())
        for day in range(1, 21):
            trough = Trough(date=date(2026, 1, day), value=q(8, "ug/L"))
            assert store.add_observations("SEED-1", (trough,), today=TODAY).ok
        copy = tmp_path / "copy.sqlite3"
        shutil.copyfile(folder / DB_NAME, copy)  # the main file only, no -wal
        with sqlite3.connect(copy) as db:
            count = db.execute(
                "SELECT count(*) FROM observations WHERE patient_id = 'SEED-1'"
                " AND date LIKE '2026-01-%'"
            ).fetchone()[0]
    assert count == 20


def test_restoring_the_live_store_onto_itself_is_refused_and_changes_nothing(tmp_path):
    folder = tmp_path / "data"
    with opened(folder) as store:
        store.import_record(case_1())
    with pytest.raises(StoreError, match="is the patient store itself"):
        restore(folder, folder / DB_NAME)
    with opened(folder) as store:
        assert store.exists("SEED-1")


def test_a_restore_keeps_the_replaced_store_and_never_names_it_as_the_backup(tmp_path):
    """The file set aside by a restore holds what it held; the advice after later damage names
    a real backup, not the file set aside (which may be the damaged one)."""
    folder, saved = tmp_path / "data", tmp_path / "saved.sqlite3"
    with opened(folder, clock=lambda: datetime(2026, 1, 19, 9, tzinfo=UTC)) as store:
        store.import_record(case_3())
        store.backup(saved)
        store.import_record(case_1())
    kept = restore(folder, saved, clock=lambda: datetime(2026, 1, 20, 9, tzinfo=UTC))
    assert kept is not None and kept.name.endswith("-replaced.sqlite3")
    with sqlite3.connect(kept) as db:
        ids = {r[0] for r in db.execute("SELECT id FROM patients")}
    assert ids == {"SEED-1", "SEED-3"}
    assert [p.name for p in (folder / BACKUP_DIR).glob("*.sqlite3")] == [kept.name]
    assert latest_backup(folder) is None  # the only file there is the one set aside
    with opened(folder) as store:
        assert store.exists("SEED-3") and not store.exists("SEED-1")


def test_an_emptied_store_with_backups_is_damaged_not_new(tmp_path):
    """A 0-byte database beside its backups is reported with the backup to restore; it is not
    opened as a new, empty store (whose daily rotation would delete the good backups)."""
    folder = tmp_path / "data"
    with opened(folder, clock=lambda: datetime(2026, 1, 19, 9, tzinfo=UTC)) as store:
        store.import_record(case_1())
    with opened(folder, clock=lambda: datetime(2026, 1, 20, 9, tzinfo=UTC)):
        pass  # the first open of a day makes that day's backup
    assert list((folder / BACKUP_DIR).glob("*.sqlite3"))
    (folder / DB_NAME).write_bytes(b"")
    for suffix in ("-wal", "-shm"):
        (folder / f"{DB_NAME}{suffix}").unlink(missing_ok=True)
    with pytest.raises(StoreDamaged, match=r"empty \(0 bytes\)") as raised:
        opened(folder)
    assert raised.value.backup is not None
    assert (folder / DB_NAME).stat().st_size == 0  # untouched


def test_a_zero_byte_file_with_no_backup_is_a_new_store(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / DB_NAME).write_bytes(b"")
    with opened(folder) as store:
        assert store.list_patients() == []
