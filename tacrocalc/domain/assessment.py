"""`assess(record, protocol, today)`: everything TacroCalc says about a patient, in one place.

The window, the printed plan and the command line all show this; none of them re-derives a
classification, a threshold or a date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tacrocalc.domain.dosing import check_rate
from tacrocalc.domain.issues import Issue, IssueCode, Severity
from tacrocalc.domain.protocol import Protocol, TargetRange
from tacrocalc.domain.record import BloodPressure, Creatinine, PatientRecord, Regimen, Trough
from tacrocalc.domain.schedule import ScheduledCheck, Status, schedule
from tacrocalc.domain.thresholds import (
    Baseline,
    TroughClass,
    at_steady_state,
    classify_trough,
    creatinine_baseline,
    creatinine_change_pct,
    is_hypertensive,
    is_true_trough,
    rise_limit,
    significant_rise,
    target_for,
)
from tacrocalc.domain.units import Kind, Quantity, format_number, format_quantity, magnitude, q


@dataclass(frozen=True, slots=True, kw_only=True)
class TroughResult:
    trough: Trough
    klass: TroughClass
    steady_state: bool | None
    true_trough: bool | None
    regimen: Regimen | None  # in force that day


@dataclass(frozen=True, slots=True, kw_only=True)
class CreatinineResult:
    creatinine: Creatinine
    change_pct: float | None
    significant: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class PressureResult:
    reading: BloodPressure
    hypertension: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Alert:
    """Something that needs attention now, dated by the observation or check it comes from."""

    issue: Issue
    date: date | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Assessment:
    record: PatientRecord  # as it stood on `today`
    today: date
    protocol: Protocol
    target: TargetRange
    baseline: Baseline | None
    rise_limit: Quantity | None  # baseline × 1.30 (R6.3)
    current_regimen: Regimen | None
    current_rate: Quantity | None  # mg/kg/day with the latest weight
    troughs: tuple[TroughResult, ...]
    creatinine: tuple[CreatinineResult, ...]
    blood_pressure: tuple[PressureResult, ...]
    alerts: tuple[Alert, ...]
    schedule: tuple[ScheduledCheck, ...]


def _ug(value: Quantity) -> str:
    return format_quantity(value, Kind.TROUGH)


def _umol(value: Quantity) -> str:
    return format_quantity(value, Kind.CREATININE, decimals=1)


def _mmhg(value: Quantity) -> str:
    return format_number(magnitude(value, "mmHg"), 0)


def _trough_alerts(result: TroughResult, target: TargetRange, protocol: Protocol) -> list[Alert]:
    trough = result.trough
    shown = ("<" if trough.below_limit else "") + _ug(trough.value)
    alerts = []

    def warn(code: IssueCode, **params: str) -> None:
        issue = Issue(
            code=code,
            severity=Severity.WARNING,
            field="trough",
            value=shown,
            params=tuple(params.items()),
        )
        alerts.append(Alert(date=trough.date, issue=issue))

    codes = {
        TroughClass.BELOW: (IssueCode.TROUGH_BELOW, target.low),
        TroughClass.ABOVE: (IssueCode.TROUGH_ABOVE, target.high),
        TroughClass.UPPER_END: (IssueCode.TROUGH_UPPER_END, target.caution),
    }
    if result.klass in codes:
        code, limit = codes[result.klass]
        assert limit is not None
        warn(code, limit=_ug(limit), low=_ug(target.low), high=_ug(target.high))
    if result.steady_state is False:  # R5.5
        warn(IssueCode.NOT_STEADY_STATE, days=str(protocol.count("steady_state_days")))
    if result.true_trough is False:  # R5.1
        warn(
            IssueCode.NOT_TRUE_TROUGH,
            sample=str(trough.time)[:5],
            last_dose=str(trough.last_dose_time)[:5],
            hours=str(protocol.count("trough_window_hours")),
        )
    return alerts


def assess(record: PatientRecord, protocol: Protocol, today: date) -> Assessment:
    """Classify every observation, find what needs attention, and plan the checks, with what
    was known on `today` (a regimen starting later is not yet in force)."""
    record = record.as_of(today)
    target = target_for(record, protocol)
    urgent_renal = record.patient.prior_ciclosporin_nephrotoxicity  # R4.4
    troughs = tuple(
        TroughResult(
            trough=t,
            klass=classify_trough(t.value, target, below_limit=t.below_limit),
            steady_state=at_steady_state(t, record, protocol),
            true_trough=is_true_trough(t, record, protocol),
            regimen=record.regimen_on(t.date),
        )
        for t in record.troughs()
    )
    baseline = creatinine_baseline(record)
    creatinine = []
    for value in record.creatinines():
        change = creatinine_change_pct(value, baseline) if baseline is not None else None
        creatinine.append(
            CreatinineResult(
                creatinine=value,
                change_pct=change,
                significant=change is not None and significant_rise(change, protocol),
            )
        )
    pressures = tuple(
        PressureResult(reading=r, hypertension=is_hypertensive(r, protocol))
        for r in record.blood_pressures()
    )
    checks = schedule(record, protocol, today)

    alerts: list[Alert] = []
    # What needs attention now: the latest result of each kind (R6.4: every creatinine is
    # checked, however long after a dose change), overdue checks, and the current regimen.
    for check in checks:
        if check.status in (Status.OVERDUE, Status.DUE):
            code = (
                IssueCode.CHECK_OVERDUE if check.status is Status.OVERDUE else IssueCode.CHECK_DUE
            )
            alerts.append(
                Alert(
                    date=check.due,
                    issue=Issue.warning(
                        code,
                        field="schedule",
                        value=check.due.isoformat(),
                        number=str(check.number or ""),
                        phase=check.phase.value,
                        latest=check.latest.isoformat() if check.latest else "",
                        urgent=check.status is Status.OVERDUE and urgent_renal,
                    ),
                )
            )
    if creatinine and baseline is not None and creatinine[-1].significant:
        latest = creatinine[-1]
        limit = rise_limit(baseline, protocol)
        alerts.append(
            Alert(
                date=latest.creatinine.date,
                issue=Issue.warning(
                    IssueCode.CREATININE_RISE,
                    field="creatinine",
                    value=_umol(latest.creatinine.value),
                    change=f"{format_number(latest.change_pct or 0.0, 1)} %",
                    baseline=_umol(baseline.value),
                    baseline_date=baseline.date.isoformat(),
                    limit=_umol(limit),
                    pct=format_number(protocol.number("creatinine_significant_rise_pct")),
                    urgent=urgent_renal,
                ),
            )
        )
    if baseline is not None and baseline.after_start:  # R6.1
        alerts.append(
            Alert(
                date=baseline.date,
                issue=Issue.warning(
                    IssueCode.BASELINE_AFTER_START,
                    field="creatinine",
                    value=_umol(baseline.value),
                    urgent=urgent_renal,
                ),
            )
        )
    if record.regimens and baseline is None:
        alerts.append(
            Alert(
                date=None,
                issue=Issue.warning(IssueCode.NO_BASELINE, field="creatinine", urgent=urgent_renal),
            )
        )
    if pressures and pressures[-1].hypertension:
        reading = pressures[-1].reading
        alerts.append(
            Alert(
                date=reading.date,
                issue=Issue.warning(
                    IssueCode.HYPERTENSION,
                    field="blood pressure",
                    value=f"{_mmhg(reading.systolic)}/{_mmhg(reading.diastolic)} mmHg",
                    systolic=_mmhg(protocol.quantity("systolic_limit")),
                    diastolic=_mmhg(protocol.quantity("diastolic_limit")),
                    urgent=urgent_renal,
                ),
            )
        )
    if troughs:
        alerts.extend(_trough_alerts(troughs[-1], target, protocol))

    regimen = record.regimens[-1] if record.regimens else None
    rate = None
    if regimen is None:
        alerts.append(Alert(date=None, issue=Issue.warning(IssueCode.NO_REGIMEN, field="regimen")))
    else:
        weight = record.weight_on(today)
        formulation = protocol.formulations.get(regimen.formulation)
        if weight is not None and formulation is not None:
            daily = magnitude(regimen.dose, "mg") * formulation.administrations_per_day
            rate = q(daily / magnitude(weight.value, "kg"), "mg/kg/day")
            alerts.extend(
                Alert(date=regimen.start, issue=i)
                for i in check_rate(rate, protocol, field="current regimen")
            )
    order = {"urgent": 0, "refusal": 0, "warning": 1, "info": 2}
    alerts.sort(key=lambda a: order[a.issue.severity.value])
    return Assessment(
        record=record,
        today=today,
        protocol=protocol,
        target=target,
        baseline=baseline,
        rise_limit=rise_limit(baseline, protocol) if baseline is not None else None,
        current_regimen=regimen,
        current_rate=rate,
        troughs=troughs,
        creatinine=tuple(creatinine),
        blood_pressure=pressures,
        alerts=tuple(alerts),
        schedule=checks,
    )
