"""Starting the window: the Qt application, bundled fonts, the store, the error log."""

from __future__ import annotations

import contextlib
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


def load_fonts(*, bold: bool = True) -> str:
    """Register the bundled DejaVu Sans (µ, ≥, ±, →) and return its family name; with
    `bold=False` only the regular face (the bold one can follow after the first paint)."""
    from PySide6.QtGui import QFontDatabase

    family = ""
    for path in sorted((resources_dir() / "fonts").glob("*.ttf")):
        if not bold and "Bold" in path.name:
            continue
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id >= 0 and not family:
            family = QFontDatabase.applicationFontFamilies(font_id)[0]
    return family


def load_bold_font() -> None:
    from PySide6.QtGui import QFontDatabase

    for path in (resources_dir() / "fonts").glob("*Bold*.ttf"):
        QFontDatabase.addApplicationFont(str(path))


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
    folder: Path, explain: Callable[[BaseException], Exception | None] | None = None
) -> Path:
    """Unexpected errors: logged to tacrocalc.log in the data folder (the traceback and the
    kind of error, never its message, which could hold patient data) and shown in a dialog.
    An error of the store (`explain`: replaced or deleted under the window, a full disk) is
    shown as the store tells it: what happened, that nothing was saved, what to do."""
    path = folder / "tacrocalc.log"

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        import traceback

        from PySide6.QtWidgets import QApplication, QMessageBox

        told = explain(error) if explain is not None else None
        if told is not None:
            with contextlib.suppress(OSError):
                error_log(path).error("store %s: %s", kind.__name__, type(told).__name__)
            if QApplication.instance() is not None:
                QMessageBox.critical(None, "TacroCalc: not saved", str(told))
            return
        frames = "".join(traceback.format_tb(tb))
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


def build_gui(
    argv: Sequence[str],
    data_dir: str | None = None,
    open_file: str | None = None,
    settings: Any = None,
) -> tuple[Any, Any]:
    """The application and its main window, shown. The window is painted first; then the
    patient store is opened, the clinical core (pint, the protocols) loaded, and the last patient
    (or the file asked for) opened. When the store cannot be opened, the user is told why and
    the regimen calculator opens alone."""
    _prepare_environment()
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QFont, QIcon
    from PySide6.QtWidgets import QApplication

    from tacrocalc.records.protocol_files import available_protocols, load_protocol
    from tacrocalc.ui.main_window import MainWindow
    from tacrocalc.ui.none_guard import keep_none_alive
    from tacrocalc.ui.settings import Settings

    keep_none_alive()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv))
    app.setApplicationName("TacroCalc")
    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "tacrocalc.png")))
    family = load_fonts(bold=False)
    if family:
        app.setFont(QFont(family, app.font().pointSize()))
    folder = user_data_dir(data_dir)
    install_error_handler(
        folder, lambda error: None if window.store is None else window.store.explain(error)
    )
    window = MainWindow(None, load_protocol, available_protocols(), settings or Settings())
    window.show_as_preferred()
    # Every minute, the journal is folded into the store's file (a no-op when nothing was
    # written), so the file alone holds every entry even while the window stays open.
    idle = QTimer(window)
    idle.setInterval(60_000)
    idle.timeout.connect(lambda: window.store and window.store.checkpoint())
    idle.start()
    # Typing and other widget updates cost references to None too (none_guard): top the
    # reserve up every 30 s as well as before each chart redraw.
    guard = QTimer(window)
    guard.setInterval(30_000)
    guard.timeout.connect(keep_none_alive)
    guard.start()

    def after_first_paint() -> None:
        from PySide6.QtWidgets import QMessageBox

        load_bold_font()
        from tacrocalc.records.store import Store, StoreError

        try:
            store = Store(folder, protocol_for=load_protocol)
        except StoreError as error:
            QMessageBox.critical(
                window,
                "TacroCalc: patient data cannot be opened",
                f"{error}\n\nThe regimen calculator still works; patients cannot be "
                "opened until the file is restored.",
            )
            from tacrocalc.ui.calculator import CalculatorWindow

            window.fallback = CalculatorWindow(load_protocol())
            window.fallback.show()
            window.hide()
            return
        window.attach_store(store)
        load_protocol()
        if open_file:
            window.import_file(Path(open_file), ask=True)
        else:
            window.open_last_patient()
        window.ready = True
        window.became_ready.emit()

    # A zero timer set from a zero timer: it runs in the event-loop pass after the one that
    # paints the window. Both belong to the window: closing it first cancels them.
    QTimer.singleShot(0, window, lambda: QTimer.singleShot(0, window, after_first_paint))
    return app, window


def tear_down(app: Any, *widgets: Any) -> None:
    """Delete the windows while Qt is still running, rather than in the interpreter's
    clean-up at exit. (The "none_dealloc" abort once seen at exit was the binding's lost
    references to None: see tacrocalc.ui.none_guard.)"""
    import gc

    for widget in widgets:
        widget.close()
        widget.deleteLater()
    app.processEvents()
    gc.collect()


def run_gui(
    argv: Sequence[str],
    data_dir: str | None = None,
    open_file: str | None = None,
    *,
    quit_after_start: str = "",
) -> int:
    app, window = build_gui(argv, data_dir, open_file)
    if quit_after_start:  # start-up benchmarks: say "painted" once the window is painted, and
        from PySide6.QtCore import QTimer  # "ready" once the last patient is open, then quit

        def say(what: str) -> None:
            print(what, flush=True)
            if what == quit_after_start:
                app.quit()

        QTimer.singleShot(0, lambda: say("painted"))
        window.became_ready.connect(lambda: say("ready"))
    code = int(app.exec())
    store = window.store
    tear_down(app, window, *([window.fallback] if window.fallback is not None else []))
    if store is not None:
        store.close()
    return code
