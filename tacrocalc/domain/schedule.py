"""The monitoring schedule (R8), with the extra trough checks of R10.4 and R11.

A check is a trough, a creatinine and a blood pressure taken on the same day (R8.1). The
schedule is anchored on the start of the latest regimen (R8.2): check 1 in a window one to two
weeks after it (R8.3), two more two weeks apart (R8.4), then monthly while stable (R8.5), and
long-term monitoring after six months of stability (R8.6). `today` is always an argument.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from tacrocalc.domain.protocol import Protocol
from tacrocalc.domain.record import ObservationKind, PatientRecord
from tacrocalc.domain.thresholds import (
    TroughClass,
    classify_trough,
    creatinine_baseline,
    creatinine_change_pct,
    is_hypertensive,
    significant_rise,
    target_for,
)

ALL = (ObservationKind.TROUGH, ObservationKind.CREATININE, ObservationKind.BLOOD_PRESSURE)
RENAL_AND_BP = (ObservationKind.CREATININE, ObservationKind.BLOOD_PRESSURE)
TROUGH_ONLY = (ObservationKind.TROUGH,)


class Phase(StrEnum):
    FIRST = "first"  # R8.3
    TWO_WEEKLY = "two_weekly"  # R8.4, and R8.5 while not stable
    MONTHLY = "monthly"  # R8.5
    LONG_TERM = "long_term"  # R8.6
    AFTER_SWITCH = "after_switch"  # R10.4
    CO_MEDICATION = "co_medication"  # R11


_IF_STABLE = frozenset({Phase.MONTHLY, Phase.LONG_TERM})  # phases that hold only while stable


class Status(StrEnum):
    DONE = "done"
    DUE = "due"
    OVERDUE = "overdue"
    PLANNED = "planned"


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduledCheck:
    number: int | None  # 1, 2, 3 ... for the checks of R8; None for an extra trough check
    phase: Phase
    due: date
    latest: date | None  # the end of check 1's window (R8.3); the R10.4 deadline
    takes: tuple[ObservationKind, ...]
    status: Status
    done_on: date | None = None
    stable: bool | None = None  # for a done check: R8.5 stability
    assumes_stable: bool = False  # monthly or long-term only if the checks before are stable (R8.8)
    reason: str = ""  # for an extra check: the co-medication change it follows


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later, clamped to the month's end (R8.5)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


class _Facts:
    """What was taken on each day and whether it was stable (R8.5)."""

    def __init__(self, record: PatientRecord, protocol: Protocol) -> None:
        self.kinds: dict[date, set[ObservationKind]] = defaultdict(set)
        self.unstable: set[date] = set()
        self.trough_days: list[date] = []
        target = target_for(record, protocol)
        baseline = creatinine_baseline(record)
        for trough in record.troughs():
            self.kinds[trough.date].add(ObservationKind.TROUGH)
            self.trough_days.append(trough.date)
            kind = classify_trough(trough.value, target, below_limit=trough.below_limit)
            if kind in (TroughClass.BELOW, TroughClass.ABOVE):
                self.unstable.add(trough.date)
        for creatinine in record.creatinines():
            self.kinds[creatinine.date].add(ObservationKind.CREATININE)
            if baseline is not None and significant_rise(
                creatinine_change_pct(creatinine, baseline), protocol
            ):
                self.unstable.add(creatinine.date)
        for reading in record.blood_pressures():
            self.kinds[reading.date].add(ObservationKind.BLOOD_PRESSURE)
            if is_hypertensive(reading, protocol):
                self.unstable.add(reading.date)
        self.days = sorted(self.kinds)

    def first_complete(self, after: date, takes: tuple[ObservationKind, ...]) -> date | None:
        """The first day on or after `after` on which everything in `takes` was recorded."""
        for day in self.days:
            if day >= after and self.kinds[day].issuperset(takes):
                return day
        return None

    def stable_between(self, start: date, end: date) -> bool:
        return not any(start <= day <= end for day in self.unstable)


def _status(due: date, latest: date | None, today: date) -> Status:
    """R8.7: past its due date (past the end of its window for check 1) is overdue."""
    if today > (latest or due):
        return Status.OVERDUE
    if today >= due:
        return Status.DUE
    return Status.PLANNED


def _check(
    facts: _Facts,
    *,
    done_on: date | None,
    status: Status,
    **fields: Any,
) -> ScheduledCheck:
    """A check done on `done_on` (stable or not, R8.5), or else still to come in `status`."""
    if done_on is not None:
        stable = facts.stable_between(done_on, done_on)
        return ScheduledCheck(status=Status.DONE, done_on=done_on, stable=stable, **fields)
    return ScheduledCheck(status=status, **fields)


def _regular_checks(
    record: PatientRecord, protocol: Protocol, today: date, facts: _Facts, planned: int
) -> list[ScheduledCheck]:
    anchor = record.regimens[-1].start  # R8.2: the start or the latest dose change
    first_start = record.regimens[0].start
    long_term_from = add_months(first_start, protocol.count("long_term_after_months"))
    early_checks = protocol.count("early_checks")
    fortnight = protocol.days("early_interval_days")
    checks: list[ScheduledCheck] = []
    previous: date | None = None  # when the previous check was done, or else its due date
    previous_stable = True
    assuming = False  # a planned check came before: later ones assume it is stable (R8.8)
    last_trough = max((d for d in facts.trough_days if d <= anchor), default=anchor)
    number = 0
    while sum(c.status is not Status.DONE for c in checks) < planned:
        number += 1
        latest = None
        takes: tuple[ObservationKind, ...] = ALL
        if previous is None:  # R8.3
            phase, due = Phase.FIRST, anchor + protocol.days("first_check_from_days")
            latest = anchor + protocol.days("first_check_by_days")
        elif number <= early_checks or not previous_stable:  # R8.4, R8.5 not stable
            phase, due = Phase.TWO_WEEKLY, previous + fortnight
        else:
            phase, due = (
                Phase.MONTHLY,
                add_months(previous, protocol.count("monthly_interval_months")),
            )
            stable_since = add_months(previous, -protocol.count("long_term_stable_months"))
            if previous >= long_term_from and facts.stable_between(stable_since, previous):  # R8.6
                phase = Phase.LONG_TERM
                trough_due = add_months(last_trough, protocol.count("long_term_trough_months"))
                takes = ALL if due >= trough_due else RENAL_AND_BP
        after = due if previous is None else previous + timedelta(days=1)
        done_on = None if assuming else facts.first_complete(after, takes)
        check = _check(
            facts,
            number=number,
            phase=phase,
            due=due,
            latest=latest,
            takes=takes,
            done_on=done_on,
            status=Status.PLANNED if assuming else _status(due, latest, today),
            assumes_stable=assuming and phase in _IF_STABLE,
        )
        checks.append(check)
        if check.done_on is not None:
            previous, previous_stable = check.done_on, bool(check.stable)
        else:
            # R8.4 counts from the due date of a check not yet done. A check already overdue can
            # be done today at the earliest, so the ones after it are planned from today.
            previous = max(due, today) if check.status is Status.OVERDUE else due
            previous_stable, assuming = True, True
        if ObservationKind.TROUGH in takes:
            last_trough = previous
    return checks


def _extra_trough_checks(
    record: PatientRecord, protocol: Protocol, today: date, facts: _Facts
) -> list[ScheduledCheck]:
    """R10.4: a trough within 7 days of a product switch; R11: a trough 7 days after a
    co-medication change. Either is done by a trough at steady state after the change."""
    extras: list[ScheduledCheck] = []
    anchor = record.regimens[-1].start
    settle = protocol.days("steady_state_days")

    def add(phase: Phase, since: date, due: date, latest: date | None, reason: str) -> None:
        extras.append(
            _check(
                facts,
                number=None,
                phase=phase,
                due=due,
                latest=latest,
                takes=TROUGH_ONLY,
                done_on=facts.first_complete(since + settle, TROUGH_ONLY),
                status=_status(due, latest, today),
                reason=reason,
            )
        )

    if (
        len(record.regimens) > 1
        and record.regimens[-2].formulation != record.regimens[-1].formulation
    ):
        add(
            Phase.AFTER_SWITCH,
            anchor,
            anchor + settle,
            anchor + protocol.days("switch_trough_days"),
            f"{record.regimens[-2].formulation} → {record.regimens[-1].formulation}",
        )
    for change in record.co_medication:
        if change.date >= anchor:
            due = change.date + protocol.days("co_medication_trough_days")
            add(Phase.CO_MEDICATION, change.date, due, None, change.note)
    return extras


def schedule(
    record: PatientRecord, protocol: Protocol, today: date, *, planned: int = 6
) -> tuple[ScheduledCheck, ...]:
    """The checks of the latest regimen: those done, then the next `planned` ones, in date order.

    Empty when no regimen has started.
    """
    if not record.regimens:
        return ()
    facts = _Facts(record, protocol)
    checks = _regular_checks(record, protocol, today, facts, planned)
    checks += _extra_trough_checks(record, protocol, today, facts)
    return tuple(sorted(checks, key=lambda c: (c.done_on or c.due, c.number or 0)))
