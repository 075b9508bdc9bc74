"""Small dialogs: a patient's details, correcting an observation, the history of a record."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QLocale
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from tacrocalc.domain.issues import Issue
from tacrocalc.domain.record import BloodPressure, Creatinine, Observation, Patient, Sex, Trough
from tacrocalc.domain.units import Kind, parse, parse_blood_pressure
from tacrocalc.present.units import DisplayUnits
from tacrocalc.present.words import message
from tacrocalc.records.store import AuditEntry
from tacrocalc.ui.qtdates import pydate, qdate


class PatientDialog(QDialog):
    """New patient, or a patient's details. The id cannot change once saved."""

    def __init__(
        self,
        protocols: tuple[str, ...],
        default_protocol: str,
        *,
        patient: Patient | None = None,
        protocol_id: str | None = None,
        today: date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Patient" if patient else "New patient")
        self.id_edit = QLineEdit(patient.id if patient else "")
        self.id_edit.setObjectName("id_edit")
        self.id_edit.setAccessibleName("Patient id")
        self.id_edit.setReadOnly(patient is not None)
        self.name_edit = QLineEdit(patient.name if patient else "")
        self.name_edit.setObjectName("name_edit")
        self.name_edit.setAccessibleName("Name")
        self.birth_edit = QDateEdit()
        self.birth_edit.setObjectName("birth_edit")
        self.birth_edit.setCalendarPopup(True)
        self.birth_edit.setDisplayFormat("yyyy-MM-dd")
        self.birth_edit.setMaximumDate(qdate(today))
        self.birth_edit.setDate(
            qdate(patient.birth_date) if patient and patient.birth_date else QDate(1980, 1, 1)
        )
        self.sex_combo = QComboBox()
        self.sex_combo.setObjectName("sex_combo")
        for sex, text in ((Sex.FEMALE, "female"), (Sex.MALE, "male"), (Sex.OTHER, "other")):
            self.sex_combo.addItem(text, sex.value)
        if patient and patient.sex:
            self.sex_combo.setCurrentIndex(self.sex_combo.findData(patient.sex.value))
        self.protocol_combo = QComboBox()
        self.protocol_combo.setObjectName("protocol_combo")
        self.protocol_combo.addItems(list(protocols))
        self.protocol_combo.setCurrentText(protocol_id or default_protocol)
        self.nephrotoxicity_check = QCheckBox("Prior ciclosporin nephrotoxicity (R4.4)")
        self.nephrotoxicity_check.setObjectName("nephrotoxicity_check")
        self.nephrotoxicity_check.setChecked(
            bool(patient and patient.prior_ciclosporin_nephrotoxicity)
        )
        self.error_label = QLabel()
        self.error_label.setObjectName("error_label")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        form = QFormLayout()
        form.addRow("&Id:", self.id_edit)
        form.addRow("&Name:", self.name_edit)
        form.addRow("&Born:", self.birth_edit)
        form.addRow("&Sex:", self.sex_combo)
        form.addRow("&Protocol:", self.protocol_combo)
        form.addRow("", self.nephrotoxicity_check)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    def patient(self) -> Patient:
        return Patient(
            id=self.id_edit.text().strip(),
            name=self.name_edit.text().strip(),
            birth_date=pydate(self.birth_edit.date()),
            sex=Sex(self.sex_combo.currentData()),
            prior_ciclosporin_nephrotoxicity=self.nephrotoxicity_check.isChecked(),
        )

    @property
    def protocol_id(self) -> str:
        return self.protocol_combo.currentText()

    def show_issues(self, issues: tuple[Issue, ...]) -> None:
        # a patient's refusals name text and dates only: no quantity, so no unit to choose
        self.error_label.setText("\n".join(message(i, DisplayUnits()) for i in issues if i.refuses))


class CorrectionDialog(QDialog):
    """Correct the value (and date) of an observation; the old one stays in the history."""

    def __init__(
        self,
        observation: Observation,
        shown_value: str,
        units: DisplayUnits,
        *,
        today: date,
        decimal_comma: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Correct an observation")
        self._observation = observation
        self._units = units
        self._decimal_comma = decimal_comma
        self.date_edit = QDateEdit(qdate(observation.date))
        self.date_edit.setObjectName("date_edit")
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setMaximumDate(qdate(today))
        self.value_edit = QLineEdit(shown_value.removesuffix(" (deleted)"))
        self.value_edit.setObjectName("value_edit")
        self.value_edit.setAccessibleName("Corrected value")
        self.error_label = QLabel()
        self.error_label.setObjectName("error_label")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        form = QFormLayout()
        form.addRow("&Date:", self.date_edit)
        form.addRow("&Value:", self.value_edit)
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

    def _on_buttons_accepted(self) -> None:
        obs, day, text = self._observation, pydate(self.date_edit.date()), self.value_edit.text()
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


class HistoryDialog(QDialog):
    """The audit trail of one patient: every insert, correction, deletion and restore."""

    def __init__(self, entries: list[AuditEntry], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("History")
        self.resize(720, 420)
        text = QPlainTextEdit()
        text.setObjectName("history_text")
        text.setReadOnly(True)
        lines = []
        for e in entries:
            before = f" was {e.before}" if e.before is not None else ""
            after = f" now {e.after}" if e.after is not None else ""
            lines.append(f"{e.at}  {e.user}  {e.action} {e.entity} {e.entity_id}:{before}{after}")
        text.setPlainText("\n".join(lines))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(buttons)


def decimal_comma() -> bool:
    return QLocale().decimalPoint() == ","
