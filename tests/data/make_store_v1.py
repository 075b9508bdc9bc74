"""Writes tests/data/store-v1.sqlite3: a store as schema version 1 left it (run once; the file
is committed so that later schemas are tested against what version 1 really wrote).

    .venv/bin/python tests/data/make_store_v1.py
"""

import sqlite3
from pathlib import Path

from tacrocalc.records.schema import _migrate_1

path = Path(__file__).with_name("store-v1.sqlite3")
path.unlink(missing_ok=True)
db = sqlite3.connect(path, isolation_level=None)
db.execute("BEGIN")
_migrate_1(db)
db.execute("PRAGMA user_version=1")
db.execute(
    "INSERT INTO patients (id, name, birth_date, sex, protocol_id) VALUES"
    " ('H123', 'Zoë Ångström-Lee', '1990-02-01', 'F', 'seed-1997'),"
    " ('H200', 'Ben Okafor', '1975-07-12', 'M', 'seed-1997')"
)
db.execute(
    "INSERT INTO observations (patient_id, date, time, kind, value, unit, last_dose_time)"
    " VALUES ('H123', '2026-01-14', '08:00', 'trough', 8.1, 'ug/L', '20:00')"
)
for entity, entity_id, after in [
    ("patient", "H123", '{"id": "H123"}'),
    ("observation", "1", '{"date": "2026-01-14", "kind": "trough", "value": "8.1 ug/L"}'),
]:
    db.execute(
        "INSERT INTO audit (at, os_user, action, entity, entity_id, patient_id, after)"
        " VALUES ('2026-01-14T09:00:00+00:00', 'dr.test', 'insert', ?, ?, 'H123', ?)",
        (entity, entity_id, after),
    )
db.execute("COMMIT")
db.execute("VACUUM")
db.close()
print(f"wrote {path}")
