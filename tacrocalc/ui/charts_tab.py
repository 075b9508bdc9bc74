"""The Charts tab of the patient view, whose charts are made the first time they are needed.

The window opens on the Results tab: importing QtCharts, making the three charts and drawing
a two-year course in them took ~100 ms of a start of ~500 ms (bench/bench_gui.py), for charts
that were not on screen. The tab keeps the latest chart model it was given and draws it when
it is first shown, or when anything asks for the charts themselves (`trough_chart`, `panels`,
...: the attributes of `tacrocalc.ui.charts.ChartsView`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QVBoxLayout, QWidget

if TYPE_CHECKING:
    from PySide6.QtGui import QShowEvent

    from tacrocalc.present.charts import Charts
    from tacrocalc.ui.charts import ChartsView


class ChartsTab(QWidget):
    """Trough, creatinine and blood pressure, stacked (`ChartsView`), made when first needed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._view: ChartsView | None = None
        self._pending: Charts | None = None  # the model to draw once the charts are made
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    @property
    def view(self) -> ChartsView:
        """The charts, made (and the latest model drawn) the first time they are asked for."""
        if self._view is None:
            from tacrocalc.ui.charts import ChartsView

            self._view = ChartsView(self)
            self._layout.addWidget(self._view)
            if self.isVisible():
                self._view.show()
            if self._pending is not None:
                self._view.show_charts(self._pending)
                self._pending = None
        return self._view

    @property
    def made(self) -> bool:
        """Whether the charts have been made."""
        return self._view is not None

    def show_charts(self, charts: Charts) -> None:
        """Draw `charts` now when the charts are made or on screen; else when they are."""
        if self._view is None and not self.isVisible():
            self._pending = charts
        else:
            self.view.show_charts(charts)

    def showEvent(self, event: QShowEvent) -> None:
        self.view  # noqa: B018 (made and drawn as the tab is shown)
        super().showEvent(event)

    def __getattr__(self, name: str) -> Any:
        # What is not the tab's is the charts' (trough_chart, panels, ...).
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.view, name)
