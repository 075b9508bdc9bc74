"""Start-up: the window's first paint shows the list of patients and the last patient; the
clinical core is loaded before Qt; `--quit-after-start` reports the start and the collector
runs again after it (bench/bench_gui.py times the start against a bare PySide6 window)."""

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from tacrocalc.records.protocol_files import load_protocol
from tacrocalc.records.store import Store
from tacrocalc.ui.settings import Settings
from tests.seed_cases import case_1, case_3

ROOT = Path(__file__).resolve().parents[2]


def ward(tmp_path: Path) -> tuple[Path, Path, str]:
    """A data folder with two patients and a settings folder (XDG_CONFIG_HOME) naming the
    second as the last patient opened."""
    data, config = tmp_path / "data", tmp_path / "config"
    last = case_3()
    with Store(data, protocol_for=load_protocol) as store:
        assert store.import_record(case_1()).ok
        assert store.import_record(last).ok
    settings = Settings(config / "TacroCalc" / "TacroCalc.conf")
    settings.set("session/reopen_last", True)  # the user asked for it (issue 12: off by default)
    settings.set("session/last_patient", last.patient.id)
    return data, config, last.patient.id


def run(code: str, config: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(config),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )


def test_the_first_paint_shows_the_list_and_the_last_patient(qtbot, tmp_path, monkeypatch):
    """Everything is in place when build_gui returns, before the event loop has run once: the
    first paint shows it, with no empty window painted first."""
    from tacrocalc.ui import app as ui_app

    data, config, last = ward(tmp_path)
    settings = Settings(config / "TacroCalc" / "TacroCalc.conf")
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # build_gui installs its own
    _app, window = ui_app.build_gui(["tacrocalc"], str(data), settings=settings)
    qtbot.addWidget(window)
    try:
        assert window.isVisible()
        assert window.ready
        assert window.patients.model.rowCount() == 2
        assert window.patient_id == last
        assert window.right.currentWidget() is window.view
        assert window.view.name_label.text().endswith(last)
        assert window.view.table_model.rowCount() > 0
    finally:
        window.store.close()


def test_the_clinical_core_is_loaded_before_qt(tmp_path):
    """PySide6's import hook reads the source of every module imported after it: the start
    imports pint (and the store, the domain, the presenters) first."""
    data, config, last = ward(tmp_path)
    code = f"""
import sys
seen = []

class Watch:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name in ("pint", "PySide6"):
            seen.append(name)
        return None

sys.meta_path.insert(0, Watch)
from tacrocalc.ui.app import build_gui, tear_down

app, window = build_gui(["tacrocalc"], {str(data)!r})
print(seen, window.patient_id, "PySide6.QtCharts" in sys.modules)
store = window.store
tear_down(app, window)
store.close()
"""
    done = run(code, config)
    assert done.returncode == 0, done.stderr
    # QtCharts waits for the Charts tab (ChartsTab)
    assert done.stdout.split("\n")[0] == f"['pint', 'PySide6'] {last} False"


def test_quit_after_start_reports_the_start_and_the_collector_runs_after_it(tmp_path):
    data, config, _last = ward(tmp_path)
    for until in ("ready", "painted"):
        code = f"""
import gc
from tacrocalc.app import main

code = main(["--data-dir", {str(data)!r}, "--quit-after-start", {until!r}])
print("exit", code, "collector on", gc.isenabled(), "frozen", gc.get_freeze_count())
"""
        done = run(code, config)
        assert done.returncode == 0, done.stderr
        lines = done.stdout.split()
        assert lines[0] == "painted"  # then "ready" (the same paint shows both)
        assert "ready" in lines[:2]
        assert done.stdout.rstrip().endswith("exit 0 collector on True frozen 0")


def test_an_empty_store_opens_without_the_clinical_core(tmp_path):
    """A first start has no patient to show: pint and the protocols wait until one is made."""
    code = f"""
import sys
from tacrocalc.ui.app import build_gui, tear_down

app, window = build_gui(["tacrocalc"], {str(tmp_path / "data")!r})
print(window.ready, window.patients.model.rowCount(), "pint" in sys.modules)
store = window.store
tear_down(app, window)
store.close()
"""
    done = run(code, tmp_path / "config")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[0] == "True 0 False"


def test_an_error_opening_the_last_patient_is_reported_over_the_list(qtbot, tmp_path, monkeypatch):
    """The last patient is opened before the event loop runs: an unexpected error there is
    logged and shown over the window, which still opens with its list."""
    from PySide6.QtWidgets import QMessageBox

    from tacrocalc.ui import app as ui_app
    from tacrocalc.ui.main_window import MainWindow

    data, config, _last = ward(tmp_path)

    def fail(self):
        raise RuntimeError("damaged record")

    told = []
    monkeypatch.setattr(MainWindow, "open_last_patient", fail)
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: told.append(args[2]))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # build_gui installs its own
    settings = Settings(config / "TacroCalc" / "TacroCalc.conf")
    _app, window = ui_app.build_gui(["tacrocalc"], str(data), settings=settings)
    qtbot.addWidget(window)
    try:
        assert window.isVisible() and window.patients.model.rowCount() == 2
        qtbot.waitUntil(lambda: bool(told), timeout=5000)
        assert "Something went wrong inside TacroCalc" in told[0]
        assert "unexpected RuntimeError" in (data / "tacrocalc.log").read_text(encoding="utf-8")
    finally:
        window.store.close()


def test_the_window_keys_work_from_a_text_field_once_the_window_is_painted(
    qtbot, tmp_path, monkeypatch
):
    """The window's key filter waits for the first paint (build_gui), then Ctrl+E still wins
    over a text field's own use of the key."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from tacrocalc.ui import app as ui_app
    from tests.ui.test_keyboard import CTRL, ClaimsControlKeys

    data, config, _last = ward(tmp_path)
    settings = Settings(config / "TacroCalc" / "TacroCalc.conf")
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # build_gui installs its own
    _app, window = ui_app.build_gui(["tacrocalc"], str(data), settings=settings)
    qtbot.addWidget(window)
    try:
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        qtbot.wait(50)  # the passes after the first paint
        search = window.patients.search_edit
        claims = ClaimsControlKeys(search)
        search.installEventFilter(claims)
        window.view.right_tabs.setCurrentIndex(1)
        search.setFocus()
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_E, CTRL)
        assert window.view.trough_edit.hasFocus()
        assert window.view.right_tabs.currentIndex() == 0
    finally:
        window.store.close()


def test_the_charts_are_made_when_their_tab_is_first_shown(qtbot, tmp_path, monkeypatch):
    """The window opens on the Results tab; the charts of the patient open (the latest one,
    not the first shown) are made and drawn when the Charts tab is shown."""
    from tacrocalc.present.charts import build_charts
    from tacrocalc.ui import app as ui_app
    from tacrocalc.ui.charts import ChartsView

    data, config, _last = ward(tmp_path)
    settings = Settings(config / "TacroCalc" / "TacroCalc.conf")
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # build_gui installs its own
    _app, window = ui_app.build_gui(["tacrocalc"], str(data), settings=settings)
    qtbot.addWidget(window)
    try:
        view = window.view
        assert not view.charts.made
        assert window.open_patient(case_1().patient.id)  # another patient, still not shown
        assert not view.charts.made
        view.right_tabs.setCurrentIndex(1)
        assert view.charts.made
        expected = ChartsView()
        qtbot.addWidget(expected)
        expected.show_charts(build_charts(view.assessment, settings.units()))
        drawn = view.charts.view.trough_chart.point_count()
        assert drawn == expected.trough_chart.point_count() > 0
        assert view.charts.view.isVisible()
    finally:
        window.store.close()


def test_a_start_without_a_patient_to_show_paints_the_list_before_the_clinical_core(tmp_path):
    """No settings (a first start) or no patient to reopen: the first paint shows the list
    without waiting for pint and the protocols, which are loaded in the passes after it, so
    that a patient still opens at once; so is the reserve of references to None, topped up
    every 30 s (none_guard)."""
    data, _config, _last = ward(tmp_path)
    code = f"""
import sys
from PySide6.QtCore import QTimer
from tacrocalc.ui.app import build_gui, tear_down

app, window = build_gui(["tacrocalc"], {str(data)!r})
print(window.ready, window.patients.model.rowCount(), window.patient_id, "pint" in sys.modules)
QTimer.singleShot(200, app.quit)  # the passes after the first paint
app.exec()
print("pint" in sys.modules, window.open_patient("SEED-1"), window.view.name_label.text())
from tacrocalc.ui.none_guard import LOW, binding_leaks
print(not binding_leaks() or sys.getrefcount(None) > LOW,
      sorted(t.interval() for t in window.findChildren(QTimer) if t.isActive()))
store = window.store
tear_down(app, window)
store.close()
"""
    done = run(code, tmp_path / "no-settings")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.split("\n")
    assert lines[0] == "True 2 None False"
    assert lines[1].startswith("True True ") and lines[1].endswith("SEED-1")
    assert lines[2] == "True [30000, 60000]"


def test_whether_the_last_patient_is_reopened_is_read_from_the_file_qt_writes(
    tmp_path, monkeypatch
):
    """The start reads the settings file (INI) before Qt is imported, to know whether to load
    the clinical core first; it must read what Settings (QSettings) wrote."""
    from tacrocalc.ui.app import may_reopen_last_patient

    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    path = tmp_path / "TacroCalc" / "TacroCalc.conf"
    assert not may_reopen_last_patient()  # no settings: a first start
    settings = Settings(path)
    settings.set("window/geometry", b"\x01[session]\nreopen_last=true\x00")  # as Qt writes it
    settings.set("session/last_patient", 'H=1; "x", [y] %z')
    assert not may_reopen_last_patient()  # remembered for the session only
    settings.set("session/reopen_last", True)
    assert may_reopen_last_patient() and Settings(path).get("session/last_patient")
    settings.set("session/reopen_last", False)
    assert not may_reopen_last_patient() and not Settings(path).get("session/last_patient")
    path.write_bytes(b"\xff\xfe[session\nreopen_last")  # unreadable: loaded first, as before
    assert may_reopen_last_patient()


def test_the_default_protocol_is_read_once_at_start(tmp_path):
    """The core loads the default protocol under the id a patient's protocol is asked for,
    so opening the last patient does not read and check it a second time."""
    data, config, _last = ward(tmp_path)
    code = f"""
from collections import Counter
from tacrocalc.records import protocol_files
from tacrocalc.ui.app import build_gui, tear_down

read = Counter()
document = protocol_files._document
protocol_files._document = lambda pid, *args: read.update([pid]) or document(pid, *args)
app, window = build_gui(["tacrocalc"], {str(data)!r})
print(window.patient_id, window.view.assessment.protocol.id, sorted(read.items()))
store = window.store
tear_down(app, window)
store.close()
"""
    done = run(code, config)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[0] == "SEED-3 seed-1997 [('seed-1997', 1)]"


def test_showing_the_window_asks_the_models_little_of_python(qtbot, tmp_path, monkeypatch):
    """With 300 patients and a long course open, laying out and painting the window does not
    ask the list for every patient's text, nor make a row's texts again for each cell, nor
    measure every result again at each layout to size the table's columns."""
    from PySide6.QtCore import Qt

    from tacrocalc.present.patient import DayRow
    from tacrocalc.ui import app as ui_app
    from tacrocalc.ui.models import PatientListModel
    from tacrocalc.ui.observation_model import ObservationTableModel

    data, config, last = ward(tmp_path)
    with Store(data, protocol_for=load_protocol) as store:
        for n in range(300):
            record = case_1()
            patient = replace(record.patient, id=f"P{n:03}", name=f"Patient {n}")
            assert store.import_record(replace(record, patient=patient)).ok
    calls = {"list": 0, "texts": 0, "dates": 0}
    list_data, texts, table_data = PatientListModel.data, DayRow.texts, ObservationTableModel.data

    def count_dates(model, index, role=Qt.ItemDataRole.DisplayRole):
        calls["dates"] += index.column() == 0 and role == Qt.ItemDataRole.DisplayRole
        return table_data(model, index, role)

    def count(name, method):
        def counted(*args):
            calls[name] += 1
            return method(*args)

        return counted

    monkeypatch.setattr(PatientListModel, "data", count("list", list_data))
    monkeypatch.setattr(DayRow, "texts", count("texts", texts))
    monkeypatch.setattr(ObservationTableModel, "data", count_dates)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # build_gui installs its own
    settings = Settings(config / "TacroCalc" / "TacroCalc.conf")
    _app, window = ui_app.build_gui(["tacrocalc"], str(data), settings=settings)
    qtbot.addWidget(window)
    try:
        qtbot.waitExposed(window)
        window.repaint()
        assert window.patients.model.rowCount() == 302 and window.patient_id == last
        assert 0 < calls["list"] < 200  # the rows in view, not 302 × the roles asked
        rows = window.view.table_model.rowCount()
        assert calls["texts"] == rows  # once a row
        assert calls["dates"] <= 2 * rows  # measured once, then the rows in view painted
    finally:
        window.store.close()


def test_the_results_show_every_value_whole_for_each_patient(qtbot, tmp_path, monkeypatch):
    """Every value and heading of the results shows whole for the patient shown, after
    another patient is opened too: the columns are measured again for each (nothing cut off)."""
    from tacrocalc.ui import app as ui_app
    from tests.ui.test_layout import cut_cells

    data, config, _last = ward(tmp_path)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # build_gui installs its own
    settings = Settings(config / "TacroCalc" / "TacroCalc.conf")
    _app, window = ui_app.build_gui(["tacrocalc"], str(data), settings=settings)
    qtbot.addWidget(window)
    try:
        for patient in (None, "SEED-1"):
            assert patient is None or window.open_patient(patient)
            qtbot.waitExposed(window)
            assert window.view.table_model.rowCount() > 0
            assert cut_cells(window.view.table) == []
    finally:
        window.store.close()


def test_reopening_the_last_patient_does_not_write_the_settings_again(qtbot, tmp_path, monkeypatch):
    """The patient reopened at start is the one the settings file names already: the file is
    not written again (a write of QSettings takes ~15 ms), and Ctrl+L still knows it."""
    from tacrocalc.ui import app as ui_app

    data, config, last = ward(tmp_path)
    path = config / "TacroCalc" / "TacroCalc.conf"
    before = path.stat().st_mtime_ns, path.read_bytes()
    os.utime(path, ns=(before[0] - 10**9, before[0] - 10**9))  # a write would show a new time
    written = path.stat().st_mtime_ns
    settings = Settings(path)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # build_gui installs its own
    _app, window = ui_app.build_gui(["tacrocalc"], str(data), settings=settings)
    qtbot.addWidget(window)
    try:
        assert window.patient_id == last
        assert path.stat().st_mtime_ns == written and path.read_bytes() == before[1]
        settings.set("session/reopen_last", False)  # this session still remembers it
        assert settings.get("session/last_patient") == last
        assert window.open_patient("SEED-1")  # another patient is written
        assert Settings(path).get("session/last_patient") == ""  # not to be reopened now
        settings.set("session/reopen_last", True)
        assert Settings(path).get("session/last_patient") == "SEED-1"
    finally:
        window.store.close()


def test_the_last_patient_is_read_once_to_be_opened(qtbot, tmp_path, monkeypatch):
    """Opening a patient reads the record once, and shows what it read."""
    from tacrocalc.ui import app as ui_app

    data, config, last = ward(tmp_path)
    read: list[str] = []
    load = Store.load
    monkeypatch.setattr(Store, "load", lambda self, pid: read.append(pid) or load(self, pid))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # build_gui installs its own
    settings = Settings(config / "TacroCalc" / "TacroCalc.conf")
    _app, window = ui_app.build_gui(["tacrocalc"], str(data), settings=settings)
    qtbot.addWidget(window)
    try:
        assert read == [last] and window.view.model.record.patient.id == last
        assert not window.open_patient("NOT-HERE") and read == [last, "NOT-HERE"]
        assert window.patient_id == last
    finally:
        window.store.close()
