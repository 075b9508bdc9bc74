"""Kill a process that is writing to the store, at random moments, and check nothing committed
was lost. Used by tests/records/test_crash.py (a few rounds) and bench/crash_test.py (50).

The writer adds observations one after another and prints each one's id once `add_observation`
has returned; the parent kills it with SIGKILL, then checks that the file passes
`PRAGMA integrity_check` and holds every id the writer printed.
"""

from __future__ import annotations

import os
import random
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
