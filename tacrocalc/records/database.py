"""The patient store's file: one SQLite file in the user's data folder, never losing an entry.

- WAL journal with `synchronous=FULL`: a write whose call has returned survives a crash or a
  power cut. One connection per store, every write one transaction, folded into the file at
  once and the journal emptied (checkpoint TRUNCATE, not waiting for readers); `checkpoint`
  does it again when the window is idle, and `close` on closing, so the main file alone holds
  every entry.
- A write is made only to the file that is really at the store's path: before each commit the
  file's identity (device, inode) and header are checked against those of the file opened, and
  whether its bytes changed other than through SQLite since this process last looked (a copy
  of a store written over it in place), and whether its journal index is still the one beside
  it; a store replaced, deleted or overwritten since, or its journal deleted, is refused
  (`StoreReplaced`), never reported saved.
- What TacroCalc creates (folders, the store, its journal, backups) is readable by the user
  alone (0700, 0600) under any umask. A folder or file that exists is left with the permissions
  it has; a data folder that belongs to another user or that other users can change is refused
  and explained (`StoreShared`): TacroCalc keeps one user's patients.
- The schema is versioned with `PRAGMA user_version` and the file marked as TacroCalc's with
  `PRAGMA application_id`; each migration (`schema`) runs in one transaction, and the file is
  copied before it runs. A file from a newer TacroCalc is refused untouched; a damaged file is
  never written to. A 0-byte, truncated or missing store beside backups is damaged, not new.
- A copy goes to backups/ the first time the store is opened each local day (under a lock, so
  two processes starting together make one); 7 are kept, and the rotation never deletes the
  last backup that passes `PRAGMA integrity_check`.
- On a read-only or full disk, or in a folder or file this user may not change, the store is
  opened for reading only (`ReadOnlyStore`, see `open_reading`): without the daily backup (a
  notice says so), every write refused with what to do. A daily backup that cannot be written
  is skipped with a notice; reading and writing go on. A file that cannot be read for a fault
  of the computer is never called damaged.
- `restore` checks that the file is a TacroCalc store, refuses while the store is open
  elsewhere (a window, a command), copies it beside the store, syncs it and puts it in place
  with one rename: a kill at any moment leaves the old store or the new one.

What is in the tables is not known here: see `tables` and `store`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sqlite3
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from tacrocalc.records.migrate import SCHEMA_VERSION
from tacrocalc.records.schema import LAST_LEGACY_VERSION, MIGRATIONS

if sys.platform != "win32":
    import fcntl

DB_NAME: Final = "tacrocalc.sqlite3"
BACKUP_DIR: Final = "backups"
SQLITE_HEADER: Final = b"SQLite format 3\x00"
DAILY_BACKUPS_KEPT: Final = 7
# "TacR" in the header's application id (bytes 68-71): a TacroCalc store, not another
# application's SQLite file. Stores written before it was set have 0 there.
APPLICATION_ID: Final = 0x54616352
# How long opening waits for a restore, and a restore for the commands using the store.
LOCK_WAIT_S: Final = 5.0
RESTORE_WAIT_S: Final = 2.0


class StoreError(Exception):
    """The store cannot be used; the message says why in words a user can act on."""


class StoreUnavailable(StoreError):
    """A fault of the computer rather than of what the user typed: permissions, a full or
    read-only disk, the store busy or shared. The message names the file and what to do."""


class StoreShared(StoreUnavailable):
    def __init__(self, folder: Path, why: str) -> None:
        super().__init__(
            f"{folder} is shared ({why}): TacroCalc keeps one user's patients in its data folder,"
            " so it has not opened or changed it. For a ward, use the ward server; for your own"
            " patients, use a folder only you can change."
        )
        self.folder = folder


class StoreBusy(StoreUnavailable):
    pass


class StoreReplaced(StoreUnavailable):
    """The file at the store's path is not the one this process opened: nothing was saved."""

    def __init__(self, path: Path, what: str) -> None:
        super().__init__(
            f"Not saved: {path} {what} since TacroCalc opened it (by a restore or outside"
            " TacroCalc). What you typed is still on the screen: note it, close TacroCalc and"
            " open it again, then enter it again."
        )
        self.path = path


class NotABackup(StoreError):
    """A file given to `restore` that cannot be a store: nothing was changed."""

    def __init__(self, source: Path, reason: str) -> None:
        super().__init__(f"{source} cannot be restored: {reason}. Nothing was changed.")
        self.source, self.reason = source, reason


class StoreTooNew(StoreError):
    def __init__(self, path: Path, version: int) -> None:
        super().__init__(
            f"{path} was written by a newer TacroCalc (data format {version}; this one reads up "
            f"to {SCHEMA_VERSION}). It has not been changed. Use the newer TacroCalc."
        )
        self.path, self.version = path, version


class StoreDamaged(StoreError):
    def __init__(self, path: Path, reason: str, backup: Path | None) -> None:
        super().__init__(
            f"{path} is damaged ({reason}) and has not been written to. {_hint(backup)}"
        )
        self.path, self.reason, self.backup = path, reason, backup


class StoreMissing(StoreDamaged):
    """No store, but backups of one: lost, not new (a new store's daily backups would rotate
    the good ones away)."""

    def __init__(self, path: Path, backup: Path) -> None:
        StoreError.__init__(
            self,
            f"{path} is missing, but {path.parent / BACKUP_DIR} holds backups of it. "
            f"{_hint(backup)} To start an empty store instead, move that backups folder away.",
        )
        self.path, self.reason, self.backup = path, "missing", backup


def _hint(backup: Path | None) -> str:
    if backup is None:
        return "No backup was found."
    return f"The most recent backup is {backup}; `tacrocalc restore {backup}` restores it."


class ReadOnlyStore(StoreUnavailable):
    """The store can be read but not written: a read-only disk, a folder or file this user may
    not change, a full disk. It is opened read-only; every write is refused with this."""

    def __init__(self, path: Path, why: str, advice: str) -> None:
        super().__init__(f"Not saved: {path} {why}, so TacroCalc opened it read-only; {advice}.")
        self.path, self.why, self.advice = path, why, advice
        # What the window's status bar says while it is open.
        self.status = f"Read-only: {path} {why}; patients can be read, printed and exported."
        # What a command says on opening it (one line on stderr).
        self.notice = (
            f"{path} {why}: opened read-only, without the daily backup; nothing can be saved."
        )


def read_only_disk(path: Path) -> ReadOnlyStore:
    return ReadOnlyStore(
        path,
        "is on a read-only disk",
        "copy the data folder to a disk you can write to, or have that disk made writable",
    )


def full_disk(path: Path) -> ReadOnlyStore:
    return ReadOnlyStore(
        path, "is on a full disk", "free some space on that disk, then open TacroCalc again"
    )


def not_writable(path: Path) -> ReadOnlyStore:
    return ReadOnlyStore(
        path,
        "cannot be changed by this user",
        "ask for permission to write to that folder and file, or use a folder you can write to",
    )


# Below this much free space a disk error is taken for a full disk (SQLite often says only
# "disk I/O error" when it cannot grow a file).
_NEARLY_FULL_BYTES: Final = 1 << 20


def _disk_full(path: Path) -> bool:
    for place in (path, *path.parents):
        try:
            return shutil.disk_usage(place).free < _NEARLY_FULL_BYTES
        except OSError:
            continue
    return False


def environment_fault(error: OSError | sqlite3.Error, path: Path, doing: str) -> StoreUnavailable:
    """An OSError or SQLite error while `doing` something with `path`, in one sentence."""
    text = str(error) if isinstance(error, sqlite3.Error) else (error.strerror or str(error))
    code = getattr(error, "errno", None)
    if code == errno.ENOSPC or "full" in text or ("I/O" in text and _disk_full(path)):
        advice = "free some space on that disk, then try again"
    elif code == errno.EROFS or "readonly" in text or "read-only" in text:
        advice = "the disk or folder is read-only; use a folder you can write to"
    elif code in (errno.EACCES, errno.EPERM) or "unable to open" in text:
        advice = "check that this user may read and write that folder"
    else:
        advice = "check the disk, then try again"
    return StoreUnavailable(f"Could not {doing} {path} ({text}): {advice}.")


# -- health ---------------------------------------------------------------------------------


def backups(folder: Path) -> list[Path]:
    """The backups of the store in `folder`, oldest first; never a file set aside by a restore
    (it may be the very file that was damaged)."""
    found = [
        p
        for p in (folder / BACKUP_DIR).glob("tacrocalc-*.sqlite3")
        if not p.stem.endswith("-replaced")
    ]
    return sorted(found, key=lambda p: (p.stat().st_mtime, p.name))


def latest_backup(folder: Path) -> Path | None:
    """The newest backup to restore; never a file set aside by a restore."""
    found = backups(folder)
    return found[-1] if found else None


def _truncation(path: Path, header: bytes) -> str | None:
    """Why the file is shorter than its header says, or None. Only meaningful with no journal
    left to replay (a checkpoint cut short is finished from the -wal)."""
    wal = Path(f"{path}-wal")
    if len(header) < 100 or (wal.exists() and wal.stat().st_size > 0):
        return None
    if header[24:28] != header[92:96]:  # the page count is valid only when these agree
        return None
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    expected = page_size * int.from_bytes(header[28:32], "big")
    size = path.stat().st_size
    return f"it is truncated: {size} of {expected} bytes" if size < expected else None


# SQLite's primary result codes meaning the file itself is damaged or not a database; the
# others (cannot open, disk I/O, full, read-only, permission) are faults of the computer.
_DAMAGE_CODES: Final = frozenset({11, 26})  # SQLITE_CORRUPT, SQLITE_NOTADB
# Codes with which an in-place read-only connection fails when the folder cannot hold the
# shared-memory index (-shm) of the journal, or a journal must be replayed first.
_NO_INDEX_CODES: Final = frozenset({3, 8, 10, 13, 14})  # PERM, READONLY, IOERR, FULL, CANTOPEN


def _primary_code(error: sqlite3.Error) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def _is_damage(error: sqlite3.Error) -> bool:
    code = _primary_code(error)
    return code is None or code in _DAMAGE_CODES


def _probe(database: str) -> sqlite3.Connection:
    """A connection that has read the schema (so that the journal, its index, a hot journal
    were met), made query-only."""
    db = sqlite3.connect(
        database, uri=database.startswith("file:"), isolation_level=None, check_same_thread=False
    )
    try:
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        db.execute("PRAGMA query_only=ON")
    except BaseException:
        db.close()
        raise
    return db


def _holds(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def open_reading(path: Path, cleanup: contextlib.ExitStack) -> sqlite3.Connection:
    """A query-only connection to the store at `path` that writes nothing into its folder when
    it cannot (a read-only or full disk, a folder this user may not change):

    1. in place (`mode=ro`), sharing the journal with any writer;
    2. when no journal holds entries but the folder cannot hold the journal's index (-shm):
       `immutable`, the main file alone, which then holds every entry;
    3. when a journal left by a kill must be replayed first, which a read-only connection
       cannot do: a private copy of the file and its journal in the store's folder, removed by
       `cleanup`. Patient data is never copied anywhere else (the system's temporary folder
       is shared): when the store's folder cannot hold the copy either, `StoreUnavailable`.
    """
    try:
        return _probe(f"file:{path}?mode=ro")
    except sqlite3.DatabaseError as error:
        if _primary_code(error) not in _NO_INDEX_CODES:
            raise
    journals = [s for s in ("-wal", "-journal") if _holds(Path(f"{path}{s}"))]
    if not journals:
        return _probe(f"file:{path}?mode=ro&immutable=1")
    try:
        folder = cleanup.enter_context(
            tempfile.TemporaryDirectory(dir=path.parent, prefix=".check-")
        )
    except OSError:
        raise StoreUnavailable(
            f"{path} has entries still in its journal ({path.name}-wal), which TacroCalc"
            " cannot read on a disk it cannot write to. Nothing was changed: copy the whole"
            " data folder to a disk you can write to and open it there."
        ) from None
    copy = Path(folder) / path.name
    shutil.copyfile(path, copy)
    for suffix in journals:
        shutil.copyfile(f"{path}{suffix}", f"{copy}{suffix}")
    return _probe(str(copy))


@contextlib.contextmanager
def reading(path: Path) -> Iterator[sqlite3.Connection]:
    """`open_reading` for the length of a `with` block."""
    with contextlib.ExitStack() as cleanup:
        db = open_reading(path, cleanup)
        cleanup.callback(db.close)
        yield db


def check_health(path: Path, *, thorough: bool = True) -> tuple[int, str | None]:
    """(schema version, None) for a sound file, or (0, the reason it is damaged). Never writes
    to the file nor, when it cannot, beside it (see `open_reading`). A file that cannot be read
    for a fault of the computer (a full disk, a permission) is not damaged: `StoreUnavailable`.

    `thorough` runs `PRAGMA integrity_check`; otherwise `quick_check`, which skips the
    cross-checks of indexes against tables and takes about 40 % of the time (0.24 s against
    0.58 s for 10,000 patients of 100 observations).
    """
    with path.open("rb") as handle:
        header = handle.read(100)
    if header[: len(SQLITE_HEADER)] != SQLITE_HEADER:
        return 0, "not an SQLite database"
    truncated = _truncation(path, header)
    if truncated is not None:
        return 0, truncated
    try:
        with reading(path) as db:
            return _run_check(db, thorough)
    except sqlite3.DatabaseError as error:
        if _is_damage(error):
            return 0, str(error)
        raise environment_fault(error, path, "read") from None
    except OSError as error:  # the copy of a store left with a journal could not be made
        raise environment_fault(error, path, "read") from None


def _run_check(db: sqlite3.Connection, thorough: bool) -> tuple[int, str | None]:
    check = "integrity_check" if thorough else "quick_check"
    result = db.execute(f"PRAGMA {check}").fetchall()
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if result != [("ok",)]:
        return 0, "; ".join(str(r[0]) for r in result[:3])
    return version, None


def check_backup(source: Path) -> int:
    """The schema version of `source` when it is a sound TacroCalc store that this TacroCalc
    reads; otherwise `NotABackup` (or `StoreTooNew`) saying why."""
    if not source.exists():
        raise NotABackup(source, "there is no such file")
    if source.is_dir():
        raise NotABackup(source, "it is a folder, not a backup file")
    if not source.is_file():
        raise NotABackup(source, "it is not a regular file")
    try:
        version, damage = check_health(source)
    except OSError as error:
        raise NotABackup(source, error.strerror or str(error)) from None
    if damage is not None:
        raise NotABackup(source, f"it is damaged or not a database ({damage})")
    if version > SCHEMA_VERSION:
        raise StoreTooNew(source, version)
    with reading(source) as db:
        application = int(db.execute("PRAGMA application_id").fetchone()[0])
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if application not in (0, APPLICATION_ID):
        raise NotABackup(source, "it is another application's database")
    if version == 0 or not {"patients", "audit"} <= names:
        what = "an empty database" if not names else "another application's database"
        raise NotABackup(source, f"it is {what}, not a TacroCalc store")
    return version


# -- folders, locks, files ------------------------------------------------------------------


def _make_private_folders(folder: Path) -> None:
    """`folder` and each missing folder above it, created 0700 whatever the umask."""
    missing = []
    for path in (folder, *folder.parents):
        if path.exists():
            break
        missing.append(path)
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):
            path.mkdir(mode=0o700)


def prepare_folder(folder: Path) -> Path:
    """The data folder, created private when missing; an existing one is checked, never
    changed (`StoreShared` when another user owns it or other users can change it)."""
    folder = Path(folder)
    try:
        info = folder.stat()
    except FileNotFoundError:
        try:
            _make_private_folders(folder)
        except OSError as error:
            raise environment_fault(error, folder, "create the folder") from None
        return folder
    except OSError as error:
        raise environment_fault(error, folder, "open the folder") from None
    if not stat.S_ISDIR(info.st_mode):
        raise StoreError(f"{folder} is a file, not a folder: name a folder for the patient data.")
    if sys.platform != "win32":
        mode = stat.S_IMODE(info.st_mode)
        if info.st_uid != os.geteuid():
            raise StoreShared(folder, f"it belongs to another user, uid {info.st_uid}")
        if mode & 0o022:
            raise StoreShared(folder, f"other users can change it: mode {mode:o}")
    return folder


@contextlib.contextmanager
def _folder_lock(folder: Path, *, exclusive: bool, wait: float) -> Iterator[None]:
    """A lock on the folder itself (flock): the open stores hold it shared, a restore and the
    daily backup exclusive. `StoreBusy` when not had within `wait` seconds. Where the system
    has no such lock (Windows, some network disks), nothing is locked."""
    if sys.platform == "win32":
        yield
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        kind = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, kind | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreBusy(f"{folder} is in use by another TacroCalc") from None
                time.sleep(0.05)
            except OSError:  # no flock here: go on unlocked
                break
        yield
    finally:
        os.close(fd)


def _private_file(folder: Path, name: str) -> Path:
    """A new empty file in `folder` readable by the user alone, named `.name.XXXX.partial`."""
    handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".partial", dir=folder)
    os.close(handle)
    return Path(temporary)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # a folder cannot be opened for that on Windows
        _fsync(folder)


def _copy_database(source: sqlite3.Connection, folder: Path, name: str) -> Path:
    """A consistent copy of `source` through SQLite's backup API into a new private file in
    `folder`, synced. Nothing is left behind when it fails."""
    partial = _private_file(folder, name)
    try:
        with contextlib.closing(sqlite3.connect(partial)) as target:
            source.backup(target)
        _fsync(partial)
    except BaseException:
        partial.unlink(missing_ok=True)
        Path(f"{partial}-journal").unlink(missing_ok=True)
        raise
    return partial


def _identity(info: os.stat_result) -> tuple[int, int]:
    return info.st_dev, info.st_ino


def _file_state(path: Path) -> tuple[int, int, int] | None:
    """Size and times of last change of a file's bytes and of its inode; None when absent. A
    copy written over it changes them, even one that keeps the times of its source (cp -p)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns, info.st_ctime_ns


def _journal_index(fd: int | None) -> bytes | None:
    """What SQLite's journal index (the -shm file, open as `fd`) says of the store's journal:
    its header (bytes 0-47: a counter of transactions, the journal's frame count, its salts
    and checksums), how much of the journal is folded into the file (bytes 96-99) and how much
    a fold under way is folding (bytes 128-131, set before it writes to the file), as laid out
    in SQLite's WAL file format (https://sqlite.org/walformat.html, "the wal-index header" and
    "the checkpoint information"). Every commit and checkpoint made through SQLite, by any
    process, changes it; bytes written into the store's file by anything else (cp, cat, a sync
    tool) do not."""
    if fd is None:
        return None
    try:
        head = os.pread(fd, 132, 0)
    except OSError:
        return None
    return head[:48] + head[96:100] + head[128:132] if len(head) == 132 else None


def _open_quietly(path: Path | str) -> int | None:
    """A descriptor to read `path` through for as long as the store is open, or None.

    The store's file and its journal index are read only through descriptors opened once and
    closed after SQLite's connection: SQLite locks them with POSIX advisory locks, which a
    process loses on every descriptor of the file when it closes any one of them (the
    SQLite documentation, "How To Corrupt An SQLite Database File", 2.2). Opening and closing
    the -shm file to read it dropped this process's locks on it, and a second TacroCalc
    writing at the same time then lost entries reported saved."""
    try:
        return os.open(path, os.O_RDONLY)
    except OSError:
        return None


@dataclass(frozen=True, slots=True)
class _Seen:
    """The store's file as this process last left it or found it changed through SQLite."""

    file: tuple[int, int, int] | None
    index: bytes | None


# -- the open file --------------------------------------------------------------------------

# The audit entry that tells one store, and one state of it, from another (see `_same_lineage`).
_LINEAGE: Final = "SELECT id, at, os_user, action, entity_id FROM audit"

_ABANDONED: list[sqlite3.Connection | int] = []  # connections and descriptors never closed


class Database:
    """The store file in `folder` (created readable by the user alone), checked, opened,
    backed up for the day and migrated to the current schema."""

    def __init__(
        self, folder: Path, *, clock: Callable[[], datetime], daily_backup: bool = True
    ) -> None:
        self.folder = prepare_folder(Path(folder))
        self.path = self.folder / DB_NAME
        self._clock = clock
        self._lock = contextlib.ExitStack()
        try:
            self._lock.enter_context(_folder_lock(self.folder, exclusive=False, wait=LOCK_WAIT_S))
            self._open(daily_backup)
        except BaseException:
            self._lock.close()
            raise

    def _open(self, daily_backup: bool) -> None:
        # Why nothing can be written (a read-only or full disk, no permission): the store is
        # then opened for reading only, and every write refused with this.
        self.read_only: ReadOnlyStore | None = None
        # One line each for the user: what was not done while opening (the daily backup).
        self.notices: list[str] = []
        self._reading = contextlib.ExitStack()
        self._broken: StoreReplaced | None = None
        self._seen: _Seen | None = None  # see `_look`
        self._audit: tuple[object, ...] | None = None  # the newest audit entry known
        self._others_wrote = False  # since this process last wrote: see `_same_lineage`
        self._file_fd: int | None = None  # the store's file and its -shm: see `_open_quietly`
        self._index_fd: int | None = None
        try:
            self._remove_partials(self.folder)
            version = self._check(daily_backup=daily_backup)
        except OSError as error:
            raise environment_fault(error, self.path, "open") from None
        refusal = self._unwritable()
        if refusal is None:
            try:
                self._connect()
            except (OSError, sqlite3.OperationalError) as error:
                fault = environment_fault(error, self.path, "open")
                if not version or not _disk_full(self.path):
                    raise fault from None
                refusal = full_disk(self.path)  # the journal's index could not be made
        if refusal is not None:
            self._open_read_only(version, refusal)
            return
        self._opened = _identity(os.stat(self.path))
        self._file_fd = _open_quietly(self.path)
        try:
            if version and daily_backup and version == SCHEMA_VERSION:
                try:
                    self._daily_backup()
                except (OSError, sqlite3.Error, StoreUnavailable) as error:  # the rest goes on
                    fault = (
                        error
                        if isinstance(error, StoreUnavailable)
                        else environment_fault(error, self.folder / BACKUP_DIR, "write to")
                    )
                    self.notices.append(f"No daily backup was made today. {fault}")
            self._migrate(version)
        except (OSError, sqlite3.OperationalError) as error:
            self.connection.close()
            self._close_descriptors()
            raise environment_fault(error, self.path, "prepare") from None
        self._look()

    def _connect(self) -> None:
        """The one writing connection (the store created first when there is none)."""
        if not self.path.exists():  # created here, so private whatever the umask (SQLite
            # gives its -wal and -shm the permissions of the database file)
            os.close(os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        self.connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            self.connection.execute("PRAGMA busy_timeout=5000")
            self.connection.execute("PRAGMA journal_mode=WAL")
            self.connection.execute("PRAGMA synchronous=FULL")
            self.connection.execute("PRAGMA foreign_keys=ON")
        except BaseException:
            self.connection.close()
            raise

    def _unwritable(self) -> ReadOnlyStore | None:
        """Why the store cannot be written, known before trying: a disk mounted read-only, a
        folder or file this user may not change (the -wal and -shm files go beside it)."""
        with contextlib.suppress(OSError, AttributeError):  # no statvfs on Windows
            if os.statvfs(self.folder).f_flag & os.ST_RDONLY:
                return read_only_disk(self.path)
        exists = self.path.exists()
        if not os.access(self.folder, os.W_OK) or (exists and not os.access(self.path, os.W_OK)):
            return not_writable(self.path)
        return None

    def _open_read_only(self, version: int, refusal: ReadOnlyStore) -> None:
        """Open the store for reading only, or say why even that cannot be done."""
        if not version:
            raise StoreUnavailable(
                f"There is no patient store in {self.folder}, and none can be made: that folder"
                f" {refusal.why}; {refusal.advice}."
            )
        if version != SCHEMA_VERSION:
            raise StoreUnavailable(
                f"{self.path} must be updated to this TacroCalc's data format, which cannot be"
                f" done: it {refusal.why}; {refusal.advice}."
            )
        try:
            self.connection = open_reading(self.path, self._reading)
            self._opened = _identity(os.stat(self.path))
            self._file_fd = _open_quietly(self.path)
        except (OSError, sqlite3.Error) as error:
            self._reading.close()
            raise environment_fault(error, self.path, "read") from None
        self.read_only = refusal
        self.notices.append(refusal.notice)

    def _check(self, *, daily_backup: bool) -> int:
        """The schema version of the file there (0 for none), or StoreDamaged, StoreTooNew."""
        if not self.path.exists():
            backup = latest_backup(self.folder)
            if backup is not None:
                raise StoreMissing(self.path, backup)
            return 0
        if self.path.stat().st_size == 0:
            backup = latest_backup(self.folder)
            if backup is not None:  # an emptied store, not a new one: never rotate backups away
                raise StoreDamaged(self.path, "the file is empty (0 bytes)", backup)
            return 0
        # The whole integrity check on the first open of the day (before its backup), the
        # quick one on the others.
        thorough = not daily_backup or not self._backed_up_today()
        version, damage = check_health(self.path, thorough=thorough)
        if damage is not None:
            raise StoreDamaged(self.path, damage, latest_backup(self.folder))
        if version > SCHEMA_VERSION:
            raise StoreTooNew(self.path, version)
        return version

    @staticmethod
    def _remove_partials(folder: Path) -> None:
        """Copies cut short by a kill: a restore's at once (no restore runs while a store is
        open), the others' after an hour (another process may be writing one now)."""
        now = time.time()
        for place in (folder, folder / BACKUP_DIR):
            for leftover in place.glob(".*.partial*"):
                with contextlib.suppress(OSError):
                    restoring = leftover.name.startswith(f".{DB_NAME}.")
                    if restoring or now - leftover.stat().st_mtime > 3600:
                        leftover.unlink()

    def close(self) -> None:
        if self.read_only is not None:
            self.connection.close()
            self._close_descriptors()
            self._reading.close()
            self._lock.close()
            return
        moved = self._broken or self._still_here()
        if moved is not None:
            # Closing would make SQLite delete the -wal and -shm found at the store's path,
            # which are now another store's: the connection (and the descriptors that would
            # drop its locks when closed) is left open until the process ends.
            _ABANDONED.append(self.connection)
            _ABANDONED.extend(fd for fd in (self._file_fd, self._index_fd) if fd is not None)
        else:
            with contextlib.suppress(sqlite3.Error):
                self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.connection.close()
            self._close_descriptors()
        self._lock.close()

    def _close_descriptors(self) -> None:
        """Once SQLite's connection is closed (see `_open_quietly`)."""
        for fd in (self._file_fd, self._index_fd):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._file_fd = self._index_fd = None

    def checkpoint(self) -> bool:
        """Fold the whole journal into the database file and empty it (TRUNCATE), so the file
        alone holds every entry. False when a reader kept it from finishing (try later) or the
        store is no longer the file opened."""
        if self.read_only is not None:
            return True  # nothing was written through this store
        if self._broken is not None or self._still_here() is not None:
            return False
        wal = Path(f"{self.path}-wal")
        if not wal.exists() or wal.stat().st_size == 0:
            return True  # nothing to fold in
        folded = self._fold_in()
        self._look()
        return folded

    def _fold_in(self) -> bool:
        """Checkpoint (TRUNCATE) without waiting for readers: True when the journal is empty."""
        db = self.connection
        try:
            db.execute("PRAGMA busy_timeout=0")
            try:
                busy = int(db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0])
            finally:
                db.execute("PRAGMA busy_timeout=5000")
        except sqlite3.OperationalError:
            return False
        return busy == 0

    def _still_here(self) -> StoreReplaced | None:
        """Why the file at the store's path is not the one opened (or its header not that of a
        TacroCalc store), or None."""
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            if not self.folder.exists():
                return StoreReplaced(self.path, "was deleted with its folder")
            return StoreReplaced(self.path, "was deleted")
        except OSError:
            return StoreReplaced(self.path, "can no longer be read")
        if _identity(info) != self._opened:
            return StoreReplaced(self.path, "was replaced by another file")
        try:  # the file at the path is the one opened: read through the descriptor kept
            header = (
                os.pread(self._file_fd, 72, 0)
                if self._file_fd is not None
                else self.path.read_bytes()[:72]
            )
        except OSError:
            return StoreReplaced(self.path, "can no longer be read")
        # The id may still be 0 in the file while the page that marks it waits in the -wal.
        if header[:16] != SQLITE_HEADER or int.from_bytes(header[68:72], "big") not in (
            0,
            APPLICATION_ID,
        ):
            return StoreReplaced(self.path, "was overwritten")
        if self._journal_gone():
            return StoreReplaced(self.path, "lost its journal files (-wal, -shm)")
        if self._overwritten_in_place():
            self._set_journal_aside()
            return StoreReplaced(self.path, "was overwritten by a copy of a store")
        return None

    def _set_journal_aside(self) -> None:
        """After a copy was written over the store: entries of the old store still in the
        journal (a reader kept the last fold from finishing) would be replayed onto the copy
        at the next open and damage it. The journal goes into backups/ (never offered as a
        backup: not a store) and its index is removed, so that the copy opens as it is."""
        wal = Path(f"{self.path}-wal")
        if not _holds(wal):
            return
        folder = self.folder / BACKUP_DIR
        stamp = self._local_now().strftime("%Y%m%dT%H%M%S")
        with contextlib.suppress(OSError):
            folder.mkdir(exist_ok=True, mode=0o700)
            os.replace(wal, folder / f"tacrocalc-{stamp}-overwritten.sqlite3-wal")
            Path(f"{self.path}-shm").unlink(missing_ok=True)

    def _journal_gone(self) -> bool:
        """Whether the journal index this connection uses (the -shm file) is no longer the
        one beside the store: deleted, or deleted and made anew by another process. SQLite
        keeps it while any connection is open; without it, this connection and the others no
        longer see each other's writes, and one would write over what another saved."""
        if self._index_fd is None:
            return False
        try:
            at_path = _identity(os.stat(f"{self.path}-shm"))
        except OSError:
            return True
        return at_path != _identity(os.fstat(self._index_fd))

    def _observe(self) -> _Seen:
        if self._index_fd is None:  # made by SQLite on the first read in WAL mode
            self._index_fd = _open_quietly(f"{self.path}-shm")
        return _Seen(file=_file_state(self.path), index=_journal_index(self._index_fd))

    def _look(self) -> None:
        """Remember the store's file as this process leaves it (after opening, each write and
        each checkpoint), for `_overwritten_in_place`, with its newest audit entry, for
        `_same_lineage`."""
        self._seen = self._observe()
        try:
            self._audit = self.connection.execute(f"{_LINEAGE} ORDER BY id DESC LIMIT 1").fetchone()
        except sqlite3.Error:  # a store without an audit trail yet
            self._audit = None

    def _same_lineage(self, db: sqlite3.Connection) -> bool:
        """Whether the newest audit entry this process knew is still in the store, as it was.
        After another process wrote, the file changes with the journal index, and an overwrite
        in between cannot be told from the file; the audit trail, which is only ever added to,
        tells it: an older backup lacks the entry, another store has another at its place.
        Read in the write's transaction, after SQLite has dropped what it held of the store."""
        if self._audit is None:
            return True
        row = db.execute(f"{_LINEAGE} WHERE id = ?", (self._audit[0],)).fetchone()
        return bool(row == self._audit)

    def _overwritten_in_place(self) -> bool:
        """Whether the file's bytes were written since this process last looked by anything
        but SQLite: a copy of a store (another patient's, or an older backup) put over it with
        cp or cat keeps the file's identity and a TacroCalc header, but not its contents. This
        connection would go on from what it holds in memory of the old store and write pages
        of it into the new one (the write reported saved, the file left damaged).

        Another TacroCalc process writing the store changes the file too, but only by
        folding in its journal, whose index (`_journal_index`) says so before the file is
        touched: that is taken as a write and remembered."""
        seen = self._seen
        if seen is None or seen.index is None:
            return False
        now = self._observe()
        if now.file == seen.file:
            return False
        if now.index != seen.index:  # through SQLite: another TacroCalc wrote
            self._seen = now
            self._others_wrote = True
            return False
        return True

    def explain(self, error: BaseException) -> StoreError | None:
        """What an error met while using this store means for the user, or None when it is
        not the store's: the file replaced or gone, a full or read-only disk."""
        if isinstance(error, StoreError):
            return error
        if isinstance(error, sqlite3.Error | OSError):
            return self._broken or self._still_here() or environment_fault(error, self.path, "use")
        return None

    def _refuse_if_moved(self) -> None:
        if self._broken is None:
            self._broken = self._still_here()
        if self._broken is not None:
            raise self._broken

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction: all of it is written, or none of it; and only into the file that
        is at the store's path (checked before the transaction's first statement and again just
        before its commit: `StoreReplaced` otherwise)."""
        db = self.connection
        if self.read_only is not None:
            raise self.read_only
        self._refuse_if_moved()
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise environment_fault(error, self.path, "write to") from None
        try:
            if self._others_wrote:
                self._others_wrote = False
                if not self._same_lineage(db):
                    self._set_journal_aside()
                    self._broken = StoreReplaced(self.path, "was overwritten by a copy of a store")
                    raise self._broken
            yield db
            self._refuse_if_moved()
            db.execute("COMMIT")
        except BaseException as error:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            if isinstance(error, sqlite3.OperationalError):
                raise environment_fault(error, self.path, "write to") from None
            raise
        # Fold what was committed into the database file at once and empty the journal, so
        # that the file alone (copied to a stick, say) holds every entry reported saved, and a
        # file put in its place outside TacroCalc never meets this one's journal. A reader
        # keeps it from finishing only until the next write or the idle checkpoint.
        self._fold_in()
        self._look()

    @property
    def schema_version(self) -> int:
        return int(self.connection.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self, version: int) -> None:
        """Bring the store to the newest schema: an older SQLite store through the migrations
        written before Alembic (to schema 3), then Alembic's history; a new store by Alembic
        from its baseline. A copy of the file is made before each migration of a store in use."""
        self._broken = None
        if version:
            for target in range(version + 1, LAST_LEGACY_VERSION + 1):
                self.backup(self._backup_path(f"before-v{target}"))
                self._mark()
                with self.write() as db:
                    MIGRATIONS[target](db)
                    db.execute(f"PRAGMA user_version={target}")
            version = max(version, LAST_LEGACY_VERSION)
        if version < SCHEMA_VERSION:
            from tacrocalc.records.migrate import upgrade_sqlite

            if version:
                self.backup(self._backup_path(f"before-v{SCHEMA_VERSION}"))
            self._mark()
            self._refuse_if_moved()
            upgrade_sqlite(self.path, from_version=version)
        self._mark()

    def _mark(self) -> None:
        """Mark the file as a TacroCalc store (application id)."""
        db = self.connection
        if int(db.execute("PRAGMA application_id").fetchone()[0]) != APPLICATION_ID:
            db.execute(f"PRAGMA application_id={APPLICATION_ID}")

    # -- backups -----------------------------------------------------------------------------

    def backup(self, destination: Path) -> Path:
        """A consistent copy through SQLite's backup API, written atomically (a temporary file
        beside it, synced, renamed). A device or a pipe (/dev/stdout, a FIFO) is written
        straight through, never renamed over."""
        destination = Path(destination)
        if destination.exists() and any(
            destination.resolve() == Path(f"{self.path}{s}").resolve() for s in ("", "-wal", "-shm")
        ):
            raise StoreError(
                f"{destination} is the patient store itself: name another file for the backup."
            )
        if destination.is_dir():
            raise IsADirectoryError(
                errno.EISDIR, "a file name is needed, not a folder", str(destination)
            )
        if destination.exists() and not destination.is_file():
            return self._backup_through(destination)
        if not destination.parent.is_dir():
            raise FileNotFoundError(
                errno.ENOENT, "the folder does not exist", str(destination.parent)
            )
        try:
            partial = _copy_database(self.connection, destination.parent, destination.name)
        except (sqlite3.Error, OSError) as error:
            raise environment_fault(error, destination, "write the backup") from None
        try:
            os.replace(partial, destination)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        _fsync_folder(destination.parent)
        return destination

    def _backup_through(self, destination: Path) -> Path:
        """The copy made in the store's folder, then its bytes written to `destination`.
        Patient data is never copied to a shared place such as the system's temporary folder:
        when the store's folder cannot hold the copy, the backup is refused."""
        try:
            partial = _copy_database(self.connection, self.folder, "backup")
        except (sqlite3.Error, OSError) as error:
            raise environment_fault(error, self.folder, "write a copy in") from None
        try:
            with partial.open("rb") as source, destination.open("wb") as out:
                shutil.copyfileobj(source, out)
        finally:
            partial.unlink(missing_ok=True)
        return destination

    def _local_now(self) -> datetime:
        return self._clock().astimezone()  # the user's local date and time

    def _backup_path(self, label: str) -> Path:
        folder = self.folder / BACKUP_DIR
        folder.mkdir(exist_ok=True, mode=0o700)
        stamp = self._local_now().strftime("%Y%m%dT%H%M%S")
        return folder / f"tacrocalc-{stamp}-{label}.sqlite3"

    def _backed_up_today(self) -> bool:
        today = self._local_now().strftime("%Y%m%d")
        return any((self.folder / BACKUP_DIR).glob(f"tacrocalc-{today}T*-daily.sqlite3"))

    def _daily_backup(self) -> None:
        """The first time the store is opened each local day, a copy goes to backups/ (7
        kept). Two processes opening together make one: the second finds it made."""
        if self._backed_up_today():
            return
        folder = self.folder / BACKUP_DIR
        folder.mkdir(exist_ok=True, mode=0o700)
        try:
            lock = _folder_lock(folder, exclusive=True, wait=LOCK_WAIT_S)
            with lock:
                if self._backed_up_today():
                    return
                made = self.backup(self._backup_path("daily"))
                self._rotate(made)
        except StoreBusy:
            return  # another process is making it

    def _rotate(self, made: Path) -> None:
        """Keep the newest 7 daily backups; never delete the last backup that passes
        `PRAGMA integrity_check`, whichever it is."""
        daily = sorted((self.folder / BACKUP_DIR).glob("tacrocalc-*-daily.sqlite3"))
        old = daily[:-DAILY_BACKUPS_KEPT]
        if not old:
            return
        keep = None
        for candidate in [made, *reversed(backups(self.folder))]:
            if check_health(candidate)[1] is None:
                keep = candidate
                break
        for path in old:
            if path != keep:
                path.unlink(missing_ok=True)


# -- restore --------------------------------------------------------------------------------


def restore(
    folder: Path, source: Path, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> Path | None:
    """Replace the store in `folder` by the backup `source` (checked first: a TacroCalc store
    this TacroCalc reads, not the store itself). Refused with `StoreBusy` while a window or a
    command has the store open. The file replaced, sound or damaged, is copied aside into
    backups/ and its name returned.

    The new store is made complete and synced beside the old one first; the old one is copied
    aside; one rename then puts the new one in place. Killed at any moment, the folder holds a
    whole store: the old one or the new one."""
    folder, source = Path(folder), Path(source)
    target = folder / DB_NAME
    if (
        target.exists()
        and source.exists()
        and source.resolve()
        in {Path(f"{target}{suffix}").resolve() for suffix in ("", "-wal", "-shm")}
    ):
        raise StoreError(
            f"{source} is the patient store itself, not a backup; nothing was changed. Name a"
            f" file in {folder / BACKUP_DIR} or a copy made with `tacrocalc backup`."
        )
    check_backup(source)
    prepare_folder(folder)
    try:
        with _folder_lock(folder, exclusive=True, wait=RESTORE_WAIT_S):
            try:
                with reading(source) as src:
                    partial = _copy_database(src, folder, DB_NAME)
            except (sqlite3.Error, OSError) as error:
                raise environment_fault(error, folder, "copy the backup into") from None
            try:
                kept = _set_aside(target, clock) if target.exists() else None
                for suffix in ("-wal", "-shm"):  # must not meet the new file
                    Path(f"{target}{suffix}").unlink(missing_ok=True)
                os.replace(partial, target)
            finally:
                partial.unlink(missing_ok=True)
            _fsync_folder(folder)
    except StoreBusy:
        raise StoreBusy(
            f"{target} is open in another TacroCalc (a window or a command), so nothing was"
            " restored. Close it, then restore again."
        ) from None
    return kept


def _set_aside(target: Path, clock: Callable[[], datetime]) -> Path:
    """A copy of the store `target` in backups/, named "...-replaced"; a damaged store is copied
    byte for byte. Its -wal and -shm files are then removed: they must not meet the new file."""
    folder = target.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True, mode=0o700)
    stamp = clock().astimezone().strftime("%Y%m%dT%H%M%S")
    kept = folder / f"tacrocalc-{stamp}-replaced.sqlite3"
    number = 1
    while True:
        try:
            os.close(os.open(kept, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            break
        except FileExistsError:
            number += 1
            kept = folder / f"tacrocalc-{stamp}-{number}-replaced.sqlite3"
    try:
        with (
            contextlib.closing(sqlite3.connect(target)) as old,
            contextlib.closing(sqlite3.connect(kept)) as aside,
        ):
            old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            old.backup(aside)
    except sqlite3.DatabaseError:  # a damaged store is kept byte for byte
        shutil.copyfile(target, kept)
        for suffix in ("-wal", "-shm"):
            side = Path(f"{target}{suffix}")
            if side.exists():
                with (
                    side.open("rb") as source,
                    os.fdopen(
                        os.open(f"{kept}{suffix}", os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600),
                        "wb",
                    ) as out,
                ):
                    shutil.copyfileobj(source, out)
    _fsync(kept)
    for suffix in ("-wal", "-shm"):  # empty after the checkpoint; must not meet the new file
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    return kept
