"""`assess(record, protocol, today)`: everything TacroCalc says about a patient, in one place.

The window, the printed plan and the command line all show this; none of them re-derives a
classification, a threshold, a date or a dose suggestion.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from tacrocalc.domain.course import CourseEvent, EventKind, Regimen, Status, anchor
from tacrocalc.domain.dosing import Adjustment, adjust, check_rate, check_weight
from tacrocalc.domain.issues import Action, Issue, IssueCode, Measure, Percent, Pressure, Severity
from tacrocalc.domain.protocol import Protocol, TargetRange
from tacrocalc.domain.record import BloodPressure, Creatinine, PatientRecord, Trough
from tacrocalc.domain.schedule import (
    CheckStatus,
    Facts,
    Phase,
    ScheduledCheck,
    counted_days,
    schedule,
)
from tacrocalc.domain.thresholds import (
    Baseline,
    TroughClass,
    at_steady_state,
    classify,
    creatinine_baseline,
    creatinine_change_pct,
    is_hypertensive,
    is_true_trough,
    is_urgent_pressure,
    rise_limit,
    significant_rise,
    target_for,
)
from tacrocalc.domain.units import Kind, Quantity, magnitude, q


@dataclass(frozen=True, slots=True, kw_only=True)
class TroughResult:
    trough: Trough
    klass: TroughClass  # OFF_TREATMENT while held or stopped (R5.7)
    steady_state: bool | None
    true_trough: bool | None
    regimen: Regimen | None  # the dose at the time (R15.2)
    extra: bool  # not part of a check (R8.7)


@dataclass(frozen=True, slots=True, kw_only=True)
class CreatinineResult:
    creatinine: Creatinine
    change_pct: float | None
    significant: bool
    baseline: Baseline | None  # the baseline it is judged against (R6.1, R6.5)
    regimen: Regimen | None
    extra: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class PressureResult:
    reading: BloodPressure
    hypertension: bool
    urgent: bool  # at or above 180/110 mmHg (R14.1)
    regimen: Regimen | None
    extra: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Alert:
    """Something that needs attention, dated by the result or check it comes from, with the
    seed's suggestion where it has one (R14.2). Alerts never change a dose (R14.3)."""

    issue: Issue
    date: date | None
    action: Action | None = None

    @property
    def severity(self) -> Severity:
        return self.issue.severity


@dataclass(frozen=True, slots=True, kw_only=True)
class RegimenNow:
    """R15.4: on treatment since a date, on hold since one, stopped on one, or no course."""

    status: Status
    regimen: Regimen | None  # while on treatment
    since: date | None
    event: CourseEvent | None  # the event that began the current period
    previous: Regimen | None  # the regimen before a hold or stop


class Advice(StrEnum):
    KEEP = "keep"
    CHANGE = "change"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True, slots=True, kw_only=True)
class AdjustmentAdvice:
    """R9: what the latest trough says about the dose. `reason` says why in words (through
    its code); `due` is when a usable trough is due, when none is; `adjustment` is the
    suggestion (for KEEP, the proportional figure the user may still ask for)."""

    advice: Advice
    reason: Issue
    trough: TroughResult | None
    target: Quantity
    target_source: str
    due: date | None
    adjustment: Adjustment | None
    issues: tuple[Issue, ...]
    regimen: Regimen | None  # in force now


@dataclass(frozen=True, slots=True, kw_only=True)
class Assessment:
    record: PatientRecord  # as it stood on `today`
    today: date
    protocol: Protocol
    target: TargetRange
    baseline: Baseline | None  # the baseline in force today
    rise_limit: Quantity | None  # baseline × 1.30 (R6.3)
    now: RegimenNow
    current_rate: Quantity | None  # mg/kg/day with the latest weight
    troughs: tuple[TroughResult, ...]
    creatinine: tuple[CreatinineResult, ...]
    blood_pressure: tuple[PressureResult, ...]
    alerts: tuple[Alert, ...]  # most severe first (R14.1)
    schedule: tuple[ScheduledCheck, ...]
    adjustment: AdjustmentAdvice

    @property
    def current_regimen(self) -> Regimen | None:
        """The regimen in force today; None while held or stopped."""
        return self.now.regimen


def _ug(value: Quantity) -> Measure:
    return Measure(Kind.TROUGH, value)


def _umol(value: Quantity) -> Measure:
    return Measure(Kind.CREATININE, value)


def _trough_text(trough: Trough) -> Measure:
    return Measure(Kind.TROUGH, trough.value, below_limit=trough.below_limit)


def _trough_alerts(result: TroughResult, target: TargetRange, protocol: Protocol) -> list[Alert]:
    trough = result.trough
    shown = _trough_text(trough)
    alerts = []

    def alert(code: IssueCode, severity: Severity, **params: object) -> None:
        issue = Issue(
            code=code, severity=severity, field="trough", value=shown, params=tuple(params.items())
        )
        alerts.append(Alert(date=trough.date, issue=issue))

    if result.klass is TroughClass.OFF_TREATMENT:  # R5.7
        alert(IssueCode.OFF_TREATMENT_TROUGH, Severity.NOTE)
        return alerts
    codes = {  # R14.1: above the range is urgent; upper end and below, warnings
        TroughClass.BELOW: (IssueCode.TROUGH_BELOW, target.low, Severity.WARNING),
        TroughClass.ABOVE: (IssueCode.TROUGH_ABOVE, target.high, Severity.URGENT),
        TroughClass.UPPER_END: (IssueCode.TROUGH_UPPER_END, target.caution, Severity.WARNING),
    }
    if result.klass in codes:
        code, limit, severity = codes[result.klass]
        assert limit is not None
        alert(code, severity, limit=_ug(limit), low=_ug(target.low), high=_ug(target.high))
    if result.steady_state is False:  # R5.5
        alert(
            IssueCode.NOT_STEADY_STATE,
            Severity.NOTE,
            days=protocol.values.steady_state_days,
        )
    if result.true_trough is False:  # R5.1
        alert(
            IssueCode.NOT_TRUE_TROUGH,
            Severity.NOTE,
            sample=trough.time,
            last_dose=trough.last_dose_time,
            hours=protocol.values.trough_window_hours,
        )
    return alerts


def _regimen_now(record: PatientRecord, today: date) -> RegimenNow:
    period = record.period_on(today)
    if period is None:
        return RegimenNow(status=Status.NONE, regimen=None, since=None, event=None, previous=None)
    return RegimenNow(
        status=period.status,
        regimen=period.regimen,
        since=period.start,
        event=period.event,
        previous=period.previous,
    )


def _next_trough_due(checks: tuple[ScheduledCheck, ...]) -> date | None:
    pending = [
        c.due
        for c in checks
        if c.status is not CheckStatus.DONE
        and Phase.CREATININE_RECHECK is not c.phase
        and any(k.value == "trough" for k in c.takes)
    ]
    return min(pending, default=None)


def advise(
    record: PatientRecord,
    protocol: Protocol,
    today: date,
    now: RegimenNow,
    troughs: tuple[TroughResult, ...],
    checks: tuple[ScheduledCheck, ...],
) -> AdjustmentAdvice:
    """R9.3-R9.5: from the latest trough only, and only when it was taken on the regimen in
    force now (after the event that put it in force), at steady state, a true trough, on
    treatment and above the assay's limit. So a trough gives at most one change: once a change
    is recorded, the trough was taken before it and no longer applies."""
    target = target_for(record, protocol)
    goal = target.aim
    due = _next_trough_due(checks)
    latest = troughs[-1] if troughs else None

    def unavailable(code: IssueCode, **params: object) -> AdjustmentAdvice:
        value = _trough_text(latest.trough) if latest is not None else ""
        params["due"] = due
        reason = Issue(
            code=code,
            severity=Severity.NOTE,
            field="latest trough",
            value=value,
            params=tuple(params.items()),
        )
        return AdjustmentAdvice(
            advice=Advice.UNAVAILABLE,
            reason=reason,
            trough=latest,
            target=goal,
            target_source=target.target_source or target.source,
            due=due,
            adjustment=None,
            issues=(),
            regimen=now.regimen,
        )

    regimen = now.regimen
    if regimen is None or now.since is None:
        return unavailable(IssueCode.NO_TREATMENT, status=now.status)
    if latest is None:
        return unavailable(IssueCode.NO_TROUGH)
    trough = latest.trough
    taken = {"taken": trough.date}
    if latest.klass is TroughClass.OFF_TREATMENT:
        return unavailable(IssueCode.TROUGH_OFF_TREATMENT, **taken)
    if (
        latest.regimen is None
        or not latest.regimen.same_as(regimen)
        or latest.regimen.start != regimen.start
    ):
        return unavailable(
            IssueCode.TROUGH_ON_OTHER_REGIMEN,
            then=latest.regimen,
            now=regimen,
            since=now.since,
            **taken,
        )
    if trough.below_limit:
        return unavailable(IssueCode.ADJUST_BELOW_ASSAY_LIMIT, **taken)
    if latest.steady_state is False:
        return unavailable(
            IssueCode.ADJUST_NOT_STEADY_STATE,
            days=protocol.values.steady_state_days,
            **taken,
        )
    if latest.true_trough is False:
        return unavailable(IssueCode.TROUGH_NOT_TRUE, **taken)
    weight = record.weight_on(today)
    outcome = adjust(
        dose=regimen.dose,
        formulation=regimen.formulation,
        trough=trough.value,
        target=goal,
        protocol=protocol,
        steady_state=True,
        above_range=latest.klass is TroughClass.ABOVE,
        weight=weight.value if weight is not None else None,
    )
    if outcome.adjustment is None:
        first = outcome.issues[0]
        return unavailable(first.code, **{**dict(first.params), **taken})
    keep = latest.klass is TroughClass.IN_RANGE  # R9.4
    return AdjustmentAdvice(
        advice=Advice.KEEP if keep else Advice.CHANGE,
        reason=Issue.note(
            IssueCode.TROUGH_IN_RANGE if keep else IssueCode.TROUGH_OUT_OF_AIM,
            field="adjustment",
            value=_trough_text(trough),
            klass=latest.klass,
            taken=trough.date,
        ),
        trough=latest,
        target=goal,
        target_source=target.target_source or target.source,
        due=None,
        adjustment=outcome.adjustment,
        issues=outcome.issues,
        regimen=regimen,
    )


def _high_trough_on(trough: TroughResult | None, day: date) -> bool:
    """R14.2 pairs a result with a trough at the upper end (or above) taken the same day: a
    blood pressure of months ago says nothing about today's trough."""
    return (
        trough is not None
        and trough.trough.date == day
        and trough.klass in (TroughClass.UPPER_END, TroughClass.ABOVE)
    )


def _pressure_action(
    record: PatientRecord,
    protocol: Protocol,
    pressures: tuple[PressureResult, ...],
    latest_trough: TroughResult | None,
    creatinine_rise: bool,
    status: Status,
) -> Action | None:
    """R14.2: hypertension with a trough at the upper end: consider reducing the dose and
    treating the pressure (seed case 2). A single raised pressure just after a dose increase,
    with no creatinine rise: recheck at the next visit (seed case 1)."""
    if status is not Status.ON:  # nothing to reduce or recheck while tacrolimus is not given
        return None
    if _high_trough_on(latest_trough, pressures[-1].reading.date):
        return Action.REDUCE_DOSE_AND_TREAT_BP
    course = record.course()
    current = anchor(course)
    if current is None or creatinine_rise or current.regimen is None:
        return None
    before = current.previous
    increase = (
        current.event.kind is EventKind.CHANGE
        and before is not None
        and magnitude(current.regimen.dose, "mg") > magnitude(before.dose, "mg")
    )
    window_end = current.start + timedelta(days=protocol.values.first_check_by_days)
    raised = [p for p in pressures if p.hypertension and p.reading.date >= current.start]
    if increase and len(raised) == 1 and raised[0].reading.date <= window_end:
        return Action.RECHECK_BP_NEXT_VISIT
    return None


def assess(record: PatientRecord, protocol: Protocol, today: date) -> Assessment:
    """Classify every result against the course, find what needs attention, advise on the dose
    and plan the checks, with what was known on `today`."""
    record = record.as_of(today)
    target = target_for(record, protocol)
    urgent_renal = record.patient.prior_ciclosporin_nephrotoxicity  # R4.4
    facts = Facts(record, protocol)
    checks = schedule(record, protocol, today, facts=facts)
    counted = counted_days(record, protocol, today, facts=facts, current=checks)
    first = record.first_start

    def extra(day: date) -> bool:
        return first is not None and day >= first and day not in counted

    troughs = tuple(
        TroughResult(
            trough=t,
            klass=classify(t, record, protocol),
            steady_state=at_steady_state(t, record, protocol),
            true_trough=is_true_trough(t, record, protocol),
            regimen=record.regimen_of(t),
            extra=extra(t.date),
        )
        for t in record.troughs()
    )
    creatinine = []
    for value in record.creatinines():
        base = creatinine_baseline(record, value.date)
        change = creatinine_change_pct(value, base) if base is not None else None
        creatinine.append(
            CreatinineResult(
                creatinine=value,
                change_pct=change,
                significant=change is not None and significant_rise(change, protocol),
                baseline=base,
                regimen=record.regimen_of(value),
                extra=extra(value.date),
            )
        )
    pressures = tuple(
        PressureResult(
            reading=r,
            hypertension=is_hypertensive(r, protocol),
            urgent=is_urgent_pressure(r, protocol),
            regimen=record.regimen_of(r),
            extra=extra(r.date),
        )
        for r in record.blood_pressures()
    )
    now = _regimen_now(record, today)
    baseline = creatinine_baseline(record, today)
    latest_trough = troughs[-1] if troughs else None
    alerts: list[Alert] = []

    for check in checks:  # R8.9
        if check.status not in (CheckStatus.OVERDUE, CheckStatus.DUE):
            continue
        overdue = check.status is CheckStatus.OVERDUE
        renal = check.phase is Phase.CREATININE_RECHECK
        if renal:
            code = IssueCode.CREATININE_RECHECK_DUE
        else:
            code = IssueCode.CHECK_OVERDUE if overdue else IssueCode.CHECK_DUE
        severity = Severity.WARNING if overdue else Severity.NOTE
        if renal and urgent_renal:
            severity = Severity.URGENT
        alerts.append(
            Alert(
                date=check.due,
                issue=Issue(
                    code=code,
                    severity=severity,
                    field="schedule",
                    value=check.due,
                    params=(
                        ("number", check.number or ""),
                        ("phase", check.phase),
                        ("latest", check.latest),
                        ("days", check.overdue_days),
                    ),
                ),
            )
        )
    rise = bool(creatinine and creatinine[-1].significant)
    if rise and creatinine[-1].baseline is not None:  # R6.3, R14.1: urgent
        latest = creatinine[-1]
        assert latest.baseline is not None
        upper = _high_trough_on(latest_trough, latest.creatinine.date)
        alerts.append(
            Alert(
                date=latest.creatinine.date,
                issue=Issue.warning(
                    IssueCode.CREATININE_RISE,
                    field="creatinine",
                    value=_umol(latest.creatinine.value),
                    change=Percent(latest.change_pct or 0.0),
                    baseline=_umol(latest.baseline.value),
                    baseline_date=latest.baseline.date,
                    limit=_umol(rise_limit(latest.baseline, protocol)),
                    pct=Percent(protocol.values.creatinine_significant_rise_pct, 0),
                    urgent=True,
                ),
                action=(
                    Action.WITHHOLD_AND_RECHECK_CREATININE
                    if upper and now.status is Status.ON
                    else None
                ),
            )
        )
    if baseline is not None and baseline.after_start:  # R6.1
        alerts.append(
            Alert(
                date=baseline.date,
                issue=Issue.note(
                    IssueCode.BASELINE_AFTER_START,
                    field="creatinine",
                    value=_umol(baseline.value),
                    urgent=urgent_renal,
                ),
            )
        )
    if record.events and baseline is None:
        alerts.append(
            Alert(
                date=None,
                issue=Issue.note(IssueCode.NO_BASELINE, field="creatinine", urgent=urgent_renal),
            )
        )
    if pressures and pressures[-1].hypertension:  # R7, R14.1
        reading = pressures[-1].reading
        urgent = pressures[-1].urgent
        values = protocol.values
        limit = (
            Pressure(values.urgent_systolic, values.urgent_diastolic)
            if urgent
            else Pressure(values.systolic_limit, values.diastolic_limit)
        )
        alerts.append(
            Alert(
                date=reading.date,
                issue=Issue.warning(
                    IssueCode.URGENT_HYPERTENSION if urgent else IssueCode.HYPERTENSION,
                    field="blood pressure",
                    value=Pressure(reading.systolic, reading.diastolic),
                    limit=limit,
                    urgent=urgent,
                ),
                action=_pressure_action(
                    record, protocol, pressures, latest_trough, rise, now.status
                ),
            )
        )
    if latest_trough is not None:
        alerts.extend(_trough_alerts(latest_trough, target, protocol))

    rate = None
    if now.status is Status.NONE:
        alerts.append(Alert(date=None, issue=Issue.note(IssueCode.NO_REGIMEN, field="regimen")))
    elif now.status in (Status.HELD, Status.STOPPED) and now.event is not None:
        code = (
            IssueCode.TREATMENT_HELD if now.status is Status.HELD else IssueCode.TREATMENT_STOPPED
        )
        alerts.append(
            Alert(
                date=now.since,
                issue=Issue.note(
                    code,
                    field="regimen",
                    value=now.event.date,
                    reason=now.event.reason,
                    resume_on=now.event.resume_on,
                ),
            )
        )
    weight = record.weight_on(today)
    if weight is not None:  # R12.1, R12.7: wherever the weight is used
        alerts.extend(
            Alert(date=weight.date, issue=i)
            for i in check_weight(weight.value, protocol, field="weight")
        )
    regimen = now.regimen
    if regimen is not None:
        formulation = protocol.formulations.get(regimen.formulation)
        if weight is None:  # R12.8
            alerts.append(Alert(date=None, issue=Issue.note(IssueCode.NO_WEIGHT, field="weight")))
        elif formulation is not None:
            daily = magnitude(regimen.dose, "mg") * formulation.administrations_per_day
            rate = q(daily / magnitude(weight.value, "kg"), "mg/kg/day")
            alerts.extend(
                Alert(date=regimen.start, issue=i)
                for i in check_rate(
                    rate,
                    protocol,
                    field="current regimen",
                    prior_ciclosporin_nephrotoxicity=urgent_renal,
                )
            )
            worked_from = record.weight_on(regimen.start)  # R15.5
            if worked_from is not None and worked_from.date != weight.date:
                was = magnitude(worked_from.value, "kg")
                drift = (magnitude(weight.value, "kg") - was) / was * 100
                if abs(round(drift, 9)) >= protocol.values.weight_drift_pct:
                    alerts.append(
                        Alert(
                            date=weight.date,
                            issue=Issue.warning(
                                IssueCode.WEIGHT_DRIFT,
                                field="weight",
                                value=Measure(Kind.WEIGHT, weight.value),
                                was=Measure(Kind.WEIGHT, worked_from.value),
                                was_date=worked_from.date,
                                change=Percent(drift, signed=True),
                                pct=Percent(protocol.values.weight_drift_pct, 0),
                            ),
                        )
                    )
    alerts.sort(key=lambda a: a.severity.rank)  # R14.1: most severe first; stable otherwise
    return Assessment(
        record=record,
        today=today,
        protocol=protocol,
        target=target,
        baseline=baseline,
        rise_limit=rise_limit(baseline, protocol) if baseline is not None else None,
        now=now,
        current_rate=rate,
        troughs=troughs,
        creatinine=tuple(creatinine),
        blood_pressure=pressures,
        alerts=tuple(alerts),
        schedule=checks,
        adjustment=advise(record, protocol, today, now, troughs, checks),
    )
