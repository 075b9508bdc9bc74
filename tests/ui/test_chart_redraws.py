"""The charts are redrawn after every entry: a ward round is hundreds of redraws in one sitting.

With PySide6 6.12.0 on Python 3.11 each call of a Qt method that returns nothing loses a
reference to None, and the process used to abort ("Fatal Python error: none_dealloc") after
about 50 entries. The long runs are in a process of their own, so that an abort is a failed
test and not the end of the test run.
"""

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCharts import QScatterSeries
from PySide6.QtWidgets import QToolTip

from tacrocalc.domain.assessment import assess
from tacrocalc.present.charts import build_charts
from tacrocalc.present.units import DisplayUnits
from tacrocalc.records.protocol_files import load_protocol
from tacrocalc.ui.charts import ChartsView
from tests.seed_cases import case_1, case_2

ROOT = Path(__file__).resolve().parents[2]

REDRAWS = 400  # unguarded, a process aborted after 106 of these redraws (295 with fewer calls)

WARD_ROUND = f"""
import sys, tempfile
from datetime import date
from pathlib import Path
from PySide6.QtWidgets import QApplication
from tacrocalc.present.charts import build_charts
from tacrocalc.present.units import DisplayUnits
from tacrocalc.domain.assessment import assess
from tacrocalc.records.protocol_files import available_protocols, load_protocol
from tacrocalc.records.store import Store
from tacrocalc.ui.app import tear_down
from tacrocalc.ui.main_window import MainWindow
from tacrocalc.ui.settings import Settings
from tests.seed_cases import case_1, case_2, case_3

app = QApplication(sys.argv[:1])
folder = Path(tempfile.mkdtemp())
store = Store(folder / "data", protocol_for=load_protocol)
today = date(1997, 6, 30)
for record in (case_1(), case_2(), case_3()):
    store.import_record(record)
window = MainWindow(
    store, load_protocol, available_protocols(), Settings(folder / "s.ini"), today=lambda: today
)
window.resize(1200, 900)
window.show()
window.patients.refresh()
assert window.open_patient("SEED-1")
app.processEvents()
charts = [
    build_charts(assess(store.load(pid), load_protocol(), today), DisplayUnits())
    for pid in ("SEED-1", "SEED-2", "SEED-3")
]
view = window.view
for i in range({REDRAWS}):
    view.charts.show_charts(charts[i % 3])  # new points, ranges and lines every time
    app.processEvents()
view.refresh()
app.processEvents()
troughs = len(build_charts(view.assessment, DisplayUnits()).trough.series[0].points)
markers = view.charts.trough_chart.point_count()
print("redrawn", {REDRAWS}, "troughs", troughs, "markers", markers, flush=True)
tear_down(app, window)
store.close()
"""

VOID_CALLS = """
from PySide6.QtCore import QObject
from tacrocalc.ui.none_guard import keep_none_alive
keep_none_alive()
probe = QObject()
for _ in range(100_000):  # more than there are references to None in this process
    probe.setObjectName("probe")
print("done", flush=True)
"""


EMITS = """
from PySide6.QtCore import QObject, Signal
from tacrocalc.ui.none_guard import keep_none_alive
keep_none_alive()


class Model(QObject):
    changed = Signal()


model = Model()
for _ in range(100_000):  # a long sitting's writes; more than there are references to True
    model.changed.emit()
print("done", flush=True)
"""


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
        env=env,
    )


def test_the_window_survives_hundreds_of_chart_redraws_in_its_own_process():
    done = run_python(WARD_ROUND)
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout[-500:]}{done.stderr}"
    assert "none_dealloc" not in done.stderr
    assert f"redrawn {REDRAWS} troughs 12 markers 12" in done.stdout  # SEED-1's, drawn last


def test_qt_calls_that_return_nothing_cannot_exhaust_the_references_to_none():
    done = run_python(VOID_CALLS)
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stderr}"
    assert done.stdout.strip() == "done"


def test_signals_emitted_from_python_cannot_exhaust_the_references_to_true():
    """Each emit from Python costs the binding a reference to True (bool_dealloc after a few
    hundred without the guard)."""
    done = run_python(EMITS)
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stderr}"
    assert done.stdout.strip() == "done"


def visible_names(panel):
    return [s.name() for s in panel.chart().series() if s.isVisible()]


def test_a_redraw_keeps_the_chart_and_its_series_and_shows_only_what_the_panel_has(qtbot):
    view = ChartsView()
    qtbot.addWidget(view)
    today = date(1997, 6, 30)
    first, second = (
        build_charts(assess(record, load_protocol(), today), DisplayUnits())
        for record in (case_1(), case_2())
    )
    view.show_charts(first)
    panels = (view.trough_chart, view.creatinine_chart, view.pressure_chart)
    made = [(panel.chart(), panel.chart().series()) for panel in panels]
    shown = [visible_names(panel) for panel in panels]
    for charts in (second, first, second, first):
        view.show_charts(charts)
    assert [(panel.chart(), panel.chart().series()) for panel in panels] == made
    assert [visible_names(panel) for panel in panels] == shown
    for panel, data in zip(panels, first.panels, strict=True):
        for line in data.lines:
            assert line.label in visible_names(panel)
        assert panel.point_count() == sum(len(s.points) for s in data.series)
    assert ("target range" in visible_names(view.trough_chart)) is True
    assert "target range" not in visible_names(view.creatinine_chart)
    assert "daily dose" not in visible_names(view.pressure_chart)


@pytest.mark.qt_log_ignore("does not support raise")  # the tooltip, offscreen
def test_hovering_a_point_shows_its_value_and_date(qtbot):
    view = ChartsView()
    qtbot.addWidget(view)
    view.show()
    view.show_charts(
        build_charts(assess(case_1(), load_protocol(), date(1997, 6, 30)), DisplayUnits())
    )
    series = view.trough_chart.chart().series()
    markers = next(s for s in series if isinstance(s, QScatterSeries) and s.count())
    markers.hovered.emit(markers.at(0), True)
    assert QToolTip.text() == "9 µg/L\n1996-06-24"
    markers.hovered.emit(markers.at(0), False)
