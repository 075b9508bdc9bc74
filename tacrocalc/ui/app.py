"""Starting the window: the Qt application, bundled fonts, the protocol."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from tacrocalc.paths import resources_dir


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


def run_gui(argv: Sequence[str]) -> int:
    _prepare_environment()
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication

    from tacrocalc.protocols import load_protocol
    from tacrocalc.ui.main_window import MainWindow

    app = QApplication(list(argv))
    app.setApplicationName("TacroCalc")
    family = load_fonts()
    if family:
        app.setFont(QFont(family, app.font().pointSize()))
    window = MainWindow(load_protocol())
    window.show()
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(run_gui(sys.argv))
