"""R8 monitoring schedule (clinical rules v2), with the extra checks of R8.11, R10.6 and R11.

Every case starts tacrolimus on Monday 2026-01-05 (A) unless it says otherwise. Dates in the
docstrings are worked by hand from the protocol's values: check 1 due A + 7, by A + 14, from
A + 5; two-weekly checks from 3 days before their due date; monthly from 7 days before.
"""

from datetime import date, time

import pytest

from tacrocalc.domain.course import CourseEvent, EventKind
from tacrocalc.domain.protocol import FormulationId
from tacrocalc.domain.record import (
    BloodPressure,
    CoMedicationChange,
    Creatinine,
    ObservationKind,
    Patient,
    Regimen,
    Trough,
    make_record,
)
from tacrocalc.domain.schedule import CheckStatus, Phase, add_months, counted_days, schedule
from tacrocalc.domain.units import q

A = date(2026, 1, 5)
PATIENT = Patient(id="S1", name="Schedule", birth_date=date(1980, 1, 1), sex=None)


def regimen(start, mg=3.0, formulation=FormulationId.IR_CAPSULE):
    times = (
        (time(8),)
        if formulation in (FormulationId.ADVAGRAF, FormulationId.ENVARSUS)
        else (time(8), time(20))
    )
    return Regimen(start=start, formulation=formulation, dose=q(mg, "mg"), times=times)


def check(day, *, trough=8.0, creatinine=80.0, bp=(120, 80), kinds=("t", "c", "b")):
    out = []
    if "t" in kinds:
        out.append(Trough(date=day, value=q(trough, "ug/L")))
    if "c" in kinds:
        out.append(Creatinine(date=day, value=q(creatinine, "umol/L")))
    if "b" in kinds:
        out.append(BloodPressure(date=day, systolic=q(bp[0], "mmHg"), diastolic=q(bp[1], "mmHg")))
    return tuple(out)


def make(regimens=None, checks=(), co_medication=(), events=()):
    regimens = (regimen(A),) if regimens is None and not events else (regimens or ())
    observations = (Creatinine(date=date(2026, 1, 2), value=q(80, "umol/L")),)
    for c in checks:
        observations += c
    return make_record(
        patient=PATIENT,
        protocol_id="seed-1997",
        regimens=regimens,
        events=events,
        observations=observations,
        co_medication=co_medication,
    )


def event(kind, day, mg=None, formulation=FormulationId.IR_CAPSULE, reason=""):
    if mg is None:
        return CourseEvent(kind=kind, date=day, reason=reason)
    return CourseEvent(
        kind=kind,
        date=day,
        formulation=formulation,
        dose=q(mg, "mg"),
        times=regimen(day, mg, formulation).times,
        reason=reason,
    )


def rows(checks):
    return [(c.number, c.phase.value, c.due.isoformat(), c.status.value) for c in checks]


def test_no_results_yet(seed):
    """R8.3: check 1 from A + 7 (01-12) to A + 14 (01-19); R8.4: two more 14 days apart from
    the due date (01-26, 02-09); R8.5 then monthly, assuming stability (R8.8)."""
    checks = schedule(make(), seed, date(2026, 1, 6))
    assert rows(checks) == [
        (1, "first", "2026-01-12", "planned"),
        (2, "two_weekly", "2026-01-26", "planned"),
        (3, "two_weekly", "2026-02-09", "planned"),
        (4, "monthly", "2026-03-09", "planned"),
        (5, "monthly", "2026-04-09", "planned"),
        (6, "monthly", "2026-05-09", "planned"),
    ]
    assert checks[0].latest == date(2026, 1, 19)
    assert [c.assumes_stable for c in checks] == [False] * 3 + [True] * 3


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (date(2026, 1, 11), CheckStatus.PLANNED),
        (date(2026, 1, 12), CheckStatus.DUE),  # the window opens (R8.3)
        (date(2026, 1, 19), CheckStatus.DUE),  # its last day
        (date(2026, 1, 20), CheckStatus.OVERDUE),  # past the end of the window (R8.7)
    ],
)
def test_first_check_window(seed, today, status):
    assert schedule(make(), seed, today)[0].status is status


def test_after_an_overdue_check_the_next_are_planned_from_today(seed):
    """Check 1 overdue on 01-25: it can be done today at the earliest, so check 2 is planned
    for 01-25 + 14 = 02-08, not for 01-26 (which would already be past)."""
    checks = schedule(make(), seed, date(2026, 1, 25))
    assert rows(checks)[:3] == [
        (1, "first", "2026-01-12", "overdue"),
        (2, "two_weekly", "2026-02-08", "planned"),
        (3, "two_weekly", "2026-02-22", "planned"),
    ]


def test_done_checks_move_the_next_ones(seed):
    """R8.4: check 1 done 01-14 -> check 2 due 01-28; done 01-29 -> check 3 due 02-12; done
    02-12 -> monthly from 02-12: 03-12."""
    rec = make(
        checks=(check(date(2026, 1, 14)), check(date(2026, 1, 29)), check(date(2026, 2, 12)))
    )
    checks = schedule(rec, seed, date(2026, 2, 20))
    assert rows(checks)[:4] == [
        (1, "first", "2026-01-12", "done"),
        (2, "two_weekly", "2026-01-28", "done"),
        (3, "two_weekly", "2026-02-12", "done"),
        (4, "monthly", "2026-03-12", "planned"),
    ]
    assert [c.done_on for c in checks[:3]] == [
        date(2026, 1, 14),
        date(2026, 1, 29),
        date(2026, 2, 12),
    ]


@pytest.mark.parametrize(
    "unstable",
    [
        {"bp": (150, 95)},  # hypertension (R7)
        {"creatinine": 104.0},  # +30 % over 80 (R6.3)
        {"trough": 3.5},  # below range
        {"trough": 26.0},  # above range
    ],
)
def test_not_stable_stays_two_weekly(seed, unstable):
    """R8.5: after check 3, an unstable check keeps checks 14 days apart."""
    rec = make(
        checks=(
            check(date(2026, 1, 14)),
            check(date(2026, 1, 28)),
            check(date(2026, 2, 11), **unstable),
        )
    )
    fourth = schedule(rec, seed, date(2026, 2, 12))[3]
    assert (fourth.phase, fourth.due) == (Phase.TWO_WEEKLY, date(2026, 2, 25))


def test_upper_end_trough_is_not_stable(seed):
    """R8.6 (v2): stable needs the trough below the upper-end caution (20 µg/L): 22 µg/L at
    check 3 keeps the checks two-weekly (02-11 + 14 = 02-25)."""
    rec = make(
        checks=(
            check(date(2026, 1, 14)),
            check(date(2026, 1, 28)),
            check(date(2026, 2, 11), trough=22.0),
        )
    )
    fourth = schedule(rec, seed, date(2026, 2, 12))[3]
    assert (fourth.phase, fourth.due) == (Phase.TWO_WEEKLY, date(2026, 2, 25))


def test_a_trough_off_steady_state_or_not_true_is_not_stable(seed):
    """R8.6: where times are known, a trough sampled 4 h after the last dose is not a true
    trough (R5.1): the check is done but not stable."""
    off = (
        Trough(date=date(2026, 2, 11), time=time(12), last_dose_time=time(8), value=q(8, "ug/L")),
        *check(date(2026, 2, 11), kinds=("c", "b")),
    )
    rec = make(checks=(check(date(2026, 1, 14)), check(date(2026, 1, 28)), off))
    third = schedule(rec, seed, date(2026, 2, 12))[2]
    assert (third.status, third.stable) == (CheckStatus.DONE, False)


def test_a_set_before_the_earliest_date_or_incomplete_does_not_count(seed):
    """R8.1, R8.7: 01-09 is A + 4, before check 1's earliest date A + 5 (an extra result);
    01-11 lacks a blood pressure; 01-13 is complete and is check 1."""
    rec = make(
        checks=(
            check(date(2026, 1, 9)),
            check(date(2026, 1, 11), kinds=("t", "c")),
            check(date(2026, 1, 13)),
        )
    )
    first = schedule(rec, seed, date(2026, 1, 17))[0]
    assert (first.status, first.done_on, first.earliest) == (
        CheckStatus.DONE,
        date(2026, 1, 13),
        date(2026, 1, 10),
    )
    assert counted_days(rec, seed, date(2026, 1, 17)) == {date(2026, 1, 13)}


def test_check_one_counts_from_its_earliest_date(seed):
    """R8.7: a complete set on A + 5 (01-10) is check 1 (due 01-12); check 2 is due 14 days
    after the date it was done: 01-24."""
    checks = schedule(make(checks=(check(date(2026, 1, 10)),)), seed, date(2026, 1, 11))
    assert rows(checks)[:2] == [
        (1, "first", "2026-01-12", "done"),
        (2, "two_weekly", "2026-01-24", "planned"),
    ]


def test_repeats_on_following_days_are_extra_results_not_checks(seed):
    """R8.7: complete sets on 01-15, 01-16 and 01-17. 01-15 is check 1 (from A + 5); check 2 is
    due 01-29 and counts from 01-26, so 01-16 and 01-17 are extra results: check 2 and 3 stay
    planned and the schedule does not go monthly."""
    days = [date(2026, 1, 15), date(2026, 1, 16), date(2026, 1, 17)]
    rec = make(checks=tuple(check(d) for d in days))
    checks = schedule(rec, seed, date(2026, 1, 18))
    assert rows(checks)[:4] == [
        (1, "first", "2026-01-12", "done"),
        (2, "two_weekly", "2026-01-29", "planned"),
        (3, "two_weekly", "2026-02-12", "planned"),
        (4, "monthly", "2026-03-12", "planned"),
    ]
    assert checks[1].earliest == date(2026, 1, 26)
    assert counted_days(rec, seed, date(2026, 1, 18)) == {date(2026, 1, 15)}


def test_an_overdue_check_says_by_how_many_days(seed):
    """R8.9: check 1's window ends on A + 14 = 01-19; on 01-25 it is 6 days overdue."""
    first = schedule(make(), seed, date(2026, 1, 25))[0]
    assert (first.status, first.overdue_days) == (CheckStatus.OVERDUE, 6)


def test_monthly_checks_keep_the_day_through_short_months(seed):
    """R8.5: A = 2025-12-20; check 1 done 2026-01-03 (A + 14), check 2 due 01-17 and done then,
    check 3 due 01-31 and done then; monthly: 02-28 (February is short), then 03-31."""
    start = date(2025, 12, 20)
    days = [date(2026, 1, 3), date(2026, 1, 17), date(2026, 1, 31), date(2026, 2, 28)]
    rec = make(regimens=(regimen(start),), checks=tuple(check(d) for d in days))
    checks = schedule(rec, seed, date(2026, 3, 1))
    assert [(c.number, c.due.isoformat(), c.status.value) for c in checks[2:5]] == [
        (3, "2026-01-31", "done"),
        (4, "2026-02-28", "done"),
        (5, "2026-03-31", "planned"),
    ]


def test_a_dose_change_restarts_the_schedule(seed):
    """R8.2: any dose change, decreases included. New regimen on 03-02 -> check 1 from 03-09."""
    rec = make(
        regimens=(regimen(A), regimen(date(2026, 3, 2), 2.0)),
        checks=(check(date(2026, 1, 14)), check(date(2026, 1, 28))),
    )
    checks = schedule(rec, seed, date(2026, 3, 3))
    assert rows(checks)[0] == (1, "first", "2026-03-09", "planned")
    assert checks[0].latest == date(2026, 3, 16)


def test_long_term_after_six_stable_months(seed):
    """R8.8: checks done 01-14, 01-28, 02-11 then monthly to 07-11. The check due 08-11 is
    6 months after the start (07-05), 3 months after the anchor, and 05-11, 06-11 and 07-11
    were stable: long-term, creatinine and BP monthly, the trough every 3 months from the last
    one taken (07-11): 08-11 and 09-11 without a trough, 10-11 with one."""
    days = [date(2026, 1, 14), date(2026, 1, 28), date(2026, 2, 11)] + [
        date(2026, m, 11) for m in range(3, 8)
    ]
    checks = schedule(make(checks=tuple(check(d) for d in days)), seed, date(2026, 7, 20))
    planned = [c for c in checks if c.status is not CheckStatus.DONE]
    assert [(c.phase.value, c.due.isoformat(), len(c.takes)) for c in planned[:3]] == [
        ("long_term", "2026-08-11", 2),
        ("long_term", "2026-09-11", 2),
        ("long_term", "2026-10-11", 3),
    ]


def test_no_long_term_with_an_unstable_check_in_the_last_three_months(seed):
    days = [date(2026, 1, 14), date(2026, 1, 28), date(2026, 2, 11)] + [
        date(2026, m, 11) for m in range(3, 8)
    ]
    checks = [check(d) for d in days]
    checks[5] = check(days[5], bp=(150, 90))  # 05-11 hypertensive; stable since 06-11
    planned = [
        c
        for c in schedule(make(checks=tuple(checks)), seed, date(2026, 7, 20))
        if c.status is not CheckStatus.DONE
    ]
    assert planned[0].phase is Phase.MONTHLY  # 05-11 is within 3 months of 08-11


def test_a_dose_change_seven_months_in_restarts_at_check_one(seed):
    """R8.2, R8.8: long-term by August; a dose increase on 08-17 restarts the schedule at check
    1 (08-24), two two-weekly checks, then monthly. Long-term needs 3 months since the change
    (11-17): the check due 10-21 is monthly; the one due 11-21 has 08-24, 09-07, 09-21 and
    10-21 in the 3 months before it (from 08-21 less the 7-day window): long-term."""
    days = [date(2026, 1, 14), date(2026, 1, 28), date(2026, 2, 11)] + [
        date(2026, m, 11) for m in range(3, 9)
    ]
    rec = make(
        regimens=(regimen(A), regimen(date(2026, 8, 17), 4.0)),
        checks=tuple(check(d) for d in days),
    )
    checks = schedule(rec, seed, date(2026, 8, 18), planned=7)
    assert rows(checks) == [
        (1, "first", "2026-08-24", "planned"),
        (2, "two_weekly", "2026-09-07", "planned"),
        (3, "two_weekly", "2026-09-21", "planned"),
        (4, "monthly", "2026-10-21", "planned"),
        (5, "long_term", "2026-11-21", "planned"),
        (6, "long_term", "2026-12-21", "planned"),
        (7, "long_term", "2027-01-21", "planned"),
    ]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # clamped to the month's end (R8.5)
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 5, 31), -3, date(2026, 2, 28)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


def test_switch_adds_a_trough_within_seven_days(seed):
    """R10.6: switch to Envarsus on 03-02: trough from 03-05 (steady state), by 03-09; the
    schedule restarts at check 1 on 03-09 (R8.2)."""
    rec = make(
        events=(
            event(EventKind.START, A, 3.0),
            event(EventKind.SWITCH, date(2026, 3, 2), 4.0, FormulationId.ENVARSUS),
        )
    )
    checks = schedule(rec, seed, date(2026, 3, 3))
    extra = next(c for c in checks if c.phase is Phase.AFTER_SWITCH)
    assert (extra.due, extra.latest, extra.status) == (
        date(2026, 3, 5),
        date(2026, 3, 9),
        CheckStatus.PLANNED,
    )
    assert extra.reason == "ir-capsule → envarsus"
    assert rows(c for c in checks if c.number == 1) == [(1, "first", "2026-03-09", "planned")]


def test_hold_means_no_trough_check_and_resume_restarts(seed):
    """R8.11: held on 02-02 (infection): nothing falls due, nor is overdue, while held.
    Resumed on 02-16: the schedule restarts, check 1 due 02-23 (R8.2)."""
    held = make(
        events=(
            event(EventKind.START, A, 3.0),
            event(EventKind.HOLD, date(2026, 2, 2), reason="infection"),
        )
    )
    assert schedule(held, seed, date(2026, 3, 30)) == ()
    resumed = make(events=(*held.events, event(EventKind.RESUME, date(2026, 2, 16), 3.0)))
    assert rows(schedule(resumed, seed, date(2026, 2, 17)))[0] == (
        1,
        "first",
        "2026-02-23",
        "planned",
    )


def test_a_stop_for_nephrotoxicity_asks_for_a_creatinine_in_seven_days(seed):
    """R8.11: stopped on 02-02 for nephrotoxicity: only a creatinine recheck, due 02-09; done
    by a creatinine on 02-06. A stop for another reason asks for nothing."""
    events = (
        event(EventKind.START, A, 3.0),
        event(EventKind.STOP, date(2026, 2, 2), reason="nephrotoxicity"),
    )
    checks = schedule(make(events=events), seed, date(2026, 2, 3))
    assert [(c.phase, c.due, c.takes) for c in checks] == [
        (Phase.CREATININE_RECHECK, date(2026, 2, 9), (ObservationKind.CREATININE,))
    ]
    done = make(events=events, checks=(check(date(2026, 2, 6), kinds=("c",)),))
    assert schedule(done, seed, date(2026, 2, 10))[0].done_on == date(2026, 2, 6)
    other = (events[0], event(EventKind.STOP, date(2026, 2, 2), reason="inefficacy"))
    assert schedule(make(events=other), seed, date(2026, 2, 20)) == ()


def test_restart_after_a_stop_starts_a_new_schedule(seed):
    """R8.2, R8.8: restarted on 04-06: check 1 due 04-13; long-term counts from the restart."""
    events = (
        event(EventKind.START, A, 3.0),
        event(EventKind.STOP, date(2026, 2, 2), reason="nephrotoxicity"),
        event(EventKind.RESTART, date(2026, 4, 6), 1.0),
    )
    checks = schedule(make(events=events), seed, date(2026, 4, 7))
    assert rows(checks)[0] == (1, "first", "2026-04-13", "planned")
    assert all(c.phase is not Phase.CREATININE_RECHECK for c in checks)


def test_co_medication_change_adds_a_trough_seven_days_later(seed):
    """R11: clarithromycin started 02-20 -> trough due 02-27; done by a trough on 02-26."""
    change = CoMedicationChange(date=date(2026, 2, 20), note="clarithromycin started")
    pending = schedule(make(co_medication=(change,)), seed, date(2026, 2, 21))
    extra = next(c for c in pending if c.phase is Phase.CO_MEDICATION)
    assert (extra.due, extra.status, extra.reason) == (
        date(2026, 2, 27),
        CheckStatus.PLANNED,
        "clarithromycin started",
    )
    done = schedule(
        make(checks=(check(date(2026, 2, 26), kinds=("t",)),), co_medication=(change,)),
        seed,
        date(2026, 2, 28),
    )
    extra = next(c for c in done if c.phase is Phase.CO_MEDICATION)
    assert (extra.status, extra.done_on) == (CheckStatus.DONE, date(2026, 2, 26))


def test_no_regimen_no_schedule(seed):
    assert schedule(make(regimens=()), seed, date(2026, 1, 6)) == ()
