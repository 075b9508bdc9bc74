"""R9 proportional adjustment and R10 product switches."""

import pytest

from tacrocalc.domain.dosing import adjust, describe_units, switch
from tacrocalc.domain.issues import IssueCode, refusals
from tacrocalc.domain.units import magnitude, q


@pytest.mark.parametrize(
    ("dose", "trough", "target", "new_daily", "new_dose"),
    [
        # 3 mg × 2 = 6 mg/day × 8 / 14 = 3.4286 mg/day; / 2 = 1.714 -> 1.5 mg (R9.1, R3)
        (3.0, 14.0, 8.0, 3.428571, 1.5),
        # target defaults to the middle of 4-25: 14.5. 2 mg × 2 = 4 × 14.5 / 5 = 11.6; / 2 =
        # 5.8 -> 6.0 mg
        (2.0, 5.0, None, 11.6, 6.0),
        # 4 mg × 2 = 8 × 14.5 / 14.5 = 8 -> 4 mg: a trough at target changes nothing
        (4.0, 14.5, None, 8.0, 4.0),
    ],
)
def test_proportional_adjustment(seed, dose, trough, target, new_daily, new_dose):
    outcome = adjust(
        dose=q(dose, "mg"),
        formulation="ir-capsule",
        trough=q(trough, "ug/L"),
        target=q(target, "ug/L") if target else None,
        protocol=seed,
        steady_state=True,
    )
    result = outcome.adjustment
    assert magnitude(result.new_daily, "mg") == pytest.approx(new_daily, rel=1e-6)
    assert magnitude(result.dose, "mg") == new_dose


def test_more_than_double_warns(seed):
    """R9.3: 1 mg × 2 × 14.5 / 3 = 9.67 / 2 = 4.83 -> 5 mg: 5 > 2 × 1 mg."""
    outcome = adjust(
        dose=q(1, "mg"),
        formulation="ir-capsule",
        trough=q(3, "ug/L"),
        protocol=seed,
        steady_state=True,
    )
    assert magnitude(outcome.adjustment.dose, "mg") == 5.0
    assert [i.code for i in outcome.issues] == [IssueCode.ADJUST_MORE_THAN_DOUBLE]


def test_less_than_half_warns(seed):
    """R9.3: 5 mg × 2 × 8 / 30 = 2.67 / 2 = 1.33 -> 1.5 mg: 1.5 × 2 < 5."""
    outcome = adjust(
        dose=q(5, "mg"),
        formulation="ir-capsule",
        trough=q(30, "ug/L"),
        target=q(8, "ug/L"),
        protocol=seed,
        steady_state=True,
    )
    assert magnitude(outcome.adjustment.dose, "mg") == 1.5
    assert [i.code for i in outcome.issues] == [IssueCode.ADJUST_LESS_THAN_HALF]


def test_exactly_half_does_not_warn(seed):
    """3 mg -> 1.5 mg is exactly half: 'less than half' is not met."""
    outcome = adjust(
        dose=q(3, "mg"),
        formulation="ir-capsule",
        trough=q(14, "ug/L"),
        target=q(8, "ug/L"),
        protocol=seed,
        steady_state=True,
    )
    assert outcome.issues == ()


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"steady_state": False}, IssueCode.ADJUST_NOT_STEADY_STATE),  # R9.2 + R5.5
        ({"below_assay_limit": True}, IssueCode.ADJUST_BELOW_ASSAY_LIMIT),  # R12.2
    ],
)
def test_refused_when_the_trough_cannot_be_used(seed, kwargs, code):
    outcome = adjust(
        dose=q(3, "mg"), formulation="ir-capsule", trough=q(2, "ug/L"), protocol=seed, **kwargs
    )
    assert outcome.adjustment is None
    assert refusals(outcome.issues)[0].code is code
    assert refusals(outcome.issues)[0].field == "trough"


def test_unverified_steady_state_warns(seed):
    outcome = adjust(dose=q(3, "mg"), formulation="ir-capsule", trough=q(10, "ug/L"), protocol=seed)
    assert outcome.adjustment is not None
    assert outcome.issues[0].code is IssueCode.ADJUST_STEADY_STATE_UNVERIFIED


def test_new_rate_is_checked_against_r4(seed):
    """R9.3 + R4.5: 5 mg × 2 × 14.5 / 4.5 = 32.2 mg/day -> 16 mg twice = 32 mg/day / 60 kg =
    0.53 mg/kg/day > 0.30: refused."""
    outcome = adjust(
        dose=q(5, "mg"),
        formulation="ir-capsule",
        trough=q(4.5, "ug/L"),
        protocol=seed,
        steady_state=True,
        weight=q(60, "kg"),
    )
    assert outcome.adjustment is None
    assert outcome.issues[0].code is IssueCode.RATE_ABOVE_MAXIMUM


def test_switch_to_advagraf_is_one_to_one_once_daily(seed):
    """R10.2: 3 mg twice daily = 6 mg/day -> Advagraf 6 mg once daily; troughs may fall."""
    outcome = switch(dose=q(3, "mg"), source="ir-capsule", target="advagraf", protocol=seed)
    assert magnitude(outcome.switch.dose, "mg") == 6.0
    assert describe_units(outcome.switch.units) == "1 × 5 mg + 1 × 1 mg"
    assert [i.code for i in outcome.issues] == [
        IssueCode.SWITCH_TROUGH_MAY_FALL,
        IssueCode.SWITCH_TROUGH_DUE,
    ]


def test_switch_to_envarsus_by_region(seed, prograf):
    """R10.3: 5 mg twice = 10 mg/day; EU 70 % = 7 mg = 1 × 4 + 3 × 1; US 80 % = 8 mg = 2 × 4."""
    eu = switch(dose=q(5, "mg"), source="ir-capsule", target="envarsus", protocol=seed).switch
    us = switch(dose=q(5, "mg"), source="ir-capsule", target="envarsus", protocol=prograf).switch
    assert (eu.ratio, magnitude(eu.dose, "mg")) == (0.7, 7.0)
    assert describe_units(eu.units) == "1 × 4 mg + 3 × 1 mg"
    assert (us.ratio, magnitude(us.dose, "mg")) == (0.8, 8.0)
    assert describe_units(us.units) == "2 × 4 mg"


@pytest.mark.parametrize(
    ("source", "target", "code"),
    [
        ("advagraf", "envarsus", IssueCode.SWITCH_NOT_IN_PROTOCOL),
        ("ir-capsule", "granules", IssueCode.SWITCH_NOT_IN_PROTOCOL),
        ("ir-capsule", "ir-capsule", IssueCode.SWITCH_SAME_PRODUCT),
    ],
)
def test_switches_without_a_conversion_are_refused(seed, source, target, code):
    outcome = switch(dose=q(3, "mg"), source=source, target=target, protocol=seed)
    assert outcome.switch is None
    assert outcome.issues[0].code is code
