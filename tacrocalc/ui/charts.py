"""The chart model drawn with QtCharts: three charts on one date axis.

QtCharts is deprecated from Qt 6.10; it stays behind this one module, which only turns
`tacrocalc.present.charts.Charts` into pixels.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCharts import (
    QAbstractSeries,
    QAreaSeries,
    QChart,
    QChartView,
    QDateTimeAxis,
    QLineSeries,
    QScatterSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QDateTime, QMargins, QPointF, Qt, QTime
from PySide6.QtGui import QBrush, QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QToolTip, QVBoxLayout, QWidget

from tacrocalc.ui.none_guard import keep_none_alive

if TYPE_CHECKING:
    from tacrocalc.present.charts import Charts, Panel, Series

ALERT = QColor("#c62828")
SERIES = (QColor("#1f4e9c"), QColor("#0f7a6b"))
DOSE = QColor("#7a3e9d")
CAUTION = QColor("#c77700")
LIMIT = QColor("#c62828")
BASELINE = QColor("#808080")


def _qdatetime(day: date, hour: int = 0) -> QDateTime:
    return QDateTime(QDate(day.year, day.month, day.day), QTime(hour, 0))


def _ms(day: date) -> float:
    return float(_qdatetime(day, 12).toMSecsSinceEpoch())


def _nice_range(axis: QValueAxis, low: float, high: float) -> None:
    """Round numbers at the ends and the ticks. The tick count is reset first: the rounding
    changes it, and the next rounding would start from there."""
    axis.setTickCount(5)
    axis.setRange(low, high)
    axis.applyNiceNumbers()


# Series are changed only where they differ from what is drawn: each call of a Qt setter costs
# a reference to None with the binding this runs on (see tacrocalc.ui.none_guard).


def _set_points(series: QLineSeries | QScatterSeries, points: list[QPointF]) -> None:
    if series.points() != points:
        series.replace(points)


def _set_name(series: QAbstractSeries, name: str) -> None:
    if series.name() != name:
        series.setName(name)


def _set_visible(series: QAbstractSeries, visible: bool) -> None:
    if series.isVisible() != visible:
        series.setVisible(visible)


def _blank_series(series: QLineSeries | QScatterSeries) -> None:
    _set_points(series, [])
    _set_visible(series, False)


class _DataSeries:
    """One series of a panel: a line through its points, and its points as markers, those
    beyond a threshold larger and red."""

    def __init__(self, line: QLineSeries, normal: QScatterSeries, flagged: QScatterSeries) -> None:
        self.line = line
        self.normal = normal
        self.flagged = flagged
        self.color: QColor | None = None


class ChartPanel(QChartView):
    """One panel; hovering a point shows its value, unit and date.

    The chart, its axes and its series are made once; each redraw only replaces the points,
    the ranges and the titles, and hides the series that a panel does not use.
    """

    THRESHOLDS = 3  # lines made up front, so that they are drawn under the data series
    DATA_SERIES = 2

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(110)  # three fit the Charts tab at 1024×640
        self.labels: dict[tuple[float, float], str] = {}
        self.panel: Panel | None = None
        self._dark: bool | None = None  # the theme last applied
        self._title = ""
        self._dose_shown: bool | None = None
        self._title_brush = QBrush()
        chart = QChart()
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().hide()
        chart.setBackgroundRoundness(0)
        self._x_axis = QDateTimeAxis()
        self._x_axis.setFormat("dd MMM yy")
        self._x_axis.setTickCount(6)
        self._y_axis = QValueAxis()
        self._y_axis.setLabelFormat("%.3g")
        # Every panel has a right axis of the same size (blank where there is no dose), so
        # that the plot areas, and so the dates, line up from one chart to the next.
        self._dose_axis = QValueAxis()
        self._dose_axis.setTitleText("mg/day")
        self._dose_axis.setLabelFormat("%.3g")
        chart.addAxis(self._x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self._y_axis, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(self._dose_axis, Qt.AlignmentFlag.AlignRight)
        self._chart = chart
        # the area series only points at its two boundaries: they belong to the chart
        self._band_low, self._band_high = QLineSeries(chart), QLineSeries(chart)
        self._band = QAreaSeries(self._band_high, self._band_low)
        self._attach(self._band)
        self._thresholds: list[QLineSeries] = []
        self._threshold_kinds: list[str] = []
        for _ in range(self.THRESHOLDS):
            self._add_threshold()
        self._steps = QLineSeries()
        self._steps.setName("daily dose")
        self._attach(self._steps, self._dose_axis)
        self._data: list[_DataSeries] = []
        for _ in range(self.DATA_SERIES):
            self._add_data_series()
        self.setChart(chart)

    def _attach(
        self, series: QLineSeries | QScatterSeries | QAreaSeries, axis: QValueAxis | None = None
    ) -> None:
        self._chart.addSeries(series)
        series.attachAxis(self._x_axis)
        series.attachAxis(axis or self._y_axis)
        series.setVisible(False)

    def _add_threshold(self) -> None:
        series = QLineSeries()
        self._attach(series)
        self._thresholds.append(series)
        self._threshold_kinds.append("")

    def _add_data_series(self) -> None:
        data = _DataSeries(QLineSeries(), QScatterSeries(), QScatterSeries())
        for scatter in (data.normal, data.flagged):
            scatter.hovered.connect(self._on_point_hovered)
        for series in (data.line, data.normal, data.flagged):
            self._attach(series)
        self._data.append(data)

    def _apply_theme(self) -> None:
        """Follow the palette: a dark system palette gets the dark chart theme. A new theme
        resets the colours of the series and axes, so they are set again after it."""
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        if dark == self._dark:
            return
        self._chart.setTheme(
            QChart.ChartTheme.ChartThemeDark if dark else QChart.ChartTheme.ChartThemeLight
        )
        self._dark = dark
        self._band.setBrush(QBrush(QColor(46, 160, 67, 45)))
        self._band.setPen(QPen(Qt.PenStyle.NoPen))
        self._steps.setPen(QPen(DOSE, 1.6))
        self._threshold_kinds = [""] * len(self._thresholds)
        for data in self._data:
            data.color = None
        self._dose_shown = None
        self._title_brush = self._dose_axis.titleBrush()  # the theme's

    def show_panel(self, panel: Panel, charts: Charts) -> None:
        """Draw `panel`, its values already in the display unit (`present.charts`)."""
        keep_none_alive()
        self.panel = panel
        self.labels = {}
        self._apply_theme()
        title = f"{panel.title} ({panel.unit})"
        if title != self._title:
            self._chart.setTitle(title)
            self._title = title
        start = charts.start - timedelta(days=2)
        end = charts.end + timedelta(days=2)
        self._x_axis.setRange(_qdatetime(start), _qdatetime(end))
        _nice_range(self._y_axis, panel.y_min, panel.y_max)
        x0, x1 = _ms(start), _ms(end)

        if panel.band is not None:
            low, high = panel.band.low, panel.band.high
            _set_points(self._band_low, [QPointF(x0, low), QPointF(x1, low)])
            _set_points(self._band_high, [QPointF(x0, high), QPointF(x1, high)])
            _set_name(self._band, panel.band.label)
        _set_visible(self._band, panel.band is not None)

        while len(self._thresholds) < len(panel.lines):
            self._add_threshold()
        for index, series in enumerate(self._thresholds):
            if index >= len(panel.lines):
                _blank_series(series)
                continue
            threshold = panel.lines[index]
            if self._threshold_kinds[index] != threshold.kind:
                color = {"caution": CAUTION, "baseline": BASELINE}.get(threshold.kind, LIMIT)
                pen = QPen(color, 1.2)
                if threshold.kind != "baseline":
                    pen.setStyle(Qt.PenStyle.DashLine)
                series.setPen(pen)
                self._threshold_kinds[index] = threshold.kind
            _set_name(series, threshold.label)
            value = threshold.value
            _set_points(series, [QPointF(x0, value), QPointF(x1, value)])
            _set_visible(series, True)

        top = max((s.value for s in charts.trough.dose_steps), default=10.0)
        _nice_range(self._dose_axis, 0, top * 1.25)
        self._show_dose_axis(bool(panel.dose_steps))
        steps: list[QPointF] = []
        for index, step in enumerate(panel.dose_steps):
            following = (
                panel.dose_steps[index + 1].day if index + 1 < len(panel.dose_steps) else end
            )
            steps.append(QPointF(_ms(step.day), step.value))
            steps.append(QPointF(_ms(following), step.value))
        _set_points(self._steps, steps)
        _set_visible(self._steps, bool(steps))

        while len(self._data) < len(panel.series):
            self._add_data_series()
        for index, data in enumerate(self._data):
            if index >= len(panel.series):
                for unused in (data.line, data.normal, data.flagged):
                    _blank_series(unused)
                continue
            self._show_data(data, panel.series[index], SERIES[index % len(SERIES)])

    def _show_dose_axis(self, shown: bool) -> None:
        if shown == self._dose_shown:
            return
        axis = self._dose_axis
        axis.setGridLineVisible(False)
        if shown:
            axis.setLinePenColor(DOSE)
            axis.setLabelsColor(DOSE)
            axis.setTitleBrush(self._title_brush)
        else:
            blank = QColor(0, 0, 0, 0)
            axis.setLabelsColor(blank)
            axis.setTitleBrush(QBrush(blank))
            axis.setLinePenColor(blank)
        self._dose_shown = shown

    def _show_data(self, data: _DataSeries, series: Series, color: QColor) -> None:
        if data.color != color:
            data.line.setPen(QPen(color, 1.4))
            for scatter, fill, size in ((data.normal, color, 7.0), (data.flagged, ALERT, 10.0)):
                scatter.setMarkerSize(size)
                scatter.setColor(fill)
                scatter.setPen(QPen(fill, 1.0))  # the border (a theme's would be wider)
            data.color = color
        _set_name(data.line, series.name)
        _set_name(data.normal, series.name)
        _set_name(data.flagged, f"{series.name} beyond a threshold")
        line: list[QPointF] = []
        normal: list[QPointF] = []
        flagged: list[QPointF] = []
        for point in series.points:
            x, y = _ms(point.day), point.value
            line.append(QPointF(x, y))
            (flagged if point.flagged else normal).append(QPointF(x, y))
            self.labels[(x, y)] = f"{point.label}\n{point.day.isoformat()}"
        shown: tuple[tuple[QLineSeries | QScatterSeries, list[QPointF]], ...] = (
            (data.line, line),
            (data.normal, normal),
            (data.flagged, flagged),
        )
        for target, points in shown:
            _set_points(target, points)
            _set_visible(target, bool(points))

    def _on_point_hovered(self, point: QPointF, state: bool) -> None:
        if state:
            text = self.labels.get((point.x(), point.y()), "")
            QToolTip.showText(self.cursor().pos(), text, self)
        else:
            QToolTip.hideText()

    def point_count(self) -> int:
        """Points drawn as markers (what a test can check was plotted)."""
        return sum(
            s.count()
            for s in self._chart.series()
            if isinstance(s, QScatterSeries) and s.isVisible()
        )


class ChartsView(QWidget):
    """Trough, creatinine and blood pressure, stacked, sharing one date range."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.trough_chart = ChartPanel()
        self.trough_chart.setObjectName("trough_chart")
        self.creatinine_chart = ChartPanel()
        self.creatinine_chart.setObjectName("creatinine_chart")
        self.pressure_chart = ChartPanel()
        self.pressure_chart.setObjectName("pressure_chart")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        for view in (self.trough_chart, self.creatinine_chart, self.pressure_chart):
            layout.addWidget(view, 1)

    def show_charts(self, charts: Charts) -> None:
        self.trough_chart.show_panel(charts.trough, charts)
        self.creatinine_chart.show_panel(charts.creatinine, charts)
        self.pressure_chart.show_panel(charts.blood_pressure, charts)
