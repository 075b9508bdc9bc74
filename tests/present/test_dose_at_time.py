"""R15.2: one result has one dose at the time, in the window's results table, on the plan's
"Results so far" and in `check --json`, also when an event of the course and the result share
a day: an event counts for a result of its day only when both times are known and the event
came first."""

from datetime import date, datetime, time

import pytest

from tacrocalc.cli import check_json
from tacrocalc.domain.assessment import assess
from tacrocalc.domain.course import CourseEvent, EventKind
from tacrocalc.domain.protocol import FormulationId
from tacrocalc.domain.record import (
    BloodPressure,
    Creatinine,
    Patient,
    Sex,
    Trough,
    WeightEntry,
    make_record,
)
from tacrocalc.domain.units import q
from tacrocalc.present.patient import day_rows
from tacrocalc.present.plan import build_plan
from tacrocalc.present.units import DisplayUnits
from tacrocalc.present.words import Words

DAY = date(2026, 11, 27)
TODAY = DAY
BID, ONCE = (time(8), time(20)), (time(8),)
IR, ADVAGRAF = FormulationId.IR_CAPSULE, FormulationId.ADVAGRAF
START = CourseEvent(
    kind=EventKind.START, date=date(2026, 10, 5), formulation=IR, dose=q(3, "mg"), times=BID
)
CHANGE = CourseEvent(
    kind=EventKind.CHANGE, date=date(2026, 10, 19), formulation=IR, dose=q(4.5, "mg"), times=BID
)
HOLD = CourseEvent(kind=EventKind.HOLD, date=date(2026, 11, 16), reason="diarrhoea")


def _switch(at: time | None) -> CourseEvent:
    return CourseEvent(
        kind=EventKind.SWITCH,
        date=DAY,
        time=at,
        formulation=ADVAGRAF,
        dose=q(9, "mg"),
        times=ONCE,
        ratio=1.0,
    )


def _resume(at: time | None) -> CourseEvent:
    return CourseEvent(
        kind=EventKind.RESUME, date=DAY, time=at, formulation=IR, dose=q(4.5, "mg"), times=BID
    )


def _day(trough_at: time) -> tuple:
    """The day's trough at `trough_at`, with a creatinine and a blood pressure written down
    without a time, as a ward often does."""
    return (
        Trough(date=DAY, time=trough_at, value=q(9, "ug/L"), last_dose_time=time(20)),
        Creatinine(date=DAY, value=q(82, "umol/L")),
        BloodPressure(date=DAY, systolic=q(128, "mmHg"), diastolic=q(80, "mmHg")),
    )


def _record(events: tuple[CourseEvent, ...], observations: tuple):
    return make_record(
        patient=Patient(
            id="R15-2", name="Dose Attime", birth_date=date(1970, 4, 12), sex=Sex.FEMALE
        ),
        protocol_id="seed-1997",
        weights=(WeightEntry(date=date(2026, 10, 1), value=q(64, "kg")),),
        events=(START, CHANGE, *events),
        observations=(Creatinine(date=date(2026, 10, 1), value=q(80, "umol/L")), *observations),
    )


CASES = {
    # the walkthrough: switched at 07:00 (the window records the time of an event of today),
    # trough at 08:00: the trough is on the new product, whatever the untimed results say
    "switch at 07:00, trough at 08:00": (
        _record((_switch(time(7)),), _day(time(8))),
        "9 mg once daily",
        (ADVAGRAF, 9.0),
    ),
    # sampled at 06:30, before the switch of 07:00: the dose it reflects is the old one
    "trough at 06:30, switch at 07:00": (
        _record((_switch(time(7)),), _day(time(6, 30))),
        "4.5 mg twice daily",
        (IR, 4.5),
    ),
    # a switch without a time: a result of its day is taken before it
    "switch without a time, trough at 08:00": (
        _record((_switch(None),), _day(time(8))),
        "4.5 mg twice daily",
        (IR, 4.5),
    ),
    # a trough drawn before the day's resume was drawn while on hold, not before any start
    "on hold, resumed at 09:00, trough at 08:00": (
        _record((HOLD, _resume(time(9))), _day(time(8))),
        "on hold",
        None,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_window_the_plan_and_check_give_one_dose_at_the_time(case, seed):
    record, expected, regimen = CASES[case]
    assessment = assess(record, seed, TODAY)
    words = Words(DisplayUnits(), seed)
    shown = [(n, obs, None) for n, obs in enumerate(record.observations)]
    window = next(r for r in day_rows(shown, assessment, words) if r.date == DAY.isoformat())
    plan = build_plan(
        assessment, generated_at=datetime(2026, 11, 27, 9), version="test", words=words
    )
    paper = next(row for row in plan.results if row[0] == DAY.isoformat())
    checked = next(
        t for t in check_json(assessment, words)["troughs"] if t["date"] == DAY.isoformat()
    )
    assert window.dose == expected
    assert paper[4] == expected
    if regimen is None:
        assert checked["regimen"] is None
    else:
        assert (checked["regimen"]["formulation"], checked["regimen"]["dose_mg"]) == regimen


def test_two_troughs_of_one_day_are_both_on_the_plan(seed):
    """The plan's row of a day holds every trough of that day, as the window shows each."""
    record = _record(
        (),
        (
            Trough(date=DAY, time=time(8), value=q(9, "ug/L")),
            Trough(date=DAY, time=time(9), value=q(12.5, "ug/L")),
        ),
    )
    words = Words(DisplayUnits(), seed)
    plan = build_plan(
        assess(record, seed, TODAY),
        generated_at=datetime(2026, 11, 27, 9),
        version="test",
        words=words,
    )
    row = next(row for row in plan.results if row[0] == DAY.isoformat())
    assert row[1] == "9 µg/L (in range); 12.5 µg/L (in range)"
    assert row[4] == "4.5 mg twice daily"
