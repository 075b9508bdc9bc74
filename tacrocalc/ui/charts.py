"""The chart model drawn with QtCharts: three charts on one date axis.

QtCharts is deprecated from Qt 6.10; it stays behind this one module, which only turns
`tacrocalc.charts.model.Charts` into pixels.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCharts import (
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
    from tacrocalc.charts.model import Charts, Panel

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


class ChartPanel(QChartView):
    """One panel; hovering a point shows its value, unit and date."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(150)
        self.labels: dict[tuple[float, float], str] = {}
        self.panel: Panel | None = None

    def show_panel(self, panel: Panel, charts: Charts, scale: float, unit: str) -> None:
        """Draw `panel` with values × `scale` (a display unit other than the stored one)."""
        keep_none_alive()
        self.panel = panel
        self.labels = {}
        chart = QChart()
        if self.palette().color(QPalette.ColorRole.Window).lightness() < 128:
            chart.setTheme(QChart.ChartTheme.ChartThemeDark)  # follow a dark system palette
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().hide()
        chart.setTitle(f"{panel.title} ({unit})")
        chart.setBackgroundRoundness(0)
        x_axis = QDateTimeAxis()
        x_axis.setFormat("dd MMM yy")
        x_axis.setTickCount(6)
        start = charts.start - timedelta(days=2)
        end = charts.end + timedelta(days=2)
        x_axis.setRange(_qdatetime(start), _qdatetime(end))
        y_axis = QValueAxis()
        y_axis.setRange(panel.y_min * scale, panel.y_max * scale)
        y_axis.setLabelFormat("%.3g")
        y_axis.applyNiceNumbers()
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)

        def attach(
            series: QLineSeries | QScatterSeries | QAreaSeries, axis: QValueAxis = y_axis
        ) -> None:
            chart.addSeries(series)
            series.attachAxis(x_axis)
            series.attachAxis(axis)

        x0, x1 = _ms(start), _ms(end)
        if panel.band is not None:
            # owned by the chart: the area series only points at its two boundaries
            low, high = QLineSeries(chart), QLineSeries(chart)
            for x in (x0, x1):
                low.append(x, panel.band.low * scale)
                high.append(x, panel.band.high * scale)
            area = QAreaSeries(high, low)
            area.setName(panel.band.label)
            area.setBrush(QBrush(QColor(46, 160, 67, 45)))
            area.setPen(QPen(Qt.PenStyle.NoPen))
            attach(area)
        for threshold in panel.lines:
            series = QLineSeries()
            series.setName(threshold.label)
            color = {"caution": CAUTION, "baseline": BASELINE}.get(threshold.kind, LIMIT)
            pen = QPen(color, 1.2)
            if threshold.kind != "baseline":
                pen.setStyle(Qt.PenStyle.DashLine)
            series.setPen(pen)
            series.append(x0, threshold.value * scale)
            series.append(x1, threshold.value * scale)
            attach(series)
        # Every panel has a right axis of the same size (blank where there is no dose), so
        # that the plot areas, and so the dates, line up from one chart to the next.
        dose_axis = QValueAxis()
        dose_axis.setTitleText("mg/day")
        dose_axis.setLabelFormat("%.3g")
        top = max((s.value for s in charts.trough.dose_steps), default=10.0)
        dose_axis.setRange(0, top * 1.25)
        dose_axis.applyNiceNumbers()
        chart.addAxis(dose_axis, Qt.AlignmentFlag.AlignRight)
        if not panel.dose_steps:
            blank = QColor(0, 0, 0, 0)
            dose_axis.setLabelsColor(blank)
            dose_axis.setTitleBrush(QBrush(blank))
            dose_axis.setLinePenColor(blank)
            dose_axis.setGridLineVisible(False)
        else:
            dose_axis.setLinePenColor(DOSE)
            dose_axis.setLabelsColor(DOSE)
            dose_axis.setGridLineVisible(False)
            steps = QLineSeries()
            steps.setName("daily dose")
            steps.setPen(QPen(DOSE, 1.6))
            for index, step in enumerate(panel.dose_steps):
                following = (
                    panel.dose_steps[index + 1].day if index + 1 < len(panel.dose_steps) else end
                )
                steps.append(_ms(step.day), step.value)
                steps.append(_ms(following), step.value)
            attach(steps, dose_axis)
        for index, data in enumerate(panel.series):
            color = SERIES[index % len(SERIES)]
            line = QLineSeries()
            line.setName(data.name)
            line.setPen(QPen(color, 1.4))
            normal, flagged = QScatterSeries(), QScatterSeries()
            normal.setName(data.name)
            flagged.setName(f"{data.name} beyond a threshold")
            for scatter, fill, size in ((normal, color, 7.0), (flagged, ALERT, 10.0)):
                scatter.setMarkerSize(size)
                scatter.setColor(fill)
                scatter.setBorderColor(fill)
                scatter.hovered.connect(self._on_point_hovered)
            for point in data.points:
                x, y = _ms(point.day), point.value * scale
                line.append(x, y)
                (flagged if point.flagged else normal).append(x, y)
                self.labels[(x, y)] = f"{point.label}\n{point.day.isoformat()}"
            attach(line)
            attach(normal)
            attach(flagged)
        # The view releases its old chart without deleting it; delete it here, on Qt's side,
        # so that its series are not left to Python's garbage collector.
        old = self.chart()
        self.setChart(chart)
        self._chart = chart
        if old is not None:
            old.deleteLater()

    def _on_point_hovered(self, point: QPointF, state: bool) -> None:
        if state:
            text = self.labels.get((point.x(), point.y()), "")
            QToolTip.showText(self.cursor().pos(), text, self)
        else:
            QToolTip.hideText()

    def point_count(self) -> int:
        """Points drawn as markers (what a test can check was plotted)."""
        return sum(s.count() for s in self.chart().series() if isinstance(s, QScatterSeries))


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

    def show_charts(
        self,
        charts: Charts,
        *,
        creatinine_scale: float = 1.0,
        creatinine_unit: str = "µmol/L",
        trough_unit: str = "µg/L",
    ) -> None:
        self.trough_chart.show_panel(charts.trough, charts, 1.0, trough_unit)
        self.creatinine_chart.show_panel(
            charts.creatinine, charts, creatinine_scale, creatinine_unit
        )
        self.pressure_chart.show_panel(charts.blood_pressure, charts, 1.0, "mmHg")
