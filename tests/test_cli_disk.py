"""Issue 12: reading commands (`list`, `check`, `export`, `backup --out elsewhere`) work on a
read-only or full disk; a write there fails with one sentence naming the file and what to do,
status 3 (a fault of the computer, not of what was typed)."""

import json
import os
import shutil
import sqlite3
import stat
import tempfile
from pathlib import Path

from tacrocalc.records.store import SCHEMA_VERSION, check_backup
from tests.disks import fill, make_read_only, small_disk
from tests.test_cli_store import EXAMPLE, run

READ_ONLY = (
    "is on a read-only disk",
    "copy the data folder to a disk you can write to, or have that disk made writable",
)
FULL = ("is on a full disk", "free some space on that disk, then open TacroCalc again")
NOT_MINE = (
    "cannot be changed by this user",
    "ask for permission to write to that folder and file, or use a folder you can write to",
)


def notice(store, why):
    return (
        f"note: {store} {why}: opened read-only, without the daily backup; nothing can be saved.\n"
    )


def refusal(store, why, advice):
    return f"error: Not saved: {store} {why}, so TacroCalc opened it read-only; {advice}.\n"


def assert_reads_and_refuses_writes(capsys, tmp_path, data, why, advice):
    """Every reading command answers in full with one notice line; a write is refused."""
    store = data / "tacrocalc.sqlite3"
    code, out, err = run(capsys, "--data-dir", str(data), "list")
    assert (code, err) == (0, notice(store, why))
    assert out.startswith("H123         A Person")
    code, out, err = run(capsys, "--data-dir", str(data), "check", "H123", "--today", "2026-01-20")
    assert (code, err) == (0, notice(store, why))
    assert out.startswith("A Person (H123), 2026-01-20\n")
    code, out, err = run(
        capsys, "--data-dir", str(data), "export", "H123", "--out", str(tmp_path / "h.json")
    )
    assert (code, err) == (0, notice(store, why))
    assert json.loads((tmp_path / "h.json").read_text(encoding="utf-8"))["patient"]["id"] == "H123"
    code, out, err = run(
        capsys, "--data-dir", str(data), "backup", "--out", str(tmp_path / "b.sqlite3")
    )
    assert (code, err) == (0, notice(store, why))
    assert check_backup(tmp_path / "b.sqlite3") == SCHEMA_VERSION
    code, out, err = run(capsys, "--data-dir", str(data), "import", "--replace", str(EXAMPLE))
    assert (code, out) == (3, "")
    assert err == notice(store, why) + refusal(store, why, advice)


def test_reading_commands_work_on_a_read_only_disk(capsys, tmp_path):
    """On main, every command (even `list`) said the store was damaged ("unable to open
    database file"), exit 2, and offered a restore."""
    with small_disk(tmp_path / "disk") as disk:
        data = disk / "data"
        assert run(capsys, "--data-dir", str(data), "import", str(EXAMPLE))[0] == 0
        make_read_only(disk)
        assert_reads_and_refuses_writes(capsys, tmp_path, data, *READ_ONLY)


def test_reading_commands_work_on_a_full_disk_and_writing_once_space_is_freed(capsys, tmp_path):
    """On main: "damaged (disk I/O error)", exit 2, for every command."""
    with small_disk(tmp_path / "disk") as disk:
        data = disk / "data"
        assert run(capsys, "--data-dir", str(data), "import", str(EXAMPLE))[0] == 0
        fill(disk)
        assert_reads_and_refuses_writes(capsys, tmp_path, data, *FULL)
        (disk / "filler").unlink()
        code, _, err = run(capsys, "--data-dir", str(data), "import", "--replace", str(EXAMPLE))
        assert (code, err) == (0, "")
        assert [p.name.endswith("-daily.sqlite3") for p in (data / "backups").iterdir()] == [True]


def test_a_store_with_entries_only_in_its_journal_on_a_read_only_disk_is_not_copied_elsewhere(
    capsys, tmp_path
):
    """A kill between a commit and its checkpoint leaves entries in the -wal alone; a read-only
    connection cannot replay it without its index (-shm), which a read-only disk cannot hold.
    Patient data is never copied to the shared temporary folder to read it: one line says to
    copy the data folder to a writable disk, and nothing is changed or lost."""
    source = tmp_path / "source"
    assert run(capsys, "--data-dir", str(source), "import", str(EXAMPLE))[0] == 0
    writer = sqlite3.connect(source / "tacrocalc.sqlite3", isolation_level=None)
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("UPDATE patients SET name = 'Only In The Journal' WHERE id = 'H123'")
    with small_disk(tmp_path / "disk") as disk:
        data = disk / "data"
        data.mkdir(mode=0o700)
        for suffix in ("", "-wal"):  # as a kill leaves them: no -shm
            shutil.copyfile(
                source / f"tacrocalc.sqlite3{suffix}", data / f"tacrocalc.sqlite3{suffix}"
            )
        wal = (data / "tacrocalc.sqlite3-wal").read_bytes()
        assert wal
        writer.close()
        make_read_only(disk)
        temporary = set(Path(tempfile.gettempdir()).iterdir())
        code, out, err = run(capsys, "--data-dir", str(data), "list")
        assert (code, out) == (3, "")
        assert err.count("\n") == 1 and "entries still in its journal" in err
        assert "copy the whole data folder to a disk you can write to" in err
        assert set(Path(tempfile.gettempdir()).iterdir()) == temporary
        assert (data / "tacrocalc.sqlite3-wal").read_bytes() == wal
        assert sorted(p.name for p in data.iterdir()) == [
            "tacrocalc.sqlite3",
            "tacrocalc.sqlite3-wal",
        ]


def test_an_unwritable_backups_folder_skips_the_daily_backup_with_one_notice(capsys, tmp_path):
    """On main: every command failed, "Could not prepare …", exit 3."""
    data = tmp_path / "data"
    assert run(capsys, "--data-dir", str(data), "import", str(EXAMPLE))[0] == 0
    with small_disk(data / "backups") as backups:
        make_read_only(backups)
        code, out, err = run(capsys, "--data-dir", str(data), "list")
        assert code == 0 and out.startswith("H123 ")
        assert err.startswith(
            f"note: No daily backup was made today. Could not write the backup {backups}/"
        )
        assert err.endswith(
            "-daily.sqlite3 (Read-only file system): the disk or folder is read-only; use a"
            " folder you can write to.\n"
        )
        assert err.count("\n") == 1
        code, out, err = run(capsys, "--data-dir", str(data), "import", "--replace", str(EXAMPLE))
        assert code == 0 and out.startswith("imported H123")  # the store itself is writable


def test_a_folder_and_store_this_user_may_not_change_are_read_and_left_as_they_are(
    capsys, tmp_path, monkeypatch
):
    """A data folder set 0500 and its store 0400 (an administrator's read-only copy): read, not
    written, and not chmod-ed back to 0700/0600."""
    data = tmp_path / "data"
    store = data / "tacrocalc.sqlite3"
    assert run(capsys, "--data-dir", str(data), "import", str(EXAMPLE))[0] == 0
    store.chmod(0o400)
    data.chmod(0o500)
    if os.geteuid() == 0:  # root may write whatever the bits say: the check of them is tested
        real_access = os.access
        monkeypatch.setattr(
            os, "access", lambda p, mode, **kw: not mode & os.W_OK and real_access(p, mode, **kw)
        )
    try:
        assert_reads_and_refuses_writes(capsys, tmp_path, data, *NOT_MINE)
        assert stat.S_IMODE(data.stat().st_mode) == 0o500
        assert stat.S_IMODE(store.stat().st_mode) == 0o400
        if os.geteuid() != 0:  # root could make the journal's files: nobody else can
            assert sorted(p.name for p in data.iterdir()) == ["tacrocalc.sqlite3"]
    finally:
        data.chmod(0o700)


def test_no_store_on_a_read_only_disk_is_one_line_not_an_empty_store(capsys, tmp_path):
    with small_disk(tmp_path / "disk") as disk:
        (disk / "data").mkdir(mode=0o700)
        make_read_only(disk)
        code, out, err = run(capsys, "--data-dir", str(disk / "data"), "list")
        assert (code, out) == (3, "")
        assert err == (
            f"error: There is no patient store in {disk / 'data'}, and none can be made: that"
            f" folder {READ_ONLY[0]}; {READ_ONLY[1]}.\n"
        )
