"""The window at the workstation sizes of the ward (issue: the ward window, point 6): at
1366×768, at 1920×1080 with 150 % scaling (1280×720 logical) and at 1024×640, nothing is
narrower or shorter than it needs to be, nothing scrolls inside anything else, and the results
table shows at least 8 rows at 1366×768."""

import pytest
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QHeaderView,
    QTabBar,
    QWidget,
)

from tests.seed_cases import case_1

# The screen less the window frame and a taskbar: what a maximised window gets.
SIZES = {"1366x768": (1366, 728), "1920x1080 at 150 %": (1280, 680), "1024x640": (1024, 600)}


def squeezed(top: QWidget) -> list[str]:
    """Visible widgets smaller than their minimum size hint: clipped text, "26-11-2", "µ…"."""
    found = []
    for widget in top.findChildren(QWidget):
        if (
            not widget.isVisible()
            or widget.isWindow()
            or widget.objectName().startswith("qt_")
            or isinstance(widget, QHeaderView)
            or isinstance(widget.parentWidget(), QTabBar)  # its scroll arrows
        ):
            continue  # Qt's own parts of a widget (a spin box's editor) follow the widget
        hint = widget.minimumSizeHint()
        if not hint.isValid():
            continue
        # What a layout keeps: the minimum size where one is set, else the hint (qSmartMinSize).
        least = widget.minimumSize()
        hint.setWidth(least.width() or hint.width())
        hint.setHeight(least.height() or hint.height())
        size = widget.size()
        if size.width() < hint.width() or size.height() < hint.height():
            name = widget.objectName() or type(widget).__name__
            found.append(f"{name} {size.width()}x{size.height()} < {hint.width()}x{hint.height()}")
    return found


@pytest.fixture
def seeded(qtbot, window, store):
    store.import_record(case_1())
    assert window.open_patient("SEED-1")
    return window


@pytest.mark.parametrize("screen", SIZES)
def test_the_window_fits_the_screen_with_nothing_squeezed(qtbot, seeded, screen):
    width, height = SIZES[screen]
    window = seeded
    hint = window.minimumSizeHint().expandedTo(window.minimumSize())
    assert (hint.width(), hint.height()) <= (width, height)
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.size().width() == width)
    QApplication.processEvents()
    for left, right in ((0, 0), (1, 1), (2, 0)):  # every tab of the two columns
        window.view.left_tabs.setCurrentIndex(left)
        window.view.right_tabs.setCurrentIndex(right)
        QApplication.processEvents()
        assert squeezed(window) == [], (left, right)


def test_the_results_table_shows_eight_rows_at_1366x768_without_nested_scrolling(qtbot, seeded):
    window = seeded
    window.resize(*SIZES["1366x768"])
    QApplication.processEvents()
    table = window.view.table
    shown = table.viewport().height() // table.rowHeight(0)
    assert shown >= 8
    # Scroll areas only where a list is: the patients, the alerts, the results and schedule.
    scrolling = {
        w.objectName() or type(w).__name__
        for w in window.findChildren(QAbstractScrollArea)
        if w.isVisible()
    }
    nested = [
        w.objectName()
        for w in window.findChildren(QAbstractScrollArea)
        if w.isVisible()
        and not isinstance(w, QHeaderView)  # a table's header is a part of the table
        and any(isinstance(p, QAbstractScrollArea) for p in _parents(w))
    ]
    assert nested == [], scrolling


def _parents(widget: QWidget):
    parent = widget.parentWidget()
    while parent is not None:
        yield parent
        parent = parent.parentWidget()


def test_a_first_start_on_a_small_screen_opens_maximised_then_the_layout_is_kept(
    qtbot, store, tmp_path
):
    from tacrocalc.records.protocol_files import available_protocols, load_protocol
    from tacrocalc.ui.main_window import PREFERRED_SIZE, MainWindow
    from tacrocalc.ui.settings import Settings

    def open_window():
        win = MainWindow(store, load_protocol, available_protocols(), Settings(tmp_path / "w.ini"))
        qtbot.addWidget(win)
        return win

    first = open_window()
    screen = first.screen().availableGeometry().size()
    assert screen.width() < PREFERRED_SIZE.width()  # the offscreen screen is 800×600
    assert first.first_start
    first.show_as_preferred()
    assert first.isMaximized()
    store.import_record(case_1())
    first.open_patient("SEED-1")
    first.showNormal()
    first.resize(960, 580)  # as wide as the offscreen screen allows
    QApplication.processEvents()
    first.splitter.setSizes([200, 760])
    first.view.columns.setSizes([380, 380])
    QApplication.processEvents()
    kept = (first.splitter.sizes(), first.view.columns.sizes())
    first.close()

    second = open_window()
    assert not second.first_start
    second.show_as_preferred()
    assert not second.isMaximized() and second.size().toTuple() == (960, 580)
    second.open_patient("SEED-1")
    QApplication.processEvents()
    assert (second.splitter.sizes(), second.view.columns.sizes()) == kept
