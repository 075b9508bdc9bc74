"""The charts of a patient, as data: what the window (QtCharts) and the plan (reportlab) draw.

Three panels share one date axis: the trough with its target band, the upper-end caution line
and the daily dose as steps on a second axis; creatinine with its baseline and the +30 % line;
blood pressure with the systolic and diastolic limits. A point beyond a threshold is flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tacrocalc.domain.assessment import Assessment
from tacrocalc.domain.thresholds import TroughClass
from tacrocalc.domain.units import format_number, magnitude


@dataclass(frozen=True, slots=True, kw_only=True)
class Point:
    day: date
    value: float
    flagged: bool = False  # beyond a threshold
    label: str = ""  # "8.1 µg/L": what a tooltip or a note shows


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


def _n(value: float, decimals: int = 1) -> str:
    return format_number(value, decimals)


def build_charts(assessment: Assessment) -> Charts:
    """The three panels of an assessed record, on one date axis."""
    protocol = assessment.protocol
    target = assessment.target
    low, high = magnitude(target.low, "ug/L"), magnitude(target.high, "ug/L")
    troughs = tuple(
        Point(
            day=t.trough.date,
            value=magnitude(t.trough.value, "ug/L"),
            flagged=t.klass in (TroughClass.BELOW, TroughClass.ABOVE),
            label=("<" if t.trough.below_limit else "")
            + f"{_n(magnitude(t.trough.value, 'ug/L'))} µg/L",
        )
        for t in assessment.troughs
    )
    lines = [Line(value=low, label=f"{_n(low)} µg/L"), Line(value=high, label=f"{_n(high)} µg/L")]
    if target.caution is not None:
        caution = magnitude(target.caution, "ug/L")
        lines.append(Line(value=caution, label=f"upper end {_n(caution)} µg/L", kind="caution"))
    steps = []
    for regimen in assessment.record.regimens:
        product = protocol.formulations.get(regimen.formulation)
        per_day = product.administrations_per_day if product else 1
        steps.append(Step(day=regimen.start, value=magnitude(regimen.dose, "mg") * per_day))
    trough_panel = Panel(
        title="Tacrolimus 12-hour trough",
        unit="µg/L",
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
            value=magnitude(c.creatinine.value, "umol/L"),
            flagged=c.significant,
            label=f"{_n(magnitude(c.creatinine.value, 'umol/L'))} µmol/L"
            + (f" ({c.change_pct:+.0f} %)" if c.change_pct is not None else ""),
        )
        for c in assessment.creatinine
    )
    creatinine_lines: list[Line] = []
    if assessment.baseline is not None and assessment.rise_limit is not None:
        base = magnitude(assessment.baseline.value, "umol/L")
        limit = magnitude(assessment.rise_limit, "umol/L")
        pct = _n(protocol.number("creatinine_significant_rise_pct"), 0)
        creatinine_lines = [
            Line(value=base, label=f"baseline {_n(base)} µmol/L", kind="baseline"),
            Line(value=limit, label=f"+{pct} % {_n(limit)} µmol/L"),
        ]
    creatinine_panel = Panel(
        title="Serum creatinine",
        unit="µmol/L",
        series=(Series(name="creatinine", points=creatinine),),
        lines=tuple(creatinine_lines),
        y_min=0.0,
        y_max=_range([p.value for p in creatinine] + [ln.value for ln in creatinine_lines])[1],
    )

    systolic_limit = magnitude(protocol.quantity("systolic_limit"), "mmHg")
    diastolic_limit = magnitude(protocol.quantity("diastolic_limit"), "mmHg")

    def pressure_points(which: str, limit: float) -> tuple[Point, ...]:
        """Systolic or diastolic readings; each point's label is the whole reading."""
        return tuple(
            Point(
                day=p.reading.date,
                value=magnitude(getattr(p.reading, which), "mmHg"),
                flagged=magnitude(getattr(p.reading, which), "mmHg") >= limit,
                label=f"{_n(magnitude(p.reading.systolic, 'mmHg'), 0)}/"
                f"{_n(magnitude(p.reading.diastolic, 'mmHg'), 0)} mmHg",
            )
            for p in assessment.blood_pressure
        )

    systolic = pressure_points("systolic", systolic_limit)
    diastolic = pressure_points("diastolic", diastolic_limit)
    pressure_panel = Panel(
        title="Blood pressure",
        unit="mmHg",
        series=(
            Series(name="systolic", points=systolic),
            Series(name="diastolic", points=diastolic),
        ),
        lines=(
            Line(value=systolic_limit, label=f"{_n(systolic_limit, 0)} mmHg"),
            Line(value=diastolic_limit, label=f"{_n(diastolic_limit, 0)} mmHg"),
        ),
        y_min=0.0,
        y_max=_range([p.value for p in systolic] + [systolic_limit])[1],
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
