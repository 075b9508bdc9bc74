"""Four defects of the layer where values become words, each as a ward doctor met it.

1. A weight shown in lb was parsed back from its rounded text on Apply and saved again.
2. The calculator showed the protocol's dose times and Apply saved the user's.
3. A change of the dose-times setting was ignored until the program restarted.
4. With creatinine in mg/dL, the alert beside the table spoke µmol/L (R1.4).
"""

from datetime import date, time, timedelta

import pytest
from PySide6.QtCharts import QXYSeries
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from tacrocalc.domain.record import Patient, Sex, WeightEntry
from tacrocalc.domain.units import q
from tests.ui import type_date
from tests.ui.conftest import TODAY


def open_new_patient(window, store, *, weight_kg=None):
    store.save_patient(
        Patient(id="H1", name="Ann Lee", birth_date=date(1970, 3, 2), sex=Sex.FEMALE),
        protocol_id="seed-1997",
        today=TODAY,
    )
    if weight_kg is not None:
        store.add_weight(
            "H1",
            WeightEntry(date=TODAY - timedelta(days=30), value=q(weight_kg, "kg")),
            today=TODAY,
        )
    window.patients.refresh()
    assert window.open_patient("H1")
    return window.view


def apply_rate(qtbot, view, rate="0.1", days_ago=10):
    type_date(qtbot, view.start_edit, TODAY - timedelta(days=days_ago))
    view.calculator.rate_edit.clear()
    qtbot.keyClicks(view.calculator.rate_edit, rate)
    qtbot.mouseClick(view.apply_button, Qt.MouseButton.LeftButton)


def test_a_weight_shown_in_lb_is_used_as_stored_and_not_saved_again(qtbot, window, store, settings):
    settings.set("units/weight", "lb")
    view = open_new_patient(window, store, weight_kg=72)
    assert view.calculator.weight_unit.currentText() == "lb"
    assert view.calculator.weight_edit.text() == "158.733"  # 72 kg, rounded for the eye
    apply_rate(qtbot, view)
    record = store.load("H1")
    assert [w.value for w in record.weights] == [q(72, "kg")]  # not 72.0000777 kg
    assert [e.entity for e in store.history("H1")].count("weight") == 1
    # 72 kg × 0.1 mg/kg/day = 7.2 mg/day -> 3.5 mg every 12 hours
    assert record.regimens[-1].dose == q(3.5, "mg")


def test_a_weight_the_user_types_in_lb_is_saved(qtbot, window, store, settings):
    settings.set("units/weight", "lb")
    view = open_new_patient(window, store, weight_kg=72)
    view.calculator.weight_edit.clear()
    qtbot.keyClicks(view.calculator.weight_edit, "165")  # a new weight, typed
    apply_rate(qtbot, view)
    weights = store.load("H1").weights
    assert [round(w.value.m_as("kg"), 3) for w in weights] == [72, 74.843]


def test_the_dose_times_shown_are_the_times_recorded(qtbot, window, store, settings):
    settings.set("dosing/times", "07:00,19:00")
    view = open_new_patient(window, store, weight_kg=60)
    apply_rate(qtbot, view)
    assert view.calculator.times_label.text() == "07:00 and 19:00"
    assert store.load("H1").regimens[-1].times == (time(7), time(19))


def test_a_change_of_dose_times_applies_without_a_restart(qtbot, window, store, settings):
    view = open_new_patient(window, store, weight_kg=60)
    qtbot.keyClicks(view.calculator.rate_edit, "0.1")
    assert view.calculator.times_label.text() == "08:00 and 20:00"  # the protocol's
    settings.set("dosing/times", "06:30,18:30")  # the window is open all along
    apply_rate(qtbot, view)
    assert view.calculator.times_label.text() == "06:30 and 18:30"
    assert store.load("H1").regimens[-1].times == (time(6, 30), time(18, 30))


def _all_text(view):
    """Every piece of text the patient view shows: labels, table cells, chart names, axis
    titles and the hover labels of chart points."""
    texts = [label.text() for label in view.findChildren(QLabel)]
    model = view.table_model
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            texts.append(str(model.data(model.index(row, column))))
    for chart_view in (view.charts.trough_chart, view.charts.creatinine_chart):
        chart = chart_view.chart()
        texts.append(chart.title())
        texts += [axis.titleText() for axis in chart.axes()]
        texts += [s.name() for s in chart.series() if isinstance(s, QXYSeries)]
        texts += list(chart_view.labels.values())
    return "\n".join(texts)


@pytest.mark.parametrize(
    ("trough_unit", "creatinine_unit", "shown", "hidden"),
    [
        ("ng/mL", "mg/dL", ("mg/dL", "ng/mL"), ("µmol/L", "µg/L", "nmol/L")),
        ("nmol/L", "µmol/L", ("µmol/L", "nmol/L"), ("mg/dL", "µg/L", "ng/mL")),
    ],
)
def test_one_unit_per_quantity_on_screen(
    qtbot, window, store, settings, trough_unit, creatinine_unit, shown, hidden
):
    """Seed case 3 (R6.3): a creatinine rise to 208 from a baseline of 90 µmol/L is urgent; the
    alert, the table, the chart and its threshold lines all say it in the chosen unit."""
    settings.set("units/trough", trough_unit)
    settings.set("units/creatinine", creatinine_unit)
    view = open_new_patient(window, store, weight_kg=60)
    view.settings_changed()
    apply_rate(qtbot, view, days_ago=20)
    creatinine = {"mg/dL": ("1.02", "2.35"), "µmol/L": ("90", "208")}[creatinine_unit]
    trough = {"ng/mL": "18", "nmol/L": "22.4"}[trough_unit]
    enter_results(qtbot, view, days_ago=21, creatinine=creatinine[0])
    enter_results(qtbot, view, days_ago=1, creatinine=creatinine[1], trough=trough)
    alerts = view.alerts_label.text()
    assert "URGENT" in alerts and "Creatinine" in alerts
    text = _all_text(view)
    for unit in shown:
        assert unit in alerts + text
    for unit in hidden:
        assert unit not in text, unit


def enter_results(qtbot, view, *, days_ago, creatinine="", trough=""):
    type_date(qtbot, view.date_edit, TODAY - timedelta(days=days_ago))
    for edit, typed in ((view.trough_edit, trough), (view.creatinine_edit, creatinine)):
        if typed:
            qtbot.keyClicks(edit, typed)
    qtbot.keyClick(view.trough_edit, Qt.Key.Key_Return)
    assert view.entry_error.isHidden(), view.entry_error.text()
