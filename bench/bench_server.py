"""A ward round on the ward server: 20 workstations (processes) at once against one PostgreSQL
with 10,000 patients, and the same round on the SQLite store for comparison.

    .venv/bin/python bench/bench_server.py [--patients 10000] [--workstations 20] [--rounds 30]

Each workstation opens its own Store and, in each round, searches by a name prefix, opens a
patient (loads the whole record) and adds a check (one creatinine). An add refused because
another workstation wrote to that patient since it was opened (StaleRecord) is made again after
a reload, as a doctor would, and timed with it; the round says how many there were. The server
is a PostgreSQL of this run's own, started from Debian's server binaries (tests/pg_server.py)
with its defaults for durability (fsync and synchronous commit on). Prints the median and the 95th
percentile of each action on each store, and the server's p95 as a ratio to SQLite's. Each
workstation opens one patient before it starts timing, as a window has loaded the protocol
before a round.
Target: p95 under 50 ms on the server for each action.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_store import record

from tacrocalc.domain.record import Creatinine
from tacrocalc.domain.units import q
from tacrocalc.records.protocol_files import load_protocol
from tacrocalc.records.store import StaleRecord, Store, init_server
from tests.pg_server import running_server, server_binaries

TODAY = date(2026, 6, 1)
PREFIXES = ["smi", "zoe", "ang", "oka", "mül", "p0123", "gra", "kow", "lee", "ros"]
ACTIONS = ("search", "open", "add a check")


def _open(where: str) -> Store:
    if where.startswith("postgresql://"):
        return Store(server=where, protocol_for=load_protocol)
    return Store(Path(where), protocol_for=load_protocol, daily_backup=False)


def _build_part(where: str, first: int, last: int) -> None:
    rng = random.Random(first)
    with _open(where) as store:
        for n in range(first, last):
            assert store.import_record(record(n, rng)).ok


def build(where: str, patients: int, processes: int = 4) -> float:
    start = time.perf_counter()
    step = -(-patients // processes)
    parts = [(where, k, min(k + step, patients)) for k in range(0, patients, step)]
    if where.startswith("postgresql://"):
        with multiprocessing.get_context("spawn").Pool(processes) as pool:
            pool.starmap(_build_part, parts)
    else:  # one writer at a time on a SQLite file: build it in one go
        _build_part(where, 0, patients)
    return time.perf_counter() - start


def workstation(where: str, patients: int, rounds: int, seed: int) -> dict[str, list[float]]:
    rng = random.Random(seed)
    times: dict[str, list[float]] = {action: [] for action in ACTIONS}
    stale: list[int] = []
    with _open(where) as store:
        store.load(f"P{rng.randrange(patients):05}")  # warm: the protocol and the clinical core
        for k in range(rounds):
            t0 = time.perf_counter()
            store.search(rng.choice(PREFIXES))
            t1 = time.perf_counter()
            pid = f"P{rng.randrange(patients):05}"
            assert store.load(pid) is not None
            t2 = time.perf_counter()
            day = TODAY - timedelta(days=(seed * rounds + k) % 600)
            check = Creatinine(date=day, value=q(80, "umol/L"))
            try:
                assert store.add_observation(pid, check, today=TODAY).ok
            except StaleRecord:  # another workstation wrote to this patient since it opened
                stale.append(k)  # as a doctor would: reload, then add again (timed with it)
                assert store.load(pid) is not None
                assert store.add_observation(pid, check, today=TODAY).ok
            t3 = time.perf_counter()
            times["search"].append(t1 - t0)
            times["open"].append(t2 - t1)
            times["add a check"].append(t3 - t2)
    times["stale"] = [float(k) for k in stale]
    return times


def ward_round(where: str, patients: int, stations: int, rounds: int) -> dict[str, list[float]]:
    with multiprocessing.get_context("spawn").Pool(stations) as pool:
        results = pool.starmap(
            workstation, [(where, patients, rounds, seed) for seed in range(stations)]
        )
    merged: dict[str, list[float]] = {action: [] for action in (*ACTIONS, "stale")}
    for times in results:
        for action in (*ACTIONS, "stale"):
            merged[action] += times[action]
    return merged


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--workstations", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    binaries = server_binaries()
    if binaries is None:
        sys.exit("PostgreSQL server binaries not found: apt-get install postgresql")
    figures = {}
    with tempfile.TemporaryDirectory() as folder, running_server(binaries, durable=True) as pg:
        url = pg.url(pg.new_database())
        init_server(url)
        for name, where in (("ward server", url), ("SQLite", folder)):
            built = build(where, args.patients)
            print(f"{name}: built {args.patients} patients in {built:.0f} s", flush=True)
            figures[name] = ward_round(where, args.patients, args.workstations, args.rounds)
    print(
        f"\n{args.workstations} workstations x {args.rounds} rounds, {args.patients} patients"
        " (ms; the ratio is the server's p95 to SQLite's)"
    )
    print(
        f"  {'action':<12} {'server p50':>10} {'server p95':>10} {'SQLite p50':>10}"
        f" {'SQLite p95':>10} {'ratio':>6}  target p95 < 50 ms"
    )
    for name in figures:
        print(
            f"  {name}: {len(figures[name]['stale'])} adds refused as stale (another workstation"
            " wrote to the patient first) and made again after a reload"
        )
    for action in ACTIONS:
        server, local = figures["ward server"][action], figures["SQLite"][action]
        s50, s95 = statistics.median(server) * 1e3, p95(server) * 1e3
        l50, l95 = statistics.median(local) * 1e3, p95(local) * 1e3
        print(
            f"  {action:<12} {s50:10.1f} {s95:10.1f} {l50:10.1f} {l95:10.1f} {s95 / l95:6.2f}"
            f"  {'met' if s95 < 50 else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
