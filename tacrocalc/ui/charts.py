"""The chart model drawn with QtCharts: three charts on one date axis.

QtCharts is deprecated from Qt 6.10; it stays behind this one module, which only turns
`tacrocalc.present.charts.Charts` into pixels, in the colours `present.charts` gives for a light
or a dark palette.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCharts import (
    QAbstractSeries,
    QAreaSeries,
    QChart,
    QChartView,
    QDateTimeAxis,
    QLegend,
    QLineSeries,
    QScatterSeries,
    QValueAxis,
)
from PySide6.QtCore import (
    QDate,
    QDateTime,
    QLocale,
    QMargins,
    QPoint,
    QPointF,
    QRectF,
    Qt,
    QTime,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QCursor,
    QFont,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsSimpleTextItem,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from tacrocalc.present.charts import DARK, LIGHT, Colours, label_rows
from tacrocalc.ui.none_guard import keep_none_alive

if TYPE_CHECKING:
    from tacrocalc.present.charts import Charts, Fill, Panel, Series

DATE_FORMAT = "d MMM yyyy"  # "3 Aug 2026": never a two-digit year
DATE_TICKS = 6  # dates under a wide chart; fewer where they would not fit (fit_date_ticks)
HOVER_PX = 12.0  # a point shows its value when the pointer is this close to it
EVENT_HOVER_PX = 4.0  # a course event shows what it was this close to its line
LEGEND_POINT_SIZE = 7.5
EVENT_LABEL_POINT_SIZE = 7.0
PAD_DAYS = 2  # room at each end of the date axis
MARGIN = 4  # px around the plot, more on a side where another chart's axis labels are wider


def qcolor(hex_rgb: str, opacity: float = 1.0) -> QColor:
    color = QColor(hex_rgb)
    color.setAlphaF(opacity)
    return color


def fill(value: Fill) -> QColor:
    return qcolor(*value)


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


def _spans(spans: list[tuple[float, float]], low: float, high: float) -> list[list[QPointF]]:
    """The upper and lower edges of one area series that shades each span from `low` to
    `high`: between spans the two edges meet, and nothing is filled."""
    upper: list[QPointF] = []
    lower: list[QPointF] = []
    for x0, x1 in spans:
        upper += [QPointF(x0, low), QPointF(x0, high), QPointF(x1, high), QPointF(x1, low)]
        lower += [QPointF(x0, low), QPointF(x0, low), QPointF(x1, low), QPointF(x1, low)]
    return [upper, lower]


class _DataSeries:
    """One series of a panel: a line through its points, and its points as markers, those
    beyond a threshold larger and red."""

    def __init__(self, line: QLineSeries, normal: QScatterSeries, flagged: QScatterSeries) -> None:
        self.line = line
        self.normal = normal
        self.flagged = flagged
        self.color: QColor | None = None


class _EventLabel:
    """The short name of a course event at the top of the plot, on a patch of the plot's
    background so that the lines under it do not cross the letters."""

    def __init__(self, parent: QGraphicsItem, colours: Colours) -> None:
        self.box = QGraphicsRectItem(parent)
        self.box.setPen(QPen(Qt.PenStyle.NoPen))
        self.box.setZValue(10)
        self.text = QGraphicsSimpleTextItem(self.box)
        font = QFont(self.text.font())
        font.setPointSizeF(EVENT_LABEL_POINT_SIZE)
        self.text.setFont(font)
        self.recolour(colours)

    def recolour(self, colours: Colours) -> None:
        self.box.setBrush(QBrush(qcolor(colours.background, 0.8)))
        self.text.setBrush(QBrush(QColor(colours.event)))

    def set_text(self, text: str) -> None:
        if self.text.text() != text:
            self.text.setText(text)
            self.box.setRect(self.text.boundingRect().adjusted(-1, 0, 1, 0))

    @property
    def width(self) -> float:
        return float(self.text.boundingRect().width())

    @property
    def height(self) -> float:
        return float(self.text.boundingRect().height())


class ChartPanel(QChartView):
    """One panel with its legend and the course drawn on it; the pointer within 12 px of a
    point shows its value, unit and date, and on the line of a course event what it was.

    The chart, its axes and its series are made once; each redraw only replaces the points,
    the ranges and the titles, and hides the series that a panel does not use.
    """

    THRESHOLDS = 3  # lines made up front, so that they are drawn under the data series
    DATA_SERIES = 2

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(110)  # three fit the Charts tab at 1024×640
        # A picture, not a control: Tab passes it by, and it is named for a screen reader.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.viewport().setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.viewport().setMouseTracking(True)
        self.labels: dict[tuple[float, float], str] = {}
        self.event_texts: list[tuple[float, str]] = []  # (x in ms, what the event was)
        self.panel: Panel | None = None
        self.colours: Colours = LIGHT
        self._dark: bool | None = None  # the theme last applied
        self._title = ""
        self._dose_shown: bool | None = None
        self._title_brush = QBrush()
        self._hovered = ""  # the text of the tooltip shown, if any
        chart = QChart()
        chart.setMargins(QMargins(MARGIN, MARGIN, MARGIN, MARGIN))
        chart.setBackgroundRoundness(0)
        # The date axis writes its months in the chart's locale: English, as the rest of the
        # window and the plan, whatever the computer's language ("3 Aug 2026", not "3 août";
        # "Sep" as on the plan, not en_GB's "Sept").
        chart.setLocale(QLocale.c())
        chart.layout().setContentsMargins(0, 0, 0, 0)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # The legend stands where the title would: its first entry names the series and unit
        # (the whole title is the chart's accessible name), and the height goes to the plot.
        legend = chart.legend()
        legend.setAlignment(Qt.AlignmentFlag.AlignTop)
        legend.setMarkerShape(QLegend.MarkerShape.MarkerShapeFromSeries)
        font = QFont(legend.font())
        font.setPointSizeF(LEGEND_POINT_SIZE)
        legend.setFont(font)
        self._x_axis = QDateTimeAxis()
        self._x_axis.setFormat(DATE_FORMAT)
        self._x_axis.setTickCount(DATE_TICKS)
        self._y_axis = QValueAxis()
        self._y_axis.setLabelFormat("%.3g")
        # Every panel has a right axis of the same size (blank where there is no dose), so
        # that the plot areas, and so the dates, line up from one chart to the next.
        self._dose_axis = QValueAxis()
        self._dose_axis.setTitleText("mg/day")
        self._dose_axis.setLabelFormat("%.3g")
        for axis in (self._x_axis, self._y_axis, self._dose_axis):
            axis.setTruncateLabels(False)
        chart.addAxis(self._x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self._y_axis, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(self._dose_axis, Qt.AlignmentFlag.AlignRight)
        self._chart = chart
        # The legend lists the series in the order they were added, and they are drawn in that
        # order too. So that the data are named first but drawn last, the first entries belong
        # to series without points that stand for them in the legend.
        # (A shaded area's own entry, shown for the first time, is cut short.)
        self._named = [self._legend_entry() for _ in range(self.DATA_SERIES)]
        self._named_flagged = self._legend_entry()
        self._named_band = self._legend_entry()
        self._named_held = self._legend_entry()
        self._named_stopped = self._legend_entry()
        # An area series only points at its two boundaries: they belong to the chart. Made in
        # the order they are drawn: shading under lines, lines under points.
        self._band = self._area()
        self._held = self._area()
        self._stopped = self._area()
        self._thresholds: list[QLineSeries] = []
        self._threshold_kinds: list[str] = []
        for _ in range(self.THRESHOLDS):
            self._add_threshold()
        self._events = QLineSeries()  # every event's vertical line, in one series
        self._events.setName("course events")
        self._attach(self._events)
        self._steps = QLineSeries()
        self._steps.setName("daily dose")
        self._attach(self._steps, self._dose_axis)
        self._data: list[_DataSeries] = []
        for _ in range(self.DATA_SERIES):
            self._add_data_series()
        self._event_labels: list[_EventLabel] = []
        # what each series' legend entry was last set to (a marker's own visibility follows
        # the widget's, so it cannot tell): the series shown, the entry shown, its text
        self._legend_shown: dict[int, tuple[bool, bool, str]] = {}
        self.setChart(chart)
        chart.plotAreaChanged.connect(self._on_chart_plot_area_changed)

    def _legend_entry(self) -> QScatterSeries:
        series = QScatterSeries()
        self._attach(series)
        return series

    def _area(self) -> QAreaSeries:
        series = QAreaSeries(QLineSeries(self._chart), QLineSeries(self._chart))
        self._attach(series)
        return series

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
        """Follow the palette: a dark system palette gets the dark chart theme and the dark
        colours of `present.charts`. A new theme resets the colours of the series and axes,
        so they are set again after it."""
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        if dark == self._dark:
            return
        self._chart.setTheme(
            QChart.ChartTheme.ChartThemeDark if dark else QChart.ChartTheme.ChartThemeLight
        )
        self._dark = dark
        colours = self.colours = DARK if dark else LIGHT
        background = QColor(colours.background)
        self._chart.setBackgroundBrush(QBrush(background))
        self._chart.setPlotAreaBackgroundBrush(QBrush(background))
        self._chart.setPlotAreaBackgroundVisible(True)
        for area, shade in (
            (self._band, colours.band),
            (self._held, colours.held),
            (self._stopped, colours.stopped),
        ):
            area.setBrush(QBrush(fill(shade)))
            area.setPen(QPen(Qt.PenStyle.NoPen))
        pen = QPen(QColor(colours.event), 1.0)
        pen.setStyle(Qt.PenStyle.DotLine)
        self._events.setPen(pen)
        self._steps.setPen(QPen(QColor(colours.dose), 1.6))
        self._threshold_kinds = [""] * len(self._thresholds)
        for data in self._data:
            data.color = None
        for label in self._event_labels:
            label.recolour(colours)
        entries = [(s, QColor(colours.series[i % 2]), 7.0) for i, s in enumerate(self._named)]
        entries.append((self._named_flagged, QColor(colours.alert), 10.0))
        for series, color, size in entries:
            series.setColor(color)
            series.setPen(QPen(color, 1.0))
            series.setMarkerSize(size)
        for series, shade in (
            (self._named_band, colours.band),
            (self._named_held, colours.held),
            (self._named_stopped, colours.stopped),
        ):
            series.setMarkerShape(QScatterSeries.MarkerShape.MarkerShapeRectangle)
            series.setColor(fill(shade))
            series.setPen(QPen(QColor(colours.baseline), 0.6))
            series.setMarkerSize(10.0)
        legend = self._chart.legend()  # the theme sets its own font
        font = QFont(legend.font())
        font.setPointSizeF(LEGEND_POINT_SIZE)
        legend.setFont(font)
        self._dose_shown = None
        self._title_brush = self._dose_axis.titleBrush()  # the theme's
        self._legend_shown = {}

    def show_panel(
        self, panel: Panel, charts: Charts, *, dates: bool = True, event_labels: bool = True
    ) -> None:
        """Draw `panel`, its values already in the display unit (`present.charts`); `dates`:
        with the dates under it, `event_labels`: with the course events named."""
        keep_none_alive()
        self.panel = panel
        self.labels = {}
        self._apply_theme()
        colours = self.colours
        title = f"{panel.title} ({panel.unit})"
        if title != self._title:
            self._y_axis.setTitleText(panel.unit)
            self.setAccessibleName(f"Chart: {title}")
            self._title = title
        if self._x_axis.labelsVisible() != dates:
            self._x_axis.setLabelsVisible(dates)
        start = charts.start - timedelta(days=PAD_DAYS)
        end = charts.end + timedelta(days=PAD_DAYS)
        self._x_axis.setRange(_qdatetime(start), _qdatetime(end))
        _nice_range(self._y_axis, panel.y_min, panel.y_max)
        x0, x1 = _ms(start), _ms(end)
        y0, y1 = self._y_axis.min(), self._y_axis.max()

        if panel.band is not None:
            low, high = panel.band.low, panel.band.high
            _set_points(self._band.lowerSeries(), [QPointF(x0, low), QPointF(x1, low)])
            _set_points(self._band.upperSeries(), [QPointF(x0, high), QPointF(x1, high)])
            _set_name(self._band, panel.band.label)
        _set_visible(self._band, panel.band is not None)

        for area, status in ((self._held, "held"), (self._stopped, "stopped")):
            spans = [
                (_ms(p.start), _ms(p.end) if p.end is not None else x1)
                for p in charts.off
                if p.status.value == status
            ]
            upper, lower = _spans(spans, y0, y1)
            _set_points(area.upperSeries(), upper)
            _set_points(area.lowerSeries(), lower)
            _set_name(area, status)
            _set_visible(area, bool(spans))

        while len(self._thresholds) < len(panel.lines):
            self._add_threshold()
        for index, series in enumerate(self._thresholds):
            if index >= len(panel.lines):
                _blank_series(series)
                continue
            threshold = panel.lines[index]
            if self._threshold_kinds[index] != threshold.kind:
                color = {"caution": colours.caution, "baseline": colours.baseline}.get(
                    threshold.kind, colours.limit
                )
                pen = QPen(QColor(color), 1.2)
                if threshold.kind != "baseline":
                    pen.setStyle(Qt.PenStyle.DashLine)
                series.setPen(pen)
                self._threshold_kinds[index] = threshold.kind
            _set_name(series, threshold.label)
            value = threshold.value
            _set_points(series, [QPointF(x0, value), QPointF(x1, value)])
            _set_visible(series, True)

        # one line up and down at each event, joined along the foot of the plot (the axis)
        self.event_texts = [(_ms(e.day), e.text) for e in charts.events]
        verticals: list[QPointF] = []
        for x, _ in self.event_texts:
            verticals += [QPointF(x, y0), QPointF(x, y1), QPointF(x, y0)]
        _set_points(self._events, verticals)
        _set_visible(self._events, bool(verticals))
        self._show_event_labels(charts if event_labels else None)

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
            self._show_data(data, panel.series[index], QColor(colours.series[index % 2]))
        self._show_legend(panel, charts, off_named=event_labels)
        self._place_event_labels()

    def _show_legend(self, panel: Panel, charts: Charts, *, off_named: bool) -> None:
        """Name in the legend what the panel draws, in the display unit: the series first, the
        points beyond a threshold once, the edges of the target band with the band, and (with
        the events named) the periods without treatment."""
        flagged = any(p.flagged for s in panel.series for p in s.points)
        off = {p.status.value for p in charts.off} if off_named else set()
        named = [
            (series, panel.series[i].legend if i < len(panel.series) else "")
            for i, series in enumerate(self._named)
        ]
        named += [
            (self._named_flagged, "beyond a threshold" if flagged else ""),
            (self._named_band, panel.band.legend if panel.band is not None else ""),
            (self._named_held, "held" if "held" in off else ""),
            (self._named_stopped, "stopped" if "stopped" in off else ""),
        ]
        for entry, text in named:
            _set_name(entry, text)
            _set_visible(entry, bool(text))
        entries: list[tuple[QAbstractSeries, str]] = [
            (self._band, ""),
            (self._held, ""),
            (self._stopped, ""),
            (self._events, ""),
            (self._steps, panel.dose_legend),
        ]
        for index, threshold in enumerate(self._thresholds):
            line = panel.lines[index] if index < len(panel.lines) else None
            entries.append((threshold, line.legend if line is not None else ""))
        for data in self._data:
            entries += [(data.line, ""), (data.normal, ""), (data.flagged, "")]
        legend = self._chart.legend()
        for series, text in entries:
            # Qt shows a series' marker again whenever the series is shown again
            state = (series.isVisible(), bool(text) and series.isVisible(), text)
            key = id(series)  # the series objects are this panel's own, and live as long
            if self._legend_shown.get(key) == state:
                continue
            for marker in legend.markers(series):
                marker.setVisible(state[1])
                if state[1]:
                    marker.setLabel(text)
            self._legend_shown[key] = state

    def _show_event_labels(self, charts: Charts | None) -> None:
        events = charts.events if charts is not None else ()
        while len(self._event_labels) < len(events):
            self._event_labels.append(_EventLabel(self._chart, self.colours))
        for index, label in enumerate(self._event_labels):
            if index < len(events):
                label.set_text(events[index].label)
            if label.box.isVisible() != (index < len(events)):
                label.box.setVisible(index < len(events))

    def _place_event_labels(self) -> None:
        """Each event's label just right of its line at the top of the plot; labels that would
        overlap go one row down (`present.charts.label_rows`)."""
        area = self._chart.plotArea()
        items = [label for label in self._event_labels if label.box.isVisible()]
        if area.width() <= 0 or not items:
            return
        lefts = [
            self._chart.mapToPosition(QPointF(x, 0), self._events).x() + 2
            for x, _ in self.event_texts[: len(items)]
        ]
        spans = [(left, left + label.width) for left, label in zip(lefts, items, strict=True)]
        rows = label_rows(spans)
        for label, (left, right), row in zip(items, spans, rows, strict=True):
            x = min(left, area.right() - (right - left))  # never past the right edge
            label.box.setPos(x, area.top() + 1 + row * label.height)

    def _on_chart_plot_area_changed(self) -> None:
        self._place_event_labels()

    def _show_dose_axis(self, shown: bool) -> None:
        if shown == self._dose_shown:
            return
        axis = self._dose_axis
        axis.setGridLineVisible(False)
        if shown:
            dose = QColor(self.colours.dose)
            axis.setLinePenColor(dose)
            axis.setLabelsColor(dose)
            axis.setTitleBrush(self._title_brush)
        else:
            blank = QColor(0, 0, 0, 0)
            axis.setLabelsColor(blank)
            axis.setTitleBrush(QBrush(blank))
            axis.setLinePenColor(blank)
        self._dose_shown = shown

    def _show_data(self, data: _DataSeries, series: Series, color: QColor) -> None:
        if data.color != color:
            data.line.setPen(QPen(color, 1.6))
            alert = QColor(self.colours.alert)
            for scatter, fill_color, size in (
                (data.normal, color, 7.0),
                (data.flagged, alert, 10.0),
            ):
                scatter.setMarkerSize(size)
                scatter.setColor(fill_color)
                scatter.setPen(QPen(fill_color, 1.0))  # the border (a theme's would be wider)
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

    # -- reading values by pointing -------------------------------------------------------

    def position_of(self, value: QPointF) -> QPointF:
        """Where a point of the data (x in ms, y in the panel's unit) is drawn, in the
        coordinates of the viewport (of mouse events)."""
        scene = self._chart.mapToScene(self._chart.mapToPosition(value, self._events))
        return QPointF(self.mapFromScene(scene))

    def text_at(self, pos: QPointF) -> str:
        """What pointing at `pos` (viewport coordinates) shows: the value and date of the
        nearest point within `HOVER_PX`, else the course event whose line is within
        `EVENT_HOVER_PX`, else nothing."""
        best, best_distance = "", HOVER_PX
        for (x, y), text in self.labels.items():
            where = self.position_of(QPointF(x, y))
            distance = math.hypot(where.x() - pos.x(), where.y() - pos.y())
            if distance <= best_distance:
                best, best_distance = text, distance
        if best:
            return best
        area = self._chart.plotArea()
        top = self.mapFromScene(self._chart.mapToScene(area.topLeft())).y()
        bottom = self.mapFromScene(self._chart.mapToScene(area.bottomLeft())).y()
        if not top <= pos.y() <= bottom:
            return ""
        for x, text in self.event_texts:
            if abs(self.position_of(QPointF(x, 0)).x() - pos.x()) <= EVENT_HOVER_PX:
                return text
        return ""

    def _show_text_at(self, pos: QPoint) -> None:
        text = self.text_at(QPointF(pos))
        if text and text != self._hovered:
            QToolTip.showText(self.viewport().mapToGlobal(pos), text, self)
        elif not text and self._hovered:
            QToolTip.hideText()
        self._hovered = text

    def fit_date_ticks(self, plot_width: float) -> None:
        """As many dates under the plot as fit side by side, each ("28 Sep 2026") with two
        characters' room either side: six on a wide chart, fewer on a narrow one (the window
        at 1024 px), where six would run into each other."""
        metrics = QFontMetrics(self._x_axis.labelsFont())
        room = metrics.horizontalAdvance("28 Sep 2026") + 4 * metrics.averageCharWidth()
        ticks = max(2, min(DATE_TICKS, int(plot_width // room) + 1))
        if self._x_axis.tickCount() != ticks:
            self._x_axis.setTickCount(ticks)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        self._show_text_at(event.position().toPoint())

    def _on_point_hovered(self, point: QPointF, state: bool) -> None:
        """The pointer on a marker itself (within its radius)."""
        if state:
            text = self.labels.get((point.x(), point.y()), "")
            QToolTip.showText(self.cursor().pos(), text, self)
            self._hovered = text
        else:
            self._show_text_at(self.viewport().mapFromGlobal(QCursor.pos()))

    def legend_entries(self) -> list[str]:
        """The legend as it reads, left to right."""
        return [m.label() for m in self._chart.legend().markers() if m.isVisible()]

    def event_labels(self) -> list[str]:
        """The labels of the course events written on the chart, in date order."""
        return [label.text.text() for label in self._event_labels if label.box.isVisible()]

    def event_label_rects(self) -> list[QRectF]:
        """Where those labels are, in the chart's coordinates."""
        return [
            label.box.mapRectToParent(label.box.rect())
            for label in self._event_labels
            if label.box.isVisible()
        ]

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
        self.trough_chart.setAccessibleName("Chart: tacrolimus trough")
        self.creatinine_chart = ChartPanel()
        self.creatinine_chart.setObjectName("creatinine_chart")
        self.creatinine_chart.setAccessibleName("Chart: serum creatinine")
        self.pressure_chart = ChartPanel()
        self.pressure_chart.setObjectName("pressure_chart")
        self.pressure_chart.setAccessibleName("Chart: blood pressure")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.panels = (self.trough_chart, self.creatinine_chart, self.pressure_chart)
        # each chart's plot area with the margins it was laid out with, as last laid out
        self._laid_out: list[tuple[QRectF, QMargins] | None] = [None] * len(self.panels)
        for index, view in enumerate(self.panels):
            layout.addWidget(view, 1)
            view.chart().plotAreaChanged.connect(partial(self._on_plot_area_changed, index))

    def _on_plot_area_changed(self, index: int, area: QRectF) -> None:
        """Line the plot areas up, so that a date is at the same x on every chart: each chart
        gets the margins that make up for the width of its axis labels ("30" against "150").
        What the labels take is measured on each chart's last layout, with the margins that
        layout had (one set since is not laid out yet)."""
        chart = self.panels[index].chart()
        self.panels[index].fit_date_ticks(area.width())
        self._laid_out[index] = (QRectF(area), chart.margins())
        laid_out = [entry for entry in self._laid_out if entry is not None]
        if len(laid_out) < len(self.panels) or any(a.width() <= 0 for a, _ in laid_out):
            return
        naturals = [
            (a.left() - m.left(), view.chart().size().width() - a.right() - m.right())
            for view, (a, m) in zip(self.panels, laid_out, strict=True)
        ]
        left = max(n[0] for n in naturals)
        right = max(n[1] for n in naturals)
        for view, (own_left, own_right) in zip(self.panels, naturals, strict=True):
            wanted = QMargins(
                MARGIN + round(left - own_left), MARGIN, MARGIN + round(right - own_right), MARGIN
            )
            if view.chart().margins() != wanted:
                view.chart().setMargins(wanted)

    def show_charts(self, charts: Charts) -> None:
        """The course events named on the top chart, the dates under the bottom one: the three
        share one date range and their plot areas line up, so the lines run through all."""
        self.trough_chart.show_panel(charts.trough, charts, dates=False)
        self.creatinine_chart.show_panel(charts.creatinine, charts, dates=False, event_labels=False)
        self.pressure_chart.show_panel(charts.blood_pressure, charts, event_labels=False)
