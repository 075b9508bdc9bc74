"""A guard against a reference-count error of the Qt binding (PySide6 6.12.0) on Python 3.11.

Each call of a Qt method that returns nothing (QWidget.setMinimumHeight, QXYSeries.replace,
QChart.setTitle, QToolTip.showText, ...) hands Python a `None` without the reference that goes
with it, so the reference count of `None` falls by one a call. From Python 3.12 `None` is
immortal and this does no harm. On Python 3.11 the count reaches zero after some ten thousand
calls and the interpreter aborts with "Fatal Python error: none_dealloc": within about a
hundred entries when the charts are redrawn after each, or at exit, when the references that
are still held are let go.

The same binding loses a reference to `True` on every signal emitted from Python
(`OpenPatient.changed.emit()`, `saved.emit(...)`): a few hundred emits abort with
"Fatal Python error: bool_dealloc". Python 3.12 makes `True` immortal too.

`keep_none_alive` finds out once whether the binding in use has each error; when it has, it
keeps a reserve of references to `None` (and to `True`) that is never freed, and adds to it
whenever the count runs low. It is called at start-up, before each chart redraw (the charts
make the most such calls), after each write of the open patient, and every 30 s.
"""

from __future__ import annotations

import ctypes
import sys

BLOCK = 1_000_000  # references to None that one block of the reserve holds (8 MB)
LOW = 250_000  # below this reference count of None, a block is added

_binding_leaks: bool | None = None  # None until measured
_emit_leaks: bool | None = None


def binding_leaks() -> bool:
    """Whether a call of a Qt method that returns nothing costs a reference to None."""
    global _binding_leaks
    if _binding_leaks is None:
        from PySide6.QtCore import QObject

        probe = QObject()
        calls = 64
        before = sys.getrefcount(None)
        for _ in range(calls):
            probe.setObjectName("")
        _binding_leaks = sys.getrefcount(None) - before <= -calls // 2
    return _binding_leaks


def emit_leaks() -> bool:
    """Whether a signal emitted from Python costs a reference to True."""
    global _emit_leaks
    if _emit_leaks is None:
        from PySide6.QtCore import QObject, Signal

        class Probe(QObject):
            ping = Signal()

        probe = Probe()
        calls = 64
        before = sys.getrefcount(True)
        for _ in range(calls):
            probe.ping.emit()
        _emit_leaks = sys.getrefcount(True) - before <= -calls // 2
    return _emit_leaks


def _reserve(value: object) -> None:
    block = [value] * BLOCK
    # One reference that nothing gives back: the block, and so its references, outlive the
    # interpreter's clean-up at exit.
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(block))


def keep_none_alive() -> None:
    """Keep the reference counts of None and True far from zero when the binding loses
    references to them."""
    if binding_leaks() and sys.getrefcount(None) < LOW:
        _reserve(None)
    if emit_leaks() and sys.getrefcount(True) < LOW:
        _reserve(True)
