"""The charts of a patient, as data: what the window (QtCharts) and the plan (reportlab) draw.

Three panels share one date axis: the trough with its target band, the upper-end caution line
and the daily dose as steps on a second axis; creatinine with its baseline and the +30 % line;
blood pressure with the systolic and diastolic limits. A point beyond a threshold is flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from tacrocalc.domain.assessment import Assessment
from tacrocalc.domain.issues import Percent, Pressure
from tacrocalc.domain.thresholds import TroughClass
from tacrocalc.domain.units import Kind, magnitude
from tacrocalc.present.units import DisplayUnits
from tacrocalc.present.words import Words

if TYPE_CHECKING:
    from tacrocalc.domain.units import Quantity


@dataclass(frozen=True, slots=True, kw_only=True)
class Point:
    day: date
    value: float
    flagged: bool = False  # beyond a threshold
    label: str = ""  # "8.1 µg/L": what a tooltip or a note shows, in the display unit


@dataclass(frozen=True, slots=True, kw_only=True)
class Series:
    name: str
    points: tuple[Point, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Line:
    """A horizontal threshold."""

    value: float
    label: str
    kind: str = "limit"  # "limit" (alert beyond it), "caution", "baseline"


@dataclass(frozen=True, slots=True, kw_only=True)
class Band:
    low: float
    high: float
    label: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """The daily dose from `day` until the next step."""

    day: date
    value: float  # mg/day


@dataclass(frozen=True, slots=True, kw_only=True)
class Panel:
    title: str
    unit: str
    series: tuple[Series, ...]
    lines: tuple[Line, ...] = ()
    band: Band | None = None
    dose_steps: tuple[Step, ...] = ()  # drawn on a second axis, in mg/day
    y_min: float = 0.0
    y_max: float = 1.0

    @property
    def empty(self) -> bool:
        return not any(s.points for s in self.series)


@dataclass(frozen=True, slots=True, kw_only=True)
class Charts:
    start: date
    end: date
    trough: Panel
    creatinine: Panel
    blood_pressure: Panel

    @property
    def panels(self) -> tuple[Panel, ...]:
        return (self.trough, self.creatinine, self.blood_pressure)


def _range(values: list[float], floor: float = 0.0) -> tuple[float, float]:
    """An axis from `floor` to a little above the largest value (never an empty range)."""
    top = max(values, default=1.0)
    return floor, top * 1.1 if top > 0 else 1.0


def build_charts(assessment: Assessment, units: DisplayUnits) -> Charts:
    """The three panels of an assessed record, on one date axis, in `units` (R1.4): values,
    thresholds, axis titles and point labels alike."""
    words = Words(units)
    protocol = assessment.protocol
    target = assessment.target

    def trough(value: Quantity) -> float:
        return units.value(value, Kind.TROUGH)

    def creat(value: Quantity) -> float:
        return units.value(value, Kind.CREATININE)

    low, high = trough(target.low), trough(target.high)
    troughs = tuple(
        Point(
            day=t.trough.date,
            value=trough(t.trough.value),
            flagged=t.klass in (TroughClass.BELOW, TroughClass.ABOVE),
            label=words.quantity(t.trough.value, Kind.TROUGH, below_limit=t.trough.below_limit),
        )
        for t in assessment.troughs
    )
    lines = [
        Line(value=low, label=words.quantity(target.low, Kind.TROUGH)),
        Line(value=high, label=words.quantity(target.high, Kind.TROUGH)),
    ]
    if target.caution is not None:
        lines.append(
            Line(
                value=trough(target.caution),
                label=f"upper end {words.quantity(target.caution, Kind.TROUGH)}",
                kind="caution",
            )
        )
    steps = []
    for regimen in assessment.record.regimens:
        product = protocol.formulations.get(regimen.formulation)
        per_day = product.administrations_per_day if product else 1
        steps.append(Step(day=regimen.start, value=magnitude(regimen.dose, "mg") * per_day))
    trough_panel = Panel(
        title="Tacrolimus 12-hour trough",
        unit=units.label(Kind.TROUGH),
        series=(Series(name="trough", points=troughs),),
        lines=tuple(lines),
        band=Band(low=low, high=high, label="target range"),
        dose_steps=tuple(steps),
        y_min=0.0,
        y_max=_range([p.value for p in troughs] + [high])[1],
    )

    creatinine = tuple(
        Point(
            day=c.creatinine.date,
            value=creat(c.creatinine.value),
            flagged=c.significant,
            label=words.quantity(c.creatinine.value, Kind.CREATININE)
            + (
                f" ({words.render(Percent(c.change_pct, 0, signed=True))})"
                if c.change_pct is not None
                else ""
            ),
        )
        for c in assessment.creatinine
    )
    creatinine_lines: list[Line] = []
    if assessment.baseline is not None and assessment.rise_limit is not None:
        pct = words.render(Percent(protocol.values.creatinine_significant_rise_pct, 0))
        creatinine_lines = [
            Line(
                value=creat(assessment.baseline.value),
                label=f"baseline {words.quantity(assessment.baseline.value, Kind.CREATININE)}",
                kind="baseline",
            ),
            Line(
                value=creat(assessment.rise_limit),
                label=f"+{pct} {words.quantity(assessment.rise_limit, Kind.CREATININE)}",
            ),
        ]
    creatinine_panel = Panel(
        title="Serum creatinine",
        unit=units.label(Kind.CREATININE),
        series=(Series(name="creatinine", points=creatinine),),
        lines=tuple(creatinine_lines),
        y_min=0.0,
        y_max=_range([p.value for p in creatinine] + [ln.value for ln in creatinine_lines])[1],
    )

    systolic_limit = protocol.values.systolic_limit
    diastolic_limit = protocol.values.diastolic_limit

    def pressure_points(which: str, limit: Quantity) -> tuple[Point, ...]:
        """Systolic or diastolic readings; each point's label is the whole reading."""
        return tuple(
            Point(
                day=p.reading.date,
                value=magnitude(getattr(p.reading, which), "mmHg"),
                flagged=getattr(p.reading, which) >= limit,
                label=words.render(Pressure(p.reading.systolic, p.reading.diastolic)),
            )
            for p in assessment.blood_pressure
        )

    systolic = pressure_points("systolic", systolic_limit)
    diastolic = pressure_points("diastolic", diastolic_limit)
    pressure_panel = Panel(
        title="Blood pressure",
        unit=units.label(Kind.PRESSURE),
        series=(
            Series(name="systolic", points=systolic),
            Series(name="diastolic", points=diastolic),
        ),
        lines=(
            Line(
                value=magnitude(systolic_limit, "mmHg"),
                label=words.quantity(systolic_limit, Kind.PRESSURE),
            ),
            Line(
                value=magnitude(diastolic_limit, "mmHg"),
                label=words.quantity(diastolic_limit, Kind.PRESSURE),
            ),
        ),
        y_min=0.0,
        y_max=_range([p.value for p in systolic] + [magnitude(systolic_limit, "mmHg")])[1],
    )
    days = [
        p.day
        for panel in (trough_panel, creatinine_panel, pressure_panel)
        for s in panel.series
        for p in s.points
    ] + [s.day for s in steps]
    start = min(days, default=assessment.today)
    end = max([*days, assessment.today])
    return Charts(
        start=start,
        end=end,
        trough=trough_panel,
        creatinine=creatinine_panel,
        blood_pressure=pressure_panel,
    )
