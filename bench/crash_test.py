"""Crash test of the patient store: 50 writers killed with SIGKILL at random moments.

    .venv/bin/python bench/crash_test.py [--trials 50]

After each kill the file must pass `PRAGMA integrity_check` and hold every observation whose
`add_observation` call had returned. Prints the figures of every trial and the totals.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.records.crash_harness import run_trials


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        trials = run_trials(Path(folder), args.trials)
        elapsed = time.perf_counter() - start
    for number, trial in enumerate(trials, 1):
        print(
            f"trial {number:2}: reported {trial.reported:4}, stored {trial.stored:6}, "
            f"lost {trial.lost}, integrity {trial.integrity}"
        )
    lost = sum(t.lost for t in trials)
    bad = sum(t.integrity != "ok" for t in trials)
    print(
        f"{len(trials)} kills in {elapsed:.1f} s; {sum(t.reported for t in trials)} observations "
        f"reported written, {lost} lost, {bad} files failing integrity_check"
    )
    return 1 if lost or bad else 0


if __name__ == "__main__":
    sys.exit(main())
