"""The results table: one row per day with the dose at the time (R15.2), the course events
of the day (R15) and whether the day counted as a check (R8.7)."""

from dataclasses import replace
from datetime import date, time

from tacrocalc.domain.assessment import assess
from tacrocalc.domain.course import CourseEvent, EventKind
from tacrocalc.domain.record import Trough
from tacrocalc.domain.units import q
from tacrocalc.present.patient import day_rows
from tacrocalc.present.units import DisplayUnits
from tacrocalc.present.words import Words
from tacrocalc.records.protocol_files import load_protocol
from tests.seed_cases import case_1

PROTOCOL = load_protocol()


def _rows(record, today, deleted=()):
    assessment = assess(record, PROTOCOL, today)
    shown = [
        (n, obs, "2026-01-01T00:00" if n in deleted else None)
        for n, obs in enumerate(record.observations)
    ]
    return day_rows(shown, assessment, Words(DisplayUnits(), PROTOCOL))


def test_a_day_with_a_trough_a_creatinine_and_a_pressure_is_one_row_with_the_dose():
    rows = _rows(case_1(), date(1997, 3, 10))
    row = next(r for r in rows if r.date == "1996-06-24")
    assert row.texts() == (
        "1996-06-24",
        "08:00",
        "9 µg/L, in range",
        "80 µmol/L (-1.2 %)",
        "160/105 mmHg, hypertension",
        "3.5 mg twice daily",  # 0.11 mg/kg/day × 60 kg from the week before (R2, R3)
        "check",
    )
    assert row.cells["blood pressure"].flagged and not row.cells["trough"].flagged
    assert [r.date for r in rows] == sorted(r.date for r in rows)  # oldest first
    assert len({r.date for r in rows}) == len(rows)  # one row per day


def test_course_events_are_marked_on_their_day_and_a_hold_shows_no_dose():
    record = case_1()
    hold = CourseEvent(kind=EventKind.HOLD, date=date(1997, 3, 12), reason="infection")
    trough = Trough(date=date(1997, 3, 14), time=time(8), value=q(3, "ug/L"))
    record = replace(
        record,
        events=(*record.events, hold),
        observations=(*record.observations, trough),
    )
    rows = _rows(record, date(1997, 3, 20))
    held = next(r for r in rows if r.date == "1997-03-12")
    assert (held.cells, held.marker) == ({}, "hold")
    during = next(r for r in rows if r.date == "1997-03-14")
    assert during.dose == "on hold"
    assert during.cells["trough"].text == "3 µg/L, off treatment"  # R5.7


def test_two_troughs_on_one_day_are_two_rows_of_that_day_and_a_deleted_one_is_marked():
    record = case_1()
    second = Trough(date=date(1996, 6, 24), time=time(9), value=q(12, "ug/L"))
    record = replace(record, observations=(*record.observations, second))
    rows = _rows(record, date(1997, 3, 10), deleted={len(record.observations) - 1})
    day = [r for r in rows if r.date == "1996-06-24"]
    assert [r.cells["trough"].text for r in day] == ["9 µg/L, in range", "12 µg/L, in range"]
    assert day[1].cells["trough"].deleted and day[1].texts()[2].endswith("(deleted)")
    assert "creatinine" not in day[1].cells  # the second row holds only the second trough
