"""The units TacroCalc shows values in (R1.4): the one list of choices, the user's choice, and
the text of a quantity in it.

Values are stored in one unit per kind (R1.2); a lab value may be shown in another, chosen by the
user (the window's settings, or `--trough-unit` and `--creatinine-unit` on the command line).
Doses are always in mg, rates in mg/kg/day and blood pressures in mmHg.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from tacrocalc.domain.units import Kind, convert, format_number, magnitude, stored_unit

if TYPE_CHECKING:
    from tacrocalc.domain.protocol import Protocol
    from tacrocalc.domain.units import Quantity

# The units a user may choose per kind, the default first (R1.4).
CHOICES: Final[dict[Kind, tuple[str, ...]]] = {
    Kind.TROUGH: ("ug/L", "ng/mL", "nmol/L"),
    Kind.CREATININE: ("umol/L", "mg/dL"),
    Kind.WEIGHT: ("kg", "lb"),
}

# How a unit is printed, and how many decimals of it are meaningful at the bedside.
LABELS: Final[dict[str, str]] = {
    "ug/L": "µg/L",
    "ng/mL": "ng/mL",
    "nmol/L": "nmol/L",
    "umol/L": "µmol/L",
    "mg/dL": "mg/dL",
    "kg": "kg",
    "lb": "lb",
    "mg": "mg",
    "mg/kg/day": "mg/kg/day",
    "mmHg": "mmHg",
}
DECIMALS: Final[dict[str, int]] = {
    "ug/L": 2,
    "ng/mL": 2,
    "nmol/L": 1,
    "umol/L": 1,
    "mg/dL": 2,
    "kg": 1,
    "lb": 1,
    "mg": 3,
    "mg/kg/day": 3,
    "mmHg": 0,
}
_FIXED: Final[dict[Kind, str]] = {
    Kind.DOSE: "mg",
    Kind.DOSE_RATE: "mg/kg/day",
    Kind.PRESSURE: "mmHg",
}


def unit_from_text(kind: Kind, text: str) -> str:
    """The unit a label or a typed name stands for ("µg/L", "ug/L", "mcg/L" -> "ug/L").
    Raises ValueError naming the choices when it is not one of them."""
    wanted = text.strip().replace("µ", "u").replace("μ", "u").replace("mcg", "ug").lower()
    for unit in CHOICES[kind]:
        if unit.lower() == wanted:
            return unit
    shown = ", ".join(CHOICES[kind])
    raise ValueError(f'"{text}" is not a unit TacroCalc shows {kind.value} in; use one of {shown}')


@dataclass(frozen=True, slots=True, kw_only=True)
class DisplayUnits:
    """The user's choice of unit for each kind a choice exists for."""

    trough: str = CHOICES[Kind.TROUGH][0]
    creatinine: str = CHOICES[Kind.CREATININE][0]
    weight: str = CHOICES[Kind.WEIGHT][0]

    def __post_init__(self) -> None:
        for kind, unit in ((Kind.TROUGH, self.trough), (Kind.CREATININE, self.creatinine)):
            if unit not in CHOICES[kind]:
                raise ValueError(f"{unit!r} is not one of {CHOICES[kind]}")
        if self.weight not in CHOICES[Kind.WEIGHT]:
            raise ValueError(f"{self.weight!r} is not one of {CHOICES[Kind.WEIGHT]}")

    @classmethod
    def from_text(
        cls, *, trough: str | None = None, creatinine: str | None = None, weight: str | None = None
    ) -> DisplayUnits:
        """From labels or typed names; None keeps the default. Raises ValueError."""
        return cls(
            trough=unit_from_text(Kind.TROUGH, trough) if trough else CHOICES[Kind.TROUGH][0],
            creatinine=(
                unit_from_text(Kind.CREATININE, creatinine)
                if creatinine
                else CHOICES[Kind.CREATININE][0]
            ),
            weight=unit_from_text(Kind.WEIGHT, weight) if weight else CHOICES[Kind.WEIGHT][0],
        )

    @classmethod
    def of_protocol(cls, protocol: Protocol) -> DisplayUnits:
        """The units the protocol writes its values in, where TacroCalc can show them."""

        def written(kind: Kind) -> str:
            unit = protocol.written_units.get(kind, "")
            return unit if unit in CHOICES[kind] else CHOICES[kind][0]

        return cls(trough=written(Kind.TROUGH), creatinine=written(Kind.CREATININE))

    def unit(self, kind: Kind) -> str:
        """The pint unit a value of this kind is shown in."""
        if kind is Kind.TROUGH:
            return self.trough
        if kind is Kind.CREATININE:
            return self.creatinine
        if kind is Kind.WEIGHT:
            return self.weight
        return _FIXED[kind]

    def label(self, kind: Kind) -> str:
        """The unit as printed: "µg/L"."""
        return LABELS[self.unit(kind)]

    def value(self, quantity: Quantity, kind: Kind) -> float:
        """The magnitude in the display unit, converted through the molar mass where needed."""
        unit = self.unit(kind)
        if unit == stored_unit(kind):
            return magnitude(quantity, unit)
        return float(convert(quantity, unit, kind=kind).magnitude)

    def number(self, quantity: Quantity, kind: Kind, decimals: int | None = None) -> str:
        """The number alone, as a field or an axis shows it: "8.2"."""
        places = DECIMALS[self.unit(kind)] if decimals is None else decimals
        return format_number(self.value(quantity, kind), places)

    def text(
        self,
        quantity: Quantity,
        kind: Kind,
        *,
        below_limit: bool = False,
        decimals: int | None = None,
    ) -> str:
        """The number with its unit, always (R1.4): "8.2 µg/L", "<2 µg/L"."""
        number = self.number(quantity, kind, decimals)
        return f"{'<' if below_limit else ''}{number} {self.label(kind)}"

    def choices(self, kind: Kind) -> tuple[str, ...]:
        return CHOICES.get(kind, (self.unit(kind),))
