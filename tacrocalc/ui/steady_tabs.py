"""Tabs that keep their height whichever page is chosen, for the columns of the patient view.
Apart from `widgets`, which the main window imports before its first paint: QStyle alone costs
~13 ms of enums at import."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import (
    QSizePolicy,
    QStyle,
    QStyleOptionTabWidgetFrame,
    QTabWidget,
    QWidget,
)


def least_height(widget: QWidget, width: int) -> int:
    """The least height `widget` can be given at `width` without cutting anything: its
    minimum, or more where its text wraps onto more lines at that width. A list counts at
    its minimum (it scrolls); a widget whose height is ignored counts for nothing."""
    if widget.sizePolicy().verticalPolicy() == QSizePolicy.Policy.Ignored:
        return widget.minimumHeight()
    least = widget.minimumHeight() or widget.minimumSizeHint().height()  # as a layout keeps
    layout = widget.layout()
    if layout is not None and layout.hasHeightForWidth():
        least = max(least, layout.minimumHeightForWidth(width))
    return least


class SteadyTabs(QTabWidget):
    """Tabs as tall as their tallest page needs at its least, whichever page is chosen: what is
    above or below them keeps its height when another tab is chosen. A page given more than it
    needs gives it to its list, which scrolls itself when short; a form is never cut."""

    def _pages_rect(self, width: int) -> QRect:
        """Where the pages are drawn in tabs `width` wide (Qt's style: the bar and the frame)."""
        option = QStyleOptionTabWidgetFrame()
        self.initStyleOption(option)
        option.rect = QRect(0, 0, width, 1 << 16)
        return self.style().subElementRect(QStyle.SubElement.SE_TabWidgetTabContents, option, self)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        pages = self._pages_rect(width)
        widgets = (self.widget(i) for i in range(self.count()))
        least = max(
            (least_height(page, pages.width()) for page in widgets if page is not None),
            default=0,
        )
        return least + (1 << 16) - pages.height()

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self.heightForWidth(self.width()))
