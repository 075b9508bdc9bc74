"""What the regimen calculator shows, worked out without Qt so that it can be tested alone.

The widget hands over the text of its fields (or the weight as a quantity, when it shows a
stored weight nobody has edited: text the program wrote is never parsed back); this returns every
label's text, the inline refusal of each field, and the text the other field (rate or dose)
should now hold. The dose times are chosen here, once, and Apply records the times shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from enum import StrEnum

from tacrocalc.domain.dosing import DoseOutcome, dose_from_amount, dose_from_rate, start_rate
from tacrocalc.domain.issues import Issue, Percent, Severity
from tacrocalc.domain.protocol import FormulationId, Protocol
from tacrocalc.domain.units import Kind, Quantity, format_number, magnitude, parse
from tacrocalc.present.words import Words, clocks, how_often, units_to_give


class Source(StrEnum):
    RATE = "rate"  # the user typed a rate in mg/kg/day
    DOSE = "dose"  # the user typed a dose per administration in mg


@dataclass(frozen=True, slots=True, kw_only=True)
class CalculatorView:
    """Everything the calculator displays after one edit."""

    field_errors: dict[str, str] = field(default_factory=dict)  # "weight"/"rate"/"dose" -> text
    warnings: tuple[str, ...] = ()
    urgent: bool = False
    other_field: str | None = None  # new text for the field the user did not type in
    daily: str = ""
    dose: str = ""
    units: str = ""
    times: str = ""
    achieved: str = ""
    dose_mg: float | None = None  # the rounded dose per administration
    weight: Quantity | None = None  # the weight it was worked out for
    dose_times: tuple[time, ...] = ()  # the times shown, which Apply records (R2.2)

    @property
    def has_dose(self) -> bool:
        return bool(self.dose)


def _field_of(issue: Issue, source: Source) -> str:
    """Which input a refusal belongs next to: the weight's, or the field the user typed in."""
    return "weight" if issue.field == "weight" else source.value


def calculate(
    *,
    protocol: Protocol,
    weight_text: str,
    weight_unit: str,
    formulation: FormulationId,
    source: Source,
    amount_text: str,
    decimal_comma: bool,
    words: Words,
    weight: Quantity | None = None,
    preferred_times: tuple[time, ...] = (),
) -> CalculatorView:
    """R2-R4 for what is in the fields. Nothing is shown as a dose unless it can be given.

    `weight`, when given, is the stored weight the field shows unedited, used as it is.
    `preferred_times` are the user's dose times (settings), used when they fit the product."""
    errors: dict[str, str] = {}
    message = words.message
    if weight is None:
        parsed_weight = parse(
            weight_text,
            Kind.WEIGHT,
            field="weight",
            default_unit=weight_unit,
            decimal_comma=decimal_comma,
        )
        if weight_text.strip() and parsed_weight.issue is not None:
            errors["weight"] = message(parsed_weight.issue)
        weight = parsed_weight.quantity
    kind, unit = (Kind.DOSE_RATE, "mg/kg/day") if source is Source.RATE else (Kind.DOSE, "mg")
    amount = parse(
        amount_text, kind, field=source.value, default_unit=unit, decimal_comma=decimal_comma
    )
    if amount_text.strip() and amount.issue is not None:
        errors[source.value] = message(amount.issue)
    if errors or weight is None or amount.quantity is None:
        return CalculatorView(field_errors=errors, other_field="")
    product = protocol.formulations.get(formulation)
    times = (
        preferred_times
        if product is not None and len(preferred_times) == product.administrations_per_day
        else None
    )
    if source is Source.RATE:
        outcome: DoseOutcome = dose_from_rate(
            weight=weight,
            rate=amount.quantity,
            formulation=formulation,
            protocol=protocol,
            times=times,
        )
    else:
        outcome = dose_from_amount(
            weight=weight,
            dose=amount.quantity,
            formulation=formulation,
            protocol=protocol,
            times=times,
        )
    for issue in outcome.issues:
        if issue.refuses:
            errors.setdefault(_field_of(issue, source), message(issue))
    warnings = tuple(message(i) for i in outcome.issues if not i.refuses)
    urgent = any(i.severity is Severity.URGENT for i in outcome.issues)
    dose = outcome.dose
    if dose is None:
        return CalculatorView(field_errors=errors, warnings=warnings, urgent=urgent, other_field="")
    given = dose.formulation
    how = how_often(given.administrations_per_day)
    if source is Source.RATE:
        other = format_number(magnitude(dose.dose, "mg"), 3)
    else:
        other = format_number(magnitude(dose.achieved_rate, "mg/kg/day"), 4)
    return CalculatorView(
        field_errors=errors,
        warnings=warnings,
        urgent=urgent,
        other_field=other,
        daily=daily_text(words.dose(dose.given_daily), words.dose(dose.daily)),
        dose=f"{words.dose(dose.dose)} {how}",
        units=units_to_give(dose.units, given.unit_name),
        times=clocks(dose.times),
        achieved=(
            f"{format_number(magnitude(dose.achieved_rate, 'mg/kg/day'), 4)} mg/kg/day"
            f" (rounding {words.render(Percent(dose.rounding_change_pct, signed=True))})"
        ),
        dose_mg=magnitude(dose.dose, "mg"),
        weight=dose.weight,
        dose_times=dose.times,
    )


def daily_text(given: str, exact: str) -> str:
    """R2.4: the daily dose given (the rounded dose × administrations a day); the daily figure
    the rate works out to only beside it, labelled "unrounded", when rounding changed it."""
    if given == exact:
        return f"{given}/day"
    return f"{given}/day (unrounded: {exact}/day)"


def suggested_start_text(protocol: Protocol, *, prior_ciclosporin_nephrotoxicity: bool) -> str:
    """R4.1 / R4.4, as the rate field shows it."""
    rate = start_rate(protocol, prior_ciclosporin_nephrotoxicity=prior_ciclosporin_nephrotoxicity)
    return format_number(magnitude(rate, "mg/kg/day"), 4)
