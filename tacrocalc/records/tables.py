"""The tables of the patient store: one writer each, and their rows <-> domain objects.

Each INSERT is written here once and used alike by the store's single writes, by the import of
a whole record and by the migrations; `tests/records/test_tables.py` checks that nothing else
inserts. Every function takes the open connection and runs inside the caller's transaction;
none checks a value (the store and the patient-file reader do, before anything is written).
Quantities are stored in one unit per column (kg, mg, ug/L, umol/L, mmHg), dates as ISO text,
times as "HH:MM".
"""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from datetime import date, time
from typing import Any, Final

from tacrocalc.domain.course import CourseEvent, EventKind
from tacrocalc.domain.protocol import FormulationId, TargetRange
from tacrocalc.domain.record import (
    BaselineSetting,
    BloodPressure,
    CoMedicationChange,
    Creatinine,
    Observation,
    ObservationKind,
    Patient,
    Sex,
    Trough,
    WeightEntry,
)
from tacrocalc.domain.units import magnitude, q

# -- values <-> columns ---------------------------------------------------------------------


def date_or_none(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def parse_times(text: str) -> tuple[time, ...]:
    """The dose times of a regimen or an event, stored as "08:00,20:00"."""
    return tuple(time.fromisoformat(t) for t in text.split(",") if t)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _hhmm(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value else None


def _names(columns: str) -> list[str]:
    return [column.strip() for column in columns.split(",")]


def _slots(columns: str) -> str:
    """The placeholders of an INSERT of `columns`: "?, ?, ?"."""
    return ", ".join("?" * len(_names(columns)))


def _new_id(cursor: Any) -> int:
    """The id an INSERT … RETURNING id gave its row (both engines)."""
    return int(cursor.fetchone()[0])


# -- patients and patient_terms -------------------------------------------------------------


def fold(text: str) -> str:
    """Case- and accent-insensitive form for searching ("Zoë Ångström" -> "zoe angstrom")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def search_terms(patient_id: str, name: str) -> set[str]:
    """What a search prefix may match: the id, the whole name, and each word of the name."""
    folded = fold(name)
    return {fold(patient_id), folded, *folded.split()} - {""}


_PATIENT_COLUMNS: Final = (
    "id, name, birth_date, sex, prior_ciclosporin_nephrotoxicity, protocol_id,"
    " target_low, target_high, target_caution, target_unit, target_source"
)
_INSERT_PATIENT: Final = (
    f"INSERT INTO patients ({_PATIENT_COLUMNS}) VALUES ({_slots(_PATIENT_COLUMNS)})"
)
_OR_UPDATE_PATIENT: Final = " ON CONFLICT(id) DO UPDATE SET " + ", ".join(
    f"{column}=excluded.{column}" for column in _names(_PATIENT_COLUMNS)[1:]
)


def write_patient(
    db: sqlite3.Connection,
    patient: Patient,
    protocol_id: str,
    target: TargetRange | None,
    *,
    update: bool,
) -> None:
    """A new patient, with the search terms of its name. With `update`, a patient already
    there is updated instead (its details, protocol and own trough range); without, it is an
    sqlite3.IntegrityError."""
    db.execute(
        _INSERT_PATIENT + (_OR_UPDATE_PATIENT if update else ""),
        _patient_params(patient, protocol_id, target),
    )
    write_terms(db, patient.id, patient.name)


def write_terms(db: sqlite3.Connection, patient_id: str, name: str) -> None:
    """The search terms of a patient (`search_terms`), in place of those it had."""
    db.execute("DELETE FROM patient_terms WHERE patient_id = ?", (patient_id,))
    db.executemany(
        "INSERT INTO patient_terms (term, patient_id) VALUES (?, ?)",
        [(term, patient_id) for term in search_terms(patient_id, name)],
    )


def delete_patient(db: sqlite3.Connection, patient_id: str) -> None:
    """The patient and every row of theirs (ON DELETE CASCADE); the audit trail stays."""
    db.execute("DELETE FROM patients WHERE id = ?", (patient_id,))


def read_patient(
    db: sqlite3.Connection, patient_id: str
) -> tuple[Patient, str, TargetRange | None] | None:
    """(patient, protocol id, own trough range), or None for an unknown id."""
    row = db.execute(
        f"SELECT {_PATIENT_COLUMNS} FROM patients WHERE id = ?", (patient_id,)
    ).fetchone()
    if row is None:
        return None
    patient = Patient(
        id=row[0],
        name=row[1],
        birth_date=date_or_none(row[2]),
        sex=Sex(row[3]) if row[3] else None,
        prior_ciclosporin_nephrotoxicity=bool(row[4]),
    )
    target = None
    if row[6] is not None:
        target = TargetRange(
            low=q(row[6], row[9]),
            high=q(row[7], row[9]),
            caution=q(row[8], row[9]) if row[8] is not None else None,
            source=row[10],
        )
    return patient, row[5], target


def _patient_params(
    patient: Patient, protocol_id: str, target: TargetRange | None
) -> tuple[Any, ...]:
    ranges: tuple[Any, ...] = (None, None, None, None, None)
    if target is not None:
        ranges = (
            magnitude(target.low, "ug/L"),
            magnitude(target.high, "ug/L"),
            magnitude(target.caution, "ug/L") if target.caution is not None else None,
            "ug/L",
            target.source,
        )
    return (
        patient.id,
        patient.name,
        _iso(patient.birth_date),
        patient.sex.value if patient.sex else None,
        int(patient.prior_ciclosporin_nephrotoxicity),
        protocol_id,
        *ranges,
    )


# -- weights --------------------------------------------------------------------------------


def insert_weight(db: sqlite3.Connection, patient_id: str, weight: WeightEntry) -> int:
    cursor = db.execute(
        "INSERT INTO weights (patient_id, date, value, unit) VALUES (?, ?, ?, 'kg') RETURNING id",
        (patient_id, weight.date.isoformat(), magnitude(weight.value, "kg")),
    )
    return _new_id(cursor)


def read_weights(db: sqlite3.Connection, patient_id: str) -> tuple[WeightEntry, ...]:
    return tuple(
        WeightEntry(date=date.fromisoformat(d), value=q(v, u))
        for d, v, u in db.execute(
            "SELECT date, value, unit FROM weights WHERE patient_id = ? ORDER BY id",
            (patient_id,),
        )
    )


# -- course_events (R15) --------------------------------------------------------------------

_EVENT_COLUMNS: Final = (
    "date, time, kind, formulation, dose, unit, times, reason, recorded_by, resume_on, ratio"
)
_INSERT_EVENT: Final = (
    f"INSERT INTO course_events (patient_id, {_EVENT_COLUMNS}) VALUES (?, {_slots(_EVENT_COLUMNS)})"
)
_EVENT_SET: Final = ", ".join(f"{column} = ?" for column in _names(_EVENT_COLUMNS))


def insert_event(db: sqlite3.Connection, patient_id: str, event: CourseEvent) -> int:
    cursor = db.execute(_INSERT_EVENT + " RETURNING id", (patient_id, *_event_params(event)))
    return _new_id(cursor)


def update_event(db: sqlite3.Connection, event_id: int, event: CourseEvent) -> None:
    db.execute(
        f"UPDATE course_events SET {_EVENT_SET} WHERE id = ?", (*_event_params(event), event_id)
    )


def delete_event(db: sqlite3.Connection, event_id: int, *, at: str) -> None:
    """Take an event out of the course; its row stays, marked deleted `at`."""
    db.execute("UPDATE course_events SET deleted_at = ? WHERE id = ?", (at, event_id))


def read_events(db: sqlite3.Connection, patient_id: str) -> list[tuple[int, CourseEvent]]:
    """(id, event) for the treatment course, in course order (R15.2), deleted ones left
    out."""
    rows = db.execute(
        f"SELECT id, {_EVENT_COLUMNS} FROM course_events"
        " WHERE patient_id = ? AND deleted_at IS NULL"
        " ORDER BY date, COALESCE(time, '00:00'), id",
        (patient_id,),
    ).fetchall()
    return [(r[0], _event(r[1:])) for r in rows]


def read_event(db: sqlite3.Connection, event_id: int) -> tuple[str, CourseEvent] | None:
    """(patient id, event) of an event that is not deleted."""
    row = db.execute(
        f"SELECT patient_id, {_EVENT_COLUMNS} FROM course_events"
        " WHERE id = ? AND deleted_at IS NULL",
        (event_id,),
    ).fetchone()
    return None if row is None else (row[0], _event(row[1:]))


def _event(row: tuple[Any, ...]) -> CourseEvent:
    day, at, kind, formulation, dose, unit, times, reason, recorded_by, resume_on, ratio = row
    return CourseEvent(
        kind=EventKind(kind),
        date=date.fromisoformat(day),
        time=time.fromisoformat(at) if at else None,
        formulation=FormulationId(formulation) if formulation else None,
        dose=q(dose, unit) if dose is not None else None,
        times=parse_times(times),
        reason=reason,
        recorded_by=recorded_by,
        resume_on=date_or_none(resume_on),
        ratio=ratio,
    )


def _event_params(event: CourseEvent) -> tuple[Any, ...]:
    """An event as the columns of `_EVENT_COLUMNS`: the dose in mg, the times "08:00,20:00"."""
    return (
        event.date.isoformat(),
        _hhmm(event.time),
        event.kind.value,
        event.formulation.value if event.formulation else None,
        magnitude(event.dose, "mg") if event.dose is not None else None,
        "mg" if event.dose is not None else None,
        ",".join(t.strftime("%H:%M") for t in event.times),
        event.reason,
        event.recorded_by,
        _iso(event.resume_on),
        event.ratio,
    )


# -- creatinine_baselines (R6.5) ------------------------------------------------------------


def insert_baseline(db: sqlite3.Connection, patient_id: str, baseline: BaselineSetting) -> int:
    cursor = db.execute(
        "INSERT INTO creatinine_baselines (patient_id, date, value, unit, reason)"
        " VALUES (?, ?, ?, 'umol/L', ?) RETURNING id",
        (
            patient_id,
            baseline.date.isoformat(),
            magnitude(baseline.value, "umol/L"),
            baseline.reason,
        ),
    )
    return _new_id(cursor)


def read_baselines(db: sqlite3.Connection, patient_id: str) -> tuple[BaselineSetting, ...]:
    return tuple(
        BaselineSetting(date=date.fromisoformat(d), value=q(v, u), reason=r)
        for d, v, u, r in db.execute(
            "SELECT date, value, unit, reason FROM creatinine_baselines WHERE patient_id = ?"
            " ORDER BY date, id",
            (patient_id,),
        )
    )


# -- observations ---------------------------------------------------------------------------

_OBSERVATION_COLUMNS: Final = "date, time, kind, value, value2, unit, below_limit, last_dose_time"
_INSERT_OBSERVATION: Final = (
    f"INSERT INTO observations (patient_id, {_OBSERVATION_COLUMNS})"
    f" VALUES (?, {_slots(_OBSERVATION_COLUMNS)})"
)


def insert_observation(db: sqlite3.Connection, patient_id: str, obs: Observation) -> int:
    cursor = db.execute(
        _INSERT_OBSERVATION + " RETURNING id", (patient_id, *_observation_params(obs))
    )
    return _new_id(cursor)


def update_observation(db: sqlite3.Connection, obs_id: int, obs: Observation) -> None:
    db.execute(
        "UPDATE observations SET date=?, time=?, kind=?, value=?, value2=?, unit=?,"
        " below_limit=?, last_dose_time=? WHERE id = ?",
        (*_observation_params(obs), obs_id),
    )


def set_observation_deleted(db: sqlite3.Connection, obs_id: int, at: str | None) -> None:
    """Hide an observation from the record (deleted `at`), or show it again (None)."""
    db.execute("UPDATE observations SET deleted_at = ? WHERE id = ?", (at, obs_id))


def read_observations(db: sqlite3.Connection, patient_id: str) -> tuple[Observation, ...]:
    """The observations of the record, in the order they were entered, deleted ones left out."""
    return tuple(
        _observation(r)
        for r in db.execute(
            f"SELECT {_OBSERVATION_COLUMNS}"
            " FROM observations WHERE patient_id = ? AND deleted_at IS NULL ORDER BY id",
            (patient_id,),
        )
    )


def observations_on(
    db: sqlite3.Connection, patient_id: str, days: set[date] | frozenset[date]
) -> list[Observation]:
    """The patient's observations (not deleted) dated on any of `days`."""
    marks = ", ".join("?" for _ in days)
    return [
        _observation(r)
        for r in db.execute(
            f"SELECT {_OBSERVATION_COLUMNS} FROM observations"
            f" WHERE patient_id = ? AND date IN ({marks}) AND deleted_at IS NULL ORDER BY id",
            (patient_id, *sorted(d.isoformat() for d in days)),
        )
    ]


def observation_rows(
    db: sqlite3.Connection, patient_id: str, *, include_deleted: bool
) -> list[tuple[int, Observation, str | None]]:
    """(id, observation, deleted_at) in date order."""
    rows = db.execute(
        f"SELECT id, {_OBSERVATION_COLUMNS}, deleted_at FROM observations WHERE patient_id = ?"
        + ("" if include_deleted else " AND deleted_at IS NULL")
        + " ORDER BY date, COALESCE(time, ''), id",
        (patient_id,),
    ).fetchall()
    return [(r[0], _observation(r[1:9]), r[9]) for r in rows]


def read_observation(
    db: sqlite3.Connection, obs_id: int
) -> tuple[str, Observation, str | None] | None:
    """(patient id, observation, deleted_at), or None for an unknown id."""
    row = db.execute(
        f"SELECT patient_id, {_OBSERVATION_COLUMNS}, deleted_at FROM observations WHERE id = ?",
        (obs_id,),
    ).fetchone()
    if row is None:
        return None
    return row[0], _observation(row[1:9]), row[9]


def _observation(row: tuple[Any, ...]) -> Observation:
    day, at, kind, value, value2, unit, below, last_dose = row
    when = time.fromisoformat(at) if at else None
    if kind == ObservationKind.TROUGH:
        return Trough(
            date=date.fromisoformat(day),
            time=when,
            value=q(value, unit),
            below_limit=bool(below),
            last_dose_time=time.fromisoformat(last_dose) if last_dose else None,
        )
    if kind == ObservationKind.CREATININE:
        return Creatinine(date=date.fromisoformat(day), time=when, value=q(value, unit))
    return BloodPressure(
        date=date.fromisoformat(day), time=when, systolic=q(value, unit), diastolic=q(value2, unit)
    )


def _observation_params(obs: Observation) -> tuple[Any, ...]:
    common = (obs.date.isoformat(), _hhmm(obs.time), obs.kind.value)
    if isinstance(obs, Trough):
        return (
            *common,
            magnitude(obs.value, "ug/L"),
            None,
            "ug/L",
            int(obs.below_limit),
            _hhmm(obs.last_dose_time),
        )
    if isinstance(obs, Creatinine):
        return (*common, magnitude(obs.value, "umol/L"), None, "umol/L", 0, None)
    return (
        *common,
        magnitude(obs.systolic, "mmHg"),
        magnitude(obs.diastolic, "mmHg"),
        "mmHg",
        0,
        None,
    )


# -- co_medication --------------------------------------------------------------------------


def insert_co_medication(
    db: sqlite3.Connection, patient_id: str, change: CoMedicationChange
) -> int:
    cursor = db.execute(
        "INSERT INTO co_medication (patient_id, date, note) VALUES (?, ?, ?) RETURNING id",
        (patient_id, change.date.isoformat(), change.note),
    )
    return _new_id(cursor)


def read_co_medication(db: sqlite3.Connection, patient_id: str) -> tuple[CoMedicationChange, ...]:
    return tuple(
        CoMedicationChange(date=date.fromisoformat(d), note=n)
        for d, n in db.execute(
            "SELECT date, note FROM co_medication WHERE patient_id = ? ORDER BY id",
            (patient_id,),
        )
    )


def co_medication_rows(
    db: sqlite3.Connection, patient_id: str
) -> list[tuple[int, CoMedicationChange]]:
    """(id, change) for the interacting-drug notes of a patient, in the order entered."""
    return [
        (row_id, CoMedicationChange(date=date.fromisoformat(d), note=n))
        for row_id, d, n in db.execute(
            "SELECT id, date, note FROM co_medication WHERE patient_id = ? ORDER BY id",
            (patient_id,),
        ).fetchall()
    ]


def read_co_medication_row(
    db: sqlite3.Connection, row_id: int
) -> tuple[str, CoMedicationChange] | None:
    """(patient id, change) of one interacting-drug note, or None for an unknown id."""
    row = db.execute(
        "SELECT patient_id, date, note FROM co_medication WHERE id = ?", (row_id,)
    ).fetchone()
    if row is None:
        return None
    return row[0], CoMedicationChange(date=date.fromisoformat(row[1]), note=row[2])


def update_co_medication(db: sqlite3.Connection, row_id: int, change: CoMedicationChange) -> None:
    db.execute(
        "UPDATE co_medication SET date = ?, note = ? WHERE id = ?",
        (change.date.isoformat(), change.note, row_id),
    )


def delete_co_medication(db: sqlite3.Connection, row_id: int) -> None:
    """Take a note out of the record: its row goes; its values stay in the audit trail (on
    the ward server, written by the row's trigger)."""
    db.execute("DELETE FROM co_medication WHERE id = ?", (row_id,))


# -- audit ----------------------------------------------------------------------------------


def insert_audit(
    db: sqlite3.Connection,
    *,
    at: str,
    user: str,
    action: str,
    entity: str,
    entity_id: object,
    patient_id: str,
    before: Any,
    after: Any,
    reason: str | None,
) -> None:
    """One entry of the audit trail; `before` and `after` are stored as JSON."""
    db.execute(
        "INSERT INTO audit (at, os_user, action, entity, entity_id, patient_id, before, after,"
        " reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            at,
            user,
            action,
            entity,
            str(entity_id),
            patient_id,
            None if before is None else json.dumps(before, ensure_ascii=False, sort_keys=True),
            None if after is None else json.dumps(after, ensure_ascii=False, sort_keys=True),
            reason,
        ),
    )
