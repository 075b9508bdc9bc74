"""The main window driven like a user: search, open, type, click; asserting on what is shown
and on what the store then holds."""

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFileDialog, QMessageBox

from tacrocalc.domain.record import Patient, Sex
from tacrocalc.records.patient_file import dumps
from tacrocalc.records.protocol_files import available_protocols, load_protocol
from tacrocalc.ui.main_window import MainWindow
from tacrocalc.ui.models import PatientListModel
from tacrocalc.ui.observation_model import ObservationTableModel
from tacrocalc.ui.printing import PdfPages, printer_for
from tacrocalc.ui.settings import Settings
from tests.seed_cases import case_1, case_3
from tests.ui import click_result, day_row, enter, paste, start_regimen, type_date

TODAY = date(2026, 1, 20)


def new_patient(window, store, pid="H1", name="Zoë Ångström"):
    store.save_patient(
        Patient(id=pid, name=name, birth_date=date(1980, 1, 1), sex=Sex.FEMALE),
        protocol_id="seed-1997",
        today=TODAY,
    )
    window.patients.refresh()
    assert window.open_patient(pid)
    return window.view


def test_search_as_you_type_and_enter_opens(qtbot, window, store):
    store.import_record(case_1())
    store.import_record(case_3())
    new_patient(window, store)
    window.focus_search()
    qtbot.keyClicks(window.patients.search_edit, "zoe ang")  # accents and case ignored
    assert window.patients.model.rowCount() == 1
    qtbot.keyClick(window.patients.search_edit, Qt.Key.Key_Return)
    assert window.view.patient_id == "H1"
    assert window.view.name_label.text() == "Zoë Ångström  ·  H1"
    window.patients.search_edit.clear()
    qtbot.keyClicks(window.patients.search_edit, "seed")
    assert window.patients.model.rowCount() == 2


def test_the_last_patient_opens_with_one_keystroke(qtbot, window, store):
    new_patient(window, store)
    window.view.model.patient_id = None  # as if no patient were open
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.view.patient_id == "H1"


def test_a_quick_entry_trough_appears_in_the_table_and_on_the_chart(qtbot, window, store):
    view = new_patient(window, store)
    start_regimen(qtbot, view)
    enter(qtbot, view, days_ago=6, trough="8.1", creatinine="85", bp="118/76")
    row = day_row(view, "2026-01-14")  # one row for the day: its three results, dose, check
    assert row.texts()[2:] == (
        "8.1 µg/L, in range",
        "85 µmol/L (+0.0 %)",
        "118/76 mmHg",
        "3 mg twice daily",
        "check",
    )
    assert view.charts.trough_chart.point_count() == 1
    assert window.statusBar().currentMessage().startswith("Saved 3 result(s)")
    assert view.trough_edit.text() == ""  # cleared for the next entry
    assert len(store.load("H1").observations) == 3


def test_a_creatinine_30_percent_over_baseline_raises_the_alert(qtbot, window, store):
    """Baseline 80 µmol/L before the start; 104 = +30 % (R6.3)."""
    view = new_patient(window, store)
    enter(qtbot, view, days_ago=16, creatinine="80")
    start_regimen(qtbot, view)
    enter(qtbot, view, days_ago=2, creatinine="104")
    assert (
        "Creatinine 104 µmol/L is 30 % above the baseline of 80 µmol/L" in view.alerts_label.text()
    )
    cell = day_row(view, "2026-01-18").cells["creatinine"]
    assert cell.flagged and cell.text == "104 µmol/L (+30.0 %)"
    assert cell.detail == "104 µmol/L: +30.0 % vs baseline (significant)"  # the tooltip


def test_an_invalid_entry_is_refused_next_to_the_entry_and_keeps_what_was_typed(
    qtbot, window, store
):
    view = new_patient(window, store)
    enter(qtbot, view, trough="8.1", creatinine="85", bp="95/150")
    assert view.entry_error.isVisible()
    assert (
        "95/150 mmHg: the systolic pressure must be above the diastolic" in view.entry_error.text()
    )
    assert (view.trough_edit.text(), view.creatinine_edit.text(), view.bp_edit.text()) == (
        "8.1",
        "85",
        "95/150",
    )
    assert store.load("H1").observations == ()  # nothing of the check was saved


def test_a_result_deleted_for_a_reason_that_is_not_text_stays(qtbot, window, store, monkeypatch):
    """R12.9: the reason for deleting a result went to the store unchecked; a refusal was not
    shown at all. The dialog now shows the store's refusal under the reason and stays open
    with what was typed; the result stays."""
    from tacrocalc.ui.dialogs import ReasonDialog

    view = new_patient(window, store)
    enter(qtbot, view, days_ago=1, trough="8")
    history = store.history("H1")
    seen = {}

    def ask(title, question, submit):
        dialog = ReasonDialog(question, title=title, submit=submit, parent=view)
        qtbot.addWidget(dialog)
        dialog.show()
        paste(qtbot, dialog.reason_edit, "wrong \u202epatient")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        seen.update(
            error=dialog.error_label.text(),
            shown=dialog.error_label.isVisible(),
            open=dialog.isVisible(),
            typed=dialog.reason_edit.text(),
        )
        dialog.reject()
        return None

    monkeypatch.setattr(view, "_ask_reason", ask)
    click_result(qtbot, view, 0, "trough")
    qtbot.mouseClick(view.delete_button, Qt.MouseButton.LeftButton)
    assert seen == {
        "error": 'why deleted: "wrong \\u202epatient" cannot be used: it holds an invisible'
        " or control character (U+202E).",
        "shown": True,
        "open": True,
        "typed": "wrong \u202epatient",
    }
    assert view.table_model.rowCount() == 1 and store.history("H1") == history


def test_applying_a_new_regimen_restarts_the_schedule(qtbot, window, store):
    """R8.2: a dose change on 2026-01-20 puts check 1 at 01-27 to 02-03."""
    view = new_patient(window, store)
    start_regimen(qtbot, view, start_days_ago=15)
    assert view.schedule_table.item(0, 1).text() == "2026-01-12 to 2026-01-19"
    view.calculator.rate_edit.clear()
    qtbot.keyClicks(view.calculator.rate_edit, "0.12")
    type_date(qtbot, view.start_edit, view.date_edit.date())
    qtbot.mouseClick(view.apply_button, Qt.MouseButton.LeftButton)
    assert view.schedule_table.item(0, 1).text() == "2026-01-27 to 2026-02-03"
    assert [r.start for r in store.load("H1").regimens] == [date(2026, 1, 5), date(2026, 1, 20)]


def test_correction_and_deletion_go_through_the_audit_trail(qtbot, window, store, monkeypatch):
    view = new_patient(window, store)
    enter(qtbot, view, days_ago=1, trough="8")
    qtbot.mouseClick(view.restore_button, Qt.MouseButton.LeftButton)  # nothing selected
    assert view.entry_error.text() == "Tick Show deleted, then select the result to restore."
    qtbot.mouseClick(view.delete_button, Qt.MouseButton.LeftButton)
    assert view.entry_error.text().startswith("Select a result first")
    click_result(qtbot, view, 0, "trough")
    from tacrocalc.ui import dialogs

    refusals = []

    class Corrected(dialogs.CorrectionDialog):
        def exec(self):
            self.value_edit.setText("9.5")
            self._on_buttons_accepted()  # no reason: refused in the dialog, value kept
            refusals.append((self.error_label.text(), self.value_edit.text(), self.result()))
            self.reason_edit.setText("typed 8 for 9.5")
            self._on_buttons_accepted()
            return True

    monkeypatch.setattr(dialogs, "CorrectionDialog", Corrected)
    qtbot.mouseClick(view.correct_button, Qt.MouseButton.LeftButton)
    assert refusals == [
        ("Reason: say why the value is corrected; it goes in the patient's history.", "9.5", 0)
    ]
    assert view.table_model.row(0).cells["trough"].text == "9.5 µg/L, off treatment"
    assert store.history("H1")[-1].reason == "typed 8 for 9.5"
    asked = []
    monkeypatch.setattr(view, "_ask_reason", lambda *a: asked.append(a) and None)
    click_result(qtbot, view, 0, "trough")
    qtbot.keyClick(view.table, Qt.Key.Key_Delete)  # asks a reason; cancelled: nothing deleted
    assert "Delete 9.5 µg/L, off treatment?" in asked[0][1]
    assert view.table_model.rowCount() == 1
    reason = "wrong patient's sample"  # typed, then given to the store by the dialog
    monkeypatch.setattr(view, "_ask_reason", lambda _t, _q, submit: submit(reason) or reason)
    click_result(qtbot, view, 0, "trough")
    qtbot.mouseClick(view.delete_button, Qt.MouseButton.LeftButton)
    assert view.table_model.rowCount() == 0
    view.show_deleted_check.setChecked(True)
    assert view.table_model.row(0).cells["trough"].deleted
    click_result(qtbot, view, 0, "trough")
    qtbot.mouseClick(view.restore_button, Qt.MouseButton.LeftButton)
    assert not view.table_model.row(0).cells["trough"].deleted
    assert store.history("H1")[-2].reason == "wrong patient's sample"
    assert [e.action for e in store.history("H1")] == [
        "insert",
        "insert",
        "correct",
        "delete",
        "restore",
    ]


def test_the_adjustment_is_applied_once_after_a_confirmation(qtbot, window, store, monkeypatch):
    """R9: 60 kg × 0.1 = 6 mg/day = 3 mg twice from 01-05. A trough of 10 µg/L on 01-14 is in
    range: keep, and the button is disabled with the reason (R9.4). A trough of 22 µg/L on
    01-19: 6 × 12 / 22 = 3.27 mg/day -> 1.64 -> 1.5 mg. The click asks first, showing old and
    new; No records nothing; Yes records one dose change, after which the same trough no longer
    applies (R9.3) and the calculator shows 1.5 mg."""
    asked = []

    def answer(reply):
        def question(parent, title, text, *args):
            asked.append(text)
            return reply

        return question

    view = new_patient(window, store)
    start_regimen(qtbot, view, start_days_ago=15)
    enter(qtbot, view, days_ago=6, trough="10")
    assert "keep the dose" in view.adjust_label.text()
    assert not view.adjust_button.isEnabled()
    assert "keep the dose" in view.adjust_button.toolTip()
    enter(qtbot, view, days_ago=1, trough="22")
    assert "Suggested: 1.5 mg every 12 hours" in view.adjust_label.text()
    assert view.adjust_button.isEnabled()
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    qtbot.mouseClick(view.adjust_button, Qt.MouseButton.LeftButton)
    assert "now: 3 mg every 12 hours" in asked[0] and "new: 1.5 mg every 12 hours" in asked[0]
    assert "Zoë Ångström (H1)" in asked[0]
    assert len(store.load("H1").events) == 1  # nothing recorded
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    qtbot.mouseClick(view.adjust_button, Qt.MouseButton.LeftButton)
    events = store.load("H1").events
    assert [(e.kind.value, e.dose.magnitude, e.date) for e in events] == [
        ("start", 3.0, date(2026, 1, 5)),
        ("change", 1.5, TODAY),
    ]
    assert "22 µg/L" in events[-1].reason
    assert events[-1].time is not None  # so that a hold later today can be put after it
    assert not view.adjust_button.isEnabled()  # the trough was taken on 3 mg
    assert "was taken on 3 mg" in view.adjust_label.text()
    qtbot.mouseClick(view.adjust_button, Qt.MouseButton.LeftButton)
    assert len(store.load("H1").events) == 2  # a second click does nothing
    assert view.calculator.dose_edit.text() == "1.5"
    assert "1.5 mg every 12 hours" in view.regimen_label.text()


def test_a_stale_suggestion_is_not_applied(qtbot, window, store, monkeypatch):
    """The record changed behind the panel (another entry, another window): the click works
    the advice out again from the store and records nothing that differs from what was shown."""
    from tacrocalc.domain.record import Trough
    from tacrocalc.domain.units import q

    view = new_patient(window, store)
    start_regimen(qtbot, view, start_days_ago=15)
    enter(qtbot, view, days_ago=1, trough="22")
    assert view.adjust_button.isEnabled()
    store.add_observations("H1", (Trough(date=TODAY, value=q(9, "ug/L")),), today=TODAY)
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(view.adjust_button, Qt.MouseButton.LeftButton)
    assert len(store.load("H1").events) == 1
    assert "has changed" in view.apply_error.text()
    assert not view.adjust_button.isEnabled()  # 9 µg/L today is in range: keep


def test_a_product_change_in_the_calculator_is_an_r10_switch(qtbot, window, store, monkeypatch):
    """R10.1, R10.3: on 3 mg twice daily (6 mg/day), choosing Envarsus and Apply is a switch at
    70 % (EU): 4.2 mg -> 4.25 mg once daily, never 3 mg carried over; confirmed first."""
    asked = []
    view = new_patient(window, store)
    start_regimen(qtbot, view, start_days_ago=15)
    combo = view.calculator.formulation_combo
    combo.setCurrentIndex(combo.findData("envarsus"))
    # the calculator shows the converted dose at once, not 3 mg carried over
    assert view.calculator.dose_edit.text() == "4.25"
    assert "6 mg/day × 70 % = 4.2 mg/day (unrounded), given as 4.25 mg" in view.switch_label.text()
    type_date(qtbot, view.start_edit, TODAY)

    def question(parent, title, text, *args):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    qtbot.mouseClick(view.apply_button, Qt.MouseButton.LeftButton)
    assert "new: Envarsus prolonged-release tablets (once daily), 4.25 mg once daily" in asked[0]
    assert "70 % of the daily dose" in asked[0]
    last = store.load("H1").events[-1]
    assert (last.kind.value, last.formulation.value, last.dose.magnitude, last.ratio) == (
        "switch",
        "envarsus",
        4.25,
        0.7,
    )
    assert view.calculator.dose_edit.text() == "4.25"


def test_keyboard_shortcuts(qtbot, window, store):
    new_patient(window, store)
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert window.view.trough_edit.hasFocus()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.patients.search_edit.hasFocus()


def test_import_of_an_existing_id_asks_first(qtbot, window, store, tmp_path, monkeypatch):
    path = tmp_path / "case1.json"
    path.write_text(dumps(case_1()), encoding="utf-8")
    assert window.import_file(path, ask=True) == "imported"
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    assert window.import_file(path, ask=True) == "kept"
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert window.import_file(path, ask=True) == "imported"
    assert store.history("SEED-1")[-1].action == "replace"


def test_a_file_the_window_cannot_import_is_named_once(qtbot, window, tmp_path, monkeypatch):
    """The warning read "bad.json: Patient file /…/bad.json: "bad.json": it is not UTF-8 text"."""
    path = tmp_path / "bad.json"
    path.write_bytes("Zoë".encode("latin-1"))
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text: shown.append(text))
    window.import_file(path, ask=True)
    assert shown == [
        f"{path}: it is not UTF-8 text — save it as UTF-8, or export it again from TacroCalc."
    ]


def test_export_plan_and_print_the_same_pages(qtbot, window, store, tmp_path, monkeypatch):
    store.import_record(case_3())
    window.open_patient("SEED-3")
    out = tmp_path / "plan.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "PDF"))
    qtbot.mouseClick(window.view.export_button, Qt.MouseButton.LeftButton)
    reader = PdfReader(out)
    assert "SEED-3" in reader.pages[0].extract_text()
    printed = tmp_path / "printed.pdf"
    printer = printer_for("a4")
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(printed))
    pages = PdfPages(out.read_bytes())
    assert pages.paint(printer) == len(reader.pages)
    assert len(PdfReader(printed).pages) == len(reader.pages)


def test_models_pass_the_model_tester(qtmodeltester, window, store, qtbot):
    view = new_patient(window, store)
    enter(qtbot, view, days_ago=1, trough="8", creatinine="80", bp="120/80")
    assert isinstance(view.table_model, ObservationTableModel)
    qtmodeltester.check(view.table_model)
    assert isinstance(window.patients.model, PatientListModel)
    qtmodeltester.check(window.patients.model)


def test_settings_refuse_unknown_keys_and_values(tmp_path):
    settings = Settings(tmp_path / "s.ini")
    with pytest.raises(KeyError):
        settings.get("units/potassium")
    with pytest.raises(ValueError, match="ng/mL"):
        settings.set("units/trough", "mg/L")
    settings.set("units/trough", "ng/mL")
    assert Settings(tmp_path / "s.ini").get("units/trough") == "ng/mL"


def test_display_units_follow_the_settings(qtbot, window, store):
    view = new_patient(window, store)
    window.settings.set("units/creatinine", "mg/dL")
    view.settings_changed()
    enter(qtbot, view, days_ago=1, creatinine="1.1")  # a bare number in the display unit
    assert view.table_model.row(0).cells["creatinine"].text == "1.1 mg/dL (+0.0 %)"
    record = store.load("H1")
    assert record.creatinines()[0].value.magnitude == pytest.approx(97.24, abs=0.01)  # µmol/L


def test_self_test_passes_in_its_own_process():
    done = subprocess.run(
        [sys.executable, "-m", "tacrocalc", "--self-test"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "self-test passed" in done.stdout


def test_an_unexpected_error_is_logged_without_patient_data(tmp_path, monkeypatch, qtbot):
    import sys as system

    from tacrocalc.ui import app as ui_app

    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: shown.append(args[2]))
    monkeypatch.setattr(system, "excepthook", system.excepthook)
    log_path = ui_app.install_error_handler(tmp_path)

    def fail(patient):
        raise ValueError(f"patient {patient} trough 8.1")

    name = "H123 Zoë Ångström"
    try:
        fail(name)
    except ValueError:
        system.excepthook(*system.exc_info())
    log = ui_app.error_log(log_path)
    for handler in log.handlers:
        handler.flush()
    text = log_path.read_text(encoding="utf-8")
    assert "unexpected ValueError" in text
    assert "H123" not in text and "Zoë" not in text
    assert "Everything saved before this message is safe" in shown[0]
    assert str(log_path) in shown[0]
    for handler in list(log.handlers):
        log.removeHandler(handler)
        handler.close()
    ui_app.error_log.cache_clear()
    import stat

    assert stat.S_IMODE(log_path.stat().st_mode) == 0o600


def test_charts_follow_a_dark_palette(qtbot, store, tmp_path):
    from PySide6.QtCharts import QChart
    from PySide6.QtGui import QColor, QPalette

    from tacrocalc.ui.charts import ChartPanel

    store.import_record(case_3())
    panel = ChartPanel()
    qtbot.addWidget(panel)
    palette = panel.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#202020"))
    panel.setPalette(palette)
    from tacrocalc.domain.assessment import assess
    from tacrocalc.present.charts import build_charts
    from tacrocalc.present.units import DisplayUnits

    charts = build_charts(
        assess(store.load("SEED-3"), load_protocol(), date(1997, 1, 14)), DisplayUnits()
    )
    panel.show_panel(charts.trough, charts)
    assert panel.chart().theme() == QChart.ChartTheme.ChartThemeDark
    assert panel.point_count() == 3


def test_with_no_patient_open_the_window_says_what_to_do(window, store):
    assert window.right.currentWidget() is window.welcome_label
    assert "Ctrl+N" in window.welcome_label.text()
    assert window._view is None  # the patient view is built when a patient is first opened
    new_patient(window, store)
    assert window.right.currentWidget() is window.view


def test_new_patient_through_the_dialog(qtbot, window, store, monkeypatch):
    from tacrocalc.ui import dialogs as module

    answers = iter([("", "No Name"), ("N1", "Nia Okafor")])  # first an empty id: refused

    class Typed(module.PatientDialog):
        def exec(self):
            pid, name = next(answers, (None, None))
            if pid is None:
                return False
            self.id_edit.setText(pid)
            self.name_edit.setText(name)
            return True

    monkeypatch.setattr(module, "PatientDialog", Typed)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert store.load("N1").patient.name == "Nia Okafor"
    assert window.view.patient_id == "N1"
    assert window.statusBar().currentMessage() == "Saved the new patient N1"
    assert [p.id for p in store.list_patients()] == ["N1"]


def test_settings_dialog_saves_typed_values(qtbot, tmp_path):
    from tacrocalc.ui.settings_dialog import SettingsDialog

    settings = Settings(tmp_path / "s.ini")
    dialog = SettingsDialog(settings, ("seed-1997", "prograf-us-kidney-mmf"))
    qtbot.addWidget(dialog)
    dialog.combos["units/creatinine"].setCurrentText("mg/dL")
    dialog.times_edit.setText("7 o'clock")
    dialog._on_buttons_accepted()
    assert "is not HH:MM,HH:MM" in dialog.error_label.text()
    assert settings.get("units/creatinine") == "µmol/L"  # nothing saved from a refused form
    dialog.times_edit.setText("07:00,19:00")
    dialog._on_buttons_accepted()
    assert settings.get("units/creatinine") == "mg/dL"
    assert settings.get("dosing/times") == "07:00,19:00"


def test_a_damaged_store_is_reported_and_the_calculator_still_opens(qtbot, tmp_path, monkeypatch):
    from tacrocalc.ui import app as ui_app
    from tacrocalc.ui.calculator import CalculatorWindow

    data = tmp_path / "data"
    data.mkdir()
    (data / "tacrocalc.sqlite3").write_bytes(b"not a database" * 100)
    told = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: told.append(args[2]))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # build_gui installs its own
    _app, window = ui_app.build_gui(["tacrocalc"], str(data), settings=Settings(tmp_path / "s.ini"))
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.fallback is not None, timeout=5000)
    qtbot.addWidget(window.fallback)
    assert isinstance(window.fallback, CalculatorWindow)
    assert "is damaged (not an SQLite database)" in told[0]
    assert "The regimen calculator still works" in told[0]
    assert window.store is None


def test_the_window_size_is_kept_between_runs(qtbot, store, tmp_path):
    first = MainWindow(store, load_protocol, available_protocols(), Settings(tmp_path / "w.ini"))
    qtbot.addWidget(first)
    first.resize(1200, 700)
    first.show()
    saved = bytes(first.saveGeometry().data())
    first.close()
    assert Settings(tmp_path / "w.ini").get("window/geometry") == saved  # read back as saved
    second = MainWindow(store, load_protocol, available_protocols(), Settings(tmp_path / "w.ini"))
    qtbot.addWidget(second)
    assert second.height() == 700  # restored (the offscreen screen is narrower than 1200)
    assert second.minimumWidth() >= 960  # never smaller than the patient view needs


def test_a_refused_event_is_said_before_asking_and_not_shown_on_the_next_patient(
    qtbot, window, store, monkeypatch
):
    """R12.8: a change recorded today without a time (from the command line) leaves a switch
    today unordered: refused before any confirmation. The message belongs to this patient:
    opening another one clears it."""
    from tacrocalc.domain.course import CourseEvent, EventKind
    from tacrocalc.domain.units import q

    view = new_patient(window, store)
    start_regimen(qtbot, view, start_days_ago=15)
    change = CourseEvent(kind=EventKind.CHANGE, date=TODAY, dose=q(2, "mg"))
    assert store.add_event("H1", change, today=TODAY).ok
    view.refresh()
    asked = []
    monkeypatch.setattr(
        QMessageBox, "question", lambda *a: asked.append(a) or QMessageBox.StandardButton.Yes
    )
    combo = view.calculator.formulation_combo
    combo.setCurrentIndex(combo.findData("envarsus"))
    type_date(qtbot, view.start_edit, TODAY)
    qtbot.mouseClick(view.apply_button, Qt.MouseButton.LeftButton)
    assert asked == []
    assert "need their times to be put in order" in view.apply_error.text()
    assert [e.kind.value for e in store.load("H1").events] == ["start", "change"]
    new_patient(window, store, pid="H2", name="Other Patient")
    assert view.apply_error.text() == ""


def test_alerts_say_their_severity_in_words(qtbot, window, store):
    """R14.1: by word and colour, most severe first."""
    view = new_patient(window, store)
    start_regimen(qtbot, view, start_days_ago=15)
    enter(qtbot, view, days_ago=1, trough="26", bp="150/95")
    text = view.alerts_label.text()
    assert text.index("URGENT</b> Trough 26 µg/L") < text.index("Warning</b> Blood pressure")


def _choose(text):
    return lambda box: next(b for b in box.buttons() if b.text().startswith(text))


def test_values_typed_for_one_patient_never_go_to_the_next(qtbot, window, store, monkeypatch):
    """A trough and a creatinine typed for H1, not added, when H2 is opened: Stay keeps H1 and
    what was typed; Discard opens H2 with empty fields; Add files them under H1 first."""
    view = new_patient(window, store)
    start_regimen(qtbot, view, start_days_ago=15)
    new_patient(window, store, pid="H2", name="Other Patient")
    assert window.open_patient("H1")
    qtbot.keyClicks(view.trough_edit, "14")
    qtbot.keyClicks(view.creatinine_edit, "90")
    asked = []

    def stay(box):
        asked.append(box.text().replace("\u00a0", " "))  # a value and its unit kept together
        return _choose("Stay")(box)

    monkeypatch.setattr(window, "_ask", stay)
    assert not window.open_patient("H2")
    assert asked[0] == (
        "For Zoë Ångström (H1), these are typed but not added: trough 14 µg/L, creatinine"
        " 90 µmol/L, taken on 2026-01-20.\n\nAdd them to Zoë Ångström (H1), discard them, or"
        " stay on Zoë Ångström (H1)?"
    )
    assert (view.patient_id, view.trough_edit.text()) == ("H1", "14")
    monkeypatch.setattr(window, "_ask", _choose("Discard"))
    assert window.open_patient("H2")
    assert (view.patient_id, view.trough_edit.text(), view.creatinine_edit.text()) == ("H2", "", "")
    assert store.load("H2").observations == () and len(store.load("H1").observations) == 0
    assert window.open_patient("H1")
    qtbot.keyClicks(view.trough_edit, "14 mg")  # refused: stays on H1 with the reason
    monkeypatch.setattr(window, "_ask", _choose("Add to H1"))
    assert not window.open_patient("H2")
    assert view.patient_id == "H1" and "14 mg" in view.entry_error.text()
    view.trough_edit.clear()
    qtbot.keyClicks(view.trough_edit, "14")
    qtbot.keyClicks(view.time_edit, "08:00")
    assert window.open_patient("H2")
    assert [o.value.magnitude for o in store.load("H1").observations] == [14.0]
    assert store.load("H2").observations == ()
    assert view.trough_edit.text() == ""


def test_two_events_recorded_in_one_minute_are_kept_in_order(qtbot, window, store, monkeypatch):
    """Seen on the real window: a dose change applied, then at once a switch to Envarsus, in the
    same minute, was refused as 'two events need their times'. The second is put a minute
    after the first (R12.8), in the order they were recorded."""
    view = new_patient(window, store)
    start_regimen(qtbot, view, start_days_ago=15)
    enter(qtbot, view, days_ago=1, trough="22")
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(view.adjust_button, Qt.MouseButton.LeftButton)
    combo = view.calculator.formulation_combo
    combo.setCurrentIndex(combo.findData("envarsus"))
    type_date(qtbot, view.start_edit, TODAY)
    qtbot.mouseClick(view.apply_button, Qt.MouseButton.LeftButton)
    assert view.apply_error.text() == ""
    change, switch = store.load("H1").events[1:]
    assert (change.kind.value, switch.kind.value) == ("change", "switch")
    assert switch.time > change.time


def test_a_date_is_typed_as_iso_and_a_future_one_is_refused_beside_the_entry(qtbot, window, store):
    """R12.8: no result in the future; the refusal names the field and the date, keeps what
    was typed and saves nothing."""
    view = new_patient(window, store)
    view.date_edit.clear()
    qtbot.keyClicks(view.date_edit.line_edit, "2026-01-14")
    assert view.date_edit.understood_label.text() == "14 January 2026"
    view.date_edit.clear()
    qtbot.keyClicks(view.date_edit.line_edit, "2026-02-03")
    qtbot.keyClicks(view.trough_edit, "8.1")
    qtbot.keyClick(view.trough_edit, Qt.Key.Key_Return)
    assert view.entry_error.isVisible()
    assert view.entry_error.text() == (
        "Date of the results: 3 February 2026 is in the future (today is 20 January 2026)."
    )
    assert (view.date_edit.text(), view.trough_edit.text()) == ("2026-02-03", "8.1")
    assert store.load("H1").observations == ()


def test_a_reason_typed_in_the_course_tab_is_not_carried_to_the_next_patient(
    qtbot, window, store, monkeypatch
):
    view = new_patient(window, store)
    new_patient(window, store, pid="H2", name="Second")
    window.open_patient("H1")
    qtbot.keyClicks(view.course_panel.reason_edit, "infection")
    asked = []

    def answer(box):
        asked.append(box.text())
        return next(b for b in box.buttons() if b.text() == "Stay")

    monkeypatch.setattr(window, "_ask", answer)
    assert not window.open_patient("H2")  # asked; Stay keeps H1 and what was typed
    assert "in the Course tab: reason infection" in asked[0]
    assert view.patient_id == "H1" and view.course_panel.reason_edit.text() == "infection"

    def discard(box):
        return next(b for b in box.buttons() if b.text() == "Discard")

    monkeypatch.setattr(window, "_ask", discard)
    assert window.open_patient("H2")
    assert view.patient_id == "H2" and view.course_panel.reason_edit.text() == ""


def test_needs_attention_puts_the_most_severe_first_and_the_notes_apart():
    """R14.1-R14.2: urgent before warning, the action under its alert, rule numbers small at
    the end, notes after their own heading whatever order they came in."""
    from tacrocalc.domain.issues import Severity
    from tacrocalc.present.patient import AlertLine
    from tacrocalc.ui.patient_view import alerts_html

    html = alerts_html(
        [
            AlertLine(Severity.NOTE, "Check 2 is due now.", "", "R8"),
            AlertLine(Severity.WARNING, "BP 150/95 mmHg.", "Recheck at the next visit.", "R7.1"),
            AlertLine(Severity.URGENT, "Trough 31 µg/L is above the range.", "Call.", "R5.4"),
        ]
    )
    order = [html.index(t) for t in ("URGENT", "Warning", "<i>Notes</i>", "Check 2")]
    assert order == sorted(order)
    assert "Call. <small style='color:gray'>(R5.4)</small>" in html
    assert "Trough 31 µg/L is above the range.<br>" in html  # the action on its own line


def test_a_patient_with_no_course_yet_has_a_plan_and_no_dose_to_give(qtbot, window, store):
    """A new patient, before any start: the plan renders (it crashed in zip()), and the
    calculator does not claim tacrolimus is held or stopped."""
    view = new_patient(window, store)
    pdf = window.plan_bytes()
    assert pdf is not None and pdf.startswith(b"%PDF")
    assert view.switch_label.text() == ""


def test_after_a_change_the_start_date_is_today_again_and_old_refusals_are_gone(
    qtbot, window, store
):
    view = new_patient(window, store)
    start_regimen(qtbot, view, start_days_ago=15)
    assert view.start_edit.date() == TODAY  # not the 2026-01-05 typed for the start
    assert view.apply_error.text() == ""


def test_the_same_trough_entered_twice_is_refused_beside_the_entry(qtbot, window, store):
    """R12.10: Enter pressed again on a result already filed (here typed again, as after a
    lost connection) is refused next to the fields, naming the result; what was typed stays
    and the table keeps one row for it."""
    view = new_patient(window, store)
    start_regimen(qtbot, view, start_days_ago=15)
    qtbot.keyClicks(view.time_edit, "08:00")
    enter(qtbot, view, days_ago=1, trough="8.1")
    assert view.entry_error.text() == "" and view.trough_edit.text() == ""
    rows = view.table_model.rowCount()
    assert view.time_edit.text() == "08:00"  # the sample time stays for the next entry
    enter(qtbot, view, days_ago=1, trough="8.1")
    assert view.entry_error.isVisible()
    assert view.entry_error.text() == (
        "trough: 8.1 µg/L (2026-01-19, 08:00) is already recorded; it was not added a second"
        " time (R12.10)."
    )
    assert view.trough_edit.text() == "8.1"
    assert view.table_model.rowCount() == rows
    assert len(store.load("H1").troughs()) == 1


def test_export_opens_in_an_existing_folder_never_the_programs_own(
    qtbot, window, store, tmp_path, monkeypatch
):
    """A folder last used that no longer exists would make the dialog open in the working
    folder (the program's): it opens in the documents folder or home instead."""
    store.import_record(case_3())
    window.open_patient("SEED-3")
    window.settings.set("files/last_folder", str(tmp_path / "gone"))
    offered = []

    def save(parent, caption, path, *rest, **kw):
        offered.append(Path(path))
        return "", ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save)
    qtbot.mouseClick(window.view.export_button, Qt.MouseButton.LeftButton)
    window.export_file()
    assert [p.name for p in offered] == ["plan-SEED-3-2026-01-20.pdf", "SEED-3.tacrocalc"]
    assert all(p.parent.is_dir() and p.parent != tmp_path / "gone" for p in offered)
    window.settings.set("files/last_folder", str(tmp_path))
    qtbot.mouseClick(window.view.export_button, Qt.MouseButton.LeftButton)
    assert offered[-1].parent == tmp_path


def test_a_check_refused_for_one_result_says_none_of_it_was_added(qtbot, window, store):
    """Seen in a ward round: a trough, creatinine and BP pressed in again; the refusal named
    the trough only, and nothing said the creatinine and the BP were not filed either."""
    view = new_patient(window, store)
    start_regimen(qtbot, view, start_days_ago=15)
    qtbot.keyClicks(view.time_edit, "08:00")
    enter(qtbot, view, days_ago=1, trough="8.1")
    enter(qtbot, view, days_ago=1, trough="8.1", creatinine="90", bp="128/84")
    assert view.entry_error.text().splitlines() == [
        "trough: 8.1 µg/L (2026-01-19, 08:00) is already recorded; it was not added a second"
        " time (R12.10).",
        "Nothing was added (trough, creatinine, blood pressure): the results typed are added"
        " together or not at all.",
    ]
    assert (view.creatinine_edit.text(), view.bp_edit.text()) == ("90", "128/84")
    assert store.load("H1").creatinines() == ()
    view.trough_edit.clear()  # the trough taken away: the rest can be added, and the lines go
    assert view.entry_error.text() == ""
    qtbot.keyClick(view.creatinine_edit, Qt.Key.Key_Return)
    assert len(store.load("H1").creatinines()) == 1


def test_a_switch_is_recorded_with_its_products_and_ratio_not_a_note_of_ids(
    qtbot, window, store, monkeypatch
):
    """The switch's products and ratio are the event's own fields (R10); the window once
    also wrote them as its reason in ids ("switch ir-capsule → envarsus (ratio 0.7)"), which
    every reader then had to translate back."""
    view = new_patient(window, store)
    start_regimen(qtbot, view, start_days_ago=15)
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    combo = view.calculator.formulation_combo
    combo.setCurrentIndex(combo.findData("envarsus"))
    type_date(qtbot, view.start_edit, TODAY)
    qtbot.mouseClick(view.apply_button, Qt.MouseButton.LeftButton)
    switch = store.load("H1").events[-1]
    assert (switch.kind.value, switch.formulation.value, switch.reason) == (
        "switch",
        "envarsus",
        "",
    )
    assert switch.ratio is not None
