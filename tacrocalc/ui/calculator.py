"""The regimen calculator: weight and a rate or a dose in, the dose to give out (R2-R4)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tacrocalc.domain.protocol import FormulationId, Protocol
from tacrocalc.domain.units import Kind, Quantity
from tacrocalc.present.calculator import (
    CalculatorView,
    Source,
    calculate,
    suggested_start_text,
)
from tacrocalc.present.units import DisplayUnits
from tacrocalc.present.words import Words
from tacrocalc.ui.widgets import named


class DoseCalculator(QWidget):
    """Type a weight and a rate (or a dose); the other field and the results follow as you type."""

    view_changed = Signal(object)  # CalculatorView

    def __init__(
        self,
        protocol: Protocol,
        *,
        prior_ciclosporin_nephrotoxicity: bool = False,
        locale: QLocale | None = None,
        units: Callable[[], DisplayUnits] = DisplayUnits,
        preferred_times: Callable[[], tuple[time, ...]] = tuple,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._protocol = protocol
        self._units = units  # read at each calculation, so a change of settings applies at once
        self._preferred_times = preferred_times
        self._known_weight: Quantity | None = None  # a stored weight the field shows unedited
        self._prior_nephrotoxicity = prior_ciclosporin_nephrotoxicity
        self._decimal_comma = (locale or QLocale()).decimalPoint() == ","
        self._source = Source.RATE
        self.view = CalculatorView()

        self.weight_edit = QLineEdit()
        named(self.weight_edit, "weight_edit", "Body weight")
        self.weight_edit.setPlaceholderText("e.g. 72")
        self.weight_unit = QComboBox()
        named(self.weight_unit, "weight_unit", "Weight unit")
        self.weight_unit.addItems(["kg", "lb"])
        self.formulation_combo = QComboBox()
        self.formulation_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.formulation_combo.setMinimumContentsLength(16)
        named(self.formulation_combo, "formulation_combo", "Product")
        for formulation in protocol.formulations.values():
            self.formulation_combo.addItem(formulation.name, formulation.id.value)
        self.rate_edit = QLineEdit()
        named(self.rate_edit, "rate_edit", "Dose rate in milligrams per kilogram per day")
        self.rate_edit.setPlaceholderText("e.g. 0.10")
        self.dose_edit = QLineEdit()
        named(self.dose_edit, "dose_edit", "Dose per administration in milligrams")
        self.suggest_button = QPushButton("Su&ggest start")
        named(self.suggest_button, "suggest_button")
        self.suggest_button.setToolTip("Fill in the protocol's starting rate (R4.1, R4.4)")

        self.weight_error = self._error_label("weight_error")
        self.rate_error = self._error_label("rate_error")
        self.dose_error = self._error_label("dose_error")
        self.daily_label = self._value_label("daily_label")
        self.dose_label = self._value_label("dose_label")
        self.units_label = self._value_label("units_label")
        self.times_label = self._value_label("times_label")
        self.achieved_label = self._value_label("achieved_label")
        self.warnings_label = self._error_label("warnings_label")

        weight_row = QHBoxLayout()
        weight_row.addWidget(self.weight_edit, 1)
        weight_row.addWidget(self.weight_unit)
        rate_row = QHBoxLayout()
        rate_row.addWidget(self.rate_edit, 1)
        rate_row.addWidget(QLabel("mg/kg/day"))
        rate_row.addWidget(self.suggest_button)
        dose_row = QHBoxLayout()
        dose_row.addWidget(self.dose_edit, 1)
        dose_row.addWidget(QLabel("mg per dose"))

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # narrow: label above
        form.addRow(self._buddy("&Weight:", self.weight_edit), weight_row)
        form.addRow("", self.weight_error)
        form.addRow(self._buddy("Pr&oduct:", self.formulation_combo), self.formulation_combo)
        form.addRow(self._buddy("&Rate:", self.rate_edit), rate_row)
        form.addRow("", self.rate_error)
        form.addRow(self._buddy("Do&se:", self.dose_edit), dose_row)
        form.addRow("", self.dose_error)
        results = QFormLayout()
        results.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        results.addRow("Daily dose given:", self.daily_label)
        results.addRow("Give:", self.dose_label)
        results.addRow("Units:", self.units_label)
        results.addRow("At:", self.times_label)
        results.addRow("Rate achieved:", self.achieved_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)  # it sits in a tab or a window with margins
        layout.addLayout(form)
        layout.addLayout(results)
        layout.addWidget(self.warnings_label)
        layout.addStretch(1)
        self.setTabOrder(self.weight_edit, self.weight_unit)
        self.setTabOrder(self.weight_unit, self.formulation_combo)
        self.setTabOrder(self.formulation_combo, self.rate_edit)
        self.setTabOrder(self.rate_edit, self.suggest_button)
        self.setTabOrder(self.suggest_button, self.dose_edit)

        self.weight_edit.textEdited.connect(self._on_weight_edit_text_edited)
        self.weight_unit.currentIndexChanged.connect(self._on_weight_unit_changed)
        self.formulation_combo.currentIndexChanged.connect(self._on_formulation_combo_changed)
        self.rate_edit.textEdited.connect(self._on_rate_edit_text_edited)
        self.dose_edit.textEdited.connect(self._on_dose_edit_text_edited)
        self.suggest_button.clicked.connect(self._on_suggest_button_clicked)

    # -- building ----------------------------------------------------------------------------

    def _buddy(self, text: str, widget: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(widget)
        return label

    def _value_label(self, name: str) -> QLabel:
        label = QLabel("—")
        named(label, name)
        label.setWordWrap(True)  # "1 × 5 mg capsule + 1 × 0.5 mg capsule" wraps when narrow
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _error_label(self, name: str) -> QLabel:
        label = QLabel()
        named(label, name)
        label.setWordWrap(True)
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        label.setStyleSheet(f"color: {'#ff8a80' if dark else '#b00020'};")  # readable on either
        label.hide()
        return label

    # -- slots -------------------------------------------------------------------------------

    def _on_weight_edit_text_edited(self, _text: str) -> None:
        self._known_weight = None  # the user's own weight now: parsed from what was typed
        self._recalculate()

    def _on_weight_unit_changed(self, _index: int) -> None:
        if self._known_weight is not None:  # the same weight, shown in the other unit
            self.show_weight(self._known_weight)
        self._recalculate()

    def _on_formulation_combo_changed(self, _index: int) -> None:
        self._recalculate()

    def _on_rate_edit_text_edited(self, _text: str) -> None:
        self._source = Source.RATE
        self._recalculate()

    def _on_dose_edit_text_edited(self, _text: str) -> None:
        self._source = Source.DOSE
        self._recalculate()

    def _on_suggest_button_clicked(self) -> None:
        self.rate_edit.setText(
            suggested_start_text(
                self._protocol, prior_ciclosporin_nephrotoxicity=self._prior_nephrotoxicity
            )
        )
        self._source = Source.RATE
        self._recalculate()

    # -- showing -----------------------------------------------------------------------------

    def recalculate_from_dose(self) -> None:
        """Work from the dose field (a regimen already given), giving its rate."""
        self._source = Source.DOSE
        self._recalculate()

    def show_weight(self, weight: Quantity | None) -> None:
        """Show a stored weight in the chosen unit; it is used as stored (never parsed back from
        the rounded text) until the user edits the field."""
        self._known_weight = weight
        if weight is None:
            self.weight_edit.clear()
            return
        units = DisplayUnits(weight=self.weight_unit.currentText())
        self.weight_edit.setText(units.number(weight, Kind.WEIGHT, 3))
        self._recalculate()

    def weight_quantity(self) -> Quantity | None:
        """The weight the shown dose was worked out for."""
        return self.view.weight

    def dose_mg(self) -> float:
        """The rounded dose per administration shown (0 when none can be given)."""
        return self.view.dose_mg or 0.0

    @property
    def formulation(self) -> FormulationId:
        return FormulationId(self.formulation_combo.currentData())

    def _recalculate(self) -> None:
        typed = self.rate_edit if self._source is Source.RATE else self.dose_edit
        other = self.dose_edit if self._source is Source.RATE else self.rate_edit
        view = calculate(
            protocol=self._protocol,
            weight_text=self.weight_edit.text(),
            weight_unit=self.weight_unit.currentText(),
            formulation=self.formulation,
            source=self._source,
            amount_text=typed.text(),
            decimal_comma=self._decimal_comma,
            words=Words(self._units(), self._protocol),
            weight=self._known_weight,
            preferred_times=self._preferred_times(),
        )
        if view.other_field is not None:
            other.setText(view.other_field)
        for name, label in (
            ("weight", self.weight_error),
            ("rate", self.rate_error),
            ("dose", self.dose_error),
        ):
            text = view.field_errors.get(name, "")
            label.setText(text)
            label.setVisible(bool(text))
        self.daily_label.setText(view.daily or "—")
        self.dose_label.setText(view.dose or "—")
        self.units_label.setText(view.units or "—")
        self.times_label.setText(view.times or "—")
        self.achieved_label.setText(view.achieved or "—")
        self.warnings_label.setText(
            "\n".join(("URGENT: " if view.urgent else "⚠ ") + w for w in view.warnings)
        )
        self.warnings_label.setVisible(bool(view.warnings))
        self.view = view
        self.view_changed.emit(view)


class CalculatorWindow(QWidget):
    """The calculator alone, for when the patient store cannot be opened."""

    def __init__(self, protocol: Protocol, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("TacroCalc: regimen calculator")
        self.calculator = DoseCalculator(protocol)
        layout = QVBoxLayout(self)
        layout.addWidget(self.calculator)
        self.resize(720, 520)
