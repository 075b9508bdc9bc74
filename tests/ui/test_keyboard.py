"""Keyboard use (issue: the ward window, point 5): the window's shortcuts work from any
widget, no two widgets of a window share a mnemonic, Tab follows the reading order, every
input has a name a screen reader can say."""

import re

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QTabWidget,
    QWidget,
)

from tacrocalc.ui.date_edit import DateEdit
from tests.seed_cases import case_1
from tests.ui.conftest import TODAY

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def open_window(qtbot, window, store):
    store.import_record(case_1())
    window.settings.set("session/last_patient", "SEED-1")
    assert window.open_patient("SEED-1")
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window


def _fields(window):
    view = window.view
    return {
        "search box": window.patients.search_edit,
        "trough field": view.trough_edit,
        "weight field": view.calculator.weight_edit,
        "date of the results": view.date_edit,
    }


class ClaimsControlKeys(QObject):
    """A text field as X11 key bindings make it: it claims Ctrl+E ("end of line") and other
    Ctrl keys before any window shortcut (the offscreen platform has no such bindings)."""

    def eventFilter(self, watched, event):
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            event.accept()
            return True
        return False


@pytest.mark.parametrize("field", ["search box", "trough field", "weight field"])
def test_window_shortcuts_work_while_a_text_field_has_focus(qtbot, open_window, field):
    window = open_window
    view = window.view
    widget = _fields(window)[field]
    claims = ClaimsControlKeys(widget)
    widget.installEventFilter(claims)
    view.left_tabs.setCurrentIndex(0)
    view.right_tabs.setCurrentIndex(1)  # the charts: Ctrl+E brings the results back

    widget.setFocus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_E, CTRL)
    assert view.trough_edit.hasFocus() and view.right_tabs.currentIndex() == 0
    assert window.patients.search_edit.text() == ""  # nothing went into the search box

    widget.setFocus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F, CTRL)
    assert window.patients.search_edit.hasFocus()

    asked = []
    window._on_view_plan_requested = asked.append
    widget.setFocus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_P, CTRL)
    assert asked == ["print"]

    window.view.model.patient_id = None
    widget.setFocus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_L, CTRL)
    assert window.view.patient_id == "SEED-1"


def test_ctrl_n_opens_the_new_patient_dialog_from_a_text_field(qtbot, open_window, monkeypatch):
    from tacrocalc.ui import dialogs

    shown = []
    monkeypatch.setattr(dialogs.PatientDialog, "exec", lambda self: shown.append(self) or 0)
    open_window.view.trough_edit.setFocus()
    qtbot.keyClick(open_window.view.trough_edit, Qt.Key.Key_N, CTRL)
    assert len(shown) == 1


def mnemonics(top: QWidget) -> dict[str, list[str]]:
    """Every Alt+letter of a window or dialog: its menus, buttons, labels with a buddy, group
    boxes and tabs, by letter."""
    found: dict[str, list[str]] = {}

    def add(text: str, owner: str) -> None:
        match = re.search(r"&([^&])", text.replace("&&", ""))
        if match:
            found.setdefault(match.group(1).lower(), []).append(f"{owner} {text!r}")

    bar = top.menuBar() if hasattr(top, "menuBar") else None
    if bar is not None:
        for action in bar.actions():
            add(action.text(), "menu")
    for button in top.findChildren(QAbstractButton):
        add(button.text(), type(button).__name__)
    for label in top.findChildren(QLabel):
        if label.buddy() is not None:
            add(label.text(), "label")
    for box in top.findChildren(QGroupBox):
        add(box.title(), "group")
    for tabs in top.findChildren(QTabWidget):
        for index in range(tabs.count()):
            add(tabs.tabText(index), "tab")
    return found


def _clashes(top: QWidget) -> dict[str, list[str]]:
    return {letter: owners for letter, owners in mnemonics(top).items() if len(owners) > 1}


def test_no_two_widgets_of_the_main_window_share_a_mnemonic(open_window):
    assert mnemonics(open_window)  # the walk finds them
    assert _clashes(open_window) == {}


def test_no_two_widgets_of_a_dialog_share_a_mnemonic(qtbot, open_window):
    from tacrocalc.domain.record import Trough
    from tacrocalc.domain.units import q
    from tacrocalc.present.units import DisplayUnits
    from tacrocalc.records.protocol_files import available_protocols
    from tacrocalc.ui.dialogs import CorrectionDialog, HistoryDialog, PatientDialog
    from tacrocalc.ui.settings_dialog import SettingsDialog

    record = open_window.store.load("SEED-1")
    trough = Trough(date=record.observations[1].date, value=q(9, "ug/L"))
    dialogs = [
        PatientDialog(available_protocols(), "seed-1997", today=TODAY, parent=open_window),
        CorrectionDialog(trough, "9 µg/L", DisplayUnits(), today=trough.date, decimal_comma=False),
        HistoryDialog(open_window.store.history("SEED-1")),
        SettingsDialog(open_window.settings, available_protocols(), open_window),
    ]
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        assert _clashes(dialog) == {}, type(dialog).__name__


def _tab_walk(qtbot, start: QWidget, count: int) -> list[str]:
    """Press Tab from `start` as a user does; the widgets that get the focus, by name (a
    date field's inner line edit counts as the date field)."""
    start.setFocus()
    order = []
    for _ in range(count):
        widget = QApplication.focusWidget()
        if isinstance(widget.parent(), QAbstractSpinBox | DateEdit):
            widget = widget.parent()  # the date field, not its line edit
        order.append(widget.objectName())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    return order


def test_tab_follows_the_reading_order_of_the_entry_row(qtbot, open_window):
    view = open_window.view
    entry = [
        view.date_edit,
        view.time_edit,
        view.last_dose_edit,
        view.trough_edit,
        view.creatinine_edit,
        view.bp_edit,
        view.add_button,
    ]
    assert _tab_walk(qtbot, view.date_edit, len(entry)) == [w.objectName() for w in entry]


def test_tab_follows_the_reading_order_of_the_calculator(qtbot, open_window):
    view = open_window.view
    view.left_tabs.setCurrentIndex(0)
    calc = view.calculator
    calculator = [
        calc.weight_edit,
        calc.weight_unit,
        calc.formulation_combo,
        calc.rate_edit,
        calc.suggest_button,
        calc.dose_edit,
        view.start_edit,
        view.apply_button,
    ]
    assert _tab_walk(qtbot, calc.weight_edit, len(calculator)) == [
        w.objectName() for w in calculator
    ]


def test_every_input_has_a_name_a_screen_reader_can_say(open_window):
    inputs = [
        w
        for w in open_window.findChildren(QWidget)
        if isinstance(w, QLineEdit | QComboBox | QAbstractSpinBox)
        and not isinstance(w.parent(), QAbstractSpinBox | QComboBox)
    ]
    assert len(inputs) >= 10
    unnamed = [w.objectName() or type(w).__name__ for w in inputs if not w.accessibleName()]
    assert unnamed == []
