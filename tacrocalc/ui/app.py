"""Starting the window: the store and the clinical core, the Qt application, bundled fonts,
the window with the list and the last patient, the error log.

The start is measured by bench/bench_gui.py ("ready": the list and the last patient on screen,
against a bare PySide6 window with QtCharts)."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import logging

from tacrocalc.paths import resources_dir, user_data_dir


def _prepare_environment() -> None:
    # Qt finds its fonts here when the system has none (an offline, minimal workstation).
    os.environ.setdefault("QT_QPA_FONTDIR", str(resources_dir() / "fonts"))


def load_fonts() -> str:
    """Register the bundled DejaVu Sans (µ, ≥, ±, →) and return its family name."""
    from PySide6.QtGui import QFontDatabase

    family = ""
    for path in sorted((resources_dir() / "fonts").glob("*.ttf")):
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id >= 0 and not family:
            family = QFontDatabase.applicationFontFamilies(font_id)[0]
    return family


@cache
def error_log(path: Path) -> logging.Logger:
    """The logger of tacrocalc.log (made at the first error: logging is not loaded at start)."""
    import logging
    from logging.handlers import RotatingFileHandler

    os.close(os.open(path, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600))  # the user's alone
    handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log = logging.getLogger("tacrocalc")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return log


def install_error_handler(
    folder: Path,
    explain: Callable[[BaseException], Exception | None] | None = None,
    tell: Callable[[Exception], bool] | None = None,
) -> Path:
    """Unexpected errors: logged to tacrocalc.log in the data folder (the traceback and the
    kind of error, never its message, which could hold patient data) and shown in a dialog.
    An error of the store (`explain`: replaced or deleted under the window, a full disk) is
    shown as the store tells it: what happened, that nothing was saved, what to do; in the
    window's status bar when `tell` takes it (the ward server away)."""
    path = folder / "tacrocalc.log"

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        import traceback

        from PySide6.QtWidgets import QApplication, QMessageBox

        told = explain(error) if explain is not None else None
        if told is not None:
            with contextlib.suppress(OSError):
                error_log(path).error("store %s: %s", kind.__name__, type(told).__name__)
            if tell is not None and tell(told):
                return
            if QApplication.instance() is not None:
                QMessageBox.critical(None, "TacroCalc: not saved", str(told))
            return
        frames = "".join(traceback.format_tb(tb))
        with contextlib.suppress(OSError):  # a read-only or full disk: the dialog still shows
            error_log(path).error("unexpected %s\n%s", kind.__name__, frames)
        if QApplication.instance() is not None:
            QMessageBox.critical(
                None,
                "TacroCalc: unexpected error",
                "Something went wrong inside TacroCalc. Everything saved before this message is "
                "safe (each entry is saved when it is accepted). Check the last entry you made, "
                f"then carry on or restart TacroCalc.\n\nDetails for IT are in {path}.",
            )

    sys.excepthook = hook
    return path


# What the window needs to show a patient, none of it Qt: imported before PySide6 is, since
# from then on PySide6's import hook reads the source of every module imported (~30 ms for
# these, a third of it pint's).
CORE_MODULES = (
    "tacrocalc.records.store",
    "tacrocalc.domain.assessment",
    "tacrocalc.present.calculator",
    "tacrocalc.present.charts",
    "tacrocalc.present.course",
    "tacrocalc.present.patient",
)


def load_clinical_core() -> None:
    """pint, the default protocol and the presenters: what showing a patient needs."""
    import importlib

    from tacrocalc.records.protocol_files import DEFAULT_PROTOCOL, load_protocol

    for name in CORE_MODULES:
        importlib.import_module(name)
    load_protocol(DEFAULT_PROTOCOL)  # cached by id, as a patient's protocol is asked for


def load_clinical_core_paused() -> None:
    """The clinical core loaded once the window is painted, with the collector paused as
    during the start (run_gui), which would otherwise walk the new modules again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        load_clinical_core()
    finally:
        if enabled:
            gc.enable()


def load_core(folder: Path, server: str | None = None, *, core: bool = True) -> tuple[Any, Any]:
    """The patient store (the data folder, or the ward server when one is named) opened and
    checked and, when it holds patients and one of them may be opened at once (`core`), the
    clinical core loaded. Returns the store, or None and the store's error saying why it
    cannot be opened (the window asks for a password the server wants)."""
    from tacrocalc.records.protocol_files import load_protocol
    from tacrocalc.records.store import Store, StoreError

    try:
        if server is not None:
            store = Store(server=server, protocol_for=load_protocol)
        else:
            store = Store(folder, protocol_for=load_protocol)
    except StoreError as error:
        return None, error
    if core and store.list_patients(limit=1):
        load_clinical_core()
    return store, ""


def may_reopen_last_patient(settings: Any = None) -> bool:
    """Whether the start may open a patient: the user asked for the last patient to be
    reopened and one is named. Read before Qt is imported, so from the user's settings file
    where it is an INI file (Linux), or from `settings` when given. True when it cannot be
    told (the Windows registry, a macOS property list): the clinical core is then loaded
    before the window, as it always was; a wrong guess costs time, never what is shown."""
    if settings is not None:
        return bool(settings.get("session/last_patient"))
    if sys.platform in ("win32", "darwin"):
        return True
    config = os.environ.get("XDG_CONFIG_HOME", "")
    folder = Path(config) if os.path.isabs(config) else Path.home() / ".config"
    try:  # QSettings' INI file: "[session]", then "key=value" lines (configparser: ~2 ms)
        text = (folder / "TacroCalc" / "TacroCalc.conf").read_text(encoding="utf-8")
    except FileNotFoundError:
        return False  # no settings yet: a first start
    except (OSError, UnicodeError):
        return True
    section, session = "", {}
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif section == "session" and "=" in line:
            key, _, value = line.partition("=")
            session[key.strip()] = value.strip()
    reopen = session.get("reopen_last", "").lower() in ("true", "1")
    return reopen and bool(session.get("last_patient"))


def build_gui(
    argv: Sequence[str],
    data_dir: str | None = None,
    open_file: str | None = None,
    settings: Any = None,
    server: str | None = None,
) -> tuple[Any, Any]:
    """The application and its main window, shown: the patient store is opened and, when a
    patient is to be shown at once, the clinical core loaded first; then the window is built
    with the list of patients and the last patient open, so that its first paint shows them.
    When no patient is shown at start, the core is loaded once the list is painted. A file to
    import (`open_file`) is imported once the window is painted, since it may ask a question.
    When the store cannot be opened, the user is told why (once the window is painted) and the
    regimen calculator opens alone."""
    _prepare_environment()
    folder = user_data_dir(data_dir)
    # The core before Qt (see CORE_MODULES) when a patient is shown at once; else after the
    # first paint, which then shows the list ~150 ms sooner.
    core_first = bool(open_file) or may_reopen_last_patient(settings)
    store, refusal = load_core(folder, server, core=core_first)
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QFont, QIcon
    from PySide6.QtWidgets import QApplication

    from tacrocalc.records.protocol_files import available_protocols, load_protocol
    from tacrocalc.ui.main_window import MainWindow
    from tacrocalc.ui.settings import Settings

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv))
    app.setApplicationName("TacroCalc")
    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "tacrocalc.png")))
    family = load_fonts()
    if family:
        app.setFont(QFont(family, app.font().pointSize()))
    install_error_handler(
        folder,
        lambda error: None if window.store is None else window.store.explain(error),
        lambda told: window.tell_store_error(told),
    )
    window = MainWindow(store, load_protocol, available_protocols(), settings or Settings())
    window.data_folder = folder
    # The window's key filter (MainWindow.eventFilter) sees every event of the application;
    # the thousands of events of building and painting the window would each go through
    # Python (~60 ms). Nothing can be typed before the window is painted: the filter is put
    # back once it is (`after_first_paint`).
    app.removeEventFilter(window)
    # Every minute, the journal is folded into the store's file (a no-op when nothing was
    # written), so the file alone holds every entry even while the window stays open.
    idle = QTimer(window)
    idle.setInterval(60_000)
    idle.timeout.connect(lambda: window.store and window.store.checkpoint())
    idle.start()

    def set_ready() -> None:
        window.ready = True
        window.became_ready.emit()

    if store is not None and not open_file:
        try:
            window.open_last_patient()  # shown in the first paint
        except Exception:  # reported as any unexpected error, over the painted window
            error = sys.exc_info()
            QTimer.singleShot(0, window, lambda: sys.excepthook(*error))
        set_ready()
    window.show_as_preferred()

    def after_first_paint() -> None:
        from PySide6.QtWidgets import QMessageBox

        def after_the_paint_is_reported() -> None:
            from tacrocalc.ui.none_guard import keep_none_alive

            # The reserve of references to None (none_guard: 8 MB, ~8 ms) is made once the
            # window is on screen: the start raises None's count, it does not lower it.
            keep_none_alive()
            # Typing and other widget updates cost references to None too: the reserve is
            # topped up every 30 s as well as before each chart redraw.
            guard = QTimer(window)
            guard.setInterval(30_000)
            guard.timeout.connect(keep_none_alive)
            guard.start()
            # The first event the filter sees makes the binding set up the Python types of
            # Qt's classes (~15 ms).
            app.installEventFilter(window)

        # In a pass of its own: what it does can wait until the paint is reported.
        QTimer.singleShot(0, window, after_the_paint_is_reported)
        from tacrocalc.records.store import ServerPasswordNeeded

        reason = refusal
        if store is None and server is not None and isinstance(refusal, ServerPasswordNeeded):
            reason = window.connect_server(server, refusal)  # asks for the password
            if reason is None:
                if not core_first:
                    load_clinical_core_paused()
                window.open_last_patient()
                set_ready()
                return
        if window.store is None:
            QMessageBox.critical(
                window,
                "TacroCalc: patient data cannot be opened",
                f"{reason}\n\nThe regimen calculator still works; patients cannot be "
                + (
                    "opened until the file is restored."
                    if server is None
                    else "opened until TacroCalc is started again and reaches the server."
                ),
            )
            from tacrocalc.ui.calculator import CalculatorWindow

            window.fallback = CalculatorWindow(load_protocol())
            window.fallback.show()
            window.hide()
            return
        if open_file:
            window.import_file(Path(open_file), ask=True)
            set_ready()
        elif not core_first and store.list_patients(limit=1):
            # In a pass of its own, once the list is on screen: a patient opens at once.
            QTimer.singleShot(0, window, load_clinical_core_paused)

    # A zero timer set from a zero timer: it runs in the event-loop pass after the one that
    # paints the window. Both belong to the window: closing it first cancels them.
    QTimer.singleShot(0, window, lambda: QTimer.singleShot(0, window, after_first_paint))
    return app, window


def report_start(app: Any, window: Any, until: str) -> None:
    """`--quit-after-start` (start-up benchmarks): print "painted" once the window has been
    painted, and "ready" once it has been painted with the list of patients and the last
    patient (or the file imported), then quit after the line `until`. Each line is printed in
    the event-loop pass after the paint, when the paint is over."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    waiting = ["painted"]

    def say(lines: list[str]) -> None:
        for line in lines:
            print(line, flush=True)
            if line == until:
                app.quit()

    class PaintWatch(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and waiting:
                lines = list(waiting)
                waiting.clear()
                QTimer.singleShot(0, lambda: say(lines))
            return False

    def became_ready() -> None:
        waiting.append("ready")
        window.update()  # the whole window painted again: what the user sees now

    watch = PaintWatch(window)
    window.installEventFilter(watch)
    if window.ready:
        waiting.append("ready")
    else:
        window.became_ready.connect(became_ready)


def tear_down(app: Any, *widgets: Any) -> None:
    """Delete the windows while Qt is still running, rather than in the interpreter's
    clean-up at exit. (The "none_dealloc" abort once seen at exit was the binding's lost
    references to None: see tacrocalc.ui.none_guard.)"""
    for widget in widgets:
        widget.close()
        widget.deleteLater()
    app.processEvents()
    gc.unfreeze()  # what the start set aside (run_gui) is collected too
    gc.collect()


def run_gui(
    argv: Sequence[str],
    data_dir: str | None = None,
    open_file: str | None = None,
    *,
    quit_after_start: str = "",
    server: str | None = None,
) -> int:
    # The start allocates some hundred thousand objects that live as long as the program
    # (modules, classes, the window): the collector would walk them a hundred times during the
    # start (~40 ms). It is paused, and what the start made is set aside (gc.freeze), so that
    # later collections do not walk it either.
    gc.disable()
    try:
        app, window = build_gui(argv, data_dir, open_file, server=server)
    finally:
        gc.freeze()
        gc.enable()
    if quit_after_start:
        report_start(app, window, quit_after_start)
    code = int(app.exec())
    store = window.store
    tear_down(app, window, *([window.fallback] if window.fallback is not None else []))
    if store is not None:
        store.close()
    return code
