"""The treatment course (R15): dated events, and the regimen in force on any date.

A patient's tacrolimus treatment is a list of events: start, dose change, switch, hold, resume,
stop, restart. What was given on a date, the anchor of the monitoring schedule (R8.2) and the
start of the course (R8.8) all follow from them; nothing else records a dose.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time
from enum import StrEnum
from itertools import pairwise

from tacrocalc.domain.dosing import check_dispensable, switch_ratio
from tacrocalc.domain.issues import Issue, IssueCode, Measure
from tacrocalc.domain.protocol import FormulationId, Protocol
from tacrocalc.domain.units import Kind, Quantity, magnitude
from tacrocalc.domain.validation import check_date, check_dose, check_dose_times

TimeOfDay = time  # for annotations in classes that have a field named `time`
# How close a switch's recorded ratio must be to the one R10 gives for that switch: a ratio
# written to two decimals (1.43 for 1/0.7) is that ratio.
RATIO_TOLERANCE = 0.005
Day = date  # for annotations in classes that have a field named `date`


class EventKind(StrEnum):
    START = "start"
    CHANGE = "change"
    SWITCH = "switch"
    HOLD = "hold"
    RESUME = "resume"
    STOP = "stop"
    RESTART = "restart"


# Events after which doses are given at a stated dose: each is an anchor of R8.2.
DOSING = frozenset(
    {EventKind.START, EventKind.CHANGE, EventKind.SWITCH, EventKind.RESUME, EventKind.RESTART}
)
# Events that begin a course (R8.8 counts six months from the latest of them).
BEGINNING = frozenset({EventKind.START, EventKind.RESTART})


class Status(StrEnum):
    """Whether tacrolimus is being given (R15.4)."""

    ON = "on"
    HELD = "held"
    STOPPED = "stopped"
    NONE = "none"  # no course recorded yet


# A reason containing one of these words is a renal reason: after a hold or stop for it, a
# creatinine recheck falls due (R8.11).
RENAL_WORDS = ("nephrotox", "creatinine", "renal", "kidney")


def is_renal(reason: str) -> bool:
    text = reason.casefold()
    return any(word in text for word in RENAL_WORDS)


@dataclass(frozen=True, slots=True, kw_only=True)
class CourseEvent:
    """One event of the course (R15.1). `formulation`, `dose` (per administration, mg) and
    `times` are set on the events that give doses; a hold, a stop carry none."""

    kind: EventKind
    date: date
    time: TimeOfDay | None = None
    formulation: FormulationId | None = None
    dose: Quantity | None = None
    times: tuple[TimeOfDay, ...] = ()
    reason: str = ""
    recorded_by: str = ""
    resume_on: Day | None = None  # a hold's planned resume date
    ratio: float | None = None  # a switch's conversion ratio (R10.1)

    @property
    def moment(self) -> datetime:
        return datetime.combine(self.date, self.time or time(0))

    @property
    def renal(self) -> bool:
        return is_renal(self.reason)


@dataclass(frozen=True, slots=True, kw_only=True)
class Regimen:
    """What is given from `start` (the date of the event that set it) until the next event."""

    start: date
    formulation: FormulationId
    dose: Quantity  # per administration, mg
    times: tuple[TimeOfDay, ...]

    def same_as(self, other: Regimen | None) -> bool:
        """Same product and dose per administration (R9.3)."""
        return (
            other is not None
            and other.formulation == self.formulation
            and round(magnitude(other.dose, "mg"), 6) == round(magnitude(self.dose, "mg"), 6)
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Period:
    """From one event to the next: the status and, while on treatment, the regimen."""

    event: CourseEvent
    status: Status
    regimen: Regimen | None  # None unless status is ON
    previous: Regimen | None  # the regimen given before this period (or before the hold/stop)

    @property
    def start(self) -> date:
        return self.event.date


def event_order(event: CourseEvent) -> tuple[date, time]:
    return (event.date, event.time or time(0))


def periods(events: tuple[CourseEvent, ...]) -> tuple[Period, ...]:
    """The course walked in order. An event that fills in nothing (a change with no product)
    takes what it lacks from the regimen before it; `check_course` refuses sequences that make
    no sense before they are stored, so this never has to guess more than that."""
    result: list[Period] = []
    last: Regimen | None = None
    for event in sorted(events, key=event_order):
        if event.kind in DOSING:
            formulation = event.formulation or (last.formulation if last else None)
            dose = event.dose if event.dose is not None else (last.dose if last else None)
            times = event.times or (last.times if last else ())
            if formulation is None or dose is None:
                continue
            regimen = Regimen(start=event.date, formulation=formulation, dose=dose, times=times)
            result.append(Period(event=event, status=Status.ON, regimen=regimen, previous=last))
            last = regimen
        else:
            status = Status.HELD if event.kind is EventKind.HOLD else Status.STOPPED
            result.append(Period(event=event, status=status, regimen=None, previous=last))
    return tuple(result)


def period_at(
    course: tuple[Period, ...], day: date, at: TimeOfDay | None = None, *, sample: bool = False
) -> Period | None:
    """The period in force on `day` (at `at`).

    For a `sample` (a result), an event of the same day counts only when both times are known
    and the event came first: a result of the day of a change, without times to order them, is
    taken before it (the morning trough is drawn before the dose is changed), and so is linked
    to the dose it reflects (R15.2). Otherwise an event of the day applies from its date, unless
    both times are known and it came later."""
    current = None
    for period in course:
        event = period.event
        if event.date > day:
            break
        if event.date == day:
            known = at is not None and event.time is not None
            if sample and not (known and event.time <= at):  # type: ignore[operator]
                break
            if not sample and known and event.time > at:  # type: ignore[operator]
                break
        current = period
    return current


def status_at(course: tuple[Period, ...], day: date) -> Status:
    period = period_at(course, day)
    return Status.NONE if period is None else period.status


def anchor(course: tuple[Period, ...]) -> Period | None:
    """R8.2: the latest start, dose change, switch, resume or restart."""
    dosing = [p for p in course if p.event.kind in DOSING]
    return dosing[-1] if dosing else None


def course_start(course: tuple[Period, ...]) -> date | None:
    """R8.8: the latest start or restart."""
    starts = [p.start for p in course if p.event.kind in BEGINNING]
    return starts[-1] if starts else None


def first_start(course: tuple[Period, ...]) -> date | None:
    """R6.1, R6.5: the first start of all; the creatinine baseline stays before it."""
    return course[0].start if course else None


def regimens_of(course: tuple[Period, ...]) -> tuple[Regimen, ...]:
    return tuple(p.regimen for p in course if p.regimen is not None)


def events_from_regimens(regimens: tuple[Regimen, ...]) -> tuple[CourseEvent, ...]:
    """A list of regimens (patient files and stores of version 1) as a course: the first is the
    start, a later one with another product a switch, any other a dose change."""
    events = []
    previous: Regimen | None = None
    for regimen in sorted(regimens, key=lambda r: r.start):
        if previous is None:
            kind = EventKind.START
        elif previous.formulation != regimen.formulation:
            kind = EventKind.SWITCH
        else:
            kind = EventKind.CHANGE
        events.append(
            CourseEvent(
                kind=kind,
                date=regimen.start,
                formulation=regimen.formulation,
                dose=regimen.dose,
                times=regimen.times,
            )
        )
        previous = regimen
    return tuple(events)


# -- R15, R12.8: which events make sense ------------------------------------------------------

# What status each kind of event needs before it, and what to do instead.
_NEEDS: dict[EventKind, frozenset[Status]] = {
    EventKind.START: frozenset({Status.NONE}),
    EventKind.CHANGE: frozenset({Status.ON}),
    EventKind.SWITCH: frozenset({Status.ON}),
    EventKind.HOLD: frozenset({Status.ON}),
    EventKind.RESUME: frozenset({Status.HELD}),
    EventKind.STOP: frozenset({Status.ON, Status.HELD}),
    EventKind.RESTART: frozenset({Status.STOPPED}),
}


# The event that gives doses again from each status: what "apply this regimen" records (R15.1).
DOSING_AFTER: dict[Status, EventKind] = {
    Status.NONE: EventKind.START,
    Status.STOPPED: EventKind.RESTART,
    Status.HELD: EventKind.RESUME,
    Status.ON: EventKind.CHANGE,
}


def complete_event(
    event: CourseEvent, course: tuple[Period, ...], protocol: Protocol
) -> CourseEvent:
    """An event with what it leaves out filled in from the regimen before it: a change keeps
    the product and times; a resume or restart keeps product, dose and times; a product given
    a new number of times a day takes the protocol's times (R2.2, R2.3)."""
    if event.kind not in DOSING:
        return event
    before = period_at(course, event.date, event.time)
    last = before.regimen or before.previous if before is not None else None
    formulation = event.formulation or (last.formulation if last else None)
    dose = event.dose if event.dose is not None else (last.dose if last else None)
    times = event.times
    if not times and formulation is not None:
        product = protocol.formulations.get(formulation)
        if last is not None and last.formulation == formulation:
            times = last.times
        elif product is not None:
            times = protocol.times_for(product)
    return replace(event, formulation=formulation, dose=dose, times=times)


def check_course(
    events: tuple[CourseEvent, ...],
    protocol: Protocol,
    *,
    today: date,
    birth_date: date | None,
) -> tuple[Issue, ...]:
    """Refusals for a course that makes no sense (R15.1, R12.8): an event in the future or
    before birth; two events on one date without times to order them; a resume without a hold,
    a change while stopped, a restart that was never stopped; a dose no product makes up (R3.1);
    dose times not 12 hours apart (R2.2); a switch's ratio other than the one R10 gives for that
    switch (R10.1)."""
    ordered = sorted(events, key=event_order)
    issues: list[Issue] = []
    for earlier, later in pairwise(ordered):
        if earlier.date == later.date and (
            earlier.time is None or later.time is None or earlier.time == later.time
        ):
            issues.append(
                Issue.refusal(
                    IssueCode.EVENTS_SAME_DAY,
                    field="event date",
                    value=later.date,
                    first=earlier.kind.value,
                    second=later.kind.value,
                )
            )
    status = Status.NONE
    last: Regimen | None = None
    for event in ordered:
        field = f"{event.kind.value} on {event.date.isoformat()}"
        issues.extend(check_date(event.date, today=today, birth_date=birth_date, field=field))
        if status not in _NEEDS[event.kind]:
            issues.append(
                Issue.refusal(
                    IssueCode.EVENT_NOT_POSSIBLE,
                    field=field,
                    value=event.kind.value,
                    status=status.value,
                )
            )
        if event.kind in DOSING:
            issues.extend(_check_dosing(event, last, protocol, field))
            if event.formulation is not None and event.dose is not None:
                last = Regimen(
                    start=event.date,
                    formulation=event.formulation,
                    dose=event.dose,
                    times=event.times,
                )
            status = Status.ON
        else:
            status = Status.HELD if event.kind is EventKind.HOLD else Status.STOPPED
    return tuple(issues)


def added_refusals(
    before: tuple[CourseEvent, ...],
    after: tuple[CourseEvent, ...],
    protocol: Protocol,
    *,
    today: date,
    birth_date: date | None,
) -> tuple[Issue, ...]:
    """The refusals of the course `after` a write that the course `before` it did not have.
    What was stored before these checks existed (dose times 08:00 and 08:00, the same dose
    twice) is not blamed on a later entry and does not block one; a write that adds a fault is
    refused."""
    known = set(check_course(before, protocol, today=today, birth_date=birth_date))
    return tuple(
        issue
        for issue in check_course(after, protocol, today=today, birth_date=birth_date)
        if issue.refuses and issue not in known
    )


def _check_dosing(
    event: CourseEvent, last: Regimen | None, protocol: Protocol, field: str
) -> list[Issue]:
    if event.formulation is None or event.dose is None:
        return [Issue.refusal(IssueCode.MISSING_VALUE, field=f"{field}: dose", value="")]
    product = protocol.formulations.get(event.formulation)
    if product is None:
        known = ", ".join(protocol.formulations)
        return [
            Issue.refusal(
                IssueCode.UNKNOWN_FORMULATION,
                field=f"{field}: product",
                value=str(event.formulation),
                known=known,
            )
        ]
    if magnitude(event.dose, "mg") <= 0:
        return [
            Issue.refusal(
                IssueCode.RATE_NOT_POSITIVE,
                field=f"{field}: dose",
                value=Measure(Kind.DOSE, event.dose),
            )
        ]
    bounds = check_dose(event.dose, protocol, field=f"{field}: dose")  # R12.7
    if bounds:
        return list(bounds)
    issues = list(check_dispensable(event.dose, product, field=f"{field}: dose"))
    issues.extend(check_dose_times(event.times, product, protocol, field=f"{field}: times"))
    if last is not None:
        same_product = last.formulation == event.formulation
        if event.kind is EventKind.CHANGE and not same_product:
            issues.append(
                Issue.refusal(
                    IssueCode.EVENT_NOT_POSSIBLE,
                    field=field,
                    value=event.kind.value,
                    status="other_product",
                )
            )
        elif event.kind is EventKind.CHANGE and last.same_as(
            Regimen(start=event.date, formulation=event.formulation, dose=event.dose, times=())
        ):
            issues.append(
                Issue.refusal(
                    IssueCode.DOSE_UNCHANGED,
                    field=f"{field}: dose",
                    value=Measure(Kind.DOSE, event.dose),
                )
            )
        elif event.kind is EventKind.SWITCH and same_product:
            issues.append(
                Issue.refusal(
                    IssueCode.SWITCH_SAME_PRODUCT, field=field, value=str(event.formulation)
                )
            )
        elif event.kind is EventKind.SWITCH and event.ratio is not None:
            issues.extend(_check_ratio(event.ratio, last, event.formulation, protocol, field))
    return issues


def _check_ratio(
    ratio: float, last: Regimen, formulation: FormulationId, protocol: Protocol, field: str
) -> list[Issue]:
    """R10.1: a switch's recorded ratio is the one R10 gives for that switch, from the product
    before to the product after (`switch_ratio`, as the window and `switch` work it out): the
    inverse only for the switch back."""
    expected = switch_ratio(last.formulation, formulation, protocol)
    if expected is None:
        return [
            Issue.refusal(
                IssueCode.SWITCH_NOT_IN_PROTOCOL,
                field=f"{field}: ratio",
                value=f"{last.formulation} → {formulation}",
            )
        ]
    if abs(ratio - float(expected)) <= RATIO_TOLERANCE:  # not NaN
        return []
    products = protocol.formulations
    before = products.get(last.formulation)
    return [
        Issue.refusal(
            IssueCode.SWITCH_RATIO_NOT_R10,
            field=f"{field}: ratio",
            value=f"{ratio:g}",  # as written: 0.0001 is not 0
            source=before.name if before is not None else str(last.formulation),
            target=products[formulation].name,
            expected=float(expected),
        )
    ]
