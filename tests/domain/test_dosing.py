"""R2 (dose per administration), R3 (rounding), R4 (rate limits), R12.1 (weight)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tacrocalc.domain.dosing import (
    dose_from_amount,
    dose_from_rate,
    round_to_dispensable,
    start_rate,
)
from tacrocalc.domain.issues import IssueCode, Severity, refusals
from tacrocalc.domain.units import magnitude, q
from tacrocalc.present.words import units_to_give
from tests import shown


def codes(outcome):
    return [i.code for i in outcome.issues]


@pytest.mark.parametrize(
    ("weight", "rate", "formulation", "exact", "dose", "units"),
    [
        # 72 kg × 0.10 = 7.2 mg/day; / 2 = 3.6 mg; nearest 0.5 mg step: 3.5 (0.1 away) (R2, R3)
        (72, 0.10, "ir-capsule", 3.6, 3.5, "3 × 1 mg + 1 × 0.5 mg"),
        # 75 × 0.10 = 7.5 / 2 = 3.75: exactly between 3.5 and 4.0 -> tie rounds down (R3.3)
        (75, 0.10, "ir-capsule", 3.75, 3.5, "3 × 1 mg + 1 × 0.5 mg"),
        # 85 × 0.10 = 8.5 / 2 = 4.25: tie between 4.0 and 4.5 -> 4.0
        (85, 0.10, "ir-capsule", 4.25, 4.0, "4 × 1 mg"),
        # 77 × 0.10 = 7.7 / 2 = 3.85 -> 4.0 (0.15 away, 3.5 is 0.35 away)
        (77, 0.10, "ir-capsule", 3.85, 4.0, "4 × 1 mg"),
        # 60 × 0.18 = 10.8 / 2 = 5.4 -> 5.5 = 1 × 5 + 1 × 0.5 (fewest units, R3.5)
        (60, 0.18, "ir-capsule", 5.4, 5.5, "1 × 5 mg + 1 × 0.5 mg"),
        # 70 × 0.10 = 7.0 / 2 = 3.5: exact; never round the daily total then halve (R3.2)
        (70, 0.10, "ir-capsule", 3.5, 3.5, "3 × 1 mg + 1 × 0.5 mg"),
        # granules: 0.2 mg steps. 72 × 0.10 / 2 = 3.6 -> 3.6 = 3 × 1 + 3 × 0.2
        (72, 0.10, "granules", 3.6, 3.6, "3 × 1 mg + 3 × 0.2 mg"),
        # 73 × 0.10 / 2 = 3.65: between 3.6 and 3.8, 0.05 vs 0.15 -> 3.6
        (73, 0.10, "granules", 3.65, 3.6, "3 × 1 mg + 3 × 0.2 mg"),
        # 75 × 0.10 / 2 = 3.75: 3.8 is 0.05 away, 3.6 0.15 -> 3.8 = 3 × 1 + 4 × 0.2
        (75, 0.10, "granules", 3.75, 3.8, "3 × 1 mg + 4 × 0.2 mg"),
        # Advagraf once daily (R2.3): 72 × 0.10 = 7.2 mg once -> 7.0 = 1 × 5 + 2 × 1
        (72, 0.10, "advagraf", 7.2, 7.0, "1 × 5 mg + 2 × 1 mg"),
        # 60 × 0.15 = 9.0 -> 9.0 = 1 × 5 + 1 × 3 + 1 × 1 (3 units, not 9 × 1)
        (60, 0.15, "advagraf", 9.0, 9.0, "1 × 5 mg + 1 × 3 mg + 1 × 1 mg"),
        # Envarsus once daily: sums of 0.75, 1, 4. 60 × 0.10 = 6.0 = 4 + 1 + 1
        (60, 0.10, "envarsus", 6.0, 6.0, "1 × 4 mg + 2 × 1 mg"),
        # 25 × 0.05 = 1.25: 1.25 cannot be made (1.0 or 1.5); tie -> 1.0 (R3.3)
        (25, 0.05, "envarsus", 1.25, 1.0, "1 × 1 mg"),
        # 30 × 0.05 = 1.5 = 2 × 0.75
        (30, 0.05, "envarsus", 1.5, 1.5, "2 × 0.75 mg"),
        # 42 × 0.10 = 4.2 -> 4.25 (0.05 away) = 2 × 1 + 3 × 0.75 (4 + 0.25 does not exist)
        (42, 0.10, "envarsus", 4.2, 4.25, "2 × 1 mg + 3 × 0.75 mg"),
        # 12 × 0.05 = 0.6: 0.75 is 0.15 away, 0 is 0.6 away -> 0.75
        (12, 0.05, "envarsus", 0.6, 0.75, "1 × 0.75 mg"),
    ],
)
def test_dose_table(seed, weight, rate, formulation, exact, dose, units):
    outcome = dose_from_rate(
        weight=q(weight, "kg"), rate=q(rate, "mg/kg/day"), formulation=formulation, protocol=seed
    )
    result = outcome.dose
    assert result is not None, outcome.issues
    assert magnitude(result.exact, "mg") == pytest.approx(exact)
    assert magnitude(result.dose, "mg") == dose
    assert units_to_give(result.units) == units
    made_of = sum(magnitude(u.strength, "mg") * u.count for u in result.units)
    assert made_of == pytest.approx(dose)


def test_twice_daily_at_eight_and_eight_and_once_daily_in_the_morning(seed):
    """R2.2 default 08:00 and 20:00; R2.3 once daily in the morning."""
    bid = dose_from_rate(
        weight=q(70, "kg"), rate=q(0.1, "mg/kg/day"), formulation="ir-capsule", protocol=seed
    ).dose
    od = dose_from_rate(
        weight=q(70, "kg"), rate=q(0.1, "mg/kg/day"), formulation="advagraf", protocol=seed
    ).dose
    assert [t.strftime("%H:%M") for t in bid.times] == ["08:00", "20:00"]
    assert bid.formulation.interval.total_seconds() == 12 * 3600
    assert [t.strftime("%H:%M") for t in od.times] == ["08:00"]
    assert magnitude(od.dose, "mg") == 7.0  # the whole daily dose once


def test_achieved_rate_and_rounding_difference(seed):
    """R3.5: 72 kg, 0.10 -> 3.5 mg twice = 7 mg/day = 0.09722 mg/kg/day; (3.5 - 3.6)/3.6 =
    -2.78 %."""
    result = dose_from_rate(
        weight=q(72, "kg"), rate=q(0.1, "mg/kg/day"), formulation="ir-capsule", protocol=seed
    ).dose
    assert magnitude(result.achieved_rate, "mg/kg/day") == pytest.approx(7 / 72)
    assert result.rounding_change_pct == pytest.approx(-100 / 36)


def test_rounding_over_ten_percent_warns(seed):
    """R3.5: 20 kg × 0.07 = 1.4 / 2 = 0.7 mg -> 0.5 mg: -28.6 %, over 10 %."""
    outcome = dose_from_rate(
        weight=q(20, "kg"), rate=q(0.07, "mg/kg/day"), formulation="ir-capsule", protocol=seed
    )
    assert magnitude(outcome.dose.dose, "mg") == 0.5
    warning = next(i for i in outcome.issues if i.code is IssueCode.ROUNDING_OVER_LIMIT)
    assert shown(warning.param("change")) == "-28.6 %"
    assert warning.severity is Severity.WARNING


def test_dose_that_rounds_to_nothing_is_refused(seed):
    """R3.4: 10 kg × 0.04 = 0.4 / 2 = 0.2 mg per dose; nearest capsule amount is 0 (0.2 from 0,
    0.3 from 0.5) -> refused, naming the smallest dispensable dose."""
    outcome = dose_from_rate(
        weight=q(10, "kg"), rate=q(0.04, "mg/kg/day"), formulation="ir-capsule", protocol=seed
    )
    assert outcome.dose is None
    (issue,) = refusals(outcome.issues)  # and the R12.1 warning that 10 kg is below adult
    assert issue.code is IssueCode.BELOW_SMALLEST_DOSE and issue.refuses
    assert shown(issue.param("smallest")) == "0.5 mg"
    assert shown(issue.value) == "0.2 mg"


@pytest.mark.parametrize(
    ("rate", "code", "refused"),
    [
        (0.0, IssueCode.RATE_NOT_POSITIVE, True),  # R4.5
        (-0.1, IssueCode.RATE_NOT_POSITIVE, True),
        (0.31, IssueCode.RATE_ABOVE_MAXIMUM, True),  # R4.5: above 0.30
        (0.16, IssueCode.RATE_ABOVE_CEILING, False),  # R4.2: above 0.15
        (0.04, IssueCode.RATE_BELOW_EFFICACY, False),  # R4.3: below 0.05
    ],
)
def test_rate_limits(seed, rate, code, refused):
    outcome = dose_from_rate(
        weight=q(70, "kg"), rate=q(rate, "mg/kg/day"), formulation="ir-capsule", protocol=seed
    )
    assert code in codes(outcome)
    assert (outcome.dose is None) is refused


@pytest.mark.parametrize("rate", [0.05, 0.10, 0.15])
def test_rates_on_the_limits_are_accepted(seed, rate):
    """0.05 is not below 0.05, 0.15 not above 0.15 (R4.2, R4.3)."""
    outcome = dose_from_rate(
        weight=q(100, "kg"), rate=q(rate, "mg/kg/day"), formulation="ir-capsule", protocol=seed
    )
    assert outcome.dose is not None
    assert not {IssueCode.RATE_BELOW_EFFICACY, IssueCode.RATE_ABOVE_CEILING} & set(codes(outcome))


def test_rounding_up_past_the_maximum_is_refused(seed):
    """13 kg × 0.30 = 3.9 / 2 = 1.95 -> 2.0 mg: 4 mg/day / 13 kg = 0.3077 > 0.30 (R4.5)."""
    outcome = dose_from_rate(
        weight=q(13, "kg"), rate=q(0.3, "mg/kg/day"), formulation="ir-capsule", protocol=seed
    )
    assert outcome.dose is None
    (issue,) = refusals(outcome.issues)
    assert issue.code is IssueCode.RATE_ABOVE_MAXIMUM
    assert issue.field == "achieved rate"


def test_the_maximum_rate_itself_is_accepted_with_the_ceiling_warning(seed):
    """100 kg × 0.30 = 30 / 2 = 15 mg: accepted (R4.5 refuses only above), warned (R4.2)."""
    outcome = dose_from_rate(
        weight=q(100, "kg"), rate=q(0.3, "mg/kg/day"), formulation="ir-capsule", protocol=seed
    )
    assert magnitude(outcome.dose.dose, "mg") == 15
    assert codes(outcome) == [IssueCode.RATE_ABOVE_CEILING]


@pytest.mark.parametrize(
    ("weight", "code", "refused"),
    [
        (9.9, IssueCode.OUT_OF_BOUNDS, True),  # R12.1: 10-300 kg
        (300.1, IssueCode.OUT_OF_BOUNDS, True),
        (39.9, IssueCode.WEIGHT_BELOW_ADULT, False),  # R12.1: warn below 40 kg
    ],
)
def test_weight_bounds(seed, weight, code, refused):
    outcome = dose_from_rate(
        weight=q(weight, "kg"), rate=q(0.1, "mg/kg/day"), formulation="ir-capsule", protocol=seed
    )
    assert code in codes(outcome)
    assert (outcome.dose is None) is refused
    assert outcome.issues[0].field == "weight"


def test_weight_in_pounds(seed):
    """154 lb = 69.853 kg; × 0.10 = 6.985 mg/day; / 2 = 3.493 mg -> 3.5 mg."""
    from tacrocalc.domain.units import Kind, parse

    weight = parse("154 lb", Kind.WEIGHT, field="weight").quantity
    result = dose_from_rate(
        weight=weight, rate=q(0.1, "mg/kg/day"), formulation="ir-capsule", protocol=seed
    ).dose
    assert magnitude(result.exact, "mg") == pytest.approx(3.4926612)
    assert magnitude(result.dose, "mg") == 3.5


def test_unknown_formulation_is_refused(seed):
    outcome = dose_from_rate(
        weight=q(70, "kg"), rate=q(0.1, "mg/kg/day"), formulation="prograf-xl", protocol=seed
    )
    assert outcome.issues[0].code is IssueCode.UNKNOWN_FORMULATION
    assert outcome.issues[0].value == "prograf-xl"


def test_dose_from_amount_gives_the_rate(seed):
    """3 mg twice daily for 60 kg: 6 / 60 = 0.10 mg/kg/day; 3.3 mg typed rounds to 3.5."""
    outcome = dose_from_amount(
        weight=q(60, "kg"), dose=q(3, "mg"), formulation="ir-capsule", protocol=seed
    )
    assert magnitude(outcome.dose.achieved_rate, "mg/kg/day") == pytest.approx(0.1)
    typed = dose_from_amount(
        weight=q(60, "kg"), dose=q(3.3, "mg"), formulation="ir-capsule", protocol=seed
    )
    assert magnitude(typed.dose.dose, "mg") == 3.5
    too_much = dose_from_amount(
        weight=q(60, "kg"), dose=q(10, "mg"), formulation="ir-capsule", protocol=seed
    )
    assert too_much.dose is None  # 20 / 60 = 0.33 mg/kg/day > 0.30 (R4.5)
    assert too_much.issues[0].code is IssueCode.RATE_ABOVE_MAXIMUM


def test_suggested_start(seed):
    """R4.1 0.10 mg/kg/day; R4.4 0.04 after ciclosporin nephrotoxicity."""
    assert magnitude(start_rate(seed, prior_ciclosporin_nephrotoxicity=False), "mg/kg/day") == 0.10
    assert magnitude(start_rate(seed, prior_ciclosporin_nephrotoxicity=True), "mg/kg/day") == 0.04


# -- properties ----------------------------------------------------------------------------

formulations = st.sampled_from(["ir-capsule", "granules", "advagraf", "envarsus"])
amounts = st.decimals(min_value="0.01", max_value="90", places=3)


def _dispensable(value, formulation, seed):
    """Brute force: every sum of strengths up to `value` + the largest strength."""
    strengths = seed.formulations[formulation].strengths
    reachable = {Decimal(0)}
    frontier = {Decimal(0)}
    limit = value + max(strengths)
    while frontier:
        frontier = {a + s for a in frontier for s in strengths if a + s <= limit} - reachable
        reachable |= frontier
    return reachable


@given(amount=st.decimals(min_value="0.01", max_value="12", places=3), formulation=formulations)
def test_rounding_is_to_the_nearest_dispensable_amount_ties_down(seed, amount, formulation):
    """R3.1-R3.3 against a brute-force enumeration of what the product can make up."""
    rounded = round_to_dispensable(q(float(amount), "mg"), seed.formulations[formulation])
    got = Decimal(repr(magnitude(rounded.dose, "mg")))
    candidates = _dispensable(amount, formulation, seed)
    best = min(candidates, key=lambda c: (abs(c - amount), c))
    assert got == best


@given(amount=amounts, formulation=formulations)
def test_a_rounded_dose_is_made_of_real_strengths(seed, amount, formulation):
    product = seed.formulations[formulation]
    rounded = round_to_dispensable(q(float(amount), "mg"), product)
    strengths = {float(s) for s in product.strengths}
    assert all(magnitude(u.strength, "mg") in strengths and u.count > 0 for u in rounded.units)
    total = sum(Decimal(repr(magnitude(u.strength, "mg"))) * u.count for u in rounded.units)
    assert total == Decimal(repr(magnitude(rounded.dose, "mg")))


@given(
    light=st.decimals(min_value="40", max_value="150", places=1),
    extra=st.decimals(min_value="0", max_value="150", places=1),
    rate=st.decimals(min_value="0.05", max_value="0.15", places=3),
    formulation=formulations,
)
def test_dose_is_monotone_in_weight(seed, light, extra, rate, formulation):
    heavy = light + extra

    def dose(weight):
        outcome = dose_from_rate(
            weight=q(float(weight), "kg"),
            rate=q(float(rate), "mg/kg/day"),
            formulation=formulation,
            protocol=seed,
        )
        return magnitude(outcome.dose.dose, "mg") if outcome.dose else 0.0

    assert dose(light) <= dose(heavy)
