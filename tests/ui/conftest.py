"""The window's fixtures: a store in a temporary folder, settings of its own, and the main window
on a fixed today."""

from datetime import date

import pytest

from tacrocalc.records.protocol_files import available_protocols, load_protocol
from tacrocalc.records.store import Store
from tacrocalc.ui.main_window import MainWindow
from tacrocalc.ui.settings import Settings

TODAY = date(2026, 1, 20)


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "data", protocol_for=load_protocol) as opened:
        yield opened


@pytest.fixture
def settings(tmp_path):
    return Settings(tmp_path / "s.ini")


@pytest.fixture
def window(qtbot, store, settings):
    win = MainWindow(store, load_protocol, available_protocols(), settings, today=lambda: TODAY)
    qtbot.addWidget(win)
    win.show()
    return win
