"""Small dialogs: a patient's details, correcting an observation, the reason for a deletion, the
history of a record."""

from __future__ import annotations

import contextlib
import itertools
import textwrap
from collections.abc import Callable, Sequence
from datetime import date, datetime

from PySide6.QtCore import QEvent, QLocale, Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tacrocalc.domain.issues import Issue
from tacrocalc.domain.protocol import Protocol, ProtocolError, TargetRange
from tacrocalc.domain.record import BloodPressure, Creatinine, Observation, Patient, Sex, Trough
from tacrocalc.domain.units import Kind, parse, parse_blood_pressure
from tacrocalc.domain.validation import ID_MAX_LENGTH, NAME_MAX_LENGTH, check_label
from tacrocalc.present.dates import missing
from tacrocalc.present.history import HEADERS, history_rows
from tacrocalc.present.patient_details import (
    OWN_RANGE,
    OWN_RANGE_SOURCE,
    SEX_NEEDED,
    OwnRange,
    own_range,
    protocol_summary,
)
from tacrocalc.present.units import DisplayUnits
from tacrocalc.present.words import Words, message
from tacrocalc.records.store import AuditEntry
from tacrocalc.ui.date_edit import DateEdit
from tacrocalc.ui.qtdates import pydate, qdate
from tacrocalc.ui.widgets import ERROR_STYLE

__all__ = [
    "CorrectionDialog",
    "HistoryDialog",
    "PatientDialog",
    "ReasonDialog",
    "ask_reason",
    "decimal_comma",
    "pydate",
    "qdate",
]

BIRTH_DATE = "Date of birth"


def _error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("error_label")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setStyleSheet(ERROR_STYLE)
    return label


class _Growing(QDialog):
    """A dialog that grows to the height its wrapped text needs at its width, so that a refusal
    or what a date was read as never squeezes the fields: on an X screen the minimum size a
    layout sets is applied to the window later than the layout squeezes its rows."""

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        layout = self.layout()
        if event.type() == QEvent.Type.LayoutRequest and layout is not None:
            needed = max(layout.totalHeightForWidth(self.width()), layout.minimumSize().height())
            if needed > self.height():
                self.resize(self.width(), needed)
        return handled


def _load_protocol(protocol_id: str) -> Protocol:
    from tacrocalc.records.protocol_files import load_protocol

    return load_protocol(protocol_id)


class PatientDialog(_Growing):
    """New patient, or a patient's details. The id cannot change once saved.

    A new patient has no date of birth or sex until they are typed; both are required. The
    protocol is chosen by its title, with its trough range and source shown under it; a range of
    the patient's own (R5.6) may be typed in the display unit, within the protocol's bounds.
    """

    def __init__(
        self,
        protocols: tuple[str, ...],
        default_protocol: str,
        *,
        patient: Patient | None = None,
        protocol_id: str | None = None,
        today: date,
        target: TargetRange | None = None,
        units: DisplayUnits | None = None,
        protocol_for: Callable[[str], Protocol] = _load_protocol,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Patient" if patient else "New patient")
        self._words = Words(units or DisplayUnits())
        self._protocols: dict[str, Protocol] = {}
        self.id_edit = QLineEdit(patient.id if patient else "")
        self.id_edit.setObjectName("id_edit")
        self.id_edit.setAccessibleName("Patient id")
        self.id_edit.setReadOnly(patient is not None)
        self.name_edit = QLineEdit(patient.name if patient else "")
        self.name_edit.setObjectName("name_edit")
        self.name_edit.setAccessibleName("Name")
        self.birth_edit = DateEdit(BIRTH_DATE, today=today)
        self.birth_edit.setObjectName("birth_edit")
        self.birth_edit.set_date(patient.birth_date if patient else None)
        self.sex_combo = QComboBox()
        self.sex_combo.setObjectName("sex_combo")
        self.sex_combo.setAccessibleName("Sex")
        self.sex_combo.setPlaceholderText("choose")
        for sex, text in ((Sex.FEMALE, "female"), (Sex.MALE, "male"), (Sex.OTHER, "other")):
            self.sex_combo.addItem(text, sex.value)
        self.sex_combo.setCurrentIndex(
            self.sex_combo.findData(patient.sex.value) if patient and patient.sex else -1
        )
        self.protocol_combo = QComboBox()
        self.protocol_combo.setObjectName("protocol_combo")
        self.protocol_combo.setAccessibleName("Protocol")
        self.protocol_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        for pid in protocols:
            try:
                protocol = protocol_for(pid)
            except ProtocolError as error:  # listed, not chosen: the ward sees why
                self.protocol_combo.addItem(f"{pid} (cannot be read: {error})", pid)
                last = self.protocol_combo.count() - 1
                self.protocol_combo.model().item(last).setEnabled(False)  # type: ignore[attr-defined]
                continue
            self._protocols[pid] = protocol
            self.protocol_combo.addItem(protocol.title, pid)
            self.protocol_combo.setItemData(
                self.protocol_combo.count() - 1, protocol.source, Qt.ItemDataRole.ToolTipRole
            )
        titles = [self.protocol_combo.itemText(i) for i in range(self.protocol_combo.count())]
        # the longest title shown whole, up to a width that still fits a 1024-pixel screen
        self.protocol_combo.setMinimumContentsLength(min(max(map(len, titles), default=40), 80))
        chosen = self.protocol_combo.findData(protocol_id or default_protocol)
        self.protocol_combo.setCurrentIndex(max(chosen, 0))
        self.protocol_label = QLabel()
        self.protocol_label.setObjectName("protocol_label")
        # wrapped here: a word-wrapped label in a form row is given the height of a narrower one
        self.protocol_label.setWordWrap(False)
        self.protocol_label.setTextFormat(Qt.TextFormat.PlainText)
        self.low_edit = QLineEdit()
        self.low_edit.setObjectName("low_edit")
        self.low_edit.setAccessibleName(f"{OWN_RANGE}, low end")
        self.high_edit = QLineEdit()
        self.high_edit.setObjectName("high_edit")
        self.high_edit.setAccessibleName(f"{OWN_RANGE}, high end")
        for edit in (self.low_edit, self.high_edit):
            edit.setMaximumWidth(90)
        if target is not None:
            self.low_edit.setText(self._words.units.number(target.low, Kind.TROUGH))
            self.high_edit.setText(self._words.units.number(target.high, Kind.TROUGH))
        self.source_edit = QLineEdit(
            target.source if target and target.source != OWN_RANGE_SOURCE else ""
        )
        self.source_edit.setObjectName("source_edit")
        self.source_edit.setAccessibleName("Source of the patient's own trough range")
        self.source_edit.setPlaceholderText(f"{OWN_RANGE_SOURCE} (who decided, when)")
        self.nephrotoxicity_check = QCheckBox("Prior &ciclosporin nephrotoxicity (R4.4)")
        self.nephrotoxicity_check.setObjectName("nephrotoxicity_check")
        self.nephrotoxicity_check.setChecked(
            bool(patient and patient.prior_ciclosporin_nephrotoxicity)
        )
        self.error_label = _error_label()
        range_row = QHBoxLayout()
        range_row.addWidget(self.low_edit)
        range_row.addWidget(QLabel("to"))
        range_row.addWidget(self.high_edit)
        range_row.addWidget(QLabel(self._words.units.label(Kind.TROUGH)))
        range_row.addStretch(1)
        form = QFormLayout()
        form.addRow("&Id:", self.id_edit)
        form.addRow("&Name:", self.name_edit)
        birth_label = QLabel("Date of &birth:")
        birth_label.setBuddy(self.birth_edit.line_edit)  # Alt+B types the date, not its frame
        form.addRow(birth_label, self.birth_edit)
        form.addRow("&Sex:", self.sex_combo)
        form.addRow("&Protocol:", self.protocol_combo)
        form.addRow("", self.protocol_label)
        self.range_label = QLabel("Own &trough range:")
        self.range_label.setBuddy(self.low_edit)
        form.addRow(self.range_label, range_row)
        form.addRow("Range s&ource:", self.source_edit)
        form.addRow("", self.nephrotoxicity_check)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addStretch(1)  # room to spare goes below the fields, not between them
        layout.addWidget(self.buttons)
        self.protocol_combo.currentIndexChanged.connect(self._on_protocol_combo_changed)
        self._on_protocol_combo_changed()
        order: list[QWidget] = [
            self.id_edit,
            self.name_edit,
            self.birth_edit.line_edit,
            self.sex_combo,
            self.protocol_combo,
            self.low_edit,
            self.high_edit,
            self.source_edit,
            self.nephrotoxicity_check,
            *self.buttons.buttons(),
        ]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)
        (self.name_edit if patient else self.id_edit).setFocus()

    def _on_protocol_combo_changed(self, _index: int = 0) -> None:
        protocol = self._protocols.get(self.protocol_id)
        if protocol is None:
            self.protocol_label.setText("")
            return
        summary = protocol_summary(protocol, self._words).splitlines()
        self.protocol_label.setText("\n".join(textwrap.fill(line, 90) for line in summary))
        target = protocol.target
        self.low_edit.setPlaceholderText(self._words.units.number(target.low, Kind.TROUGH))
        self.high_edit.setPlaceholderText(self._words.units.number(target.high, Kind.TROUGH))

    def refusals(self) -> list[str]:
        """What stops the form being saved, each naming its field; empty when it can be."""
        found = [
            message(issue, self._words.units)
            for issue in (
                *check_label(
                    self.id_edit.text().strip(), field="Patient id", max_length=ID_MAX_LENGTH
                ),
                *check_label(
                    self.name_edit.text().strip(), field="Name", max_length=NAME_MAX_LENGTH
                ),
            )
            if issue.refuses
        ]
        if self.birth_edit.error():
            found.append(self.birth_edit.error())
        elif self.birth_edit.date() is None:
            found.append(missing(BIRTH_DATE))
        if self.sex_combo.currentIndex() < 0:
            found.append(SEX_NEEDED)
        found += self._own_range().refusals
        return found

    def _own_range(self) -> OwnRange:
        protocol = self._protocols.get(self.protocol_id)
        if protocol is None:
            return OwnRange()
        return own_range(
            self.low_edit.text(),
            self.high_edit.text(),
            self.source_edit.text(),
            protocol,
            self._words,
            decimal_comma=decimal_comma(),
        )

    def _on_buttons_accepted(self) -> None:
        refused = self.refusals()
        self.error_label.setText("\n".join(refused))
        if not refused:
            self.accept()

    def patient(self) -> Patient:
        sex = self.sex_combo.currentData()
        return Patient(
            id=self.id_edit.text().strip(),
            name=self.name_edit.text().strip(),
            birth_date=self.birth_edit.date(),
            sex=Sex(sex) if sex else None,
            prior_ciclosporin_nephrotoxicity=self.nephrotoxicity_check.isChecked(),
        )

    @property
    def protocol_id(self) -> str:
        return str(self.protocol_combo.currentData() or "")

    @property
    def target(self) -> TargetRange | None:
        """The patient's own trough range (R5.6), or None for the protocol's."""
        return self._own_range().target

    def show_issues(self, issues: tuple[Issue, ...]) -> None:
        # a patient's refusals name text and dates only: no quantity, so no unit to choose
        self.error_label.setText("\n".join(message(i, DisplayUnits()) for i in issues if i.refuses))


class CorrectionDialog(_Growing):
    """Correct the value (and date) of an observation; the old one stays in the history."""

    def __init__(
        self,
        observation: Observation,
        shown_value: str,
        units: DisplayUnits,
        *,
        today: date,
        decimal_comma: bool,
        birth_date: date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Correct an observation")
        self._observation = observation
        self._units = units
        self._decimal_comma = decimal_comma
        self.date_edit = DateEdit("Date", today=today, earliest=birth_date)
        self.date_edit.setObjectName("date_edit")
        self.date_edit.set_date(observation.date)
        self.value_edit = QLineEdit(shown_value.removesuffix(" (deleted)"))
        self.value_edit.setObjectName("value_edit")
        self.value_edit.setAccessibleName("Corrected value")
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("reason_edit")
        self.reason_edit.setAccessibleName("Why the value is corrected")
        self.reason_edit.setPlaceholderText("e.g. typed wrong; the laboratory corrected it")
        self.error_label = _error_label()
        form = QFormLayout()
        date_label = QLabel("&Date:")
        date_label.setBuddy(self.date_edit.line_edit)
        form.addRow(date_label, self.date_edit)
        form.addRow("&Value:", self.value_edit)
        form.addRow("&Reason:", self.reason_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("The value it replaces stays in the patient's history."))
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.corrected: Observation | None = None
        self.reason = ""

    def _on_buttons_accepted(self) -> None:
        obs, day, text = self._observation, self.date_edit.date(), self.value_edit.text()
        if day is None:  # the refusal is shown next to the field; what was typed stays
            self.error_label.setText(self.date_edit.error() or missing("Date"))
            return
        self.reason = self.reason_edit.text().strip()
        if not self.reason:
            self.error_label.setText(
                "Reason: say why the value is corrected; it goes in the patient's history."
            )
            self.reason_edit.setFocus()
            return
        if isinstance(obs, BloodPressure):
            pair = parse_blood_pressure(text, field="blood pressure", default_unit="mmHg")
            if isinstance(pair, Issue):
                self.error_label.setText(message(pair, self._units))
                return
            self.corrected = BloodPressure(
                date=day, time=obs.time, systolic=pair[0], diastolic=pair[1]
            )
        else:
            kind = Kind.TROUGH if isinstance(obs, Trough) else Kind.CREATININE
            parsed = parse(
                text,
                kind,
                field=kind.value,
                default_unit=self._units.unit(kind),
                decimal_comma=self._decimal_comma,
                allow_below_limit=kind is Kind.TROUGH,
            )
            if parsed.issue is not None or parsed.quantity is None:
                self.error_label.setText(message(parsed.issue, self._units) if parsed.issue else "")
                return
            if isinstance(obs, Trough):
                self.corrected = Trough(
                    date=day,
                    time=obs.time,
                    value=parsed.quantity,
                    below_limit=parsed.below_limit,
                    last_dose_time=obs.last_dose_time,
                )
            else:
                assert isinstance(obs, Creatinine)
                self.corrected = Creatinine(date=day, time=obs.time, value=parsed.quantity)
        self.accept()


class ReasonDialog(_Growing):
    """Asks why before a deletion (a result, a course event: R15.3). The button that deletes
    stays disabled while the reason is empty. With `submit`, the deletion is made from the
    dialog: a refusal (a reason that is not text, R12.9) is shown under the reason, and the
    dialog stays open with what was typed."""

    def __init__(
        self,
        question: str,
        *,
        title: str = "Delete",
        action: str = "Delete",
        submit: Callable[[str], list[str]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._submit = submit
        self.question_label = QLabel(question)
        self.question_label.setObjectName("question_label")
        self.question_label.setWordWrap(True)
        self.question_label.setTextFormat(Qt.TextFormat.PlainText)
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("reason_edit")
        self.reason_edit.setAccessibleName("Reason")
        self.reason_edit.setPlaceholderText("for example: entered under the wrong date")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setObjectName("ok_button")
        self.ok_button.setEnabled(False)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.reason_edit.textChanged.connect(self._on_reason_edit_text_changed)
        self.error_label = _error_label()
        self.error_label.hide()
        form = QFormLayout()
        form.addRow("&Reason:", self.reason_edit)
        form.addRow("", self.error_label)
        layout = QVBoxLayout(self)
        layout.addWidget(self.question_label)
        layout.addLayout(form)
        layout.addWidget(QLabel("It stays in the patient's history, with the reason."))
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)
        self.reason_edit.setFocus()

    def _on_reason_edit_text_changed(self, text: str) -> None:
        self.ok_button.setEnabled(bool(text.strip()))
        self.ok_button.setDefault(bool(text.strip()))

    def _on_buttons_accepted(self) -> None:
        if not self.reason():  # Enter in an empty field does not delete
            return
        refused = self._submit(self.reason()) if self._submit is not None else []
        self.error_label.setText("\n".join(refused))
        self.error_label.setVisible(bool(refused))
        if refused:  # nothing was deleted; what was typed stays to be corrected
            self.reason_edit.setFocus()
            return
        self.accept()

    def reason(self) -> str:
        return self.reason_edit.text().strip()


def ask_reason(
    parent: QWidget | None,
    question: str,
    *,
    title: str = "Delete",
    action: str = "Delete",
    submit: Callable[[str], list[str]] | None = None,
) -> str | None:
    """The reason typed (and, with `submit`, accepted by it), or None when the user
    cancelled."""
    dialog = ReasonDialog(question, title=title, action=action, submit=submit, parent=parent)
    return dialog.reason() if dialog.exec() else None


def _protocol_titles() -> dict[str, str]:
    from tacrocalc.records.protocol_files import available_protocols, load_protocol

    titles = {}
    for pid in available_protocols():
        with contextlib.suppress(ProtocolError):
            titles[pid] = load_protocol(pid).title
    return titles


def _local(moment: datetime) -> datetime:
    """The workstation's local time, daylight saving included."""
    return moment.astimezone()


class HistoryDialog(QDialog):
    """The audit trail of one patient as a table: local time, user, what changed in words, the
    values before and after in the display units, and the reason."""

    def __init__(
        self,
        entries: Sequence[AuditEntry],
        parent: QWidget | None = None,
        *,
        units: DisplayUnits | None = None,
        protocol: Protocol | None = None,
        protocol_titles: dict[str, str] | None = None,
        to_local: Callable[[datetime], datetime] = _local,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("History")
        rows = history_rows(
            entries,
            Words(units or DisplayUnits(), protocol),
            to_local=to_local,
            protocol_titles=_protocol_titles() if protocol_titles is None else protocol_titles,
        )
        self.table = QTableWidget(len(rows), len(HEADERS))
        self.table.setObjectName("history_table")
        self.table.setAccessibleName("History of this patient's record")
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(True)
        for r, row in enumerate(rows):
            for c, text in enumerate(row.cells()):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(r, c, item)
        header = self.table.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        for column in (3, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(5, 160)
        # each row as tall as its wrapped text at the widths the columns end up with
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.empty_label = QLabel("Nothing has been recorded for this patient yet.")
        self.empty_label.setObjectName("empty_label")
        self.empty_label.setVisible(not rows)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(1100, 480)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # the latest change, where the eye looks after an edit, once the rows have their heights
        QTimer.singleShot(0, self.table.scrollToBottom)


def decimal_comma() -> bool:
    return QLocale().decimalPoint() == ","
