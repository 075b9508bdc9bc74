"""The patient record: who the patient is, and what was given and measured, each dated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum

from tacrocalc.domain.protocol import FormulationId, TargetRange
from tacrocalc.domain.units import Quantity

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
class Regimen:
    """A regimen from `start` until the next one starts (R8.2: each start restarts the schedule)."""

    start: date
    formulation: FormulationId
    dose: Quantity  # per administration, mg
    times: tuple[time, ...]


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
class PatientRecord:
    """Everything known about one patient. Collections are sorted by date (then time)."""

    patient: Patient
    protocol_id: str
    weights: tuple[WeightEntry, ...] = ()
    regimens: tuple[Regimen, ...] = ()
    observations: tuple[Observation, ...] = ()
    co_medication: tuple[CoMedicationChange, ...] = ()
    target_trough: TargetRange | None = None  # the patient's own range, overriding the protocol's

    def troughs(self) -> tuple[Trough, ...]:
        return tuple(o for o in self.observations if isinstance(o, Trough))

    def creatinines(self) -> tuple[Creatinine, ...]:
        return tuple(o for o in self.observations if isinstance(o, Creatinine))

    def blood_pressures(self) -> tuple[BloodPressure, ...]:
        return tuple(o for o in self.observations if isinstance(o, BloodPressure))

    def weight_on(self, day: date) -> WeightEntry | None:
        """The latest weight recorded on or before `day` (else the first one recorded)."""
        before = [w for w in self.weights if w.date <= day]
        if before:
            return before[-1]
        return self.weights[0] if self.weights else None

    def regimen_on(self, day: date) -> Regimen | None:
        """The regimen in force on `day`."""
        current = None
        for regimen in self.regimens:
            if regimen.start <= day:
                current = regimen
        return current

    def as_of(self, day: date) -> PatientRecord:
        """The record as it stood on `day`: nothing dated after it."""
        return PatientRecord(
            patient=self.patient,
            protocol_id=self.protocol_id,
            weights=tuple(w for w in self.weights if w.date <= day),
            regimens=tuple(r for r in self.regimens if r.start <= day),
            observations=tuple(o for o in self.observations if o.date <= day),
            co_medication=tuple(c for c in self.co_medication if c.date <= day),
            target_trough=self.target_trough,
        )

    @property
    def first_start(self) -> date | None:
        return self.regimens[0].start if self.regimens else None


def sort_key(observation: Observation) -> tuple[date, time, str]:
    return (observation.date, observation.time or time(0), observation.kind.value)


def make_record(
    *,
    patient: Patient,
    protocol_id: str,
    weights: tuple[WeightEntry, ...] = (),
    regimens: tuple[Regimen, ...] = (),
    observations: tuple[Observation, ...] = (),
    co_medication: tuple[CoMedicationChange, ...] = (),
    target_trough: TargetRange | None = None,
) -> PatientRecord:
    """A record with its collections in date order, whatever order they came in."""
    return PatientRecord(
        patient=patient,
        protocol_id=protocol_id,
        weights=tuple(sorted(weights, key=lambda w: w.date)),
        regimens=tuple(sorted(regimens, key=lambda r: r.start)),
        observations=tuple(sorted(observations, key=sort_key)),
        co_medication=tuple(sorted(co_medication, key=lambda c: c.date)),
        target_trough=target_trough,
    )
