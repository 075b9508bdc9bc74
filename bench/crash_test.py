"""Crash test of the patient store: processes killed with SIGKILL at random moments.

    .venv/bin/python bench/crash_test.py [--trials 50]

Four scenarios, `--trials` kills each:

- a writer adding observations: after the kill the file passes `PRAGMA integrity_check` and
  holds every observation whose `add_observation` call had returned;
- a `restore` run again and again: the next start finds a whole store, the old or the new one,
  never neither (no store, only a partial file, or an empty store);
- an `import --replace` run again and again: the patient is there whole, as last reported (or
  as the replacement committed just before the kill);
- the migration of a schema-1 store: the next start finds every patient of the old file.

Prints each scenario's kills, writes reported and writes lost (the target is 0), and exits 1
when anything was lost.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.records.crash_harness import run_kills, run_trials


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        trials = run_trials(Path(folder) / "writer", args.trials)
        kills = run_kills(Path(folder), args.trials)
        elapsed = time.perf_counter() - start
    rows = [
        (
            "add_observation",
            len(trials),
            sum(t.reported for t in trials),
            sum(t.lost for t in trials) + sum(t.integrity != "ok" for t in trials),
        )
    ]
    for scenario in ("restore", "import --replace", "migration"):
        mine = [k for k in kills if k.scenario == scenario]
        rows.append((scenario, len(mine), sum(k.reported for k in mine), sum(k.lost for k in mine)))
        for kill in mine:
            if kill.lost:
                print(f"  {scenario}: lost after {kill.reported} reported: {kill.note}")
    print(f"{'scenario':18} {'kills':>5} {'writes reported':>16} {'writes lost':>12}")
    for name, count, reported, lost in rows:
        print(f"{name:18} {count:5} {reported:16} {lost:12}")
    total = sum(r[3] for r in rows)
    print(f"{sum(r[1] for r in rows)} kills in {elapsed:.1f} s; {total} lost (target 0)")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
