"""Helpers shared by the window tests."""

from PySide6.QtCore import Qt

KIND_COLUMN = {"trough": 2, "creatinine": 3, "blood pressure": 4}


def day_row(view, day):
    """The results table's first row of `day` (an ISO date), as the model holds it."""
    model = view.table_model
    return next(model.row(r) for r in range(model.rowCount()) if model.row(r).date == day)


def click_result(qtbot, view, row, kind):
    """Click a value in the results table, as a doctor picks the result to act on."""
    index = view.table_model.index(row, KIND_COLUMN[kind])
    view.table.scrollTo(index)
    rect = view.table.visualRect(index)
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def type_date(qtbot, field, day):
    """Type a date into a date field (ISO), as a doctor does."""
    field.clear()
    qtbot.keyClicks(field.line_edit, day.isoformat())


def paste(qtbot, edit, text):
    """Paste `text` into a line edit with Ctrl+V, as a doctor pastes a reason copied from
    elsewhere (QTest types ASCII only: a U+202E cannot be typed key by key)."""
    from PySide6.QtWidgets import QApplication

    clipboard = QApplication.clipboard()
    before = clipboard.text()
    clipboard.setText(text)
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    clipboard.setText(before)


def start_regimen(qtbot, view, start_days_ago=15, weight="60", rate="0.1"):
    """Start tacrolimus from the calculator, `start_days_ago` days before the tests' today."""
    from datetime import timedelta

    from tests.ui.conftest import TODAY

    type_date(qtbot, view.start_edit, TODAY - timedelta(days=start_days_ago))
    qtbot.keyClicks(view.calculator.weight_edit, weight)
    qtbot.keyClicks(view.calculator.rate_edit, rate)
    qtbot.mouseClick(view.apply_button, Qt.MouseButton.LeftButton)


def enter(qtbot, view, *, days_ago=0, trough="", creatinine="", bp=""):
    """Type results into the entry row (each field typed is emptied first) and press Enter."""
    from datetime import timedelta

    from tests.ui.conftest import TODAY

    type_date(qtbot, view.date_edit, TODAY - timedelta(days=days_ago))
    for edit, text in (
        (view.trough_edit, trough),
        (view.creatinine_edit, creatinine),
        (view.bp_edit, bp),
    ):
        if text:
            edit.clear()
            qtbot.keyClicks(edit, text)
    qtbot.keyClick(view.trough_edit, Qt.Key.Key_Return)  # Enter adds
