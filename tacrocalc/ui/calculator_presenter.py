"""What the regimen calculator shows, worked out without Qt so that it can be tested alone.

The widget hands over the text of its fields; this returns every label's text, the inline
refusal of each field, and the text the other field (rate or dose) should now hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from tacrocalc.domain.dosing import (
    DoseOutcome,
    describe_units,
    dose_from_amount,
    dose_from_rate,
    start_rate,
)
from tacrocalc.domain.issues import Issue, Severity
from tacrocalc.domain.protocol import FormulationId, Protocol
from tacrocalc.domain.units import Kind, Quantity, format_number, magnitude, parse
from tacrocalc.text import message


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
) -> CalculatorView:
    """R2-R4 for what is in the fields. Nothing is shown as a dose unless it can be given."""
    errors: dict[str, str] = {}
    weight = parse(
        weight_text,
        Kind.WEIGHT,
        field="weight",
        default_unit=weight_unit,
        decimal_comma=decimal_comma,
    )
    if weight_text.strip() and weight.issue is not None:
        errors["weight"] = message(weight.issue)
    kind, unit = (Kind.DOSE_RATE, "mg/kg/day") if source is Source.RATE else (Kind.DOSE, "mg")
    amount = parse(
        amount_text, kind, field=source.value, default_unit=unit, decimal_comma=decimal_comma
    )
    if amount_text.strip() and amount.issue is not None:
        errors[source.value] = message(amount.issue)
    if errors or weight.quantity is None or amount.quantity is None:
        return CalculatorView(field_errors=errors, other_field="")
    outcome: DoseOutcome
    if source is Source.RATE:
        outcome = dose_from_rate(
            weight=weight.quantity, rate=amount.quantity, formulation=formulation, protocol=protocol
        )
    else:
        outcome = dose_from_amount(
            weight=weight.quantity, dose=amount.quantity, formulation=formulation, protocol=protocol
        )
    for issue in outcome.issues:
        if issue.refuses:
            errors.setdefault(_field_of(issue, source), message(issue))
    warnings = tuple(message(i) for i in outcome.issues if not i.refuses)
    urgent = any(i.severity is Severity.URGENT for i in outcome.issues)
    dose = outcome.dose
    if dose is None:
        return CalculatorView(field_errors=errors, warnings=warnings, urgent=urgent, other_field="")
    product = dose.formulation
    per_day = product.administrations_per_day
    how = "every 12 hours" if per_day == 2 else "once daily"
    if source is Source.RATE:
        other = format_number(magnitude(dose.dose, "mg"), 3)
    else:
        other = format_number(magnitude(dose.achieved_rate, "mg/kg/day"), 4)
    return CalculatorView(
        field_errors=errors,
        warnings=warnings,
        urgent=urgent,
        other_field=other,
        daily=f"{format_number(magnitude(dose.daily, 'mg'), 3)} mg/day",
        dose=f"{format_number(magnitude(dose.dose, 'mg'), 3)} mg {how}",
        units=describe_units(dose.units, product.unit_name),
        times=" and ".join(t.strftime("%H:%M") for t in dose.times),
        achieved=(
            f"{format_number(magnitude(dose.achieved_rate, 'mg/kg/day'), 4)} mg/kg/day "
            f"(rounding {dose.rounding_change_pct:+.1f} %)"
        ),
        dose_mg=magnitude(dose.dose, "mg"),
        weight=dose.weight,
    )


def suggested_start_text(protocol: Protocol, *, prior_ciclosporin_nephrotoxicity: bool) -> str:
    """R4.1 / R4.4, as the rate field shows it."""
    rate = start_rate(protocol, prior_ciclosporin_nephrotoxicity=prior_ciclosporin_nephrotoxicity)
    return format_number(magnitude(rate, "mg/kg/day"), 4)
