"""Every issue code has a sentence, and every sentence uses only what its issues carry."""

import string
from datetime import date

import pytest

from tacrocalc.domain.assessment import assess
from tacrocalc.domain.dosing import adjust, dose_from_rate, switch
from tacrocalc.domain.issues import IssueCode
from tacrocalc.domain.units import Kind, parse, q
from tacrocalc.present.units import DisplayUnits
from tacrocalc.present.words import MESSAGES, message
from tests.seed_cases import case_1, case_2, case_3


def test_every_code_has_a_message():
    assert set(MESSAGES) == set(IssueCode)


def _issues(seed):
    """Issues produced for real by the domain, across many codes."""
    out = []
    for text, kind in [
        ("70 mg", Kind.WEIGHT),
        ("72", Kind.WEIGHT),
        ("x", Kind.WEIGHT),
        ("1,200 umol/L", Kind.CREATININE),
        ("3 parsecs", Kind.DOSE),
        ("<2 kg", Kind.WEIGHT),
        ("1.6e+03 kg", Kind.WEIGHT),
    ]:
        out.append(parse(text, kind, field="f").issue)
    out.append(parse("<0 ug/L", Kind.TROUGH, field="f", allow_below_limit=True).issue)
    for weight, rate in [
        (5, 0.1),
        (20, 0.07),
        (70, 0.31),
        (70, 0.0),
        (70, 0.2),
        (70, 0.03),
        (30, 0.1),
        (10, 0.04),
    ]:
        out += dose_from_rate(
            weight=q(weight, "kg"),
            rate=q(rate, "mg/kg/day"),
            formulation="ir-capsule",
            protocol=seed,
        ).issues
    for dose, trough, steady, weight in [
        (1, 3, True, None),  # capped at double, no weight (R9.5, R12.8)
        (5, 30, True, None),  # less than half (R9.5)
        (1, 3, False, None),  # not at steady state (R9.3)
        (3, 7, True, 60),  # capped at the ceiling (R9.5)
        (3, 250, True, None),  # out of bounds (R12.7)
    ]:
        out += adjust(
            dose=q(dose, "mg"),
            formulation="ir-capsule",
            trough=q(trough, "ug/L"),
            target=q(12, "ug/L"),
            protocol=seed,
            steady_state=steady,
            weight=q(weight, "kg") if weight else None,
        ).issues
    for source, target in [
        ("ir-capsule", "advagraf"),
        ("envarsus", "ir-capsule"),
        ("envarsus", "advagraf"),
    ]:
        out += switch(dose=q(3, "mg"), source=source, target=target, protocol=seed).issues
    out += _course_issues(seed)
    for record, today in alert_patients()[:-1]:  # the hold follows, on two days
        assessment = assess(record, seed, today)
        out += [a.issue for a in assessment.alerts]
        out.append(assessment.adjustment.reason)
    held = _held(case_2())
    for today in (date(1996, 11, 21), date(1996, 11, 9)):
        assessment = assess(held, seed, today)
        out += [a.issue for a in assessment.alerts] + [assessment.adjustment.reason]
    return [i for i in out if i is not None]


def alert_patients():
    """(record, day) of patients with every kind of alert: the seed cases at their turning
    points, a low and a high weight, no weight, and last a hold with a trough taken off
    treatment."""
    return [
        (case_1(), date(1997, 4, 10)),
        (case_2(), date(1996, 11, 7)),
        (case_3(), date(1997, 1, 13)),
        (case_3(), date(1997, 1, 18)),
        (_with_weight(case_2(), 30), date(1996, 11, 7)),
        (_with_weight(case_2(), 70), date(1996, 11, 7)),
        (_with_weight(case_2(), None), date(1996, 11, 7)),
        (_held(case_2()), date(1996, 11, 21)),
    ]


def _with_weight(record, kg):
    from dataclasses import replace

    from tacrocalc.domain.record import WeightEntry

    if kg is None:
        return replace(record, weights=())
    return replace(
        record,
        weights=(*record.weights, WeightEntry(date=date(1996, 10, 20), value=q(kg, "kg"))),
    )


def _held(record):
    """Case 2 held on 11-14 with a trough taken on 11-20, resumed... never: off treatment."""
    from dataclasses import replace

    from tacrocalc.domain.course import CourseEvent, EventKind
    from tacrocalc.domain.record import Trough

    return replace(
        record,
        events=(
            *record.events,
            CourseEvent(kind=EventKind.HOLD, date=date(1996, 11, 14), reason="infection"),
        ),
        observations=(*record.observations, Trough(date=date(1996, 11, 20), value=q(3, "ug/L"))),
    )


def _course_issues(seed):
    from datetime import time

    from tacrocalc.domain.course import CourseEvent, EventKind, check_course

    start = CourseEvent(
        kind=EventKind.START,
        date=date(2026, 1, 5),
        formulation="ir-capsule",
        dose=q(3, "mg"),
        times=(time(8), time(8)),
    )
    events = (
        start,
        CourseEvent(kind=EventKind.RESUME, date=date(2026, 2, 2), dose=q(3, "mg")),
        CourseEvent(kind=EventKind.HOLD, date=date(2026, 3, 2)),
        CourseEvent(kind=EventKind.STOP, date=date(2026, 3, 2)),
        CourseEvent(
            kind=EventKind.CHANGE,
            date=date(2027, 1, 1),
            formulation="ir-capsule",
            dose=q(3, "mg"),
            times=(time(8), time(20)),
        ),
    )
    return list(check_course(events, seed, today=date(2026, 6, 1), birth_date=None))


def test_real_issues_fill_every_placeholder(seed):
    """A sentence must not ask for a number its issue does not carry."""
    issues = _issues(seed)
    assert len({i.code for i in issues}) >= 20
    for issue in issues:
        names = {f for _, f, _, _ in string.Formatter().parse(MESSAGES[issue.code]) if f}
        derived = {"check"} if "number" in issue.fields() else set()  # Words.message
        if issue.code is IssueCode.CHECK_OVERDUE:  # the window's end and the days, in words
            derived |= {"by", "late"}
        assert names <= set(issue.fields()) | derived, (issue.code, names - set(issue.fields()))
        text = message(issue, DisplayUnits())
        assert text and "{" not in text and "  " not in text


def test_a_check_without_a_number_is_named_by_what_it_is():
    """R10.6: the trough after a switch is not check 1, 2, ...; it is named, not blank."""
    from datetime import date

    from tacrocalc.domain.issues import Issue, IssueCode, Severity
    from tacrocalc.domain.schedule import Phase

    issue = Issue(
        code=IssueCode.CHECK_OVERDUE,
        severity=Severity.WARNING,
        field="schedule",
        value=date(2026, 1, 8),
        params=(("number", ""), ("phase", Phase.AFTER_SWITCH), ("latest", None), ("days", 8)),
    )
    assert message(issue, DisplayUnits()) == (
        "The check (trough after a product switch) was due on 2026-01-08 and is 8 days"
        " overdue (R8.9)."
    )


def test_an_overdue_check_with_a_window_counts_from_its_end():
    """R8.9: check 1 is due from A + 7 to A + 14 days and overdue from the end of that window:
    the sentence gives both ends, so the days overdue add up."""
    from datetime import date

    from tacrocalc.domain.issues import Issue, IssueCode, Severity
    from tacrocalc.domain.schedule import Phase

    def overdue(days):
        return Issue(
            code=IssueCode.CHECK_OVERDUE,
            severity=Severity.WARNING,
            field="schedule",
            value=date(2026, 11, 14),
            params=(
                ("number", 1),
                ("phase", Phase.FIRST),
                ("latest", date(2026, 11, 21)),
                ("days", days),
            ),
        )

    assert message(overdue(6), DisplayUnits()) == (
        "Check 1 was due on 2026-11-14 (at the latest 2026-11-21) and is 6 days overdue (R8.9)."
    )
    assert message(overdue(1), DisplayUnits()).endswith("and is 1 day overdue (R8.9).")


@pytest.mark.parametrize("code", list(IssueCode))
def test_refusal_sentences_name_the_field_or_the_value(code):
    template = MESSAGES[code]
    assert (
        "{field}" in template
        or "{value}" in template
        or code
        in {
            IssueCode.NO_BASELINE,
            IssueCode.NO_REGIMEN,
            IssueCode.CO_MEDICATION_CHANGE,
            IssueCode.STORE_UNUSABLE,  # its reason names the file and what is wrong with it
            IssueCode.CHANGED_ELSEWHERE,  # its reason names the patient, who and when
            IssueCode.NO_TROUGH,  # a state of the record, not a value
            IssueCode.NO_TREATMENT,
            IssueCode.NO_WEIGHT,
        }
    )


def _bounded(seed):
    """One refusal or warning per bound of R4 and R12, for a value just beside it."""
    from tacrocalc.domain.dosing import check_rate, check_weight
    from tacrocalc.domain.validation import (
        check_blood_pressure,
        check_creatinine,
        check_dose,
        check_trough,
    )

    return {
        "weight 9.99 kg": check_weight(q(9.99, "kg"), seed),
        "weight 300.04 kg": check_weight(q(300.04, "kg"), seed),
        "weight 22 lb": check_weight(q(22, "lb"), seed),
        "weight 39.99 kg": check_weight(q(39.99, "kg"), seed),
        "trough 0.499": check_trough(q(0.499, "ug/L"), seed),
        "trough 200.001": check_trough(q(200.001, "ug/L"), seed),
        "trough <0.499": check_trough(q(0.499, "ug/L"), seed, below_limit=True),
        "creatinine 9.99": check_creatinine(q(9.99, "umol/L"), seed),
        "creatinine 2000.04": check_creatinine(q(2000.04, "umol/L"), seed),
        "systolic 49.6": check_blood_pressure(q(49.6, "mmHg"), q(30, "mmHg"), seed),
        "systolic 300.4": check_blood_pressure(q(300.4, "mmHg"), q(80, "mmHg"), seed),
        "diastolic 19.5": check_blood_pressure(q(120, "mmHg"), q(19.5, "mmHg"), seed),
        "diastolic 200.4": check_blood_pressure(q(250, "mmHg"), q(200.4, "mmHg"), seed),
        "dose 100.0004": check_dose(q(100.0004, "mg"), seed),
        "dose 0": check_dose(q(0, "mg"), seed),
        "rate 0.3001": check_rate(q(0.3001, "mg/kg/day"), seed),
        "rate 0.1501": check_rate(q(0.1501, "mg/kg/day"), seed),
    }


@pytest.mark.parametrize(
    ("case", "units", "shown"),
    [
        (
            "weight 9.99 kg",
            DisplayUnits(),
            "weight: 9.99 kg is outside the accepted range 10 kg to 300 kg (R12.1).",
        ),
        (
            "weight 300.04 kg",
            DisplayUnits(),
            "weight: 300.04 kg is outside the accepted range 10 kg to 300 kg (R12.1).",
        ),
        (  # 9.979 kg: the sentence is in the display unit, with the decimals it needs
            "weight 22 lb",
            DisplayUnits(),
            "weight: 9.98 kg is outside the accepted range 10 kg to 300 kg (R12.1).",
        ),
        (  # shown in lb, 10 kg is 22.05 lb: the bounds get the decimals too
            "weight 9.99 kg",
            DisplayUnits(weight="lb"),
            "weight: 22.02 lb is outside the accepted range 22.05 lb to 661.39 lb (R12.1).",
        ),
        (
            "weight 39.99 kg",
            DisplayUnits(),
            "weight: 39.99 kg is below 40 kg: the protocol was written for adults (R12.1).",
        ),
        (
            "trough 0.499",
            DisplayUnits(),
            "trough: 0.499 µg/L is below 0.5 µg/L, which no assay measures;",
        ),
        (
            "trough 200.001",
            DisplayUnits(),
            "trough: 200.001 µg/L is outside the accepted range 0.5 µg/L to 200 µg/L (R12.2).",
        ),
        (
            "trough <0.499",
            DisplayUnits(),
            "trough: <0.499 µg/L: no assay has a limit below 0.5 µg/L; enter the limit the",
        ),
        (
            "trough 200.001",
            DisplayUnits(trough="nmol/L"),
            "trough: 248.751 nmol/L is outside the accepted range 0.622 nmol/L to 248.75 nmol/L",
        ),
        (
            "creatinine 9.99",
            DisplayUnits(),
            "creatinine: 9.99 µmol/L is outside the accepted range 10 µmol/L to 2000 µmol/L",
        ),
        (
            "creatinine 2000.04",
            DisplayUnits(),
            "creatinine: 2000.04 µmol/L is outside the accepted range 10 µmol/L to 2000 µmol/L",
        ),
        (
            "systolic 49.6",
            DisplayUnits(),
            "blood pressure (systolic): 49.6 mmHg is outside the accepted range 50 mmHg to 300",
        ),
        (
            "systolic 300.4",
            DisplayUnits(),
            "blood pressure (systolic): 300.4 mmHg is outside the accepted range 50 mmHg to 300",
        ),
        (
            "diastolic 19.5",
            DisplayUnits(),
            "blood pressure (diastolic): 19.5 mmHg is outside the accepted range 20 mmHg to 200",
        ),
        (
            "diastolic 200.4",
            DisplayUnits(),
            "blood pressure (diastolic): 200.4 mmHg is outside the accepted range 20 mmHg to 200",
        ),
        (
            "dose 100.0004",
            DisplayUnits(),
            "dose: 100.0004 mg is outside the accepted range: above 0 mg, up to 100 mg (R12.7).",
        ),
        (  # "0 mg is outside the accepted range 0 mg to 100 mg" read as inside it
            "dose 0",
            DisplayUnits(),
            "dose: 0 mg is outside the accepted range: above 0 mg, up to 100 mg (R12.7).",
        ),
        (
            "rate 0.3001",
            DisplayUnits(),
            "rate: 0.3001 mg/kg/day is above the maximum of 0.3 mg/kg/day;",
        ),
        (
            "rate 0.1501",
            DisplayUnits(),
            "rate: 0.1501 mg/kg/day is above the protocol's titration ceiling of 0.15 mg/kg/day",
        ),
    ],
)
def test_a_value_beside_a_bound_is_shown_on_its_side_of_it(seed, case, units, shown):
    """Issue 12: the value was rounded for display before the range was said: a weight of
    9.99 kg was refused as "10 kg is outside the accepted range 10 kg to 300 kg"."""
    (issue,) = _bounded(seed)[case]
    assert message(issue, units).startswith(shown)


def test_a_value_well_inside_its_unit_keeps_the_usual_decimals(seed):
    from tacrocalc.domain.validation import check_trough

    (issue,) = check_trough(q(250.123456, "ug/L"), seed)
    assert message(issue, DisplayUnits()).startswith("trough: 250.12 µg/L is outside")


def test_a_trough_class_and_a_status_are_told_in_words_not_their_codes():
    """Seen in a ward round: 'The latest trough (3.1 µg/L, 2026-11-21) is below: a change
    toward the target is suggested'. Both are string enums; they read as words."""
    from tacrocalc.domain.course import Status
    from tacrocalc.domain.thresholds import TroughClass
    from tacrocalc.present.words import Words

    words = Words()
    assert words.render(TroughClass.BELOW) == "below the range"
    assert words.render(TroughClass.UPPER_END) == "at the upper end of the range"
    assert words.render(Status.HELD) == "on hold"
