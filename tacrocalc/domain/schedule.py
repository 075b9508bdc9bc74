"""The monitoring schedule (R8), with the extra checks of R8.11, R10.6 and R11.

A check is a trough, a creatinine and a blood pressure taken on the same day (R8.1). The
schedule is anchored on the latest start, dose change, switch, resume or restart of the course
(R8.2): check 1 one to two weeks after it (R8.3), two more two weeks apart (R8.4), then monthly
while stable (R8.5), long-term once the course has been long and stable enough (R8.8). Each
check has an earliest date: a complete set before it is an extra result and moves nothing
(R8.7). While treatment is held or stopped no trough falls due (R8.11). `today` is an argument.
"""

from __future__ import annotations

import calendar
import functools
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from tacrocalc.domain.course import EventKind, Period, Status, anchor, course_start
from tacrocalc.domain.protocol import FormulationId, Protocol
from tacrocalc.domain.record import ObservationKind, PatientRecord
from tacrocalc.domain.thresholds import (
    TroughClass,
    at_steady_state,
    classify,
    creatinine_baseline,
    creatinine_change_pct,
    is_hypertensive,
    is_true_trough,
    significant_rise,
)

ALL = (ObservationKind.TROUGH, ObservationKind.CREATININE, ObservationKind.BLOOD_PRESSURE)
RENAL_AND_BP = (ObservationKind.CREATININE, ObservationKind.BLOOD_PRESSURE)
TROUGH_ONLY = (ObservationKind.TROUGH,)
CREATININE_ONLY = (ObservationKind.CREATININE,)


class Phase(StrEnum):
    FIRST = "first"  # R8.3
    TWO_WEEKLY = "two_weekly"  # R8.4, and R8.5 while not stable
    MONTHLY = "monthly"  # R8.5
    LONG_TERM = "long_term"  # R8.8
    AFTER_SWITCH = "after_switch"  # R10.6
    CO_MEDICATION = "co_medication"  # R11
    CREATININE_RECHECK = "creatinine_recheck"  # R8.11


_IF_STABLE = frozenset({Phase.MONTHLY, Phase.LONG_TERM})  # phases that hold only while stable


class CheckStatus(StrEnum):
    DONE = "done"
    DUE = "due"
    OVERDUE = "overdue"
    PLANNED = "planned"


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduledCheck:
    number: int | None  # 1, 2, 3 ... for the checks of R8; None for an extra check
    phase: Phase
    due: date
    earliest: date  # a complete set from this date counts as this check (R8.7)
    latest: date | None  # the end of check 1's window (R8.3); the R10.6 deadline
    takes: tuple[ObservationKind, ...]
    status: CheckStatus
    done_on: date | None = None
    stable: bool | None = None  # for a done check: R8.6 stability
    assumes_stable: bool = False  # monthly or long-term only if the checks before are stable
    overdue_days: int = 0  # R8.9
    reason: str = ""  # for an extra check: the change it follows
    switch: tuple[FormulationId, FormulationId] | None = None  # R10.6: the products, from → to


def add_months(day: date, months: int, day_of_month: int | None = None) -> date:
    """The same day `months` calendar months later; where that month is shorter, its last day
    (R8.5). `day_of_month` keeps the original day through a short month: 31 Jan → 28 Feb →
    31 Mar."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day_of_month or day.day, last))


class Facts:
    """What was taken on each day, and whether that day was stable (R8.6)."""

    def __init__(self, record: PatientRecord, protocol: Protocol) -> None:
        self.kinds: dict[date, set[ObservationKind]] = defaultdict(set)
        self.unstable: set[date] = set()
        for trough in record.troughs():
            klass = classify(trough, record, protocol)
            if klass is TroughClass.OFF_TREATMENT:  # R5.7: never part of a check
                continue
            self.kinds[trough.date].add(ObservationKind.TROUGH)
            if (
                klass is not TroughClass.IN_RANGE
                or at_steady_state(trough, record, protocol) is False
                or is_true_trough(trough, record, protocol) is False
            ):
                self.unstable.add(trough.date)
        for creatinine in record.creatinines():
            self.kinds[creatinine.date].add(ObservationKind.CREATININE)
            baseline = creatinine_baseline(record, creatinine.date)
            if baseline is not None and significant_rise(
                creatinine_change_pct(creatinine, baseline), protocol
            ):
                self.unstable.add(creatinine.date)
        for reading in record.blood_pressures():
            self.kinds[reading.date].add(ObservationKind.BLOOD_PRESSURE)
            if is_hypertensive(reading, protocol):
                self.unstable.add(reading.date)
        self.days = sorted(self.kinds)

    def first_complete(
        self, after: date, takes: tuple[ObservationKind, ...], before: date | None = None
    ) -> date | None:
        """The first day from `after` (and before `before`) with everything in `takes`."""
        for day in self.days:
            if before is not None and day >= before:
                return None
            if day >= after and self.kinds[day].issuperset(takes):
                return day
        return None

    def stable_on(self, day: date) -> bool:
        return day not in self.unstable


def _status(due: date, latest: date | None, today: date) -> tuple[CheckStatus, int]:
    """R8.9: past its due date (past A + 14 days for check 1) is overdue, by so many days."""
    deadline = latest or due
    if today > deadline:
        return CheckStatus.OVERDUE, (today - deadline).days
    if today >= due:
        return CheckStatus.DUE, 0
    return CheckStatus.PLANNED, 0


@dataclass(slots=True)
class _Planned:
    """A check as the planner sees it: done (with stability) or assumed stable on its due date."""

    day: date
    stable: bool


def _regular_checks(
    record: PatientRecord,
    protocol: Protocol,
    today: date,
    facts: Facts,
    period: Period,
    *,
    until: date | None,
    planned: int,
) -> list[ScheduledCheck]:
    """The checks of one anchor period: those done, then (`planned` > 0) the next ones."""
    anchor_day = period.start
    begun = course_start(record.course()) or anchor_day
    long_term_from = add_months(begun, protocol.values.long_term_after_months)
    anchored_from = add_months(anchor_day, protocol.values.long_term_after_anchor_months)
    fortnight = timedelta(days=protocol.values.early_interval_days)
    early_checks = protocol.values.early_checks
    history: list[_Planned] = []
    checks: list[ScheduledCheck] = []
    base = anchor_day  # the date the next check counts from
    previous_due: date | None = None
    previous_stable = True
    month_day: int | None = None
    last_trough = anchor_day
    assuming = False  # a check still to come came before: those after assume it stable
    number = 0
    while True:
        number += 1
        latest = None
        takes: tuple[ObservationKind, ...] = ALL
        if number == 1:  # R8.3, R8.7
            phase = Phase.FIRST
            due = anchor_day + timedelta(days=protocol.values.first_check_from_days)
            latest = anchor_day + timedelta(days=protocol.values.first_check_by_days)
            earliest = anchor_day + timedelta(days=protocol.values.first_check_earliest_days)
        elif number <= early_checks or not previous_stable:  # R8.4, R8.5 not stable
            phase = Phase.TWO_WEEKLY
            due = base + fortnight
            earliest = due - timedelta(days=protocol.values.two_weekly_check_early_days)
        else:  # R8.5 monthly, R8.8 long-term
            if month_day is None or base != previous_due:
                month_day = base.day
            due = add_months(base, protocol.values.monthly_interval_months, month_day)
            earliest = due - timedelta(days=protocol.values.monthly_check_early_days)
            phase = Phase.MONTHLY
            # "The last 3 months" reach back to the earliest date of a monthly check due then
            # (R8.7), so that checks a day or two off their due dates are not lost at the edge.
            window = add_months(due, -protocol.values.long_term_stable_months) - timedelta(
                days=protocol.values.monthly_check_early_days
            )
            recent = [c for c in history if window <= c.day < due]
            if (
                due >= long_term_from
                and due >= anchored_from
                and len(recent) >= protocol.values.long_term_min_checks
                and all(c.stable for c in recent)
            ):
                phase = Phase.LONG_TERM
                trough_due = add_months(last_trough, protocol.values.long_term_trough_months)
                takes = ALL if due >= trough_due else RENAL_AND_BP
        earliest = max(earliest, base + timedelta(days=1))
        done_on = None if assuming else facts.first_complete(earliest, takes, until)
        check = functools.partial(
            ScheduledCheck,
            number=number,
            phase=phase,
            due=due,
            earliest=earliest,
            latest=latest,
            takes=takes,
        )
        if done_on is not None:
            stable = facts.stable_on(done_on)
            checks.append(check(status=CheckStatus.DONE, done_on=done_on, stable=stable))
            history.append(_Planned(day=done_on, stable=stable))
            base, previous_stable = done_on, stable
            if ObservationKind.TROUGH in facts.kinds[done_on]:  # R8.8: a trough was taken
                last_trough = done_on
        else:
            if planned <= 0:
                return checks
            status, late = (CheckStatus.PLANNED, 0) if assuming else _status(due, latest, today)
            checks.append(
                check(
                    status=status,
                    assumes_stable=assuming and phase in _IF_STABLE,
                    overdue_days=late,
                )
            )
            planned -= 1
            # R8.9: an overdue check can be done today at the earliest; the next ones are
            # planned from then. R8.10: checks still to come are assumed stable.
            base = max(due, today) if status is CheckStatus.OVERDUE else due
            history.append(_Planned(day=base, stable=True))
            previous_stable, assuming = True, True
            if ObservationKind.TROUGH in takes:
                last_trough = base
        previous_due = due


def _extra_check(
    facts: Facts,
    today: date,
    *,
    phase: Phase,
    due: date,
    earliest: date,
    latest: date | None,
    takes: tuple[ObservationKind, ...],
    reason: str,
    switch: tuple[FormulationId, FormulationId] | None = None,
) -> ScheduledCheck:
    check = functools.partial(
        ScheduledCheck,
        number=None,
        phase=phase,
        due=due,
        earliest=earliest,
        latest=latest,
        takes=takes,
        reason=reason,
        switch=switch,
    )
    done_on = facts.first_complete(earliest, takes)
    if done_on is not None:
        return check(status=CheckStatus.DONE, done_on=done_on)
    status, late = _status(due, latest, today)
    return check(status=status, overdue_days=late)


def _extra_checks(
    record: PatientRecord, protocol: Protocol, today: date, facts: Facts, current: Period
) -> list[ScheduledCheck]:
    """R10.6: a trough within 7 days of a switch; R11: a trough 7 days after a co-medication
    change; R8.11: a creatinine 7 days after a hold or stop for a renal reason."""
    settle = timedelta(days=protocol.values.steady_state_days)
    extras = []
    event = current.event
    if current.status is not Status.ON:
        if event.renal:
            extras.append(
                _extra_check(
                    facts,
                    today,
                    phase=Phase.CREATININE_RECHECK,
                    due=event.date + timedelta(days=protocol.values.renal_recheck_days),
                    earliest=event.date + timedelta(days=1),
                    latest=None,
                    takes=CREATININE_ONLY,
                    reason=event.reason,
                )
            )
        return extras
    if event.kind is EventKind.SWITCH and current.previous is not None:
        extras.append(
            _extra_check(
                facts,
                today,
                phase=Phase.AFTER_SWITCH,
                due=event.date + settle,
                earliest=event.date + settle,
                latest=event.date + timedelta(days=protocol.values.switch_trough_days),
                takes=TROUGH_ONLY,
                reason=f"{current.previous.formulation} → {event.formulation}",
                switch=(current.previous.formulation, event.formulation)
                if event.formulation is not None
                else None,
            )
        )
    for change in record.co_medication:
        if change.date >= event.date:
            extras.append(
                _extra_check(
                    facts,
                    today,
                    phase=Phase.CO_MEDICATION,
                    due=change.date + timedelta(days=protocol.values.co_medication_trough_days),
                    earliest=change.date + settle,
                    latest=None,
                    takes=TROUGH_ONLY,
                    reason=change.note,
                )
            )
    return extras


def schedule(
    record: PatientRecord,
    protocol: Protocol,
    today: date,
    *,
    planned: int = 6,
    facts: Facts | None = None,
) -> tuple[ScheduledCheck, ...]:
    """The checks since the latest anchor: those done, then the next `planned` ones, in date
    order. While held or stopped, only the creatinine recheck of R8.11. Empty with no course.
    `facts` may be given when the caller has them for this record already."""
    course = record.course()
    if not course:
        return ()
    facts = facts or Facts(record, protocol)
    current = course[-1]
    checks: list[ScheduledCheck] = []
    if current.status is Status.ON:
        checks = _regular_checks(
            record, protocol, today, facts, current, until=None, planned=planned
        )
    checks += _extra_checks(record, protocol, today, facts, current)
    return tuple(sorted(checks, key=lambda c: (c.done_on or c.due, c.number or 0)))


def counted_days(
    record: PatientRecord,
    protocol: Protocol,
    today: date,
    *,
    facts: Facts | None = None,
    current: tuple[ScheduledCheck, ...] | None = None,
) -> frozenset[date]:
    """Every day whose results counted as a check (R8.7), in every period of the course; a
    result on any other day after the first start is an extra result. `current` is the
    schedule of the latest period, when the caller has it."""
    course = record.course()
    facts = facts or Facts(record, protocol)
    days: set[date] = set()
    for index, period in enumerate(course):
        # results of the day of the next event, without times, were taken before it (R15.2)
        until = course[index + 1].start + timedelta(days=1) if index + 1 < len(course) else None
        if period.status is Status.ON and anchor(course[: index + 1]) is period:
            for check in _regular_checks(
                record, protocol, today, facts, period, until=until, planned=0
            ):
                assert check.done_on is not None
                days.add(check.done_on)
    if current is None:
        current = schedule(record, protocol, today, planned=0, facts=facts)
    for check in current:
        if check.done_on is not None:
            days.add(check.done_on)
    return frozenset(days)
