"""Benchmark of the window.

    .venv/bin/python bench/bench_gui.py [--runs 7]

- Start-up to the first painted window, whole processes: `python -m tacrocalc
  --quit-after-start` (the window as `tacrocalc` opens it, on an empty data folder) against a
  bare PySide6 window that imports QtWidgets and QtCharts and shows an empty QMainWindow.
  Median of --runs each, interleaved.
  Target ratio: at most 1.5.
- A keystroke in the rate field to the updated dose (in-process, per keystroke). Target: under
  one frame, 16 ms.
- Redrawing the charts with a year of results, painted (in-process).
Runs offscreen (QT_QPA_PLATFORM=offscreen) unless a display is set.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from common import BARE_WINDOW, ms_to_painted


def process_ms(code: str, *args: str) -> float:
    """`python -c code`, or with code "" `python -m tacrocalc ARGS`, to its first paint."""
    argv = [sys.executable, "-c", code] if code else [sys.executable, "-m", "tacrocalc"]
    return ms_to_painted([*argv, *args])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=11)
    runs = parser.parse_args().runs
    folder = tempfile.mkdtemp()
    ours_args = ("--data-dir", folder, "--quit-after-start")  # what `tacrocalc` runs, then quits
    process_ms("", *ours_args)  # warm the file cache, create the store
    bare, ours = [], []
    for _ in range(runs):
        bare.append(process_ms(BARE_WINDOW))
        ours.append(process_ms("", *ours_args))
    b, t = statistics.median(bare), statistics.median(ours)
    print(f"start-up to first painted window (median of {runs}, whole processes)")
    print(f"  baseline: bare QMainWindow with QtWidgets and QtCharts  {b:8.1f} ms")
    print(
        f"  TacroCalc main window                                  {t:8.1f} ms  ratio "
        f"{t / b:5.2f}  target <= 1.5: {'met' if t / b <= 1.5 else 'NOT met'}"
    )

    sys.path.insert(0, os.path.dirname(__file__))
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
