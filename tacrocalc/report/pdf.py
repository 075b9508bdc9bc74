"""Laying the monitoring plan out as a PDF (reportlab; imported only when a plan is made).

A4 or US Letter, 18 mm margins, the patient's name, id and date of birth at the head of every
page and "page N of M" at its foot, DejaVu Sans embedded (µ, ≥, ×), vector charts, table
headers repeated on every page, and the same bytes for the same plan (`invariant`).
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
from tacrocalc.present.charts import Charts, Panel
from tacrocalc.present.plan import Plan

PAPER = {"a4": A4, "letter": LETTER}
MARGIN = 18 * mm
HEAD = 12 * mm  # room for the running header and footer
FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"
INK = colors.HexColor("#1a1a1a")
GRID = colors.HexColor("#9a9a9a")
ALERT = colors.HexColor("#b00020")
SERIES = (colors.HexColor("#1f4e9c"), colors.HexColor("#0f7a6b"))
DOSE = colors.HexColor("#7a3e9d")
BAND = colors.HexColor("#dff0d8")
CAUTION = colors.HexColor("#c77700")


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
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=10),
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
        "alert": ParagraphStyle("alert", parent=body, textColor=ALERT),
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
    span = (end - start).days
    if span <= 70:
        step = 7 if span > 14 else 1
        return [
            (start + timedelta(days=d), (start + timedelta(days=d)).strftime("%d %b"))
            for d in range(0, span + 1, step)
        ]
    every = 1 if span <= 200 else 2 if span <= 420 else 3 if span <= 800 else 6
    ticks, day = [], date(start.year, start.month, 1)
    while day <= end:
        if day >= start and (day.month - 1) % every == 0:
            ticks.append((day, day.strftime("%b %y")))
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return ticks


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


def _panel_drawing(panel: Panel, charts: Charts, width: float, height: float) -> Drawing:
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
                fillColor=BAND,
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
    for line in panel.lines:
        color = CAUTION if line.kind == "caution" else GRID if line.kind == "baseline" else ALERT
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
        drawing.add(PolyLine(points, strokeColor=DOSE, strokeWidth=1))
        for tick in _ticks(0, top_dose, 4):
            drawing.add(_label(f"{tick:g}", left + plot_w + 3, dose_y(tick) - 2, color=DOSE))
        drawing.add(_label("mg/day", left + plot_w + 3, height - 10, color=DOSE))
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
        color = SERIES[index % len(SERIES)]
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
                    fillColor=ALERT if flagged else color,
                    strokeColor=ALERT if flagged else color,
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


def _table(rows: list[list[Any]], widths: list[float], *, header: bool = True) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    style = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header:
        style += [
            ("FONTNAME", (0, 0), (-1, 0), BOLD),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ]
    table.setStyle(TableStyle(style))
    return table


def _story(plan: Plan, width: float) -> list[Any]:
    s = _styles()

    def cell(text: str) -> Paragraph:
        return Paragraph(_escape(text), s["cell"])

    story: list[Any] = [
        Paragraph(plan.title, s["title"]),
        Paragraph(f"Generated {plan.generated}", s["small"]),
    ]

    story.append(Paragraph("Patient", s["h2"]))
    story.append(
        _table(
            [[cell(k), cell(v)] for k, v in plan.patient], [45 * mm, width - 45 * mm], header=False
        )
    )

    story.append(Paragraph("Current regimen", s["h2"]))
    for index, line in enumerate(plan.regimen):
        story.append(Paragraph(_escape(line), s["dose"] if index < 2 else s["body"]))
    if plan.history:  # under a heading of its own, never read as the instruction (R16.1)
        story.append(Paragraph("Previous regimens (no longer given)", s["h2"]))
        story.append(
            _table(
                [["From", "Product", "Dose"], *[[cell(c) for c in r] for r in plan.history]],
                [30 * mm, 80 * mm, width - 110 * mm],
            )
        )

    story.append(Paragraph("Thresholds in force", s["h2"]))
    story.append(
        _table(
            [["", "Level", "Rule"], *[[cell(a), cell(b), cell(c)] for a, b, c in plan.thresholds]],
            [40 * mm, width - 62 * mm, 22 * mm],
        )
    )

    story.append(Paragraph("Alerts", s["h2"]))
    if plan.alerts:
        for alert in plan.alerts:
            prefix = f"<b>{alert.severity}</b> "  # R14.1: by word, not by colour alone
            story.append(Paragraph(prefix + _escape(alert.text), s["alert"]))
    else:
        story.append(Paragraph("No alerts.", s["body"]))

    story.append(CondPageBreak(70 * mm))
    story.append(Paragraph("Charts", s["h2"]))
    story.append(
        Paragraph(
            "Points in red are beyond a threshold. Shaded: the target trough range; dashed: "
            "limits; purple steps: the daily dose (right axis).",
            s["small"],
        )
    )
    for panel in plan.charts.panels:
        story.append(_panel_drawing(panel, plan.charts, width, 50 * mm))

    story.append(Paragraph("Results so far", s["h2"]))
    if plan.results:
        story.append(
            _table(
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
        )
    else:
        story.append(Paragraph("No results recorded yet.", s["body"]))

    story.append(CondPageBreak(50 * mm))
    story.append(Paragraph("Monitoring schedule", s["h2"]))
    story.append(Paragraph(_escape(plan.schedule_note), s["small"]))
    story.append(Spacer(1, 1.5 * mm))
    if plan.schedule:
        widths = [13 * mm, 26 * mm, 35 * mm, 28 * mm, 20 * mm, 20 * mm, 18 * mm]
        widths.append(width - sum(widths))
        rows = [["Check", "Due", "Take", "Why", "Trough", "Creatinine", "BP", "Initials"]]
        rows += [
            [cell(a), cell(b), cell(c), cell(d), "", "", "", ""] for a, b, c, d in plan.schedule
        ]
        table = _table(rows, widths)
        # room to write a result by hand in the empty cells
        table.setStyle(TableStyle([("BOTTOMPADDING", (0, 1), (-1, -1), 12)]))
        story.append(table)
    else:
        story.append(Paragraph("No checks are planned: no regimen is recorded.", s["body"]))

    story.append(Paragraph("Notes", s["h2"]))
    story += [Paragraph("• " + _escape(note), s["body"]) for note in plan.notes]
    story.append(Spacer(1, 8 * mm))
    story.append(
        KeepTogether(
            [
                Paragraph(
                    "Prescriber: ______________________________ Signature: "
                    "______________________ Date: ____________",
                    s["body"],
                ),
                Spacer(1, 2 * mm),
                Paragraph("Check every dose against the prescription chart.", s["small"]),
            ]
        )
    )
    return story


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
