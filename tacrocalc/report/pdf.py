"""Laying the monitoring plan out as a PDF (reportlab; imported only when a plan is made).

A4 or US Letter, 18 mm margins, the patient's name, id and date of birth at the head of every
page and "page N of M" at its foot, DejaVu Sans embedded (µ, ≥, ×), vector charts, table
headers repeated on every page, and the same bytes for the same plan (`invariant`).

R16: the instruction comes first, in a box; "Call the prescriber the same day if" follows it;
rule numbers are printed only in one narrow column at the right (`RULE_WIDTH`); a heading is
never left at the foot of a page without the first lines of its section (`_section`).
"""

from __future__ import annotations

import io
import math
from datetime import date, timedelta
from functools import cache
from typing import Any

from reportlab import rl_config
from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from tacrocalc.paths import resources_dir
from tacrocalc.present.charts import LIGHT, Charts, Fill, Panel, label_rows
from tacrocalc.present.dates import month_year, short_date
from tacrocalc.present.plan import Line as PlanLine
from tacrocalc.present.plan import Plan

PAPER = {"a4": A4, "letter": LETTER}
MARGIN = 18 * mm
HEAD = 12 * mm  # room for the running header and footer
FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"
INK = colors.HexColor("#1a1a1a")
GRID = colors.HexColor("#9a9a9a")
ALERT = colors.HexColor("#b00020")
RULE_INK = colors.HexColor("#555555")  # rule numbers, for doctors and auditors (R16.2)
URGENT_BACK = colors.HexColor("#fbe9ec")
RULE_WIDTH = 24 * mm  # the one column rule numbers are printed in (R16.2)
SHORT_TABLE = 60 * mm  # a table this high or less is not split from its heading's page


@cache
def register_fonts() -> None:
    """DejaVu Sans from resources/fonts, embedded (subset) in every PDF that uses it."""
    folder = resources_dir() / "fonts"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(folder / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)
    # Drawings and canvases otherwise start in Helvetica, which would be referenced unembedded.
    rl_config.defaultGraphicsFontName = FONT
    rl_config.canvas_basefontname = FONT


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "body", fontName=FONT, fontSize=9, leading=12, textColor=INK, alignment=TA_LEFT
    )
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5),
        "cell": ParagraphStyle(  # a word too long for its column breaks at its own hyphen
            "cell", parent=body, fontSize=8, leading=10, embeddedHyphenation=2
        ),
        "title": ParagraphStyle(
            "title", parent=body, fontName=BOLD, fontSize=15, leading=19, spaceAfter=2 * mm
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=body,
            fontName=BOLD,
            fontSize=11,
            leading=14,
            spaceBefore=4 * mm,
            spaceAfter=1.5 * mm,
        ),
        "dose": ParagraphStyle("dose", parent=body, fontName=BOLD, fontSize=11, leading=14),
        "callhead": ParagraphStyle("callhead", parent=body, fontSize=10, leading=13),
        "item": ParagraphStyle(
            "item", parent=body, leftIndent=3 * mm, bulletIndent=0, bulletFontName=FONT
        ),
        "rule": ParagraphStyle("rule", parent=body, fontSize=7, leading=9, textColor=RULE_INK),
    }


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab has no type hints
    """Holds each page until the end so that the footer can say "page N of M"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, 1):
            self.__dict__.update(state)
            width, _ = self._pagesize
            self.setFont(FONT, 8)
            self.setFillColor(INK)
            self.drawRightString(width - MARGIN, MARGIN - 7 * mm, f"page {number} of {total}")
            super().showPage()
        super().save()


# -- charts ---------------------------------------------------------------------------------


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    span = high - low
    if span <= 0:
        return [low]
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(s * power for s in (1, 2, 2.5, 5, 10) if s * power >= raw)
    first = math.ceil(low / step) * step
    ticks = []
    while first <= high + 1e-9:
        ticks.append(round(first, 10))
        first += step
    return ticks


def _date_ticks(start: date, end: date) -> list[tuple[date, str]]:
    """Ticks on the date axis, each with its year in four digits: "3 Aug 2026" a few days
    apart, "Aug 2026" a month or more apart; never more than eight."""
    span = (end - start).days
    if span <= 70:
        step = next(s for s in (1, 2, 7, 14) if span // s < 8)
        return [
            (day, short_date(day))
            for day in (start + timedelta(days=d) for d in range(0, span + 1, step))
        ]
    every = 1 if span <= 200 else 2 if span <= 420 else 3 if span <= 800 else 6
    ticks, day = [], date(start.year, start.month, 1)
    while day <= end:
        if day >= start and (day.month - 1) % every == 0:
            ticks.append((day, month_year(day)))
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return ticks


def _colour(hex_rgb: str) -> Any:
    return colors.HexColor(hex_rgb)


def _shade(fill: Fill) -> Any:
    """A fill of the chart palette over white paper, as one solid colour."""
    hex_rgb, opacity = fill
    colour = colors.HexColor(hex_rgb)
    return colors.Color(
        *(1 - opacity + opacity * c for c in (colour.red, colour.green, colour.blue))
    )


def _label(
    text: str,
    x: float,
    y: float,
    *,
    size: float = 6.5,
    anchor: str = "start",
    color: Any = INK,
    bold: bool = False,
) -> String:
    return String(
        x,
        y,
        text,
        fontName=BOLD if bold else FONT,
        fontSize=size,
        fillColor=color,
        textAnchor=anchor,
    )


EVENT_LABEL_SIZE = 5.5


def _panel_drawing(panel: Panel, charts: Charts, width: float, height: float) -> Drawing:
    """One panel as on screen (`present.charts`, in the light palette): band, periods off
    treatment, thresholds, the course events with their labels, the dose steps, the points."""
    palette = LIGHT
    series_colours = tuple(_colour(c) for c in palette.series)
    alert, dose_colour = _colour(palette.alert), _colour(palette.dose)
    event_colour = _colour(palette.event)
    drawing = Drawing(width, height)
    # The same margins on every panel, so that their date axes line up (one shared axis).
    left, right, bottom, top = 34.0, 40.0, 14.0, 16.0
    plot_w, plot_h = width - left - right, height - bottom - top
    span = max(1, (charts.end - charts.start).days)
    y_low, y_high = panel.y_min, panel.y_max

    def x(day: date) -> float:
        return left + (day - charts.start).days / span * plot_w

    def y(value: float) -> float:
        return bottom + (min(max(value, y_low), y_high) - y_low) / (y_high - y_low) * plot_h

    drawing.add(_label(f"{panel.title} ({panel.unit})", left, height - 10, size=8, bold=True))
    if panel.band is not None:
        drawing.add(
            Rect(
                left,
                y(panel.band.low),
                plot_w,
                y(panel.band.high) - y(panel.band.low),
                fillColor=_shade(palette.band),
                strokeColor=None,
            )
        )
    for period in charts.off:  # R15: while held or stopped, shaded over the band
        shade = palette.held if period.status.value == "held" else palette.stopped
        x1 = x(period.end) if period.end is not None else left + plot_w
        drawing.add(
            Rect(
                x(period.start),
                bottom,
                max(0.5, x1 - x(period.start)),
                plot_h,
                fillColor=colors.Color(*_colour(shade[0]).rgb(), alpha=shade[1]),
                strokeColor=None,
            )
        )
    drawing.add(
        Rect(left, bottom, plot_w, plot_h, fillColor=None, strokeColor=GRID, strokeWidth=0.5)
    )
    for tick in _ticks(y_low, y_high):
        drawing.add(Line(left - 2, y(tick), left, y(tick), strokeColor=GRID, strokeWidth=0.5))
        drawing.add(_label(f"{tick:g}", left - 3, y(tick) - 2, anchor="end"))
    for day, text in _date_ticks(charts.start, charts.end):
        drawing.add(Line(x(day), bottom, x(day), bottom - 2, strokeColor=GRID, strokeWidth=0.5))
        drawing.add(_label(text, x(day), bottom - 9, anchor="middle"))
    # where the thresholds' labels sit, so that the course events' labels keep clear of them
    threshold_labels: list[tuple[float, float, float, float]] = []  # left, right, low, high
    for line in panel.lines:
        color = _colour(
            palette.caution
            if line.kind == "caution"
            else palette.baseline
            if line.kind == "baseline"
            else palette.limit
        )
        dash = None if line.kind == "baseline" else [3, 2]
        drawing.add(
            Line(
                left,
                y(line.value),
                left + plot_w,
                y(line.value),
                strokeColor=color,
                strokeWidth=0.7,
                strokeDashArray=dash,
            )
        )
        label_w = pdfmetrics.stringWidth(line.label, FONT, 6)
        threshold_labels.append(
            (
                left + plot_w - 3 - label_w,
                left + plot_w - 1,
                y(line.value) + 0.8,
                y(line.value) + 7.3,
            )
        )
        drawing.add(
            Rect(
                left + plot_w - 3 - label_w,
                y(line.value) + 0.8,
                label_w + 2,
                6.5,
                fillColor=colors.white,
                strokeColor=None,
            )
        )
        drawing.add(
            _label(
                line.label,
                left + plot_w - 2,
                y(line.value) + 1.5,
                size=6,
                anchor="end",
                color=color,
            )
        )
    # the course events: a dotted line each, its label at the top, a row lower where it
    # would run into the one before
    widths = [pdfmetrics.stringWidth(e.label, FONT, EVENT_LABEL_SIZE) for e in charts.events]
    lefts = [
        min(x(event.day) + 1.5, left + plot_w - w - 1)
        for event, w in zip(charts.events, widths, strict=True)
    ]

    def row_y(row: int) -> float:
        return bottom + plot_h - 6.5 * (row + 1)

    blocked = [
        [
            (a, b)
            for a, b, low, high in threshold_labels
            if low < row_y(r) + 5 and row_y(r) - 1.2 < high
        ]
        for r in range(3)
    ]
    rows = label_rows(
        [(a, a + w) for a, w in zip(lefts, widths, strict=True)], gap=2.0, blocked=blocked
    )
    for event, label_x, label_w, row in zip(charts.events, lefts, widths, rows, strict=True):
        drawing.add(
            Line(
                x(event.day),
                bottom,
                x(event.day),
                bottom + plot_h,
                strokeColor=event_colour,
                strokeWidth=0.5,
                strokeDashArray=[1, 1.5],
            )
        )
        label_y = row_y(row)
        drawing.add(
            Rect(
                label_x - 0.5,
                label_y - 1.2,
                label_w + 1,
                6.2,
                fillColor=colors.white,
                fillOpacity=0.8,
                strokeColor=None,
            )
        )
        drawing.add(
            _label(event.label, label_x, label_y, size=EVENT_LABEL_SIZE, color=event_colour)
        )
    if panel.dose_steps:
        top_dose = max(s.value for s in panel.dose_steps) * 1.25

        def dose_y(value: float) -> float:
            return bottom + value / top_dose * plot_h

        points: list[float] = []
        for index, step in enumerate(panel.dose_steps):
            following = (
                panel.dose_steps[index + 1].day if index + 1 < len(panel.dose_steps) else charts.end
            )
            points += [x(step.day), dose_y(step.value), x(following), dose_y(step.value)]
        drawing.add(PolyLine(points, strokeColor=dose_colour, strokeWidth=1))
        for tick in _ticks(0, top_dose, 4):
            drawing.add(_label(f"{tick:g}", left + plot_w + 3, dose_y(tick) - 2, color=dose_colour))
        drawing.add(_label("mg/day", left + plot_w + 3, height - 10, color=dose_colour))
    if panel.empty:
        drawing.add(
            _label(
                "no results yet",
                left + plot_w / 2,
                bottom + plot_h / 2,
                size=8,
                anchor="middle",
                color=GRID,
            )
        )
    for index, series in enumerate(panel.series):
        color = series_colours[index % len(series_colours)]
        coords = [c for p in series.points for c in (x(p.day), y(p.value))]
        if len(series.points) > 1:
            drawing.add(PolyLine(coords, strokeColor=color, strokeWidth=0.8))
        for point in series.points:
            flagged = point.flagged
            drawing.add(
                Circle(
                    x(point.day),
                    y(point.value),
                    2.2 if flagged else 1.6,
                    fillColor=alert if flagged else color,
                    strokeColor=alert if flagged else color,
                    strokeWidth=0.5,
                )
            )
        if len(panel.series) > 1:  # a legend, top right: "systolic  diastolic"
            offset = 50 * (len(panel.series) - 1 - index)
            drawing.add(
                _label(
                    f"● {series.name}",
                    left + plot_w - offset,
                    height - 10,
                    color=color,
                    anchor="end",
                )
            )
    return drawing


# -- the document ---------------------------------------------------------------------------


def _table(
    rows: list[list[Any]], widths: list[float], *, header: bool = True, grid: bool = True
) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    style: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if grid:
        style.append(("GRID", (0, 0), (-1, -1), 0.4, GRID))
    else:  # text in line with the headings
        style.append(("LEFTPADDING", (0, 0), (0, -1), 0))
    if header:
        style += [
            ("FONTNAME", (0, 0), (-1, 0), BOLD),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ]
    table.setStyle(TableStyle(style))
    return table


CELL_PADDING = 12  # points: a table cell's left and right padding together (reportlab's 6 + 6)
WRITE_IN = 15 * mm  # the narrowest column a result is written in by hand


def _text_width(text: str, font: str = FONT, size: float = 8) -> float:
    return float(pdfmetrics.stringWidth(text, font, size))


def _lines(text: str, width: float) -> int:
    """How many lines `text` takes in a cell `width` wide (padding included)."""
    return len(simpleSplit(text, FONT, 8, width - CELL_PADDING)) or 1


def _schedule_widths(
    header: list[str], checks: tuple[tuple[str, str, str, str], ...], width: float
) -> list[float]:
    """The schedule's columns as wide as their content: the columns a result is written in
    by hand as wide as their heading, with room for a handwritten value; the check's number as
    wide as it is; "Due" as wide as a date and its "to"; and "Take" the width, in whole
    millimetres, that makes the tallest row lowest and then the table shortest, "Why" having
    the rest."""
    heading = [_text_width(h, BOLD) + CELL_PADDING for h in header]
    fixed = [max(w, WRITE_IN) for w in heading[4:]]
    number = max(heading[0], *(_text_width(c[0]) + CELL_PADDING for c in checks))
    due = max(
        heading[1],
        *(_text_width(part) + CELL_PADDING for c in checks for part in c[1].split(" to ")),
    )
    due += _text_width(" to")
    rest = width - number - due - sum(fixed)
    narrowest = max(
        heading[2], *(_text_width(w) + CELL_PADDING for c in checks for w in c[2].split())
    )

    def height(take: float) -> tuple[int, int, float]:
        rows = [max(_lines(c[2], take), _lines(c[3], rest - take)) for c in checks]
        # the lowest tallest row, then the shortest table, then the widest "Why"
        return max(rows), sum(rows), -(rest - take)

    steps = range(math.ceil(narrowest / mm), math.floor(rest / 2 / mm) + 1)
    take = min((n * mm for n in steps), key=height, default=rest / 2)
    return [number, due, take, rest - take, *fixed]


def _lead_height(flowable: Any, width: float, rows: int) -> float:
    """The height of the first lines of `flowable`: a table's first `rows` rows (header
    included; a short table whole), a paragraph's first `rows` lines, anything else whole."""
    _, height = flowable.wrap(width, 10_000)
    if isinstance(flowable, Table) and height > SHORT_TABLE:
        return float(sum(flowable._rowHeights[:rows]))  # set by wrap
    if isinstance(flowable, Paragraph):
        return float(min(height, rows * flowable.style.leading))
    return float(height) + float(flowable.getSpaceBefore()) + float(flowable.getSpaceAfter())


def _section(heading: Paragraph, body: list[Any], width: float, *, whole: int = 0) -> list[Any]:
    """R16.4: a heading stays on the page with the first lines of its section: the first
    `whole` flowables of `body` and the first rows or lines of the one after them. A heading
    that would end a page moves to the next."""
    _, head = heading.wrap(width, 10_000)
    need = head + heading.getSpaceBefore() + heading.getSpaceAfter()
    for flowable in body[:whole]:
        need += _lead_height(flowable, width, 10_000)
    if len(body) > whole:
        need += _lead_height(body[whole], width, 3)
    return [CondPageBreak(need), heading, *body]


def _story(plan: Plan, width: float) -> list[Any]:
    s = _styles()
    rule_w = RULE_WIDTH
    text_w = width - rule_w

    def cell(text: str, style: str = "cell") -> Paragraph:
        return Paragraph(_escape(text), s[style])

    def rule(text: str) -> Paragraph:  # R16.2: rule numbers in a column of their own
        return Paragraph(_escape(text), s["rule"])

    def heading(text: str) -> Paragraph:
        return Paragraph(_escape(text), s["h2"])

    story: list[Any] = [
        Paragraph(plan.title, s["title"]),
        Paragraph(f"Generated {plan.generated}", s["small"]),
    ]

    # R16.1: the instruction first, in a box of its own
    lines: list[Any] = [Paragraph(_escape(line), s["dose"]) for line in plan.instruction]
    if plan.since:
        lines.append(Paragraph(_escape(plan.since), s["body"]))
    box = Table([[lines]], colWidths=[width], hAlign="LEFT")
    box.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("BOX", (0, 0), (-1, -1), 1.2, INK),
                ("LEFTPADDING", (0, 0), (-1, -1), 3 * mm),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 2 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2 * mm),
            ]
        )
    )
    story += _section(heading("Tacrolimus now"), [box], width, whole=1)

    # R16.3: when to call the prescriber, with this patient's levels
    story.append(Spacer(1, 3 * mm))
    story.append(
        KeepTogether(
            [
                _call_box(
                    "Call the prescriber the same day if", plan.call_today, s, width, urgent=True
                ),
                Spacer(1, 1.5 * mm),
                _call_box("Tell the prescriber at this visit if", plan.call_visit, s, width),
            ]
        )
    )

    if plan.alerts:
        rows: list[list[Any]] = [["Level", "Alert", "Rule"]]
        for alert in plan.alerts:  # R14.1: by word and colour, most severe first
            colour = alert.colour or INK.hexval().replace("0x", "#")
            level = f'<font color="{colour}"><b>{_escape(alert.severity)}</b></font>'
            rows.append([Paragraph(level, s["cell"]), cell(alert.text), rule(alert.rules)])
        alerts: Any = _table(rows, [18 * mm, text_w - 18 * mm, rule_w])
    else:
        alerts = Paragraph("No alerts.", s["body"])
    story += _section(heading("Alerts"), [alerts], width)

    if plan.history:  # under a heading of its own, never read as the instruction (R16.1)
        story += _section(
            heading("Previous doses (no longer given)"),
            [
                _table(
                    [
                        ["From", "To", "Given", "Event"],
                        *[[cell(c) for c in row] for row in plan.history],
                    ],
                    [22 * mm, 22 * mm, 70 * mm, width - 114 * mm],
                )
            ],
            width,
        )

    story += _section(
        heading("Thresholds in force"),
        [
            _table(
                [
                    ["", "Level", "Rule"],
                    *[[cell(a), cell(b), rule(c)] for a, b, c in plan.thresholds],
                ],
                [40 * mm, text_w - 40 * mm, rule_w],
            )
        ],
        width,
    )

    story += _section(
        heading("Patient"),
        [
            _table(
                [[cell(k), cell(v), rule(r)] for k, v, r in plan.patient],
                [45 * mm, text_w - 45 * mm, rule_w],
                header=False,
            )
        ],
        width,
    )

    charts: list[Any] = [
        Paragraph(
            "Points in red are beyond a threshold. Shaded: the target trough range; dashed: "
            "limits; purple steps: the daily dose (right axis).",
            s["small"],
        ),
        *(_panel_drawing(panel, plan.charts, width, 50 * mm) for panel in plan.charts.panels),
    ]
    # the heading, its key and the first panel together
    story += _section(heading("Charts"), charts, width, whole=2)

    if plan.results:
        results: Any = _table(
            [
                [
                    "Date",
                    "Trough",
                    "Creatinine (vs baseline)",
                    "Blood pressure",
                    "Dose at the time",
                ],
                *[[cell(c) for c in row] for row in plan.results],
            ],
            [22 * mm, 38 * mm, 42 * mm, 32 * mm, width - 134 * mm],
        )
    else:
        results = Paragraph("No results recorded yet.", s["body"])
    story += _section(heading("Results so far"), [results], width)

    if plan.schedule:
        header = ["Check", "Due", "Take", "Why", "Trough", "Creatinine", "BP", "Initials"]
        rows = [header]
        rows += [
            [cell(a), cell(b), cell(c), cell(d), "", "", "", ""] for a, b, c, d in plan.schedule
        ]
        schedule: Any = _table(rows, _schedule_widths(header, plan.schedule, width))
        # room to write a result by hand in the empty cells
        schedule.setStyle(TableStyle([("BOTTOMPADDING", (0, 1), (-1, -1), 12)]))
    else:
        schedule = Paragraph("No checks are planned: no regimen is recorded.", s["body"])
    note = _table(
        [[cell(plan.schedule_note.text, "small"), rule(plan.schedule_note.rules)]],
        [text_w, rule_w],
        header=False,
        grid=False,
    )
    story += _section(
        heading("Monitoring schedule"), [note, Spacer(1, 1.5 * mm), schedule], width, whole=2
    )

    notes = _table(
        [
            [Paragraph(_escape(n.text), s["item"], bulletText="•"), rule(n.rules)]
            for n in plan.notes
        ],
        [text_w, rule_w],
        header=False,
        grid=False,
    )
    signature = [
        Spacer(1, 8 * mm),
        Paragraph(
            "Prescriber: ______________________________ Signature: "
            "______________________ Date: ____________",
            s["body"],
        ),
        Spacer(1, 2 * mm),
        Paragraph("Check every dose against the prescription chart.", s["small"]),
    ]
    # the notes and the signature stay together, on the page of their heading
    story += _section(heading("Notes"), [notes, *signature], width, whole=1 + len(signature))
    return story


def _call_box(
    title: str,
    lines: tuple[PlanLine, ...],
    s: dict[str, ParagraphStyle],
    width: float,
    *,
    urgent: bool = False,
) -> Table:
    """R16.3: a boxed list under a title ("Call the prescriber the same day if"), each level
    with its rules in the rule column; an urgent one framed in red."""
    colour = ALERT if urgent else INK
    rows: list[list[Any]] = [[Paragraph(f"<b>{_escape(title)}</b>", s["callhead"]), ""]]
    rows += [
        [
            Paragraph(_escape(line.text), s["item"], bulletText="•"),
            Paragraph(_escape(line.rules), s["rule"]),
        ]
        for line in lines
    ]
    table = Table(rows, colWidths=[width - RULE_WIDTH, RULE_WIDTH], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("SPAN", (0, 0), (-1, 0)),
                ("BOX", (0, 0), (-1, -1), 1.5 if urgent else 0.6, colour),
                (
                    "BACKGROUND",
                    (0, 0),
                    (-1, 0),
                    URGENT_BACK if urgent else colors.HexColor("#eeeeee"),
                ),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("LEFTPADDING", (0, 0), (0, -1), 3 * mm),
            ]
        )
    )
    return table


def render(plan: Plan, *, paper: str = "a4") -> bytes:
    """The plan as PDF bytes; the same plan always gives the same bytes."""
    register_fonts()
    pagesize = PAPER[paper]
    page_w, page_h = pagesize
    buffer = io.BytesIO()

    def decorate(canvas: Canvas, _doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8.5)
        canvas.setFillColor(INK)
        canvas.drawString(MARGIN, page_h - MARGIN + 4 * mm, plan.header)
        canvas.drawRightString(page_w - MARGIN, page_h - MARGIN + 4 * mm, plan.title)
        canvas.setStrokeColor(GRID)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, page_h - MARGIN + 2.5 * mm, page_w - MARGIN, page_h - MARGIN + 2.5 * mm)
        canvas.setFont(FONT, 7)
        canvas.drawString(MARGIN, MARGIN - 7 * mm, plan.footer)
        canvas.restoreState()

    doc = BaseDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=plan.title,
        author="TacroCalc",
        subject="",
        creator="TacroCalc",
        producer="TacroCalc",
        keywords="",
        invariant=1,
    )
    frame = Frame(
        MARGIN,
        MARGIN,
        page_w - 2 * MARGIN,
        page_h - 2 * MARGIN,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates([PageTemplate(id="plan", frames=[frame], onPage=decorate)])
    doc.build(_story(plan, page_w - 2 * MARGIN), canvasmaker=_NumberedCanvas)
    return buffer.getvalue()
