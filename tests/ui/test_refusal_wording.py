"""Issue 12: three refusals the field fuzz found read wrongly to a clinician though no value
got through. Each field shows the value as typed (not rounded onto its bound), scientific
notation is refused with the plain digits to type, and "<0" is told that "<" names a limit
above zero. The same sentences on the command line are in tests/test_cli_inputs.py."""

import pytest
from PySide6.QtCore import Qt

from tests.ui.test_fuzz_dialogs import put
from tests.ui.test_main_window import new_patient


@pytest.fixture
def view(qtbot, window, store):
    return new_patient(window, store)


def entry_refusal(qtbot, view, field, text):
    put(view.date_edit.line_edit, "2026-01-19")
    put(getattr(view, field), text)
    qtbot.keyClick(view.trough_edit, Qt.Key.Key_Return)
    return view.entry_error.text()


@pytest.mark.parametrize(
    ("field", "text", "shown"),
    [
        # R12.2: a trough just outside 0.5-200 µg/L
        (
            "trough_edit",
            "0.499",
            "trough: 0.499 µg/L is below 0.5 µg/L, which no assay measures; enter such a result"
            ' as below the assay\'s limit, such as "<2 ug/L" (R12.2).',
        ),
        (
            "trough_edit",
            "200.001",
            "trough: 200.001 µg/L is outside the accepted range 0.5 µg/L to 200 µg/L (R12.2)."
            " Check the value and its unit.",
        ),
        # R12.3: creatinine 10-2000 µmol/L, shown with one decimal
        (
            "creatinine_edit",
            "9.99",
            "creatinine: 9.99 µmol/L is outside the accepted range 10 µmol/L to 2000 µmol/L"
            " (R12.3). Check the value and its unit.",
        ),
        (
            "creatinine_edit",
            "2000.04",
            "creatinine: 2000.04 µmol/L is outside the accepted range 10 µmol/L to 2000 µmol/L"
            " (R12.3). Check the value and its unit.",
        ),
        # R12.3: systolic 50-300 and diastolic 20-200 mmHg, shown without decimals
        (
            "bp_edit",
            "49.6/30",
            "blood pressure (systolic): 49.6 mmHg is outside the accepted range 50 mmHg to"
            " 300 mmHg (R12.3). Check the value and its unit.",
        ),
        (
            "bp_edit",
            "120/200.4",
            "blood pressure (diastolic): 200.4 mmHg is outside the accepted range 20 mmHg to"
            " 200 mmHg (R12.3). Check the value and its unit.",
        ),
        # scientific notation, and a "<" that names no limit above zero
        (
            "trough_edit",
            "1.6e+03",
            'trough: "1.6e+03" is written as a power of ten, which TacroCalc does not accept;'
            ' type the number in plain digits: "1600".',
        ),
        (
            "trough_edit",
            "<0",
            'trough: "<0": a result below the assay\'s limit is entered as "<" and that limit,'
            ' a level above zero, such as "<2 ug/L" (R12.2).',
        ),
        (  # a limit no assay has: not told to enter it "as below the limit", as it was
            "trough_edit",
            "<0.3",
            "trough: <0.3 µg/L: no assay has a limit below 0.5 µg/L; enter the limit the"
            ' laboratory reports, such as "<2 ug/L" (R12.2).',
        ),
    ],
)
def test_the_entry_row_names_the_value_as_typed(qtbot, view, store, field, text, shown):
    assert entry_refusal(qtbot, view, field, text) == shown
    assert getattr(view, field).text() == text  # kept as typed
    assert store.load("H1").observations == ()


@pytest.mark.parametrize(
    ("field", "text", "label", "shown"),
    [
        # R12.1: a weight just outside 10-300 kg, shown with one decimal
        (
            "weight_edit",
            "9.99",
            "weight_error",
            "weight: 9.99 kg is outside the accepted range 10 kg to 300 kg (R12.1). Check the"
            " value and its unit.",
        ),
        (
            "weight_edit",
            "300.04",
            "weight_error",
            "weight: 300.04 kg is outside the accepted range 10 kg to 300 kg (R12.1). Check the"
            " value and its unit.",
        ),
        (
            "weight_edit",
            "1.6e+03",
            "weight_error",
            'weight: "1.6e+03" is written as a power of ten, which TacroCalc does not accept;'
            ' type the number in plain digits: "1600".',
        ),
        # R4.5: a rate just above 0.30 mg/kg/day, shown with three decimals
        (
            "rate_edit",
            "0.3001",
            "rate_error",
            "rate: 0.3001 mg/kg/day is above the maximum of 0.3 mg/kg/day; no dose is given"
            " above it (R4.5).",
        ),
        # R12.7: a dose just above 100 mg, shown with three decimals
        (
            "dose_edit",
            "100.0004",
            "dose_error",
            "dose: 100.0004 mg is outside the accepted range: above 0 mg, up to 100 mg (R12.7)."
            " Check the value and its unit.",
        ),
    ],
)
def test_the_calculator_names_the_value_as_typed(view, field, text, label, shown):
    calculator = view.calculator
    put(calculator.weight_edit, "60")
    put(calculator.rate_edit, "0.1")
    put(getattr(calculator, field), text)
    assert getattr(calculator, label).text() == shown
    assert getattr(calculator, field).text() == text


def test_the_new_patient_dialog_names_a_target_as_typed(qtbot, window, monkeypatch):
    """R5.6, R12.2: the ends of a patient's own trough range lie within a trough's bounds."""
    from tacrocalc.ui.dialogs import PatientDialog

    shown = []

    def fill_and_save(dialog):
        put(dialog.id_edit, "H2")
        put(dialog.name_edit, "A Person")
        put(dialog.birth_edit.line_edit, "1980-01-01")
        dialog.sex_combo.setCurrentIndex(1)
        put(dialog.low_edit, "4")
        put(dialog.high_edit, "200.001")
        put(dialog.source_edit, "ward protocol")
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
        shown.append(dialog.error_label.text())
        return dialog.result()

    monkeypatch.setattr(PatientDialog, "exec", fill_and_save)
    window.new_patient()
    assert shown == [
        "Own trough range, high end: 200.001 µg/L is outside the accepted range 0.5 µg/L to"
        " 200 µg/L (R12.2). Check the value and its unit."
    ]
