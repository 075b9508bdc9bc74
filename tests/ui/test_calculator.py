"""The regimen calculator as a user drives it: typing, tabbing, reading the labels."""

import pytest
from PySide6.QtCore import QLocale, Qt

from tacrocalc.domain.protocol import FormulationId
from tacrocalc.present.calculator import Source, calculate
from tacrocalc.present.words import Words
from tacrocalc.ui.calculator import DoseCalculator


@pytest.fixture
def calculator(qtbot, seed):
    widget = DoseCalculator(seed, locale=QLocale(QLocale.Language.English))
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_weight_in_pounds_and_rate_give_the_rounded_dose(qtbot, calculator):
    """154 lb = 69.853 kg × 0.10 = 6.985 mg/day; 3.493 mg -> 3.5 mg (R1, R2, R3); the daily
    dose shown is the one given, 2 × 3.5 = 7 mg, the exact figure labelled unrounded (R2.4)."""
    qtbot.keyClicks(calculator.weight_edit, "154")
    calculator.weight_unit.setCurrentText("lb")
    with qtbot.waitSignal(calculator.view_changed):
        qtbot.keyClicks(calculator.rate_edit, "0.10")
    assert calculator.daily_label.text() == "7 mg/day (unrounded: 6.985 mg/day)"
    assert calculator.dose_label.text() == "3.5 mg every 12 hours"
    assert calculator.units_label.text() == "3 × 1 mg capsules + 1 × 0.5 mg capsule"
    assert calculator.times_label.text() == "08:00 and 20:00"
    assert calculator.achieved_label.text() == "0.1002 mg/kg/day (rounding +0.2 %)"
    assert calculator.dose_edit.text() == "3.5"  # the other field follows


def test_an_invalid_weight_is_refused_next_to_it_and_keeps_the_other_inputs(qtbot, calculator):
    qtbot.keyClicks(calculator.rate_edit, "0.10")
    qtbot.keyClicks(calculator.weight_edit, "5")
    assert calculator.weight_error.isVisible()
    assert "5 kg" in calculator.weight_error.text()
    assert "10 kg to 300 kg" in calculator.weight_error.text()
    assert calculator.dose_label.text() == "—"  # a wrong dose is worse than no dose
    assert calculator.rate_edit.text() == "0.10"  # nothing entered is lost
    assert calculator.weight_edit.text() == "5"
    qtbot.keyClicks(calculator.weight_edit, "0")  # 50 kg
    assert not calculator.weight_error.isVisible()
    assert calculator.dose_label.text() == "2.5 mg every 12 hours"


def test_a_rate_above_the_maximum_is_refused_next_to_the_rate(qtbot, calculator):
    qtbot.keyClicks(calculator.weight_edit, "70")
    qtbot.keyClicks(calculator.rate_edit, "0.31")
    assert calculator.rate_error.isVisible()
    assert "0.31 mg/kg/day is above the maximum of 0.3 mg/kg/day" in calculator.rate_error.text()
    assert calculator.dose_label.text() == "—"


def test_typing_a_dose_gives_the_rate(qtbot, calculator):
    """3 mg twice daily for 60 kg = 0.1 mg/kg/day."""
    qtbot.keyClicks(calculator.weight_edit, "60")
    qtbot.keyClicks(calculator.dose_edit, "3")
    assert calculator.rate_edit.text() == "0.1"
    assert calculator.dose_label.text() == "3 mg every 12 hours"
    assert calculator.daily_label.text() == "6 mg/day"  # nothing rounded, nothing unrounded


def test_suggest_start_and_warnings(qtbot, calculator, seed):
    qtbot.keyClicks(calculator.weight_edit, "60")
    qtbot.mouseClick(calculator.suggest_button, Qt.MouseButton.LeftButton)
    assert calculator.rate_edit.text() == "0.1"  # R4.1
    assert calculator.dose_label.text() == "3 mg every 12 hours"
    calculator.rate_edit.clear()
    qtbot.keyClicks(calculator.rate_edit, "0.18")
    assert calculator.warnings_label.isVisible()
    assert "titration ceiling of 0.15 mg/kg/day" in calculator.warnings_label.text()


def test_once_daily_product(qtbot, calculator):
    qtbot.keyClicks(calculator.weight_edit, "72")
    calculator.formulation_combo.setCurrentIndex(
        calculator.formulation_combo.findData(FormulationId.ADVAGRAF.value)
    )
    qtbot.keyClicks(calculator.rate_edit, "0.1")
    assert calculator.dose_label.text() == "7 mg once daily"
    assert calculator.units_label.text() == "1 × 5 mg capsule + 2 × 1 mg capsules"
    assert calculator.times_label.text() == "08:00"


def test_keyboard_order_and_accessible_names(calculator):
    order = []
    widget = calculator.weight_edit
    for _ in range(5):
        order.append(widget.objectName())
        widget = widget.nextInFocusChain()
        while not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            widget = widget.nextInFocusChain()
    assert order == [
        "weight_edit",
        "weight_unit",
        "formulation_combo",
        "rate_edit",
        "suggest_button",
    ]
    for name in ("weight_edit", "rate_edit", "dose_edit", "formulation_combo"):
        assert getattr(calculator, name).accessibleName()


def test_decimal_comma_in_a_comma_locale(qtbot, seed):
    widget = DoseCalculator(seed, locale=QLocale(QLocale.Language.French, QLocale.Country.France))
    qtbot.addWidget(widget)
    qtbot.keyClicks(widget.weight_edit, "72,5")
    qtbot.keyClicks(widget.rate_edit, "0,125")  # three decimals: a comma locale makes it clear
    # 72.5 × 0.125 = 9.0625 / 2 = 4.53 -> 4.5 mg
    assert widget.dose_label.text() == "4.5 mg every 12 hours"


def test_presenter_without_a_weight_shows_nothing(seed):
    view = calculate(
        protocol=seed,
        weight_text="",
        weight_unit="kg",
        formulation=FormulationId.IR_CAPSULE,
        source=Source.RATE,
        amount_text="0.1",
        decimal_comma=False,
        words=Words(),
    )
    assert (view.has_dose, view.field_errors) == (False, {})
