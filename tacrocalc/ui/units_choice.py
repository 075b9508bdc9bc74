"""The display units a user has chosen (R1.4); light enough to import before the window shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tacrocalc.domain.units import Kind


@dataclass(frozen=True, slots=True, kw_only=True)
class Units:
    """The display units chosen in the settings (R1.4)."""

    trough: str = "µg/L"
    creatinine: str = "µmol/L"
    weight: str = "kg"

    def pint(self, kind: Kind) -> str:
        from tacrocalc.domain.units import DISPLAY_UNITS, Kind

        shown = {
            Kind.TROUGH: self.trough,
            Kind.CREATININE: self.creatinine,
            Kind.WEIGHT: self.weight,
        }[kind]
        return DISPLAY_UNITS[kind][shown]
