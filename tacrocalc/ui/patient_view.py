"""One patient on one screen: header, regimen calculator, adjustment, alerts and schedule,
charts, quick entry and the table of observations. Every accepted entry is saved at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from functools import partial
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QEvent, QLocale, QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStyle,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tacrocalc.present.patient import VALUE_COLUMNS
from tacrocalc.ui.charts_tab import ChartsTab
from tacrocalc.ui.date_edit import DateEdit
from tacrocalc.ui.fitted_table import FittedColumns
from tacrocalc.ui.observation_model import ObservationTableModel
from tacrocalc.ui.steady_tabs import SteadyTabs
from tacrocalc.ui.widgets import ERROR_STYLE, Message, named

if TYPE_CHECKING:
    from tacrocalc.domain.assessment import Assessment
    from tacrocalc.domain.course import CourseEvent
    from tacrocalc.domain.issues import Issue
    from tacrocalc.domain.protocol import Protocol
    from tacrocalc.domain.record import PatientRecord
    from tacrocalc.present.entry import TypedResults
    from tacrocalc.present.patient import AlertLine, ResultCell
    from tacrocalc.present.words import Words
    from tacrocalc.records.store import Store
    from tacrocalc.ui.calculator import DoseCalculator
    from tacrocalc.ui.settings import Settings

ADVICE_LINE = 52  # characters: the narrowest line of Needs attention that reads well

# The clinical core (tacrocalc.domain, the presenters, the calculator) is imported inside the
# methods that use it, the first time a patient is opened: the window is painted before it.


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def alerts_html(alerts: list[AlertLine]) -> str:
    """Needs attention (R14): most severe first, the level in colour and in a word, the
    suggested action under it, the rule numbers small at the end; notes apart, after."""
    from tacrocalc.domain.issues import Severity
    from tacrocalc.present.words import SEVERITY_COLOURS, SEVERITY_WORDS

    def item(alert: AlertLine) -> str:
        colour = SEVERITY_COLOURS.get(alert.severity) or "palette(window-text)"
        word = SEVERITY_WORDS.get(alert.severity, alert.severity.value)
        html = f"<b style='color:{colour}'>{word}</b> {_escape(alert.text)}"
        if alert.action:
            html += f"<br>&nbsp;&nbsp;&nbsp;→ {_escape(alert.action)}"
        if alert.rules:
            html += f" <small style='color:gray'>({_escape(alert.rules)})</small>"
        return f"<p style='margin:0 0 4px 0'>{html}</p>"

    alerts = sorted(alerts, key=lambda a: a.severity.rank)
    urgent = [a for a in alerts if a.severity is not Severity.NOTE]
    notes = [a for a in alerts if a.severity is Severity.NOTE]
    parts = [item(a) for a in urgent] or ["<p>Nothing needs attention now.</p>"]
    if notes:
        parts.append("<p style='margin:6px 0 2px 0'><i>Notes</i></p>")
        parts += [item(a) for a in notes]
    return "".join(parts)


class AdviceArea(QScrollArea):
    """Needs attention's scroll area: it asks for the height its text needs at the width it
    shows it, so that the column gives it that first; given less (a short screen), it
    scrolls."""

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        inner = self.widget()
        if inner is None or not inner.hasHeightForWidth():
            return hint
        # At the width of the text now: with a scroll bar, what it needs to do without one.
        frame = self.height() - self.viewport().height()
        return QSize(hint.width(), inner.heightForWidth(self.viewport().width()) + frame)

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            resized = cast(QResizeEvent, event)
            if resized.size().width() != resized.oldSize().width():  # the text wraps anew
                self.updateGeometry()
        return super().viewportEvent(event)


def _text_button(text: str) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return button


class PatientView(QWidget):
    """The record of one patient, as the store holds it now."""

    saved = Signal(str)  # what was saved, for the status bar
    plan_requested = Signal(str)  # "export" or "print"

    def __init__(
        self,
        store: Store | None,
        protocol_for: Callable[[str], Protocol],
        *,
        settings: Settings,
        today: Callable[[], date],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._protocol_for = protocol_for
        self._settings = settings  # read where used: a change of settings applies at once
        self._today = today
        self._decimal_comma = QLocale().decimalPoint() == ","
        from tacrocalc.ui.open_patient import OpenPatient

        self.model = OpenPatient(lambda: self._db, protocol_for, today, self)
        self.model.changed.connect(self._on_model_changed)
        self.calculator: DoseCalculator | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._build_header())
        self.columns = named(QSplitter(Qt.Orientation.Horizontal), "columns")
        self.columns.addWidget(self._build_left_column())
        self.columns.addWidget(self._build_right_column())
        self.columns.setChildrenCollapsible(False)
        self.columns.setStretchFactor(0, 2)
        self.columns.setStretchFactor(1, 3)
        self.columns.setSizes([460, 700])
        layout.addWidget(self.columns, 1)
        self._connect_slots()

    def _build_header(self) -> QHBoxLayout:
        """Name, id, details, the regimen in force (R15.4), and the plan buttons."""
        self.name_label = named(QLabel(), "name_label")
        font = self.name_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.name_label.setFont(font)
        self.details_label = named(QLabel(), "details_label")
        self.details_label.setWordWrap(True)
        self.regimen_label = named(QLabel(), "regimen_label")  # R15.4: the regimen in force
        self.regimen_label.setWordWrap(True)
        self.regimen_label.setStyleSheet("font-weight: bold;")
        self.flag_label = named(QLabel(), "flag_label")
        self.flag_label.setStyleSheet(ERROR_STYLE + " font-weight: bold;")
        self.edit_button = named(QPushButton("&Edit patient…"), "edit_button")
        self.export_button = named(QPushButton("E&xport plan…"), "export_button")
        self.print_button = named(QPushButton("Prin&t…"), "print_button")
        self.export_button.clicked.connect(lambda: self.plan_requested.emit("export"))
        self.print_button.clicked.connect(lambda: self.plan_requested.emit("print"))
        header = QHBoxLayout()
        names = QVBoxLayout()
        names.addWidget(self.name_label)
        names.addWidget(self.details_label)
        names.addWidget(self.regimen_label)
        names.addWidget(self.flag_label)
        header.addLayout(names, 1)
        for button in (self.edit_button, self.export_button, self.print_button):
            header.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)

        return header

    def _build_left_column(self) -> QWidget:
        """What needs attention with the advice under it (R14), then the dose calculator, the
        course and the schedule as tabs: nothing here scrolls inside anything else."""
        self.calculator_box = QWidget()
        self.calculator_layout = QVBoxLayout(self.calculator_box)
        self.calculator_layout.setContentsMargins(4, 4, 4, 4)
        # What the date was understood as goes under it: on one line with the date it
        # wrapped onto three in a 1024-pixel column.
        self.start_edit = named(
            DateEdit("Start date of the new regimen", today=self._today()), "start_edit"
        )
        self.apply_button = named(QPushButton("&Apply as new regimen"), "apply_button")
        self.apply_button.setToolTip(
            "Record this dose from the start date; the schedule "
            "restarts (R8.2) and the previous regimen stays in the "
            "history."
        )
        self.switch_label = named(Message(), "switch_label")  # R10: what a switch does
        self.apply_error = named(Message(), "apply_error")
        self.apply_error.setStyleSheet(ERROR_STYLE)
        apply_row = QHBoxLayout()  # the date, the button and "from" on the date's line
        start_label = QLabel("fro&m")
        start_label.setBuddy(self.start_edit)
        start_label.setMinimumHeight(self.start_edit.line_edit.sizeHint().height())
        top = Qt.AlignmentFlag.AlignTop
        apply_row.addWidget(start_label, 0, top)
        apply_row.addWidget(self.start_edit, 1)
        apply_row.addWidget(self.apply_button, 0, top)
        self.calculator_layout.addStretch(1)
        self.calculator_layout.addLayout(apply_row)
        self.calculator_layout.addWidget(self.switch_label)
        self.calculator_layout.addWidget(self.apply_error)

        self.adjust_label = named(QLabel(), "adjust_label")
        self.adjust_label.setWordWrap(True)
        self.adjust_button = named(QPushButton("Apply the suggested dose"), "adjust_button")
        self.alerts_label = named(QLabel(), "alerts_label", "Needs attention")
        self.alerts_label.setWordWrap(True)
        self.alerts_label.setTextFormat(Qt.TextFormat.RichText)
        self.alerts_label.setAlignment(Qt.AlignmentFlag.AlignTop)
        # As tall as its text needs, as far as the tabs under it leave room; else it scrolls.
        alerts_scroll = self.alerts_scroll = named(AdviceArea(), "alerts_scroll")
        alerts_scroll.setWidgetResizable(True)
        alerts_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        alerts_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        advice = QWidget()  # the alerts, then the dose advice under them (R14.2, R9)
        advice_layout = QVBoxLayout(advice)
        advice_layout.setContentsMargins(0, 0, 0, 0)
        advice_layout.addWidget(self.alerts_label)
        advice_layout.addWidget(
            QLabel("<b>Adjustment from the latest trough</b> <small>(R9)</small>")
        )
        advice_layout.addWidget(self.adjust_label)
        advice_layout.addStretch(1)
        alerts_scroll.setWidget(advice)
        alerts_scroll.setMinimumHeight(40)
        alerts_box = self.alerts_box = named(QGroupBox("Needs attention"), "alerts_box")
        alerts_layout = QVBoxLayout(alerts_box)
        alerts_layout.setContentsMargins(6, 4, 6, 4)
        alerts_layout.addWidget(alerts_scroll, 1)
        alerts_layout.addWidget(self.adjust_button)
        # Never narrower than a readable line of advice: a narrower column wraps it onto so
        # many lines that the tabs under it leave too little height to read it.
        line = self.fontMetrics().averageCharWidth() * ADVICE_LINE
        scroll_bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        margins = alerts_layout.contentsMargins()
        alerts_box.setMinimumWidth(line + scroll_bar + margins.left() + margins.right())

        self.schedule_table = named(QTableWidget(0, 4), "schedule_table", "Monitoring schedule")
        self.schedule_table.setHorizontalHeaderLabels(["Check", "When", "Status", "Take"])
        self.schedule_table.verticalHeader().hide()
        self.schedule_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # Every cell whole in the column's width (what to take wraps); as tall as the Dose
        # tab asks, whichever tab is chosen: Needs attention above keeps its height.
        self.schedule_columns = FittedColumns(self.schedule_table, stretch=(3,))
        self.schedule_table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)

        self.course_tab = QWidget()  # the dosage history (R15)
        self.course_layout = QVBoxLayout(self.course_tab)
        self.course_layout.setContentsMargins(0, 0, 0, 0)  # the tab's frame is its margin
        from tacrocalc.ui.course_panel import CoursePanel

        self.course_panel = CoursePanel(self.model, self._today, lambda: self._words())
        self.course_panel.setObjectName("course_panel")
        self.course_panel.written.connect(self.saved.emit)
        self.course_panel.written.connect(lambda _text: self._show_regimen_in_calculator())
        self.course_layout.addWidget(self.course_panel)
        self.left_tabs = named(SteadyTabs(), "left_tabs")
        self.left_tabs.addTab(self.calculator_box, "Dose")
        self.left_tabs.addTab(self.course_tab, "Course")
        self.left_tabs.addTab(self.schedule_table, "Schedule (R8)")

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 4, 0)
        # Needs attention first gets the height its text needs, as far as the tabs leave
        # room: they keep the least their tallest page needs (a form is never cut), the same
        # whichever tab is chosen, and any height beyond goes to them (their lists).
        left_layout.addWidget(alerts_box)
        left_layout.addWidget(self.left_tabs, 1)
        return left

    def _build_entry(self) -> QGridLayout:
        """The quick-entry row: date, times, trough, creatinine, blood pressure."""
        # ISO or the locale's short date, with what was understood under it.
        self.date_edit = named(DateEdit("Date of the results", today=self._today()), "date_edit")
        self.time_edit = named(QLineEdit(), "time_edit", "Sample time")
        self.time_edit.setPlaceholderText("08:00")
        self.last_dose_edit = named(QLineEdit(), "last_dose_edit", "Time of the last dose")
        self.last_dose_edit.setPlaceholderText("20:00")
        self.trough_edit = named(QLineEdit(), "trough_edit", "Trough level")
        self.creatinine_edit = named(QLineEdit(), "creatinine_edit", "Creatinine")
        self.bp_edit = named(QLineEdit(), "bp_edit", "Blood pressure, systolic/diastolic")
        self.bp_edit.setPlaceholderText("120/80")
        self.add_button = named(_text_button("Add"), "add_button")
        self.add_button.setToolTip("Add the results typed (Enter in any field does the same)")
        self._set_entry_placeholders()
        metrics = self.fontMetrics()  # wide enough for what is typed in each, never "26-11-2"
        for edit, sample in (
            (self.time_edit, "00:00"),
            (self.last_dose_edit, "00:00"),
            (self.trough_edit, "<2.0 nmol/L"),
            (self.creatinine_edit, "000.0 µmol/L"),
            (self.bp_edit, "120/80"),
        ):
            edit.setMinimumWidth(metrics.horizontalAdvance(sample) + 16)
        for field in (self.date_edit, self.start_edit):  # a whole date, never "26-11-26"
            field.line_edit.setMinimumWidth(metrics.horizontalAdvance("00/00/0000") + 16)
        for edit in (self.time_edit, self.last_dose_edit):
            edit.setMaximumWidth(metrics.horizontalAdvance("00:00") + 40)
        entry = QGridLayout()
        fields = (
            ("&Date", self.date_edit),
            ("Time", self.time_edit),
            ("Last dose", self.last_dose_edit),
            ("Tro&ugh", self.trough_edit),
            ("&Creatinine", self.creatinine_edit),
            ("&BP", self.bp_edit),
        )
        for index, (text, widget) in enumerate(fields):
            label = QLabel(text)
            label.setBuddy(widget)
            row, column = divmod(index, 3)
            entry.addWidget(label, row, 2 * column)
            entry.addWidget(widget, row, 2 * column + 1)
        entry.addWidget(self.add_button, 1, 6)
        entry.setColumnStretch(1, 1)
        entry.setColumnStretch(3, 1)
        entry.setColumnStretch(5, 1)
        self.entry_error = named(QLabel(), "entry_error")
        self.entry_error.setWordWrap(True)
        self.entry_error.setStyleSheet(ERROR_STYLE)
        self.entry_error.hide()
        # What entry_error says, one refusal per field ("entry": nothing typed; "table": the
        # results table's buttons), each taken away once what it refused is edited or cleared.
        self._entry_errors: dict[str, str] = {}
        self._store_refused: set[str] = set()  # refusals of the store: of the date and time too
        return entry

    def _build_right_column(self) -> QTabWidget:
        """The results (quick entry, one table, its buttons) and the charts, as two tabs: each
        has the whole height, so the table shows a ward round's rows at 1366×768."""
        self.charts = ChartsTab()  # QtCharts and the charts: when first shown
        self.charts.setObjectName("charts")
        entry = self._build_entry()
        self.table_model = ObservationTableModel()
        self.table = named(QTableView(), "observation_table", "Results")
        self.table.setModel(self.table_model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        delete_key = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table)
        delete_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete_key.activated.connect(self._on_delete_button_clicked)
        # Every column in view and every value whole: a class or a % change too long for its
        # column goes onto a second line. The cells are measured once per redraw
        # (`_on_model_changed`), not at each layout of the window.
        self.table_columns = FittedColumns(self.table, stretch=tuple(VALUE_COLUMNS))
        self.table.verticalHeader().hide()
        # Tool buttons: as wide as their words, so the row fits a 1024-pixel screen.
        self.correct_button = named(_text_button("Correct…"), "correct_button")
        self.delete_button = named(_text_button("Delete…"), "delete_button")
        self.restore_button = named(_text_button("Restore"), "restore_button")
        self.show_deleted_check = named(QCheckBox("Show deleted"), "show_deleted_check")
        self.history_button = named(_text_button("Histor&y…"), "history_button")
        table_buttons = QHBoxLayout()
        for item in (
            self.correct_button,
            self.delete_button,
            self.restore_button,
            self.show_deleted_check,
            self.history_button,
        ):
            table_buttons.addWidget(item)
        table_buttons.addStretch(1)
        results = QWidget()
        results_layout = QVBoxLayout(results)
        results_layout.setContentsMargins(4, 4, 4, 4)
        results_layout.addLayout(entry)
        results_layout.addWidget(self.entry_error)
        results_layout.addWidget(self.table, 1)
        results_layout.addLayout(table_buttons)
        self.right_tabs = named(QTabWidget(), "right_tabs")
        self.right_tabs.addTab(results, "Results")
        self.right_tabs.addTab(self.charts, "Charts")
        return self.right_tabs

    def _connect_slots(self) -> None:
        self.apply_button.clicked.connect(self._on_apply_button_clicked)
        self.adjust_button.clicked.connect(self._on_adjust_button_clicked)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        for edit in (
            self.time_edit,
            self.last_dose_edit,
            self.trough_edit,
            self.creatinine_edit,
            self.bp_edit,
        ):
            edit.returnPressed.connect(self._on_add_button_clicked)
        # A refusal is taken away once what it refused is edited or cleared; a result filed
        # with the same date or time (R12.10) may no longer be the one already recorded.
        for edit, fields in (
            (self.trough_edit, ("trough", "entry")),
            (self.creatinine_edit, ("creatinine", "entry")),
            (self.bp_edit, ("blood pressure", "entry")),
            (self.time_edit, ("time", "stored")),
            (self.last_dose_edit, ("last dose",)),
        ):
            edit.textChanged.connect(partial(self._forget_entry_errors, fields))
        self.date_edit.changed.connect(partial(self._forget_entry_errors, ("date", "stored")))
        self.table.selectionModel().selectionChanged.connect(
            partial(self._forget_entry_errors, ("table",))
        )
        self.start_edit.changed.connect(self._on_start_edit_changed)
        self.saved.connect(self._on_saved)  # another entry succeeded: earlier refusals are old
        self.correct_button.clicked.connect(self._on_correct_button_clicked)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.restore_button.clicked.connect(self._on_restore_button_clicked)
        self.show_deleted_check.toggled.connect(lambda _on: self.refresh())
        self.history_button.clicked.connect(self._on_history_button_clicked)

    @property
    def patient_id(self) -> str | None:
        """The patient open, if any."""
        return self.model.patient_id

    @property
    def assessment(self) -> Assessment | None:
        """The open patient's record as last read, assessed today."""
        return self.model.assessment

    @property
    def _db(self) -> Store:
        """The patient store; a patient can only be open once one is attached."""
        assert self._store is not None, "no patient store attached"
        return self._store

    # -- showing ---------------------------------------------------------------------------

    def _words(self, protocol: Protocol | None = None) -> Words:
        """Values into words, in the units chosen now (R1.4)."""
        from tacrocalc.present.words import Words

        if protocol is None and self.assessment is not None:
            protocol = self.assessment.protocol
        return Words(self._settings.units(), protocol)

    def _set_entry_placeholders(self) -> None:
        from tacrocalc.domain.units import Kind

        units = self._settings.units()
        self.trough_edit.setPlaceholderText(units.label(Kind.TROUGH))
        self.creatinine_edit.setPlaceholderText(units.label(Kind.CREATININE))

    def settings_changed(self) -> None:
        """Show everything again in the units and times chosen now."""
        self._set_entry_placeholders()
        if self.calculator is not None:
            self.calculator.weight_unit.setCurrentText(self._settings.units().weight)
            self.calculator.recalculate_from_dose()
        self.refresh()

    def _message(self, issue: Issue) -> str:
        return self._words().message(issue)

    def entry_fields(self) -> tuple[QLineEdit, ...]:
        return (
            self.trough_edit,
            self.creatinine_edit,
            self.bp_edit,
            self.time_edit,
            self.last_dose_edit,
        )

    def _typed_results(self) -> TypedResults:
        from tacrocalc.present.entry import TypedResults

        return TypedResults(
            day=self.date_edit.date(),
            day_text=self.date_edit.text(),
            sample_time=self.time_edit.text(),
            last_dose_time=self.last_dose_edit.text(),
            trough=self.trough_edit.text(),
            creatinine=self.creatinine_edit.text(),
            blood_pressure=self.bp_edit.text(),
        )

    def _typed_in_course(self) -> str:
        """What the Course tab would record, in words ("" when only a date or time is there)."""
        from tacrocalc.present.entry import typed_in_course

        panel = self.course_panel
        return typed_in_course(
            reason=panel.reason_edit.text(),
            event_time=panel.event_time.text(),
            drug=panel.drug_edit.text(),
            weight=panel.weight_edit.text(),
            units=self._settings.units(),
            decimal_comma=self._decimal_comma,
        )

    def typed_entry(self) -> str:
        """What is typed and would be filed, not yet added, each value with its unit as it
        would be filed ("" when nothing: a date or a time kept for the next result of the same
        sample is not an entry)."""
        from tacrocalc.present.entry import typed_results, unfiled

        results = typed_results(
            self._typed_results(), self._settings.units(), decimal_comma=self._decimal_comma
        )
        return unfiled(results, self._typed_in_course())

    def add_typed_entry(self) -> bool:
        """Add what is typed to the open patient; False when it was refused (and kept), or
        when the Course tab holds something typed, which only its own buttons record."""
        if self._typed_results().would_file:
            self._on_add_button_clicked()
            if not self.entry_error.isHidden():
                return False
        if self._typed_in_course():
            self.left_tabs.setCurrentWidget(self.course_tab)
            self.course_panel.setFocus()
            return False
        return True

    def open_patient(self, patient_id: str) -> bool:
        from tacrocalc.ui.calculator import DoseCalculator

        if not self.model.open(patient_id):  # read once; every panel shows it
            return False
        record = self.model.record
        assert record is not None
        protocol = self._protocol_for(record.protocol_id)
        if self.calculator is not None:
            self.calculator_layout.removeWidget(self.calculator)
            self.calculator.hide()  # not drawn under the next patient's until it is deleted
            self.calculator.deleteLater()
        self.calculator = DoseCalculator(
            protocol,
            prior_ciclosporin_nephrotoxicity=record.patient.prior_ciclosporin_nephrotoxicity,
            units=self._settings.units,
            preferred_times=self._settings.dose_times,
        )
        self.calculator.setObjectName("calculator")
        self.calculator.weight_unit.setCurrentText(self._settings.units().weight)
        self.calculator_layout.insertWidget(0, self.calculator)
        QWidget.setTabOrder(self.calculator.dose_edit, self.start_edit.line_edit)  # reading order
        QWidget.setTabOrder(self.start_edit.line_edit, self.apply_button)
        today = self._today()
        weight = record.weight_on(today)
        self.calculator.show_weight(weight.value if weight is not None else None)
        for edit in self.entry_fields():  # nothing typed for one patient is filed for another
            edit.clear()
        self.apply_error.clear()  # messages about the patient shown before (wrong-patient risk)
        self.switch_label.clear()
        self._show_entry_errors({})
        self.calculator.formulation_combo.currentIndexChanged.connect(self._on_product_changed)
        self.calculator.view_changed.connect(self._on_calculator_view_changed)
        self._show_regimen_in_calculator()  # or, while held or stopped, that nothing is given
        birth = record.patient.birth_date
        for field in (self.start_edit, self.date_edit):  # nothing in the future (R12.8)
            field.set_bounds(earliest=birth, latest=today)
            field.set_date(today)
        return True

    def refresh(self) -> None:
        """Read the record again and show it (after a change of settings, or to act on the
        record as stored now)."""
        self.model.include_deleted = self.show_deleted_check.isChecked()
        self.model.reload()

    def _on_model_changed(self) -> None:
        """Show the record as last read: header, alerts, schedule, advice, results, charts."""
        from tacrocalc.present import patient as present
        from tacrocalc.present.charts import build_charts

        assessment = self.model.assessment
        if assessment is None:
            return
        words = self._words(assessment.protocol)
        head = present.header(assessment, words)
        self.name_label.setText(f"{head['name']}  ·  {head['id']}")
        self.details_label.setText(
            f"{head['age']} · {head['sex']} · {head['weight']} · {head['protocol']} · "
            f"{head['target']}"
        )
        self.regimen_label.setText(f"Now: {head['regimen']}")
        sample_hint, last_dose_hint = present.entry_hints(assessment)
        self.time_edit.setPlaceholderText(sample_hint)
        self.last_dose_edit.setPlaceholderText(last_dose_hint)
        self.flag_label.setText(head["nephrotoxicity"])
        self.flag_label.setVisible(bool(head["nephrotoxicity"]))
        self.alerts_label.setText(alerts_html(present.alert_lines(assessment, words)))
        rows = present.schedule_lines(assessment)
        self.schedule_table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.schedule_table.setItem(r, c, QTableWidgetItem(text))
        self.schedule_columns.measure()
        suggestion = present.adjustment(assessment, words)
        self.adjust_label.setText(suggestion.text)
        self.alerts_scroll.updateGeometry()  # the column shares its height for the new text
        self.adjust_button.setEnabled(suggestion.dose_mg is not None)
        self.adjust_button.setToolTip(
            "Asks to confirm, then records a dose change (R9.5)"
            if suggestion.dose_mg is not None
            else suggestion.text
        )
        self._suggestion = suggestion
        shown = self.model.observations
        self.table_model.set_rows(present.day_rows(shown, assessment, words))
        self.table_columns.measure()
        self.charts.show_charts(build_charts(assessment, words.units))

    # -- saving ------------------------------------------------------------------------------

    def _on_add_button_clicked(self) -> None:
        from tacrocalc.present import patient as present

        if self.patient_id is None:
            return
        day = self.date_edit.date()
        if day is None:  # refused or empty: said next to the field, everything typed kept
            self._show_entry_errors(
                {"date": self.date_edit.error() or "Date of the results: enter a date."}
            )
            self.date_edit.setFocus()
            return
        entry = present.read_quick_entry(
            day=day,
            sample_time=self.time_edit.text(),
            last_dose_time=self.last_dose_edit.text(),
            trough=self.trough_edit.text(),
            creatinine=self.creatinine_edit.text(),
            blood_pressure=self.bp_edit.text(),
            units=self._settings.units(),
            decimal_comma=self._decimal_comma,
        )
        errors = dict(entry.errors)
        stored: set[str] = set()
        if not errors:
            pid = self.patient_id
            written = self.model.write(
                lambda db: db.add_observations(pid, entry.observations, today=self._today())
            )
            for issue in written.issues:
                if issue.refuses:
                    field = present.field_of(issue)
                    errors.setdefault(field, self._message(issue))
                    stored.add(field)
            # A result refused (not the store as a whole): the others were not filed either.
            if stored & set(present.KIND_NAMES.values()) and len(entry.observations) > 1:
                errors["none added"] = present.none_added(entry.observations)
                stored.add("none added")
        if errors:  # nothing was saved; everything typed stays where it is
            self._show_entry_errors(errors, stored=stored)
            return
        for edit in (self.trough_edit, self.creatinine_edit, self.bp_edit):
            edit.clear()
        self.trough_edit.setFocus()
        self.saved.emit(f"Saved {len(entry.observations)} result(s) of {day.isoformat()}")

    def _confirm(self, title: str, text: str) -> bool:
        from PySide6.QtWidgets import QMessageBox

        answer = QMessageBox.question(
            self,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _record_event(self, event: CourseEvent) -> bool:
        """Write one course event (R15); the store checks it against the whole course."""
        pid = self.patient_id
        assert pid is not None
        written = self.model.write(lambda db: db.add_event(pid, event, today=self._today()))
        if not written.ok:
            self.apply_error.setText(
                "\n".join(self._message(i) for i in written.issues if i.refuses)
            )
            return False
        self.apply_error.clear()
        return True

    def _refusals_of(self, event: CourseEvent, record: PatientRecord) -> list[str]:
        """What the store would refuse in the course of `record` (as stored now) with `event`
        added, checked before the user is asked to confirm anything (only what the event adds,
        as the store does)."""
        from tacrocalc.domain.course import added_refusals

        issues = added_refusals(
            record.events,
            (*record.events, event),
            self._protocol_for(record.protocol_id),
            today=self._today(),
            birth_date=record.patient.birth_date,
        )
        return [self._message(i) for i in issues]

    def _now_if_today(self, day: date, record: PatientRecord) -> time | None:
        """An event dated today gets the time it is recorded, so that another event of the
        same day can be put before or after it (R12.8); recorded within the same minute as the
        latest of the day, it is put one minute after it, in the order it was recorded."""
        from datetime import datetime, timedelta

        if day != self._today() or self.patient_id is None:
            return None
        now = datetime.now().replace(second=0, microsecond=0)  # noqa: DTZ005
        times = [e.time for e in record.events if e.date == day and e.time is not None]
        if times and max(times) >= now.time():
            after = datetime.combine(day, max(times)) + timedelta(minutes=1)
            if after.date() == day:
                return after.time()
        return now.time()

    def _regimen_event(
        self, dose_mg: float, start: date, record: PatientRecord
    ) -> CourseEvent | None:
        """What Apply records: a start, a restart, a resume or a dose change of the product in
        force; a change of product is an R10 switch, its dose worked out by the conversion and
        confirmed with the old and new dose side by side (R10.1)."""
        from tacrocalc.domain.course import DOSING_AFTER, CourseEvent, EventKind, Status
        from tacrocalc.domain.dosing import switch
        from tacrocalc.domain.units import q
        from tacrocalc.present.patient import switch_confirmation

        assert self.patient_id is not None and self.calculator is not None
        protocol = self._protocol_for(record.protocol_id)
        product = protocol.formulations[self.calculator.formulation]
        times = self.calculator.view.dose_times or protocol.times_for(product)  # as shown
        period = record.period_on(start)
        status = period.status if period is not None else Status.NONE
        current = period.regimen if period is not None else None
        if current is None or current.formulation == product.id:
            event = CourseEvent(
                kind=DOSING_AFTER[status],
                date=start,
                time=self._now_if_today(start, record),
                formulation=product.id,
                dose=q(dose_mg, "mg"),
                times=times,
                reason="from the regimen calculator",
            )
            refused = self._refusals_of(event, record)
            if refused:
                self.apply_error.setText("\n".join(refused))
                return None
            return event
        outcome = switch(
            dose=current.dose, source=current.formulation, target=product.id, protocol=protocol
        )
        if outcome.switch is None:
            self.apply_error.setText(
                "\n".join(self._message(i) for i in outcome.issues if i.refuses)
            )
            return None
        result = outcome.switch
        event = CourseEvent(
            kind=EventKind.SWITCH,
            date=start,
            time=self._now_if_today(start, record),
            formulation=product.id,
            dose=result.dose,
            times=times,
            ratio=result.ratio,  # the products and the ratio are the event's own fields
        )
        refused_now = self._refusals_of(event, record)
        if refused_now:  # said before asking, not after the user has confirmed
            self.apply_error.setText("\n".join(refused_now))
            return None
        text = switch_confirmation(
            outcome,
            current,
            f"{record.patient.name} ({record.patient.id})",
            start,
            self._words(protocol),
        )
        if not self._confirm("Switch product", text):
            return None
        return event

    def _on_product_changed(self, _index: int) -> None:
        """R10.1: another product than the one in force is a switch; the calculator shows the
        converted dose at once, never the mg per administration carried over."""
        from tacrocalc.domain.dosing import switch
        from tacrocalc.domain.units import magnitude
        from tacrocalc.present.patient import switch_preview

        self.switch_label.clear()
        if self.assessment is None or self.calculator is None:
            return
        current = self.assessment.current_regimen
        chosen = self.calculator.formulation
        if current is None:
            return
        if current.formulation == chosen:
            self.calculator.dose_edit.setText(f"{magnitude(current.dose, 'mg'):g}")
            self.calculator.recalculate_from_dose()
            return
        protocol = self.assessment.protocol
        outcome = switch(
            dose=current.dose, source=current.formulation, target=chosen, protocol=protocol
        )
        if outcome.switch is not None:
            self.calculator.dose_edit.setText(f"{magnitude(outcome.switch.dose, 'mg'):g}")
            self.calculator.recalculate_from_dose()
        self.switch_label.setText(switch_preview(outcome, self._words(protocol)))

    def _show_regimen_in_calculator(self) -> None:
        """After a write, the calculator shows the regimen in force."""
        from tacrocalc.domain.units import magnitude

        if self.assessment is None or self.calculator is None:
            return
        from tacrocalc.domain.course import Status

        regimen = self.assessment.current_regimen
        if self.assessment.now.status in (Status.HELD, Status.STOPPED):  # nothing to give (R15.4)
            words = self._words()
            self.switch_label.setText(
                f"Tacrolimus is {words.regimen_line(self.assessment)}: nothing is to be given"
                " now. The calculator works out a dose for when it is resumed or restarted."
            )
            return
        self.switch_label.clear()
        self.apply_error.clear()  # what was refused before the write no longer applies
        self.start_edit.set_date(self._today())  # never a stale date for the next change
        if regimen is None:  # no course yet: the calculator is for the first dose
            return
        combo = self.calculator.formulation_combo
        combo.setCurrentIndex(combo.findData(regimen.formulation.value))
        self.calculator.dose_edit.setText(f"{magnitude(regimen.dose, 'mg'):g}")
        self.calculator.recalculate_from_dose()

    def _on_apply_button_clicked(self) -> None:
        from tacrocalc.domain.record import WeightEntry

        if self.calculator is None or self.patient_id is None:
            return
        view = self.calculator.view
        weight = self.calculator.weight_quantity()
        if not view.has_dose or weight is None:
            self.apply_error.setText("Enter a weight and a rate or dose that give a dose first.")
            return
        start = self.start_edit.date()
        if start is None:
            self.apply_error.setText(self.start_edit.error() or "From: enter the start date.")
            return
        record = self.model.stored()  # as stored now: what the event is checked against
        event = self._regimen_event(self.calculator.dose_mg(), start, record)
        if event is None:
            return
        latest = record.weight_on(start)
        if latest is None or latest.value != weight:  # a weight typed, not the one shown
            written = self._db.add_weight(
                self.patient_id,
                WeightEntry(date=min(start, self._today()), value=weight),
                today=self._today(),
            )
            if not written.ok:
                self.apply_error.setText("\n".join(self._message(i) for i in written.issues))
                return
        if self._record_event(event):
            self._show_regimen_in_calculator()
            self.saved.emit(f"Saved the {event.kind.value} of {start.isoformat()}")
        else:
            self.model.reload()  # the weight was saved: show it

    def _on_adjust_button_clicked(self) -> None:
        """R9.5: the suggestion is worked out again from the stored record (never from what the
        panel showed, which may be stale), confirmed with the old and new dose side by side,
        and recorded as a dose change; the trough it came from then no longer applies (R9.3)."""
        from tacrocalc.domain.course import CourseEvent, EventKind
        from tacrocalc.domain.units import q
        from tacrocalc.present import patient as present

        shown = getattr(self, "_suggestion", None)
        if self.patient_id is None or shown is None or shown.dose_mg is None:
            return
        self.refresh()  # the record as stored now, never the one the panel showed
        assert self.assessment is not None
        record = self.model.record
        assert record is not None
        fresh = present.adjustment(self.assessment, self._words())
        if fresh.dose_mg != shown.dose_mg or fresh.trough != shown.trough:
            self.apply_error.setText(
                "The record has changed since the suggestion was shown; the panel now shows the"
                " current advice. Nothing was recorded."
            )
            return
        assert fresh.dose_mg is not None and fresh.trough is not None
        regimen = self.assessment.current_regimen
        assert regimen is not None
        text, reason = present.adjust_confirmation(
            self.assessment, fresh, self._today(), self._words()
        )
        event = CourseEvent(
            kind=EventKind.CHANGE,
            date=self._today(),
            time=self._now_if_today(self._today(), record),
            formulation=regimen.formulation,
            dose=q(fresh.dose_mg, "mg"),
            times=regimen.times,
            reason=reason,
        )
        refused = self._refusals_of(event, record)
        if refused:  # said before asking, not after the user has confirmed
            self.apply_error.setText("\n".join(refused))
            return
        if not self._confirm("Apply the suggested dose", text):
            return
        if self._record_event(event):
            self._show_regimen_in_calculator()
            self.saved.emit(
                f"Saved the adjusted dose: {self._words().dose(q(fresh.dose_mg, 'mg'))}"
            )

    def _selected(self) -> ResultCell | None:
        """The result the user picked: the value in the selected cell, or the only value of
        the selected day; else None, having said what to select."""
        indexes = self.table.selectionModel().selectedIndexes()
        if indexes:
            index = indexes[0]
            cell = self.table_model.cell(index.row(), index.column())
            cells = list(self.table_model.row(index.row()).cells.values())
            if cell is None and len(cells) == 1:
                cell = cells[0]
            if cell is not None:
                return cell
        self._show_table_message(
            "Select a result first: click its trough, creatinine or blood pressure value."
        )
        return None

    def _show_table_message(self, text: str) -> None:
        self._show_entry_errors({"table": text} if text else {})

    # -- refusals that no longer apply are taken away -----------------------------------------

    def _show_entry_errors(self, errors: dict[str, str], *, stored: set[str] | None = None) -> None:
        """Show these refusals under the entry row, one per field, in place of those shown;
        `stored`: the fields the store refused (a result already recorded, R12.10)."""
        self._entry_errors = dict(errors)
        self._store_refused = set(stored or ())
        self._render_entry_errors()

    def _render_entry_errors(self) -> None:
        text = "\n".join(self._entry_errors.values())
        self.entry_error.setText(text)
        self.entry_error.setVisible(bool(text))

    def _forget_entry_errors(self, fields: tuple[str, ...], *_args: object) -> None:
        """What these fields' refusals refused was edited or cleared: they no longer apply
        ("stored": every refusal of the store, which depends on the date and time)."""
        gone = {f for f in fields if f in self._entry_errors}
        if "stored" in fields:
            gone |= self._store_refused
        if gone & self._store_refused:  # what was refused changed: "none added" is old news
            gone.add("none added")
        if not gone:
            return
        for field in gone:
            self._entry_errors.pop(field, None)
        self._store_refused -= gone
        self._render_entry_errors()

    def forget_refusal(self, said: str) -> None:
        """A refusal that is no longer true (the store's "… reload to see it", once the patient
        is reloaded) is taken away; the others stay."""
        gone = tuple(f for f, text in self._entry_errors.items() if said in text)
        for field in gone:
            self._entry_errors.pop(field)
            self._store_refused.discard(field)
        if gone:
            self._render_entry_errors()

    def _on_saved(self, _text: str) -> None:
        """Another entry succeeded: what was refused before it (here, in the calculator or in
        the Course tab) is no longer what the screen is about (issue 11: a message that no
        longer applies does not stay)."""
        self._show_entry_errors({})
        self.apply_error.clear()
        panel = self.course_panel
        for label in (panel.event_error, panel.drug_error, panel.weight_error):
            label.clear()

    def _on_calculator_view_changed(self, _view: object) -> None:
        self.apply_error.clear()  # the dose, weight or product it refused was edited

    def _on_start_edit_changed(self, _text: str) -> None:
        self.apply_error.clear()  # the start date it refused was edited

    def _on_correct_button_clicked(self) -> None:
        from tacrocalc.ui.dialogs import CorrectionDialog

        cell = self._selected()
        if cell is None or self.patient_id is None:
            return
        current = next(
            (o for i, o, _ in self._db.observations(self.patient_id) if i == cell.id), None
        )
        if current is None:
            return
        dialog = CorrectionDialog(
            current,
            cell.value,
            self._settings.units(),
            today=self._today(),
            decimal_comma=self._decimal_comma,
            parent=self,
        )
        if dialog.exec() and dialog.corrected is not None:
            corrected = dialog.corrected
            written = self.model.write(
                lambda db: db.correct_observation(
                    cell.id, corrected, today=self._today(), reason=dialog.reason
                )
            )
            if not written.ok:
                self._show_table_message("\n".join(self._message(i) for i in written.issues))
                return
            self._show_table_message("")
            self.saved.emit("Saved the correction (the old value is in the history)")

    def _ask_reason(
        self, title: str, question: str, submit: Callable[[str], list[str]]
    ) -> str | None:
        """A reason for the audit trail, given to `submit` (which writes it and gives the
        refusals, shown in the dialog); None when the user cancels (a seam for tests)."""
        from tacrocalc.ui.dialogs import ask_reason

        return ask_reason(self, question, title=title, submit=submit)

    def _on_delete_button_clicked(self) -> None:
        cell = self._selected()
        if cell is None:
            return
        if cell.deleted:
            self._show_table_message("This result is already deleted; Restore brings it back.")
            return

        def submit(reason: str) -> list[str]:
            written = self.model.write(lambda db: db.delete_observation(cell.id, reason=reason))
            return [self._message(i) for i in written.issues if i.refuses]

        reason = self._ask_reason(
            "Delete a result", f"Delete {cell.text}? It stays in the history.", submit
        )
        if reason is None:
            return
        self._show_table_message("")
        self.saved.emit("Deleted (it stays in the history and can be restored)")

    def _on_restore_button_clicked(self) -> None:
        if not self.show_deleted_check.isChecked():
            self._show_table_message("Tick Show deleted, then select the result to restore.")
            return
        cell = self._selected()
        if cell is None:
            return
        if not cell.deleted:
            self._show_table_message("This result is not deleted: there is nothing to restore.")
            return
        if self.model.write(lambda db: db.restore_observation(cell.id)).ok:
            self._show_table_message("")
            self.saved.emit("Restored")

    def _on_history_button_clicked(self) -> None:
        from tacrocalc.ui.dialogs import HistoryDialog

        if self.patient_id is not None:
            words = self._words()
            HistoryDialog(
                self._db.history(self.patient_id), self, units=words.units, protocol=words.protocol
            ).exec()

    def focus_quick_entry(self) -> None:
        self.right_tabs.setCurrentIndex(0)  # the results, where the entry row is
        self.trough_edit.setFocus()
