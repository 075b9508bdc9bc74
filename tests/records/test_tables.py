"""One writer per table (tacrocalc/records/tables.py): an INSERT into a table of the store is
written in one place, which the single writes, the import of a whole record and the migrations
all use. Two copies of an INSERT drift apart: a column added to one is forgotten in the other."""

import re
from pathlib import Path

import pytest

RECORDS = Path(__file__).resolve().parents[2] / "tacrocalc" / "records"
TABLES = {
    "patients",
    "patient_terms",
    "weights",
    "course_events",
    "creatinine_baselines",
    "observations",
    "co_medication",
    "audit",
}
# On the ward server the database writes each audit row of a change to a patient's rows itself,
# in its own SQL (a trigger, migration 0006); what it writes is checked against the store's rows
# by tests/records/test_audit_trail.py.
SERVER_WRITERS = {"audit": ["0006_audit_by_triggers.py"]}
INSERT = re.compile(r"\b(?:INSERT|REPLACE)(?:\s+OR\s+\w+)?\s+INTO\s+[\"'`\[]?(\w+)", re.IGNORECASE)


def inserts(text):
    return [match.group(1).lower() for match in INSERT.finditer(text)]


@pytest.mark.parametrize(
    ("source", "table"),
    [
        ('"INSERT INTO weights (patient_id, date) VALUES (?, ?)"', "weights"),
        ('f"insert into course_events ({COLUMNS})"', "course_events"),
        ("'INSERT OR REPLACE INTO \"audit\" VALUES (?)'", "audit"),
        ('"REPLACE INTO patients"\n', "patients"),
        ('"INSERT\n  INTO observations"', "observations"),
    ],
)
def test_the_scan_finds_an_insert_however_it_is_written(source, table):
    assert inserts(source) == [table]


def test_each_table_is_inserted_into_in_one_place():
    places: dict[str, list[str]] = {}
    for path in sorted(RECORDS.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for match in INSERT.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            places.setdefault(match.group(1).lower(), []).append(f"{path.name}:{line}")
    for table, files in SERVER_WRITERS.items():
        server = [where for where in places[table] if where.split(":")[0] in files]
        assert len(server) == len(files), (table, places[table])
        places[table] = [where for where in places[table] if where not in server]
    assert {table: where for table, where in places.items() if len(where) > 1} == {}
    assert set(places) >= TABLES  # the scan sees every table of the store
