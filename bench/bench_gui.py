"""Benchmark of the window.

    .venv/bin/python bench/bench_gui.py [--runs 11] [--patients 300]

- Start-up, whole processes, against a bare PySide6 window that imports QtWidgets and QtCharts
  and shows an empty QMainWindow (the baseline, to its first paint). TacroCalc runs as
  `python -m tacrocalc --quit-after-start ready` on a store of --patients patients (100 results
  each) and a two-year course (10 events, 150 results): as a ward doctor's later start, whose
  settings name that course as the last patient, and as a first start (no settings: the list
  only). The store is opened and checked (quick_check), the list filled and the last patient
  shown. Timed from the start of the process to the lines it prints, each in the event-loop
  pass after a paint: "painted" (the first paint of the window) and "ready" (the list and the
  last patient shown). Median of --runs each, interleaved. Target: ready at most 2x the
  baseline.
- The floor of any start that shows a patient: the same bare window, painted after importing the
  patient store and making the unit registry, which reading a patient's numbers needs (pint,
  part of the stack). Measured ~2.1x the baseline before TacroCalc builds a widget: a start
  that reopens the last patient cannot be within 2x while its numbers are pint quantities.

  Where a start's time goes (CPU time of the process, 2-core development machine, 2026-11):
  the baseline is ~107 ms (Python ~20, importing QtWidgets ~80). A start that reopens the
  two-year course reaches "ready" at ~385 ms: Python and the command line ~28, importing the
  store (with the domain's dataclasses and enums) ~42, opening and checking it ~10, the
  clinical core ~23 and pint with the protocol ~90 (imported before Qt: PySide6's import hook
  would add ~30), Qt and the window's modules ~90, the window ~20, the patient view built and
  the course read and assessed ~48, laid out and painted ~30. pint's own import (~80 of its
  ~90: flexparser, flexcache, importlib.metadata) is the largest part no setting of
  TacroCalc's reaches; its registry is already the small definitions of domain/units.py
  (~6 ms). A start with no patient to reopen (the default, and every first start) paints the
  list without the clinical core, at ~195 ms, and loads the core in the passes after that.
- A keystroke in the rate field to the updated dose (in-process, per keystroke). Target: under
  one frame, 16 ms.
- Redrawing the charts with a year of results, painted (in-process).
Runs offscreen (QT_QPA_PLATFORM=offscreen) unless a display is set.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from common import BARE_WINDOW, installed_env, ms_to_lines

TARGET = 2.0  # ready, as a multiple of the bare window's first paint
FLOOR_IMPORTS = (
    "import tacrocalc.records.store\nfrom tacrocalc.domain.units import registry\nregistry()\n"
)


def ward_store(folder: Path, config: Path, patients: int) -> None:
    """`patients` patients of 100 results each and a two-year course (B2), opened last: the
    settings in `config` (XDG_CONFIG_HOME of the children) name it as the last patient."""
    from bench_core import two_year_course
    from bench_store import record

    from tacrocalc.records.protocol_files import load_protocol
    from tacrocalc.records.store import Store
    from tacrocalc.ui.settings import Settings

    rng = random.Random(1)
    with Store(folder, protocol_for=load_protocol, daily_backup=False) as store:
        store._db.execute("PRAGMA synchronous=OFF")  # building only
        for n in range(patients):
            assert store.import_record(record(n, rng)).ok
        assert store.import_record(two_year_course()[0]).ok
    settings = Settings(config / "TacroCalc" / "TacroCalc.conf")
    settings.set("session/reopen_last", True)  # the last patient is reopened at start
    settings.set("session/last_patient", "B2")


def startup(runs: int, patients: int) -> None:
    work = Path(tempfile.mkdtemp())
    folder, config = work / "data", work / "config"
    ward_store(folder, config, patients)
    bare_argv = [sys.executable, "-c", BARE_WINDOW]
    # The floor of a start that shows a patient: the bare window that first imports the patient
    # store and makes TacroCalc's unit registry (pint), as showing a patient's numbers needs.
    floor_argv = [sys.executable, "-c", FLOOR_IMPORTS + BARE_WINDOW]
    ready_argv = [
        *(sys.executable, "-m", "tacrocalc", "--data-dir", str(folder)),
        *("--quit-after-start", "ready"),
    ]
    starts = {  # what "ready" shows: XDG_CONFIG_HOME with the last patient named, or none
        "the list and the last patient": installed_env(XDG_CONFIG_HOME=str(config)),
        "the list (a first start)": installed_env(XDG_CONFIG_HOME=str(work / "no-settings")),
    }
    last, first = starts
    ms_to_lines(bare_argv, ("painted",), starts[first])  # warm the file cache
    ms_to_lines(ready_argv, ("ready",), starts[last])  # and make today's backup
    bare: list[float] = []
    floor: list[float] = []
    painted: dict[str, list[float]] = {name: [] for name in starts}
    ready: dict[str, list[float]] = {name: [] for name in starts}
    for _ in range(runs):
        bare.append(ms_to_lines(bare_argv, ("painted",), starts[first])["painted"])
        floor.append(ms_to_lines(floor_argv, ("painted",), starts[first])["painted"])
        for name, env in starts.items():
            times = ms_to_lines(ready_argv, ("painted", "ready"), env)
            painted[name].append(times["painted"])
            ready[name].append(times["ready"])
    median = statistics.median
    b = median(bare)
    print(
        f"start-up, whole processes (median of {runs}, interleaved), a store of {patients + 1} "
        "patients"
    )
    print(f"  {'baseline: bare QMainWindow with QtWidgets and QtCharts, painted':<66} {b:7.1f} ms")
    f = median(floor)
    print(
        f"  {'floor of a start that shows a patient: the bare window after importing':<66}\n"
        f"  {'  the patient store and making the unit registry (pint), painted':<66} {f:7.1f} ms"
        f"  ratio {f / b:5.2f}"
    )
    for name in starts:
        p, r = median(painted[name]), median(ready[name])
        rounds = [t / s for t, s in zip(ready[name], bare, strict=True)]
        verdict = "met" if r / b <= TARGET else "NOT met"
        print(f"  TacroCalc, {name}:")
        print(
            f"    {'painted (the first paint of the window)':<62} {p:7.1f} ms  ratio {p / b:5.2f}"
        )
        print(
            f"    {'ready (' + name + ' shown)':<62} {r:7.1f} ms  ratio {r / b:5.2f}  "
            f"target <= {TARGET:g}: {verdict}"
        )
        print(
            f"    ready / baseline of the same round: median {median(rounds):.2f} "
            f"(from {min(rounds):.2f} to {max(rounds):.2f})"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--patients", type=int, default=300)
    parser.add_argument("--startup-only", action="store_true", help="only the start-up figures")
    args = parser.parse_args()
    sys.path.insert(0, os.path.dirname(__file__))
    startup(args.runs, args.patients)
    if args.startup_only:
        return

    from bench_core import year_record
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from tacrocalc.domain.assessment import assess
    from tacrocalc.present.charts import build_charts
    from tacrocalc.present.units import DisplayUnits
    from tacrocalc.records.protocol_files import load_protocol
    from tacrocalc.ui.calculator import DoseCalculator
    from tacrocalc.ui.charts import ChartsView

    app = QApplication.instance() or QApplication(sys.argv[:1])
    protocol = load_protocol()
    calculator = DoseCalculator(protocol)
    calculator.show()
    QTest.keyClicks(calculator.weight_edit, "72")
    times = []
    for _ in range(50):
        calculator.rate_edit.clear()
        for key in "0.125":
            start = time.perf_counter()
            QTest.keyClick(calculator.rate_edit, key)
            times.append(time.perf_counter() - start)
    assert calculator.dose_label.text() == "4.5 mg every 12 hours", calculator.dose_label.text()
    keystroke = statistics.median(times) * 1e3
    print(
        f"  keystroke in the rate field to the updated dose (median of {len(times)})"
        f"  {keystroke:6.2f} ms  target < 16 ms: {'met' if keystroke < 16 else 'NOT met'}"
    )

    assessment = assess(year_record(), protocol, date(2026, 1, 10))
    view = ChartsView()
    view.resize(900, 600)
    view.show()
    redraws = []
    for _ in range(10):
        start = time.perf_counter()
        view.show_charts(build_charts(assessment, DisplayUnits()))
        view.repaint()
        app.processEvents()
        redraws.append(time.perf_counter() - start)
    print(
        f"  charts redrawn with a year of results ({len(assessment.record.observations)} "
        f"observations), painted  {statistics.median(redraws) * 1e3:6.1f} ms"
    )
    from tacrocalc.ui.app import tear_down

    tear_down(app, view, calculator)


if __name__ == "__main__":
    main()
