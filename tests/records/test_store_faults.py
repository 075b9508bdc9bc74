"""Issue 12's fault probe, for the store: a write is reported saved only when it went into the
store that is really on disk; a restore and the backups cannot destroy; the data folder and
what TacroCalc creates are the user's alone, and a folder set up otherwise is left as it is."""

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tacrocalc.domain.record import Trough
from tacrocalc.domain.units import q
from tacrocalc.records import database
from tacrocalc.records.protocol_files import load_protocol
from tacrocalc.records.store import (
    BACKUP_DIR,
    DB_NAME,
    NotABackup,
    Store,
    StoreBusy,
    StoreDamaged,
    StoreMissing,
    StoreReplaced,
    StoreShared,
    latest_backup,
    restore,
)
from tests.seed_cases import case_1, case_3

posix = pytest.mark.skipif(sys.platform == "win32", reason="POSIX files and permissions")
TODAY = date(2026, 1, 20)


def at(day, hour=9):
    return lambda: datetime(2026, 1, day, hour, tzinfo=UTC)


def opened(folder, **kwargs):
    return Store(folder, protocol_for=load_protocol, **kwargs)


def trough(day):
    return Trough(date=date(2026, 1, day), value=q(8, "ug/L"))


def stored_troughs(path):
    with sqlite3.connect(path) as db:
        return db.execute(
            "SELECT count(*) FROM observations WHERE kind = 'trough' AND date LIKE '2026-01-%'"
        ).fetchone()[0]


def mode(path):
    return stat.S_IMODE(Path(path).stat().st_mode)


@pytest.fixture
def folder(tmp_path):
    """A store of SEED-3 with a backup of it (saved.sqlite3) beside."""
    data = tmp_path / "data"
    with opened(data, clock=at(19)) as store:
        store.import_record(case_3())
        store.backup(tmp_path / "saved.sqlite3")
    return data


# -- writes that tell the truth (defects 3 and 4) -------------------------------------------


@posix
def test_a_restore_is_refused_while_a_window_has_the_store_open(folder, tmp_path):
    """Defect 3: the window went on saying "Saved" for checks that ended in the file set aside."""
    store = opened(folder, clock=at(20))
    try:
        with pytest.raises(StoreBusy, match=r"open in another TacroCalc .* nothing was restored"):
            restore(folder, tmp_path / "saved.sqlite3")
        assert store.add_observation("SEED-3", trough(10), today=TODAY).ok
    finally:
        store.close()
    assert stored_troughs(folder / DB_NAME) == 1  # the entry is in the store on disk
    assert list((folder / BACKUP_DIR).glob("*-replaced.sqlite3")) == []


@posix
@pytest.mark.parametrize("how", ["replaced", "deleted with its folder", "overwritten"])
def test_a_store_changed_under_an_open_one_refuses_the_next_write(folder, tmp_path, how):
    """Defect 4: with the folder deleted or the file replaced under a running window, each
    entry was reported saved and lost. Now the write is refused and says what happened."""
    store = opened(folder, clock=at(20))
    assert store.add_observation("SEED-3", trough(10), today=TODAY).ok
    other = tmp_path / "other.sqlite3"
    if how == "replaced":  # a copy put in place by mv, as a restore outside TacroCalc does
        shutil.copyfile(tmp_path / "saved.sqlite3", other)
        os.replace(other, folder / DB_NAME)
    elif how == "deleted with its folder":
        shutil.rmtree(folder)
    else:  # the same file's bytes overwritten by another application's database
        with sqlite3.connect(other) as db:
            db.execute("PRAGMA application_id=1234")
            db.execute("CREATE TABLE t (x)")
        db.close()
        shutil.copyfile(other, folder / DB_NAME)
    try:
        with pytest.raises(StoreReplaced) as raised:
            store.add_observation("SEED-3", trough(11), today=TODAY)
        message = str(raised.value)
        assert message.startswith(f"Not saved: {folder / DB_NAME} ")
        assert ("was deleted" if how.startswith("deleted") else f"was {how}") in message
        assert "What you typed is still on the screen" in message
        with pytest.raises(StoreReplaced):  # and every later write too
            store.add_observation("SEED-3", trough(12), today=TODAY)
    finally:
        store.close()
    if how == "replaced":
        assert stored_troughs(folder / DB_NAME) == 0  # the restored file was not written to


def overwrite_in_place(source, target):
    """`cat source > target`: the bytes of another file written into the store's own file,
    which keeps its identity (device, inode) and, from a TacroCalc store, its header."""
    inode = os.stat(target).st_ino
    with open(source, "rb") as new, open(target, "r+b") as old:
        old.truncate(0)
        shutil.copyfileobj(new, old)
    assert os.stat(target).st_ino == inode


@posix
@pytest.mark.parametrize("copy", ["another store", "an older backup of itself"])
def test_a_store_overwritten_in_place_by_a_store_refuses_the_next_write(folder, tmp_path, copy):
    """Issue 12's known limit: a copy of a TacroCalc store written over the live file (cat, cp)
    kept its identity and header, so the window went on saying "Saved": the entry went into
    the copy mixed with pages this connection held of the old store (the file then failed
    `integrity_check` for another store), or into an older backup of it without a word."""
    source = tmp_path / "saved.sqlite3"
    if copy == "another store":
        source = tmp_path / "other" / DB_NAME
        with opened(source.parent, clock=at(19)) as other:
            other.import_record(case_1())
    expected = stored_troughs(source)
    store = opened(folder, clock=at(20))
    try:
        assert store.add_observation("SEED-3", trough(10), today=TODAY).ok
        overwrite_in_place(source, folder / DB_NAME)
        with pytest.raises(StoreReplaced) as raised:
            store.add_observation("SEED-3", trough(11), today=TODAY)
        assert str(raised.value) == (
            f"Not saved: {folder / DB_NAME} was overwritten by a copy of a store since"
            " TacroCalc opened it (by a restore or outside TacroCalc). What you typed is still"
            " on the screen: note it, close TacroCalc and open it again, then enter it again."
        )
        with pytest.raises(StoreReplaced):  # and every later write too
            store.add_observation("SEED-3", trough(12), today=TODAY)
        assert not store.checkpoint()
    finally:
        store.close()
    assert stored_troughs(folder / DB_NAME) == expected  # the copy was not written to
    with sqlite3.connect(folder / DB_NAME) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    db.close()
    with opened(folder, clock=at(20)) as reopened:  # opened again, it is the copy, whole
        assert reopened.add_observation(
            "SEED-1" if copy == "another store" else "SEED-3", trough(13), today=TODAY
        ).ok


@posix
def test_an_overwrite_while_the_journal_holds_entries_is_refused_and_the_journal_set_aside(
    folder, tmp_path
):
    """A reader holding a snapshot keeps a write's fold from finishing: the journal holds that
    entry when a copy is written over the file. The next write is refused all the same, and
    the journal is set aside: replayed onto the copy at the next open, the old store's pages
    damaged it (an index without its rows, which only the thorough integrity check finds)."""
    with opened(tmp_path / "other", clock=at(19)) as other:
        other.import_record(case_1())
    store = opened(folder, clock=at(20))
    reader = sqlite3.connect(folder / DB_NAME, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM observations").fetchone()
        assert store.add_observation("SEED-3", trough(10), today=TODAY).ok
        assert os.path.getsize(f"{folder / DB_NAME}-wal") > 0
        reader.execute("COMMIT")
        overwrite_in_place(tmp_path / "other" / DB_NAME, folder / DB_NAME)
        with pytest.raises(StoreReplaced, match="was overwritten by a copy of a store"):
            store.add_observation("SEED-3", trough(11), today=TODAY)
    finally:
        reader.close()
        store.close()
    (aside,) = (folder / BACKUP_DIR).glob("tacrocalc-*-overwritten.sqlite3-wal")
    assert aside.stat().st_size > 0
    assert latest_backup(folder) != aside
    # Opened again as the refusal says, in a new process (this one keeps the old connection):
    # the copy, whole.
    code = (
        "import sqlite3, sys; from tacrocalc.records.store import Store;"
        "from tacrocalc.records.protocol_files import load_protocol;"
        "db = sqlite3.connect(sys.argv[1] + '/tacrocalc.sqlite3');"
        "print(db.execute('PRAGMA integrity_check').fetchall(),"
        " db.execute('SELECT id FROM patients').fetchall()); db.close();"
        "Store(sys.argv[1], protocol_for=load_protocol).close()"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run(
        [sys.executable, "-c", code, str(folder)], capture_output=True, text=True, env=env
    )
    assert (done.stdout, done.stderr) == ("[('ok',)] [('SEED-1',)]\n", "")


@posix
def test_a_store_whose_journal_files_were_deleted_refuses_the_next_write(folder):
    """With its -wal and -shm deleted under it, this connection and any opened after no
    longer share a journal index: neither would see the other's writes."""
    store = opened(folder, clock=at(20))
    try:
        assert store.add_observation("SEED-3", trough(10), today=TODAY).ok
        for suffix in ("-wal", "-shm"):
            os.unlink(f"{folder / DB_NAME}{suffix}")
        with pytest.raises(StoreReplaced) as raised:
            store.add_observation("SEED-3", trough(11), today=TODAY)
        assert str(raised.value).startswith(
            f"Not saved: {folder / DB_NAME} lost its journal files (-wal, -shm) since TacroCalc"
            " opened it"
        )
    finally:
        store.close()
    assert stored_troughs(folder / DB_NAME) == 1


@posix
def test_an_overwrite_after_another_store_wrote_is_refused(folder, tmp_path):
    """Another store's write changes the file with the journal index, so a copy written over
    the file after it cannot be told from the file alone: the audit trail tells it."""
    store = opened(folder, clock=at(20))
    try:
        assert store.add_observation("SEED-3", trough(10), today=TODAY).ok
        with opened(folder, clock=at(20)) as second:
            assert second.add_observation("SEED-3", trough(11), today=TODAY).ok
        overwrite_in_place(tmp_path / "saved.sqlite3", folder / DB_NAME)  # an older backup
        with pytest.raises(StoreReplaced, match="was overwritten by a copy of a store"):
            store.add_observation("SEED-3", trough(12), today=TODAY)
        with pytest.raises(StoreReplaced):
            store.add_observation("SEED-3", trough(13), today=TODAY)
    finally:
        store.close()
    assert stored_troughs(folder / DB_NAME) == 0


WRITER = """
import sys
from datetime import UTC, date, datetime
from tacrocalc.domain.record import Trough
from tacrocalc.domain.units import q
from tacrocalc.records.protocol_files import load_protocol
from tacrocalc.records.store import Store
with Store(sys.argv[1], protocol_for=load_protocol,
           clock=lambda: datetime(2026, 1, 20, 9, tzinfo=UTC)) as store:
    print("open", flush=True)
    for day in range(1, 16):
        assert store.add_observation(
            "SEED-3", Trough(date=date(2026, 1, day), value=q(8, "ug/L")), today=date(2026, 1, 20)
        ).ok
"""


@posix
def test_writes_of_other_processes_are_not_taken_for_an_overwrite(folder):
    """Another TacroCalc writing the same store changes its file too, through SQLite: no
    write of either is refused, and every one is in the store."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    store = opened(folder, clock=at(20))
    try:
        with subprocess.Popen(
            [sys.executable, "-c", WRITER, str(folder)], stdout=subprocess.PIPE, text=True, env=env
        ) as other:
            assert other.stdout.readline() == "open\n"
            for day in range(16, 31):
                assert store.add_observation(
                    "SEED-3", Trough(date=date(2025, 12, day), value=q(8, "ug/L")), today=TODAY
                ).ok
            assert other.wait(timeout=60) == 0
        assert store.add_observation("SEED-3", trough(19), today=TODAY).ok  # after all of them
        second = opened(folder, clock=at(20))  # and one in this process, written in turns
        try:
            for day in range(1, 6):
                assert second.add_observation(
                    "SEED-3", Trough(date=date(2025, 11, day), value=q(8, "ug/L")), today=TODAY
                ).ok
                assert store.add_observation(
                    "SEED-3", Trough(date=date(2025, 11, day + 10), value=q(8, "ug/L")), today=TODAY
                ).ok
        finally:
            second.close()
    finally:
        store.close()
    with sqlite3.connect(folder / DB_NAME) as db:
        dates = db.execute(
            "SELECT date FROM observations WHERE kind = 'trough' AND date >= '2025-11-01'"
        ).fetchall()
    db.close()
    assert len(dates) == 15 + 15 + 1 + 10, sorted(dates)


@posix
def test_a_read_of_a_store_overwritten_with_garbage_is_explained(folder):
    store = opened(folder, clock=at(20))
    try:
        (folder / DB_NAME).write_bytes(b"x" * 8192)
        try:
            store.add_observation("SEED-3", trough(11), today=TODAY)
        except (sqlite3.Error, StoreReplaced) as error:
            told = store.explain(error)
        else:
            pytest.fail("the write into an overwritten store was reported saved")
        assert isinstance(told, StoreReplaced)
        assert "was overwritten" in str(told)
        assert store.explain(ValueError("not the store's")) is None
    finally:
        store.close()


# -- durability beyond the WAL (defect 6) ---------------------------------------------------


def test_a_checkpoint_folds_the_journal_in_even_after_a_reader_held_it(folder, tmp_path):
    """A reader (another window, `list`) keeps the checkpoint after each write from finishing;
    the idle checkpoint then empties the journal into the file."""
    store = opened(folder, clock=at(20))
    reader = sqlite3.connect(folder / DB_NAME)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM patients").fetchone()
    for day in range(1, 11):
        assert store.add_observation("SEED-3", trough(day), today=TODAY).ok
    assert store.checkpoint() is False  # the reader holds it
    reader.close()
    assert store.checkpoint() is True
    assert Path(f"{folder / DB_NAME}-wal").stat().st_size == 0
    copy = tmp_path / "copy.sqlite3"
    shutil.copyfile(folder / DB_NAME, copy)  # the main file alone
    assert stored_troughs(copy) == 10
    store.close()


# -- restore and backups that cannot destroy (defects 1, 2, 5, 7) ----------------------------


def test_restore_refuses_files_that_are_not_tacrocalc_stores(folder, tmp_path):
    empty, foreign = tmp_path / "empty.sqlite3", tmp_path / "foreign.sqlite3"
    sqlite3.connect(empty).close()
    empty.write_bytes(b"")
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE songs (title)")
    db.close()
    unmarked = tmp_path / "unmarked.sqlite3"
    with sqlite3.connect(unmarked) as db:
        db.execute("CREATE TABLE patients (id)")
        db.execute("PRAGMA application_id=42")
    db.close()
    before = (folder / DB_NAME).read_bytes()
    for source, reason in [
        (tmp_path / "missing.sqlite3", "there is no such file"),
        (tmp_path, "it is a folder, not a backup file"),
        (empty, "it is damaged or not a database"),
        (foreign, "it is another application's database, not a TacroCalc store"),
        (unmarked, "it is another application's database"),
    ]:
        with pytest.raises(NotABackup, match=f"cannot be restored: {reason}"):
            restore(folder, source)
    empty_db = tmp_path / "new.sqlite3"
    with sqlite3.connect(empty_db) as db:
        db.execute("PRAGMA user_version=0")
        db.execute("CREATE TABLE x (y)")
        db.execute("DROP TABLE x")
    db.close()
    with pytest.raises(NotABackup, match="it is an empty database, not a TacroCalc store"):
        restore(folder, empty_db)
    assert (folder / DB_NAME).read_bytes() == before
    assert not (folder / BACKUP_DIR).exists() or not list((folder / BACKUP_DIR).iterdir())


def test_a_missing_store_beside_backups_is_lost_not_new(folder):
    """Defect 2's second half: with the store gone (a killed restore, a slip in a file
    manager), the next start opened an empty store, whose daily backups would rotate the good
    ones away."""
    with opened(folder, clock=at(20)):
        pass  # the day's backup
    (folder / DB_NAME).unlink()
    with pytest.raises(StoreMissing) as raised:
        opened(folder, clock=at(21))
    assert isinstance(raised.value, StoreDamaged)
    assert str(raised.value.backup) in str(raised.value)
    assert "move that backups folder away" in str(raised.value)
    assert not (folder / DB_NAME).exists()  # nothing made in its place
    restore(folder, raised.value.backup)
    with opened(folder, clock=at(21)) as store:
        assert store.exists("SEED-3")


def test_a_truncated_store_is_damaged(folder):
    with opened(folder, clock=at(20)):
        pass
    path = folder / DB_NAME
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(StoreDamaged, match="truncated") as raised:
        opened(folder, clock=at(20))
    assert raised.value.backup is not None


def test_restore_leaves_no_partial_file_and_syncs_a_whole_store(folder, tmp_path):
    kept = restore(folder, tmp_path / "saved.sqlite3", clock=at(20))
    assert kept is not None and mode(kept) == 0o600
    assert sorted(p.name for p in folder.iterdir()) == [BACKUP_DIR, DB_NAME]
    assert latest_backup(folder) is None  # the file set aside is never offered
    kept_again = restore(folder, tmp_path / "saved.sqlite3", clock=at(20))
    assert kept_again != kept and kept.exists()  # two restores in one second keep both


@posix
def test_partial_files_of_a_killed_restore_are_cleared_at_the_next_open(folder):
    leftover = folder / f".{DB_NAME}.abc123.partial"
    leftover.write_bytes(b"half a store")
    with opened(folder, clock=at(20)) as store:
        assert store.exists("SEED-3")
    assert not leftover.exists()


def test_the_daily_backup_is_named_by_the_local_date(folder, monkeypatch):
    """At 23:30 UTC it is already the next day in Auckland: that day's backup."""
    monkeypatch.setenv("TZ", "Pacific/Auckland")
    time.tzset()
    try:
        with opened(folder, clock=lambda: datetime(2026, 1, 19, 23, 30, tzinfo=UTC)):
            pass
        names = [p.name for p in (folder / BACKUP_DIR).glob("*-daily.sqlite3")]
    finally:
        monkeypatch.undo()
        time.tzset()
    assert names == ["tacrocalc-20260120T123000-daily.sqlite3"]


def test_the_rotation_never_deletes_the_last_backup_that_passes_integrity_check(
    folder, monkeypatch
):
    """Seven days of damaged daily backups and one sound older one: when the new day's copy
    fails its check too (a failing disk), the sound one is kept."""
    backups = folder / BACKUP_DIR
    backups.mkdir()
    good = backups / "tacrocalc-20260101T090000-daily.sqlite3"
    shutil.copyfile(folder / DB_NAME, good)
    for day in range(2, 9):
        (backups / f"tacrocalc-202601{day:02}T090000-daily.sqlite3").write_bytes(b"bad" * 100)
    health = database.check_health

    def failing_copy(path, *, thorough=True):
        if "20260120" in path.name:
            return 0, "database disk image is malformed"
        return health(path, thorough=thorough)

    monkeypatch.setattr(database, "check_health", failing_copy)
    with opened(folder, clock=at(20)):
        pass
    assert good.exists()
    daily = sorted(p.name for p in backups.glob("*-daily.sqlite3"))
    assert len(daily) == 8 and daily[-1].startswith("tacrocalc-20260120")


def test_two_processes_opening_on_a_new_day_write_one_daily_backup(folder):
    """Issue 12: two processes opening on a new day wrote the same backup file ("disk I/O
    error", 3 in 60). The folder's lock lets one make it; the others find it made."""
    code = (
        "import sys; from tacrocalc.records.store import Store;"
        "from tacrocalc.records.protocol_files import load_protocol;"
        "Store(sys.argv[1], protocol_for=load_protocol).close(); print('ok')"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(folder)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(6)
    ]
    results = [run.communicate(timeout=60) for run in runs]
    assert [out for out, _ in results] == ["ok\n"] * 6, [err for _, err in results]
    today = datetime.now().astimezone().strftime("%Y%m%d")
    assert len(list((folder / BACKUP_DIR).glob(f"tacrocalc-{today}T*-daily.sqlite3"))) == 1
    assert list((folder / BACKUP_DIR).glob(".*")) == []


# -- backups to devices and pipes ------------------------------------------------------------


@posix
def test_a_backup_to_a_fifo_is_written_through_not_renamed_over(folder, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    pipe_inode = tmp_path / "same-pipe"
    os.link(fifo, pipe_inode)
    received = bytearray()

    def read():
        with fifo.open("rb") as pipe:
            received.extend(pipe.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    with opened(folder, clock=at(20)) as store:
        store.backup(fifo)
    reader.join(timeout=10)
    if not stat.S_ISFIFO(fifo.stat().st_mode):
        os.close(os.open(pipe_inode, os.O_WRONLY | os.O_NONBLOCK))  # let the reader go
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # still the pipe
    copy = tmp_path / "received.sqlite3"
    copy.write_bytes(bytes(received))
    with sqlite3.connect(copy) as db:
        assert db.execute("SELECT id FROM patients").fetchall() == [("SEED-3",)]
    db.close()
    assert [p for p in folder.iterdir() if p.name.startswith(".")] == []


def test_a_backup_onto_the_store_itself_is_refused(folder):
    with opened(folder, clock=at(20)) as store:
        with pytest.raises(database.StoreError, match="is the patient store itself"):
            store.backup(folder / DB_NAME)
        assert store.exists("SEED-3")


@posix
def test_a_failed_backup_leaves_no_partial_file(folder, tmp_path, monkeypatch):
    def full(*_args):
        raise OSError(28, "No space left on device")

    with opened(folder, clock=at(20)) as store:
        monkeypatch.setattr(os, "replace", full)
        with pytest.raises(OSError, match="No space left"):
            store.backup(tmp_path / "copy.sqlite3")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert not (tmp_path / "copy.sqlite3").exists()


# -- sharing and permissions -----------------------------------------------------------------


@posix
def test_a_folder_set_up_for_a_group_is_explained_and_left_as_it_is(tmp_path):
    """Issue 12: the first user's open reset a folder an administrator set to 2770."""
    shared = tmp_path / "ward"
    shared.mkdir()
    os.chmod(shared, 0o2770)
    with pytest.raises(StoreShared) as raised:
        opened(shared)
    assert "is shared (other users can change it: mode 2770)" in str(raised.value)
    assert "for a ward, use the ward server" in str(raised.value).lower()
    assert mode(shared) == 0o2770
    assert list(shared.iterdir()) == []


@posix
def test_a_folder_of_another_user_is_explained_and_left_as_it_is(tmp_path, monkeypatch):
    other = tmp_path / "other"
    other.mkdir(mode=0o700)
    if os.geteuid() == 0:
        os.chown(other, 65534, -1)
    else:
        monkeypatch.setattr(os, "geteuid", lambda: os.getuid() + 1)
    with pytest.raises(StoreShared, match="it belongs to another user"):
        opened(other)
    assert mode(other) == 0o700 and list(other.iterdir()) == []


@posix
def test_an_existing_folder_and_store_keep_the_permissions_they_were_given(folder):
    """A read-only folder (0500) and a store file of 0640 were chmodded back to 0700/0600."""
    with opened(folder, clock=at(20)):
        pass
    os.chmod(folder, 0o750)
    os.chmod(folder / DB_NAME, 0o640)
    with opened(folder, clock=at(20)) as store:
        assert store.exists("SEED-3")
    assert (mode(folder), mode(folder / DB_NAME)) == (0o750, 0o640)


@posix
def test_nothing_is_created_world_writable_under_umask_000(tmp_path):
    from tacrocalc.paths import user_data_dir

    old = os.umask(0)
    try:
        data = user_data_dir(tmp_path / "a" / "b" / "data")
        with opened(data, clock=at(19)) as store:
            store.import_record(case_1())
            store.backup(tmp_path / "copy.sqlite3")
        with opened(data, clock=at(20)) as store:  # the day's backup, the -wal and -shm
            assert store.add_observation("SEED-1", trough(3), today=TODAY).ok
            found = {p: mode(p) for p in [tmp_path / "a", *(tmp_path / "a").rglob("*")]}
        found[tmp_path / "copy.sqlite3"] = mode(tmp_path / "copy.sqlite3")
    finally:
        os.umask(old)
    assert any(p.name.endswith("-daily.sqlite3") for p in found)
    assert any(p.name.endswith("-wal") for p in found)
    for path, bits in found.items():
        assert bits == (0o700 if path.is_dir() else 0o600), (path, oct(bits))


@posix
@pytest.mark.parametrize("journal", ["-journal", "-wal"])
def test_a_store_left_with_a_hot_journal_by_a_kill_opens_whole(tmp_path, journal):
    """A process killed in the middle of a transaction leaves a journal to roll back or
    replay, which the read-only health check could not: the store was called damaged
    ("attempt to write a readonly database"). Found by the migration kills of the crash test."""
    import signal

    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    path = folder / DB_NAME
    shutil.copyfile(Path(__file__).resolve().parents[1] / "data" / "store-v1.sqlite3", path)
    mode_sql = "WAL" if journal == "-wal" else "DELETE"
    code = (
        "import sqlite3, sys, time\n"
        "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        f"db.execute('PRAGMA journal_mode={mode_sql}')\n"
        "db.execute('PRAGMA cache_size=1')\n"
        "db.execute('BEGIN')\n"
        "for _ in range(3000):\n"
        '    db.execute("INSERT INTO audit (at, os_user, action, entity, entity_id, patient_id)'
        " VALUES ('t', 'u', 'a', 'e', 'i', 'p')\")\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True
    ) as writer:
        assert writer.stdout.readline().strip() == "ready"
        assert Path(f"{path}{journal}").exists()
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    assert Path(f"{path}{journal}").exists()
    with opened(folder, daily_backup=False) as store:
        assert {p.id for p in store.list_patients()} == {"H123", "H200"}
        assert store.history("p") == []  # the killed transaction was rolled back
