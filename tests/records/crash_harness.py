"""Kill a process that is writing to the store, at random moments, and check nothing committed
was lost. Used by tests/records/test_crash.py (a few rounds) and bench/crash_test.py (50).

The writer adds observations one after another and prints each one's id once `add_observation`
has returned; the parent kills it with SIGKILL, then checks that the file passes
`PRAGMA integrity_check` and holds every id the writer printed.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

WRITER = """
import sys
from datetime import date, timedelta
from tacrocalc.domain.record import Creatinine, Patient
from tacrocalc.domain.units import q
from tacrocalc.records.protocol_files import load_protocol
from tacrocalc.records.store import Store

store = Store(sys.argv[1], protocol_for=load_protocol, user="crash", daily_backup=False)
today = date(2026, 6, 1)
if not store.exists("CRASH"):
    store.save_patient(Patient(id="CRASH", name="Crash Test", birth_date=None, sex=None),
                       protocol_id="seed-1997", today=today)
print("ready", flush=True)
n = 0
while True:
    n += 1
    written = store.add_observation(
        "CRASH", Creatinine(date=today - timedelta(days=n % 3000), value=q(50 + n % 100, "umol/L")),
        today=today)
    assert written.ok, written.issues
    print(written.id, flush=True)
"""


@dataclass
class Trial:
    reported: int  # ids the writer said were written before it was killed
    stored: int  # observations in the file afterwards
    lost: int  # reported but not stored: must be 0
    integrity: str


def one_trial(folder: Path, rng: random.Random) -> Trial:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        [sys.executable, "-c", WRITER, str(folder)], stdout=subprocess.PIPE, text=True, env=env
    ) as writer:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.4))
        writer.send_signal(signal.SIGKILL)
        rest = writer.stdout.read()  # what was printed before the kill is still in the pipe
        writer.wait()
    reported = {int(line) for line in rest.split()}
    db = sqlite3.connect(f"file:{folder / 'tacrocalc.sqlite3'}?mode=ro", uri=True)
    integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    stored = {row[0] for row in db.execute("SELECT id FROM observations")}
    db.close()
    return Trial(
        reported=len(reported), stored=len(stored), lost=len(reported - stored), integrity=integrity
    )


def run_trials(folder: Path, count: int, seed: int = 1) -> list[Trial]:
    rng = random.Random(seed)
    return [one_trial(folder, rng) for _ in range(count)]


# -- restore, import --replace and migration, each killed at random -------------------------

RESTORER = """
import sys
from tacrocalc.records.store import restore
folder, sources = sys.argv[1], sys.argv[2:]
print("ready", flush=True)
n = 0
while True:
    source = sources[n % len(sources)]
    restore(folder, source)
    print(source, flush=True)
    n += 1
"""

REPLACER = """
import sys
from dataclasses import replace
from datetime import date, timedelta
from tacrocalc.domain.record import Creatinine, make_record
from tacrocalc.domain.units import q
from tacrocalc.records.protocol_files import load_protocol
from tacrocalc.records.store import Store
from tests.seed_cases import case_3

store = Store(sys.argv[1], protocol_for=load_protocol, user="crash", daily_backup=False)
base = case_3()
print("ready", flush=True)
n = 0
while True:
    n += 1
    extra = tuple(
        Creatinine(date=date(1997, 1, 1) + timedelta(days=i), value=q(60, "umol/L"))
        for i in range(n % 40)
    )
    record = replace(base, observations=base.observations + extra)
    assert store.import_record(record, replace=True).ok
    print(len(record.observations), flush=True)
"""

MIGRATOR = """
import sys
from tacrocalc.records.protocol_files import load_protocol
from tacrocalc.records.store import Store
print("ready", flush=True)
Store(sys.argv[1], protocol_for=load_protocol, user="crash").close()
print("migrated", flush=True)
"""


@dataclass
class Kill:
    scenario: str
    reported: int  # writes (restores, replacements, migrations) reported done before the kill
    lost: int  # a store missing, unreadable, failing integrity_check or not as reported: 0
    note: str = ""


def _killed(script: str, args: list[str], rng: random.Random, most: float) -> list[str]:
    """Run `script`, kill it with SIGKILL at a random moment, return the lines it printed."""
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": root}
    with subprocess.Popen(
        [sys.executable, "-c", script, *args], stdout=subprocess.PIPE, text=True, env=env
    ) as process:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, most))
        process.send_signal(signal.SIGKILL)
        rest = process.stdout.read()
        process.wait()
    return rest.split()


def _open_after(folder: Path) -> tuple[sqlite3.Connection | None, str]:
    """The store as the next start finds it: (a read-only connection, "") or (None, why not)."""
    from tacrocalc.records.protocol_files import load_protocol
    from tacrocalc.records.store import Store, StoreError

    try:
        Store(folder, protocol_for=load_protocol, user="check", daily_backup=False).close()
    except StoreError as error:
        return None, str(error)
    db = sqlite3.connect(f"file:{folder / 'tacrocalc.sqlite3'}?mode=ro", uri=True)
    integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    if integrity != "ok":
        db.close()
        return None, integrity
    return db, ""


def restore_trial(folder: Path, sources: list[Path], rng: random.Random) -> Kill:
    """After the kill the store is whole and is one of the sources (old or new, never
    neither)."""
    done = _killed(RESTORER, [str(folder), *map(str, sources)], rng, 1.0)
    db, why = _open_after(folder)
    if db is None:
        return Kill("restore", len(done), 1, why)
    ids = {r[0] for r in db.execute("SELECT id FROM patients")}
    db.close()
    expected = [{_only_patient(s)} for s in sources]
    return Kill(
        "restore", len(done), 0 if ids in expected else 1, "" if ids in expected else f"{ids}"
    )


def _only_patient(source: Path) -> str:
    with contextlib.closing(sqlite3.connect(source)) as db:
        return str(db.execute("SELECT id FROM patients").fetchone()[0])


def replace_trial(folder: Path, rng: random.Random) -> Kill:
    """After the kill the patient is there whole, as the last replacement reported or as the
    next one (committed just before the kill, not yet printed): never half of one."""
    done = _killed(REPLACER, [str(folder)], rng, 1.0)
    db, why = _open_after(folder)
    if db is None:
        return Kill("import --replace", len(done), 1, why)
    count = db.execute("SELECT count(*) FROM observations WHERE patient_id = 'SEED-3'").fetchone()[
        0
    ]
    patients = db.execute("SELECT count(*) FROM patients WHERE id = 'SEED-3'").fetchone()[0]
    db.close()
    allowed = {int(done[-1]), _next_size(int(done[-1]))} if done else set()
    whole = patients == 1 and (not done or count in allowed)
    return Kill("import --replace", len(done), 0 if whole else 1, f"{count} observations")


def _next_size(size: int) -> int:
    """The size of the replacement after one of `size` observations (the writer adds n % 40)."""
    from tests.seed_cases import case_3

    base = len(case_3().observations)
    extra = size - base
    return base + (extra + 1) % 40


def migration_trial(folder: Path, fixture: Path, rng: random.Random) -> Kill:
    """A store of schema 1, opened (and so migrated) and killed: the next start finds every
    patient of the old file, migrated."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(mode=0o700)
    shutil.copyfile(fixture, folder / "tacrocalc.sqlite3")
    with contextlib.closing(sqlite3.connect(fixture)) as old:
        before = {r[0] for r in old.execute("SELECT id FROM patients")}
    done = _killed(MIGRATOR, [str(folder)], rng, 0.012)
    db, why = _open_after(folder)
    if db is None:
        return Kill("migration", len(done), 1, why)
    after = {r[0] for r in db.execute("SELECT id FROM patients")}
    db.close()
    return Kill("migration", len(done), 0 if after == before else 1, f"{sorted(after)}")


def run_kills(folder: Path, count: int, seed: int = 1) -> list[Kill]:
    """`count` kills of each: a restore, an import --replace, a migration."""
    from tacrocalc.records.protocol_files import load_protocol
    from tacrocalc.records.store import Store
    from tests.seed_cases import case_1, case_3

    rng = random.Random(seed)
    sources = []
    for case in (case_1, case_3):
        made = folder / f"made-{case.__name__}"
        with Store(made, protocol_for=load_protocol, daily_backup=False) as store:
            store.import_record(case())
            sources.append(store.backup(folder / f"{case.__name__}.sqlite3"))
    kills = []
    restored = folder / "restored"
    with Store(restored, protocol_for=load_protocol, daily_backup=False) as store:
        store.import_record(case_1())
    kills += [restore_trial(restored, sources, rng) for _ in range(count)]
    replaced = folder / "replaced"
    with Store(replaced, protocol_for=load_protocol, daily_backup=False) as store:
        store.import_record(case_3())
    kills += [replace_trial(replaced, rng) for _ in range(count)]
    fixture = Path(__file__).resolve().parents[1] / "data" / "store-v1.sqlite3"
    kills += [migration_trial(folder / "migrated", fixture, rng) for _ in range(count)]
    return kills
