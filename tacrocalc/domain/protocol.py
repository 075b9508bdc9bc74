"""Protocols as data: every clinical number with the rule it implements and its source.

A protocol is read from a TOML document (parsed elsewhere; this module sees only the mapping)
and validated into a `Protocol`. A document may `extend` another and override some values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final

from tacrocalc.domain.issues import Issue, IssueCode
from tacrocalc.domain.units import Kind, Quantity, magnitude, parse, stored_unit, written_unit


class FormulationId(StrEnum):
    IR_CAPSULE = "ir-capsule"
    GRANULES = "granules"
    ADVAGRAF = "advagraf"
    ENVARSUS = "envarsus"


class Region(StrEnum):
    EU = "EU"
    US = "US"


@dataclass(frozen=True, slots=True, kw_only=True)
class Formulation:
    """A product and the unit strengths it comes in (R3.1)."""

    id: FormulationId
    name: str
    unit_name: str  # "capsule", "sachet", "tablet"
    strengths: tuple[Decimal, ...]  # mg, exact
    administrations_per_day: int
    source: str

    @property
    def interval(self) -> timedelta:
        return timedelta(hours=24 / self.administrations_per_day)


@dataclass(frozen=True, slots=True, kw_only=True)
class Sourced:
    """Where a protocol value comes from, for the printed plan."""

    rule: str
    source: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ProtocolValues:
    """Every clinical number of a protocol, one typed field each, so that a misspelt name is an
    error mypy reports. The metadata says what the protocol file must write: `kind` is a Kind (a
    quantity with a unit), or "int", "float" or "pct" (a float from 0 to 100); an `optional`
    value may be written "none". The fields are checked in this order, so a document with
    several bad values is refused for the first of them.
    """

    rounding_warning_pct: float = field(metadata={"kind": "pct"})
    start_rate: Quantity = field(metadata={"kind": Kind.DOSE_RATE})
    start_rate_prior_ciclosporin_nephrotoxicity: Quantity = field(metadata={"kind": Kind.DOSE_RATE})
    titration_ceiling: Quantity = field(metadata={"kind": Kind.DOSE_RATE})
    low_efficacy_rate: Quantity = field(metadata={"kind": Kind.DOSE_RATE})
    maximum_rate: Quantity = field(metadata={"kind": Kind.DOSE_RATE})
    trough_low: Quantity = field(metadata={"kind": Kind.TROUGH})
    trough_high: Quantity = field(metadata={"kind": Kind.TROUGH})
    trough_caution: Quantity | None = field(metadata={"kind": Kind.TROUGH, "optional": True})
    trough_window_hours: int = field(metadata={"kind": "int"})
    steady_state_days: int = field(metadata={"kind": "int"})
    creatinine_significant_rise_pct: float = field(metadata={"kind": "pct"})
    systolic_limit: Quantity = field(metadata={"kind": Kind.PRESSURE})
    diastolic_limit: Quantity = field(metadata={"kind": Kind.PRESSURE})
    first_check_from_days: int = field(metadata={"kind": "int"})
    first_check_by_days: int = field(metadata={"kind": "int"})
    early_interval_days: int = field(metadata={"kind": "int"})
    early_checks: int = field(metadata={"kind": "int"})
    monthly_interval_months: int = field(metadata={"kind": "int"})
    long_term_after_months: int = field(metadata={"kind": "int"})
    long_term_stable_months: int = field(metadata={"kind": "int"})
    long_term_trough_months: int = field(metadata={"kind": "int"})
    adjust_warn_factor: float = field(metadata={"kind": "float"})
    adjust_increase_cap_factor: float = field(metadata={"kind": "float"})
    trough_target: Quantity = field(metadata={"kind": Kind.TROUGH})
    dose_interval_tolerance_hours: int = field(metadata={"kind": "int"})
    first_check_earliest_days: int = field(metadata={"kind": "int"})
    two_weekly_check_early_days: int = field(metadata={"kind": "int"})
    monthly_check_early_days: int = field(metadata={"kind": "int"})
    long_term_after_anchor_months: int = field(metadata={"kind": "int"})
    long_term_min_checks: int = field(metadata={"kind": "int"})
    renal_recheck_days: int = field(metadata={"kind": "int"})
    urgent_systolic: Quantity = field(metadata={"kind": Kind.PRESSURE})
    urgent_diastolic: Quantity = field(metadata={"kind": Kind.PRESSURE})
    weight_drift_pct: float = field(metadata={"kind": "pct"})
    advagraf_conversion: float = field(metadata={"kind": "float"})
    granules_conversion: float = field(metadata={"kind": "float"})
    envarsus_conversion_eu: float = field(metadata={"kind": "float"})
    envarsus_conversion_us: float = field(metadata={"kind": "float"})
    switch_trough_days: int = field(metadata={"kind": "int"})
    co_medication_trough_days: int = field(metadata={"kind": "int"})
    dose_min: Quantity = field(metadata={"kind": Kind.DOSE})
    dose_max: Quantity = field(metadata={"kind": Kind.DOSE})
    weight_min: Quantity = field(metadata={"kind": Kind.WEIGHT})
    weight_max: Quantity = field(metadata={"kind": Kind.WEIGHT})
    adult_weight: Quantity = field(metadata={"kind": Kind.WEIGHT})
    trough_min: Quantity = field(metadata={"kind": Kind.TROUGH})
    trough_max: Quantity = field(metadata={"kind": Kind.TROUGH})
    creatinine_min: Quantity = field(metadata={"kind": Kind.CREATININE})
    creatinine_max: Quantity = field(metadata={"kind": Kind.CREATININE})
    systolic_min: Quantity = field(metadata={"kind": Kind.PRESSURE})
    systolic_max: Quantity = field(metadata={"kind": Kind.PRESSURE})
    diastolic_min: Quantity = field(metadata={"kind": Kind.PRESSURE})
    diastolic_max: Quantity = field(metadata={"kind": Kind.PRESSURE})
    age_max_years: int = field(metadata={"kind": "int"})


# name -> what it is, and the values that may be "none": read from the fields above.
_VALUES: Final[dict[str, Kind | str]] = {f.name: f.metadata["kind"] for f in fields(ProtocolValues)}
_OPTIONAL: Final = frozenset(f.name for f in fields(ProtocolValues) if f.metadata.get("optional"))


@dataclass(frozen=True, slots=True, kw_only=True)
class TargetRange:
    """A trough target range, with the source the printed plan must state (R5.6)."""

    low: Quantity
    high: Quantity
    caution: Quantity | None
    source: str
    target: Quantity | None = None  # the R9.2 target, when the range's source states one
    target_source: str = ""

    @property
    def middle(self) -> Quantity:
        middle: Quantity = (self.low + self.high) / 2
        return middle

    def contains(self, level: Quantity) -> bool:
        return bool(self.low <= level <= self.high)

    @property
    def aim(self) -> Quantity:
        """R9.2: the target of a proportional adjustment. The stated target; else the middle of
        the part of the range below the upper-end caution, the derivation of the seed's 12 µg/L."""
        if self.target is not None:
            return self.target
        top = self.caution if self.caution is not None else self.high
        aim: Quantity = (self.low + top) / 2
        return aim


@dataclass(frozen=True, slots=True, kw_only=True)
class Protocol:
    id: str
    version: str
    title: str
    source: str
    region: Region
    twice_daily_times: tuple[time, ...]
    once_daily_times: tuple[time, ...]
    formulations: Mapping[FormulationId, Formulation]
    values: ProtocolValues
    sources: Mapping[str, Sourced]  # by value name, for the printed plan
    # the units the protocol writes its trough and creatinine values in: the default display
    written_units: Mapping[Kind, str] = field(default_factory=dict)

    @property
    def target(self) -> TargetRange:
        return TargetRange(
            low=self.values.trough_low,
            high=self.values.trough_high,
            caution=self.values.trough_caution,
            source=self.sources["trough_low"].source,
            target=self.values.trough_target,
            target_source=self.sources["trough_target"].source,
        )

    def times_for(self, formulation: Formulation) -> tuple[time, ...]:
        if formulation.administrations_per_day == 1:
            return self.once_daily_times
        return self.twice_daily_times


class ProtocolError(ValueError):
    """A protocol document that cannot be used; `issue` names the key and the reason."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(f"{issue.field}: {issue.value} ({dict(issue.params).get('reason', '')})")
        self.issue = issue


def _bad(field: str, value: object, reason: str) -> ProtocolError:
    return ProtocolError(
        Issue.refusal(IssueCode.BAD_PROTOCOL, field=field, value=str(value), reason=reason)
    )


def merge(parent: Mapping[str, Any], child: Mapping[str, Any]) -> dict[str, Any]:
    """A child document overrides its parent's top-level keys and the entries of its tables."""
    merged = dict(parent)
    for key, value in child.items():
        if isinstance(value, Mapping) and isinstance(parent.get(key), Mapping):
            merged[key] = {**parent[key], **value}
        else:
            merged[key] = value
    merged.pop("extends", None)
    return merged


_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _times(field: str, entry: Any) -> tuple[time, ...]:
    values = entry.get("value") if isinstance(entry, Mapping) else None
    if not isinstance(values, list) or not values:
        raise _bad(field, entry, 'a list of times such as ["08:00", "20:00"] is needed')
    times = []
    for text in values:
        match = _TIME.match(str(text))
        if match is None:
            raise _bad(field, text, "a time is written HH:MM, 24-hour clock")
        times.append(time(int(match[1]), int(match[2])))
    return tuple(times)


def _formulation(key: str, doc: Any) -> Formulation:
    field = f"formulations.{key}"
    try:
        fid = FormulationId(key)
    except ValueError:
        raise _bad(field, key, "unknown formulation id") from None
    if not isinstance(doc, Mapping):
        raise _bad(field, doc, "a table is needed")
    strengths = []
    for text in doc.get("strengths", ()):
        parsed = parse(str(text), Kind.DOSE, field=f"{field}.strengths")
        if parsed.quantity is None or magnitude(parsed.quantity, "mg") <= 0:
            raise _bad(f"{field}.strengths", text, "a positive strength in mg is needed")
        strengths.append(Decimal(repr(magnitude(parsed.quantity, "mg"))))
    if not strengths:
        raise _bad(f"{field}.strengths", "", "at least one strength is needed")
    per_day = doc.get("administrations_per_day")
    if per_day not in (1, 2):
        raise _bad(f"{field}.administrations_per_day", per_day, "1 or 2 administrations a day")
    for name in ("name", "unit_name", "source"):
        if not isinstance(doc.get(name), str) or not doc[name].strip():
            raise _bad(f"{field}.{name}", doc.get(name, ""), "text is needed")
    return Formulation(
        id=fid,
        name=doc["name"],
        unit_name=doc["unit_name"],
        strengths=tuple(sorted(strengths)),
        administrations_per_day=per_day,
        source=doc["source"],
    )


def _value(name: str, kind: Kind | str, entry: Any) -> Any:
    field = f"values.{name}"
    if not isinstance(entry, Mapping) or "value" not in entry:
        raise _bad(field, entry, "a table { value = ..., rule = ..., source = ... } is needed")
    if not str(entry.get("source", "")).strip() or not str(entry.get("rule", "")).strip():
        raise _bad(field, entry.get("value"), "every protocol value needs its rule and its source")
    raw = entry["value"]
    if name in _OPTIONAL and raw == "none":
        return None
    if isinstance(kind, Kind):
        parsed = parse(str(raw), kind, field=field)
        if parsed.quantity is None:
            raise _bad(field, raw, f"a quantity in {stored_unit(kind)} or a convertible unit")
        return parsed.quantity
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise _bad(field, raw, "a number is needed")
    if kind == "int" and (not isinstance(raw, int) or raw < 0):
        raise _bad(field, raw, "a whole number of 0 or more is needed")
    if raw < 0 or (kind == "pct" and raw > 100):
        raise _bad(field, raw, "out of range")
    return raw


def _check_order(values: Mapping[str, Any]) -> None:
    """Values that must come in order, so that a mistyped protocol cannot be used."""

    def below(a: str, b: str, *, or_equal: bool = False) -> None:
        low, high = values[a], values[b]
        if low is None or high is None:
            return
        if low > high or (low == high and not or_equal):
            raise _bad(f"values.{a}", low, f"must be below values.{b} ({high})")

    below("trough_min", "trough_low")
    below("trough_low", "trough_high")
    below("trough_low", "trough_caution")
    below("trough_caution", "trough_high", or_equal=True)
    below("trough_high", "trough_max")
    below("low_efficacy_rate", "titration_ceiling")
    below("titration_ceiling", "maximum_rate", or_equal=True)
    below("start_rate", "maximum_rate", or_equal=True)
    below("start_rate_prior_ciclosporin_nephrotoxicity", "maximum_rate", or_equal=True)
    below("weight_min", "adult_weight", or_equal=True)
    below("adult_weight", "weight_max")
    below("creatinine_min", "creatinine_max")
    below("dose_min", "dose_max")
    below("systolic_min", "systolic_max")
    below("diastolic_min", "diastolic_max")
    below("first_check_from_days", "first_check_by_days", or_equal=True)
    below("first_check_earliest_days", "first_check_from_days", or_equal=True)
    below("two_weekly_check_early_days", "early_interval_days")
    below("trough_low", "trough_target")
    below("trough_target", "trough_caution")
    below("trough_target", "trough_high")
    below("diastolic_limit", "urgent_diastolic")
    below("systolic_limit", "urgent_systolic")
    for name in ("start_rate", "maximum_rate", "early_interval_days", "early_checks"):
        if values[name] is not None and values[name] <= 0 * values[name]:
            raise _bad(f"values.{name}", values[name], "must be above zero")
    for name in ("adjust_warn_factor", "adjust_increase_cap_factor"):
        if values[name] <= 1:
            raise _bad(f"values.{name}", values[name], "must be above 1")


def _typed(values: Mapping[str, Any]) -> ProtocolValues:
    """The checked values as fields; a "float" or "pct" written as a whole number is a float."""
    typed: dict[str, Any] = {
        name: float(value) if _VALUES[name] in ("float", "pct") else value
        for name, value in values.items()
    }
    return ProtocolValues(**typed)


def protocol_from_document(doc: Mapping[str, Any]) -> Protocol:
    """Validate a merged protocol document. Raises ProtocolError naming the first bad key."""
    if doc.get("format") != "tacrocalc.protocol" or doc.get("format_version") != 1:
        raise _bad("format", doc.get("format"), "not a TacroCalc protocol file of version 1")
    for name in ("id", "version", "title", "source"):
        if not isinstance(doc.get(name), str) or not doc[name].strip():
            raise _bad(name, doc.get(name, ""), "text is needed")
    try:
        region = Region(str(doc.get("region")))
    except ValueError:
        raise _bad("region", doc.get("region"), "EU or US") from None
    times = doc.get("dose_times", {})
    formulations_doc = doc.get("formulations", {})
    formulations = {
        FormulationId(key): _formulation(key, value)
        for key, value in formulations_doc.items()
        if key in {f.value for f in FormulationId}
    }
    for key in formulations_doc:
        if key not in formulations:
            raise _bad(f"formulations.{key}", key, "unknown formulation id")
    values_doc = doc.get("values", {})
    unknown = sorted(set(values_doc) - set(_VALUES))
    if unknown:
        raise _bad(f"values.{unknown[0]}", unknown[0], "not a value TacroCalc knows")
    missing = [name for name in _VALUES if name not in values_doc]
    if missing:
        raise _bad(f"values.{missing[0]}", "", "missing")
    values = {name: _value(name, kind, values_doc[name]) for name, kind in _VALUES.items()}
    _check_order(values)
    sources = {
        name: Sourced(rule=str(entry["rule"]), source=str(entry["source"]))
        for name, entry in values_doc.items()
    }
    twice = _times("dose_times.twice_daily", times.get("twice_daily"))
    once = _times("dose_times.once_daily", times.get("once_daily"))
    if len(twice) != 2 or len(once) != 1:
        raise _bad("dose_times", times, "two times for twice daily, one for once daily")
    return Protocol(
        id=doc["id"],
        version=doc["version"],
        title=doc["title"],
        source=doc["source"],
        region=region,
        twice_daily_times=twice,
        once_daily_times=once,
        formulations=formulations,
        values=_typed(values),
        sources=sources,
        written_units={
            kind: unit
            for kind, name in ((Kind.TROUGH, "trough_low"), (Kind.CREATININE, "creatinine_max"))
            if (unit := written_unit(str(values_doc[name]["value"]), kind)) is not None
        },
    )
