"""The patient's details form without Qt: a protocol by title and range, a patient's own trough
range (R5.6) within the protocol's bounds (R12.2), and dates in words (R12.4)."""

from datetime import date

import pytest

from tacrocalc.domain.units import magnitude
from tacrocalc.present.dates import after_latest, before_earliest, long_date, not_a_date
from tacrocalc.present.patient_details import own_range, protocol_summary, range_text
from tacrocalc.present.units import DisplayUnits
from tacrocalc.present.words import Words


def test_a_protocol_is_summed_up_by_its_range_and_source(seed, prograf):
    assert protocol_summary(seed, Words()) == (
        f"Trough range 4 to 25 µg/L, upper end from 20 µg/L.\nSource: {seed.source}"
    )
    assert range_text(prograf.target, Words(DisplayUnits(trough="nmol/L"))) == (
        "5 to 13.7 nmol/L"  # 4 and 11 ng/mL through the molar mass
    )


def test_nothing_typed_is_the_protocols_range(seed):
    assert own_range(" ", "", "renal team", seed, Words(), decimal_comma=False).target is None


@pytest.mark.parametrize(
    ("low", "high", "comma", "expected"),
    [
        ("5", "10", False, (5, 10)),
        ("5,5", "10", True, (5.5, 10)),  # R12.5: the locale's decimal comma
        ("5 ng/mL", "10 ng/mL", False, (5, 10)),  # a unit typed wins over the display unit
    ],
)
def test_an_own_range_is_read_in_the_display_unit(seed, low, high, comma, expected):
    result = own_range(low, high, "", seed, Words(), decimal_comma=comma)
    assert result.refusals == ()
    assert (magnitude(result.target.low, "ug/L"), magnitude(result.target.high, "ug/L")) == (
        expected
    )
    assert result.target.source == "set for this patient"


@pytest.mark.parametrize(
    ("low", "high", "refusal"),
    [
        (
            "0.1",
            "10",
            "Own trough range, low end: 0.1 µg/L is outside the accepted range 0.5 µg/L to"
            " 200 µg/L (R12.2). Check the value and its unit.",
        ),
        ("", "10", "Own trough range: the low end is empty"),
        ("12", "12", "Own trough range: the low end 12 µg/L must be below the high end 12 µg/L."),
        ("five", "10", 'Own trough range, low end: "five" is not a number with a unit'),
        ("5 mg", "10", 'Own trough range, low end: "5 mg" is not'),
    ],
)
def test_an_own_range_is_refused_with_the_field_the_value_and_why(seed, low, high, refusal):
    result = own_range(low, high, "", seed, Words(), decimal_comma=False)
    assert result.target is None
    assert result.refusals[0].startswith(refusal)


def test_the_protocols_caution_is_kept_only_inside_the_own_range(seed):
    inside = own_range("4", "22", "", seed, Words(), decimal_comma=False).target
    assert magnitude(inside.caution, "ug/L") == 20  # R5.3
    outside = own_range("4", "12", "", seed, Words(), decimal_comma=False).target
    assert outside.caution is None


def test_dates_in_words():
    assert long_date(date(1968, 4, 12)) == "12 April 1968"
    assert after_latest("Date", date(2026, 2, 1), date(2026, 1, 20), latest_is_today=False) == (
        "Date: 1 February 2026 is after 20 January 2026, the latest date allowed."
    )
    assert before_earliest("Date", date(1960, 1, 1), date(1968, 4, 12), what="birth") == (
        "Date: 1 January 1960 is before birth (12 April 1968)."
    )
    assert not_a_date("Date", "x", example="4/12/68") == (
        'Date: "x" is not a date; type it as 1968-04-12 or 4/12/68.'
    )
