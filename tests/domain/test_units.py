"""R1 units and R12.5 decimal commas: parsing what a user types, conversions, formatting."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tacrocalc.domain.issues import IssueCode
from tacrocalc.domain.units import (
    Kind,
    convert,
    format_quantity,
    magnitude,
    parse,
    parse_blood_pressure,
    q,
)


@pytest.mark.parametrize(
    ("text", "kind", "unit", "expected"),
    [
        ("72 kg", Kind.WEIGHT, "kg", 72.0),
        ("72kg", Kind.WEIGHT, "kg", 72.0),
        ("72000 g", Kind.WEIGHT, "kg", 72.0),
        # 154 lb × 0.45359237 kg/lb = 69.85322498 kg
        ("154 lb", Kind.WEIGHT, "kg", 69.85322498),
        ("3 mg", Kind.DOSE, "mg", 3.0),
        ("500 mcg", Kind.DOSE, "mg", 0.5),
        ("500 µg", Kind.DOSE, "mg", 0.5),  # micro sign U+00B5
        ("500 μg", Kind.DOSE, "mg", 0.5),  # Greek mu U+03BC
        ("500 ug", Kind.DOSE, "mg", 0.5),
        ("0.1 mg/kg/day", Kind.DOSE_RATE, "mg/kg/day", 0.1),
        ("0.1 mg/kg/d", Kind.DOSE_RATE, "mg/kg/day", 0.1),
        ("8.2 ng/mL", Kind.TROUGH, "ug/L", 8.2),  # 1 ng/mL = 1 µg/L exactly
        ("8.2 µg/L", Kind.TROUGH, "ug/L", 8.2),
        ("8.2 mcg/L", Kind.TROUGH, "ug/L", 8.2),
        # R1.3: 10 nmol/L × 804.02 g/mol = 8040.2 ng/L = 8.0402 µg/L
        ("10 nmol/L", Kind.TROUGH, "ug/L", 8.0402),
        ("85 umol/L", Kind.CREATININE, "umol/L", 85.0),
        ("85 µmol/L", Kind.CREATININE, "umol/L", 85.0),
        # R1.3: 1.1 mg/dL = 11 mg/L ÷ 113.12 g/mol = 97.242 µmol/L
        ("1.1 mg/dL", Kind.CREATININE, "umol/L", 97.24186704384724),
        ("140 mmHg", Kind.PRESSURE, "mmHg", 140.0),
    ],
)
def test_parse_converts_to_the_stored_unit(text, kind, unit, expected):
    parsed = parse(text, kind, field="f")
    assert parsed.issue is None
    assert str(parsed.quantity.units) == str(q(1, unit).units)  # stored unit (R1.2)
    assert magnitude(parsed.quantity, unit) == pytest.approx(expected, rel=1e-9)


def test_one_microgram_per_litre_is_1_2437_nanomoles():
    """R1.3 states 1 µg/L = 1.2437 nmol/L: 1000 ng/L ÷ 804.02 g/mol = 1.243750 nmol/L, which R1.3
    prints to four decimals."""
    nmol = convert(q(1, "ug/L"), "nmol/L", kind=Kind.TROUGH)
    assert magnitude(nmol, "nmol/L") == pytest.approx(1.24375, abs=1e-6)


def test_one_mg_per_dl_creatinine_is_88_40_micromoles():
    umol = convert(q(1, "mg/dL"), "umol/L", kind=Kind.CREATININE)
    assert magnitude(umol, "umol/L") == pytest.approx(88.40, abs=5e-3)


def test_ng_per_ml_conversion_leaves_no_float_noise():
    """25 ng/mL must stay exactly 25 µg/L, or it would be classed above a 25 µg/L limit."""
    assert magnitude(parse("25 ng/mL", Kind.TROUGH, field="f").quantity, "ug/L") == 25.0
    assert magnitude(parse("8.2 ng/mL", Kind.TROUGH, field="f").quantity, "ug/L") == 8.2


@pytest.mark.parametrize(
    ("text", "kind", "code"),
    [
        ("70 mg", Kind.WEIGHT, IssueCode.WRONG_KIND_OF_UNIT),  # R1.5
        ("72 kg", Kind.DOSE, IssueCode.WRONG_KIND_OF_UNIT),
        ("3 mg", Kind.TROUGH, IssueCode.WRONG_KIND_OF_UNIT),
        ("72 stone", Kind.WEIGHT, IssueCode.UNKNOWN_UNIT),
        ("72", Kind.WEIGHT, IssueCode.MISSING_UNIT),  # R1.1: never a bare number
        ("abc", Kind.WEIGHT, IssueCode.NOT_A_NUMBER),
        ("", Kind.WEIGHT, IssueCode.NOT_A_NUMBER),
        ("<2 kg", Kind.WEIGHT, IssueCode.BELOW_LIMIT_NOT_ALLOWED),
        ("1,200 umol/L", Kind.CREATININE, IssueCode.AMBIGUOUS_NUMBER),
        ("0.1 mg/kg", Kind.DOSE_RATE, IssueCode.WRONG_KIND_OF_UNIT),
        ("1.6e+03 kg", Kind.WEIGHT, IssueCode.SCIENTIFIC_NOTATION),  # R12.5
        ("1e308 kg", Kind.WEIGHT, IssueCode.NOT_A_NUMBER),
    ],
)
def test_refusals_name_field_value_and_reason(text, kind, code):
    parsed = parse(text, kind, field="weight field")
    assert parsed.quantity is None
    assert parsed.issue.code is code
    assert parsed.issue.field == "weight field"
    assert parsed.issue.value == text


def test_wrong_dimension_names_the_expected_kind_of_unit():
    issue = parse("70 mg", Kind.WEIGHT, field="weight").issue
    assert issue.param("description") == "a body weight"
    assert issue.param("expected") == "kg, g, lb"


@pytest.mark.parametrize(
    ("text", "decimal_comma", "expected"),
    [
        ("0,1 mg/kg/day", False, 0.1),  # R12.5: one comma with 1 decimal is a decimal comma
        ("0,10 mg/kg/day", False, 0.1),
        ("0,125 mg/kg/day", True, 0.125),  # three decimals: only where the locale says so
    ],
)
def test_decimal_comma(text, decimal_comma, expected):
    parsed = parse(text, Kind.DOSE_RATE, field="rate", decimal_comma=decimal_comma)
    assert magnitude(parsed.quantity, "mg/kg/day") == pytest.approx(expected)


def test_bare_number_takes_the_display_unit_when_given():
    parsed = parse("8.2", Kind.TROUGH, field="trough", default_unit="ng/mL")
    assert magnitude(parsed.quantity, "ug/L") == 8.2


def test_below_assay_limit_is_kept_as_such():
    """R12.2: "<2" is kept: the limit as the value, and the flag."""
    parsed = parse("<2 ug/L", Kind.TROUGH, field="trough", allow_below_limit=True)
    assert parsed.below_limit is True
    assert magnitude(parsed.quantity, "ug/L") == 2.0


def test_blood_pressure_pair():
    systolic, diastolic = parse_blood_pressure("150/95 mmHg", field="bp")
    assert (magnitude(systolic, "mmHg"), magnitude(diastolic, "mmHg")) == (150, 95)
    assert parse_blood_pressure("150 mmHg", field="bp").code is IssueCode.BAD_BLOOD_PRESSURE
    assert parse_blood_pressure("150/95 kg", field="bp").code is IssueCode.WRONG_KIND_OF_UNIT


@pytest.mark.parametrize(
    ("quantity", "kind", "unit", "text"),
    [
        (q(3.5, "mg"), Kind.DOSE, None, "3.5 mg"),
        (q(0.5, "mg"), Kind.DOSE, None, "0.5 mg"),  # R1.4: doses in mg, never micrograms
        (q(8.2, "ug/L"), Kind.TROUGH, None, "8.2 µg/L"),
        (q(8.2, "ug/L"), Kind.TROUGH, "ng/mL", "8.2 ng/mL"),
        (q(88.4, "umol/L"), Kind.CREATININE, "mg/dL", "1 mg/dL"),
        (q(72, "kg"), Kind.WEIGHT, "lb", "158.73 lb"),
    ],
)
def test_format_prints_the_unit_next_to_the_number(quantity, kind, unit, text):
    assert format_quantity(quantity, kind, unit) == text


finite = st.floats(min_value=1e-3, max_value=1e4, allow_nan=False, allow_infinity=False)


@given(value=finite)
def test_weight_lb_round_trip_is_identity(value):
    there = convert(q(value, "kg"), "lb", kind=Kind.WEIGHT)
    back = convert(there, "kg", kind=Kind.WEIGHT)
    assert magnitude(back, "kg") == pytest.approx(value, rel=1e-10)


@given(value=finite)
def test_trough_molar_round_trip_is_identity(value):
    there = convert(q(value, "ug/L"), "nmol/L", kind=Kind.TROUGH)
    back = convert(there, "ug/L", kind=Kind.TROUGH)
    assert magnitude(back, "ug/L") == pytest.approx(value, rel=1e-10)


@given(value=finite)
def test_creatinine_mg_dl_round_trip_is_identity(value):
    there = convert(q(value, "umol/L"), "mg/dL", kind=Kind.CREATININE)
    back = convert(there, "umol/L", kind=Kind.CREATININE)
    assert magnitude(back, "umol/L") == pytest.approx(value, rel=1e-10)


@given(value=st.decimals(min_value="0.01", max_value="300", places=2))
def test_typed_decimals_parse_exactly(value):
    """What a user types in the stored unit comes back as the same number, comma or point."""
    for text in (f"{value} kg", f"{value}".replace(".", ",") + " kg"):
        parsed = parse(text, Kind.WEIGHT, field="weight")
        assert magnitude(parsed.quantity, "kg") == float(value)


@pytest.mark.parametrize(
    ("text", "kind", "digits"),
    [
        ("1.6e+03", Kind.CREATININE, "1600"),  # was "not in a unit": "e+03" read as the unit
        ("1.6e+03 umol/L", Kind.CREATININE, "1600 umol/L"),
        ("8E0ug/L", Kind.TROUGH, "8 ug/L"),
        ("2e-1 mg", Kind.DOSE, "0.2 mg"),
        ("1,5e2 kg", Kind.WEIGHT, "150 kg"),
        ("<2e0 ug/L", Kind.TROUGH, "<2 ug/L"),
    ],
)
def test_scientific_notation_is_refused_with_the_plain_digits_to_type(text, kind, digits):
    """R12.5: a power of ten is read nowhere (a stray key makes 2e1 of 2); the refusal gives
    the digits instead."""
    parsed = parse(
        text, kind, field="f", default_unit="ug/L", allow_below_limit=kind is Kind.TROUGH
    )
    assert parsed.quantity is None
    assert parsed.issue.code is IssueCode.SCIENTIFIC_NOTATION
    assert parsed.issue.param("digits") == digits


@pytest.mark.parametrize("text", ["<0", "<0 ug/L", "<0.0", "<-1 ug/L", "< 0,0 ng/mL"])
def test_below_the_limit_names_a_limit_above_zero(text):
    """R12.2: "<" is followed by the assay's limit, a level above zero."""
    parsed = parse(text, Kind.TROUGH, field="trough", default_unit="ug/L", allow_below_limit=True)
    assert parsed.quantity is None
    assert parsed.issue.code is IssueCode.BELOW_LIMIT_NOT_POSITIVE
    assert parsed.issue.value == text
