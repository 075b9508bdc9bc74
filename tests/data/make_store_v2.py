"""Writes tests/data/store-v2.sqlite3: a store as schema version 2 left it, written through the
Store of commit 2e9dc54 (the last one with a `regimens` table), so that migration 3 is tested
against what that code really wrote. Run once, from a checkout of that commit:

    git worktree add /tmp/wt-head 2e9dc54
    PYTHONPATH=/tmp/wt-head .venv/bin/python tests/data/make_store_v2.py
    git worktree remove /tmp/wt-head

Three patients:
- H123: a start, a dose change and a product switch (capsules -> Advagraf), a weight, results
  (one corrected, one deleted);
- H200: a start on granules, results;
- H300: what version 2 accepted and the course rules (R2.2, R15.1) now refuse: dose times
  08:00 and 08:00, then the same dose again with other times.
"""

import sqlite3
import tempfile
from datetime import UTC, date, datetime, time
from pathlib import Path

from tacrocalc.domain.protocol import FormulationId
from tacrocalc.domain.record import (
    BloodPressure,
    Creatinine,
    Patient,
    Regimen,
    Sex,
    Trough,
    WeightEntry,
)
from tacrocalc.domain.units import q
from tacrocalc.records.protocol_files import load_protocol
from tacrocalc.records.store import SCHEMA_VERSION, Store

assert SCHEMA_VERSION == 2, "run with the code of commit 2e9dc54 (see the docstring)"

TODAY = date(2026, 6, 1)
BID = (time(8), time(20))
path = Path(__file__).with_name("store-v2.sqlite3")
path.unlink(missing_ok=True)


def ok(written):
    assert written.ok, written.issues
    return written.id


with tempfile.TemporaryDirectory() as folder:
    store = Store(
        Path(folder),
        protocol_for=load_protocol,
        clock=lambda: datetime(2026, 6, 1, 9, 0, tzinfo=UTC),
        user="dr.v2",
        daily_backup=False,
    )
    for patient in (
        Patient(id="H123", name="Zoë Ångström-Lee", birth_date=date(1990, 2, 1), sex=Sex.FEMALE),
        Patient(id="H200", name="Ben Okafor", birth_date=date(1975, 7, 12), sex=Sex.MALE),
        Patient(id="H300", name="Legacy Times", birth_date=None, sex=None),
    ):
        ok(store.save_patient(patient, protocol_id="seed-1997", today=TODAY))
    ok(store.add_weight("H123", WeightEntry(date=date(2026, 1, 5), value=q(60, "kg")), today=TODAY))
    for regimen in (
        Regimen(
            start=date(2026, 1, 5), formulation=FormulationId.IR_CAPSULE, dose=q(3, "mg"), times=BID
        ),
        Regimen(
            start=date(2026, 2, 2),
            formulation=FormulationId.IR_CAPSULE,
            dose=q(4, "mg"),
            times=(time(9), time(21)),
        ),
        Regimen(
            start=date(2026, 3, 2),
            formulation=FormulationId.ADVAGRAF,
            dose=q(8, "mg"),
            times=(time(8),),
        ),
    ):
        ok(store.start_regimen("H123", regimen))
    for day, trough, creatinine in (
        (date(2026, 1, 14), 8.1, 85),
        (date(2026, 2, 11), 9.0, 88),
        (date(2026, 3, 9), 7.5, 90),
    ):
        ok(
            store.add_observations(
                "H123",
                (
                    Trough(
                        date=day, time=time(8), value=q(trough, "ug/L"), last_dose_time=time(20)
                    ),
                    Creatinine(date=day, value=q(creatinine, "umol/L")),
                    BloodPressure(date=day, systolic=q(128, "mmHg"), diastolic=q(82, "mmHg")),
                ),
                today=TODAY,
            )
        )
    wrong = ok(
        store.add_observation(
            "H123", Trough(date=date(2026, 3, 10), value=q(75, "ug/L")), today=TODAY
        )
    )
    ok(
        store.correct_observation(
            wrong, Trough(date=date(2026, 3, 10), value=q(7.5, "ug/L")), today=TODAY
        )
    )
    twice = ok(
        store.add_observation(
            "H123", Creatinine(date=date(2026, 3, 9), value=q(90, "umol/L")), today=TODAY
        )
    )
    ok(store.delete_observation(twice))

    ok(
        store.start_regimen(
            "H200",
            Regimen(
                start=date(2026, 2, 1),
                formulation=FormulationId.GRANULES,
                dose=q(2.4, "mg"),
                times=BID,
            ),
        )
    )
    ok(
        store.add_observation(
            "H200",
            Trough(date=date(2026, 2, 10), value=q(6.2, "ug/L"), below_limit=False),
            today=TODAY,
        )
    )

    ok(
        store.start_regimen(
            "H300",
            Regimen(
                start=date(2026, 4, 1),
                formulation=FormulationId.IR_CAPSULE,
                dose=q(2, "mg"),
                times=(time(8), time(8)),
            ),
        )
    )
    ok(
        store.start_regimen(
            "H300",
            Regimen(
                start=date(2026, 4, 3),
                formulation=FormulationId.IR_CAPSULE,
                dose=q(2, "mg"),
                times=BID,
            ),
        )
    )
    store.backup(path)
    store.close()

db = sqlite3.connect(path, isolation_level=None)
assert db.execute("PRAGMA user_version").fetchone()[0] == 2
db.execute("PRAGMA journal_mode=DELETE")  # one file, as committed
db.execute("VACUUM")
db.close()
print(f"wrote {path}")
