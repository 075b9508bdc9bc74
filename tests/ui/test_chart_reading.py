"""Reading the charts in the window: the legend, the dates, the course drawn on them (R15),
pointing at a value, the contrast of the lines in both palettes, and the keyboard."""

import re
from datetime import date

import pytest
from PySide6.QtCharts import QAreaSeries, QLineSeries, QScatterSeries
from PySide6.QtCore import QDate, QDateTime, QPoint, QPointF, Qt, QTime
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QToolTip

from tacrocalc.domain.assessment import assess
from tacrocalc.present.charts import build_charts
from tacrocalc.present.units import DisplayUnits
from tacrocalc.records.protocol_files import available_protocols, load_protocol
from tacrocalc.ui.charts import HOVER_PX, ChartPanel, ChartsView
from tacrocalc.ui.main_window import MainWindow
from tests.present.course_records import TODAY, stop_and_restart, switch_and_hold

pytestmark = pytest.mark.qt_log_ignore("does not support raise")  # tooltips, offscreen


def ms(day: date) -> float:
    return float(QDateTime(QDate(day.year, day.month, day.day), QTime(12, 0)).toMSecsSinceEpoch())


def show(qtbot, record, seed, *, dark=False, units=None):
    view = ChartsView()
    qtbot.addWidget(view)
    if dark:
        palette = view.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor("#202020"))
        view.setPalette(palette)
    view.resize(640, 480)
    view.show()
    qtbot.waitExposed(view)
    view.show_charts(build_charts(assess(record, seed, TODAY), units or DisplayUnits()))
    QApplication.processEvents()
    return view


# -- the legend ---------------------------------------------------------------------------


def test_each_chart_has_a_legend_naming_series_and_thresholds_in_the_display_unit(qtbot, seed):
    view = show(qtbot, switch_and_hold(), seed, units=DisplayUnits(trough="ng/mL"))
    assert view.trough_chart.legend_entries() == [
        "trough (ng/mL)",
        "target 4–25 ng/mL",
        "held",
        "upper end 20 ng/mL",
        "daily dose (mg/day)",
    ]
    assert view.creatinine_chart.legend_entries() == [
        "creatinine (µmol/L)",
        "beyond a threshold",  # 109 µmol/L on the day of the hold (+36 %)
        "baseline 80 µmol/L",
        "baseline +30 % 104 µmol/L",
    ]
    assert view.pressure_chart.legend_entries() == [
        "systolic (mmHg)",
        "diastolic (mmHg)",
        "beyond a threshold",
        "limits 140/90 mmHg",
    ]


def test_the_legend_follows_the_patient_shown(qtbot, seed):
    """The same charts, redrawn for a stopped course and back: the entries of the one shown."""
    view = show(qtbot, switch_and_hold(), seed)
    view.show_charts(build_charts(assess(stop_and_restart(), seed, TODAY), DisplayUnits()))
    QApplication.processEvents()
    entries = view.trough_chart.legend_entries()
    assert "stopped" in entries and "held" not in entries
    view.show_charts(build_charts(assess(switch_and_hold(), seed, TODAY), DisplayUnits()))
    QApplication.processEvents()
    entries = view.trough_chart.legend_entries()
    assert "held" in entries and "stopped" not in entries


# -- dates --------------------------------------------------------------------------------


def test_dates_have_four_digit_years_under_the_bottom_chart(qtbot, seed):
    view = show(qtbot, switch_and_hold(), seed)
    axes = {
        name: next(a for a in panel.chart().axes() if a.type() == a.AxisType.AxisTypeDateTime)
        for name, panel in zip(("trough", "creatinine", "pressure"), view.panels, strict=True)
    }
    assert [a.labelsVisible() for a in axes.values()] == [False, False, True]
    shown = QDateTime(QDate(2026, 8, 3), QTime(12, 0)).toString(axes["pressure"].format())
    assert shown == "3 Aug 2026"
    assert re.fullmatch(r"\d{1,2} \w{3} \d{4}", shown)


@pytest.mark.parametrize(("width", "ticks"), [(430, 4), (900, 6)])
def test_the_dates_under_the_charts_never_run_into_each_other(qtbot, seed, width, ticks):
    """Seen at 1024x640, where the charts are ~430 px wide: six dates ran together ("14 Sep
    202621 Oct 2026"). As many as fit with room between them: six on a wide chart."""
    from PySide6.QtCharts import QDateTimeAxis
    from PySide6.QtGui import QFontMetrics

    view = show(qtbot, switch_and_hold(), seed)
    view.resize(width, 480)
    chart = view.pressure_chart.chart()
    axis = next(a for a in chart.axes() if isinstance(a, QDateTimeAxis))
    label = QFontMetrics(axis.labelsFont()).horizontalAdvance("28 Sep 2026")
    qtbot.waitUntil(lambda: axis.tickCount() == ticks, timeout=2000)
    assert chart.plotArea().width() / (axis.tickCount() - 1) > label * 1.2


def test_the_three_plot_areas_line_up_so_a_date_is_at_one_x(qtbot, seed):
    """The creatinine axis says "150", the trough axis "30": the plots still line up."""
    view = show(qtbot, switch_and_hold(), seed)
    qtbot.waitUntil(
        lambda: len({round(p.chart().plotArea().left()) for p in view.panels}) == 1, timeout=2000
    )
    lefts = [p.chart().plotArea().left() for p in view.panels]
    rights = [p.chart().plotArea().right() for p in view.panels]
    assert max(lefts) - min(lefts) < 1
    assert max(rights) - min(rights) < 1
    x = [p.position_of(QPointF(ms(date(2026, 8, 3)), 0)).x() for p in view.panels]
    assert max(x) - min(x) < 1


# -- the course ---------------------------------------------------------------------------


def test_every_course_event_is_a_line_through_the_three_charts_named_on_the_top_one(qtbot, seed):
    """R15: start, change, switch, hold, resume, change."""
    view = show(qtbot, switch_and_hold(), seed)
    days = [
        date(2026, 6, 1),
        date(2026, 6, 22),
        date(2026, 8, 3),
        date(2026, 9, 14),
        date(2026, 9, 21),
        date(2026, 10, 26),
    ]
    for panel in view.panels:
        events = next(s for s in panel.chart().series() if s.name() == "course events")
        assert events.isVisible()
        assert sorted({p.x() for p in events.points()}) == [ms(d) for d in days]
    assert view.trough_chart.event_labels() == [
        "start",
        "dose change",
        "switch",
        "hold",
        "resume",
        "dose change",
    ]
    assert view.creatinine_chart.event_labels() == []
    rects = view.trough_chart.event_label_rects()
    area = view.trough_chart.chart().plotArea()
    for index, rect in enumerate(rects):  # inside the plot, and none over another
        assert area.contains(rect.topLeft()) and area.contains(rect.bottomRight())
        assert not any(rect.intersects(other) for other in rects[index + 1 :])


def test_the_week_on_hold_is_shaded_on_every_chart(qtbot, seed):
    view = show(qtbot, switch_and_hold(), seed)
    for panel in view.panels:
        held = next(
            s for s in panel.chart().series() if isinstance(s, QAreaSeries) and s.name() == "held"
        )
        assert held.isVisible()
        xs = [p.x() for p in held.upperSeries().points()]
        assert (min(xs), max(xs)) == (ms(date(2026, 9, 14)), ms(date(2026, 9, 21)))
        stopped = next(s for s in panel.chart().series() if s.name() == "stopped")
        assert not stopped.isVisible()


# -- pointing at a value ------------------------------------------------------------------


def point_on_screen(panel: ChartPanel, day: date, value: float) -> QPoint:
    return panel.position_of(QPointF(ms(day), value)).toPoint()


def test_the_pointer_within_12_px_of_a_point_shows_its_value_and_date(qtbot, seed):
    view = show(qtbot, switch_and_hold(), seed)
    panel = view.trough_chart
    where = point_on_screen(panel, date(2026, 6, 15), 4.5)  # the first trough
    assert HOVER_PX == 12
    qtbot.mouseMove(panel.viewport(), where + QPoint(7, 9))  # 11.4 px away
    qtbot.waitUntil(lambda: QToolTip.isVisible() and QToolTip.text() != "", timeout=2000)
    assert QToolTip.text() == "4.5 µg/L\n2026-06-15"


def test_the_pointer_farther_than_12_px_shows_nothing(qtbot, seed):
    view = show(qtbot, switch_and_hold(), seed)
    panel = view.trough_chart
    where = point_on_screen(panel, date(2026, 6, 15), 4.5)
    assert panel.text_at(QPointF(where + QPoint(7, 9))) == "4.5 µg/L\n2026-06-15"
    assert panel.text_at(QPointF(where + QPoint(9, 9))) == ""  # 12.7 px


def test_the_pointer_on_an_event_line_says_what_the_event_was(qtbot, seed):
    view = show(qtbot, switch_and_hold(), seed)
    panel = view.creatinine_chart  # lines without labels, on the charts below too
    where = point_on_screen(panel, date(2026, 8, 3), 40)
    assert panel.text_at(QPointF(where + QPoint(3, 0))) == (
        "2026-08-03 switch: 8 mg Advagraf prolonged-release capsules (once daily) once daily"
        " (adherence)"
    )


# -- contrast -----------------------------------------------------------------------------


def luminance(color: QColor) -> float:
    """WCAG 2 relative luminance of an opaque colour."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(color.redF())
        + 0.7152 * channel(color.greenF())
        + 0.0722 * channel(color.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def over(top: QColor, ground: QColor) -> QColor:
    """`top`, with its alpha, laid over the opaque `ground`."""
    alpha = top.alphaF()
    return QColor.fromRgbF(
        *(
            alpha * t + (1 - alpha) * g
            for t, g in zip(
                (top.redF(), top.greenF(), top.blueF()),
                (ground.redF(), ground.greenF(), ground.blueF()),
                strict=True,
            )
        )
    )


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_every_line_keeps_3_to_1_against_the_target_band(qtbot, seed, dark):
    """WCAG 2 (non-text contrast, 1.4.11): each line and point drawn on the trough chart against
    the band's fill as drawn, over the plot's background, in the palette in force."""
    view = show(qtbot, switch_and_hold(), seed, dark=dark)
    chart = view.trough_chart.chart()
    assert chart.isPlotAreaBackgroundVisible()
    background = chart.plotAreaBackgroundBrush().color()
    assert (background.lightness() < 128) is dark
    band = next(s for s in chart.series() if s.name() == "target range")
    band_fill = over(band.brush().color(), background)
    colours = {}
    for series in chart.series():
        if not series.isVisible() or isinstance(series, QAreaSeries) or not series.points():
            continue
        if isinstance(series, QScatterSeries):
            colours[f"{series.name()} (points)"] = series.color()
        elif isinstance(series, QLineSeries):
            colours[series.name()] = series.pen().color()
    assert {"trough", "upper end 20 µg/L", "course events", "daily dose"} <= set(colours)
    ratios = {name: round(contrast(c, band_fill), 2) for name, c in colours.items()}
    assert min(ratios.values()) >= 3, ratios


# -- keyboard and screen readers ----------------------------------------------------------


def test_charts_are_no_tab_stops_and_have_accessible_names(qtbot, seed):
    view = show(qtbot, switch_and_hold(), seed)
    for panel in view.panels:
        assert panel.focusPolicy() == Qt.FocusPolicy.NoFocus
        assert panel.viewport().focusPolicy() == Qt.FocusPolicy.NoFocus
    assert [p.accessibleName() for p in view.panels] == [
        "Chart: Tacrolimus trough: 12-hour, 24-hour on once-daily products (µg/L)",
        "Chart: Serum creatinine (µmol/L)",
        "Chart: Blood pressure (mmHg)",
    ]


@pytest.fixture
def course_window(qtbot, store, settings):
    """The window on the day after the last result of the switch-and-hold patient, open."""
    store.import_record(switch_and_hold())
    win = MainWindow(store, load_protocol, available_protocols(), settings, today=lambda: TODAY)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    win.patients.refresh()
    assert win.open_patient("COURSE-1")
    QApplication.processEvents()
    return win


def test_tab_never_stops_on_a_chart_in_the_window(course_window):
    """The window's focus chain, as Tab walks it: every widget that takes focus by Tab (a
    table keeps Tab for its cells, so the chain is read rather than walked by key)."""
    window = course_window
    charts = window.view.charts
    forbidden = {id(w) for p in charts.panels for w in (p, p.viewport())}
    stops, widget = [], window.nextInFocusChain()
    while widget is not window:
        tab_focus = widget.focusPolicy() & Qt.FocusPolicy.TabFocus
        if tab_focus == Qt.FocusPolicy.TabFocus and widget.isVisible() and widget.isEnabled():
            stops.append(widget)
        widget = widget.nextInFocusChain()
    assert len(stops) > 10  # the chain was read
    assert [w.objectName() for w in stops if id(w) in forbidden] == []


def test_the_window_draws_the_course_of_the_patient_opened(course_window):
    trough = course_window.view.charts.trough_chart
    assert trough.event_labels()[2:5] == ["switch", "hold", "resume"]
    assert "held" in trough.legend_entries()
    assert trough.point_count() == 12  # the troughs
