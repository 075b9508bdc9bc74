"""Screenshot of the main window with the seed paper's case 1 (nine months of results), on a
real X screen: `xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python docs/screenshot.py OUT.png`.
"""

import sys
import tempfile
from datetime import date
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QApplication

from tacrocalc.records.patient_file import loads
from tacrocalc.records.protocol_files import available_protocols, load_protocol
from tacrocalc.records.store import Store
from tacrocalc.ui.app import _prepare_environment, load_fonts
from tacrocalc.ui.main_window import MainWindow
from tacrocalc.ui.settings import Settings

TODAY = date(1997, 3, 10)


def main() -> None:
    out = Path(sys.argv[1])
    _prepare_environment()
    app = QApplication(sys.argv[:1])
    app.setFont(QFont(load_fonts(), 9))
    folder = Path(tempfile.mkdtemp())
    store = Store(folder / "data", protocol_for=load_protocol)
    example = Path(__file__).with_name("examples") / "seed-case-1.json"
    store.import_record(loads(example.read_text(), protocol_for=load_protocol, today=TODAY))
    window = MainWindow(
        store,
        load_protocol,
        available_protocols(),
        Settings(folder / "settings.ini"),
        today=lambda: TODAY,
    )
    window.setGeometry(QGuiApplication.primaryScreen().availableGeometry())
    window.show()
    window.open_patient("SEED-1")

    def grab() -> None:
        QGuiApplication.primaryScreen().grabWindow(0).save(str(out))
        app.quit()

    QTimer.singleShot(1500, grab)
    app.exec()


if __name__ == "__main__":
    main()
