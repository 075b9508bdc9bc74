"""R8 monitoring schedule, with the extra trough checks of R10.4 and R11.

Every case starts tacrolimus on Monday 2026-01-05 (A) unless it says otherwise.
"""

from datetime import date, time

import pytest

from tacrocalc.domain.protocol import FormulationId
from tacrocalc.domain.record import (
    BloodPressure,
    CoMedicationChange,
    Creatinine,
    Patient,
    Regimen,
    Trough,
    make_record,
)
from tacrocalc.domain.schedule import Phase, Status, add_months, schedule
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


def make(regimens=None, checks=(), co_medication=()):
    regimens = (regimen(A),) if regimens is None else regimens
    observations = (Creatinine(date=date(2026, 1, 2), value=q(80, "umol/L")),)
    for c in checks:
        observations += c
    return make_record(
        patient=PATIENT,
        protocol_id="seed-1997",
        regimens=regimens,
        observations=observations,
        co_medication=co_medication,
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
        (date(2026, 1, 11), Status.PLANNED),
        (date(2026, 1, 12), Status.DUE),  # the window opens (R8.3)
        (date(2026, 1, 19), Status.DUE),  # its last day
        (date(2026, 1, 20), Status.OVERDUE),  # past the end of the window (R8.7)
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


def test_upper_end_trough_is_still_stable(seed):
    """R8.5 asks for a trough 'in range (not below, not above)': 22 µg/L is upper end, in range."""
    rec = make(
        checks=(
            check(date(2026, 1, 14)),
            check(date(2026, 1, 28)),
            check(date(2026, 2, 11), trough=22.0),
        )
    )
    assert schedule(rec, seed, date(2026, 2, 12))[3].phase is Phase.MONTHLY


def test_a_check_before_the_window_or_incomplete_does_not_count(seed):
    """R8.1/R8.3: 01-10 is before A + 7; 01-14 lacks a blood pressure; 01-16 is complete."""
    rec = make(
        checks=(
            check(date(2026, 1, 10)),
            check(date(2026, 1, 14), kinds=("t", "c")),
            check(date(2026, 1, 16)),
        )
    )
    first = schedule(rec, seed, date(2026, 1, 17))[0]
    assert (first.status, first.done_on) == (Status.DONE, date(2026, 1, 16))


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
    """R8.6: from A + 6 months (07-05), stable at every check of the last 3 months -> creatinine
    and BP monthly, trough every 3 months. Checks done 01-14, 01-28, 02-11 then monthly to
    07-11. Next: 08-11 and 09-11 without trough, 10-11 with (3 months after 07-11)."""
    days = [date(2026, 1, 14), date(2026, 1, 28), date(2026, 2, 11)] + [
        date(2026, m, 11) for m in range(3, 8)
    ]
    checks = schedule(make(checks=tuple(check(d) for d in days)), seed, date(2026, 7, 20))
    planned = [c for c in checks if c.status is not Status.DONE]
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
        if c.status is not Status.DONE
    ]
    assert planned[0].phase is Phase.MONTHLY  # 05-11 is within 3 months of 07-11


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
    """R10.4: switch to Envarsus on 03-02: trough from 03-05 (steady state), by 03-09."""
    rec = make(regimens=(regimen(A), regimen(date(2026, 3, 2), 4.0, FormulationId.ENVARSUS)))
    extra = next(c for c in schedule(rec, seed, date(2026, 3, 3)) if c.phase is Phase.AFTER_SWITCH)
    assert (extra.due, extra.latest, extra.status) == (
        date(2026, 3, 5),
        date(2026, 3, 9),
        Status.PLANNED,
    )
    assert extra.reason == "ir-capsule → envarsus"


def test_co_medication_change_adds_a_trough_seven_days_later(seed):
    """R11: clarithromycin started 02-20 -> trough due 02-27; done by a trough on 02-26."""
    change = CoMedicationChange(date=date(2026, 2, 20), note="clarithromycin started")
    pending = schedule(make(co_medication=(change,)), seed, date(2026, 2, 21))
    extra = next(c for c in pending if c.phase is Phase.CO_MEDICATION)
    assert (extra.due, extra.status, extra.reason) == (
        date(2026, 2, 27),
        Status.PLANNED,
        "clarithromycin started",
    )
    done = schedule(
        make(checks=(check(date(2026, 2, 26), kinds=("t",)),), co_medication=(change,)),
        seed,
        date(2026, 2, 28),
    )
    extra = next(c for c in done if c.phase is Phase.CO_MEDICATION)
    assert (extra.status, extra.done_on) == (Status.DONE, date(2026, 2, 26))


def test_no_regimen_no_schedule(seed):
    assert schedule(make(regimens=()), seed, date(2026, 1, 6)) == ()
