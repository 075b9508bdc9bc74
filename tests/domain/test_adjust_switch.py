"""R9 proportional adjustment (the arithmetic and caps) and R10 product switches.

Which trough may be used, and keep versus change, are tested with whole courses in
`test_advice.py`; here the function that computes a dose from a usable trough."""

import pytest

from tacrocalc.domain.dosing import adjust, switch
from tacrocalc.domain.issues import Action, IssueCode, Severity, refusals
from tacrocalc.domain.units import magnitude, q
from tacrocalc.present.words import units_to_give
from tests import shown


def _adjust(seed, dose, trough, target=12.0, **kwargs):
    kwargs.setdefault("steady_state", True)
    return adjust(
        dose=q(dose, "mg"),
        formulation=kwargs.pop("formulation", "ir-capsule"),
        trough=q(trough, "ug/L"),
        target=q(target, "ug/L"),
        protocol=seed,
        **kwargs,
    )


@pytest.mark.parametrize(
    ("dose", "trough", "target", "new_daily", "new_dose"),
    [
        # R9.1: 3 mg × 2 = 6 mg/day × 8 / 14 = 3.4286 mg/day; / 2 = 1.714 -> 1.5 mg (R3)
        (3.0, 14.0, 8.0, 3.428571, 1.5),
        # seed target 12 µg/L (R9.2): 4 mg × 2 = 8 × 12 / 16 = 6 mg/day -> 3 mg
        (4.0, 16.0, 12.0, 6.0, 3.0),
        # a trough at the target changes nothing: 4 mg × 2 × 12 / 12 = 8 -> 4 mg
        (4.0, 12.0, 12.0, 8.0, 4.0),
        # 2 mg × 2 = 4 × 12 / 3.5 = 13.71 -> capped at double, 8 mg/day -> 4 mg (R9.5)
        (2.0, 3.5, 12.0, 8.0, 4.0),
    ],
)
def test_proportional_adjustment(seed, dose, trough, target, new_daily, new_dose):
    result = _adjust(seed, dose, trough, target).adjustment
    assert magnitude(result.new_daily, "mg") == pytest.approx(new_daily, rel=1e-6)
    assert magnitude(result.dose, "mg") == new_dose


def test_an_increase_is_capped_at_double_and_says_so(seed):
    """R9.5: 2 mg × 2 = 4 mg/day × 12 / 5 = 9.6 mg/day; double is 8 mg/day -> 4 mg each."""
    outcome = _adjust(seed, 2.0, 5.0)
    result = outcome.adjustment
    assert magnitude(result.proportional_daily, "mg") == pytest.approx(9.6)
    assert magnitude(result.dose, "mg") == 4.0
    assert result.capped is IssueCode.ADJUST_CAPPED_DOUBLE
    # no weight given: R4 cannot be checked (R12.8), a note before the cap
    assert [i.code for i in outcome.issues] == [IssueCode.NO_WEIGHT, IssueCode.ADJUST_CAPPED_DOUBLE]
    assert shown(outcome.issues[1].param("proportional")) == "4.8 mg"


def test_an_increase_is_capped_at_the_titration_ceiling(seed):
    """R9.5 + R4.2: 60 kg, 3 mg × 2 = 6 mg/day × 12 / 7 = 10.29 mg/day; the ceiling is
    0.15 × 60 = 9 mg/day -> 4.5 mg each, rounded down so as not to cross it."""
    outcome = _adjust(seed, 3.0, 7.0, weight=q(60, "kg"))
    result = outcome.adjustment
    assert magnitude(result.dose, "mg") == 4.5
    assert result.capped is IssueCode.ADJUST_CAPPED_CEILING
    assert magnitude(result.achieved_rate, "mg/kg/day") == pytest.approx(0.15)


def test_a_capped_dose_is_rounded_down(seed):
    """R9.5: 73 kg on 3 mg × 2; trough 5 -> 6 × 12 / 5 = 14.4 mg/day, capped at double (12) and
    at the ceiling 0.15 × 73 = 10.95 mg/day = 5.475 mg each. The nearest amount, 5.5 mg, would
    cross the ceiling: 5 mg."""
    result = _adjust(seed, 3.0, 5.0, weight=q(73, "kg")).adjustment
    assert magnitude(result.new_daily, "mg") == pytest.approx(10.95)
    assert magnitude(result.dose, "mg") == 5.0


def test_no_increase_past_a_ceiling_already_crossed(seed):
    """60 kg on 5 mg × 2 = 0.167 mg/kg/day, above the ceiling: a low trough does not raise it."""
    outcome = _adjust(seed, 5.0, 4.5, weight=q(60, "kg"))
    assert magnitude(outcome.adjustment.dose, "mg") == 5.0
    assert IssueCode.RATE_ABOVE_CEILING in [i.code for i in outcome.issues]


def test_an_increase_without_a_weight_says_r4_cannot_be_checked(seed):
    """R12.8: 3 mg, trough 8 -> 6 × 12 / 8 = 9 mg/day -> 4.5 mg; no weight to check R4."""
    outcome = _adjust(seed, 3.0, 8.0)
    assert magnitude(outcome.adjustment.dose, "mg") == 4.5
    assert [(i.code, i.severity) for i in outcome.issues] == [(IssueCode.NO_WEIGHT, Severity.NOTE)]


def test_a_cut_to_less_than_half_warns_and_above_range_suggests_holding(seed):
    """R9.5: 5 mg × 2 = 10 × 12 / 30 = 4 mg/day -> 2 mg: 2 × 2 < 5. Trough above 25: consider
    holding the next dose (R14)."""
    outcome = _adjust(seed, 5.0, 30.0, above_range=True)
    assert magnitude(outcome.adjustment.dose, "mg") == 2.0
    assert [i.code for i in outcome.issues] == [IssueCode.ADJUST_LESS_THAN_HALF]
    assert outcome.adjustment.action is Action.HOLD_NEXT_DOSE_AND_RECHECK_TROUGH
    assert _adjust(seed, 5.0, 30.0).adjustment.action is None


def test_exactly_half_does_not_warn(seed):
    """3 mg -> 1.5 mg is exactly half: 'less than half' is not met."""
    outcome = _adjust(seed, 3.0, 14.0, 8.0)
    assert outcome.issues == ()


@pytest.mark.parametrize(
    ("kwargs", "trough", "code"),
    [
        ({"steady_state": False}, 10.0, IssueCode.ADJUST_NOT_STEADY_STATE),  # R9.3 + R5.5
        ({"below_assay_limit": True}, 2.0, IssueCode.ADJUST_BELOW_ASSAY_LIMIT),  # R12.2
        ({}, 250.0, IssueCode.OUT_OF_BOUNDS),  # R12.7: 0-200 µg/L on every path
        ({}, 0.0, IssueCode.TROUGH_NOT_MEASURABLE),  # R12.2: no assay measures below 0.5 µg/L
    ],
)
def test_refused_when_the_trough_cannot_be_used(seed, kwargs, trough, code):
    outcome = _adjust(seed, 3.0, trough, **kwargs)
    assert outcome.adjustment is None
    assert refusals(outcome.issues)[0].code is code
    assert refusals(outcome.issues)[0].field == "trough"


def test_new_rate_is_checked_against_r4(seed):
    """R9.5 + R4.5: 15 kg on 1 mg × 2 = 0.133 mg/kg/day; trough 4 -> 2 × 12 / 4 = 6 mg/day,
    capped at double 4 mg/day and at the ceiling 0.15 × 15 = 2.25 mg/day -> 1 mg each."""
    outcome = _adjust(seed, 1.0, 4.0, weight=q(15, "kg"))
    assert magnitude(outcome.adjustment.dose, "mg") == 1.0
    assert outcome.adjustment.capped is IssueCode.ADJUST_CAPPED_CEILING
    assert IssueCode.WEIGHT_BELOW_ADULT in [i.code for i in outcome.issues]


# -- R10 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "target", "dose", "ratio", "new_dose", "units", "codes"),
    [
        # R10.2: 3 mg × 2 = 6 mg/day -> Advagraf 6 mg once daily; troughs may fall; R10.7
        (
            "ir-capsule",
            "advagraf",
            3.0,
            1.0,
            6.0,
            "1 × 5 mg + 1 × 1 mg",
            ["switch_trough_may_fall", "switch_trough_due", "switch_first_dose_morning"],
        ),
        # R10.3 EU: 5 mg × 2 = 10 mg/day × 0.7 = 7 mg once daily
        (
            "ir-capsule",
            "envarsus",
            5.0,
            0.7,
            7.0,
            "1 × 4 mg + 3 × 1 mg",
            ["switch_trough_due", "switch_first_dose_morning"],
        ),
        # R10.3: Advagraf 6 mg -> Envarsus × 0.7 = 4.2 mg -> 4.25 mg (3 × 0.75 + 2 × 1)
        (
            "advagraf",
            "envarsus",
            6.0,
            0.7,
            4.25,
            "2 × 1 mg + 3 × 0.75 mg",
            ["switch_trough_due"],
        ),
        # R10.4: Advagraf 7 mg -> capsules 1:1, split in two: 3.5 mg every 12 hours
        (
            "advagraf",
            "ir-capsule",
            7.0,
            1.0,
            3.5,
            "3 × 1 mg + 1 × 0.5 mg",
            ["switch_trough_due_soon"],
        ),
        # R10.4: Envarsus 7 mg -> capsules at 1 / 0.7: 10 mg/day -> 5 mg every 12 hours
        ("envarsus", "ir-capsule", 7.0, 1 / 0.7, 5.0, "1 × 5 mg", ["switch_trough_due_soon"]),
        # R10.5: capsules 1.5 mg × 2 = 3 mg/day -> granules 1.5 mg: a tie between 1.4 and 1.6
        # rounds down (R3.3) -> 1.4 mg = 1 × 1 mg + 2 × 0.2 mg
        ("ir-capsule", "granules", 1.5, 1.0, 1.4, "1 × 1 mg + 2 × 0.2 mg", ["switch_trough_due"]),
        # R10.5: granules 1.4 mg -> capsules 1.4 mg -> 1.5 mg
        ("granules", "ir-capsule", 1.4, 1.0, 1.5, "1 × 1 mg + 1 × 0.5 mg", ["switch_trough_due"]),
    ],
)
def test_switch_conversions(seed, source, target, dose, ratio, new_dose, units, codes):
    outcome = switch(dose=q(dose, "mg"), source=source, target=target, protocol=seed)
    assert outcome.switch.ratio == pytest.approx(ratio)
    assert magnitude(outcome.switch.dose, "mg") == new_dose
    assert units_to_give(outcome.switch.units) == units
    assert [i.code.value for i in outcome.issues] == codes


def test_switch_to_envarsus_by_region(seed, prograf):
    """R10.3: 5 mg twice = 10 mg/day; EU 70 % = 7 mg = 1 × 4 + 3 × 1; US 80 % = 8 mg = 2 × 4;
    back to capsules in the US: 8 / 0.8 = 10 mg/day -> 5 mg every 12 hours."""
    eu = switch(dose=q(5, "mg"), source="ir-capsule", target="envarsus", protocol=seed).switch
    us = switch(dose=q(5, "mg"), source="ir-capsule", target="envarsus", protocol=prograf).switch
    assert (eu.ratio, magnitude(eu.dose, "mg")) == (0.7, 7.0)
    assert units_to_give(eu.units) == "1 × 4 mg + 3 × 1 mg"
    assert (us.ratio, magnitude(us.dose, "mg")) == (0.8, 8.0)
    assert units_to_give(us.units) == "2 × 4 mg"
    back = switch(dose=q(8, "mg"), source="envarsus", target="ir-capsule", protocol=prograf)
    assert magnitude(back.switch.dose, "mg") == 5.0


@pytest.mark.parametrize(
    ("source", "target", "code"),
    [
        ("envarsus", "advagraf", IssueCode.SWITCH_NOT_IN_PROTOCOL),
        ("granules", "envarsus", IssueCode.SWITCH_NOT_IN_PROTOCOL),
        ("ir-capsule", "ir-capsule", IssueCode.SWITCH_SAME_PRODUCT),
    ],
)
def test_switches_without_a_conversion_are_refused(seed, source, target, code):
    outcome = switch(dose=q(3, "mg"), source=source, target=target, protocol=seed)
    assert outcome.switch is None
    assert outcome.issues[0].code is code
