"""The one unit registry of TacroCalc, and the parsing and formatting of quantities (R1).

The registry knows only the units TacroCalc accepts, so that it loads in milliseconds and
rejects anything else. Every quantity that crosses a module boundary is a pint Quantity in the
unit it is stored in (R1.2); magnitudes are rounded only for display.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final, TypeAlias

from tacrocalc.domain.issues import Issue, IssueCode

# Only what TacroCalc accepts (R1.2). The molar masses used for the nmol/L and mg/dL
# conversions are in MOLAR_MASS_G_PER_MOL below, with their source.
_DEFINITIONS: Final = """
gram = [mass] = g
metre = [length] = m
second = [time] = s
mole = [substance] = mol
micro- = 1e-6 = µ- = u-
milli- = 1e-3 = m-
kilo- = 1e3 = k-
deci- = 1e-1 = d-
nano- = 1e-9 = n-
minute = 60 * second = min
hour = 60 * minute = h
day = 24 * hour = d
pound = 0.45359237 * kilogram = lb
litre = decimetre ** 3 = L = l
millimetre_Hg = 133.322387415 * kilogram / metre / second ** 2 = mmHg
@context(mw=1) molar
    [substance] / [length] ** 3 -> [mass] / [length] ** 3: value * mw
    [mass] / [length] ** 3 -> [substance] / [length] ** 3: value / mw
@end
"""

if TYPE_CHECKING:
    import pint

    Quantity: TypeAlias = pint.Quantity[Any]  # a magnitude with its unit; from `registry()`
else:
    Quantity = Any


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry[Any]:
    """The one registry, made when the first quantity is (importing pint takes ~150 ms, so the
    window is painted before it is needed)."""
    import pint

    ureg: pint.UnitRegistry[Any] = pint.UnitRegistry(None, cache_folder=None)
    ureg.load_definitions(_DEFINITIONS.splitlines())
    pint.set_application_registry(ureg)  # type: ignore[no-untyped-call]
    return ureg


# R1.3: tacrolimus C44H69NO12 804.02 g/mol (1 µg/L = 1.2437 nmol/L);
# creatinine C4H7N3O 113.12 g/mol (1 mg/dL = 88.40 µmol/L).
MOLAR_MASS_G_PER_MOL: Final = {
    "tacrolimus": 804.02,
    "creatinine": 113.12,
}


class Kind(StrEnum):
    """The kinds of quantity a user types, each with its accepted and stored units (R1.2)."""

    WEIGHT = "weight"
    DOSE = "dose"
    DOSE_RATE = "dose_rate"
    TROUGH = "trough"
    CREATININE = "creatinine"
    PRESSURE = "pressure"


@dataclass(frozen=True, slots=True, kw_only=True)
class _KindSpec:
    description: str  # "a body weight": what a refusal says was expected
    stored: str  # pint unit string the value is stored in
    shown: str  # how the stored unit is printed
    accepted: dict[str, str]  # normalised text typed by the user -> pint unit string
    substance: str | None = None  # molar mass used for mol-based units


_SPECS: Final[dict[Kind, _KindSpec]] = {
    Kind.WEIGHT: _KindSpec(
        description="a body weight",
        stored="kg",
        shown="kg",
        accepted={"kg": "kg", "g": "g", "lb": "lb", "lbs": "lb"},
    ),
    Kind.DOSE: _KindSpec(
        description="a dose",
        stored="mg",
        shown="mg",
        accepted={"mg": "mg", "mcg": "ug", "ug": "ug"},
    ),
    Kind.DOSE_RATE: _KindSpec(
        description="a dose rate",
        stored="mg/kg/day",
        shown="mg/kg/day",
        accepted={"mg/kg/day": "mg/kg/day", "mg/kg/d": "mg/kg/day"},
    ),
    Kind.TROUGH: _KindSpec(
        description="a tacrolimus whole-blood level",
        stored="ug/L",
        shown="µg/L",
        accepted={"ug/l": "ug/L", "mcg/l": "ug/L", "ng/ml": "ng/mL", "nmol/l": "nmol/L"},
        substance="tacrolimus",
    ),
    Kind.CREATININE: _KindSpec(
        description="a serum creatinine",
        stored="umol/L",
        shown="µmol/L",
        accepted={"umol/l": "umol/L", "mg/dl": "mg/dL"},
        substance="creatinine",
    ),
    Kind.PRESSURE: _KindSpec(
        description="a blood pressure",
        stored="mmHg",
        shown="mmHg",
        accepted={"mmhg": "mmHg"},
    ),
}

# Display units a user may choose for lab values (R1.4); doses are always shown in mg.
DISPLAY_UNITS: Final[dict[Kind, dict[str, str]]] = {
    Kind.TROUGH: {"µg/L": "ug/L", "ng/mL": "ng/mL"},
    Kind.CREATININE: {"µmol/L": "umol/L", "mg/dL": "mg/dL"},
    Kind.WEIGHT: {"kg": "kg", "lb": "lb"},
}

_NUMBER = re.compile(
    r"^\s*(?P<lt><)?\s*(?P<num>[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+))(?P<exp>[eE][+-]?\d+)?"
    r"\s*(?P<unit>.*?)\s*$"
)
# A number written as a power of ten ("1.6e+03") is refused with its plain digits to type
# instead, when they are short enough to be a value someone meant.
_PLAIN_DIGITS_MAX: Final = 12


def _normalise_unit(text: str) -> str:
    text = text.replace("\u03bc", "u").replace("\u00b5", "u")  # Greek mu and micro sign
    return re.sub(r"\s+", "", text).lower()


@dataclass(frozen=True, slots=True, kw_only=True)
class Parsed:
    """A parsed quantity in its stored unit, or the issue that refused it."""

    quantity: Quantity | None = None
    below_limit: bool = False  # typed as "<2 ug/L": a result below the assay's limit (R12.2)
    issue: Issue | None = None


def _refuse(code: IssueCode, field: str, text: str, **params: str) -> Parsed:
    return Parsed(issue=Issue.refusal(code, field=field, value=text, **params))


def _number(num: str, field: str, text: str, decimal_comma: bool) -> float | Parsed:
    """Read a number typed with a decimal point, or a decimal comma (R12.5)."""
    if "," in num:
        digits_after = len(num.split(",", 1)[1])
        # "1,200" could be a thousands separator: accept it as a decimal comma only where the
        # user's locale writes numbers that way.
        if digits_after == 3 and not decimal_comma:
            return _refuse(IssueCode.AMBIGUOUS_NUMBER, field, text)
        num = num.replace(",", ".")
    value = float(num)
    if not math.isfinite(value):
        return _refuse(IssueCode.NOT_A_NUMBER, field, text)
    return value


def _scientific(match: re.Match[str], field: str, text: str) -> Parsed:
    """Scientific notation is refused on every path (R12.5): no ward writes a dose or a
    level as a power of ten, so "1.6e+03" comes from a program's export, and one stray key
    ("2e1", "2e-1") would make a plausible value a hundred times another. The refusal gives
    the plain digits to type instead."""
    try:
        value = Decimal(match["num"].replace(",", ".") + match["exp"])
    except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
        value = Decimal("NaN")
    digits = format(value, "f") if value.is_finite() else ""
    if "." in digits:
        digits = digits.rstrip("0").rstrip(".")
    if not digits or len(digits.lstrip("+-").replace(".", "")) > _PLAIN_DIGITS_MAX:
        return _refuse(IssueCode.NOT_A_NUMBER, field, text)
    unit = f" {match['unit']}" if match["unit"] else ""
    plain = f"{'<' if match['lt'] else ''}{digits}{unit}"
    return _refuse(IssueCode.SCIENTIFIC_NOTATION, field, text, digits=plain)


def stored_unit(kind: Kind) -> str:
    return _SPECS[kind].stored


def expected_units(kind: Kind) -> str:
    """The units a user may type for a kind, as a refusal lists them."""
    spec = _SPECS[kind]
    shown = {"ug/l": "µg/L", "mcg/l": "mcg/L", "ng/ml": "ng/mL", "nmol/l": "nmol/L"}
    shown |= {"umol/l": "µmol/L", "mg/dl": "mg/dL", "mmhg": "mmHg", "ug": "µg"}
    return ", ".join(dict.fromkeys(shown.get(a, a) for a in spec.accepted if a != "lbs"))


def normalise(value: float) -> float:
    """Drop binary floating-point noise left by a unit conversion (8.200000000000001 -> 8.2).

    Twelve significant digits are far beyond any clinical precision and far within a float's, so
    this never changes a value a user could have meant; it keeps a level typed as 25 ng/mL from
    being classified above a 25 µg/L limit.
    """
    return float(f"{value:.12g}")


def convert(quantity: Quantity, unit: str, *, kind: Kind) -> Quantity:
    """Convert to `unit`, through the molar mass of the kind's substance where needed (R1.3)."""
    spec = _SPECS[kind]
    if spec.substance is not None and quantity.dimensionality != unit_of(unit).dimensionality:
        molar_mass = q(MOLAR_MASS_G_PER_MOL[spec.substance], "g/mol")
        with registry().context("molar", mw=molar_mass):
            converted = quantity.to(unit_of(unit))
    else:
        converted = quantity.to(unit_of(unit))
    return registry().Quantity(normalise(float(converted.magnitude)), converted.units)


def parse(
    text: str,
    kind: Kind,
    *,
    field: str,
    default_unit: str | None = None,
    decimal_comma: bool = False,
    allow_below_limit: bool = False,
) -> Parsed:
    """Parse what a user typed ("72 kg", "0,1 mg/kg/day", "<2 ug/L") into the stored unit.

    `default_unit` is used when the text is a bare number (the display-unit setting of the GUI);
    without one, a bare number is refused (R1.1).
    """
    spec = _SPECS[kind]
    match = _NUMBER.match(text)
    if match is None or not text.strip():
        return _refuse(IssueCode.NOT_A_NUMBER, field, text)
    if match["lt"] and not allow_below_limit:
        return _refuse(IssueCode.BELOW_LIMIT_NOT_ALLOWED, field, text)
    if match["exp"]:
        return _scientific(match, field, text)
    number = _number(match["num"], field, text, decimal_comma)
    if isinstance(number, Parsed):
        return number
    if match["lt"] and number <= 0:  # R12.2: "<" names the assay's limit, a level above zero
        return _refuse(IssueCode.BELOW_LIMIT_NOT_POSITIVE, field, text)
    unit_text = match["unit"] or default_unit
    if not unit_text:
        return _refuse(IssueCode.MISSING_UNIT, field, text, expected=expected_units(kind))
    unit = spec.accepted.get(_normalise_unit(unit_text))
    if unit is None:
        code = IssueCode.UNKNOWN_UNIT
        try:  # only to say "not a unit" or "a unit of another kind"
            typed = registry().parse_units(_normalise_unit(unit_text).replace("mcg", "ug"))
        except Exception:  # pint raises what its evaluator meets: "x10/0" divides by zero,
            typed = None  # "\U00060183" fails an assertion of its tokenizer
        if typed is not None:
            code = IssueCode.WRONG_KIND_OF_UNIT
        return _refuse(
            code, field, text, expected=expected_units(kind), description=spec.description
        )
    quantity = convert(registry().Quantity(number, unit_of(unit)), spec.stored, kind=kind)
    return Parsed(quantity=quantity, below_limit=bool(match["lt"]))


def written_unit(text: str, kind: Kind) -> str | None:
    """The unit a quantity was written in ("4 ng/mL" -> "ng/mL"), if it is one TacroCalc
    accepts for `kind`; a protocol's values are shown in the units its authors wrote (R1.4)."""
    match = _NUMBER.match(text)
    if match is None or not match["unit"]:
        return None
    return _SPECS[kind].accepted.get(_normalise_unit(match["unit"]))


@lru_cache(maxsize=128)
def unit_of(text: str) -> pint.Unit:
    """A parsed unit, parsed once (parsing is what makes pint slow)."""
    return registry().Unit(text)


def magnitude(quantity: Quantity, unit_text: str) -> float:
    """The magnitude in `unit_text` (for comparisons and output; the quantity keeps its unit)."""
    target = unit_of(unit_text)
    if quantity.units == target:
        return float(quantity.magnitude)
    return float(quantity.m_as(target))


def q(value: float | str, unit: str) -> Quantity:
    """Build a quantity from a value and a unit string (protocol files, tests)."""
    return registry().Quantity(float(value), unit_of(unit))


def format_number(value: float, max_decimals: int = 2) -> str:
    """A number as clinicians write it: no trailing zeros, no float noise ("3.5", "0.1")."""
    text = f"{value:.{max_decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def format_quantity(
    quantity: Quantity, kind: Kind, unit: str | None = None, decimals: int = 2
) -> str:
    """`3.5 mg`, `8.2 µg/L`: the number with its unit, always (R1.4)."""
    spec = _SPECS[kind]
    unit = unit or spec.stored
    value = (
        magnitude(quantity, unit)
        if unit == spec.stored
        else float(convert(quantity, unit, kind=kind).magnitude)
    )
    shown = {v: k for k, v in DISPLAY_UNITS.get(kind, {}).items()}.get(unit)
    return (
        f"{format_number(value, decimals)} {shown or (spec.shown if unit == spec.stored else unit)}"
    )


_PAIR = re.compile(
    r"^\s*(?P<sys>\d+(?:[.,]\d+)?)\s*/\s*(?P<dia>\d+(?:[.,]\d+)?)\s*(?P<unit>.*?)\s*$"
)


def parse_blood_pressure(
    text: str, *, field: str, default_unit: str | None = None
) -> tuple[Quantity, Quantity] | Issue:
    """ "150/95 mmHg" -> (systolic, diastolic) in mmHg; or the issue that refuses it."""
    match = _PAIR.match(text)
    if match is None:
        return Issue.refusal(IssueCode.BAD_BLOOD_PRESSURE, field=field, value=text)
    unit = match["unit"] or default_unit or ""
    systolic = parse(f"{match['sys']} {unit}", Kind.PRESSURE, field=field, decimal_comma=True)
    diastolic = parse(f"{match['dia']} {unit}", Kind.PRESSURE, field=field, decimal_comma=True)
    for parsed in (systolic, diastolic):
        if parsed.issue is not None:
            return Issue.refusal(
                parsed.issue.code, field=field, value=text, **dict(parsed.issue.params)
            )
    assert systolic.quantity is not None and diastolic.quantity is not None
    return systolic.quantity, diastolic.quantity
