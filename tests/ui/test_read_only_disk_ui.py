"""Issue 12 in the window: a store on a read-only disk opens read-only, the status bar says so
for as long as the window is open, and an entry is refused with one sentence that names the
file and what to do, what was typed kept."""

import sys
from datetime import date

from PySide6.QtWidgets import QLabel, QMessageBox

from tacrocalc.domain.record import Patient, Sex
from tacrocalc.records.protocol_files import available_protocols, load_protocol
from tacrocalc.records.store import Store
from tacrocalc.ui import app as ui_app
from tacrocalc.ui.main_window import MainWindow
from tacrocalc.ui.settings import Settings
from tests.disks import make_read_only, small_disk
from tests.ui.test_main_window import TODAY, enter


def test_a_store_on_a_read_only_disk_opens_read_only_and_refuses_an_entry(
    qtbot, tmp_path, monkeypatch
):
    """On main the window could not open such a store at all: "damaged (unable to open
    database file)", offering a restore."""
    with small_disk(tmp_path / "disk") as disk:
        data = disk / "data"
        with Store(data, protocol_for=load_protocol) as writable:
            writable.save_patient(
                Patient(id="H1", name="Zoë Ångström", birth_date=date(1980, 1, 1), sex=Sex.FEMALE),
                protocol_id="seed-1997",
                today=TODAY,
            )
        make_read_only(disk)
        with Store(data, protocol_for=load_protocol) as store:
            window = MainWindow(
                store,
                load_protocol,
                available_protocols(),
                Settings(tmp_path / "s.ini"),
                today=lambda: TODAY,
            )
            qtbot.addWidget(window)
            window.show()
            path = data / "tacrocalc.sqlite3"
            assert window.read_only_label.isVisible()
            assert window.read_only_label.text() == (
                f"Read-only: {path} is on a read-only disk; patients can be read, printed and"
                " exported."
            )
            assert window.open_patient("H1")
            view = window.view
            assert view.name_label.text() == "Zoë Ångström  ·  H1"
            shown = []
            monkeypatch.setattr(QMessageBox, "critical", lambda *args: shown.append(args[1:]))
            monkeypatch.setattr(sys, "excepthook", sys.excepthook)
            ui_app.install_error_handler(tmp_path, store.explain)
            with qtbot.capture_exceptions() as raised:
                enter(qtbot, view, days_ago=1, trough="8.1")
            assert raised, "the entry was not refused"
            sys.excepthook(*raised[0])
            assert shown == [
                (
                    "TacroCalc: not saved",
                    f"Not saved: {path} is on a read-only disk, so TacroCalc opened it"
                    " read-only; copy the data folder to a disk you can write to, or have that"
                    " disk made writable.",
                )
            ]
            assert view.trough_edit.text() == "8.1"
            assert not window.statusBar().currentMessage().startswith("Saved")
            assert window.read_only_label.isVisible()  # still said after the refusal
            window.close()
        log = ui_app.error_log(tmp_path / "tacrocalc.log")
        for handler in list(log.handlers):
            log.removeHandler(handler)
            handler.close()
        ui_app.error_log.cache_clear()


def test_a_writable_store_has_no_read_only_line(window):
    assert window.findChild(QLabel, "read_only_label") is None


def test_an_unexpected_error_is_shown_even_when_its_log_cannot_be_written(tmp_path, monkeypatch):
    """On a read-only or full disk the log file cannot be made: the dialog is shown anyway
    (the hook itself failed before, and the user saw nothing)."""
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: shown.append(args[1]))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    ui_app.install_error_handler(tmp_path / "no such folder")
    try:
        raise RuntimeError("a fault of TacroCalc")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    assert shown == ["TacroCalc: unexpected error"]
