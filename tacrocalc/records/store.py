"""The local patient store: what the window, the command line and the self-test read and write.

- The file (its opening, migrations, backups, restore) is `database`; the rows of each table
  are written and read by `tables`. `Store` is the one door to both: it checks, writes in one
  transaction, and audits.
- Every value passes the domain's checks (R12) before it is written; a refusal writes nothing.
  Free text (a reason, a note, who recorded an event, the source of a range) is checked here,
  whatever writes it (R12.9): the window, a command, the self-test.
- An audit trail records every insert, correction, deletion, restore and replacement: when, by
  which OS user, what was there before and what is there after (and, for the treatment course,
  why). On the ward server the database writes it (its user, its clock; migration 0006) from
  the word and reason the store gives each transaction (`_changing`). Deleting an observation
  or a course event hides it from the record; it stays in the history (an observation can be
  restored).
- The treatment course is a list of dated events (R15); every write to it is checked as the
  whole course that would result (R15.1, R15.3, R12.8).
- Two people on one patient: each patient has a version, raised by every write to it. A store
  remembers the version it last read of each patient (`load`), and a write it makes on an
  older version than the one there now is refused (`StaleRecord`: who changed the patient and
  when; nothing written). A store that never read the patient (a command) writes as before.
  On the ward server, `listen` hears the changes others make.
- A file from a newer TacroCalc is refused untouched; a damaged file is never written to
  (`StoreTooNew`, `StoreDamaged`). A write to a store replaced, deleted or overwritten since it
  was opened raises `StoreReplaced`: nothing is saved, nor reported saved.
"""

from __future__ import annotations

import contextlib
import getpass
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tacrocalc.domain.course import (
    DOSING_AFTER,
    CourseEvent,
    EventKind,
    Status,
    added_refusals,
    complete_event,
    period_at,
    periods,
)
from tacrocalc.domain.dosing import check_weight
from tacrocalc.domain.issues import Issue, IssueCode
from tacrocalc.domain.protocol import Protocol, TargetRange
from tacrocalc.domain.record import (
    BaselineSetting,
    CoMedicationChange,
    Creatinine,
    Observation,
    Patient,
    PatientRecord,
    Regimen,
    Trough,
    WeightEntry,
    check_not_recorded,
    make_record,
)
from tacrocalc.domain.validation import (
    ID_MAX_LENGTH,
    NAME_MAX_LENGTH,
    check_birth_date,
    check_blood_pressure,
    check_creatinine,
    check_date,
    check_label,
    check_sample_time,
    check_text,
    check_trough,
    earliest_date,
)
from tacrocalc.records import patient_file, tables
from tacrocalc.records.database import (
    BACKUP_DIR,
    DB_NAME,
    Database,
    NotABackup,
    ReadOnlyStore,
    StoreBusy,
    StoreDamaged,
    StoreError,
    StoreMissing,
    StoreReplaced,
    StoreShared,
    StoreTooNew,
    StoreUnavailable,
    check_backup,
    check_health,
    latest_backup,
    restore,
)
from tacrocalc.records.migrate import SCHEMA_VERSION
from tacrocalc.records.server import (
    CLINICIAN,
    VIEWER,
    ReadOnlyRole,
    ServerNotReady,
    ServerPasswordNeeded,
    ServerUnavailable,
    chosen_server,
    describe,
    is_server_url,
)
from tacrocalc.records.server import init as init_server
from tacrocalc.records.tables import date_or_none, fold, search_terms

if TYPE_CHECKING:
    from tacrocalc.records.server import Listener, ServerDatabase

__all__ = [
    "BACKUP_DIR",
    "CLINICIAN",
    "DB_NAME",
    "SCHEMA_VERSION",
    "VIEWER",
    "AuditEntry",
    "NotABackup",
    "PatientSummary",
    "ReadOnlyRole",
    "ServerNotReady",
    "ServerPasswordNeeded",
    "ServerUnavailable",
    "StaleRecord",
    "Store",
    "StoreBusy",
    "StoreDamaged",
    "StoreError",
    "StoreMissing",
    "StoreReplaced",
    "StoreShared",
    "StoreTooNew",
    "StoreUnavailable",
    "Written",
    "check_backup",
    "check_health",
    "chosen_server",
    "describe",
    "fold",
    "init_server",
    "is_server_url",
    "latest_backup",
    "restore",
    "search_terms",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Written:
    """What a write did: the id of the row written, or the refusals that stopped it."""

    id: int | None = None
    issues: tuple[Issue, ...] = ()

    @property
    def ok(self) -> bool:
        return not any(i.refuses for i in self.issues)


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientSummary:
    id: str
    name: str
    birth_date: date | None


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    at: str
    user: str
    action: str  # insert, update, correct, delete, restore, import, replace
    # patient, observation, weight, event, baseline, co_medication (regimen: before schema 3)
    entity: str
    entity_id: str
    before: Any  # JSON as the patient file writes it
    after: Any
    reason: str = ""  # why an event was corrected or deleted (R15.3)


WHOLE_RECORD = frozenset({"import", "replace"})
"""The actions whose one audit entry holds a whole record, before and after."""


class StaleRecord(StoreError):
    """A write based on an older version of the patient than the one stored now (someone else
    changed the patient since this store read it): nothing was written."""

    def __init__(self, patient_id: str, user: str | None, at: datetime | None, today: date) -> None:
        if user is None or at is None:
            who = "on another workstation"
        else:
            local = at.astimezone()
            when = f"at {local:%H:%M}" + (f" on {local:%Y-%m-%d}" if local.date() != today else "")
            who = f"by {user} {when}"
        super().__init__(
            f"Not saved: {patient_id} was changed {who} — reload to see it. What you typed is kept."
        )
        self.patient_id, self.user, self.at, self.today = patient_id, user, at, today

    def __reduce__(self) -> tuple[Any, ...]:  # made again from its fields, as in another process
        return (StaleRecord, (self.patient_id, self.user, self.at, self.today))


# -- the store ------------------------------------------------------------------------------


class Store:
    """A patient store: a data folder of this computer (created readable by the user alone),
    or the ward's PostgreSQL database at `server` (a postgresql:// URL; `records.server`)."""

    def __init__(
        self,
        folder: Path | None = None,
        *,
        protocol_for: Callable[[str], Protocol],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        user: str | None = None,
        daily_backup: bool = True,
        server: str | None = None,
        password: str | None = None,
    ) -> None:
        self._protocol_for = protocol_for
        self._clock = clock
        self._database: Database | ServerDatabase
        self.server = server
        # Why nothing can be written here (a read-only or full disk), or None; what opening did
        # not do (the daily backup), a line each.
        self.read_only: ReadOnlyStore | None = None
        self.notices: tuple[str, ...] = ()
        if server is not None:
            from tacrocalc.records.server import ServerDatabase

            self._database = ServerDatabase(server, password=password)
            # The server records its own user in the audit trail (migrations 0005, 0006);
            # this is what the window and the course events show.
            self._user = self._database.user
            self.folder: Path | None = None
            self.path: Path | None = None
            self.where = self._database.where
        else:
            if folder is None:
                raise TypeError("Store needs a data folder or a server")
            self._user = user or getpass.getuser()
            self._database = Database(folder, clock=clock, daily_backup=daily_backup)
            self.folder, self.path = self._database.folder, self._database.path
            self.where = str(self.path)
            self.read_only = self._database.read_only
            self.notices = tuple(self._database.notices)
        self._db: Any = self._database.connection
        # patient id -> the version this store last read (`load`) or wrote
        self._versions: dict[str, int] = {}
        # the patients whose version the open transaction has raised, and to what
        self._raised: dict[str, int] | None = None

    @property
    def user(self) -> str:
        """Who the audit trail names for this store's writes (the OS user; on the ward server,
        the database user)."""
        return self._user

    @property
    def on_server(self) -> bool:
        return self.folder is None

    def close(self) -> None:
        self._database.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- plumbing ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _write(self, action: str = "", reason: str | None = None) -> Iterator[Any]:
        """One transaction: all of it is written, or none of it. Once it is committed, the
        versions it gave the patients this store remembers are the ones remembered. `action`
        and `reason` are what the audit trail says of its changes (`_changing`)."""
        self._raised = {}
        try:
            with self._database.write() as db:
                self._changing(db, action, reason)
                yield db
            for patient_id, version in self._raised.items():
                if patient_id in self._versions:
                    self._versions[patient_id] = version
        finally:
            self._raised = None

    def _raise_version(self, db: Any, patient_id: str) -> None:
        """Raise the patient's version, once per transaction, if it is still the one this store
        read (when it read one): otherwise `StaleRecord`, and the transaction is rolled back."""
        assert self._raised is not None, "a write outside Store._write"
        if patient_id in self._raised:
            return
        read = self._versions.get(patient_id)
        sql = "UPDATE patients SET version = version + 1 WHERE id = ?"
        row = db.execute(
            f"{sql} RETURNING version"
            if read is None
            else f"{sql} AND version = ? RETURNING version",
            (patient_id,) if read is None else (patient_id, read),
        ).fetchone()
        if row is not None:
            self._raised[patient_id] = int(row[0])
        elif read is not None:
            # Who changed it last, not this transaction (whose rows the server's triggers
            # have already written on the ward server).
            mine = " AND xmin <> pg_current_xact_id()::xid" if self.on_server else ""
            last = db.execute(
                f"SELECT os_user, at FROM audit WHERE patient_id = ?{mine}"
                " ORDER BY id DESC LIMIT 1",
                (patient_id,),
            ).fetchone()
            user, at = (last[0], datetime.fromisoformat(last[1])) if last else (None, None)
            raise StaleRecord(patient_id, user, at, self._clock().astimezone().date())

    def _now(self) -> str:
        return self._clock().isoformat(timespec="seconds")

    def _changing(self, db: Any, action: str, reason: str | None = None) -> None:
        """On the ward server, what the database's own audit rows say of the changes this
        transaction makes from now on: TacroCalc's word for them ("correct"; empty: the
        operation's own, insert, update, delete, restore) and the reason (migration 0006).
        A data folder's trail is written by `_audit`."""
        if self.on_server:
            db.execute(
                "SELECT set_config('tacrocalc.action', ?, true),"
                " set_config('tacrocalc.reason', ?, true)",
                (action, reason or ""),
            )

    def _audit(
        self,
        db: Any,
        action: str,
        entity: str,
        entity_id: object,
        patient_id: str,
        before: Any,
        after: Any,
        reason: str | None = None,
    ) -> None:
        """One entry of the audit trail, made by every write for each patient it changes: so
        this is where the patient's version is checked and raised. On the ward server the
        database writes the entry of each row changed itself (`_changing`, migration 0006); the
        store writes only the one entry of a whole record imported or replaced."""
        self._raise_version(db, patient_id)
        if self.on_server and action not in WHOLE_RECORD:
            return
        tables.insert_audit(
            db,
            at=self._now(),
            user=self._user,
            action=action,
            entity=entity,
            entity_id=entity_id,
            patient_id=patient_id,
            before=before,
            after=after,
            reason=reason,
        )

    def backup(self, destination: Path) -> Path:
        """A consistent copy through SQLite's backup API, written atomically (a device or a
        pipe is written straight through)."""
        return self._database.backup(destination)

    def explain(self, error: BaseException) -> StoreError | None:
        """The sentence for an error met while using the store (a `StoreError`, or an SQLite or
        file error told as the store replaced, deleted, on a full or read-only disk); None for
        an error that is not the store's."""
        return self._database.explain(error)

    def checkpoint(self) -> bool:
        """Fold the journal (-wal) into the database file and empty it, so that the file alone
        holds every entry (when the window is idle; `close` does it too). False when it could
        not finish now."""
        return self._database.checkpoint()

    @property
    def schema_version(self) -> int:
        return self._database.schema_version

    # -- reading -----------------------------------------------------------------------------

    def search(self, text: str, *, limit: int = 50) -> list[PatientSummary]:
        """Patients whose id, name or a word of the name starts with each word typed."""
        words = fold(text).split()
        if not words:
            return self.list_patients(limit=limit)
        query = " INTERSECT ".join(
            ["SELECT patient_id FROM patient_terms WHERE term >= ? AND term < ?"] * len(words)
        )
        params: list[str] = []
        for word in words:
            params += [word, word + "\U0010ffff"]
        rows = self._db.execute(
            f"SELECT id, name, birth_date FROM patients WHERE id IN ({query})"
            " ORDER BY name, id LIMIT ?",
            (*params, limit),
        ).fetchall()
        return [PatientSummary(id=r[0], name=r[1], birth_date=date_or_none(r[2])) for r in rows]

    def list_patients(self, *, limit: int | None = None) -> list[PatientSummary]:
        query = "SELECT id, name, birth_date FROM patients ORDER BY name, id"
        rows = self._db.execute(
            query if limit is None else query + " LIMIT ?", () if limit is None else (limit,)
        ).fetchall()
        return [PatientSummary(id=r[0], name=r[1], birth_date=date_or_none(r[2])) for r in rows]

    def exists(self, patient_id: str) -> bool:
        return (
            self._db.execute("SELECT 1 FROM patients WHERE id = ?", (patient_id,)).fetchone()
            is not None
        )

    def load(self, patient_id: str) -> PatientRecord | None:
        """The whole record as the domain sees it (deleted observations and events left out).
        Its version is remembered: a later write by this store is refused if another has
        changed the patient since (`StaleRecord`)."""
        with self._read():
            version, record = self._versioned_record(patient_id)
        if version is None:
            self._versions.pop(patient_id, None)
        else:
            self._versions[patient_id] = version
        return record

    def version(self, patient_id: str) -> int | None:
        """The version of the patient stored now (raised by every write), or None."""
        return self._version(patient_id)

    def listen(self) -> Listener | None:
        """On the ward server, the changes to patients made from now on, by anyone
        (`records.server.Listener`); None for a data folder, which is one user's."""
        return self._server().listen() if self.on_server else None

    def _server(self) -> ServerDatabase:
        from tacrocalc.records.server import ServerDatabase

        assert isinstance(self._database, ServerDatabase)
        return self._database

    def _read(self) -> contextlib.AbstractContextManager[Any]:
        """Reads that see one moment of the store (on SQLite, each read is of the moment it
        runs, so `load` reads the version first: a write in between makes it older, not
        newer, than the rows read)."""
        return self._server().read() if self.on_server else contextlib.nullcontext()

    def _version(self, patient_id: str) -> int | None:
        return _read_version(self._db, patient_id)

    def _record(self, patient_id: str) -> PatientRecord | None:
        return self._versioned_record(patient_id)[1]

    def _versioned_record(self, patient_id: str) -> tuple[int | None, PatientRecord | None]:
        """The patient's version and whole record, read in that order."""
        if self.on_server:  # the reads sent together: one wait for the server, not eight
            recorder = _Recorder()
            _record_parts(recorder, patient_id)
            rows = self._server().connection.fetch_all(recorder.statements)
            parts = _record_parts(_Replayer(recorder.statements, rows), patient_id)
        else:
            parts = _record_parts(self._db, patient_id)
        version, found, weights, events, baselines, observations, changes = parts
        if found is None:
            return version, None
        patient, protocol_id, target = found
        return version, make_record(
            patient=patient,
            protocol_id=protocol_id,
            weights=weights,
            events=events,
            observations=observations,
            co_medication=changes,
            target_trough=target,
            baselines=baselines,
        )

    def observations(
        self, patient_id: str, *, include_deleted: bool = False
    ) -> list[tuple[int, Observation, str | None]]:
        """(id, observation, deleted_at) for the observation table, in date order."""
        return tables.observation_rows(self._db, patient_id, include_deleted=include_deleted)

    def events(self, patient_id: str) -> list[tuple[int, CourseEvent]]:
        """(id, event) for the treatment course, in course order (R15.2), deleted ones left
        out."""
        return tables.read_events(self._db, patient_id)

    def history(self, patient_id: str) -> list[AuditEntry]:
        rows = self._db.execute(
            "SELECT at, os_user, action, entity, entity_id, before, after, reason FROM audit"
            " WHERE patient_id = ? ORDER BY id",
            (patient_id,),
        ).fetchall()
        return [
            AuditEntry(
                at=r[0],
                user=r[1],
                action=r[2],
                entity=r[3],
                entity_id=r[4],
                before=_json(r[5]),
                after=_json(r[6]),
                reason=r[7] or "",
            )
            for r in rows
        ]

    # -- checks --------------------------------------------------------------------------------

    def _patient_row(self, patient_id: str) -> tuple[date | None, Protocol] | Issue:
        row = self._db.execute(
            "SELECT birth_date, protocol_id FROM patients WHERE id = ?", (patient_id,)
        ).fetchone()
        if row is None:
            return Issue.refusal(IssueCode.UNKNOWN_PATIENT, field="patient", value=patient_id)
        return date_or_none(row[0]), self._protocol_for(row[1])

    def _check_patient(self, patient: Patient, protocol_id: str, today: date) -> tuple[Issue, ...]:
        issues = check_label(patient.id, field="patient id", max_length=ID_MAX_LENGTH)
        issues += check_label(patient.name, field="name", max_length=NAME_MAX_LENGTH)
        try:
            protocol = self._protocol_for(protocol_id)
        except ValueError:
            return (
                *issues,
                Issue.refusal(
                    IssueCode.BAD_PROTOCOL,
                    field="protocol",
                    value=protocol_id,
                    reason="no such protocol",
                ),
            )
        if patient.birth_date:  # R12.4: not in the future, nor before any living patient's
            issues += check_birth_date(patient.birth_date, today=today, protocol=protocol)
        return issues

    @staticmethod
    def _check_target(target: TargetRange | None) -> tuple[Issue, ...]:
        if target is None:
            return ()
        return _text_refusals(
            ("target range: source", target.source),
            ("target: source", target.target_source),
        )

    def _check_observation(
        self, obs: Observation, birth: date | None, protocol: Protocol, today: date
    ) -> tuple[Issue, ...]:
        earliest = earliest_date(today, protocol)  # R12.4
        issues = check_date(obs.date, today=today, birth_date=birth, earliest=earliest)
        now = self._clock().astimezone()
        if now.date() == today:  # today's date is the clock's: the time of day is known too
            issues += check_sample_time(obs.date, obs.time, now=now, field="time of the sample")
        if isinstance(obs, Trough):
            issues += check_trough(obs.value, protocol, below_limit=obs.below_limit)
        elif isinstance(obs, Creatinine):
            issues += check_creatinine(obs.value, protocol)
        else:
            issues += check_blood_pressure(obs.systolic, obs.diastolic, protocol)
        return issues

    # -- writing -------------------------------------------------------------------------------

    def save_patient(
        self, patient: Patient, *, protocol_id: str, target: TargetRange | None = None, today: date
    ) -> Written:
        """Create a patient, or update one (its details, protocol and own trough range)."""
        issues = self._check_patient(patient, protocol_id, today)
        issues += self._check_target(target)
        if any(i.refuses for i in issues):
            return Written(issues=issues)
        after = _patient_json(patient, protocol_id, target)
        with self._write() as db:
            old = tables.read_patient(db, patient.id)
            before = _patient_json(*old) if old else None
            tables.write_patient(db, patient, protocol_id, target, update=True)
            self._audit(
                db, "update" if old else "insert", "patient", patient.id, patient.id, before, after
            )
        return Written(issues=issues)

    def add_observation(self, patient_id: str, obs: Observation, *, today: date) -> Written:
        return self.add_observations(patient_id, (obs,), today=today)

    def add_observations(
        self, patient_id: str, observations: tuple[Observation, ...], *, today: date
    ) -> Written:
        """Add observations taken together (a check): all of them, or none if one is refused.
        `Written.id` is the id of the last one."""
        known = self._patient_row(patient_id)
        if isinstance(known, Issue):
            return Written(issues=(known,))
        issues: tuple[Issue, ...] = ()
        for obs in observations:
            issues += self._check_observation(obs, known[0], known[1], today)
        if any(i.refuses for i in issues):
            return Written(issues=issues)
        row_id = None
        try:
            with self._write("insert") as db:
                # R12.10, read once the patient's version is raised: on the ward server that
                # holds the patient's row, so the same result sent from two workstations at
                # once is added once (or refused as stale), never twice.
                self._raise_version(db, patient_id)
                recorded = tables.observations_on(db, patient_id, {o.date for o in observations})
                for obs in observations:
                    refused = check_not_recorded(obs, recorded)
                    if refused:
                        raise _Refused(refused)  # rolled back: not even the version is raised
                    recorded.append(obs)
                for obs in observations:
                    row_id = tables.insert_observation(db, patient_id, obs)
                    self._audit(
                        db,
                        "insert",
                        "observation",
                        row_id,
                        patient_id,
                        None,
                        patient_file.observation_json(obs),
                    )
        except _Refused as refusal:
            return Written(issues=refusal.issues)
        return Written(id=row_id, issues=issues)

    def correct_observation(
        self, obs_id: int, obs: Observation, *, today: date, reason: str | None = None
    ) -> Written:
        """Replace an observation's values; the old ones stay in the audit trail, with the
        reason given (the window asks for one)."""
        current = tables.read_observation(self._db, obs_id)
        if current is None or current[2] is not None:
            return Written(issues=(_unknown_observation(obs_id),))
        refused = _text_refusals(("why corrected", reason or ""))
        if refused:
            return Written(issues=refused)
        patient_id, old, _ = current
        known = self._patient_row(patient_id)
        assert not isinstance(known, Issue)
        issues = self._check_observation(obs, known[0], known[1], today)
        if any(i.refuses for i in issues):
            return Written(issues=issues)
        with self._write("correct", reason) as db:
            tables.update_observation(db, obs_id, obs)
            self._audit(
                db,
                "correct",
                "observation",
                obs_id,
                patient_id,
                patient_file.observation_json(old),
                patient_file.observation_json(obs),
                reason,
            )
        return Written(id=obs_id, issues=issues)

    def delete_observation(self, obs_id: int, *, reason: str | None = None) -> Written:
        """Hide an observation from the record; it stays in the history, with the reason
        given, and can be restored."""
        return self._set_deleted(obs_id, deleted=True, reason=reason)

    def restore_observation(self, obs_id: int) -> Written:
        return self._set_deleted(obs_id, deleted=False)

    def _set_deleted(self, obs_id: int, *, deleted: bool, reason: str | None = None) -> Written:
        current = tables.read_observation(self._db, obs_id)
        if current is None or (current[2] is not None) == deleted:
            return Written(issues=(_unknown_observation(obs_id),))
        refused = _text_refusals(("why deleted", reason or ""))
        if refused:
            return Written(issues=refused)
        patient_id, obs, _ = current
        item = patient_file.observation_json(obs)
        with self._write("delete" if deleted else "restore", reason) as db:
            tables.set_observation_deleted(db, obs_id, self._now() if deleted else None)
            self._audit(
                db,
                "delete" if deleted else "restore",
                "observation",
                obs_id,
                patient_id,
                item if deleted else None,
                None if deleted else item,
                reason,
            )
        return Written(id=obs_id)

    def add_weight(self, patient_id: str, weight: WeightEntry, *, today: date) -> Written:
        known = self._patient_row(patient_id)
        if isinstance(known, Issue):
            return Written(issues=(known,))
        earliest = earliest_date(today, known[1])  # R12.4
        issues = check_date(weight.date, today=today, birth_date=known[0], earliest=earliest)
        issues += check_weight(weight.value, known[1])
        if any(i.refuses for i in issues):
            return Written(issues=issues)
        with self._write("insert") as db:
            row_id = tables.insert_weight(db, patient_id, weight)
            self._audit(
                db, "insert", "weight", row_id, patient_id, None, patient_file.weight_json(weight)
            )
        return Written(id=row_id, issues=issues)

    # -- the treatment course (R15) -------------------------------------------------------------

    def _changed_event(
        self, event_id: int, reason: str, *, why: str
    ) -> Written | tuple[str, CourseEvent, date | None, Protocol, list[tuple[int, CourseEvent]]]:
        """For a correction or a deletion: (patient id, the event as stored, birth date,
        protocol, the patient's events), or the refusal (no such event, no reason given, a
        reason that is not text: R12.9). `why` names the reason's field."""
        found = tables.read_event(self._db, event_id)
        if found is None:
            return Written(issues=(_unknown_event(event_id),))
        refused = _reason_refusals(reason, why)
        if refused:
            return Written(issues=refused)
        patient_id, old = found
        known = self._patient_row(patient_id)
        assert not isinstance(known, Issue)
        birth, protocol = known
        return patient_id, old, birth, protocol, self.events(patient_id)

    def add_event(self, patient_id: str, event: CourseEvent, *, today: date) -> Written:
        """Record an event of the course (R15.1). What it leaves out is filled in from the
        regimen before it (`complete_event`), `recorded_by` from the OS user when empty. An
        event dated before the latest one goes in date order (R15.3); the whole course that
        results must make sense (R15.1, R12.8), and its texts be text (R12.9), or nothing is
        written."""
        refused = _event_text_refusals(event)
        if refused:
            return Written(issues=refused)
        with self._write("insert") as db:  # read, check and write in one transaction
            known = self._patient_row(patient_id)
            if isinstance(known, Issue):
                return Written(issues=(known,))
            birth, protocol = known
            current = [e for _, e in self.events(patient_id)]
            event = complete_event(event, periods(tuple(current)), protocol)
            if not event.recorded_by:
                event = replace(event, recorded_by=self._user)
            issues = added_refusals(
                tuple(current), (*current, event), protocol, today=today, birth_date=birth
            )
            if issues:
                return Written(issues=issues)
            row_id = tables.insert_event(db, patient_id, event)
            self._audit(
                db, "insert", "event", row_id, patient_id, None, patient_file.event_json(event)
            )
        return Written(id=row_id)

    def correct_event(
        self, event_id: int, event: CourseEvent, *, today: date, reason: str
    ) -> Written:
        """Replace an event's values (R15.3): the old ones stay in the audit trail with the
        reason. Completed from the regimen before it like a new event; `recorded_by` stays the
        one who recorded it unless given. The course that results must make sense, and its
        texts be text (R12.9)."""
        refused = _event_text_refusals(event)
        if refused:
            return Written(issues=refused)
        with self._write("correct", reason) as db:
            changed = self._changed_event(event_id, reason, why="why corrected")
            if isinstance(changed, Written):
                return changed
            patient_id, old, birth, protocol, rows = changed
            others = [e for i, e in rows if i != event_id]
            event = complete_event(event, periods(tuple(others)), protocol)
            if not event.recorded_by:
                event = replace(event, recorded_by=old.recorded_by or self._user)
            issues = added_refusals(
                tuple(e for _, e in rows), (*others, event), protocol, today=today, birth_date=birth
            )
            if issues:
                return Written(issues=issues)
            tables.update_event(db, event_id, event)
            self._audit(
                db,
                "correct",
                "event",
                event_id,
                patient_id,
                patient_file.event_json(old),
                patient_file.event_json(event),
                reason,
            )
        return Written(id=event_id)

    def delete_event(self, event_id: int, *, today: date, reason: str) -> Written:
        """Take an event out of the course (R15.3). It stays in the audit trail with its values
        and the reason. The course that remains must make sense: deleting a hold that a resume
        follows is refused; deleting the only start leaves no course, which is fine."""
        with self._write("delete", reason) as db:
            changed = self._changed_event(event_id, reason, why="why deleted")
            if isinstance(changed, Written):
                return changed
            patient_id, old, birth, protocol, rows = changed
            issues = added_refusals(
                tuple(e for _, e in rows),
                tuple(e for i, e in rows if i != event_id),
                protocol,
                today=today,
                birth_date=birth,
            )
            if issues:
                return Written(issues=issues)
            tables.delete_event(db, event_id, at=self._now())
            self._audit(
                db,
                "delete",
                "event",
                event_id,
                patient_id,
                patient_file.event_json(old),
                None,
                reason,
            )
        return Written(id=event_id)

    def start_regimen(
        self, patient_id: str, regimen: Regimen, *, today: date | None = None
    ) -> Written:
        """A regimen from the window, recorded as the event it is on its start date: a start
        when there is no course, a restart after a stop, a resume after a hold, a dose change
        while on treatment. Another product than the one given is a switch, which follows R10
        and is recorded with `add_event`; it is refused here (R10.1). `today` defaults to the
        store clock's local date."""
        known = self._patient_row(patient_id)
        if isinstance(known, Issue):
            return Written(issues=(known,))
        period = period_at(periods(tuple(e for _, e in self.events(patient_id))), regimen.start)
        status = Status.NONE if period is None else period.status
        kind = DOSING_AFTER[status]
        given = None if period is None else period.regimen or period.previous
        if (
            kind in (EventKind.CHANGE, EventKind.RESUME)
            and given is not None
            and given.formulation != regimen.formulation
        ):
            return Written(
                issues=(
                    Issue.refusal(
                        IssueCode.EVENT_NOT_POSSIBLE,
                        field=f"{kind.value} on {regimen.start.isoformat()}",
                        value=kind.value,
                        status="other_product",
                    ),
                )
            )
        event = CourseEvent(
            kind=kind,
            date=regimen.start,
            formulation=regimen.formulation,
            dose=regimen.dose,
            times=regimen.times,
        )
        return self.add_event(patient_id, event, today=today or self._clock().astimezone().date())

    def set_baseline(self, patient_id: str, baseline: BaselineSetting, *, today: date) -> Written:
        """A creatinine baseline set by the user from `baseline.date` on, with its reason
        (R6.5); audited and printed on the plan."""
        known = self._patient_row(patient_id)
        if isinstance(known, Issue):
            return Written(issues=(known,))
        birth, protocol = known
        issues = check_date(baseline.date, today=today, birth_date=birth, field="baseline date")
        issues += check_creatinine(baseline.value, protocol, field="baseline creatinine")
        if not baseline.reason.strip():
            issues += (Issue.refusal(IssueCode.MISSING_VALUE, field="baseline reason", value=""),)
        issues += _text_refusals(("baseline reason", baseline.reason))
        if any(i.refuses for i in issues):
            return Written(issues=issues)
        with self._write("insert") as db:
            row_id = tables.insert_baseline(db, patient_id, baseline)
            self._audit(
                db,
                "insert",
                "baseline",
                row_id,
                patient_id,
                None,
                patient_file.baseline_json(baseline),
            )
        return Written(id=row_id, issues=issues)

    def add_co_medication(
        self, patient_id: str, change: CoMedicationChange, *, today: date
    ) -> Written:
        known = self._patient_row(patient_id)
        if isinstance(known, Issue):
            return Written(issues=(known,))
        issues = check_date(change.date, today=today, birth_date=known[0])
        issues += _text_refusals(("interacting drug", change.note))
        if any(i.refuses for i in issues):
            return Written(issues=issues)
        with self._write("insert") as db:
            row_id = tables.insert_co_medication(db, patient_id, change)
            self._audit(
                db,
                "insert",
                "co_medication",
                row_id,
                patient_id,
                None,
                {"date": change.date.isoformat(), "note": change.note},
            )
        return Written(id=row_id)

    def co_medication(self, patient_id: str) -> list[tuple[int, CoMedicationChange]]:
        """(id, change) for the interacting-drug notes (R11): what a correction or a deletion
        names."""
        return tables.co_medication_rows(self._db, patient_id)

    def correct_co_medication(
        self, row_id: int, change: CoMedicationChange, *, today: date, reason: str
    ) -> Written:
        """Replace an interacting-drug note's date and text (R11): the old ones stay in the
        audit trail with the reason, which is required (R15.3). The date is checked as a new
        note's (not in the future, nor before birth, nor before any living patient's: R12.4,
        R12.8), the text as text that is not empty (R12.9); all that is refused is said at
        once, and nothing is written."""
        with self._write("correct", reason) as db:  # read, check and write in one transaction
            found = self._changed_co_medication(row_id, reason, why="why corrected")
            if isinstance(found, Written):
                return found
            patient_id, old, birth, protocol = found
            issues = check_date(
                change.date, today=today, birth_date=birth, earliest=earliest_date(today, protocol)
            )
            if not change.note.strip():
                issues += (
                    Issue.refusal(IssueCode.MISSING_VALUE, field=CO_MEDICATION_FIELD, value=""),
                )
            issues += _text_refusals((CO_MEDICATION_FIELD, change.note))
            if any(i.refuses for i in issues):
                return Written(issues=issues)
            tables.update_co_medication(db, row_id, change)
            self._audit(
                db,
                "correct",
                "co_medication",
                row_id,
                patient_id,
                _co_medication_json(old),
                _co_medication_json(change),
                reason,
            )
        return Written(id=row_id)

    def delete_co_medication(self, row_id: int, *, today: date, reason: str) -> Written:
        """Take an interacting-drug note out of the record, and with it the trough check it
        added (R11). Its date and text stay in the audit trail with the reason, which is
        required (R15.3). `today`, as the course's deletions take it: no date is checked."""
        del today
        with self._write("delete", reason) as db:
            found = self._changed_co_medication(row_id, reason, why="why deleted")
            if isinstance(found, Written):
                return found
            patient_id, old, _birth, _protocol = found
            tables.delete_co_medication(db, row_id)
            self._audit(
                db,
                "delete",
                "co_medication",
                row_id,
                patient_id,
                _co_medication_json(old),
                None,
                reason,
            )
        return Written(id=row_id)

    def _changed_co_medication(
        self, row_id: int, reason: str, *, why: str
    ) -> Written | tuple[str, CoMedicationChange, date | None, Protocol]:
        """For a correction or a deletion: (patient id, the note as stored, birth date,
        protocol), or the refusal (no such note; no reason given, or a reason that is not
        text: R12.9). `why` names the reason's field."""
        found = tables.read_co_medication_row(self._db, row_id)
        if found is None:
            unknown = Issue.refusal(
                IssueCode.UNKNOWN_OBSERVATION, field=CO_MEDICATION_FIELD, value=str(row_id)
            )
            return Written(issues=(unknown,))
        refused = _reason_refusals(reason, why)
        if refused:
            return Written(issues=refused)
        patient_id, old = found
        known = self._patient_row(patient_id)
        assert not isinstance(known, Issue)
        birth, protocol = known
        return patient_id, old, birth, protocol

    # -- moving patients between workstations --------------------------------------------------

    def import_record(
        self,
        record: PatientRecord,
        *,
        replace: bool = False,
        history: Sequence[AuditEntry] = (),
        copied_from: str = "",
    ) -> Written:
        """Store a whole record read from a patient file (already checked by the reader).

        An id already here is refused unless `replace`; the record replaced is kept whole in
        the audit trail. `history`, the audit trail of the record in the store it comes from
        (`copied_from`), is kept before the entry of this import, each entry with its own time
        and user and a note of where it was copied from (on the ward server, by whom: the
        server adds its own user and time to the note).
        """
        pid = record.patient.id
        with self._write() as db:
            version = self._version(pid)
            if version is not None and not replace:
                return Written(
                    issues=(Issue.refusal(IssueCode.PATIENT_EXISTS, field="patient id", value=pid),)
                )
            old = None if version is None else self._record(pid)
            # One entry for the whole record (below), not one for each of its rows.
            self._changing(db, "import" if version is None else "replace")
            if old is not None:
                tables.delete_patient(db, pid)
            tables.write_patient(
                db, record.patient, record.protocol_id, record.target_trough, update=False
            )
            if version is not None:  # the replacement goes on counting from the replaced
                db.execute("UPDATE patients SET version = ? WHERE id = ?", (version, pid))
            for weight in record.weights:
                tables.insert_weight(db, pid, weight)
            for event in record.events:
                tables.insert_event(db, pid, event)
            for baseline in record.baselines:
                tables.insert_baseline(db, pid, baseline)
            for obs in record.observations:
                tables.insert_observation(db, pid, obs)
            for change in record.co_medication:
                tables.insert_co_medication(db, pid, change)
            self._copy_history(db, pid, history, copied_from)
            self._audit(
                db,
                "replace" if old else "import",
                "patient",
                pid,
                pid,
                patient_file.to_document(old) if old else None,
                patient_file.to_document(record),
            )
        return Written()

    def _copy_history(
        self, db: Any, patient_id: str, history: Sequence[AuditEntry], copied_from: str
    ) -> None:
        if not history:
            return
        if self.on_server:  # keep each entry's own time and user (0005_ward_audit)
            db.execute("SELECT set_config('tacrocalc.copying', 'yes', true)")
        note = f"[copied from {copied_from}]" if copied_from else "[copied]"
        for entry in history:
            tables.insert_audit(
                db,
                at=entry.at,
                user=entry.user,
                action=entry.action,
                entity=entry.entity,
                entity_id=entry.entity_id,
                patient_id=patient_id,
                before=entry.before,
                after=entry.after,
                reason=f"{entry.reason} {note}".strip(),
            )
        if self.on_server:
            db.execute("SELECT set_config('tacrocalc.copying', '', true)")

    def export_text(self, patient_id: str) -> str | None:
        record = self.load(patient_id)
        return None if record is None else patient_file.dumps(record)


# -- refusals, audit entries ----------------------------------------------------------------


def _json(text: str | None) -> Any:
    """An audit entry's before or after, its keys in order (as the store writes them: the
    server's JSON keeps its own order)."""
    return json.loads(text, object_pairs_hook=lambda pairs: dict(sorted(pairs))) if text else None


def _text_refusals(*texts: tuple[str, str]) -> tuple[Issue, ...]:
    """R12.9: each (field, text) pair's refusal, when the text is too long or holds a control
    or bidirectional character; the refusal names the field, shows the text escaped and
    shortened, and says why."""
    return tuple(issue for field, text in texts for issue in check_text(text, field=field))


def _event_text_refusals(event: CourseEvent) -> tuple[Issue, ...]:
    """R12.9: the texts of a course event, named as the course names the event."""
    field = f"{event.kind.value} on {event.date.isoformat()}"
    return _text_refusals(
        (f"{field}: reason", event.reason), (f"{field}: recorded by", event.recorded_by)
    )


def _reason_refusals(reason: str, why: str) -> tuple[Issue, ...]:
    """A correction's or a deletion's reason: required, and text (R12.9). `why` names its
    field."""
    if not reason.strip():
        return (Issue.refusal(IssueCode.MISSING_VALUE, field=why, value=""),)
    return _text_refusals((why, reason))


class _Refused(Exception):
    """A refusal found inside a write's transaction: raised to roll the transaction back."""

    def __init__(self, issues: tuple[Issue, ...]) -> None:
        super().__init__()
        self.issues = issues


def _unknown_observation(obs_id: int) -> Issue:
    return Issue.refusal(IssueCode.UNKNOWN_OBSERVATION, field="observation", value=str(obs_id))


def _unknown_event(event_id: int) -> Issue:
    return Issue.refusal(IssueCode.UNKNOWN_OBSERVATION, field="event", value=str(event_id))


CO_MEDICATION_FIELD = "interacting drug"
"""How a refusal names an interacting-drug note (R11), as adding one does."""


def _co_medication_json(change: CoMedicationChange) -> dict[str, str]:
    """A note as the audit trail keeps it (the shape of its entry when it was added)."""
    return {"date": change.date.isoformat(), "note": change.note}


def _patient_json(patient: Patient, protocol_id: str, target: TargetRange | None) -> dict[str, Any]:
    doc = patient_file.patient_json(patient)
    doc["protocol"] = protocol_id
    if target is not None:
        doc["target_trough"] = patient_file.target_json(target)
    return doc


def _read_version(db: Any, patient_id: str) -> int | None:
    row = db.execute("SELECT version FROM patients WHERE id = ?", (patient_id,)).fetchone()
    return None if row is None else int(row[0])


def _record_parts(db: Any, patient_id: str) -> tuple[Any, ...]:
    """What a patient's record is made of, each read from `db`, every read made whatever the
    one before found (so that `_Recorder` sees them all)."""
    return (
        _read_version(db, patient_id),
        tables.read_patient(db, patient_id),
        tables.read_weights(db, patient_id),
        tuple(event for _, event in tables.read_events(db, patient_id)),
        tables.read_baselines(db, patient_id),
        tables.read_observations(db, patient_id),
        tables.read_co_medication(db, patient_id),
    )


class _Rows(list[Any]):
    """Rows as `tables` reads them from a cursor: iterated, fetchall, fetchone."""

    def fetchall(self) -> list[Any]:
        return list(self)

    def fetchone(self) -> Any:
        return self[0] if self else None


class _Recorder:
    """Takes down the reads `tables` makes (finding nothing), to send them together."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, tuple[Any, ...]]] = []

    def execute(self, sql: str, params: Sequence[Any] = ()) -> _Rows:
        self.statements.append((sql, tuple(params)))
        return _Rows()


class _Replayer:
    """Gives `tables` the rows of the reads `_Recorder` took down, in the same order; a read
    that is not the one expected is a fault in this module, not the store's."""

    def __init__(self, statements: list[tuple[str, tuple[Any, ...]]], rows: list[Any]) -> None:
        self._answers = list(zip(statements, rows, strict=True))

    def execute(self, sql: str, params: Sequence[Any] = ()) -> _Rows:
        (expected, expected_params), rows = self._answers.pop(0)
        if (sql, tuple(params)) != (expected, expected_params):
            raise RuntimeError(f"read out of order: {sql!r}, not {expected!r}")
        return _Rows(tuple(row) for row in rows)
