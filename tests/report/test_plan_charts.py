"""The charts of the printed plan: the course drawn on them (R15, R16), and dates a reader
cannot take for another century."""

import io
import re
from datetime import date, datetime

import pytest
from pypdf import PdfReader
from reportlab.graphics.shapes import Line, Rect, String

from tacrocalc.domain.assessment import assess
from tacrocalc.present.charts import LIGHT, build_charts
from tacrocalc.present.units import DisplayUnits
from tacrocalc.report import pdf, plan_pdf
from tests.present.course_records import TODAY, stop_and_restart, switch_and_hold

GENERATED = datetime(2026, 11, 26, 9, 0)
TWO_DIGIT_YEAR = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{2}\b")


def text_of(document: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)


@pytest.fixture(scope="module")
def switch_and_hold_text(seed):
    return text_of(plan_pdf(assess(switch_and_hold(), seed, TODAY), generated_at=GENERATED))


@pytest.fixture(autouse=True)
def fonts():
    pdf.register_fonts()  # what a plan does first; the drawings measure their labels


def strings(drawing) -> list[str]:
    return [shape.text for shape in drawing.contents if isinstance(shape, String)]


def test_the_course_events_are_named_on_the_plan_charts(seed):
    charts = build_charts(assess(switch_and_hold(), seed, TODAY), DisplayUnits())
    for panel in charts.panels:
        drawn = strings(pdf._panel_drawing(panel, charts, 480, 140))
        labels = [s for s in drawn if s in {"start", "dose change", "switch", "hold", "resume"}]
        assert labels == ["start", "dose change", "switch", "hold", "resume", "dose change"]


def test_the_event_lines_run_the_height_of_the_plot_at_their_dates(seed):
    charts = build_charts(assess(switch_and_hold(), seed, TODAY), DisplayUnits())
    drawing = pdf._panel_drawing(charts.trough, charts, 480, 140)
    verticals = [
        shape
        for shape in drawing.contents
        if isinstance(shape, Line) and shape.x1 == shape.x2 and shape.y2 - shape.y1 > 100
    ]
    left, plot_w = 34.0, 480 - 34.0 - 40.0
    span = (charts.end - charts.start).days
    expected = [left + (e.day - charts.start).days / span * plot_w for e in charts.events]
    assert [round(v.x1, 3) for v in verticals] == [round(x, 3) for x in expected]


def test_the_stopped_weeks_are_shaded_from_the_stop_to_the_restart(seed):
    charts = build_charts(assess(stop_and_restart(), seed, TODAY), DisplayUnits())
    drawing = pdf._panel_drawing(charts.creatinine, charts, 480, 140)
    shaded = [
        shape
        for shape in drawing.contents
        if isinstance(shape, Rect)
        and shape.fillColor is not None
        and shape.fillColor.alpha == pytest.approx(LIGHT.stopped[1])
    ]
    left, plot_w = 34.0, 480 - 34.0 - 40.0
    span = (charts.end - charts.start).days

    def x(day: date) -> float:
        return left + (day - charts.start).days / span * plot_w

    (rect,) = shaded
    assert rect.x == pytest.approx(x(date(2026, 9, 7)))
    assert rect.x + rect.width == pytest.approx(x(date(2026, 10, 12)))


def test_the_plan_charts_date_axis_has_four_digit_years(switch_and_hold_text):
    for month in ("Jun 2026", "Jul 2026", "Aug 2026", "Sep 2026", "Oct 2026", "Nov 2026"):
        assert month in switch_and_hold_text
    assert TWO_DIGIT_YEAR.findall(switch_and_hold_text) == []


@pytest.mark.parametrize(
    ("start", "end", "first", "count"),
    [
        (date(2026, 8, 1), date(2026, 8, 6), "1 Aug 2026", 6),  # a few days: every day
        (date(2026, 8, 1), date(2026, 8, 14), "1 Aug 2026", 7),  # two weeks: every 2 days
        (date(2026, 8, 1), date(2026, 9, 30), "1 Aug 2026", 5),  # two months: every 2 weeks
        (date(2025, 12, 10), date(2026, 3, 1), "Jan 2026", 3),  # months, across a new year
    ],
)
def test_date_ticks_name_the_year_in_full_and_do_not_crowd(start, end, first, count):
    ticks = pdf._date_ticks(start, end)
    assert ticks[0][1] == first
    assert len(ticks) == count <= 8
    for _, text in ticks:
        assert re.fullmatch(r"(\d{1,2} )?[A-Z][a-z]{2} \d{4}", text)
