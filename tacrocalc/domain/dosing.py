"""From a weight and a dose rate to the dose to give, and back; adjustment and switches.

R2 (per-administration dose), R3 (rounding to what can be dispensed), R4 (dose-rate limits),
R9 (proportional adjustment), R10 (product switches), R12.1 (weight bounds).

Dose arithmetic is exact: magnitudes become `Decimal` from their shortest decimal form, so a
dose of exactly 3.75 mg is a tie (rounded down, R3.3) and never 3.7500000000000004.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import time
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from functools import lru_cache, reduce

from tacrocalc.domain.issues import Action, Issue, IssueCode, Measure, Percent, refusals
from tacrocalc.domain.protocol import Formulation, FormulationId, Protocol, Region
from tacrocalc.domain.units import Kind, Quantity, magnitude, q
from tacrocalc.domain.validation import check_dose, check_trough

HUNDRED = Decimal(100)


def _dec(quantity: Quantity, unit: str) -> Decimal:
    return Decimal(repr(magnitude(quantity, unit)))


def _mg(value: Decimal) -> Quantity:
    return q(float(value), "mg")


def _dose(value: Decimal | float | Quantity) -> Measure:
    """A dose in mg as an issue carries it."""
    quantity = value if not isinstance(value, Decimal | float | int) else q(float(value), "mg")
    return Measure(Kind.DOSE, quantity)


def _rate(rate: Quantity) -> Measure:
    return Measure(Kind.DOSE_RATE, rate)


@dataclass(frozen=True, slots=True, kw_only=True)
class UnitCount:
    """`count` units of `strength` (3 × 1 mg)."""

    strength: Quantity
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Rounded:
    """An amount a product can make up (R3), with the fewest units that make it."""

    dose: Quantity
    units: tuple[UnitCount, ...]


# -- R3 rounding --------------------------------------------------------------------------


def _grid(strengths: tuple[Decimal, ...]) -> Decimal:
    """The largest step that every strength is a whole multiple of (0.25 mg for Envarsus)."""
    scale = 10 ** max(-int(s.as_tuple().exponent) for s in strengths)
    return Decimal(reduce(math.gcd, (int(s * scale) for s in strengths))) / Decimal(scale)


@lru_cache(maxsize=64)
def _fewest_units(steps: tuple[int, ...]) -> tuple[tuple[int, ...] | None, ...]:
    """For every amount from 0 to `_table_end(steps)` (in grid steps), the unit counts that make
    it with the fewest units, or None where no sum of strengths gives it (coin-change table).
    Its size depends on the strengths only, never on a dose: see `_fewest`."""
    limit = _table_end(steps)
    best: list[tuple[int, ...] | None] = [None] * (limit + 1)
    best[0] = (0,) * len(steps)
    for amount in range(1, limit + 1):
        for index in range(len(steps) - 1, -1, -1):  # larger strengths first on equal counts
            rest = amount - steps[index]
            previous = best[rest] if rest >= 0 else None
            if previous is None:
                continue
            candidate = (*previous[:index], previous[index] + 1, *previous[index + 1 :])
            current = best[amount]
            if current is None or sum(candidate) < sum(current):
                best[amount] = candidate
    return tuple(best)


def _table_end(steps: tuple[int, ...]) -> int:
    """The amount above which the fewest units always include a unit of the largest strength.

    With the largest strength L, a way with the fewest units holds fewer than L units of any
    smaller strength s (L units of s are s units of L: fewer). So the smaller strengths make at
    most sum((L - 1) × s); above that the largest strength is always among the units, and the
    way for an amount is the way for the amount less L, plus one unit of L. The table ends one
    L beyond that bound, so that every amount past it has its reduced amount in the table.
    """
    largest = max(steps)
    return sum((largest - 1) * s for s in steps if s != largest) + largest


def _fewest(steps: tuple[int, ...], amount: int) -> tuple[int, ...] | None:
    """The unit counts that make `amount` (in grid steps) with the fewest units, or None: from
    the table, taking off units of the largest strength first (R3.5), so that the cost is the
    same for any dose."""
    table = _fewest_units(steps)
    if amount < 0:
        return None
    end = len(table) - 1
    if amount <= end:
        return table[amount]
    largest = max(steps)
    extra = -(-(amount - end) // largest)  # ceiling: units of the largest strength taken off
    counts = table[amount - extra * largest]
    if counts is None:
        return None
    index = steps.index(largest)
    return (*counts[:index], counts[index] + extra, *counts[index + 1 :])


def _nearest_made(steps: tuple[int, ...], start: int, step: int) -> int:
    """The first amount from `start`, going by `step` (1 or -1), that the strengths make up.
    Past the table the amounts made up repeat every largest strength, so the search ends
    within that many steps; 0 is always made up (no units)."""
    amount = start
    while _fewest(steps, amount) is None:
        amount += step
    return amount


def round_to_dispensable(
    exact: Quantity, formulation: Formulation, *, down: bool = False
) -> Rounded:
    """Round one administration to the nearest amount the product makes up; a tie rounds down
    (R3.2-R3.3). With `down`, the largest amount not above `exact` (a cap that rounding must not
    cross, R9.5). The result may be 0 mg: the caller refuses that (R3.4). The cost does not
    grow with the dose: the bounds of R12.7 and R4.5 refuse a dose too large to give, and this
    stays quick for any dose it is handed."""
    grid = _grid(formulation.strengths)
    steps = tuple(int(s / grid) for s in formulation.strengths)
    wanted = _dec(exact, "mg") / grid
    below = _nearest_made(steps, max(int(wanted.to_integral_value(rounding=ROUND_FLOOR)), 0), -1)
    above = _nearest_made(steps, max(int(wanted.to_integral_value(rounding=ROUND_CEILING)), 0), 1)
    chosen = above if not down and (above - wanted) < (wanted - below) else below
    counts = _fewest(steps, chosen)
    assert counts is not None
    units = tuple(
        UnitCount(strength=_mg(strength), count=count)
        for strength, count in sorted(zip(formulation.strengths, counts, strict=True), reverse=True)
        if count
    )
    return Rounded(dose=_mg(chosen * grid), units=units)


def check_dispensable(
    dose: Quantity, formulation: Formulation, *, field: str = "dose"
) -> tuple[Issue, ...]:
    """R3.1: a regimen's dose must be an amount the product can make up."""
    rounded = round_to_dispensable(dose, formulation)
    if _dec(rounded.dose, "mg") == _dec(dose, "mg"):
        return ()
    strengths = tuple(_dose(s) for s in formulation.strengths)
    return (
        Issue.refusal(
            IssueCode.NOT_DISPENSABLE,
            field=field,
            value=_dose(dose),
            product=formulation.name,
            strengths=strengths,
            nearest=_dose(rounded.dose),
        ),
    )


# -- R4 and R12.1 checks ------------------------------------------------------------------


def check_weight(
    weight: Quantity, protocol: Protocol, *, field: str = "weight"
) -> tuple[Issue, ...]:
    """R12.1: refuse outside the bounds; warn below the adult weight."""
    kg = magnitude(weight, "kg")
    low, high = protocol.values.weight_min, protocol.values.weight_max
    value = Measure(Kind.WEIGHT, weight)
    if not magnitude(low, "kg") <= kg <= magnitude(high, "kg"):
        return (
            Issue.refusal(
                IssueCode.OUT_OF_BOUNDS,
                field=field,
                value=value,
                low=Measure(Kind.WEIGHT, low),
                high=Measure(Kind.WEIGHT, high),
                rule="R12.1",
            ),
        )
    adult = protocol.values.adult_weight
    if kg < magnitude(adult, "kg"):  # a note (R14.1)
        return (
            Issue.note(
                IssueCode.WEIGHT_BELOW_ADULT,
                field=field,
                value=value,
                limit=Measure(Kind.WEIGHT, adult),
            ),
        )
    return ()


def check_rate(
    rate: Quantity,
    protocol: Protocol,
    *,
    field: str = "rate",
    prior_ciclosporin_nephrotoxicity: bool = False,
) -> tuple[Issue, ...]:
    """R4: refuse a rate of 0 or less or above the maximum; warn above the titration ceiling
    and below the low-efficacy rate. After ciclosporin nephrotoxicity, a rate from the cautious
    start up to the low-efficacy rate is the seed's own start: a note (R4.3)."""
    value = magnitude(rate, "mg/kg/day")
    text = _rate(rate)
    maximum = protocol.values.maximum_rate
    if value <= 0:
        return (Issue.refusal(IssueCode.RATE_NOT_POSITIVE, field=field, value=text),)
    if value > magnitude(maximum, "mg/kg/day"):
        return (
            Issue.refusal(
                IssueCode.RATE_ABOVE_MAXIMUM, field=field, value=text, limit=_rate(maximum)
            ),
        )
    ceiling = protocol.values.titration_ceiling
    if value > magnitude(ceiling, "mg/kg/day"):
        return (
            Issue.warning(
                IssueCode.RATE_ABOVE_CEILING, field=field, value=text, limit=_rate(ceiling)
            ),
        )
    floor = protocol.values.low_efficacy_rate
    if value < magnitude(floor, "mg/kg/day"):
        cautious = magnitude(
            protocol.values.start_rate_prior_ciclosporin_nephrotoxicity, "mg/kg/day"
        )
        make = (
            Issue.note
            if prior_ciclosporin_nephrotoxicity and round(value, 9) >= cautious
            else Issue.warning
        )
        return (make(IssueCode.RATE_BELOW_EFFICACY, field=field, value=text, limit=_rate(floor)),)
    return ()


def check_daily_without_weight(
    daily: Decimal, protocol: Protocol, *, field: str = "new daily dose"
) -> tuple[Issue, ...]:
    """R4.5 and R12.7: a daily dose worked out with no weight to check it against (an adjustment
    without a weight, a switch) is refused above the maximum rate × the heaviest accepted weight
    (0.30 mg/kg/day × 300 kg = 90 mg a day in the seed protocol): no patient TacroCalc accepts
    could be given it. Checked before any rounding."""
    rate, heaviest = protocol.values.maximum_rate, protocol.values.weight_max
    limit = _dec(rate, "mg/kg/day") * _dec(heaviest, "kg")
    if daily <= limit:
        return ()
    return (
        Issue.refusal(
            IssueCode.DAILY_DOSE_ABOVE_MAXIMUM,
            field=field,
            value=_dose(daily),
            limit=_dose(limit),
            rate=_rate(rate),
            weight=Measure(Kind.WEIGHT, heaviest),
        ),
    )


def start_rate(protocol: Protocol, *, prior_ciclosporin_nephrotoxicity: bool) -> Quantity:
    """R4.1 / R4.4: the protocol's suggested start."""
    if prior_ciclosporin_nephrotoxicity:
        return protocol.values.start_rate_prior_ciclosporin_nephrotoxicity
    return protocol.values.start_rate


# -- R2 / R3: the dose ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Dose:
    """A dose worked out for one patient and product: what to give, when, and how far rounding
    moved it from the rate asked for."""

    weight: Quantity
    rate: Quantity  # asked for
    formulation: Formulation
    daily: Quantity  # exact mg/day (R2.1)
    exact: Quantity  # per administration, before rounding (R2.2)
    dose: Quantity  # per administration, rounded (R3)
    units: tuple[UnitCount, ...]
    achieved_rate: Quantity  # after rounding (R3.5)
    rounding_change_pct: float
    times: tuple[time, ...]

    @property
    def administrations_per_day(self) -> int:
        return self.formulation.administrations_per_day

    @property
    def given_daily(self) -> Quantity:
        """R2.4: the daily dose actually given, the rounded dose × administrations a day."""
        return _mg(_dec(self.dose, "mg") * self.administrations_per_day)


@dataclass(frozen=True, slots=True, kw_only=True)
class DoseOutcome:
    """A dose and its warnings, or no dose and the refusals that say why."""

    dose: Dose | None
    issues: tuple[Issue, ...]


def _below_smallest(field: str, value: Decimal, product: Formulation) -> Issue:
    """R3.4: a positive dose that rounds to nothing."""
    return Issue.refusal(
        IssueCode.BELOW_SMALLEST_DOSE,
        field=field,
        value=_dose(value),
        smallest=_dose(min(product.strengths)),
        product=product.name,
    )


def _check_amount(dose: Quantity, protocol: Protocol) -> tuple[Issue, ...]:
    """A dose per administration typed or stored: above zero (R4.5) and within the input bound
    (R12.7), checked before any rounding table is built."""
    if magnitude(dose, "mg") <= 0:
        return (
            Issue.refusal(
                IssueCode.RATE_NOT_POSITIVE,
                field="dose",
                value=_dose(dose),
            ),
        )
    return check_dose(dose, protocol)


def _formulation(protocol: Protocol, formulation: FormulationId | str) -> Formulation | Issue:
    try:
        return protocol.formulations[FormulationId(formulation)]
    except (ValueError, KeyError):
        known = ", ".join(protocol.formulations)
        return Issue.refusal(
            IssueCode.UNKNOWN_FORMULATION, field="formulation", value=str(formulation), known=known
        )


def _dose_for_daily(
    *,
    daily: Decimal,
    weight: Quantity,
    rate: Quantity,
    formulation: Formulation,
    protocol: Protocol,
    times: tuple[time, ...] | None,
    field: str,
) -> DoseOutcome:
    exact = daily / formulation.administrations_per_day  # R2.2: equal doses
    rounded = round_to_dispensable(_mg(exact), formulation)  # R3.2: each administration
    dose = _dec(rounded.dose, "mg")
    if dose == 0:  # R3.4
        return DoseOutcome(dose=None, issues=(_below_smallest(field, exact, formulation),))
    weight_kg = _dec(weight, "kg")
    achieved = dose * formulation.administrations_per_day / weight_kg
    change = (dose - exact) / exact * HUNDRED if exact else Decimal(0)
    issues: list[Issue] = []
    achieved_rate = q(float(achieved), "mg/kg/day")
    maximum = protocol.values.maximum_rate
    if achieved_rate > maximum:  # rounding up must not take the dose past the hard limit
        return DoseOutcome(
            dose=None,
            issues=(
                Issue.refusal(
                    IssueCode.RATE_ABOVE_MAXIMUM,
                    field="achieved rate",
                    value=_rate(achieved_rate),
                    limit=_rate(maximum),
                ),
            ),
        )
    if abs(change) > Decimal(repr(protocol.values.rounding_warning_pct)):  # R3.5
        issues.append(
            Issue.warning(
                IssueCode.ROUNDING_OVER_LIMIT,
                field=field,
                value=_dose(exact),
                rounded=_dose(dose),
                change=Percent(float(change), signed=True),
                limit=Percent(protocol.values.rounding_warning_pct, 0),
            )
        )
    # a limit the rate asked for already crossed is warned about once, by the caller
    asked = {i.code for i in check_rate(rate, protocol)}
    issues.extend(
        i for i in check_rate(achieved_rate, protocol, field="achieved rate") if i.code not in asked
    )
    return DoseOutcome(
        dose=Dose(
            weight=weight,
            rate=rate,
            formulation=formulation,
            daily=_mg(daily),
            exact=_mg(exact),
            dose=rounded.dose,
            units=rounded.units,
            achieved_rate=achieved_rate,
            rounding_change_pct=float(change),
            times=times or protocol.times_for(formulation),
        ),
        issues=tuple(issues),
    )


def dose_from_rate(
    *,
    weight: Quantity,
    rate: Quantity,
    formulation: FormulationId | str,
    protocol: Protocol,
    times: tuple[time, ...] | None = None,
) -> DoseOutcome:
    """R2 + R3 + R4: the rounded dose per administration for `rate` in mg/kg/day."""
    product = _formulation(protocol, formulation)
    if isinstance(product, Issue):
        return DoseOutcome(dose=None, issues=(product,))
    issues = check_weight(weight, protocol) + check_rate(rate, protocol)
    if refusals(issues):
        return DoseOutcome(dose=None, issues=refusals(issues))
    daily = _dec(weight, "kg") * _dec(rate, "mg/kg/day")  # R2.1
    outcome = _dose_for_daily(
        daily=daily,
        weight=weight,
        rate=rate,
        formulation=product,
        protocol=protocol,
        times=times,
        field="rate",
    )
    return DoseOutcome(dose=outcome.dose, issues=issues + outcome.issues)


def dose_from_amount(
    *,
    weight: Quantity,
    dose: Quantity,
    formulation: FormulationId | str,
    protocol: Protocol,
    times: tuple[time, ...] | None = None,
) -> DoseOutcome:
    """The other direction: a dose per administration typed in mg, rounded to what the product
    makes up, with the rate it gives (R3.5) checked against R4."""
    product = _formulation(protocol, formulation)
    if isinstance(product, Issue):
        return DoseOutcome(dose=None, issues=(product,))
    issues = check_weight(weight, protocol) + _check_amount(dose, protocol)
    if refusals(issues):
        return DoseOutcome(dose=None, issues=refusals(issues))
    daily = _dec(dose, "mg") * product.administrations_per_day
    rate = q(float(daily / _dec(weight, "kg")), "mg/kg/day")
    rate_issues = check_rate(rate, protocol, field="dose")
    if refusals(rate_issues):
        return DoseOutcome(dose=None, issues=refusals(rate_issues))
    outcome = _dose_for_daily(
        daily=daily,
        weight=weight,
        rate=rate,
        formulation=product,
        protocol=protocol,
        times=times,
        field="dose",
    )
    return DoseOutcome(dose=outcome.dose, issues=issues + rate_issues + outcome.issues)


# -- R9 proportional adjustment ----------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Adjustment:
    current_daily: Quantity
    measured: Quantity
    target: Quantity
    proportional_daily: Quantity  # exact, R9.1
    new_daily: Quantity  # after the caps of R9.5, before rounding
    dose: Quantity  # per administration, rounded (R9.5)
    units: tuple[UnitCount, ...]
    formulation: Formulation
    achieved_rate: Quantity | None  # when the weight is known
    capped: IssueCode | None = None  # ADJUST_CAPPED_DOUBLE or ADJUST_CAPPED_CEILING
    action: Action | None = None  # R9.5: consider holding the next dose

    @property
    def given_daily(self) -> Quantity:
        return _mg(_dec(self.dose, "mg") * self.formulation.administrations_per_day)


@dataclass(frozen=True, slots=True, kw_only=True)
class AdjustmentOutcome:
    adjustment: Adjustment | None
    issues: tuple[Issue, ...]


def _refused(*issues: Issue) -> AdjustmentOutcome:
    return AdjustmentOutcome(adjustment=None, issues=issues)


def adjust(
    *,
    dose: Quantity,
    formulation: FormulationId | str,
    trough: Quantity,
    target: Quantity,
    protocol: Protocol,
    steady_state: bool,
    below_assay_limit: bool = False,
    above_range: bool = False,
    weight: Quantity | None = None,
) -> AdjustmentOutcome:
    """R9: new daily dose = current daily dose × target / measured trough, capped and rounded.

    `dose` is the current dose per administration; `steady_state` whether the trough was taken
    at steady state on it (R9.3: no adjustment otherwise); `above_range` whether the trough is
    above the patient's range (a large cut then suggests holding the next dose, R9.5).
    """
    product = _formulation(protocol, formulation)
    if isinstance(product, Issue):
        return _refused(product)
    level = magnitude(trough, "ug/L")
    shown = Measure(Kind.TROUGH, trough)
    bounds = check_trough(trough, protocol, below_limit=below_assay_limit)  # R12.7: every path
    if bounds:
        return _refused(*bounds)
    if below_assay_limit:  # R12.2: a "<2" result is never used
        return _refused(
            Issue.refusal(
                IssueCode.ADJUST_BELOW_ASSAY_LIMIT,
                field="trough",
                value=Measure(Kind.TROUGH, trough, below_limit=True),
            )
        )
    if level <= 0:
        return _refused(Issue.refusal(IssueCode.ADJUST_TROUGH_ZERO, field="trough", value=shown))
    if not steady_state:  # R9.3
        return _refused(
            Issue.refusal(
                IssueCode.ADJUST_NOT_STEADY_STATE,
                field="trough",
                value=shown,
                days=protocol.values.steady_state_days,
            )
        )
    if _check_amount(dose, protocol):
        return _refused(*_check_amount(dose, protocol))
    issues: list[Issue] = []
    if weight is not None:
        issues.extend(check_weight(weight, protocol))
        if refusals(tuple(issues)):
            return _refused(*refusals(tuple(issues)))
    per_day = product.administrations_per_day
    old_dose = _dec(dose, "mg")
    current_daily = old_dose * per_day
    proportional = current_daily * _dec(target, "ug/L") / _dec(trough, "ug/L")  # R9.1
    new_daily, capped = proportional, None
    cap_factor = Decimal(repr(protocol.values.adjust_increase_cap_factor))
    if new_daily > current_daily * cap_factor:  # R9.5: at most double
        new_daily, capped = current_daily * cap_factor, IssueCode.ADJUST_CAPPED_DOUBLE
    if weight is not None and new_daily > current_daily:
        ceiling = protocol.values.titration_ceiling
        limit = max(_dec(ceiling, "mg/kg/day") * _dec(weight, "kg"), current_daily)
        if new_daily > limit:  # R9.5: at most the titration ceiling
            new_daily, capped = limit, IssueCode.ADJUST_CAPPED_CEILING
    elif weight is None and new_daily > current_daily:  # R12.8
        issues.append(Issue.note(IssueCode.NO_WEIGHT, field="weight", value=""))
    if weight is None and check_daily_without_weight(new_daily, protocol):  # R4.5, R12.7
        return _refused(*check_daily_without_weight(new_daily, protocol))
    rounded = round_to_dispensable(_mg(new_daily / per_day), product, down=capped is not None)
    new_dose = _dec(rounded.dose, "mg")
    if new_dose == 0:
        return _refused(_below_smallest("new dose", new_daily / per_day, product))
    if capped is not None:
        issues.append(
            Issue.warning(
                capped,
                field="new dose",
                value=_dose(new_dose),
                proportional=_dose(proportional / per_day),
                current=_dose(old_dose),
                factor=float(cap_factor),
                limit=_rate(protocol.values.titration_ceiling),
            )
        )
    action = None
    factor = Decimal(repr(protocol.values.adjust_warn_factor))
    if new_dose * factor < old_dose:  # R9.5: not capped, but warned
        issues.append(
            Issue.warning(
                IssueCode.ADJUST_LESS_THAN_HALF,
                field="new dose",
                value=_dose(new_dose),
                current=_dose(old_dose),
                factor=float(factor),
            )
        )
        if above_range:
            action = Action.HOLD_NEXT_DOSE_AND_RECHECK_TROUGH
    achieved = None
    if weight is not None:  # R9.5: checked by R4
        achieved = q(float(new_dose * per_day / _dec(weight, "kg")), "mg/kg/day")
        rate_issues = check_rate(achieved, protocol, field="new rate")
        if refusals(rate_issues):
            return _refused(*refusals(rate_issues))
        issues.extend(rate_issues)
    return AdjustmentOutcome(
        adjustment=Adjustment(
            current_daily=_mg(current_daily),
            measured=trough,
            target=target,
            proportional_daily=_mg(proportional),
            new_daily=_mg(new_daily),
            dose=rounded.dose,
            units=rounded.units,
            formulation=product,
            achieved_rate=achieved,
            capped=capped,
            action=action,
        ),
        issues=tuple(issues),
    )


# -- R10 product switches ------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Switch:
    source: Formulation
    target: Formulation
    current_daily: Quantity
    ratio: float
    new_daily: Quantity  # exact
    dose: Quantity  # per administration of the new product, rounded
    units: tuple[UnitCount, ...]

    @property
    def given_daily(self) -> Quantity:
        return _mg(_dec(self.dose, "mg") * self.target.administrations_per_day)


@dataclass(frozen=True, slots=True, kw_only=True)
class SwitchOutcome:
    switch: Switch | None
    issues: tuple[Issue, ...]


def switch_ratio(
    source: FormulationId, target: FormulationId, protocol: Protocol
) -> Decimal | None:
    """R10.2-R10.5: the ratio of the new total daily dose to the old one, or None where the
    protocol has no conversion."""
    ir, granules = FormulationId.IR_CAPSULE, FormulationId.GRANULES
    advagraf, envarsus = FormulationId.ADVAGRAF, FormulationId.ENVARSUS

    values = protocol.values

    def value(number: float) -> Decimal:
        return Decimal(repr(number))

    envarsus_value = (
        values.envarsus_conversion_eu
        if protocol.region is Region.EU
        else values.envarsus_conversion_us
    )
    ratios = {
        (ir, advagraf): lambda: value(values.advagraf_conversion),  # R10.2
        (ir, envarsus): lambda: value(envarsus_value),  # R10.3
        (advagraf, envarsus): lambda: value(envarsus_value),  # R10.3
        (advagraf, ir): lambda: 1 / value(values.advagraf_conversion),  # R10.4
        (envarsus, ir): lambda: 1 / value(envarsus_value),  # R10.4
        (ir, granules): lambda: value(values.granules_conversion),  # R10.5
        (granules, ir): lambda: 1 / value(values.granules_conversion),  # R10.5
    }
    ratio = ratios.get((source, target))
    return ratio() if ratio is not None else None


def switch(
    *,
    dose: Quantity,
    source: FormulationId | str,
    target: FormulationId | str,
    protocol: Protocol,
) -> SwitchOutcome:
    """R10: the dose of the new product from the total daily dose of the old one."""
    products = (_formulation(protocol, source), _formulation(protocol, target))
    for product in products:
        if isinstance(product, Issue):
            return SwitchOutcome(switch=None, issues=(product,))
    old, new = products
    assert isinstance(old, Formulation) and isinstance(new, Formulation)
    if old.id == new.id:
        return SwitchOutcome(
            switch=None,
            issues=(Issue.refusal(IssueCode.SWITCH_SAME_PRODUCT, field="to", value=str(new.id)),),
        )
    ratio = switch_ratio(old.id, new.id, protocol)
    if ratio is None:
        return SwitchOutcome(
            switch=None,
            issues=(
                Issue.refusal(
                    IssueCode.SWITCH_NOT_IN_PROTOCOL, field="to", value=f"{old.id} → {new.id}"
                ),
            ),
        )
    if _check_amount(dose, protocol):
        return SwitchOutcome(switch=None, issues=_check_amount(dose, protocol))
    current_daily = _dec(dose, "mg") * old.administrations_per_day
    new_daily = current_daily * ratio
    if check_daily_without_weight(new_daily, protocol):  # R4.5, R12.7: a switch has no weight
        return SwitchOutcome(switch=None, issues=check_daily_without_weight(new_daily, protocol))
    rounded = round_to_dispensable(_mg(new_daily / new.administrations_per_day), new)
    if _dec(rounded.dose, "mg") == 0:
        return SwitchOutcome(switch=None, issues=(_below_smallest("new dose", new_daily, new),))
    issues = []
    if new.id is FormulationId.ADVAGRAF:  # R10.2
        issues.append(Issue.warning(IssueCode.SWITCH_TROUGH_MAY_FALL, field="to", value=new.name))
    if old.administrations_per_day == 1 and new.administrations_per_day == 2:  # R10.4
        issues.append(
            Issue.warning(
                IssueCode.SWITCH_TROUGH_DUE_SOON,
                field="to",
                value=new.name,
                low=protocol.values.steady_state_days,
                high=protocol.values.switch_trough_days,
            )
        )
    else:  # R10.6
        issues.append(
            Issue.warning(
                IssueCode.SWITCH_TROUGH_DUE,
                field="to",
                value=new.name,
                days=protocol.values.switch_trough_days,
            )
        )
    if old.administrations_per_day == 2 and new.administrations_per_day == 1:  # R10.7
        issues.append(Issue.note(IssueCode.SWITCH_FIRST_DOSE_MORNING, field="to", value=new.name))
    return SwitchOutcome(
        switch=Switch(
            source=old,
            target=new,
            current_daily=_mg(current_daily),
            ratio=float(ratio),
            new_daily=_mg(new_daily),
            dose=rounded.dose,
            units=rounded.units,
        ),
        issues=tuple(issues),
    )
