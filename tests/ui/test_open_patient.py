"""The open patient is read once per write, and every panel follows the one `changed` signal."""

from datetime import date

import pytest
from PySide6.QtCore import Qt

from tacrocalc.domain.record import Patient, Sex
from tests.ui.conftest import TODAY


@pytest.fixture
def view(window, store):
    store.save_patient(
        Patient(id="H1", name="Ann Lee", birth_date=date(1970, 3, 2), sex=Sex.FEMALE),
        protocol_id="seed-1997",
        today=TODAY,
    )
    window.patients.refresh()
    assert window.open_patient("H1")
    return window.view


def test_a_result_added_reads_the_record_once_and_every_panel_shows_it(
    qtbot, view, store, monkeypatch
):
    loads, changes = [], []
    real_load = store.load
    monkeypatch.setattr(store, "load", lambda pid: loads.append(pid) or real_load(pid))
    view.model.changed.connect(lambda: changes.append(True))
    qtbot.keyClicks(view.creatinine_edit, "90")
    qtbot.keyClick(view.trough_edit, Qt.Key.Key_Return)
    assert view.entry_error.isHidden()
    assert (len(loads), len(changes)) == (1, 1)
    assert view.table_model.row(0).cells["creatinine"].text == "90 µmol/L (+0.0 %)"
    assert "No creatinine" not in view.alerts_label.text()  # the alerts panel followed too


def test_a_refused_write_reads_nothing_and_keeps_what_was_typed(qtbot, view):
    changes = []
    view.model.changed.connect(lambda: changes.append(True))
    qtbot.keyClicks(view.creatinine_edit, "5000")  # above 2000 µmol/L (R12.3)
    qtbot.keyClick(view.trough_edit, Qt.Key.Key_Return)
    assert changes == []
    assert view.creatinine_edit.text() == "5000"
    assert "outside the accepted range 10 µmol/L to 2000 µmol/L" in view.entry_error.text()
