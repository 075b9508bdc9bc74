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
    ]:
        out.append(parse(text, kind, field="f").issue)
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
        "The check (trough after a product switch) was due on 2026-01-08 and is 8 day(s)"
        " overdue (R8.9)."
    )


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
            IssueCode.NO_TROUGH,  # a state of the record, not a value
            IssueCode.NO_TREATMENT,
            IssueCode.NO_WEIGHT,
        }
    )
