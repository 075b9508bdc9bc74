"""Benchmark of the patient store with 10,000 patients of 100 observations each.

    .venv/bin/python bench/bench_store.py [--patients 10000] [--keep]

Builds the store once through Store.import_record (kept in bench/out/ for the next run with
--keep), then measures, with the store as TacroCalc uses it (WAL, synchronous=FULL):
- opening the store (including the health check of the file);
- a search by name prefix; loading one whole record; adding one observation.
Each figure is the median of repeated runs, printed beside a baseline measured in the same run
on the same file (a primary-key SELECT through bare sqlite3) and as a ratio to it.
Targets: search and load under 20 ms, add under 5 ms.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import time
from datetime import date, timedelta
from pathlib import Path

from common import median_ms

from tacrocalc.domain.protocol import FormulationId
from tacrocalc.domain.record import (
    BloodPressure,
    Creatinine,
    Patient,
    Regimen,
    Sex,
    Trough,
    WeightEntry,
    make_record,
)
from tacrocalc.domain.units import q
from tacrocalc.records.protocol_files import load_protocol
from tacrocalc.records.store import DB_NAME, Store

FIRST = [
    "Ada",
    "Ben",
    "Chloé",
    "Dmitri",
    "Eva",
    "Farid",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Kemi",
    "Lars",
    "Maya",
    "Noor",
    "Oskar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Zoë",
]
LAST = [
    "Smith",
    "Okafor",
    "Müller",
    "García",
    "Nguyen",
    "Kowalski",
    "Ångström",
    "Rossi",
    "Khan",
    "O'Brien",
    "Dubois",
    "Silva",
    "Novak",
    "Haddad",
    "Sato",
    "Brown",
    "Jensen",
    "Costa",
    "Ivanova",
    "Lee",
]
TODAY = date(2026, 6, 1)


def record(n: int, rng: random.Random):
    start = date(2024, 1, 1) + timedelta(days=n % 300)
    observations = []
    for k in range(100 // 3 + 1):
        day = start + timedelta(days=7 + 14 * k)
        observations += [
            Trough(date=day, value=q(rng.uniform(3, 22), "ug/L")),
            Creatinine(date=day, value=q(rng.uniform(60, 120), "umol/L")),
            BloodPressure(
                date=day,
                systolic=q(rng.randint(110, 160), "mmHg"),
                diastolic=q(rng.randint(70, 95), "mmHg"),
            ),
        ]
    name = f"{FIRST[n % 20]} {LAST[(n // 20) % 20]} {n}"
    return make_record(
        patient=Patient(
            id=f"P{n:05}",
            name=name,
            birth_date=date(1960 + n % 40, 1 + n % 12, 1),
            sex=Sex.FEMALE if n % 2 else Sex.MALE,
        ),
        protocol_id="seed-1997",
        weights=(WeightEntry(date=start, value=q(50 + n % 50, "kg")),),
        regimens=(
            Regimen(start=start, formulation=FormulationId.IR_CAPSULE, dose=q(3, "mg"), times=()),
        ),
        observations=tuple(observations[:100]),
    )


def build(folder: Path, patients: int) -> None:
    rng = random.Random(1)
    with Store(folder, protocol_for=load_protocol, daily_backup=False) as store:
        store._db.execute("PRAGMA synchronous=OFF")  # building only; measured with FULL
        start = time.perf_counter()
        for n in range(patients):
            assert store.import_record(record(n, rng)).ok
        print(
            f"built {patients} patients x 100 observations in {time.perf_counter() - start:.0f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="reuse bench/out/ if it is there")
    args = parser.parse_args()
    folder = Path(__file__).resolve().parent / "out" / f"store-{args.patients}"
    if not (args.keep and (folder / DB_NAME).exists()):
        for old in folder.glob("*"):
            if old.is_file():
                old.unlink()
        build(folder, args.patients)
    size = (folder / DB_NAME).stat().st_size / 2**20
    protocol_for = load_protocol

    raw = sqlite3.connect(folder / DB_NAME)
    ids = [f"P{n:05}" for n in random.Random(2).sample(range(args.patients), 50)]
    pick = iter(ids * 100)
    baseline = median_ms(
        lambda: raw.execute("SELECT name FROM patients WHERE id = ?", (next(pick),)).fetchone(), 200
    )
    raw.close()

    # daily_backup=False: the whole integrity_check at every open (the first open of a day)
    first_of_day = median_ms(
        lambda: Store(folder, protocol_for=protocol_for, daily_backup=False).close(), 5
    )
    Store(folder, protocol_for=protocol_for).close()  # makes today's backup
    opened = median_ms(lambda: Store(folder, protocol_for=protocol_for).close(), 7)
    store = Store(folder, protocol_for=protocol_for, daily_backup=False)
    prefixes = iter(["smi", "zoe", "ang", "oka", "mül", "p0123", "gra", "kow"] * 20)
    search = median_ms(lambda: store.search(next(prefixes)), 50)
    found = store.search("chloe")
    assert found, "the search found nothing"
    load = median_ms(lambda: store.load(next(pick)), 50)
    days = iter(range(10_000))

    def add() -> None:
        day = TODAY - timedelta(days=next(days) % 700)
        assert store.add_observation(
            ids[0], Creatinine(date=day, value=q(80, "umol/L")), today=TODAY
        ).ok

    added = median_ms(add, 100)
    store.close()

    def row(name: str, value: float, target: float | None = None) -> None:
        goal = f"target < {target:g} ms: {'met' if value < target else 'NOT met'}" if target else ""
        print(f"  {name:<42} {value:8.3f} ms  ratio {value / baseline:8.1f}  {goal}")

    print(f"store: {args.patients} patients, {args.patients * 100} observations, {size:.0f} MiB")
    print(f"  {'baseline: SELECT by primary key':<42} {baseline:8.3f} ms")
    row("open, first of the day (integrity_check)", first_of_day)
    row("open, later opens (quick_check)", opened)
    row("search by name prefix (50 shown)", search, 20)
    row("load one record (100 observations)", load, 20)
    row("add one observation (WAL, FULL)", added, 5)


if __name__ == "__main__":
    main()
