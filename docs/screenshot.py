"""Screenshots of the main window on a real X screen, for docs/images:

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python docs/screenshot.py OUT.png
        [--example switch-and-hold] [--today 2026-11-26] [--tab charts|course|schedule]
        [--dark] [--history]

The example is a patient file of docs/examples/ (a course with a switch and a hold by
default); `--history` shows the History dialog over the window.
"""

import argparse
import tempfile
from datetime import date
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from tacrocalc.records.patient_file import loads
from tacrocalc.records.protocol_files import available_protocols, load_protocol
from tacrocalc.records.store import Store
from tacrocalc.ui.app import _prepare_environment, load_fonts
from tacrocalc.ui.main_window import MainWindow
from tacrocalc.ui.settings import Settings


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, "#2b2b2b"),
        (QPalette.ColorRole.WindowText, "#e6e6e6"),
        (QPalette.ColorRole.Base, "#1e1e1e"),
        (QPalette.ColorRole.AlternateBase, "#2b2b2b"),
        (QPalette.ColorRole.Text, "#e6e6e6"),
        (QPalette.ColorRole.Button, "#353535"),
        (QPalette.ColorRole.ButtonText, "#e6e6e6"),
        (QPalette.ColorRole.Highlight, "#3d6fb4"),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
        (QPalette.ColorRole.PlaceholderText, "#9a9a9a"),
    ):
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.ButtonText, QPalette.ColorRole.Text):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    return palette


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--example", default="switch-and-hold")
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 26))
    parser.add_argument("--tab", choices=("results", "charts", "course", "schedule"))
    parser.add_argument("--dark", action="store_true")
    parser.add_argument("--history", action="store_true")
    args = parser.parse_args()
    _prepare_environment()
    app = QApplication([])
    app.setStyle("Fusion")
    if args.dark:
        app.setPalette(dark_palette())
    app.setFont(QFont(load_fonts(), 9))
    folder = Path(tempfile.mkdtemp())
    store = Store(folder / "data", protocol_for=load_protocol)
    example = Path(__file__).with_name("examples") / f"{args.example}.json"
    record = loads(example.read_text(), protocol_for=load_protocol, today=args.today)
    store.import_record(record)
    if args.history:  # a few changes for the History dialog to show
        from tacrocalc.domain.record import Trough
        from tacrocalc.domain.units import q

        pid = record.patient.id
        added = store.add_observation(
            pid, Trough(date=args.today, value=q(9.4, "ug/L")), today=args.today
        )
        assert added.id is not None
        store.correct_observation(
            added.id, Trough(date=args.today, value=q(9.1, "ug/L")), today=args.today
        )
        last = store.observations(pid)[-1]
        store.delete_observation(last[0], reason="sample taken 3 h after the dose")
        store.delete_observation(added.id, reason="entered twice")
    window = MainWindow(
        store,
        load_protocol,
        available_protocols(),
        Settings(folder / "settings.ini"),
        today=lambda: args.today,
    )
    window.setGeometry(QGuiApplication.primaryScreen().availableGeometry())
    window.show()
    window.open_patient(record.patient.id)
    view = window.view
    if args.tab == "charts":
        view.right_tabs.setCurrentIndex(1)
    elif args.tab in ("course", "schedule"):
        view.left_tabs.setCurrentIndex(1 if args.tab == "course" else 2)

    def grab() -> None:
        QGuiApplication.primaryScreen().grabWindow(0).save(str(args.out))
        app.quit()

    if args.history:
        QTimer.singleShot(300, view.history_button.click)  # modal: grabbed while it is open
    QTimer.singleShot(1500, grab)
    app.exec()


if __name__ == "__main__":
    main()
