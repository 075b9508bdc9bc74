"""Trough, creatinine and blood-pressure classification (R5, R6, R7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from tacrocalc.domain.protocol import Protocol, TargetRange
from tacrocalc.domain.record import BloodPressure, Creatinine, PatientRecord, Trough
from tacrocalc.domain.units import Quantity, magnitude


class TroughClass(StrEnum):
    BELOW = "below"
    IN_RANGE = "in_range"
    UPPER_END = "upper_end"
    ABOVE = "above"
    OFF_TREATMENT = "off_treatment"  # R5.7: taken while held or stopped; never classified


def classify_trough(
    value: Quantity, target: TargetRange, *, below_limit: bool = False
) -> TroughClass:
    """R5.4: below (< low), in range, upper end (>= caution and <= high), above (> high).
    A result below the assay's limit counts as below range (R12.2)."""
    level = magnitude(value, "ug/L")
    if below_limit or level < magnitude(target.low, "ug/L"):
        return TroughClass.BELOW
    if level > magnitude(target.high, "ug/L"):
        return TroughClass.ABOVE
    if target.caution is not None and level >= magnitude(target.caution, "ug/L"):
        return TroughClass.UPPER_END
    return TroughClass.IN_RANGE


def target_for(record: PatientRecord, protocol: Protocol) -> TargetRange:
    """The patient's own range when set, else the protocol's (R5.6)."""
    return record.target_trough or protocol.target


def on_treatment(trough: Trough, record: PatientRecord) -> bool:
    """R5.7: a trough counts only when a regimen was in force when it was sampled."""
    return record.regimen_of(trough) is not None


def classify(trough: Trough, record: PatientRecord, protocol: Protocol) -> TroughClass:
    """R5.4 for a trough taken on treatment; off treatment otherwise (R5.7)."""
    if not on_treatment(trough, record):
        return TroughClass.OFF_TREATMENT
    return classify_trough(
        trough.value, target_for(record, protocol), below_limit=trough.below_limit
    )


def at_steady_state(trough: Trough, record: PatientRecord, protocol: Protocol) -> bool | None:
    """R5.5: False for a trough taken less than `steady_state_days` after the event that put the
    regimen in force (start, change, switch, resume, restart); None when none was in force."""
    regimen = record.regimen_of(trough)
    if regimen is None:
        return None
    return (trough.date - regimen.start).days >= protocol.values.steady_state_days


def sampling_gap(trough: Trough) -> timedelta | None:
    """Time from the last dose to the sample, when both are known. A last dose at or after the
    sample's clock time was given the day before (08:00 sample, 08:00 once-daily dose: 24 h)."""
    if trough.time is None or trough.last_dose_time is None:
        return None
    sample = datetime.combine(trough.date, trough.time)
    dose = datetime.combine(trough.date, trough.last_dose_time)
    if dose >= sample:
        dose -= timedelta(days=1)
    return sample - dose


def is_true_trough(trough: Trough, record: PatientRecord, protocol: Protocol) -> bool | None:
    """R5.1: the gap from the last dose is within ± the window of the dosing interval."""
    gap = sampling_gap(trough)
    regimen = record.regimen_of(trough)
    if gap is None or regimen is None:
        return None
    interval = protocol.formulations[regimen.formulation].interval
    return abs(gap - interval) <= timedelta(hours=protocol.values.trough_window_hours)


@dataclass(frozen=True, slots=True, kw_only=True)
class Baseline:
    value: Quantity  # µmol/L
    date: date
    after_start: bool  # R6.1: no creatinine before the start; the first one after it is used
    reason: str = ""  # set explicitly by the user, with this reason (R6.5)

    @property
    def explicit(self) -> bool:
        return bool(self.reason)


def creatinine_baseline(record: PatientRecord, on: date | None = None) -> Baseline | None:
    """The baseline a creatinine dated `on` (by default, the latest) is judged against.

    R6.5: a baseline the user set, from its date on. Otherwise R6.1: the most recent creatinine
    on or before the first tacrolimus start (a restart keeps it); with none, the first one after
    it, marked as taken after the start."""
    explicit = [b for b in record.baselines if on is None or b.date <= on]
    if explicit:
        chosen = explicit[-1]
        return Baseline(
            value=chosen.value, date=chosen.date, after_start=False, reason=chosen.reason
        )
    values = record.creatinines()
    if not values:
        return None
    start = record.first_start
    if start is None:
        latest = values[-1]
        return Baseline(value=latest.value, date=latest.date, after_start=False)
    before = [c for c in values if c.date <= start]
    if before:
        return Baseline(value=before[-1].value, date=before[-1].date, after_start=False)
    return Baseline(value=values[0].value, date=values[0].date, after_start=True)


def creatinine_change_pct(value: Creatinine, baseline: Baseline) -> float:
    """R6.2: (value - baseline) / baseline × 100, always against the baseline."""
    base = magnitude(baseline.value, "umol/L")
    return (magnitude(value.value, "umol/L") - base) / base * 100


def significant_rise(change_pct: float, protocol: Protocol) -> bool:
    """R6.3: a rise of the protocol's percentage (30 %) or more."""
    return round(change_pct, 9) >= protocol.values.creatinine_significant_rise_pct


def rise_limit(baseline: Baseline, protocol: Protocol) -> Quantity:
    """The level drawn on the chart: baseline × (1 + 30 %)."""
    limit: Quantity = baseline.value * (1 + protocol.values.creatinine_significant_rise_pct / 100)
    return limit


def is_urgent_pressure(reading: BloodPressure, protocol: Protocol) -> bool:
    """R14.1: at or above 180/110 mmHg (protocol defaults) is urgent."""
    return magnitude(reading.systolic, "mmHg") >= magnitude(
        protocol.values.urgent_systolic, "mmHg"
    ) or magnitude(reading.diastolic, "mmHg") >= magnitude(protocol.values.urgent_diastolic, "mmHg")


def is_hypertensive(reading: BloodPressure, protocol: Protocol) -> bool:
    """R7.1: systolic >= 140 or diastolic >= 90 mmHg (protocol defaults)."""
    return magnitude(reading.systolic, "mmHg") >= magnitude(
        protocol.values.systolic_limit, "mmHg"
    ) or magnitude(reading.diastolic, "mmHg") >= magnitude(protocol.values.diastolic_limit, "mmHg")
