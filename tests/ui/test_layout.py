"""The window at the workstation sizes of the ward (issue: the ward window, point 6): at
1366×768, at 1920×1080 with 150 % scaling (1280×720 logical) and at 1024×640, nothing is
narrower or shorter than it needs to be, nothing scrolls inside anything else, every value of
the results and schedule tables is read whole, and the results table shows at least 8 rows at
1366×768."""

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QGroupBox,
    QHeaderView,
    QScrollArea,
    QStyle,
    QStyleOptionViewItem,
    QTabBar,
    QTableView,
    QWidget,
)

from tacrocalc.records.patient_file import loads
from tacrocalc.records.protocol_files import available_protocols, load_protocol
from tacrocalc.ui.main_window import MainWindow
from tests.seed_cases import case_1

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "switch-and-hold.json"
EXAMPLE_DAY = date(2026, 11, 26)  # as docs/screenshot.py shows it
DOSE_TAB, COURSE_TAB, SCHEDULE_TAB = 0, 1, 2

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


# -- every value whole (issue 11, point 6) --------------------------------------------------


@pytest.fixture
def example(qtbot, store, settings):
    """The window with the switch-and-hold example open, as docs/screenshot.py shows it: long
    values (a hypertension, a +36.2 % creatinine, an off-treatment trough) and the schedule."""
    record = loads(EXAMPLE.read_text(), protocol_for=load_protocol, today=EXAMPLE_DAY)
    assert store.import_record(record).ok
    win = MainWindow(
        store, load_protocol, available_protocols(), settings, today=lambda: EXAMPLE_DAY
    )
    qtbot.addWidget(win)
    win.show()
    assert win.open_patient(record.patient.id)
    return win


def show_at(qtbot, window, screen, left_tab=DOSE_TAB):
    width, height = SIZES[screen]
    window.resize(width, height)
    window.view.left_tabs.setCurrentIndex(left_tab)
    qtbot.waitUntil(lambda: window.size().toTuple() == (width, height))
    settle(window)


def settle(window: QWidget) -> None:
    """Let the layout settle: the window's, then the tables' own and Needs attention's (a
    scroll bar shown or hidden changes the width its text wraps at)."""
    shown: list[list[tuple[int, int, int, int]]] = []
    for _ in range(20):
        QApplication.processEvents()
        shown.append([w.geometry().getRect() for w in window.findChildren(QWidget)])
        if len(shown) >= 3 and shown[-1] == shown[-2] == shown[-3]:
            return


def cut_cells(table: QTableView) -> list[str]:
    """The cells of `table` whose text does not show whole in the cell where Qt's item
    delegate draws it (wrapped at its words when the table wraps), and the headings that do
    not show whole in their section: what a clinician would have to hover to read."""
    model, delegate = table.model(), table.itemDelegate()
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    flags = Qt.TextFlag.TextWordWrap.value if table.wordWrap() else 0
    cut = []
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            index = model.index(row, column)
            option = QStyleOptionViewItem()
            table.initViewItemOption(option)
            delegate.initStyleOption(option, index)  # the text and font the cell is drawn with
            if not option.text:
                continue
            inside = table.visualRect(index).adjusted(margin, 0, -margin, 0)
            box = QRect(0, 0, inside.width(), 1 << 20)
            needed = QFontMetrics(option.font).boundingRect(box, flags, option.text)
            if needed.width() > inside.width() or needed.height() > inside.height():
                cut.append(f"row {row}, column {column}: {option.text!r} in {inside.size()}")
    header = table.horizontalHeader()
    heading_flags = int(header.defaultAlignment().value) & Qt.TextFlag.TextWordWrap.value
    metrics = header.fontMetrics()
    for section in range(header.count()):
        text = str(model.headerData(section, Qt.Orientation.Horizontal))
        room = header.sectionSize(section) - 4  # Fusion's margins around a heading
        needed = metrics.boundingRect(QRect(0, 0, room, 1 << 20), heading_flags, text)
        if needed.width() > room or needed.height() > header.height() - 4:
            cut.append(f"heading {text!r} in {header.sectionSize(section)}×{header.height()}")
    return cut


@pytest.mark.parametrize("screen", SIZES)
def test_every_result_and_every_check_of_the_schedule_reads_whole(qtbot, example, screen):
    """No "80 µmol/L (+0.0 ...", "142/90 mmHg, h...", "4 µg/L, off treat...", nor a Take
    column cut off behind a horizontal scroll bar: a long value wraps onto another line."""
    view = example.view
    show_at(qtbot, example, screen, SCHEDULE_TAB)
    assert view.table.isVisible() and view.schedule_table.isVisible()
    assert view.table_model.rowCount() == 18 and view.schedule_table.rowCount() == 8
    assert cut_cells(view.table) == []
    assert cut_cells(view.schedule_table) == []
    for table in (view.table, view.schedule_table):
        assert not table.horizontalScrollBar().isVisible(), table.objectName()
    # The class and the % change are in the cell itself, and the tooltip still says it all.
    creatinine = view.table_model.index(10, 3)
    assert creatinine.data() == "109 µmol/L (+36.2 %)"
    assert "significant" in creatinine.data(Qt.ItemDataRole.ToolTipRole)


def test_a_value_wraps_at_a_word_and_keeps_its_number_with_its_unit(qtbot, example):
    """At 1024×640 the results wrap; "+36.2 %" and "Check 1" never break inside."""
    view = example.view
    show_at(qtbot, example, "1024x640", SCHEDULE_TAB)
    table = view.table
    hypertension = table.model().index(10, 4)  # "150/96 mmHg, hypertension"
    assert table.rowHeight(10) > table.rowHeight(1)  # 2026-06-01 holds one word
    assert table.visualRect(hypertension).width() < QFontMetrics(table.font()).horizontalAdvance(
        hypertension.data()
    )
    option = QStyleOptionViewItem()
    table.itemDelegate().initStyleOption(option, table.model().index(10, 3))
    assert option.text.endswith("(+36.2\u00a0%)")
    option = QStyleOptionViewItem()
    view.schedule_table.itemDelegate().initStyleOption(
        option, view.schedule_table.model().index(0, 0)
    )
    assert option.text == "Check\u00a01"


def test_the_results_show_eight_rows_of_the_example_at_1366x768(qtbot, example):
    """Rows grow to their text, yet any 8 rows one after the other fit in the table."""
    show_at(qtbot, example, "1366x768")
    table = example.view.table
    heights = [table.rowHeight(r) for r in range(table.model().rowCount())]
    tallest_eight = max(sum(heights[r : r + 8]) for r in range(len(heights) - 7))
    assert tallest_eight <= table.viewport().height()


def needs_attention(window: QWidget) -> tuple[QGroupBox, QScrollArea]:
    box = next(b for b in window.findChildren(QGroupBox) if b.title() == "Needs attention")
    return box, box.findChild(QScrollArea)


def every_page(qtbot, window, screen):
    """Each tab of the left column in turn, and each page of the Course tab's own tabs."""
    view = window.view
    for tab in (DOSE_TAB, COURSE_TAB, SCHEDULE_TAB):
        pages = range(view.course_panel.tabs.count()) if tab == COURSE_TAB else (None,)
        for page in pages:
            if page is not None:
                view.course_panel.tabs.setCurrentIndex(page)
            show_at(qtbot, window, screen, tab)
            yield tab if page is None else f"{tab}, page {page}"


@pytest.mark.parametrize("screen", SIZES)
def test_needs_attention_keeps_its_height_whichever_tab_is_chosen(qtbot, example, screen):
    """Choosing the Course or the Schedule tab (or a page of the Course tab) does not squeeze
    the alerts into a scrolling strip: the box is as tall as with the Dose tab, and where the
    screen has the room (1366×768, and 1280×720 at 150 %) its text needs no scroll bar."""
    box, scroll = needs_attention(example)
    heights = {}
    for shown in every_page(qtbot, example, screen):
        heights[shown] = box.height()
        if screen != "1024x640":
            assert not scroll.verticalScrollBar().isVisible(), shown
    assert set(heights.values()) == {heights[DOSE_TAB]}, heights


@pytest.mark.parametrize("screen", SIZES)
def test_no_page_of_the_left_column_is_squeezed(qtbot, example, screen):
    """Every page of the tabs under Needs attention has what its form needs; only its list
    is short (and scrolls)."""
    for shown in every_page(qtbot, example, screen):
        assert squeezed(example) == [], shown


def test_at_1024x640_needs_attention_shows_every_alert_whole(qtbot, example):
    """The alerts a doctor must read are in view on every tab without scrolling; the tabs
    under them have what their tallest page needs and no more (the Dose tab's blank goes to
    Needs attention). Only the dose advice under the alerts (R9) scrolls into view."""
    view = example.view
    _box, scroll = needs_attention(example)
    alerts = view.alerts_label
    for shown in every_page(qtbot, example, "1024x640"):
        top = alerts.mapTo(scroll.viewport(), alerts.rect().topLeft()).y()
        assert top >= 0 and top + alerts.height() <= scroll.viewport().height(), shown
        assert alerts.height() >= alerts.heightForWidth(alerts.width()), shown
        tabs = view.left_tabs
        assert tabs.height() == tabs.heightForWidth(tabs.width()), shown


def test_the_start_date_of_a_new_regimen_reads_on_one_line_at_1024x640(qtbot, example):
    """The date understood ("26 November 2026") reads whole on one line under the date, in
    the row "from 2026-11-26 … Apply as new regimen"; it wrapped onto three lines."""
    view = example.view
    show_at(qtbot, example, "1024x640", DOSE_TAB)
    understood = view.start_edit.understood_label
    assert understood.text() == "26 November 2026"
    metrics = understood.fontMetrics()
    assert understood.width() >= metrics.horizontalAdvance(understood.text())
    assert understood.height() < 2 * metrics.lineSpacing()
    assert view.apply_button.isVisible()
    assert squeezed(view.calculator_box) == []


def test_a_column_width_saved_by_an_older_layout_does_not_squeeze_needs_attention(
    qtbot, store, settings
):
    """The two columns' widths are restored, but a left column saved narrower than Needs
    attention's readable line (an older layout allowed it) is widened to it, and the alerts
    keep their height on every tab."""
    from PySide6.QtWidgets import QSplitter

    older = QSplitter()
    qtbot.addWidget(older)
    older.addWidget(QWidget())
    older.addWidget(QWidget())
    older.resize(1160, 400)
    older.setSizes([200, 960])
    settings.set("window/columns", bytes(older.saveState().data()))
    record = loads(EXAMPLE.read_text(), protocol_for=load_protocol, today=EXAMPLE_DAY)
    assert store.import_record(record).ok
    win = MainWindow(
        store, load_protocol, available_protocols(), settings, today=lambda: EXAMPLE_DAY
    )
    qtbot.addWidget(win)
    win.show()
    assert win.open_patient(record.patient.id)
    box, scroll = needs_attention(win)
    heights = {}
    for shown in every_page(qtbot, win, "1366x768"):
        assert box.width() >= box.minimumWidth() > 300, shown
        assert not scroll.verticalScrollBar().isVisible(), shown
        heights[shown] = box.height()
    assert set(heights.values()) == {heights[DOSE_TAB]}, heights
    left = win.view.columns.sizes()[0]  # as narrow as saved, as far as it now can be
    assert left == win.view.columns.widget(0).minimumSizeHint().width()
