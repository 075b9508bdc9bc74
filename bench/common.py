"""What the benchmarks share: timing helpers and the bare PySide6 window they compare with."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Callable
from typing import Any

# The baseline window: QtWidgets and QtCharts imported, an empty QMainWindow shown; it prints
# "painted" in the event-loop pass after its first paint, as `tacrocalc --quit-after-start` does.
BARE_WINDOW = """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow
from PySide6 import QtCharts  # noqa: F401
from PySide6.QtCore import QEvent, QObject, QTimer
app = QApplication(sys.argv[:1])
window = QMainWindow()


class PaintWatch(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            window.removeEventFilter(self)
            QTimer.singleShot(0, lambda: (print("painted", flush=True), app.quit()))
        return False


watch = PaintWatch(window)
window.installEventFilter(watch)
window.show()
app.exec()
"""


def median_ms(fn: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def installed_env(**extra: str) -> dict[str, str]:
    """The environment of child processes, as on an installed system: Python may keep the
    bytecode of what it imports (PYTHONDONTWRITEBYTECODE, set on this machine, would make every
    start compile every module again, which no installed TacroCalc does)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, **extra}


def ms_to_lines(
    argv: list[str], lines: tuple[str, ...], env: dict[str, str] | None = None
) -> dict[str, float]:
    """From starting a process to each of `lines` it prints (the last one ends the timing):
    "painted" once its window is painted, "ready" once the patient list and the last patient
    are shown."""
    start = time.perf_counter()
    seen: dict[str, float] = {}
    with subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env or installed_env(),
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            if line.strip() in lines:
                seen[line.strip()] = (time.perf_counter() - start) * 1e3
                if line.strip() == lines[-1]:
                    break
        process.stdout.read()
    missing = [line for line in lines if line not in seen]
    if missing:
        raise RuntimeError(f"{argv[0]} never printed {', '.join(missing)}")
    return seen


def ms_to_painted(argv: list[str], env: dict[str, str] | None = None) -> float:
    """From starting a process to the line "painted" it prints once its window is painted."""
    return ms_to_lines(argv, ("painted",), env)["painted"]
