"""The SQLite store's schemas 1 to 3, kept before Alembic kept the history (`PRAGMA user_version`).

From schema 3 on, one Alembic history serves the SQLite store and the ward's PostgreSQL
database (`records/migrate.py`, `records/migrations/versions`); these stay to bring an older
SQLite store to schema 3.

Each migration is a numbered function that takes the store from the version before it to its
own; `Database` copies the file first and runs it in one transaction. A migration that moves
rows writes them with the table writers of `tables`; the stores of each earlier version in
tests/data are migrated by the tests, so a table that changes cannot break an older migration
unnoticed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Final

from tacrocalc.domain.course import events_from_regimens
from tacrocalc.domain.protocol import FormulationId
from tacrocalc.domain.record import Regimen
from tacrocalc.domain.units import q
from tacrocalc.records import tables


def _run(db: sqlite3.Connection, script: str) -> None:
    """Statements one by one, inside the caller's transaction (executescript would commit)."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _migrate_1(db: sqlite3.Connection) -> None:
    """The first schema: patients, their weights, regimens, observations, co-medication, audit."""
    _run(
        db,
        """
        CREATE TABLE patients (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            birth_date TEXT,
            sex TEXT,
            prior_ciclosporin_nephrotoxicity INTEGER NOT NULL DEFAULT 0,
            protocol_id TEXT NOT NULL,
            target_low REAL, target_high REAL, target_caution REAL, target_unit TEXT,
            target_source TEXT
        );
        CREATE TABLE weights (
            id INTEGER PRIMARY KEY,
            patient_id TEXT NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
            date TEXT NOT NULL, value REAL NOT NULL, unit TEXT NOT NULL
        );
        CREATE TABLE regimens (
            id INTEGER PRIMARY KEY,
            patient_id TEXT NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
            start TEXT NOT NULL, formulation TEXT NOT NULL,
            dose REAL NOT NULL, unit TEXT NOT NULL, times TEXT NOT NULL
        );
        CREATE TABLE observations (
            id INTEGER PRIMARY KEY,
            patient_id TEXT NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
            date TEXT NOT NULL, time TEXT, kind TEXT NOT NULL,
            value REAL NOT NULL, value2 REAL, unit TEXT NOT NULL,
            below_limit INTEGER NOT NULL DEFAULT 0, last_dose_time TEXT,
            deleted_at TEXT
        );
        CREATE INDEX observations_patient ON observations(patient_id, date);
        CREATE TABLE co_medication (
            id INTEGER PRIMARY KEY,
            patient_id TEXT NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
            date TEXT NOT NULL, note TEXT NOT NULL
        );
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL, os_user TEXT NOT NULL, action TEXT NOT NULL,
            entity TEXT NOT NULL, entity_id TEXT NOT NULL, patient_id TEXT NOT NULL,
            before TEXT, after TEXT
        );
        CREATE INDEX audit_patient ON audit(patient_id, id);
        """,
    )


def _migrate_2(db: sqlite3.Connection) -> None:
    """Search by any word of the name, ignoring case and accents: a table of folded terms."""
    _run(
        db,
        """
        CREATE TABLE patient_terms (
            term TEXT NOT NULL,
            patient_id TEXT NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
            PRIMARY KEY (term, patient_id)
        ) WITHOUT ROWID;
        CREATE INDEX weights_patient ON weights(patient_id);
        CREATE INDEX regimens_patient ON regimens(patient_id);
        CREATE INDEX co_medication_patient ON co_medication(patient_id);
        """,
    )
    for pid, name in db.execute("SELECT id, name FROM patients").fetchall():
        tables.write_terms(db, pid, name)


def _migrate_3(db: sqlite3.Connection) -> None:
    """The treatment course (R15) instead of regimens, creatinine baselines set by the user
    (R6.5), and the reason of an audited change (R15.3).

    Each patient's regimens become events as `events_from_regimens` makes them: the first a
    start, a later one with another product a switch, any other a dose change; recorded by the
    OS user the audit trail has for the regimen, where it has one. The regimens table is then
    dropped: the copy of the file made before this migration keeps it, and the audit trail its
    entries ("regimen").
    """
    _run(
        db,
        """
        CREATE TABLE course_events (
            id INTEGER PRIMARY KEY,
            patient_id TEXT NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
            date TEXT NOT NULL, time TEXT, kind TEXT NOT NULL,
            formulation TEXT, dose REAL, unit TEXT, times TEXT NOT NULL DEFAULT '',
            reason TEXT NOT NULL DEFAULT '', recorded_by TEXT NOT NULL DEFAULT '',
            resume_on TEXT, ratio REAL,
            deleted_at TEXT
        );
        CREATE INDEX course_events_patient ON course_events(patient_id, date);
        CREATE TABLE creatinine_baselines (
            id INTEGER PRIMARY KEY,
            patient_id TEXT NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
            date TEXT NOT NULL, value REAL NOT NULL, unit TEXT NOT NULL, reason TEXT NOT NULL
        );
        CREATE INDEX creatinine_baselines_patient ON creatinine_baselines(patient_id, date);
        ALTER TABLE audit ADD COLUMN reason TEXT;
        """,
    )
    for pid, given in _regimens(db).items():
        # Sorted by start as events_from_regimens sorts them, so the users pair up.
        events = events_from_regimens(tuple(regimen for regimen, _ in given))
        for event, (_, user) in zip(events, given, strict=True):
            tables.insert_event(db, pid, replace(event, recorded_by=user))
    db.execute("DROP TABLE regimens")


def _regimens(db: sqlite3.Connection) -> dict[str, list[tuple[Regimen, str]]]:
    """Each patient's regimens of schema 2, by start, with the OS user who recorded each ("" when
    the audit trail does not say)."""
    rows = db.execute(
        "SELECT r.patient_id, r.start, r.formulation, r.dose, r.unit, r.times,"
        " (SELECT a.os_user FROM audit a WHERE a.entity = 'regimen' AND a.action = 'insert'"
        "  AND a.patient_id = r.patient_id AND a.entity_id = CAST(r.id AS TEXT)"
        "  ORDER BY a.id LIMIT 1)"
        " FROM regimens r ORDER BY r.patient_id, r.start, r.id"
    ).fetchall()
    by_patient: dict[str, list[tuple[Regimen, str]]] = {}
    for pid, start, formulation, dose, unit, times, user in rows:
        regimen = Regimen(
            start=date.fromisoformat(start),
            formulation=FormulationId(formulation),
            dose=q(dose, unit),
            times=tables.parse_times(times),
        )
        by_patient.setdefault(pid, []).append((regimen, user or ""))
    return by_patient


MIGRATIONS: Final[dict[int, Callable[[sqlite3.Connection], None]]] = {
    1: _migrate_1,
    2: _migrate_2,
    3: _migrate_3,
}
LAST_LEGACY_VERSION: Final = max(MIGRATIONS)
"""The schema Alembic's history starts from (its baseline revision, 0003)."""
