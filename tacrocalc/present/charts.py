"""The charts of a patient, as data: what the window (QtCharts) and the plan (reportlab) draw.

Three panels share one date axis: the trough with its target band, the upper-end caution line
and the daily dose as steps on a second axis; creatinine with its baseline and the +30 % line;
blood pressure with the systolic and diastolic limits. A point beyond a threshold is flagged.
The course (R15) is drawn on every panel: each event a vertical line with a short label, the
periods while treatment was held or stopped shaded. Each series, band and line carries the text
of its legend entry, in the display unit, and `LIGHT` and `DARK` are the colours both renderers
draw with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from tacrocalc.domain.assessment import Assessment
from tacrocalc.domain.course import EventKind, Status
from tacrocalc.domain.issues import Percent, Pressure
from tacrocalc.domain.thresholds import TroughClass
from tacrocalc.domain.units import Kind, magnitude
from tacrocalc.present.units import DisplayUnits
from tacrocalc.present.words import Words, once_daily, trough_title

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
    legend: str = ""  # "trough (µg/L)"


@dataclass(frozen=True, slots=True, kw_only=True)
class Line:
    """A horizontal threshold."""

    value: float
    label: str  # "25 µg/L", written on the line
    kind: str = "limit"  # "limit" (alert beyond it), "caution", "baseline"
    legend: str = ""  # "upper end 20 µg/L"; empty: named with the band or line beside it


@dataclass(frozen=True, slots=True, kw_only=True)
class Band:
    low: float
    high: float
    label: str
    legend: str = ""  # "target 4–25 µg/L"


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """The daily dose from `day` until the next step (0 while held or stopped)."""

    day: date
    value: float  # mg/day


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """A course event (R15.1), drawn as a vertical line at `day` with `label` beside it."""

    day: date
    kind: EventKind
    label: str  # "switch": short, written on the chart
    text: str  # the whole event, for a tooltip: date, what, dose and product, reason


@dataclass(frozen=True, slots=True, kw_only=True)
class OffPeriod:
    """A period without tacrolimus (R15.4): from a hold or a stop to the resume or restart."""

    start: date
    end: date | None  # None: still held or stopped, to the right edge of the chart
    status: Status  # HELD or STOPPED
    legend: str  # "held", "stopped"


EVENT_LABELS: dict[EventKind, str] = {
    EventKind.START: "start",
    EventKind.CHANGE: "dose change",
    EventKind.SWITCH: "switch",
    EventKind.HOLD: "hold",
    EventKind.RESUME: "resume",
    EventKind.STOP: "stop",
    EventKind.RESTART: "restart",
}
OFF_WORDS: dict[Status, str] = {Status.HELD: "held", Status.STOPPED: "stopped"}
DOSE_LEGEND = "daily dose (mg/day)"
FLAGGED_LEGEND = "beyond a threshold"


Fill = tuple[str, float]  # "#rrggbb" and an opacity from 0 to 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Colours:
    """What the charts are drawn with, as "#rrggbb". Every line keeps a contrast of at least
    3:1 with the target band over the plot background (WCAG 2 relative luminance; checked on
    the colours the window draws with in tests/ui/test_chart_reading.py)."""

    background: str  # the plot area
    band: Fill  # the target range
    series: tuple[str, str]
    alert: str  # points beyond a threshold
    dose: str
    limit: str
    caution: str
    baseline: str
    event: str  # the vertical line of a course event and its label
    held: Fill  # the shading of a period on hold
    stopped: Fill  # the shading of a period stopped


LIGHT = Colours(
    background="#ffffff",
    band=("#2ea043", 0.18),
    series=("#1f4e9c", "#0f7a6b"),
    alert="#c62828",
    dose="#7a3e9d",
    limit="#c62828",
    caution="#9a5c00",
    baseline="#6b6b6b",
    event="#4a4a4a",
    held=("#80808a", 0.24),
    stopped=("#80808a", 0.38),
)
DARK = Colours(
    background="#1b1d23",
    band=("#2ea043", 0.28),
    series=("#7fb2ff", "#4fd1c5"),
    alert="#ff6b6b",
    dose="#d59cf6",
    limit="#ff7a7a",
    caution="#ffb74d",
    baseline="#b0b0b0",
    event="#c8c8c8",
    held=("#b4b4be", 0.22),
    stopped=("#b4b4be", 0.36),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Panel:
    title: str
    unit: str
    series: tuple[Series, ...]
    lines: tuple[Line, ...] = ()
    band: Band | None = None
    dose_steps: tuple[Step, ...] = ()  # drawn on a second axis, in mg/day
    dose_legend: str = ""
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
    events: tuple[Event, ...] = ()  # drawn on every panel
    off: tuple[OffPeriod, ...] = ()

    @property
    def panels(self) -> tuple[Panel, ...]:
        return (self.trough, self.creatinine, self.blood_pressure)


def _range(values: list[float], floor: float = 0.0) -> tuple[float, float]:
    """An axis from `floor` to a little above the largest value (never an empty range)."""
    top = max(values, default=1.0)
    return floor, top * 1.1 if top > 0 else 1.0


def course_marks(
    assessment: Assessment, words: Words
) -> tuple[tuple[Event, ...], tuple[OffPeriod, ...], tuple[Step, ...]]:
    """The course (R15) as the charts draw it: its events, the periods off treatment, and the
    daily dose from each event on (0 mg/day while held or stopped)."""
    protocol = assessment.protocol
    course = assessment.record.course()
    events: list[Event] = []
    off: list[OffPeriod] = []
    steps: list[Step] = []
    for index, period in enumerate(course):
        event = period.event
        label = EVENT_LABELS[event.kind]
        regimen = period.regimen
        text = f"{event.date.isoformat()} {label}"
        if regimen is not None:
            product = protocol.formulations.get(regimen.formulation)
            per_day = product.administrations_per_day if product else 1
            steps.append(Step(day=event.date, value=magnitude(regimen.dose, "mg") * per_day))
            text += f": {words.regimen(regimen)}"
        else:
            steps.append(Step(day=event.date, value=0.0))
            following = course[index + 1].start if index + 1 < len(course) else None
            off.append(
                OffPeriod(
                    start=event.date,
                    end=following,
                    status=period.status,
                    legend=OFF_WORDS[period.status],
                )
            )
            if event.resume_on is not None:
                text += f", resume planned on {event.resume_on.isoformat()}"
        if event.reason:
            text += f" ({event.reason})"
        events.append(Event(day=event.date, kind=event.kind, label=label, text=text))
    return tuple(events), tuple(off), tuple(steps)


def build_charts(assessment: Assessment, units: DisplayUnits) -> Charts:
    """The three panels of an assessed record, on one date axis, in `units` (R1.4): values,
    thresholds, axis titles, point labels and legends alike, with the course (R15) on each."""
    words = Words(units, assessment.protocol)
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
    lines = [  # the edges of the band, named in the legend by the band
        Line(value=low, label=words.quantity(target.low, Kind.TROUGH)),
        Line(value=high, label=words.quantity(target.high, Kind.TROUGH)),
    ]
    if target.caution is not None:
        caution = f"upper end {words.quantity(target.caution, Kind.TROUGH)}"
        lines.append(
            Line(value=trough(target.caution), label=caution, kind="caution", legend=caution)
        )
    events, off, steps = course_marks(assessment, words)
    trough_unit = units.label(Kind.TROUGH)
    target_text = (
        f"target {units.number(target.low, Kind.TROUGH)}–{words.quantity(target.high, Kind.TROUGH)}"
    )
    given = [p.regimen for p in assessment.record.course() if p.regimen is not None]
    once = [once_daily(regimen, assessment.protocol) for regimen in given]
    trough_panel = Panel(
        title=trough_title(twice_daily=not all(once), once_daily=any(once)),
        unit=trough_unit,
        series=(Series(name="trough", points=troughs, legend=f"trough ({trough_unit})"),),
        lines=tuple(lines),
        band=Band(low=low, high=high, label="target range", legend=target_text),
        dose_steps=steps,
        dose_legend=DOSE_LEGEND if steps else "",
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
        baseline = f"baseline {words.quantity(assessment.baseline.value, Kind.CREATININE)}"
        rise = f"+{pct} {words.quantity(assessment.rise_limit, Kind.CREATININE)}"
        creatinine_lines = [
            Line(
                value=creat(assessment.baseline.value),
                label=baseline,
                kind="baseline",
                legend=baseline,
            ),
            Line(
                value=creat(assessment.rise_limit),
                label=rise,
                legend=f"baseline {rise}",
            ),
        ]
    creatinine_unit = units.label(Kind.CREATININE)
    creatinine_panel = Panel(
        title="Serum creatinine",
        unit=creatinine_unit,
        series=(
            Series(name="creatinine", points=creatinine, legend=f"creatinine ({creatinine_unit})"),
        ),
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
    pressure_unit = units.label(Kind.PRESSURE)
    systolic_text = words.quantity(systolic_limit, Kind.PRESSURE)
    diastolic_text = words.quantity(diastolic_limit, Kind.PRESSURE)
    limits = words.render(Pressure(systolic_limit, diastolic_limit))
    pressure_panel = Panel(
        title="Blood pressure",
        unit=pressure_unit,
        series=(
            Series(name="systolic", points=systolic, legend=f"systolic ({pressure_unit})"),
            Series(name="diastolic", points=diastolic, legend=f"diastolic ({pressure_unit})"),
        ),
        lines=(
            Line(
                value=magnitude(systolic_limit, "mmHg"),
                label=systolic_text,
                legend=f"limits {limits}",  # one entry for the two dashed lines
            ),
            Line(
                value=magnitude(diastolic_limit, "mmHg"),
                label=diastolic_text,
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
    ] + [e.day for e in events]
    start = min(days, default=assessment.today)
    end = max([*days, assessment.today])
    return Charts(
        start=start,
        end=end,
        trough=trough_panel,
        creatinine=creatinine_panel,
        blood_pressure=pressure_panel,
        events=events,
        off=off,
    )


def label_rows(
    spans: list[tuple[float, float]],
    rows: int = 3,
    gap: float = 3.0,
    blocked: list[list[tuple[float, float]]] | None = None,
) -> list[int]:
    """The row of each label (0 at the top) so that labels on one row do not overlap: `spans`
    are each label's left and right ends, in drawing order (by date); `blocked` holds, for each
    row, the spans already taken there by other labels (a threshold's, on the plan). A label
    that fits on no row goes on the one whose last label ends first."""
    ends = [float("-inf")] * rows
    taken = blocked if blocked is not None else [[] for _ in range(rows)]

    def free(row: int, left: float, right: float) -> bool:
        return ends[row] + gap <= left and all(
            right + gap <= start or end + gap <= left for start, end in taken[row]
        )

    placed = []
    for left, right in spans:
        row = next((r for r in range(rows) if free(r, left, right)), None)
        if row is None:
            row = min(range(rows), key=lambda r: ends[r])
        ends[row] = right
        placed.append(row)
    return placed
