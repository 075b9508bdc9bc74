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
