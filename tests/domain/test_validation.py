"""R12: what is accepted as input."""

from datetime import date

import pytest

from tacrocalc.domain.issues import IssueCode
from tacrocalc.domain.units import q
from tacrocalc.domain.validation import (
    check_blood_pressure,
    check_creatinine,
    check_date,
    check_trough,
)
from tests import shown


@pytest.mark.parametrize(
    ("value", "ok"),
    [(0, False), (0.4, False), (0.5, True), (2, True), (200, True), (200.1, False), (-0.1, False)],
)
def test_trough_bounds(seed, value, ok):
    """R12.2: up to 200 µg/L; below 0.5 µg/L no assay measures (enter "<2")."""
    issues = check_trough(q(value, "ug/L"), seed)
    assert (issues == ()) is ok
    if not ok and value > 200:
        assert issues[0].code is IssueCode.OUT_OF_BOUNDS
        assert shown(issues[0].param("low")) == "0.5 µg/L"
        assert shown(issues[0].param("high")) == "200 µg/L"
    elif not ok:  # the sentence says to enter a result below the assay's limit ("<2")
        assert issues[0].code is IssueCode.TROUGH_NOT_MEASURABLE
        assert shown(issues[0].param("limit")) == "0.5 µg/L"


@pytest.mark.parametrize(("value", "ok"), [(9.9, False), (10, True), (2000, True), (2001, False)])
def test_creatinine_bounds(seed, value, ok):
    """R12.3: 10-2000 µmol/L."""
    assert (check_creatinine(q(value, "umol/L"), seed) == ()) is ok


@pytest.mark.parametrize(
    ("systolic", "diastolic", "code"),
    [
        (120, 80, None),
        (49, 30, IssueCode.OUT_OF_BOUNDS),  # systolic 50-300
        (301, 80, IssueCode.OUT_OF_BOUNDS),
        (120, 19, IssueCode.OUT_OF_BOUNDS),  # diastolic 20-200
        (120, 201, IssueCode.OUT_OF_BOUNDS),
        (80, 80, IssueCode.SYSTOLIC_NOT_ABOVE_DIASTOLIC),  # systolic above diastolic
        (80, 120, IssueCode.SYSTOLIC_NOT_ABOVE_DIASTOLIC),
    ],
)
def test_blood_pressure_bounds(seed, systolic, diastolic, code):
    """R12.3."""
    issues = check_blood_pressure(q(systolic, "mmHg"), q(diastolic, "mmHg"), seed)
    assert (issues[0].code if issues else None) is code


def test_dates_in_the_future_or_before_birth_are_refused():
    """R12.4."""
    today, birth = date(2026, 6, 1), date(1980, 5, 4)
    assert check_date(date(2026, 6, 1), today=today, birth_date=birth) == ()
    future = check_date(date(2026, 6, 2), today=today, birth_date=birth)[0]
    assert (future.code, future.value) == (IssueCode.DATE_IN_FUTURE, date(2026, 6, 2))
    before = check_date(date(1980, 5, 3), today=today, birth_date=birth)[0]
    assert (before.code, before.param("birth_date")) == (IssueCode.DATE_BEFORE_BIRTH, birth)
