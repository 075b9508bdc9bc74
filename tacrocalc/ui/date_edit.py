"""A date typed as text: ISO (1968-04-12) or the locale's own short format (12/04/1968 in en_GB,
4/12/68 in en_US), echoed back in words ("12 April 1968") so that a day read as a month shows at
once, and refused next to the field when it is not a date, in the future or before the earliest
date the caller allows (R12.4). A refusal keeps what was typed (R12.6); an empty field is "no
date".
"""

from __future__ import annotations

import datetime as dt
import re

from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtWidgets import QBoxLayout, QLabel, QLineEdit, QWidget

from tacrocalc.present.dates import after_latest, before_earliest, long_date, not_a_date
from tacrocalc.ui.qtdates import pydate
from tacrocalc.ui.widgets import ERROR_STYLE

_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


class DateEdit(QWidget):
    """A line edit for one date, with what it understood (or why it refuses) beside or under it.

    `field` names the date in refusals ("Date of birth"). `latest` is the last date allowed
    (today unless said otherwise); `earliest`, when given, is the first, named by
    `earliest_what` ("the patient's birth"). `date()` is the date typed, or None when the field
    is empty or refused; `error()` says why it was refused ("" when it is not).

    `changed` (the line edit's `textChanged`) tells that the text changed, after `date()` and
    `error()` have been updated. It is Qt's own signal on purpose: a signal emitted from Python
    costs a reference to `True` in PySide6 6.12 on Python 3.11, and enough of them crash the
    interpreter; a date field emits on every key.
    """

    def __init__(
        self,
        field: str,
        *,
        today: dt.date,
        latest: dt.date | None = None,
        earliest: dt.date | None = None,
        earliest_what: str = "the patient's birth",
        beside: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._field = field
        self._today = today
        self._latest = latest if latest is not None else today
        self._earliest = earliest
        self._earliest_what = earliest_what
        self._date: dt.date | None = None
        self._error = ""
        self.line_edit = QLineEdit()
        self.line_edit.setObjectName("line_edit")
        self.line_edit.setAccessibleName(field)
        self.line_edit.setPlaceholderText(f"1968-04-12 or {self.example()}")
        self.understood_label = QLabel()
        self.understood_label.setObjectName("understood_label")
        self.understood_label.setWordWrap(True)
        self.understood_label.setTextFormat(Qt.TextFormat.PlainText)
        self.setAccessibleName(field)
        self.setFocusProxy(self.line_edit)
        direction = QBoxLayout.Direction.LeftToRight if beside else QBoxLayout.Direction.TopToBottom
        layout = QBoxLayout(direction, self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6 if beside else 2)
        layout.addWidget(self.line_edit)
        layout.addWidget(self.understood_label, 1 if beside else 0)
        self.line_edit.textChanged.connect(self._on_line_edit_text_changed)
        self.changed = self.line_edit.textChanged  # connected after the slot above: runs after it
        self._show()

    # -- what the caller asks ---------------------------------------------------------------

    def date(self) -> dt.date | None:
        return self._date

    def error(self) -> str:
        return self._error

    def is_empty(self) -> bool:
        return not self.line_edit.text().strip()

    def text(self) -> str:
        return self.line_edit.text()

    def set_date(self, day: dt.date | None) -> None:
        """Show a date as ISO (unambiguous whatever the locale), or clear the field."""
        self.line_edit.setText(day.isoformat() if day is not None else "")

    def clear(self) -> None:
        self.line_edit.clear()

    def set_bounds(
        self,
        *,
        earliest: dt.date | None = None,
        latest: dt.date | None = None,
        earliest_what: str | None = None,
    ) -> None:
        """Change the dates allowed (a patient's birth, today); what is typed is checked again."""
        self._earliest = earliest
        self._latest = latest if latest is not None else self._today
        if earliest_what is not None:
            self._earliest_what = earliest_what
        self._on_line_edit_text_changed(self.line_edit.text())

    def example(self) -> str:
        """12 April 1968 in the locale's short format: "12/04/1968" in en_GB."""
        return self.locale().toString(QDate(1968, 4, 12), self._short_format())

    # -- reading the text -------------------------------------------------------------------

    def _short_format(self) -> str:
        return self.locale().dateFormat(QLocale.FormatType.ShortFormat)

    def parse(self, text: str) -> dt.date | None:
        """The date in `text` (ISO or the locale's short format), or None if it is not one."""
        iso = _ISO.match(text)
        if iso:
            try:
                return dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
            except ValueError:
                return None
        text = text.strip()
        short = self._short_format()
        # one- or two-digit days and months alike; a four-digit year where the locale writes two
        relaxed = re.sub(r"d+", "d", re.sub(r"M+", "M", short))
        if "yyyy" not in relaxed:
            day = QDate.fromString(text, relaxed.replace("yy", "yyyy"))
            if day.isValid():
                return pydate(day)
            # two digits: the century that puts the date on or before the latest date allowed
            day = QDate.fromString(text, relaxed, self._latest.year - 99)
            if day.isValid():
                found = pydate(day)
                return found if found <= self._latest else found.replace(year=found.year - 100)
            return None
        day = QDate.fromString(text, relaxed)
        return pydate(day) if day.isValid() else None

    def _on_line_edit_text_changed(self, text: str) -> None:
        self._date, self._error = None, ""
        if text.strip():
            day = self.parse(text)
            if day is None:
                self._error = not_a_date(self._field, text.strip(), example=self.example())
            elif day > self._latest:
                self._error = after_latest(
                    self._field, day, self._latest, latest_is_today=self._latest == self._today
                )
            elif self._earliest is not None and day < self._earliest:
                self._error = before_earliest(
                    self._field, day, self._earliest, what=self._earliest_what
                )
            else:
                self._date = day
        self._show()

    def _show(self) -> None:
        if self._error:
            self.understood_label.setText(self._error)
            self.understood_label.setStyleSheet(ERROR_STYLE)
        else:
            self.understood_label.setText(long_date(self._date) if self._date else "")
            self.understood_label.setStyleSheet("")
        self.understood_label.setVisible(bool(self._error or self._date))
        self.line_edit.setToolTip(self._error)
