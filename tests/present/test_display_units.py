"""R1.4 in every display unit: the words, the alerts, the tables, the chart series and the plan
of patients with every kind of alert speak of each quantity in the unit chosen, and no other."""

import itertools
import re
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tacrocalc.domain.assessment import assess
from tacrocalc.domain.record import Creatinine, Trough
from tacrocalc.domain.units import Kind, q
from tacrocalc.present import patient as present
from tacrocalc.present.charts import build_charts
from tacrocalc.present.plan import build_plan
from tacrocalc.present.units import CHOICES, LABELS, DisplayUnits
from tacrocalc.present.words import Words
from tacrocalc.records.protocol_files import load_protocol
from tests.present.test_words import _issues, alert_patients
from tests.seed_cases import case_2, case_3

ALL_UNITS = [
    DisplayUnits(trough=t, creatinine=c, weight=w)
    for t, c, w in itertools.product(
        CHOICES[Kind.TROUGH], CHOICES[Kind.CREATININE], CHOICES[Kind.WEIGHT]
    )
]


def _pattern(label):
    """A unit as a word: "kg" but not the kg of "mg/kg/day"."""
    return re.compile(rf"(?<![\w/]){re.escape(label)}(?![\w/])")


def others(units):
    """The labels of the units of each quantity that were not chosen."""
    return [
        LABELS[unit]
        for kind in (Kind.TROUGH, Kind.CREATININE, Kind.WEIGHT)
        for unit in CHOICES[kind]
        if unit != units.unit(kind)
    ]


def assert_one_unit_per_quantity(text, units):
    for label in others(units):
        found = _pattern(label).search(text)
        assert found is None, (label, text[max(0, found.start() - 80) : found.end() + 40])


@pytest.fixture(scope="module")
def seed():
    return load_protocol("seed-1997")


def _own_words(record):
    """Reasons are the user's own words, shown as typed; seed case 3's stop names its creatinine
    ("nephrotoxicity: creatinine 208 µmol/L"), so the reasons are cut to their first word here."""
    events = tuple(replace(e, reason=e.reason.split(":")[0]) for e in record.events)
    return replace(record, events=events)


def _assessments(seed):
    """The patients with every kind of alert of the sentence tests, assessed."""
    for record, today in alert_patients():
        yield assess(_own_words(record), seed, today)


def _rendered(assessment, units):
    """All the text present/ makes of one assessment: header, rows, alerts, schedule, advice,
    chart labels and the whole plan."""
    words = Words(units, assessment.protocol)
    parts = list(present.header(assessment, words).values())
    for n, obs in enumerate(assessment.record.observations):
        row = present.observation_row(n, obs, False, assessment, words)
        parts += [row.value, row.assessment]
    parts += [f"{a.text} {a.action}" for a in present.alert_lines(assessment, words)]
    parts += [" ".join(row) for row in present.schedule_lines(assessment)]
    parts.append(present.adjustment(assessment, words).text)
    charts = build_charts(assessment, units)
    for panel in (charts.trough, charts.creatinine, charts.blood_pressure):
        parts.append(panel.unit)
        parts += [line.label for line in panel.lines]
        parts += [point.label for series in panel.series for point in series.points]
    plan = build_plan(
        assessment,
        generated_at=datetime(2026, 1, 1, tzinfo=UTC),
        version="test",
        words=words,
    )
    parts += [v for row in plan.patient for v in row]
    parts += [*plan.instruction, plan.since]
    parts += [line.text for line in (*plan.call_today, *plan.call_visit)]
    parts += [v for row in plan.history for v in row]
    parts += [v for row in plan.thresholds for v in row]
    parts += [a.text for a in plan.alerts]
    parts += [v for row in plan.results for v in row]
    return "\n".join(parts)


@pytest.mark.parametrize("units", ALL_UNITS, ids=str)
def test_every_text_of_every_patient_speaks_the_chosen_units(seed, units):
    codes = set()
    for assessment in _assessments(seed):
        text = _rendered(assessment, units)
        assert_one_unit_per_quantity(text, units)
        codes |= {a.issue.code for a in assessment.alerts}
    assert len(codes) >= 10  # the patients above do raise every kind of alert


@pytest.mark.parametrize("units", ALL_UNITS, ids=str)
def test_every_issue_sentence_speaks_the_chosen_units(seed, units):
    words = Words(units, seed)
    # a refusal of what was typed lists the units one may type: that is help, not a value
    typing_help = {
        "not_a_number",
        "missing_unit",
        "unknown_unit",
        "wrong_kind_of_unit",
        "below_limit_not_allowed",
        "below_limit_not_positive",
        "scientific_notation",  # the plain digits to type, in the unit typed
    }
    issues = [  # a reason is the user's own words, shown as typed
        replace(i, params=tuple((k, "reason" if k == "reason" else v) for k, v in i.params))
        for i in _issues(seed)
        if i.code.value not in typing_help
    ]
    assert len({i.code for i in issues}) >= 20
    for issue in issues:
        assert_one_unit_per_quantity(words.message(issue), units)


def test_the_alert_of_seed_case_3_in_each_creatinine_unit(seed):
    """R6.3: 208 µmol/L against a baseline of 90 µmol/L, limit 90 × 1.3 = 117 µmol/L."""
    assessment = assess(case_3(), seed, date(1997, 1, 13))
    rise = next(a.issue for a in assessment.alerts if a.issue.code.value == "creatinine_rise")
    in_umol = Words(DisplayUnits(creatinine="umol/L")).message(rise)
    in_mg = Words(DisplayUnits(creatinine="mg/dL")).message(rise)
    assert "Creatinine 208 µmol/L" in in_umol and "limit 117 µmol/L" in in_umol
    # 208 / 88.40 = 2.35 mg/dL; 117 / 88.40 = 1.32 mg/dL (R1.3)
    assert "Creatinine 2.35 mg/dL" in in_mg and "limit 1.32 mg/dL" in in_mg


@pytest.mark.parametrize(
    ("unit", "value", "label"),
    [("ug/L", 12.0, "12 µg/L"), ("ng/mL", 12.0, "12 ng/mL"), ("nmol/L", 14.925, "14.9 nmol/L")],
)
def test_the_trough_series_is_in_the_display_unit(seed, unit, value, label):
    """R1.3: 1 µg/L = 1 ng/mL = 1.2437 nmol/L (tacrolimus 804.02 g/mol)."""
    record = case_2()
    record = replace(
        record,
        observations=(Trough(date=date(1996, 11, 1), value=q(12, "ug/L")),),
    )
    charts = build_charts(assess(record, seed, date(1996, 11, 7)), DisplayUnits(trough=unit))
    (point,) = charts.trough.series[0].points
    assert point.value == pytest.approx(value, abs=0.001)
    assert point.label == label
    assert charts.trough.unit == LABELS[unit]
    band = charts.trough.band
    assert band is not None and band.low == pytest.approx(4 * value / 12, abs=0.001)


@settings(max_examples=60, deadline=None)
@given(
    units=st.sampled_from(ALL_UNITS),
    trough=st.floats(min_value=0.5, max_value=200),
    creatinine=st.floats(min_value=10, max_value=2000),
)
def test_any_result_in_any_units_is_shown_in_those_units(seed, units, trough, creatinine):
    """The property: whatever the values, no rendered text for a unit choice contains another
    unit of the same quantity."""
    record = _own_words(case_3())
    day = date(1997, 1, 12)
    record = replace(
        record,
        observations=(
            *record.observations,
            Trough(date=day, value=q(trough, "ug/L")),
            Creatinine(date=day, value=q(creatinine, "umol/L")),
        ),
    )
    assessment = assess(record, seed, date(1997, 1, 13))
    assert_one_unit_per_quantity(_rendered(assessment, units), units)
