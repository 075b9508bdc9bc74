"""The patient record: who the patient is, and what was given and measured, each dated."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum

from tacrocalc.domain.course import (
    CourseEvent,
    Period,
    Regimen,
    Status,
    event_order,
    events_from_regimens,
    period_at,
    periods,
    regimens_of,
)
from tacrocalc.domain.issues import Issue, IssueCode, Measure, Pressure
from tacrocalc.domain.protocol import TargetRange
from tacrocalc.domain.units import Kind, Quantity, magnitude, stored_unit

__all__ = ["CourseEvent", "Regimen"]

TimeOfDay = time  # for annotations in classes that have a field named `time`


class Sex(StrEnum):
    FEMALE = "F"
    MALE = "M"
    OTHER = "X"


class ObservationKind(StrEnum):
    TROUGH = "trough"
    CREATININE = "creatinine"
    BLOOD_PRESSURE = "blood_pressure"


@dataclass(frozen=True, slots=True, kw_only=True)
class Patient:
    id: str
    name: str
    birth_date: date | None
    sex: Sex | None
    prior_ciclosporin_nephrotoxicity: bool = False  # R4.4


@dataclass(frozen=True, slots=True, kw_only=True)
class WeightEntry:
    date: date
    value: Quantity  # kg


@dataclass(frozen=True, slots=True, kw_only=True)
class Trough:
    """A 12-hour (24-hour for once-daily products) whole-blood trough level (R5)."""

    date: date
    value: Quantity  # µg/L; for a result below the assay's limit, the limit itself
    below_limit: bool = False  # entered as "<2 ug/L" (R12.2)
    time: time | None = None  # sample time
    last_dose_time: TimeOfDay | None = None
    kind: ObservationKind = ObservationKind.TROUGH


@dataclass(frozen=True, slots=True, kw_only=True)
class Creatinine:
    date: date
    value: Quantity  # µmol/L
    time: time | None = None
    kind: ObservationKind = ObservationKind.CREATININE


@dataclass(frozen=True, slots=True, kw_only=True)
class BloodPressure:
    date: date
    systolic: Quantity  # mmHg
    diastolic: Quantity  # mmHg
    time: time | None = None
    kind: ObservationKind = ObservationKind.BLOOD_PRESSURE


Observation = Trough | Creatinine | BloodPressure


@dataclass(frozen=True, slots=True, kw_only=True)
class CoMedicationChange:
    """A change of an interacting drug or of the steroid dose (R11)."""

    date: date
    note: str


@dataclass(frozen=True, slots=True, kw_only=True)
class BaselineSetting:
    """A creatinine baseline set explicitly by the user, from `date` on (R6.5)."""

    date: date
    value: Quantity  # µmol/L
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientRecord:
    """Everything known about one patient. Collections are sorted by date (then time)."""

    patient: Patient
    protocol_id: str
    weights: tuple[WeightEntry, ...] = ()
    events: tuple[CourseEvent, ...] = ()  # the treatment course (R15), in date order
    observations: tuple[Observation, ...] = ()
    co_medication: tuple[CoMedicationChange, ...] = ()
    target_trough: TargetRange | None = None  # the patient's own range, overriding the protocol's
    baselines: tuple[BaselineSetting, ...] = ()  # creatinine baselines set by the user (R6.5)
    # Worked out once from the fields above (every assessment asks for them many times).
    _course: tuple[Period, ...] = field(default=(), init=False, repr=False, compare=False)
    _by_kind: dict[type, tuple[Observation, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_course", periods(self.events))
        by_kind: dict[type, list[Observation]] = {Trough: [], Creatinine: [], BloodPressure: []}
        for observation in self.observations:
            by_kind[type(observation)].append(observation)
        object.__setattr__(self, "_by_kind", {k: tuple(v) for k, v in by_kind.items()})

    def troughs(self) -> tuple[Trough, ...]:
        return self._by_kind[Trough]  # type: ignore[return-value]

    def creatinines(self) -> tuple[Creatinine, ...]:
        return self._by_kind[Creatinine]  # type: ignore[return-value]

    def blood_pressures(self) -> tuple[BloodPressure, ...]:
        return self._by_kind[BloodPressure]  # type: ignore[return-value]

    def weight_on(self, day: date) -> WeightEntry | None:
        """The latest weight recorded on or before `day` (else the first one recorded)."""
        before = [w for w in self.weights if w.date <= day]
        if before:
            return before[-1]
        return self.weights[0] if self.weights else None

    def course(self) -> tuple[Period, ...]:
        """The course walked from its events (R15.2)."""
        return self._course

    @property
    def regimens(self) -> tuple[Regimen, ...]:
        """Every regimen given, in order (a resume at the same dose is a regimen of its own)."""
        return regimens_of(self.course())

    def period_on(self, day: date, at: time | None = None) -> Period | None:
        return period_at(self.course(), day, at)

    def regimen_on(self, day: date, at: time | None = None) -> Regimen | None:
        """The regimen in force on `day` (at `at`); None while held or stopped (R15.2)."""
        period = self.period_on(day, at)
        return period.regimen if period is not None else None

    def regimen_of(self, observation: Observation) -> Regimen | None:
        """The dose at the time of a result (R15.2); a result of the day of an event, without
        times that put it after the event, was taken before it."""
        period = period_at(self.course(), observation.date, observation.time, sample=True)
        return period.regimen if period is not None else None

    def status_on(self, day: date) -> Status:
        period = self.period_on(day)
        return Status.NONE if period is None else period.status

    def as_of(self, day: date) -> PatientRecord:
        """The record as it stood on `day`: nothing dated after it."""
        return PatientRecord(
            patient=self.patient,
            protocol_id=self.protocol_id,
            weights=tuple(w for w in self.weights if w.date <= day),
            events=tuple(e for e in self.events if e.date <= day),
            observations=tuple(o for o in self.observations if o.date <= day),
            co_medication=tuple(c for c in self.co_medication if c.date <= day),
            target_trough=self.target_trough,
            baselines=tuple(b for b in self.baselines if b.date <= day),
        )

    @property
    def first_start(self) -> date | None:
        """R6.1: the first start of all (a restart keeps the pre-treatment baseline, R6.5)."""
        return self.events[0].date if self.events else None


def sort_key(observation: Observation) -> tuple[date, time, str]:
    return (observation.date, observation.time or time(0), observation.kind.value)


def make_record(
    *,
    patient: Patient,
    protocol_id: str,
    weights: tuple[WeightEntry, ...] = (),
    regimens: tuple[Regimen, ...] = (),
    events: tuple[CourseEvent, ...] = (),
    observations: tuple[Observation, ...] = (),
    co_medication: tuple[CoMedicationChange, ...] = (),
    target_trough: TargetRange | None = None,
    baselines: tuple[BaselineSetting, ...] = (),
) -> PatientRecord:
    """A record with its collections in date order, whatever order they came in. `regimens`
    (the version 1 form) become a course: a start, then switches and dose changes."""
    return PatientRecord(
        patient=patient,
        protocol_id=protocol_id,
        weights=tuple(sorted(weights, key=lambda w: w.date)),
        events=tuple(sorted(events + events_from_regimens(regimens), key=event_order)),
        observations=tuple(sorted(observations, key=sort_key)),
        co_medication=tuple(sorted(co_medication, key=lambda c: c.date)),
        target_trough=target_trough,
        baselines=tuple(sorted(baselines, key=lambda b: b.date)),
    )


def _result(obs: Observation) -> tuple[float, ...]:
    """What an observation measured, as numbers in the units it is stored in."""
    if isinstance(obs, Trough):
        return (magnitude(obs.value, stored_unit(Kind.TROUGH)), float(obs.below_limit))
    if isinstance(obs, Creatinine):
        return (magnitude(obs.value, stored_unit(Kind.CREATININE)),)
    unit = stored_unit(Kind.PRESSURE)
    return (magnitude(obs.systolic, unit), magnitude(obs.diastolic, unit))


def _param(obs: Observation) -> object:
    if isinstance(obs, Trough):
        return Measure(Kind.TROUGH, obs.value, below_limit=obs.below_limit)
    if isinstance(obs, Creatinine):
        return Measure(Kind.CREATININE, obs.value)
    return Pressure(obs.systolic, obs.diastolic)


_FIELDS = {Trough: "trough", Creatinine: "creatinine", BloodPressure: "blood pressure"}


def check_not_recorded(
    obs: Observation, recorded: tuple[Observation, ...] | list[Observation]
) -> tuple[Issue, ...]:
    """R12.10: a result already recorded is not added again (Enter pressed twice, a result
    re-sent after a lost connection, the same result typed at two workstations), and a sample
    with a recorded result (same kind, date and time) is not given a second one: that is a
    correction. Results of one kind on one day without a time, with different values, are
    repeats and are kept."""
    for other in recorded:
        if type(other) is not type(obs) or other.date != obs.date or other.time != obs.time:
            continue
        taken = obs.date if obs.time is None else (obs.date, obs.time)
        same = all(
            math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
            for a, b in zip(_result(obs), _result(other), strict=True)
        )
        if same:
            return (
                Issue.refusal(
                    IssueCode.ALREADY_RECORDED,
                    field=_FIELDS[type(obs)],
                    value=_param(obs),
                    taken=taken,
                ),
            )
        if obs.time is not None:
            return (
                Issue.refusal(
                    IssueCode.SAMPLE_HAS_RESULT,
                    field=_FIELDS[type(obs)],
                    value=_param(obs),
                    recorded=_param(other),
                    taken=taken,
                ),
            )
    return ()
