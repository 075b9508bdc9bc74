"""The treatment course on screen (R15): the dosage history, the events a doctor records by
hand (hold, resume, stop, restart), corrections and deletions with their reason (R15.3), the
interacting drugs started or stopped (R11), corrected and deleted with their reason too, and the
weight history (R15.5).

The panel is built from the open patient (`OpenPatient`), redraws on its one `changed` signal,
and writes only through `OpenPatient.write`. Dose changes and switches are not recorded here:
they come from the calculator's "Apply as new regimen". The rows and sentences are worked out
in `present.course`, which a test can call without Qt.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tacrocalc.present.dates import missing
from tacrocalc.ui.date_edit import DateEdit
from tacrocalc.ui.steady_tabs import SteadyTabs
from tacrocalc.ui.widgets import Message, named

if TYPE_CHECKING:
    from tacrocalc.domain.course import CourseEvent, EventKind
    from tacrocalc.domain.protocol import Protocol
    from tacrocalc.domain.record import CoMedicationChange
    from tacrocalc.present.course import CourseRow, DrugRow
    from tacrocalc.present.words import Words
    from tacrocalc.records.store import Store, Written
    from tacrocalc.ui.open_patient import OpenPatient

# The clinical core is imported inside the methods that use it, when a patient is first shown:
# the window is painted before it.

WARNING_STYLE = "color: #a15c00; font-weight: bold;"
COURSE_COLUMNS = ("Date", "Event", "Dose or change", "Product", "Reason or check", "Recorded by")
WEIGHT_COLUMNS = ("Date", "Weight", "Against the dose's weight (R15.5)")
DRUG_COLUMNS = ("Date", "Change", "Check (R11)")
WRAPPED = {"Product": 220, "Reason or check": 260}  # px: longer text wraps within these
# The panel's own Alt+letters are ones the ward window leaves free (k, v); the other fields
# are reached by Tab, and Delete on a list deletes the selected event or interacting drug.
COURSE_TAB, DRUGS_TAB, WEIGHT_TAB = "Course events", "Interacting drugs", "Weight history"
# px: the window's tab frame around the panel is the pages' margin, and the lines of a page are
# close, so that the panel's tallest page leaves Needs attention above it its lines at 1024×640.
PAGE_MARGINS, SPACING = (0, 4, 0, 0), 4


def _error_label(name: str) -> QLabel:
    return named(Message(error=True), name)


def _date_edit(name: str, field: str, today: date, *, latest: date | None = None) -> DateEdit:
    """A date typed as ISO or in the locale's short format, with what it understood (or why it
    refuses) under it; `field` names it in refusals and to a screen reader."""
    edit = named(DateEdit(field, today=today, latest=latest), name)
    metrics = edit.line_edit.fontMetrics()  # "1968-04-12" or "12/04/1968" fits, never "26-11-2"
    edit.line_edit.setMinimumWidth(metrics.horizontalAdvance("0000-00-00") + 16)
    # The line under the field is kept while it is empty: the form does not move as a date is
    # typed, and a tab not shown (a date is set when a patient opens) is measured as it will be.
    understood = edit.understood_label
    policy = understood.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    understood.setSizePolicy(policy)
    line = understood.fontMetrics().height()
    understood.setMinimumHeight(line)

    def keep_room(_text: str) -> None:
        """A refusal on two or three lines is given its lines, never the field's."""
        understood.setMinimumHeight(line)  # what the label asks for is at least its minimum
        width = understood.width()
        wrapped = understood.heightForWidth(width) if understood.isVisible() and width else 0
        understood.setMinimumHeight(max(line, wrapped))

    edit.changed.connect(keep_room)
    return edit


def planned_latest(today: date) -> date:
    """The latest planned resume date allowed. A plan has no clinical limit (R15.1): the bound
    only places a two-digit year in the century ahead, so that 4/12/27 is 2027."""
    return date(today.year + 99, 12, 31)


def typed_date(edit: DateEdit) -> tuple[date | None, str]:
    """The date in a field, or None with why: refused (the field says why next to it) or
    empty (R12.4, R12.6)."""
    day = edit.date()
    if day is not None:
        return day, ""
    return None, edit.error() or missing(edit.accessibleName())


def _beside(*widgets: QWidget) -> QHBoxLayout:
    """Widgets on one line with a date, their tops aligned. The date takes the width left, so
    that what it understood, or why it refuses, wraps under it without pushing the others."""
    line = next(w for w in widgets if isinstance(w, DateEdit)).line_edit.sizeHint().height()
    row = QHBoxLayout()
    for widget in widgets:
        if isinstance(widget, DateEdit):
            row.addWidget(widget, 1)
            continue
        if isinstance(widget, QLabel | QCheckBox):  # level with the date's line, not its foot
            widget.setMinimumHeight(line)
        row.addWidget(widget, 0, Qt.AlignmentFlag.AlignTop)
    return row


def _forget_refusal(edit: DateEdit, label: QLabel) -> None:
    """Take a date's refusal out of the panel's message once the date is typed again: the
    field says at once what it understands now."""
    field = edit.accessibleName() + ":"
    kept = [line for line in label.text().split("\n") if not line.startswith(field)]
    if len(kept) < len(label.text().split("\n")):
        label.setText("\n".join(kept))


def _table(name: str, accessible: str, columns: tuple[str, ...]) -> QTableWidget:
    table = named(QTableWidget(0, len(columns)), name, accessible)
    table.setHorizontalHeaderLabels(list(columns))
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setWordWrap(False)
    table.setTabKeyNavigation(False)  # the arrows move in the table; Tab goes on to the form
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def _show_lines(table: QTableWidget, lines: int, *, scroll_bar: bool = False) -> None:
    """At least `lines` lines of a row in view under the heading (and over the horizontal
    scroll bar): the list gives the form under it the height it needs, and scrolls."""
    height = 2 * table.frameWidth() + table.horizontalHeader().sizeHint().height()
    height += lines * table.fontMetrics().lineSpacing() + 2  # the row's margins
    if scroll_bar:
        height += table.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, table)
    table.setMinimumHeight(height)


class CoursePanel(QWidget):
    """The dosage history of the open patient, and the actions on it."""

    written = Signal(str)  # what was recorded, in words, for the status bar

    def __init__(
        self,
        model: OpenPatient,
        today: Callable[[], date],
        words: Callable[[], Words],
        parent: QWidget | None = None,
        *,
        now: Callable[[], datetime] = datetime.now,
    ) -> None:
        super().__init__(parent)
        self._model = model
        self._today = today
        self._words = words
        self._now = now  # the local wall clock: the time an event of today is recorded at
        self._decimal_comma = QLocale().decimalPoint() == ","
        self._shown_patient: str | None = None
        self._rows: list[CourseRow] = []
        self._drug_rows: list[DrugRow] = []
        # the correction or deletion being asked (of an event or an interacting drug)
        self.dialog: QDialog | None = None

        # As tall as the tallest page needs at its least, whichever is chosen: the window's
        # column keeps its height when another page is chosen, the lists take what is left.
        self.tabs = named(SteadyTabs(), "tabs", "Treatment course, interacting drugs, weight")
        self.tabs.setDocumentMode(True)  # no frame inside the window's own tab
        self.tabs.addTab(self._build_course_page(), COURSE_TAB)
        self.tabs.addTab(self._build_drugs_page(), DRUGS_TAB)
        self.tabs.addTab(self._build_weight_page(), WEIGHT_TAB)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self._connect_slots()
        self.setEnabled(False)  # until a patient is open
        model.changed.connect(self._on_model_changed)

    # -- building ----------------------------------------------------------------------------

    def _build_course_page(self) -> QWidget:
        self.course_table = _table("course_table", "Treatment course", COURSE_COLUMNS)
        self.course_table.setToolTip(
            "Newest first; the event the course stands on now is marked “in force”."
        )
        self.course_table.setWordWrap(True)
        _show_lines(self.course_table, 2, scroll_bar=True)  # the event in force; it scrolls
        self.course_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Interactive
        )
        self.correct_button = named(QPushButton("Correct e&vent…"), "correct_button")
        self.correct_button.setToolTip(
            "Correct the selected event; the values before stay in the history with your reason"
        )
        self.delete_button = named(QPushButton("Delete event…"), "delete_button")
        self.delete_button.setToolTip(
            "Take the selected event out of the course (the Delete key too); it stays in the"
            " history with your reason"
        )
        table_buttons = QHBoxLayout()
        table_buttons.addWidget(self.correct_button)
        table_buttons.addWidget(self.delete_button)
        table_buttons.addStretch(1)

        self.kind_combo = named(QComboBox(), "kind_combo", "Kind of event to record")
        today = self._today()
        self.event_date = _date_edit("event_date", "Date of the event", today)
        self.event_time = named(QLineEdit(), "event_time", "Time of the event, HH:MM, optional")
        self.event_time.setPlaceholderText("HH:MM")
        self.event_time.setMaximumWidth(56)
        self.reason_edit = named(QLineEdit(), "reason_edit", "Reason for the event")
        self.reason_edit.setPlaceholderText("e.g. creatinine rise, infection, inefficacy")
        self.resume_check = named(
            QCheckBox("Resume on"), "resume_check", "A resume date is planned"
        )
        self.resume_date = _date_edit(
            "resume_date", "Planned resume date", today, latest=planned_latest(today)
        )
        self.resume_date.setEnabled(False)
        self.record_button = named(QPushButton("Record the event"), "record_button")
        kind_label = QLabel("Event &kind:")
        kind_label.setBuddy(self.kind_combo)
        reason_label = QLabel("Reason:")
        reason_label.setBuddy(self.reason_edit)
        form = QGridLayout()
        form.addWidget(kind_label, 0, 0)
        # One thing per line: the column is about 330 pixels wide on a 1024-pixel screen.
        form.addWidget(self.kind_combo, 0, 1)
        when_label = QLabel("On:")
        when_label.setBuddy(self.event_date)
        when_label.setMinimumHeight(self.event_date.line_edit.sizeHint().height())
        form.addWidget(when_label, 1, 0, Qt.AlignmentFlag.AlignTop)
        # The date takes the width left, so that what it understood (or why it refuses) wraps
        # under it; the time stays on the line of the date.
        form.addLayout(_beside(self.event_date, QLabel("at"), self.event_time), 1, 1)
        form.addWidget(reason_label, 2, 0)
        form.addWidget(self.reason_edit, 2, 1)
        form.addLayout(_beside(self.resume_check, self.resume_date), 3, 1)
        form.addWidget(self.record_button, 4, 1, Qt.AlignmentFlag.AlignRight)
        form.setColumnStretch(1, 1)
        form.setVerticalSpacing(SPACING)
        self.hint_label = named(QLabel(), "hint_label")
        self.hint_label.setWordWrap(True)
        self.hint_label.setStyleSheet("color: palette(placeholder-text);")
        self.event_error = _error_label("event_error")

        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(*PAGE_MARGINS)
        layout.setSpacing(SPACING)
        layout.addWidget(self.course_table, 1)
        layout.addLayout(table_buttons)
        layout.addLayout(form)
        layout.addWidget(self.event_error)
        layout.addWidget(self.hint_label)
        self.hint_label.hide()  # a tooltip of the kind and Record: the column is short
        for first, second in (
            (self.course_table, self.correct_button),
            (self.correct_button, self.delete_button),
            (self.delete_button, self.kind_combo),
            (self.kind_combo, self.event_date.line_edit),
            (self.event_date.line_edit, self.event_time),
            (self.event_time, self.reason_edit),
            (self.reason_edit, self.resume_check),
            (self.resume_check, self.resume_date.line_edit),
            (self.resume_date.line_edit, self.record_button),
        ):
            QWidget.setTabOrder(first, second)
        return page

    def _build_drugs_page(self) -> QWidget:
        self.drugs_hint = named(QLabel(), "drugs_hint")
        self.drugs_hint.setWordWrap(True)
        self.drugs_table = _table("drugs_table", "Interacting drugs recorded", DRUG_COLUMNS)
        self.drugs_table.setToolTip(
            "Newest first; select one to correct or delete it (the Delete key too)."
        )
        _show_lines(self.drugs_table, 2)  # the latest note; it scrolls for more
        # The check wraps within the width left to it, each row as tall as its text, whatever
        # the width of the column (a handful of notes: measured at every layout).
        self.drugs_table.setWordWrap(True)
        self.drugs_table.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        header = self.drugs_table.horizontalHeader()  # the date whole, the rest shared
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.correct_drug_button = named(QPushButton("Correct…"), "correct_drug_button")
        self.correct_drug_button.setToolTip(
            "Correct the selected interacting drug's date or note; the values before stay in"
            " the history with your reason"
        )
        self.delete_drug_button = named(QPushButton("Delete…"), "delete_drug_button")
        self.delete_drug_button.setToolTip(
            "Take the selected interacting drug and its trough check out of the record (the"
            " Delete key too); it stays in the history with your reason"
        )
        drug_buttons = QHBoxLayout()
        drug_buttons.addWidget(self.correct_drug_button)
        drug_buttons.addWidget(self.delete_drug_button)
        drug_buttons.addStretch(1)
        self.drug_edit = named(QLineEdit(), "drug_edit", "Interacting drug or steroid")
        self.drug_edit.setPlaceholderText("e.g. fluconazole, prednisolone")
        self.change_combo = named(QComboBox(), "change_combo", "What changed")
        self.drug_date = _date_edit("drug_date", "Date of the change", self._today())
        self.drug_button = named(QPushButton("Record the change"), "drug_button")
        form = QFormLayout()
        form.setVerticalSpacing(SPACING)
        drug_label = QLabel("Drug:")
        drug_label.setBuddy(self.drug_edit)
        form.addRow(drug_label, self.drug_edit)
        change_label = QLabel("Change:")
        change_label.setBuddy(self.change_combo)
        form.addRow(
            change_label,
            _beside(self.change_combo, QLabel("on"), self.drug_date),
        )
        form.addRow("", self.drug_button)
        self.drug_error = _error_label("drug_error")
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(*PAGE_MARGINS)
        layout.setSpacing(SPACING)
        layout.addWidget(self.drugs_table, 1)
        layout.addLayout(drug_buttons)
        layout.addLayout(form)
        layout.addWidget(self.drug_error)
        layout.addWidget(self.drugs_hint)  # under what is done here: the column is short
        for first, second in (
            (self.drugs_table, self.correct_drug_button),
            (self.correct_drug_button, self.delete_drug_button),
            (self.delete_drug_button, self.drug_edit),
            (self.drug_edit, self.change_combo),
            (self.change_combo, self.drug_date.line_edit),
            (self.drug_date.line_edit, self.drug_button),
        ):
            QWidget.setTabOrder(first, second)
        return page

    def _build_weight_page(self) -> QWidget:
        self.weight_warning = named(QLabel(), "weight_warning")
        self.weight_warning.setWordWrap(True)
        self.weight_warning.setStyleSheet(WARNING_STYLE)
        self.weight_warning.hide()
        self.weight_table = _table("weight_table", "Weight history", WEIGHT_COLUMNS)
        self.weight_edit = named(QLineEdit(), "weight_edit", "New body weight")
        self.weight_date = _date_edit("weight_date", "Date of the weight", self._today())
        self.weight_button = named(QPushButton("Record the weight"), "weight_button")
        self.weight_error = _error_label("weight_error")
        weight_label = QLabel("Weight:")
        weight_label.setBuddy(self.weight_edit)
        row = _beside(weight_label, self.weight_edit, QLabel("on"), self.weight_date)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(*PAGE_MARGINS)
        layout.setSpacing(SPACING)
        layout.addWidget(self.weight_warning)
        layout.addWidget(self.weight_table, 1)
        layout.addLayout(row)
        layout.addWidget(self.weight_button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.weight_error)
        for first, second in (
            (self.weight_table, self.weight_edit),
            (self.weight_edit, self.weight_date.line_edit),
            (self.weight_date.line_edit, self.weight_button),
        ):
            QWidget.setTabOrder(first, second)
        return page

    def _connect_slots(self) -> None:
        self.record_button.clicked.connect(self._on_record_button_clicked)
        for edit in (self.reason_edit, self.event_time):
            edit.returnPressed.connect(self._on_record_button_clicked)
        self.kind_combo.currentIndexChanged.connect(self._on_kind_combo_changed)
        self.resume_check.toggled.connect(self.resume_date.setEnabled)
        self.correct_button.clicked.connect(self._on_correct_button_clicked)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        delete_key = QShortcut(QKeySequence(Qt.Key.Key_Delete), self.course_table)
        delete_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete_key.activated.connect(self._on_delete_button_clicked)
        self.course_table.itemSelectionChanged.connect(self._on_course_table_selection)
        self.course_table.itemDoubleClicked.connect(lambda _i: self._on_correct_button_clicked())
        self.drug_button.clicked.connect(self._on_drug_button_clicked)
        self.correct_drug_button.clicked.connect(self._on_correct_drug_button_clicked)
        self.delete_drug_button.clicked.connect(self._on_delete_drug_button_clicked)
        drug_delete_key = QShortcut(QKeySequence(Qt.Key.Key_Delete), self.drugs_table)
        drug_delete_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        drug_delete_key.activated.connect(self._on_delete_drug_button_clicked)
        self.drugs_table.itemSelectionChanged.connect(self._on_drugs_table_selection)
        self.drugs_table.itemDoubleClicked.connect(
            lambda _i: self._on_correct_drug_button_clicked()
        )
        self.drug_edit.returnPressed.connect(self._on_drug_button_clicked)
        self.weight_button.clicked.connect(self._on_weight_button_clicked)
        self.weight_edit.returnPressed.connect(self._on_weight_button_clicked)
        for field, label in (
            (self.event_date, self.event_error),
            (self.resume_date, self.event_error),
            (self.drug_date, self.drug_error),
            (self.weight_date, self.weight_error),
        ):
            field.changed.connect(lambda _text, f=field, lb=label: _forget_refusal(f, lb))

    # -- what is typed -----------------------------------------------------------------------

    def typed_entry(self) -> str:
        """What is typed in the panel and not yet recorded, in words ("" when nothing)."""
        typed = (
            ("reason", self.reason_edit.text()),
            ("event time", self.event_time.text()),
            ("interacting drug", self.drug_edit.text()),
            ("weight", self.weight_edit.text()),
        )
        return ", ".join(f"{name} {text.strip()}" for name, text in typed if text.strip())

    def clear_entry(self) -> None:
        """Forget what is typed and what was said about it (another patient is shown)."""
        for edit in (self.reason_edit, self.event_time, self.drug_edit, self.weight_edit):
            edit.clear()
        self.resume_check.setChecked(False)
        self.resume_date.clear()
        for label in (self.event_error, self.drug_error, self.weight_error):
            label.clear()
        if self.dialog is not None:
            self.dialog.reject()
            self.dialog = None

    # -- showing -----------------------------------------------------------------------------

    def _on_model_changed(self) -> None:
        from tacrocalc.domain.units import Kind
        from tacrocalc.present import course as present

        assessment = self._model.assessment
        if assessment is None or self._model.patient_id is None:
            self.setEnabled(False)
            return
        self.setEnabled(True)
        words = self._words()
        new_patient = self._model.patient_id != self._shown_patient
        if new_patient:
            self._shown_patient = self._model.patient_id
            self._first_show()
            self.clear_entry()
            today = self._today()
            birth = assessment.record.patient.birth_date
            for edit in (self.event_date, self.drug_date, self.weight_date):
                # nothing in the future or before birth (R12.4, R12.8)
                edit.set_bounds(earliest=birth, latest=today)
                edit.set_date(today)
            self.resume_date.set_bounds(earliest=birth, latest=planned_latest(today))
            self._choose_kind(present.next_kind(assessment))
            self.weight_edit.setPlaceholderText(words.units.label(Kind.WEIGHT))
        self._rows = present.course_rows(self._model.events, assessment, words)
        self._fill_course(self._rows)
        self._fill_drugs(present.drug_rows(self._model.co_medication, assessment))
        rows = present.weight_rows(assessment, words)
        self.weight_table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate((row.date, row.weight, row.note)):
                self.weight_table.setItem(r, c, QTableWidgetItem(text))
        warning = present.weight_warning(assessment, words)
        self.weight_warning.setText(warning)
        self.weight_warning.setVisible(bool(warning))
        self.tabs.setTabText(2, WEIGHT_TAB + (" – review the dose" if warning else ""))
        self.tabs.setTabToolTip(2, warning)

    def _first_show(self) -> None:
        """What needs the clinical core: the kinds of event, the changes of a drug, the hints."""
        from tacrocalc.present import course as present

        if self.kind_combo.count():
            return
        for kind in present.PANEL_KINDS:
            self.kind_combo.addItem(present.KIND_WORDS[kind], kind.value)
        self.change_combo.addItems(list(present.CO_MEDICATION_CHANGES))
        self.hint_label.setText(present.DOSE_HINT)
        for widget in (self.kind_combo, self.record_button):
            widget.setToolTip(present.DOSE_HINT)
        self.drugs_hint.setText(present.CO_MEDICATION_HINT)

    def _choose_kind(self, kind: EventKind) -> None:
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind.value))

    def _fill_course(self, rows: list[CourseRow]) -> None:
        table = self.course_table
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            what = row.what + (" (in force)" if row.in_force else "")
            texts = (row.date, what, row.dose, row.product, row.reason, row.recorded_by)
            tip = f"{row.dose} at {row.times}" if row.times else ""
            for c, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setToolTip(tip if c == 2 and tip else text)
                if row.in_force:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                if row.event_id is None:
                    font = item.font()
                    font.setItalic(True)
                    item.setFont(font)
                table.setItem(r, c, item)
        table.resizeColumnsToContents()
        for name, width in WRAPPED.items():  # a long product name or reason takes two lines
            column = COURSE_COLUMNS.index(name)
            table.setColumnWidth(column, min(table.columnWidth(column), width))
        table.resizeRowsToContents()
        self._on_course_table_selection()

    def _fill_drugs(self, rows: list[DrugRow]) -> None:
        """The notes, the one chosen still chosen; none once it is gone (deleted), so that the
        Delete key never falls on the note that took its place."""
        table = self.drugs_table
        selected = table.selectionModel().selectedRows()
        was = [self._drug_rows[i.row()].note_id for i in selected if i.row() < len(self._drug_rows)]
        self._drug_rows = rows
        table.setRowCount(len(rows))
        table.selectionModel().clearCurrentIndex()
        table.clearSelection()
        for r, row in enumerate(rows):
            for c, text in enumerate((row.date, row.note, row.check)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                table.setItem(r, c, item)
        again = [r for r, row in enumerate(rows) if row.note_id in was]
        if again:
            table.selectRow(again[0])
        self._on_drugs_table_selection()

    def _selected_drug(self) -> tuple[int, CoMedicationChange] | None:
        rows = self.drugs_table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._drug_rows):
            return None
        note_id = self._drug_rows[rows[0].row()].note_id
        return next(((i, c) for i, c in self._model.co_medication if i == note_id), None)

    def _on_drugs_table_selection(self) -> None:
        chosen = self._selected_drug() is not None
        self.correct_drug_button.setEnabled(chosen)
        self.delete_drug_button.setEnabled(chosen)

    def _on_kind_combo_changed(self, _index: int) -> None:
        from tacrocalc.domain.course import EventKind

        is_hold = self.kind_combo.currentData() == EventKind.HOLD.value
        self.resume_check.setVisible(is_hold)
        self.resume_date.setVisible(is_hold)

    def _selected_row(self) -> CourseRow | None:
        rows = self.course_table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._rows):
            return None
        return self._rows[rows[0].row()]

    def _on_course_table_selection(self) -> None:
        row = self._selected_row()
        is_event = row is not None and row.event_id is not None
        self.correct_button.setEnabled(is_event)
        self.delete_button.setEnabled(is_event)

    # -- recording ---------------------------------------------------------------------------

    def _write(self, action: Callable[[Store], Written]) -> list[str]:
        """Run one write on the open patient's store (the record is read again after it); the
        refusals in words, [] when it was recorded."""
        from tacrocalc.present.course import refusal_lines

        written = self._model.write(action)
        return [] if written.ok else refusal_lines(written.issues, self._words())

    def _on_record_button_clicked(self) -> None:
        from tacrocalc.domain.course import EventKind
        from tacrocalc.present.course import KIND_WORDS, next_kind, read_event

        pid = self._model.patient_id
        if pid is None:
            return
        kind = EventKind(self.kind_combo.currentData())
        day, refused = typed_date(self.event_date)
        refusals = [refused] if refused else []
        resume_on: date | None = None
        if kind is EventKind.HOLD and self.resume_check.isChecked():
            resume_on, refused = typed_date(self.resume_date)
            refusals += [refused] if refused else []
        if day is None or refusals:  # said next to the field too; everything typed stays
            self.event_error.setText("\n".join(refusals))
            (self.event_date if day is None else self.resume_date).setFocus()
            return
        read = read_event(
            kind=kind,
            day=day,
            typed_time=self.event_time.text(),
            reason=self.reason_edit.text(),
            resume_on=resume_on,
            events=self._model.stored().events,  # as stored now: what the time is put after
            today=self._today(),
            now=self._now(),
        )
        errors = list(read.errors)
        if read.value is not None:
            event = read.value
            errors = self._write(lambda db: db.add_event(pid, event, today=self._today()))
        if errors:  # nothing was recorded; everything typed stays where it is
            self.event_error.setText("\n".join(errors))
            return
        self.event_error.clear()
        self.reason_edit.clear()
        self.event_time.clear()
        self.resume_check.setChecked(False)
        self.resume_date.clear()
        self._choose_kind(next_kind(self._model.assessment))
        self.written.emit(f"Recorded the {KIND_WORDS[kind].lower()} of {day.isoformat()}")

    def _selected_event(self) -> tuple[int, CourseEvent] | None:
        row = self._selected_row()
        if row is None or row.event_id is None:
            return None
        return next(((i, e) for i, e in self._model.events if i == row.event_id), None)

    def _on_correct_button_clicked(self) -> None:
        from tacrocalc.present.course import event_summary

        chosen = self._selected_event()
        assessment = self._model.assessment
        if chosen is None or assessment is None:
            return
        event_id, event = chosen
        words = self._words()

        def submit(corrected: CourseEvent, why: str) -> list[str]:
            return self._write(
                lambda db: db.correct_event(event_id, corrected, today=self._today(), reason=why)
            )

        self.dialog = CorrectEventDialog(
            event,
            event_summary(event, assessment, words),
            assessment.protocol,
            words,
            today=self._today(),
            birth=assessment.record.patient.birth_date,
            submit=submit,
            decimal_comma=self._decimal_comma,
            parent=self,
        )
        self.dialog.accepted.connect(lambda: self.written.emit("Recorded the correction"))
        self.dialog.open()

    def _on_delete_button_clicked(self) -> None:
        from tacrocalc.present.course import event_summary

        chosen = self._selected_event()
        assessment = self._model.assessment
        if chosen is None or assessment is None:
            return
        event_id, event = chosen

        def submit(why: str) -> list[str]:
            return self._write(
                lambda db: db.delete_event(event_id, today=self._today(), reason=why)
            )

        self.dialog = DeleteEventDialog(
            event_summary(event, assessment, self._words()), submit=submit, parent=self
        )
        self.dialog.accepted.connect(
            lambda: self.written.emit("Deleted the event (it stays in the history)")
        )
        self.dialog.open()

    def _on_drug_button_clicked(self) -> None:
        from tacrocalc.present.course import drug_written, read_co_medication

        pid = self._model.patient_id
        if pid is None:
            return
        day, refused = typed_date(self.drug_date)
        if day is None:
            self.drug_error.setText(refused)
            self.drug_date.setFocus()
            return
        read = read_co_medication(self.drug_edit.text(), self.change_combo.currentText(), day)
        errors = list(read.errors)
        if read.value is not None:
            change = read.value
            errors = self._write(lambda db: db.add_co_medication(pid, change, today=self._today()))
        if errors:
            self.drug_error.setText("\n".join(errors))
            return
        self.drug_error.clear()
        self.drug_edit.clear()
        self.written.emit(drug_written("Recorded", change, self._model.assessment))

    def _on_correct_drug_button_clicked(self) -> None:
        from tacrocalc.present.course import drug_summary, drug_written

        chosen = self._selected_drug()
        assessment = self._model.assessment
        if chosen is None or assessment is None:
            return
        note_id, change = chosen
        saved: list[CoMedicationChange] = [change]  # what was last sent, for the status line

        def submit(corrected: CoMedicationChange, why: str) -> list[str]:
            saved[:] = [corrected]
            return self._write(
                lambda db: db.correct_co_medication(
                    note_id, corrected, today=self._today(), reason=why
                )
            )

        self.dialog = CorrectDrugDialog(
            change,
            drug_summary(change, assessment),
            today=self._today(),
            birth=assessment.record.patient.birth_date,
            submit=submit,
            parent=self,
        )
        self.dialog.accepted.connect(
            lambda: self.written.emit(drug_written("Corrected", saved[-1], self._model.assessment))
        )
        self.dialog.open()

    def _on_delete_drug_button_clicked(self) -> None:
        from tacrocalc.present import course as present

        chosen = self._selected_drug()
        assessment = self._model.assessment
        if chosen is None or assessment is None:
            return
        note_id, change = chosen

        def submit(why: str) -> list[str]:
            return self._write(
                lambda db: db.delete_co_medication(note_id, today=self._today(), reason=why)
            )

        self.dialog = DeleteEventDialog(
            present.drug_summary(change, assessment),
            submit=submit,
            parent=self,
            title=present.DRUG_DELETE_TITLE,
            question=present.DRUG_DELETE_QUESTION,
            kept=present.DRUG_DELETE_KEPT,
        )
        self.dialog.accepted.connect(lambda: self.written.emit(present.DRUG_DELETED))
        self.dialog.open()

    def _on_weight_button_clicked(self) -> None:
        from tacrocalc.present.course import read_weight

        pid = self._model.patient_id
        if pid is None:
            return
        day, refused = typed_date(self.weight_date)
        if day is None:
            self.weight_error.setText(refused)
            self.weight_date.setFocus()
            return
        read = read_weight(
            self.weight_edit.text(), day, self._words(), decimal_comma=self._decimal_comma
        )
        errors = list(read.errors)
        if read.value is not None:
            entry = read.value
            errors = self._write(lambda db: db.add_weight(pid, entry, today=self._today()))
        if errors:
            self.weight_error.setText("\n".join(errors))
            return
        self.weight_error.clear()
        self.weight_edit.clear()
        self.written.emit("Recorded the weight")


class CorrectEventDialog(QDialog):
    """Correct an event's date, time, reason, planned resume and, for an event that gives
    doses, its product and dose. Why it is corrected is asked and kept in the history (R15.3).
    A refusal is shown here and nothing typed is lost."""

    def __init__(
        self,
        event: CourseEvent,
        summary: str,
        protocol: Protocol,
        words: Words,
        *,
        today: date,
        birth: date | None,
        submit: Callable[[CourseEvent, str], list[str]],
        decimal_comma: bool,
        parent: QWidget | None = None,
    ) -> None:
        from tacrocalc.domain.course import DOSING, EventKind
        from tacrocalc.domain.units import Kind
        from tacrocalc.present.words import clock

        super().__init__(parent)
        self.setWindowTitle("Correct an event of the course")
        self._event = event
        self._words = words
        self._submit = submit
        self._decimal_comma = decimal_comma
        dosing = event.kind in DOSING
        self.summary_label = named(QLabel(summary), "summary_label")
        self.summary_label.setWordWrap(True)
        self.date_edit = _date_edit("date_edit", "Date of the event", today)
        self.date_edit.set_bounds(earliest=birth, latest=today)  # R12.4, R12.8
        self.date_edit.set_date(event.date)
        self.time_edit = named(QLineEdit(), "time_edit", "Time of the event, HH:MM, optional")
        self.time_edit.setPlaceholderText("HH:MM")
        if event.time is not None:
            self.time_edit.setText(clock(event.time))
        self.product_combo = named(QComboBox(), "product_combo", "Product")
        for product in protocol.formulations.values():
            self.product_combo.addItem(product.name, product.id.value)
        if event.formulation is not None:
            self.product_combo.setCurrentIndex(self.product_combo.findData(event.formulation.value))
        self.dose_edit = named(QLineEdit(), "dose_edit", "Dose per administration in milligrams")
        if event.dose is not None:
            self.dose_edit.setText(words.units.number(event.dose, Kind.DOSE))
        self.reason_edit = named(QLineEdit(event.reason), "reason_edit", "Reason for the event")
        self.resume_check = named(
            QCheckBox("Resume on"), "resume_check", "A resume date is planned"
        )
        self.resume_date = _date_edit("resume_date", "Planned resume date", today)
        self.resume_date.set_bounds(earliest=birth, latest=planned_latest(today))
        self.resume_date.set_date(event.resume_on)
        self.resume_check.setChecked(event.resume_on is not None)
        self.resume_date.setEnabled(event.resume_on is not None)
        self.resume_check.toggled.connect(self.resume_date.setEnabled)
        self.why_edit = named(QLineEdit(), "why_edit", "Why it is corrected")
        self.why_edit.setPlaceholderText("kept in the patient's history")
        self.error_label = _error_label("error_label")

        form = QFormLayout()
        form.addRow(_date_label(self.date_edit), self.date_edit)
        form.addRow("&Time:", self.time_edit)
        if dosing:
            form.addRow("&Product:", self.product_combo)
            dose_row = QHBoxLayout()
            dose_row.addWidget(self.dose_edit)
            dose_row.addWidget(QLabel("mg per dose"))
            dose_label = QLabel("D&ose:")
            dose_label.setBuddy(self.dose_edit)
            form.addRow(dose_label, dose_row)
        else:
            self.product_combo.hide()
            self.dose_edit.hide()
        form.addRow("&Reason:", self.reason_edit)
        if event.kind is EventKind.HOLD:
            form.addRow("", self._resume_row())
        else:
            self.resume_check.hide()
            self.resume_date.hide()
        form.addRow("&Why corrected:", self.why_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("save_button")
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        layout = self._layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(QLabel("The values before the correction stay in the patient's history."))
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        for edit in (self.date_edit, self.resume_date):
            edit.changed.connect(lambda _text, e=edit: _forget_refusal(e, self.error_label))
            edit.changed.connect(lambda _text: QTimer.singleShot(0, self._fit_height))
        self.why_edit.setFocus()

    def _fit_height(self) -> None:
        _fit_height(self, self._layout)

    def _resume_row(self) -> QHBoxLayout:
        return _beside(self.resume_check, self.resume_date)

    def _on_buttons_accepted(self) -> None:
        from tacrocalc.domain.course import EventKind
        from tacrocalc.present.course import read_correction, read_why

        day, refused = typed_date(self.date_edit)
        refusals = [refused] if refused else []
        resume_on: date | None = None
        if self._event.kind is EventKind.HOLD and self.resume_check.isChecked():
            resume_on, refused = typed_date(self.resume_date)
            refusals += [refused] if refused else []
        if day is None or refusals:  # said next to the field too; the dialog keeps it all
            self.error_label.setText("\n".join(refusals))
            self._fit_height()
            (self.date_edit if day is None else self.resume_date).setFocus()
            return
        read = read_correction(
            self._event,
            day=day,
            typed_time=self.time_edit.text(),
            product=self.product_combo.currentData(),
            dose=self.dose_edit.text(),
            reason=self.reason_edit.text(),
            resume_on=resume_on,
            decimal_comma=self._decimal_comma,
            words=self._words,
        )
        why = read_why(self.why_edit.text(), f"correction of the {self._event.kind.value}")
        errors = [*read.errors, *why.errors]
        if read.value is not None and why.value is not None:
            errors = self._submit(read.value, why.value)
        if errors:  # the dialog stays open with everything typed
            self.error_label.setText("\n".join(errors))
            self._fit_height()
            return
        self.accept()


def _date_label(edit: DateEdit) -> QLabel:
    """ "Date:" with Alt+D typing the date itself, not its frame (which takes no focus)."""
    label = QLabel("&Date:")
    label.setBuddy(edit.line_edit)
    return label


def _fit_height(dialog: QDialog, layout: QVBoxLayout) -> None:
    """Grow `dialog` to show a refusal on all its lines (a window does not grow for wrapped
    text)."""
    layout.activate()
    needed = layout.totalHeightForWidth(dialog.width()) if layout.hasHeightForWidth() else 0
    if needed > dialog.height():
        dialog.resize(dialog.width(), needed)


class DeleteEventDialog(QDialog):
    """Take an event out of the course, or an interacting drug out of the record (with
    `title`, `question` and `kept` of its own); why is asked and kept in the history (R15.3)."""

    def __init__(
        self,
        summary: str,
        *,
        submit: Callable[[str], list[str]],
        parent: QWidget | None = None,
        title: str = "Delete an event of the course",
        question: str = "Delete this event from the course?",
        kept: str = "The event leaves the course; it stays in the patient's history.",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._submit = submit
        self.summary_label = named(QLabel(f"{question}\n{summary}"), "summary_label")
        self.summary_label.setWordWrap(True)
        self.why_edit = named(QLineEdit(), "why_edit", "Why it is deleted")
        self.why_edit.setPlaceholderText("kept in the patient's history")
        self.error_label = _error_label("error_label")
        form = QFormLayout()
        form.addRow("&Why deleted:", self.why_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.delete_button = named(
            buttons.addButton("&Delete", QDialogButtonBox.ButtonRole.AcceptRole), "delete_button"
        )
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        layout = self._layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        kept_label = QLabel(kept)
        kept_label.setWordWrap(True)
        layout.addWidget(kept_label)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.why_edit.setFocus()

    def _on_buttons_accepted(self) -> None:
        from tacrocalc.present.course import read_why

        why = read_why(self.why_edit.text(), "deletion")
        errors = list(why.errors)
        if why.value is not None:
            errors = self._submit(why.value)
        if errors:  # the dialog stays open with what was typed
            self.error_label.setText("\n".join(errors))
            _fit_height(self, self._layout)
            return
        self.accept()


class CorrectDrugDialog(QDialog):
    """Correct an interacting drug's date and note (R11); why it is corrected is asked and
    kept in the history (R15.3). A refusal is shown here and nothing typed is lost."""

    def __init__(
        self,
        change: CoMedicationChange,
        summary: str,
        *,
        today: date,
        birth: date | None,
        submit: Callable[[CoMedicationChange, str], list[str]],
        parent: QWidget | None = None,
    ) -> None:
        from tacrocalc.present.course import DRUG_CORRECT_KEPT, DRUG_CORRECT_TITLE

        super().__init__(parent)
        self.setWindowTitle(DRUG_CORRECT_TITLE)
        self._submit = submit
        self.summary_label = named(QLabel(summary), "summary_label")
        self.summary_label.setWordWrap(True)
        self.date_edit = _date_edit("date_edit", "Date of the change", today)
        self.date_edit.set_bounds(earliest=birth, latest=today)  # R12.4, R12.8
        self.date_edit.set_date(change.date)
        self.note_edit = named(
            QLineEdit(change.note), "note_edit", "Interacting drug and what changed"
        )
        self.note_edit.setPlaceholderText("e.g. fluconazole started")
        self.why_edit = named(QLineEdit(), "why_edit", "Why it is corrected")
        self.why_edit.setPlaceholderText("kept in the patient's history")
        self.error_label = _error_label("error_label")
        form = QFormLayout()
        form.addRow(_date_label(self.date_edit), self.date_edit)
        form.addRow("&Note:", self.note_edit)
        form.addRow("&Why corrected:", self.why_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("save_button")
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        kept_label = QLabel(DRUG_CORRECT_KEPT)
        kept_label.setWordWrap(True)
        layout = self._layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(kept_label)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.date_edit.changed.connect(
            lambda _text: _forget_refusal(self.date_edit, self.error_label)
        )
        self.date_edit.changed.connect(lambda _text: QTimer.singleShot(0, self._fit_height))
        self.why_edit.setFocus()

    def _fit_height(self) -> None:
        _fit_height(self, self._layout)

    def _on_buttons_accepted(self) -> None:
        from tacrocalc.present.course import read_drug_correction, read_why

        day, refused = typed_date(self.date_edit)
        if day is None:  # said next to the field too; the dialog keeps it all
            self.error_label.setText(refused)
            self._fit_height()
            self.date_edit.setFocus()
            return
        read = read_drug_correction(self.note_edit.text(), day)
        why = read_why(self.why_edit.text(), "correction of the interacting drug")
        errors = [*read.errors, *why.errors]
        if read.value is not None and why.value is not None:
            errors = self._submit(read.value, why.value)
        if errors:  # the dialog stays open with everything typed
            self.error_label.setText("\n".join(errors))
            self._fit_height()
            return
        self.accept()
