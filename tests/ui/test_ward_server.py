"""The window on the ward server (issue 13): File → Ward server… (checked, saved without a
password, used at the next start after the command line), the password prompt, the status bar
naming the server, and a write the server refuses (a viewer) or cannot take (the server gone):
one line, nothing typed lost, never "Saved". Against real PostgreSQL servers the tests start
(tests/pg_server.py)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
from datetime import date

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox

from tacrocalc.domain.record import Patient, Sex
from tacrocalc.records.protocol_files import available_protocols, load_protocol
from tacrocalc.records.store import Store, describe, init_server
from tacrocalc.ui import main_window
from tacrocalc.ui.main_window import MainWindow
from tacrocalc.ui.settings import Settings
from tacrocalc.ui.ward_dialog import PasswordDialog, WardServerDialog
from tests.ui.test_main_window import TODAY, enter

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]
PASSWORD = "ward-pass-7"  # dr.pw's, on the server that asks for passwords
ADMIN_PASSWORD = "admin-pass-3"


def _roles(server, database: str, *lines: str) -> None:
    """Logins in the roles `server init` made (roles are the whole server's: made once)."""
    server.sql(
        "DO $$ BEGIN "
        + " ".join(
            f"IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}') THEN"
            f' CREATE ROLE "{name}" {how}; END IF;'
            for name, how in (line.split(" ", 1) for line in lines)
        )
        + " END $$",
        database,
    )


@pytest.fixture
def ward(pg_server):
    """A ward database set up by `server init`, with a clinician (dr.ui) and a viewer
    (nurse.ui), and a patient H1 entered by the clinician."""
    name = pg_server.new_database()
    init_server(pg_server.url(name))
    _roles(
        pg_server,
        name,
        "dr.ui LOGIN IN ROLE tacrocalc_clinician",
        "nurse.ui LOGIN IN ROLE tacrocalc_viewer",
    )
    urls = {"clinician": pg_server.url(name, "dr.ui"), "viewer": pg_server.url(name, "nurse.ui")}
    with Store(server=urls["clinician"], protocol_for=load_protocol) as store:
        store.save_patient(
            Patient(id="H1", name="Zoë Ångström", birth_date=date(1980, 1, 1), sex=Sex.FEMALE),
            protocol_id="seed-1997",
            today=TODAY,
        )
    return urls


@pytest.fixture(scope="module")
def own_server():
    """A server of these tests alone, that asks every login for its password (scram) and can
    be stopped and started again: dr.pw (clinician, PASSWORD) on a ward database."""
    from tests.pg_server import MISSING, running_server, server_binaries

    binaries = server_binaries()
    if binaries is None:
        pytest.skip(MISSING)
    with running_server(binaries, password=ADMIN_PASSWORD) as server:
        name = server.new_database()
        with pytest.MonkeyPatch.context() as env:  # `server init` reads it as libpq does
            env.setenv("PGPASSWORD", ADMIN_PASSWORD)
            init_server(server.url(name))
        _roles(server, name, f"dr.pw LOGIN PASSWORD '{PASSWORD}' IN ROLE tacrocalc_clinician")
        server.ward_url = server.url(name, "dr.pw")  # type: ignore[attr-defined]
        yield server


@pytest.fixture(autouse=True)
def _no_pgpass(monkeypatch, tmp_path):
    """The password comes from the prompt in these tests, never from the machine's files."""
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.delenv("TACROCALC_SERVER", raising=False)


def _window(qtbot, store, settings):
    window = MainWindow(store, load_protocol, available_protocols(), settings, today=lambda: TODAY)
    qtbot.addWidget(window)
    window.show()
    return window


@pytest.fixture
def closing():
    """Stores a test opens, closed at its end whatever happens."""
    opened: list[Store] = []
    yield opened
    for store in opened:
        with contextlib.suppress(Exception):
            store.close()


def answer_passwords(qtbot, answers: list[str | None]) -> list[str]:
    """Answer the password prompts as a user would, one answer each (None: Cancel); returns
    what each prompt said, after checking the field is masked."""
    said: list[str] = []
    polls = iter(range(500))  # gives up after 10 s: never answers another test's prompt

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, PasswordDialog) or dialog.property("answered"):
            if next(polls, None) is not None:
                QTimer.singleShot(20, answer)
            return
        dialog.setProperty("answered", True)
        said.append(dialog.question_label.text())
        assert dialog.password_edit.echoMode() == QLineEdit.EchoMode.Password
        text = answers.pop(0)
        if text is None:
            qtbot.mouseClick(
                dialog.buttons.button(dialog.buttons.StandardButton.Cancel),
                Qt.MouseButton.LeftButton,
            )
        else:
            qtbot.keyClicks(dialog.password_edit, text)
            qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        if answers:
            QTimer.singleShot(20, answer)

    QTimer.singleShot(0, answer)
    return said


FOLDER = "this computer's data folder"


def choose_in_dialog(monkeypatch, window, *choices: str | None) -> list[WardServerDialog]:
    """File → Ward server… answered like a user: each choice an address typed (or FOLDER) then
    Open; None: Cancel."""
    shown = []
    answers = list(choices)

    def fill(dialog: WardServerDialog) -> bool:
        shown.append(dialog)
        dialog.show()
        choice = answers.pop(0)
        if choice is None:
            dialog.reject()
            return False
        if choice is FOLDER:
            dialog.folder_radio.setChecked(True)
        else:
            dialog.server_radio.setChecked(True)
            dialog.address_edit.setText(choice)
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
        return dialog.result() == WardServerDialog.DialogCode.Accepted

    monkeypatch.setattr(window, "_exec", fill)
    return shown


# -- the status bar, and writes the server refuses or cannot take ----------------------------


def test_the_status_bar_names_the_ward_server(qtbot, ward, tmp_path, closing, store):
    on_server = Store(server=ward["clinician"], protocol_for=load_protocol)
    closing.append(on_server)
    window = _window(qtbot, on_server, Settings(tmp_path / "s.ini"))
    assert window.server_label.isVisible()
    assert window.server_label.text() == f"Ward server: {describe(ward['clinician'])}"
    assert window.server_label.text().startswith("Ward server: ward database ward_")
    assert window.server_label.text().endswith(" as dr.ui")
    local = _window(qtbot, store, Settings(tmp_path / "t.ini"))
    assert not local.server_label.isVisible()


def test_a_viewer_reads_and_its_writes_are_refused_in_one_line_keeping_what_was_typed(
    qtbot, ward, tmp_path, closing
):
    viewer = Store(server=ward["viewer"], protocol_for=load_protocol)
    closing.append(viewer)
    window = _window(qtbot, viewer, Settings(tmp_path / "s.ini"))
    assert window.patients.model.rowCount() == 1  # it reads
    assert window.open_patient("H1")
    view = window.view
    window.statusBar().showMessage("Opened H1")
    enter(qtbot, view, days_ago=1, trough="8.1", creatinine="90")
    assert window.statusBar().currentMessage() == ""  # neither "Saved" nor what was there
    said = window.status_line.text()
    assert said.startswith("Not saved: your login on the ward database")
    assert "may read patients but not change them" in said and "\n" not in said
    assert (view.trough_edit.text(), view.creatinine_edit.text()) == ("8.1", "90")
    assert view.entry_error.text() == (
        "The patient store cannot be used: your login on the "
        + said.removeprefix("Not saved: your login on the ")
    )
    # the Course tab: a weight typed there is kept too
    view.left_tabs.setCurrentWidget(view.course_tab)
    panel = view.course_panel
    qtbot.keyClicks(panel.weight_edit, "61 kg")
    window.statusBar().clearMessage()
    qtbot.mouseClick(panel.weight_button, Qt.MouseButton.LeftButton)
    assert "may read patients but not change them" in window.status_line.text()
    assert window.statusBar().currentMessage() == ""
    assert panel.weight_edit.text() == "61 kg"
    assert "may read patients but not change them" in panel.weight_error.text()
    with Store(server=ward["clinician"], protocol_for=load_protocol) as clinician:
        record = clinician.load("H1")
        assert record.observations == () and record.weights == ()


def test_the_server_gone_is_one_line_nothing_typed_is_lost_and_the_window_connects_again(
    qtbot, own_server, tmp_path, closing, monkeypatch
):
    """The server stops while the window is open (pg_ctl stop): each entry is refused
    in one line naming the server, stays typed, and is not reported saved; the window finds the
    server back by itself (the store connecting again with the password typed this session),
    says so, and the entry is then added."""
    url = own_server.ward_url
    monkeypatch.setattr(main_window, "RECONNECT_S", (1, 1))
    with Store(server=url, protocol_for=load_protocol, password=PASSWORD) as setup:
        setup.save_patient(
            Patient(id="G1", name="Gone Server", birth_date=date(1970, 5, 5), sex=Sex.MALE),
            protocol_id="seed-1997",
            today=TODAY,
        )
    window = _window(qtbot, None, Settings(tmp_path / "s.ini"))
    said = answer_passwords(qtbot, [PASSWORD])
    assert window.connect_server(url) is None  # the prompt, as at the start
    closing.append(window.store)
    assert len(said) == 1 and said[0].startswith(f"The {describe(url)} asks for your password.")
    assert window.open_patient("G1")
    view = window.view
    own_server.stop("fast")
    try:
        enter(qtbot, view, days_ago=1, trough="7.4")
        line = window.status_line.text()
        assert f"the connection to the {describe(url)} was lost" in line.lower()
        assert "\n" not in line and window.statusBar().currentMessage() == ""
        assert view.trough_edit.text() == "7.4"
        panel = view.course_panel
        qtbot.keyClicks(panel.weight_edit, "70 kg")
        qtbot.mouseClick(panel.weight_button, Qt.MouseButton.LeftButton)
        assert window.status_line.text() == line  # the same line, the weight kept too
        assert window.statusBar().currentMessage() == ""
        assert panel.weight_edit.text() == "70 kg"
    finally:
        own_server.start()
    store = window.store
    qtbot.waitUntil(
        lambda: window.statusBar().currentMessage().startswith("Connected again"), timeout=15000
    )
    assert window.store is store  # the same store: what it knows of G1 is kept
    assert window.status_line.text() == ""  # the refusal is not left standing
    qtbot.keyClick(view.trough_edit, Qt.Key.Key_Return)
    assert window.statusBar().currentMessage() == "Saved 1 result(s) of 2026-01-19"
    qtbot.mouseClick(panel.weight_button, Qt.MouseButton.LeftButton)
    assert window.statusBar().currentMessage() == "Saved. Recorded the weight"
    with Store(server=url, protocol_for=load_protocol, password=PASSWORD) as check:
        record = check.load("G1")
        assert [o.value.magnitude for o in record.observations] == [7.4]
        assert [w.value.magnitude for w in record.weights] == [70.0]


def test_a_search_while_the_server_is_away_is_said_in_the_status_bar_not_a_box(
    qtbot, own_server, tmp_path, closing, monkeypatch
):
    """A read that meets the server gone (here: search as you type) reaches the error handler
    of the window (ui.app): one line in the status bar, no message box."""
    from tacrocalc.ui import app as ui_app

    url = own_server.ward_url
    store = Store(server=url, protocol_for=load_protocol, password=PASSWORD)
    closing.append(store)
    window = _window(qtbot, store, Settings(tmp_path / "s.ini"))
    monkeypatch.setattr(main_window, "RECONNECT_S", (60,))  # not during this test
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: shown.append(args[1:]))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    ui_app.install_error_handler(tmp_path, store.explain, window.tell_store_error)
    own_server.stop("fast")
    try:
        with qtbot.capture_exceptions() as raised:
            qtbot.keyClicks(window.patients.search_edit, "g")
        assert raised, "the search did not meet the server gone"
        sys.excepthook(*raised[0])
    finally:
        own_server.start()
        log = ui_app.error_log(tmp_path / "tacrocalc.log")
        for handler in list(log.handlers):
            log.removeHandler(handler)
            handler.close()
        ui_app.error_log.cache_clear()
    assert shown == []
    said = window.status_line.text()
    assert f"the connection to the {describe(url)} was lost" in said.lower() and "\n" not in said
    assert window._reconnect_timer.isActive()


# -- File → Ward server… -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "words"),
    [
        ("mysql://ward/db", 'a postgresql:// address and it starts with "mysql://"'),
        ("db.ward.example", 'a postgresql:// address and "db.ward.example" is not one'),
        ("postgresql://drjones:s3cret@db.ward.example/tacrocalc", "it holds a password"),
        ("postgresql://drjones@db.ward.example/tacrocalc?password=s3cret", "holds a password"),
        ("postgresql://drjones@db.ward.example/tacrocalc?colour=blue", "cannot be read"),
        ("", "Ward server address: empty"),
    ],
)
def test_the_dialog_refuses_an_address_saying_why_and_saves_nothing(
    qtbot, window, settings, tmp_path, monkeypatch, address, words
):
    shown = choose_in_dialog(monkeypatch, window, address, None)
    before = window.store
    window.choose_store()
    error = shown[0].error_label.text()
    assert error.startswith("Ward server address: ") and words in error
    assert "s3cret" not in error  # a password is never repeated
    assert shown[0].error_label.isVisible()
    assert window.store is before and not window.server_label.isVisible()
    assert settings.get("ward/server") == ""
    assert (
        "s3cret" not in (tmp_path / "s.ini").read_text() if (tmp_path / "s.ini").exists() else True
    )


def test_the_settings_refuse_an_address_with_a_password(settings, tmp_path):
    with pytest.raises(ValueError, match="holds a password"):
        settings.set("ward/server", "postgresql://drjones:s3cret@db/tacrocalc")
    assert settings.get("ward/server") == ""


def test_the_dialog_moves_the_window_to_the_ward_server_and_back(
    qtbot, ward, window, store, settings, tmp_path, monkeypatch, closing
):
    """What is typed for the patient on screen is settled first, as before another patient;
    the old store is closed; the address is saved for the next start; back to the folder."""
    store.save_patient(
        Patient(id="L1", name="Local Only", birth_date=date(1990, 2, 2), sex=Sex.MALE),
        protocol_id="seed-1997",
        today=TODAY,
    )
    window.patients.refresh()
    window.data_folder = store.folder
    assert window.open_patient("L1")
    qtbot.keyClicks(window.view.trough_edit, "9.9")
    asked = []

    def discard(box):
        asked.append(box.text())
        return next(b for b in box.buttons() if b.text() == "Discard")

    monkeypatch.setattr(window, "_ask", discard)
    choose_in_dialog(monkeypatch, window, ward["clinician"])
    window.choose_store()
    closing.append(window.store)
    assert (
        asked
        and "For Local Only (L1), these are typed but not added: trough 9.9\u00a0µg/L" in asked[0]
    )
    assert window.store.on_server and window.store.server == ward["clinician"]
    assert window.server_label.text() == f"Ward server: {describe(ward['clinician'])}"
    assert window.statusBar().currentMessage().startswith("Now on the ward database")
    assert [
        window.patients.model.patient_id(r) for r in range(window.patients.model.rowCount())
    ] == ["H1"]
    assert window.right.currentWidget() is window.welcome_label  # L1 is not shown over H1's store
    assert settings.get("ward/server") == ward["clinician"]
    assert Settings(tmp_path / "s.ini").get("ward/server") == ward["clinician"]
    with pytest.raises(sqlite3.ProgrammingError):  # the data folder's store was closed
        store.list_patients()
    # and back to this computer's data folder
    choose_in_dialog(monkeypatch, window, FOLDER)
    window.choose_store()
    closing.append(window.store)
    assert not window.store.on_server and window.store.folder == store.folder
    assert not window.server_label.isVisible()
    assert settings.get("ward/server") == ""
    assert window.statusBar().currentMessage().startswith("Now on this computer's data folder")
    assert window.store.load("L1").observations == ()  # the 9.9 typed was discarded, as asked


def test_a_server_that_cannot_be_reached_is_said_in_the_dialog_and_the_store_stays(
    qtbot, window, settings, monkeypatch
):
    shown = choose_in_dialog(
        monkeypatch, window, "postgresql://nobody@/nodb?host=/nonexistent", None
    )
    before = window.store
    window.choose_store()
    assert shown[0].error_label.text().startswith("Could not reach the ward database nodb")
    assert window.store is before
    assert settings.get("ward/server") == ""


def test_the_password_is_asked_again_when_wrong_and_kept_in_memory_only(
    qtbot, own_server, window, settings, tmp_path, monkeypatch, closing
):
    url = own_server.ward_url
    said = answer_passwords(qtbot, ["wrong-one", PASSWORD])
    choose_in_dialog(monkeypatch, window, url)
    window.choose_store()
    closing.append(window.store)
    where = describe(url)
    assert said[0].startswith(f"The {where} asks for your password.")
    assert said[1].startswith(f"The {where} did not accept that password: type it again.")
    assert "never written to disk" in said[0]
    assert window.store.on_server and window.server_label.text() == f"Ward server: {where}"
    assert settings.get("ward/server") == url
    assert PASSWORD not in (tmp_path / "s.ini").read_text()
    assert window._password == (url, PASSWORD)  # for this session's new connections


def test_cancelling_the_password_keeps_the_store_open(
    qtbot, own_server, window, monkeypatch, settings
):
    shown = choose_in_dialog(monkeypatch, window, own_server.ward_url, None)
    answer_passwords(qtbot, [None])
    before = window.store
    window.choose_store()
    assert window.store is before
    assert "asks for a password" in shown[0].error_label.text()
    assert settings.get("ward/server") == ""


# -- the start ---------------------------------------------------------------------------------


def _start(qtbot, monkeypatch, tmp_path, url, answers):
    from tacrocalc.ui import app as ui_app

    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: told.append(args[2]))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # build_gui installs its own
    said = answer_passwords(qtbot, answers)
    _app, window = ui_app.build_gui(
        ["tacrocalc"], str(tmp_path / "data"), settings=Settings(tmp_path / "s.ini"), server=url
    )
    qtbot.addWidget(window)
    return window, said, told


def test_at_the_start_the_server_asks_for_the_password_and_the_window_opens_on_it(
    qtbot, own_server, tmp_path, monkeypatch, closing
):
    url = own_server.ward_url
    window, said, told = _start(qtbot, monkeypatch, tmp_path, url, [PASSWORD])
    qtbot.waitUntil(lambda: window.ready, timeout=10000)
    closing.append(window.store)
    assert said and said[0].startswith(f"The {describe(url)} asks for your password.")
    assert told == []
    assert window.store.on_server and window.server_label.isVisible()


def test_at_the_start_cancel_opens_the_calculator_alone_with_the_reason(
    qtbot, own_server, tmp_path, monkeypatch
):
    from tacrocalc.ui.calculator import CalculatorWindow

    window, said, told = _start(qtbot, monkeypatch, tmp_path, own_server.ward_url, [None])
    qtbot.waitUntil(lambda: window.fallback is not None, timeout=10000)
    assert len(said) == 1  # asked once, then cancelled
    qtbot.addWidget(window.fallback)
    assert isinstance(window.fallback, CalculatorWindow)
    assert window.store is None
    assert told[0].startswith(f"The {describe(own_server.ward_url)} asks for a password")
    assert "The regimen calculator still works" in told[0]


def test_the_saved_server_is_used_at_the_next_start_after_the_command_line(tmp_path):
    """Read at start without Qt when the settings file names none; --data-dir and
    TACROCALC_SERVER win over it (tacrocalc.app)."""
    config = tmp_path / "config"
    code = """
import sys
from tacrocalc.ui.ward import saved_server
first = saved_server()
print(first, "PySide6" in sys.modules)
from tacrocalc.ui.settings import Settings
Settings().set("ward/server", "postgresql://dr@db.ward.example/tacrocalc?sslmode=verify-full")
print(saved_server())
"""
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(config),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.stdout.splitlines() == [
        "None False",
        "postgresql://dr@db.ward.example/tacrocalc?sslmode=verify-full",
    ], done.stderr
    assert (config / "TacroCalc" / "TacroCalc.conf").exists()


SAVED = "postgresql://saved@db.ward.example/tacrocalc"


@pytest.mark.parametrize(
    ("argv", "variable", "expected"),
    [
        ([], None, SAVED),
        (["--data-dir", "/tmp/d"], None, None),
        ([], "postgresql://variable@/w", "postgresql://variable@/w"),
        (["--server", "postgresql://given@/w"], None, "postgresql://given@/w"),
    ],
)
def test_the_command_line_and_the_variable_win_over_the_saved_server(
    monkeypatch, argv, variable, expected
):
    from tacrocalc import app
    from tacrocalc.ui import app as ui_app
    from tacrocalc.ui import ward

    started = []
    monkeypatch.setattr(ward, "saved_server", lambda: SAVED)
    monkeypatch.setattr(ui_app, "run_gui", lambda *a, **k: started.append(k["server"]) or 0)
    if variable:
        monkeypatch.setenv("TACROCALC_SERVER", variable)
    assert app.main(argv) == 0
    assert started == [expected]
