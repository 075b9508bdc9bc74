"""R15 the treatment course, R12.8 which events are accepted, R2.2 dose times."""

from datetime import date, time

import pytest

from tacrocalc.domain.course import (
    CourseEvent,
    EventKind,
    Status,
    anchor,
    check_course,
    complete_event,
    course_start,
    periods,
)
from tacrocalc.domain.issues import IssueCode
from tacrocalc.domain.protocol import FormulationId
from tacrocalc.domain.record import Patient, Trough, make_record
from tacrocalc.domain.units import magnitude, q
from tacrocalc.domain.validation import check_dose_times

BID = (time(8), time(20))
TODAY = date(2026, 6, 1)
BIRTH = date(1980, 1, 1)
IR, ENVARSUS = FormulationId.IR_CAPSULE, FormulationId.ENVARSUS


def ev(kind, day, mg=None, formulation=IR, times=None, at=None, reason=""):
    if mg is None:
        return CourseEvent(kind=kind, date=day, time=at, reason=reason)
    if times is None:
        times = (time(8),) if formulation is ENVARSUS else BID
    return CourseEvent(
        kind=kind,
        date=day,
        time=at,
        formulation=formulation,
        dose=q(mg, "mg"),
        times=times,
        reason=reason,
    )


COURSE = (
    ev(EventKind.START, date(2026, 1, 5), 3.0),
    ev(EventKind.CHANGE, date(2026, 2, 2), 2.0, reason="trough 22 µg/L"),
    ev(EventKind.HOLD, date(2026, 3, 2), reason="infection"),
    ev(EventKind.RESUME, date(2026, 3, 9), 2.0),
    ev(EventKind.SWITCH, date(2026, 4, 6), 3.0, ENVARSUS),
    ev(EventKind.STOP, date(2026, 5, 4), reason="nephrotoxicity"),
)


def record(events=COURSE, observations=()):
    return make_record(
        patient=Patient(id="C1", name="Course", birth_date=BIRTH, sex=None),
        protocol_id="seed-1997",
        events=events,
        observations=observations,
    )


@pytest.mark.parametrize(
    ("day", "status", "product", "mg"),
    [
        (date(2026, 1, 4), Status.NONE, None, None),
        (date(2026, 1, 5), Status.ON, IR, 3.0),  # the start applies from its date
        (date(2026, 2, 1), Status.ON, IR, 3.0),
        (date(2026, 2, 2), Status.ON, IR, 2.0),
        (date(2026, 3, 5), Status.HELD, None, None),
        (date(2026, 3, 9), Status.ON, IR, 2.0),
        (date(2026, 4, 6), Status.ON, ENVARSUS, 3.0),
        (date(2026, 5, 4), Status.STOPPED, None, None),
    ],
)
def test_the_regimen_in_force_on_a_date_follows_from_the_events(day, status, product, mg):
    """R15.2: start 3 mg, change to 2 mg, hold, resume at 2 mg, switch to Envarsus 3 mg, stop."""
    rec = record()
    assert rec.status_on(day) is status
    regimen = rec.regimen_on(day)
    if product is None:
        assert regimen is None
    else:
        assert (regimen.formulation, magnitude(regimen.dose, "mg")) == (product, mg)


def test_the_dose_at_the_time_of_a_result_uses_the_times_of_day():
    """R15.2: on the day of a change timed 20:00, an 08:00 sample was taken on the old dose."""
    events = (
        ev(EventKind.START, date(2026, 1, 5), 3.0),
        ev(EventKind.CHANGE, date(2026, 2, 2), 2.0, at=time(20)),
    )
    rec = record(events)
    assert magnitude(rec.regimen_on(date(2026, 2, 2), time(8)).dose, "mg") == 3.0
    assert magnitude(rec.regimen_on(date(2026, 2, 2), time(21)).dose, "mg") == 2.0


def test_anchor_and_course_start():
    """R8.2: the anchor is the latest start, change, switch, resume or restart (the switch of
    04-06, not the stop after it); R8.8: the course began on the start of 01-05."""
    course = periods(COURSE)
    assert anchor(course).start == date(2026, 4, 6)
    assert course_start(course) == date(2026, 1, 5)
    restarted = periods((*COURSE, ev(EventKind.RESTART, date(2026, 5, 25), 1.0)))
    assert course_start(restarted) == date(2026, 5, 25)


def test_the_whole_example_course_is_accepted(seed):
    assert check_course(COURSE, seed, today=TODAY, birth_date=BIRTH) == ()


@pytest.mark.parametrize(
    ("events", "code", "field"),
    [
        # R12.8: in the future, before birth
        ((ev(EventKind.START, date(2026, 6, 2), 3.0),), IssueCode.DATE_IN_FUTURE, "start on"),
        ((ev(EventKind.START, date(1979, 6, 2), 3.0),), IssueCode.DATE_BEFORE_BIRTH, "start on"),
        # R15.1: a resume needs a hold; a restart a stop; a change a course in progress
        (
            (
                ev(EventKind.START, date(2026, 1, 5), 3.0),
                ev(EventKind.RESUME, date(2026, 2, 2), 3.0),
            ),
            IssueCode.EVENT_NOT_POSSIBLE,
            "resume on 2026-02-02",
        ),
        (
            (
                ev(EventKind.START, date(2026, 1, 5), 3.0),
                ev(EventKind.STOP, date(2026, 2, 2), reason="nephrotoxicity"),
                ev(EventKind.CHANGE, date(2026, 2, 9), 2.0),
            ),
            IssueCode.EVENT_NOT_POSSIBLE,
            "change on 2026-02-09",
        ),
        (
            (
                ev(EventKind.START, date(2026, 1, 5), 3.0),
                ev(EventKind.RESTART, date(2026, 2, 2), 3.0),
            ),
            IssueCode.EVENT_NOT_POSSIBLE,
            "restart on 2026-02-02",
        ),
        (
            (
                ev(EventKind.START, date(2026, 1, 5), 3.0),
                ev(EventKind.START, date(2026, 2, 2), 3.0),
            ),
            IssueCode.EVENT_NOT_POSSIBLE,
            "start on 2026-02-02",
        ),
        # R12.8: two events on one date without times to order them
        (
            (
                ev(EventKind.START, date(2026, 1, 5), 3.0),
                ev(EventKind.HOLD, date(2026, 2, 2)),
                ev(EventKind.STOP, date(2026, 2, 2)),
            ),
            IssueCode.EVENTS_SAME_DAY,
            "event date",
        ),
        # a change to the dose already given, a change of product that is not a switch (R10.1)
        (
            (
                ev(EventKind.START, date(2026, 1, 5), 3.0),
                ev(EventKind.CHANGE, date(2026, 2, 2), 3.0),
            ),
            IssueCode.DOSE_UNCHANGED,
            "change on 2026-02-02: dose",
        ),
        (
            (
                ev(EventKind.START, date(2026, 1, 5), 3.0),
                ev(EventKind.CHANGE, date(2026, 2, 2), 3.0, ENVARSUS),
            ),
            IssueCode.EVENT_NOT_POSSIBLE,
            "change on 2026-02-02",
        ),
        # R3.1: 3.3 mg of capsules cannot be made up; R2.2: 08:00 and 08:00
        ((ev(EventKind.START, date(2026, 1, 5), 3.3),), IssueCode.NOT_DISPENSABLE, "start on"),
        (
            (ev(EventKind.START, date(2026, 1, 5), 3.0, times=(time(8), time(8))),),
            IssueCode.DOSE_TIMES_NOT_12_HOURS,
            "start on 2026-01-05: times",
        ),
    ],
)
def test_events_that_make_no_sense_are_refused(seed, events, code, field):
    issues = check_course(events, seed, today=TODAY, birth_date=BIRTH)
    assert issues, "refused"
    assert issues[0].code is code
    assert issues[0].refuses
    assert issues[0].field.startswith(field)


def test_two_events_on_one_date_with_times_are_accepted(seed):
    events = (
        ev(EventKind.START, date(2026, 1, 5), 3.0),
        ev(EventKind.HOLD, date(2026, 2, 2), at=time(8)),
        ev(EventKind.RESUME, date(2026, 2, 2), 2.0, at=time(20)),
    )
    assert check_course(events, seed, today=TODAY, birth_date=BIRTH) == ()


def test_a_back_dated_event_is_checked_in_date_order(seed):
    """R15.3: a change dated before a hold already recorded is placed before it."""
    events = (
        ev(EventKind.START, date(2026, 1, 5), 3.0),
        ev(EventKind.HOLD, date(2026, 3, 2)),
        ev(EventKind.CHANGE, date(2026, 2, 2), 2.0),  # entered last, dated before the hold
    )
    assert check_course(events, seed, today=TODAY, birth_date=BIRTH) == ()
    assert magnitude(record(events).regimen_on(date(2026, 2, 20)).dose, "mg") == 2.0


def test_complete_event_keeps_what_was_given(seed):
    """A resume with no dose resumes the dose before the hold; a switch to a once-daily
    product takes the protocol's morning time (R2.3)."""
    course = periods(COURSE[:3])
    resume = complete_event(CourseEvent(kind=EventKind.RESUME, date=date(2026, 3, 9)), course, seed)
    assert (resume.formulation, magnitude(resume.dose, "mg"), resume.times) == (IR, 2.0, BID)
    switch = complete_event(
        CourseEvent(
            kind=EventKind.SWITCH, date=date(2026, 2, 20), formulation=ENVARSUS, dose=q(3, "mg")
        ),
        periods(COURSE[:2]),
        seed,
    )
    assert switch.times == (time(8),)


@pytest.mark.parametrize(
    ("times", "ok"),
    [
        ((time(8), time(20)), True),
        ((time(20), time(8)), True),  # the same two times, written evening first
        ((time(7), time(19, 30)), True),  # 12.5 h
        ((time(8), time(21)), True),  # 13 h: the edge of the tolerance
        ((time(8), time(21, 1)), False),  # 13 h 1 min
        ((time(8), time(18, 59)), False),  # 10 h 59 min
        ((time(8), time(8)), False),
    ],
)
def test_dose_times_are_twelve_hours_apart_give_or_take_one(seed, times, ok):
    """R2.2: two times 11 to 13 hours apart."""
    issues = check_dose_times(times, seed.formulations[IR], seed)
    assert (issues == ()) is ok


def test_an_off_treatment_trough_is_not_classified(seed):
    """R5.7: a trough taken while held is off treatment."""
    from tacrocalc.domain.thresholds import TroughClass, classify

    held = Trough(date=date(2026, 3, 5), value=q(3, "ug/L"))
    rec = record(observations=(held,))
    assert classify(held, rec, seed) is TroughClass.OFF_TREATMENT


def test_a_switch_to_envarsus_and_back(seed):
    """R10.3-R10.4, R10.6, R15.2: 3 mg × 2 = 6 mg/day -> Envarsus 6 × 0.7 = 4.2 mg -> 4.25 mg
    once daily (02-02); back to capsules on 03-02 at 1 / 0.7: 4.25 / 0.7 = 6.07 mg/day -> 3.04
    -> 3 mg every 12 hours. Each switch restarts the schedule with a trough within 7 days, and a
    trough taken on Envarsus is linked to Envarsus."""
    from tacrocalc.domain.dosing import switch
    from tacrocalc.domain.schedule import Phase, schedule

    there = switch(dose=q(3, "mg"), source=IR, target=ENVARSUS, protocol=seed).switch
    back = switch(dose=there.dose, source=ENVARSUS, target=IR, protocol=seed).switch
    assert (magnitude(there.dose, "mg"), magnitude(back.dose, "mg")) == (4.25, 3.0)
    events = (
        ev(EventKind.START, date(2026, 1, 5), 3.0),
        ev(EventKind.SWITCH, date(2026, 2, 2), 4.25, ENVARSUS),
        ev(EventKind.SWITCH, date(2026, 3, 2), 3.0),
    )
    assert check_course(events, seed, today=TODAY, birth_date=BIRTH) == ()
    on_envarsus = Trough(date=date(2026, 2, 9), value=q(7, "ug/L"))
    rec = record(events, (on_envarsus,))
    assert rec.regimen_on(on_envarsus.date).formulation is ENVARSUS
    assert rec.regimen_on(date(2026, 3, 2)).formulation is IR
    extra = [c for c in schedule(rec, seed, date(2026, 3, 3)) if c.phase is Phase.AFTER_SWITCH]
    assert [(c.reason, c.due, c.latest) for c in extra] == [
        ("envarsus → ir-capsule", date(2026, 3, 5), date(2026, 3, 9))
    ]


def test_alerts_never_change_the_course(seed):
    """R14.3: assessing the seed's case 3 on the day of its urgent alert leaves its events."""
    from tacrocalc.domain.assessment import assess
    from tests.seed_cases import case_3

    record = case_3()
    before = record.events
    assess(record, seed, date(1997, 1, 13))
    assert record.events == before
