"""Issue 12: every clinical value and every computed dose is bounded before any rounding table is
built, and rounding costs the same for any dose (R3, R4.5, R12)."""

import time
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tacrocalc.domain import dosing
from tacrocalc.domain.dosing import adjust, round_to_dispensable, switch
from tacrocalc.domain.issues import IssueCode, refusals
from tacrocalc.domain.units import q
from tacrocalc.domain.validation import check_date, check_text, check_trough, earliest_date
from tests import shown


def _reference(steps, limit):
    """The coin-change table as TacroCalc built it before: as long as the dose."""
    best = [None] * (limit + 1)
    best[0] = (0,) * len(steps)
    for amount in range(1, limit + 1):
        for index in range(len(steps) - 1, -1, -1):
            rest = amount - steps[index]
            previous = best[rest] if rest >= 0 else None
            if previous is None:
                continue
            candidate = (*previous[:index], previous[index] + 1, *previous[index + 1 :])
            if best[amount] is None or sum(candidate) < sum(best[amount]):
                best[amount] = candidate
    return best


@pytest.mark.parametrize("product", ["ir-capsule", "granules", "advagraf", "envarsus"])
def test_the_bounded_table_gives_the_fewest_units_of_the_whole_one(seed, product):
    """R3.5: the same units as a table as long as the dose, for every amount up to 1,500
    grid steps (far past where the bounded table ends)."""
    formulation = seed.formulations[product]
    grid = dosing._grid(formulation.strengths)
    steps = tuple(int(s / grid) for s in formulation.strengths)
    reference = _reference(steps, 1500)
    assert len(dosing._fewest_units(steps)) < 200
    assert [dosing._fewest(steps, n) for n in range(1501)] == reference


@pytest.mark.parametrize("product", ["ir-capsule", "envarsus"])
def test_rounding_costs_the_same_for_any_dose(seed, product):
    """A regimen dose of 100,000,000 mg took 65 s and 4 GB; a stored trough of 0.00001 µg/L
    made an adjustment of that size. Rounding one million mg now takes what 3 mg takes."""
    formulation = seed.formulations[product]
    round_to_dispensable(q(3, "mg"), formulation)  # the table, built once per product
    start = time.perf_counter()
    huge = round_to_dispensable(q(1_000_000.1, "mg"), formulation)
    assert time.perf_counter() - start < 0.05
    assert huge.dose.magnitude == 1_000_000
    assert sum(u.count for u in huge.units) == (200_000 if product == "ir-capsule" else 250_000)


@given(amount=st.decimals(min_value=2, max_value=10**12, places=2))
@settings(max_examples=100)
def test_a_rounded_dose_of_any_size_is_made_of_real_strengths(seed, amount):
    """R3.1: whatever the size, the units make up the dose, and the dose is within half a grid
    step (0.25 mg) of what was asked (from 1.5 mg every 0.25 mg step is a sum of 0.75 mg and
    1 mg tablets)."""
    product = seed.formulations["envarsus"]
    rounded = round_to_dispensable(q(float(amount), "mg"), product)
    made = sum(u.count * u.strength.magnitude for u in rounded.units)
    assert made == pytest.approx(rounded.dose.magnitude)
    assert abs(rounded.dose.magnitude - float(amount)) <= 0.125 + 1e-9 * float(amount)


def test_an_adjustment_without_a_weight_above_what_any_patient_takes_is_refused(seed):
    """R4.5, R12.7: 99 mg every 12 hours with a trough of 0.5 µg/L gave 396 mg a day. With no
    weight, no daily dose above 0.30 mg/kg/day × 300 kg = 90 mg is worked out."""
    outcome = adjust(
        dose=q(99, "mg"),
        formulation="ir-capsule",
        trough=q(0.5, "ug/L"),
        target=q(20, "ug/L"),
        protocol=seed,
        steady_state=True,
    )
    assert outcome.adjustment is None
    (issue,) = refusals(outcome.issues)
    assert issue.code is IssueCode.DAILY_DOSE_ABOVE_MAXIMUM
    assert (shown(issue.value), shown(issue.param("limit"))) == ("396 mg", "90 mg")


def test_an_adjustment_with_a_weight_is_bounded_by_its_rate(seed):
    outcome = adjust(
        dose=q(20, "mg"),
        formulation="ir-capsule",
        trough=q(10, "ug/L"),
        target=q(12, "ug/L"),
        protocol=seed,
        steady_state=True,
        weight=q(300, "kg"),
    )
    assert outcome.adjustment is not None  # 48 mg a day: within 0.15 mg/kg/day × 300 kg


def test_an_adjustment_up_to_the_bound_is_given(seed):
    outcome = adjust(
        dose=q(45, "mg"),
        formulation="ir-capsule",
        trough=q(12, "ug/L"),
        target=q(12, "ug/L"),
        protocol=seed,
        steady_state=True,
    )
    assert outcome.adjustment is not None
    assert outcome.adjustment.dose.magnitude == 45


@pytest.mark.parametrize(
    ("dose", "source", "target", "refused"),
    [
        (99, "ir-capsule", "envarsus", True),  # 198 × 0.7 = 138.6 mg a day
        (70, "envarsus", "ir-capsule", True),  # 70 / 0.7 = 100 mg a day
        (45, "ir-capsule", "advagraf", False),  # 90 mg a day, the bound itself
        (3, "ir-capsule", "envarsus", False),
    ],
)
def test_a_switch_is_refused_above_what_any_patient_takes(seed, dose, source, target, refused):
    """R10 has no weight: the new daily dose is bounded as an adjustment without one."""
    outcome = switch(dose=q(dose, "mg"), source=source, target=target, protocol=seed)
    assert (outcome.switch is None) is refused
    if refused:
        assert refusals(outcome.issues)[0].code is IssueCode.DAILY_DOSE_ABOVE_MAXIMUM


@pytest.mark.parametrize("level", [0.00001, 0.001, 0.49])
def test_a_trough_below_what_any_assay_measures_asks_for_below_the_limit(seed, level):
    """R12.2: `adjust --trough 0.001ug/L` gave 43,500 mg every 12 hours; such a result is
    entered as below the assay's limit."""
    (issue,) = check_trough(q(level, "ug/L"), seed)
    assert issue.code is IssueCode.TROUGH_NOT_MEASURABLE
    from tacrocalc.present.words import Words

    assert '"<2 ug/L"' in Words().message(issue) and "0.5 µg/L" in Words().message(issue)


def test_the_earliest_date_is_the_protocols_oldest_age_before_today(seed):
    """R12.4: 125 years (the seed protocol); 29 February falls back to the 28th."""
    assert seed.values.age_max_years == 125
    assert earliest_date(date(2026, 6, 1), seed) == date(1901, 6, 1)
    assert earliest_date(date(2028, 2, 29), seed) == date(1903, 2, 28)
    today, earliest = date(2026, 6, 1), date(1901, 6, 1)
    assert check_date(earliest, today=today, birth_date=None, earliest=earliest) == ()
    (issue,) = check_date(date(1, 1, 1), today=today, birth_date=None, earliest=earliest)
    assert issue.code is IssueCode.DATE_TOO_EARLY


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("nephrotoxicity", True),
        ("", True),
        ("Zoë’s GP — ½ dose", True),
        ("نفروتوکسی\u200cسیتی", True),  # the zero-width non-joiner is part of Persian
        ("a\tb", False),
        ("a\x1b[2Jb", False),
        ("a\u202eb", False),
        ("a\u2028b", False),
        ("x" * 2001, False),
    ],
)
def test_free_text_is_printable(text, ok):
    assert (check_text(text, field="reason") == ()) is ok
