"""The chart model (present/charts.py) that the window and the plan both draw: the course on
the charts (R15), the legends in the display unit (R1.4), the colours."""

from datetime import date

import pytest

from tacrocalc.domain.assessment import assess
from tacrocalc.domain.course import EventKind, Status
from tacrocalc.present.charts import DARK, LIGHT, build_charts, label_rows
from tacrocalc.present.units import DisplayUnits
from tests.present.course_records import TODAY, stop_and_restart, switch_and_hold


@pytest.fixture
def charts(seed):
    return build_charts(assess(switch_and_hold(), seed, TODAY), DisplayUnits())


def test_every_event_of_the_course_is_marked_on_its_date_with_a_short_label(charts):
    """R15.1: start, change, switch, hold, resume, change, each at its date."""
    assert [(e.day, e.kind, e.label) for e in charts.events] == [
        (date(2026, 6, 1), EventKind.START, "start"),
        (date(2026, 6, 22), EventKind.CHANGE, "dose change"),
        (date(2026, 8, 3), EventKind.SWITCH, "switch"),
        (date(2026, 9, 14), EventKind.HOLD, "hold"),
        (date(2026, 9, 21), EventKind.RESUME, "resume"),
        (date(2026, 10, 26), EventKind.CHANGE, "dose change"),
    ]


def test_an_event_says_in_full_what_was_given_from_then_and_why(charts):
    switch, hold = charts.events[2], charts.events[3]
    assert switch.text == (
        "2026-08-03 switch: 8 mg Advagraf prolonged-release capsules (once daily) once daily"
        " (adherence)"
    )
    assert hold.text == "2026-09-14 hold (diarrhoea, trough 18 µg/L)"


def test_a_hold_is_shaded_until_the_resume(charts):
    (held,) = charts.off
    assert (held.start, held.end, held.status, held.legend) == (
        date(2026, 9, 14),
        date(2026, 9, 21),
        Status.HELD,
        "held",
    )


def test_a_stop_is_shaded_until_the_restart_and_a_stop_not_restarted_to_the_end(seed):
    restarted = build_charts(assess(stop_and_restart(), seed, TODAY), DisplayUnits())
    (stopped,) = restarted.off
    assert (stopped.start, stopped.end, stopped.status) == (
        date(2026, 9, 7),
        date(2026, 10, 12),
        Status.STOPPED,
    )
    # the day before the restart, the stop runs on to the right edge of the chart
    before = build_charts(assess(stop_and_restart(), seed, date(2026, 10, 11)), DisplayUnits())
    assert before.off[-1].end is None
    assert [e.label for e in before.events][-1] == "stop"


def test_the_daily_dose_steps_to_zero_while_held(charts):
    """6 mg/day (3 mg × 2), 8, 8 (Advagraf 8 mg once daily), 0 on hold, 6, 5 mg/day."""
    steps = [(s.day, s.value) for s in charts.trough.dose_steps]
    assert steps == [
        (date(2026, 6, 1), 6.0),
        (date(2026, 6, 22), 8.0),
        (date(2026, 8, 3), 8.0),
        (date(2026, 9, 14), 0.0),
        (date(2026, 9, 21), 6.0),
        (date(2026, 10, 26), 5.0),
    ]


def test_the_legends_name_series_and_thresholds_in_the_display_unit(seed):
    """R1.3: 4-25 µg/L is 4.975-31.1 nmol/L (shown as 5-31.1, as everywhere else); the upper
    end of 20 µg/L is 24.9 nmol/L."""
    units = DisplayUnits(trough="nmol/L", creatinine="mg/dL")
    charts = build_charts(assess(switch_and_hold(), seed, TODAY), units)
    trough = charts.trough
    assert trough.series[0].legend == "trough (nmol/L)"
    assert trough.band is not None and trough.band.legend == "target 5–31.1 nmol/L"
    assert [line.legend for line in trough.lines] == ["", "", "upper end 24.9 nmol/L"]
    assert trough.dose_legend == "daily dose (mg/day)"
    creatinine = charts.creatinine
    assert creatinine.series[0].legend == "creatinine (mg/dL)"
    # baseline 80 µmol/L = 0.905 mg/dL, shown 0.9; +30 % = 104 µmol/L = 1.18 mg/dL
    assert [line.legend for line in creatinine.lines] == [
        "baseline 0.9 mg/dL",
        "baseline +30 % 1.18 mg/dL",
    ]
    pressure = charts.blood_pressure
    assert [s.legend for s in pressure.series] == ["systolic (mmHg)", "diastolic (mmHg)"]
    assert [line.legend for line in pressure.lines] == ["limits 140/90 mmHg", ""]


def test_the_date_range_takes_in_the_first_event(seed):
    charts = build_charts(assess(stop_and_restart(), seed, TODAY), DisplayUnits())
    assert charts.start == date(2026, 7, 2)  # the baseline creatinine, before the start
    assert charts.end == TODAY


@pytest.mark.parametrize(
    ("spans", "rows"),
    [
        ([(0, 30), (40, 70), (80, 100)], [0, 0, 0]),  # apart: one row
        ([(0, 30), (20, 50), (40, 70)], [0, 1, 0]),  # hold and resume a week apart
        ([(0, 30), (5, 35), (10, 40), (15, 45)], [0, 1, 2, 0]),  # no room: the row freed first
    ],
)
def test_labels_that_would_overlap_go_one_row_down(spans, rows):
    assert label_rows(spans) == rows


def test_both_palettes_give_every_line_a_colour():
    for colours in (LIGHT, DARK):
        hexes = [
            colours.background,
            *colours.series,
            colours.alert,
            colours.dose,
            colours.limit,
            colours.caution,
            colours.baseline,
            colours.event,
        ]
        assert all(len(h) == 7 and h.startswith("#") for h in hexes)
        for _, opacity in (colours.band, colours.held, colours.stopped):
            assert 0 < opacity < 1


def test_a_label_keeps_clear_of_the_spans_taken_on_its_row():
    """On the plan, a threshold's label at the right edge takes part of the top row: an event
    label there goes a row lower, and one clear of it stays on top."""
    blocked = [[(90.0, 110.0)], [], []]
    assert label_rows([(95.0, 105.0)], blocked=blocked) == [1]
    assert label_rows([(10.0, 20.0)], blocked=blocked) == [0]
    assert label_rows([(95.0, 105.0)]) == [0]  # nothing taken: the top row
