"""The long fuzz run of the command line (issue 12): the corpus of `tests/fuzz_inputs.py`, each
example in a process of its own, as a user runs TacroCalc.

    .venv/bin/python bench/fuzz_cli.py [--files 300] [--arguments 700] [--seed N]

The property: exit status 0 or 2, at most one line on stderr (one when refused), no traceback,
under 2 s and 200 MB (the process's peak resident memory, as the system counts it). Each process
may use at most 2 GB of address space and 20 s, so that a fault cannot take the machine with it.
Prints the runs, the slowest and largest, each distinct fault with a command line that shows
it, and exits 1 when there is any fault.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402

from tests.fuzz_inputs import EXAMPLE_PATH, Call, broken, calls, patient_files  # noqa: E402

LIMIT_BYTES = 2 * 2**30
LIMIT_SECONDS = 20


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT_BYTES, LIMIT_BYTES))


def run_process(call: Call, folder: Path) -> tuple[object, str, float, float]:
    """Status, stderr, seconds and peak resident megabytes of `python -m tacrocalc ...`."""
    if call.file is not None:
        (folder / "p.json").write_bytes(call.file)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "tacrocalc", *call.resolved(folder)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=env,
            preexec_fn=_limits,
        )
        code: object = None
        while code is None:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                code = os.waitstatus_to_exitcode(status)
            elif time.perf_counter() - start > LIMIT_SECONDS:
                os.kill(proc.pid, signal.SIGKILL)
                _, _, usage = os.wait4(proc.pid, 0)
                code = "hung"
            else:
                time.sleep(0.005)
        proc.returncode = 0  # reaped above
        seconds = time.perf_counter() - start
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    return code, text, seconds, usage.ru_maxrss / 1024  # KiB on Linux


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=300, help="patient files (2 runs each)")
    parser.add_argument("--arguments", type=int, default=700, help="argument lists")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    runs, faults = Counter(), {}
    slowest, largest = (0.0, ""), (0.0, "")

    def record(call: Call, folder: Path) -> None:
        nonlocal slowest, largest
        code, err, seconds, megabytes = run_process(call, folder)
        shown = " ".join(call.resolved(folder))
        runs[code] += 1
        slowest = max(slowest, (seconds, shown))
        largest = max(largest, (megabytes, shown))
        found = broken(code if code != "hung" else "hung", err, seconds, megabytes)
        if found:
            key = (", ".join(found), err.split(":")[0][:60])
            faults.setdefault(key, (shown[:300], err[:300]))

    def fuzz(examples: int) -> settings:
        return settings(
            max_examples=examples,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=False,
        )

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        start = time.perf_counter()
        stored = Call(argv=("--data-dir", "{tmp}/d", "import", "{tmp}/p.json"))
        (folder / "p.json").write_bytes(EXAMPLE_PATH.read_bytes())
        assert run_process(stored, folder)[0] == 0  # H123, for the commands on an id

        @seed(args.seed)
        @fuzz(args.files)
        @given(data=patient_files())
        def files(data: bytes) -> None:
            for argv in (("import", "--replace", "{tmp}/p.json"), ("check", "{tmp}/p.json")):
                record(Call(argv=("--data-dir", "{tmp}/d", *argv), file=data), folder)

        @seed(args.seed)
        @fuzz(args.arguments)
        @given(call=calls())
        def arguments(call: Call) -> None:
            record(call, folder)

        files()
        arguments()
        elapsed = time.perf_counter() - start
    print(f"seed {args.seed}: {sum(runs.values())} runs in {elapsed:.0f} s; statuses {dict(runs)}")
    print(f"slowest {slowest[0]:.2f} s: {slowest[1][:120]}")
    print(f"largest {largest[0]:.0f} MB: {largest[1][:120]}")
    for (what, start_of_err), (shown, err) in faults.items():
        print(f"FAULT {what} ({start_of_err}):\n  {shown}\n  {err.strip()}")
    print(f"{len(faults)} distinct faults (target 0)")
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main())
