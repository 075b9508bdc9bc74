"""R5.7: a once-daily product's trough is a 24-hour trough, named so on screen, on the plan
and in the schedule; R5.1: the entry row's greyed times follow the regimen in force."""

from dataclasses import replace
from datetime import date

from tacrocalc.domain.assessment import assess
from tacrocalc.domain.course import EventKind
from tacrocalc.present.charts import build_charts
from tacrocalc.present.patient import entry_hints, schedule_lines
from tacrocalc.present.units import DisplayUnits
from tests.present.course_records import (
    ADVAGRAF,
    ONCE,
    TODAY,
    _event,
    stop_and_restart,
    switch_and_hold,
)


def only_advagraf():
    """The switch-and-hold patient as if started on Advagraf: once daily throughout (its
    capsule events left out)."""
    record = switch_and_hold()
    first = _event(EventKind.START, date(2026, 6, 1), ADVAGRAF, 8, ONCE)
    later = tuple(e for e in record.events if e.formulation in (ADVAGRAF, None))[1:]
    return replace(record, events=(first, *later))


def test_the_schedule_asks_for_a_24_hour_trough_on_a_once_daily_product(seed):
    """switch_and_hold is on Advagraf today (R10.2): every trough check reads 24-h."""
    takes = [row[3] for row in schedule_lines(assess(switch_and_hold(), seed, TODAY))]
    troughs = [t for t in takes if "trough" in t]
    assert troughs and all(t.startswith("24-h trough (before the morning dose)") for t in troughs)


def test_the_schedule_asks_for_a_12_hour_trough_on_capsules_twice_daily(seed):
    takes = [row[3] for row in schedule_lines(assess(stop_and_restart(), seed, TODAY))]
    troughs = [t for t in takes if "trough" in t]
    assert troughs and all(t.startswith("12-h trough (before the morning dose)") for t in troughs)


def test_the_trough_chart_is_named_by_the_interval_of_the_products_charted(seed):
    def title(record):
        return build_charts(assess(record, seed, TODAY), DisplayUnits()).trough.title

    assert title(stop_and_restart()) == "Tacrolimus 12-hour trough"
    assert title(switch_and_hold()) == "Tacrolimus trough: 12-hour, 24-hour on once-daily products"
    assert title(only_advagraf()) == "Tacrolimus 24-hour trough"


def test_the_greyed_times_are_before_the_morning_dose_and_the_dose_before_it(seed):
    """R5.1: twice daily 08:00/20:00 → sample 08:00, last dose 20:00; once daily at 08:00 →
    the last dose is the morning before's, 08:00, not an evening dose never given (R5.7)."""
    assert entry_hints(assess(stop_and_restart(), seed, TODAY)) == ("08:00", "20:00")
    assert entry_hints(assess(switch_and_hold(), seed, TODAY)) == ("08:00", "08:00")


def test_the_plan_after_a_switch_to_once_daily_says_when_the_first_dose_is_given(seed):
    """R10.7: switched from capsules twice daily to Advagraf on 2026-08-03: the first
    Advagraf dose is that morning, after the last evening capsule dose of 2026-08-02."""
    from datetime import datetime

    from tacrocalc.present.plan import build_plan
    from tacrocalc.present.words import Words

    def instruction(day):
        assessment = assess(switch_and_hold(), seed, day)
        plan = build_plan(
            assessment,
            generated_at=datetime(2026, 8, 10, 9),
            version="t",
            words=Words(protocol=seed),
        )
        return plan.instruction

    assert instruction(date(2026, 8, 10))[-1] == (
        "First dose of Advagraf prolonged-release capsules on the morning of 2026-08-03, after the"
        " last evening dose of Immediate-release tacrolimus capsules on 2026-08-02."
    )
    # Once a later event sets the regimen, the switch is history: no such line.
    assert not any("First" in line for line in instruction(date(2026, 11, 1)))
    # A plan printed while still on capsules has none either.
    assert not any("First" in line for line in instruction(date(2026, 7, 1)))
