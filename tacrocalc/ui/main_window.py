"""The main window: the patient list beside the open patient."""

from __future__ import annotations

import typing
from collections.abc import Callable
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QModelIndex,
    QObject,
    QSize,
    QSocketNotifier,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from tacrocalc.ui.models import PatientListModel
from tacrocalc.ui.settings import Settings
from tacrocalc.ui.widgets import ERROR_STYLE

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent

    from tacrocalc.domain.protocol import Protocol
    from tacrocalc.records.store import Store, StoreError, Written
    from tacrocalc.ui.patient_view import PatientView

# The clinical core and the patient store are imported where first needed: `tacrocalc` opens
# the store before building this window, and loads the core before it when the last patient
# is reopened, else once the list is painted (tacrocalc.ui.app.build_gui).

PREFERRED_SIZE = QSize(1560, 900)  # the patient view with room to read; smaller screens: maximised

# A patient file is JSON; ".tacrocalc" is the name the installers associate with TacroCalc.
PATIENT_FILES = "TacroCalc patient files (*.tacrocalc *.json)"

# After a lost connection to the ward server, the window connects again after these many
# seconds, then every last one of them until the server is back.
RECONNECT_S = (2, 5, 15, 30)
# A refusal in the status bar wraps on up to this many lines; the server's name on two, beside
# it, at most this wide (a unix socket's folder or a long host name).
STATUS_LINES = 3
SERVER_LABEL_WIDTH = 520
QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's "no maximum"
# How often the window looks whether a connection tried in the background has answered, and
# waits for a dialog to close before showing a change made on another workstation.
POLL_MS = 50
AFTER_DIALOG_MS = 250


class PatientList(QWidget):
    """Search as you type (id or name, case and accents ignored), then open."""

    def __init__(self, store: Store | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("search_edit")
        self.search_edit.setAccessibleName("Search patients by id or name")
        self.search_edit.setPlaceholderText("Search id or name  (Ctrl+F)")
        self.search_edit.setClearButtonEnabled(True)
        self.model = PatientListModel()
        self.list_view = QListView()
        self.list_view.setObjectName("patient_list")
        self.list_view.setAccessibleName("Patients")
        self.list_view.setModel(self.model)
        self.list_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list_view.setTextElideMode(Qt.TextElideMode.ElideRight)  # the whole line on hover
        # One line of text each: laid out from the first row's size, not by asking every
        # patient's text (hundreds of calls into Python at the start)
        self.list_view.setUniformItemSizes(True)
        self.new_button = QPushButton("&New patient")
        self.new_button.setObjectName("new_button")
        self.import_button = QPushButton("&Import…")
        self.import_button.setObjectName("import_button")
        self.export_button = QPushButton("Export fi&le…")
        self.export_button.setObjectName("export_file_button")
        buttons = QGridLayout()  # two rows: the list stays narrow on a 1024-pixel screen
        buttons.addWidget(self.new_button, 0, 0, 1, 2)
        buttons.addWidget(self.import_button, 1, 0)
        buttons.addWidget(self.export_button, 1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.list_view, 1)
        layout.addLayout(buttons)
        self.search_edit.textChanged.connect(self._on_search_edit_text_changed)
        self.search_edit.returnPressed.connect(self._on_search_edit_return_pressed)
        self._shown: str | None = None  # the patient on screen, highlighted when listed
        self.refresh()

    def refresh(self) -> None:
        if self._store is not None:
            self.model.set_patients(self._store.search(self.search_edit.text(), limit=500))
            self.select(self._shown)

    def select(self, patient_id: str | None) -> None:
        """Highlight the patient on screen (None: no patient), whatever row was clicked last;
        nothing highlighted when the search leaves it out."""
        self._shown = patient_id
        rows = range(self.model.rowCount())
        row = next((r for r in rows if self.model.patient_id(r) == patient_id), None)
        if row is None or patient_id is None:
            self.list_view.selectionModel().clearSelection()
            self.list_view.setCurrentIndex(QModelIndex())
        else:
            self.list_view.setCurrentIndex(self.model.index(row))

    def _on_search_edit_text_changed(self, _text: str) -> None:
        self.refresh()

    def _on_search_edit_return_pressed(self) -> None:
        if self.model.rowCount() >= 1:
            self.list_view.setCurrentIndex(self.model.index(0))
            self.list_view.activated.emit(self.model.index(0))


class StatusLine(QLabel):
    """A refusal in the status bar, wrapped on up to three lines beside the server's name (the
    whole sentence in its tooltip too: a lost connection's names the server and libpq's
    reason). Its height does not follow its width, so showing it
    never resizes the window."""

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setStyleSheet(ERROR_STYLE)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setText("")

    def hasHeightForWidth(self) -> bool:
        return False

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(text)
        # No height while empty: the status bar is as tall as its tallest widget, hidden or not.
        self.setFixedHeight(STATUS_LINES * self.fontMetrics().lineSpacing() + 2 if text else 0)
        self.setVisible(bool(text))

    def clear(self) -> None:
        self.setText("")


class Listener(typing.Protocol):
    """What `Store.listen` gives on the ward server (records.server.Listener)."""

    def fileno(self) -> int: ...

    def changed(self) -> set[str]: ...

    def close(self) -> None: ...


class Probe:
    """Whether the ward server is back, asked off the window's thread: a new connection that
    listens for changes (`Store.listen`), which may wait up to the connect timeout on a network
    that does not answer. The window looks at `done` every POLL_MS; the thread touches nothing
    of Qt's and nothing of the store's own connection."""

    def __init__(self, store: Store) -> None:
        import threading

        self.store = store
        self.listener: Listener | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="tacrocalc-probe", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self.listener = self.store.listen()
        except BaseException as error:  # told on the window's thread
            self.error = error

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    def discard(self) -> None:
        """The answer is not wanted any more (another store, the window closed): a connection
        made is closed once it is."""
        import threading

        def close() -> None:
            self._thread.join()
            if self.listener is not None:
                self.listener.close()

        threading.Thread(target=close, name="tacrocalc-probe-close", daemon=True).start()


class MainWindow(QMainWindow):
    became_ready = Signal()  # the clinical core is loaded and the last patient open

    def __init__(
        self,
        store: Store | None,
        protocol_for: Callable[[str], Protocol],
        protocols: tuple[str, ...],
        settings: Settings,
        *,
        today: Callable[[], date] = date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("TacroCalc")
        self.store = store
        self._protocol_for = protocol_for
        self._protocols = protocols
        self.settings = settings
        self._today = today
        self.ready = False  # set once the clinical core is loaded (after the first paint)
        self.fallback: QWidget | None = None  # the calculator alone, when the store is damaged
        self.patients = PatientList(store)
        self.patients.setObjectName("patients")
        self._view: PatientView | None = None  # built when a patient is first opened
        self.welcome_label = QLabel(
            "<h2>No patient open</h2><p>Search for a patient on the left (Ctrl+F) and press "
            "Enter, open the last patient (Ctrl+L), add a new patient (Ctrl+N) or import a "
            "patient file (Ctrl+I).</p><p>Every entry is saved the moment it is accepted.</p>"
        )
        self.welcome_label.setObjectName("welcome_label")
        self.welcome_label.setWordWrap(True)
        self.welcome_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.right = QStackedWidget()
        self.right.addWidget(self.welcome_label)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("splitter")
        self.splitter.addWidget(self.patients)
        self.splitter.addWidget(self.right)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([190, 1170])
        self.splitter.restoreState(QByteArray(settings.get("window/splitters")))
        self.setCentralWidget(self.splitter)
        self.statusBar().showMessage("Ready")
        # A read-only or full disk: said for as long as the window is on that store, beside the
        # messages that come and go; each write is refused with what to do (`_show_where`).
        self.read_only_label: QLabel | None = None
        if store is not None and store.read_only is None and store.notices:
            self.statusBar().showMessage(" ".join(store.notices))  # no daily backup made
        # A write the ward server refused or could not take, in its one sentence: wrapped, so
        # that it is read whole beside the server's name; the next message replaces it.
        self.status_line = StatusLine()
        self.status_line.setObjectName("status_line")
        self.statusBar().addWidget(self.status_line, 1)
        # Offered beside a write refused because another workstation changed the patient first.
        self.reload_button = QPushButton()
        self.reload_button.setObjectName("reload_button")
        self.reload_button.hide()
        self.reload_button.setMaximumHeight(0)  # hidden, it would still make the bar taller
        self.reload_button.clicked.connect(self._on_reload_button_clicked)
        self.statusBar().addWidget(self.reload_button)
        self._stale: str | None = None  # the patient whose write was refused as stale
        self._stale_said = ""  # that refusal's sentence, as the panels show it beside a field
        self.statusBar().messageChanged.connect(self._on_status_bar_message_changed)
        # Where the patients are: shown while on the ward server ("Ward server: …").
        self.server_label = QLabel()
        self.server_label.setObjectName("server_label")
        self.server_label.setWordWrap(True)
        self.server_label.setMaximumWidth(SERVER_LABEL_WIDTH)
        self.statusBar().addPermanentWidget(self.server_label)
        self.data_folder: Path | None = None  # this computer's data folder (tacrocalc.ui.app)
        self._password: tuple[str, str] | None = None  # (server, password): in memory only
        self._reconnect_timer = QTimer(self)
        self._reconnect_timer.setSingleShot(True)
        self._reconnect_timer.timeout.connect(self._on_reconnect_timer_timeout)
        self._reconnect_tries = 0
        # On the ward server: what other workstations change, heard as it happens (`_listen`).
        self._listener: Listener | None = None
        self._notifier: QSocketNotifier | None = None
        self._heard: set[str] = set()  # patients changed, not yet shown (a dialog was open)
        self._heard_timer = QTimer(self)
        self._heard_timer.setSingleShot(True)
        self._heard_timer.timeout.connect(self._show_heard)
        # A new connection tried off the window's thread while the server is away (`Probe`).
        self._probe: Probe | None = None
        self._probe_timer = QTimer(self)
        self._probe_timer.setInterval(POLL_MS)
        self._probe_timer.timeout.connect(self._on_probe_timer_timeout)
        self._show_where()
        self._listen()

        self.patients.list_view.activated.connect(self._on_patient_list_activated)
        self.patients.list_view.clicked.connect(self._on_patient_list_activated)
        self.patients.new_button.clicked.connect(self.new_patient)
        self.patients.import_button.clicked.connect(self.import_files)
        self.patients.export_button.clicked.connect(self.export_file)
        self._make_menus()
        application = QApplication.instance()
        assert application is not None
        application.installEventFilter(self)  # the window's keys work in any field
        # Big enough for the patient view whatever was saved (it fits 1024×640); the saved
        # size and place when there is one; else the preferred size, or the whole screen when
        # the screen is smaller than that (`show_as_preferred`).
        self.setMinimumSize(960, 540)
        geometry = settings.get("window/geometry")
        self.first_start = not geometry or not self.restoreGeometry(QByteArray(geometry))
        if self.first_start:
            self.resize(PREFERRED_SIZE)

    def show_as_preferred(self) -> None:
        """Show the window: as it was left, or on a first start at its preferred size, or
        maximised when the screen is smaller than that."""
        screen = self.screen().availableGeometry().size()
        small = screen.width() < PREFERRED_SIZE.width() or screen.height() < PREFERRED_SIZE.height()
        if self.first_start and small:
            self.setGeometry(self.screen().availableGeometry())  # without a window manager too
            self.showMaximized()
        else:
            self.show()

    @property
    def view(self) -> PatientView:
        """The patient view, built the first time it is needed (it is not in the first paint)."""
        if self._view is None:
            from tacrocalc.ui.patient_view import PatientView

            view = PatientView(
                self.store,
                self._protocol_for,
                settings=self.settings,
                today=self._today,
            )
            view.setObjectName("patient_view")
            view.saved.connect(self._on_view_saved)
            view.edit_button.clicked.connect(self.edit_patient)
            view.plan_requested.connect(self._on_view_plan_requested)
            view.model.store_refused.connect(self._on_store_refused)
            view.columns.restoreState(QByteArray(self.settings.get("window/columns")))
            self.right.addWidget(view)
            self._view = view
        return self._view

    @property
    def patient_id(self) -> str | None:
        """The patient open, if any."""
        return self._view.patient_id if self._view is not None else None

    def attach_store(self, store: Store) -> None:
        """The patient store, once it is open (`tacrocalc` opens it after the first paint)."""
        self.store = store
        self.patients._store = store
        if self._view is not None:
            self._view._store = store
        self.patients.refresh()
        self._show_where()
        self._listen()

    def _has_store(self) -> bool:
        if self.store is None:
            self.statusBar().showMessage("Opening the patient data…")
            return False
        return True

    def _make_menus(self) -> None:
        def action(
            menu_name: str,
            text: str,
            slot: Callable[[], object],
            shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        ) -> QAction:
            item = QAction(text, self)
            if shortcut is not None:
                item.setShortcut(QKeySequence(shortcut))
                self._window_keys.add(item.shortcut().toString())
            item.triggered.connect(slot)
            menus[menu_name].addAction(item)
            return item

        self._window_keys: set[str] = set()  # the window's shortcuts, above any field's own
        menus = {name: self.menuBar().addMenu(name) for name in ("&File", "&Patient", "&Help")}
        action("&File", "&Open last patient", self.open_last_patient, "Ctrl+L")
        action("&File", "&Import patient files…", self.import_files, "Ctrl+I")
        # Enabled while a patient is open (`open_patient`): there is nothing to export before.
        self.patient_actions = (
            action("&File", "&Export patient file…", self.export_file),
            action(
                "&File",
                "Export &plan…",
                lambda: self._on_view_plan_requested("export"),
                "Ctrl+Shift+E",
            ),
            action(
                "&File",
                "&Print plan…",
                lambda: self._on_view_plan_requested("print"),
                QKeySequence.StandardKey.Print,
            ),
        )
        for item in self.patient_actions:
            item.setEnabled(False)
        action("&File", "&Ward server…", self.choose_store)
        action("&File", "&Settings…", self.edit_settings, "Ctrl+,")
        action("&File", "&Quit", self.close, QKeySequence.StandardKey.Quit)
        action("&Patient", "&Find patient", self.focus_search, QKeySequence.StandardKey.Find)
        action("&Patient", "&New patient…", self.new_patient, QKeySequence.StandardKey.New)
        action("&Patient", "&Add observation", lambda: self.view.focus_quick_entry(), "Ctrl+E")
        # The patient as stored now (what another workstation changed), what is typed kept:
        # the reload offered beside a stale write, and at any time.
        action("&Patient", "&Reload patient", self._on_reload_button_clicked, "F5")
        action("&Help", "&About TacroCalc", self._about)

    # -- patients -----------------------------------------------------------------------------

    def _settle_typed_entry(self, patient_id: str) -> bool:
        """Before another patient is opened (or another store: `patient_id` ""), what is typed
        and not yet added for the patient on screen is added to that patient, discarded, or
        kept by staying: never carried to the next patient. True when the other patient may be
        opened."""
        from PySide6.QtWidgets import QMessageBox

        from tacrocalc.present.entry import unfiled_question

        current = self.view.patient_id
        typed = self.view.typed_entry()  # only what would be filed: never a date or time alone
        if current is None or current == patient_id or not typed:
            return True
        record = self.view.model.record
        name = record.patient.name if record is not None else ""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Results not yet added")
        box.setText(unfiled_question(name, current, typed))
        add = box.addButton(f"Add to {current}", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        stay = box.addButton("Stay", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(stay)
        box.setEscapeButton(stay)
        clicked = self._ask(box)
        if clicked is add:
            return self.view.add_typed_entry()  # refused: stays, with the reason shown
        return clicked is discard

    def _ask(self, box: Any) -> Any:
        """Show a question box and return the button clicked (a seam for tests)."""
        box.exec()
        return box.clickedButton()

    def open_patient(self, patient_id: str) -> bool:
        opened = self._open_patient(patient_id)
        # The list shows the patient on screen, not the one clicked and not opened (Stay, an
        # Add refused, a patient that could not be read).
        self.patients.select(self.patient_id if self._view is not None else None)
        return opened

    def _open_patient(self, patient_id: str) -> bool:
        if not self._has_store() or not self._settle_typed_entry(patient_id):
            return False
        if not self.view.open_patient(patient_id):
            return False
        self.right.setCurrentWidget(self.view)
        for item in self.patient_actions:
            item.setEnabled(True)
        self.settings.set("session/last_patient", patient_id)
        self.statusBar().showMessage(f"Opened {patient_id}")
        return True

    def open_last_patient(self) -> bool:
        last = self.settings.get("session/last_patient")
        return bool(last) and self.open_patient(last)

    def focus_search(self) -> None:
        self.patients.search_edit.setFocus()
        self.patients.search_edit.selectAll()

    def _on_patient_list_activated(self, index: object) -> None:
        row = self.patients.list_view.currentIndex().row()
        if row >= 0:
            self.open_patient(self.patients.model.patient_id(row))

    def new_patient(self) -> None:
        from tacrocalc.ui.dialogs import PatientDialog

        if not self._has_store():
            return
        assert self.store is not None
        dialog = PatientDialog(
            self._protocols,
            self.settings.get("protocol/default"),
            today=self._today(),
            units=self.settings.units(),
            parent=self,
        )
        while dialog.exec():
            patient = dialog.patient()
            if self.store.exists(patient.id):
                dialog.error_label.setText(f'Patient id: "{patient.id}" is already here.')
                continue
            written = self._write(
                partial(
                    self.store.save_patient,
                    patient,
                    protocol_id=dialog.protocol_id,
                    target=dialog.target,
                    today=self._today(),
                )
            )
            if written.ok:
                self.patients.refresh()
                self.open_patient(patient.id)
                self._on_view_saved(f"Saved the new patient {patient.id}")
                return
            dialog.show_issues(written.issues)

    def edit_patient(self) -> None:
        from tacrocalc.ui.dialogs import PatientDialog

        if not self._has_store():
            return
        assert self.store is not None
        record = self.store.load(self.patient_id or "")
        if record is None:
            return
        target = record.target_trough
        dialog = PatientDialog(
            self._protocols,
            self.settings.get("protocol/default"),
            patient=record.patient,
            protocol_id=record.protocol_id,
            today=self._today(),
            target=target,
            units=self.settings.units(),
            parent=self,
        )
        while dialog.exec():
            written = self._write(
                partial(
                    self.store.save_patient,
                    dialog.patient(),
                    protocol_id=dialog.protocol_id,
                    target=dialog.target,
                    today=self._today(),
                )
            )
            if written.ok:
                self.patients.refresh()
                self.open_patient(record.patient.id)
                self._on_view_saved("Saved the patient's details")
                return
            dialog.show_issues(written.issues)

    def import_files(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        names, _ = QFileDialog.getOpenFileNames(
            self,
            "Import patient files",
            self.settings.get("files/last_folder"),
            PATIENT_FILES,
        )
        for name in names:
            self.import_file(Path(name), ask=True)

    def import_file(self, path: Path, *, ask: bool, replace: bool = False) -> str:
        """Import one patient file; an id already here needs the user's decision."""
        from PySide6.QtWidgets import QMessageBox

        from tacrocalc.present.words import message
        from tacrocalc.records.patient_file import PatientFileError, read_file

        if not self._has_store():
            return "no store"
        assert self.store is not None
        self.settings.set("files/last_folder", str(path.parent))
        try:
            record = read_file(path, protocol_for=self._protocol_for, today=self._today())
        except PatientFileError as error:
            text = message(error.issue, self.settings.units())  # it names the file
            QMessageBox.warning(self, "Not imported", text)
            return text
        if self.store.exists(record.patient.id) and ask:
            answer = QMessageBox.question(
                self,
                "Patient already here",
                f"{record.patient.id} ({record.patient.name}) is already on this workstation. "
                "Replace the record here with the one in the file? The record replaced stays "
                "in the history.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            replace = answer == QMessageBox.StandardButton.Yes
            if not replace:
                return "kept"
        written = self._write(partial(self.store.import_record, record, replace=replace))
        if not written.ok:
            return message(written.issues[0], self.settings.units())
        self.patients.refresh()
        self.open_patient(record.patient.id)
        self._on_view_saved(f"Imported {record.patient.id}")
        return "imported"

    def _save_folder(self) -> Path:
        """Where a file dialog opens to save: the folder last used, while it exists; else the
        user's documents folder, else home. Never the program's working folder, where a
        dialog given a folder that does not exist would open instead."""
        from PySide6.QtCore import QStandardPaths

        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        for folder in (self.settings.get("files/last_folder"), documents, str(Path.home())):
            if folder and Path(folder).is_dir():
                return Path(folder)
        return Path.home()

    def export_file(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        from tacrocalc.records.files import write_atomic

        pid = self.patient_id
        if pid is None or self.store is None:
            return
        name, _ = QFileDialog.getSaveFileName(
            self,
            "Export patient file",
            str(self._save_folder() / f"{pid}.tacrocalc"),
            PATIENT_FILES,
        )
        if name:
            text = self.store.export_text(pid)
            assert text is not None
            write_atomic(Path(name), text.encode("utf-8"))
            self.settings.set("files/last_folder", str(Path(name).parent))
            self.statusBar().showMessage(f"Exported {pid} to {name}")

    # -- the plan ----------------------------------------------------------------------------

    def plan_bytes(self) -> bytes | None:
        pid = self.patient_id
        record = self.store.load(pid) if pid and self.store is not None else None
        if record is None:
            return None
        from tacrocalc.domain.assessment import assess
        from tacrocalc.report import plan_pdf

        assessment = assess(record, self._protocol_for(record.protocol_id), self._today())
        return plan_pdf(
            assessment,
            generated_at=datetime.now().astimezone(),  # the ward's local time, on the plan
            paper=self.settings.get("report/paper"),
            units=self.settings.units(),  # the plan shows what the screen shows (R1.4)
        )

    def _on_view_plan_requested(self, what: str) -> None:
        from PySide6.QtWidgets import QFileDialog

        from tacrocalc.records.files import write_atomic

        pdf = self.plan_bytes()
        if pdf is None:
            self.statusBar().showMessage("Open a patient first")
            return
        if what == "export":
            file_name = f"plan-{self.patient_id}-{self._today().isoformat()}.pdf"
            name, _ = QFileDialog.getSaveFileName(
                self,
                "Export the monitoring plan",
                str(self._save_folder() / file_name),
                "PDF (*.pdf)",
            )
            if name:
                write_atomic(Path(name), pdf)
                self.settings.set("files/last_folder", str(Path(name).parent))
                self.statusBar().showMessage(f"Wrote the plan to {name}")
            return
        from tacrocalc.ui.printing import PdfPages, printer_for

        pages = PdfPages(pdf, self)
        printer = printer_for(self.settings.get("report/paper"))
        from PySide6.QtPrintSupport import QPrintPreviewDialog

        preview = QPrintPreviewDialog(printer, self)
        preview.paintRequested.connect(pages.paint)
        # The preview shows the very pages of the PDF; its Print button opens the system's
        # print dialog.
        if preview.exec():
            self.statusBar().showMessage("Sent the plan to the printer")

    # -- the store: this computer's data folder or the ward server ----------------------------

    def _show_where(self) -> None:
        """The status bar's permanent labels: which ward server the patients are on, and
        whether the store open can only be read (a read-only or full disk)."""
        from tacrocalc.present.ward import status

        on_server = self.store is not None and self.store.on_server
        self.server_label.setText(status(self.store.where) if on_server else "")  # type: ignore[union-attr]
        self.server_label.setVisible(on_server)
        read_only = self.store.read_only if self.store is not None else None
        if read_only is not None and self.read_only_label is None:
            self.read_only_label = QLabel()
            self.read_only_label.setObjectName("read_only_label")
            self.read_only_label.setStyleSheet(ERROR_STYLE)
            self.statusBar().addPermanentWidget(self.read_only_label)
        if self.read_only_label is not None:
            self.read_only_label.setText(read_only.status if read_only is not None else "")
            self.read_only_label.setVisible(read_only is not None)

    def _on_status_bar_message_changed(self, text: str) -> None:
        if text:  # a newer message ("Saved …", "Opened …") replaces a refusal
            self.status_line.clear()
            self._offer_reload(None)

    def _write(self, action: Callable[[], Written]) -> Written:
        """A write of the window's own (a new patient, details, an import): one the ward server
        refuses or cannot take is told in the status bar and returned refused."""
        from tacrocalc.ui.open_patient import refused, server_refusal

        assert self.store is not None
        try:
            return action()
        except Exception as error:
            refusal = server_refusal(self.store, error)
            if refusal is None:
                raise
            self._on_store_refused(refusal)
            return refused(refusal)

    def tell_store_error(self, error: Exception) -> bool:
        """An error of the ward server met anywhere in the window (a search, opening a
        patient): told in the status bar in one line, with a new connection tried as after a
        refused write. False for any other error (told in a message box)."""
        from tacrocalc.records.store import ReadOnlyRole, ServerUnavailable

        if self.store is None or not self.store.on_server:
            return False
        if not isinstance(error, ReadOnlyRole | ServerUnavailable):
            return False
        self._on_store_refused(error)
        return True

    def _on_store_refused(self, error: StoreError) -> None:
        """A write refused, or the server lost: one line in the status bar. A patient another
        workstation changed first is offered to be reloaded; after a lost connection the
        server is looked for again (2, 5, 15, then every 30 s)."""
        from tacrocalc.records.store import ServerUnavailable, StaleRecord

        self.statusBar().clearMessage()
        self.status_line.setText(str(error))
        self._offer_reload(error if isinstance(error, StaleRecord) else None)
        if isinstance(error, ServerUnavailable):
            self._stop_listening()  # changes made meanwhile are not heard: read again when back
            if not self._reconnect_timer.isActive() and self._probe is None:
                self._reconnect_tries = 0
                self._reconnect_timer.start(RECONNECT_S[0] * 1000)

    # Retrying a write: the window keeps what is typed and looks for the server again, but
    # never writes by itself. A write cut off while it was being saved may have been committed
    # or not (the store cannot tell); so once the server is back the patient on screen is read
    # again, and the user, who sees it as stored now, adds what is typed again (Enter, Add).

    def _on_reconnect_timer_timeout(self) -> None:
        """Whether the ward server is back, asked off the window's thread (`Probe`): the window
        keeps turning while a connection waits for a server that does not answer."""
        store = self.store
        if store is None or not store.on_server or self._probe is not None:
            return
        self._probe = Probe(store)
        self._probe_timer.start()

    def _on_probe_timer_timeout(self) -> None:
        """The server answered, or not. Back: the store connects again by itself on its next
        use (records.server, with the password it was opened with) and keeps what it knows of
        the patient open; the window listens again and reads again what it shows, since
        changes made meanwhile were not heard. Away: tried again later, the line said stays."""
        from tacrocalc.present.ward import connected_again, connected_again_with_patient
        from tacrocalc.ui.open_patient import server_refusal

        probe = self._probe
        if probe is None or not probe.done:
            return
        self._probe_timer.stop()
        self._probe = None
        store = self.store
        if store is not probe.store:  # another store was chosen meanwhile
            probe.discard()
            return
        if probe.error is not None:
            if not isinstance(probe.error, Exception) or server_refusal(store, probe.error) is None:
                raise probe.error
            self._reconnect_tries += 1
            delay = RECONNECT_S[min(self._reconnect_tries, len(RECONNECT_S) - 1)]
            self._reconnect_timer.start(delay * 1000)
            return
        assert probe.listener is not None
        self._use_listener(probe.listener)
        if not self._read_again():
            return  # gone again: said, and looked for again
        pid = self.patient_id
        self.statusBar().showMessage(
            connected_again_with_patient(pid) if pid else connected_again(store.where)
        )

    def _read_again(self, patient_id: str | None = None) -> bool:
        """The list, and the patient on screen (when it is `patient_id`, if given), as stored
        now, what is typed kept; False when the server could not be read (said in the status
        bar, and the server looked for again)."""
        from tacrocalc.records.store import StoreError

        try:
            self.patients.refresh()
            shown = self._view.patient_id if self._view is not None else None
            if self._view is not None and shown is not None and patient_id in (None, shown):
                self._view.refresh()
        except Exception as error:
            told = self.store.explain(error) if self.store is not None else None
            if not isinstance(told, StoreError) or not self.tell_store_error(told):
                raise
            return False
        return True

    # -- changes made on other workstations ----------------------------------------------------

    def _listen(self) -> None:
        """Listen for changes to the ward's patients, on a connection of its own; nothing to
        hear on this computer's data folder (one user's)."""
        from tacrocalc.records.store import StoreError

        self._stop_listening()
        if self.store is None or not self.store.on_server:
            return
        try:
            listener = self.store.listen()
        except StoreError as error:
            self._on_store_refused(error)
            return
        if listener is not None:
            self._use_listener(listener)

    def _use_listener(self, listener: Listener) -> None:
        self._stop_listening()
        self._listener = listener
        self._notifier = QSocketNotifier(listener.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_notifier_activated)

    def _stop_listening(self) -> None:
        if self._notifier is not None:
            self._notifier.setEnabled(False)  # before its socket is closed
            self._notifier.deleteLater()
            self._notifier = None
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def _on_notifier_activated(self, *_args: object) -> None:
        from tacrocalc.records.store import ServerUnavailable, StoreError

        if self._listener is None:
            return
        try:
            self._heard |= self._listener.changed()
        except StoreError as lost:  # the connection lost: said, and the server looked for
            said = self.status_line.text()  # a write's refusal that says it already stays
            self._on_store_refused(ServerUnavailable(said) if said else lost)
            return
        if self._heard:
            self._show_heard()

    def _show_heard(self) -> None:
        """Show the changes heard: the list, and the patient on screen when its version is no
        longer the one shown (the window's own writes are shown already). What is typed stays.
        While a dialog is open, its work is based on the patient as it was: the change is
        shown when it closes, and a write from it is refused as stale, offering to reload."""
        from tacrocalc.present.ward import changed_elsewhere
        from tacrocalc.records.store import StoreError

        if not self._heard or self.store is None:
            return
        if QApplication.activeModalWidget() is not None:
            self._heard_timer.start(AFTER_DIALOG_MS)
            return
        heard, self._heard = self._heard, set()
        pid = self.patient_id
        try:
            self.patients.refresh()
            shown = pid in heard and self._view is not None and self._view.model.reload_if_changed()
        except Exception as error:
            told = self.store.explain(error)
            if not isinstance(told, StoreError) or not self.tell_store_error(told):
                raise
            return
        if shown:  # as a reload would: a stale refusal of this patient is no longer true
            self._forget_stale_refusal()
            self.statusBar().showMessage(changed_elsewhere(pid or ""))

    # -- a write based on an older version of the patient ---------------------------------------

    def _offer_reload(self, error: StoreError | None) -> None:
        """Offer to reload the patient a stale write was for (None: no longer offered): a
        button beside the line, also pressed by F5 (Patient → Reload patient). Over a dialog,
        whose write it was, the offer is a question on top of it."""
        from tacrocalc.present.ward import reload_button

        self._stale = getattr(error, "patient_id", None)
        if error is not None and self._stale is not None:
            self._stale_said = str(error).removeprefix("Not saved: ")
        self.reload_button.setText(reload_button(self._stale) if self._stale else "")
        self.reload_button.setVisible(self._stale is not None)
        self.reload_button.setMaximumHeight(QWIDGETSIZE_MAX if self._stale is not None else 0)
        if self._stale is not None:  # looked at once the dialog (if any) is open again
            QTimer.singleShot(0, partial(self._ask_reload, str(error), self._stale))

    def _ask_reload(self, refusal: str, patient_id: str) -> None:
        """The offer to reload as a question over the dialog whose write was refused (the
        status bar cannot be reached while it is open); nothing when no dialog is open."""
        from PySide6.QtWidgets import QMessageBox

        from tacrocalc.present.ward import reload_question

        if self._stale != patient_id or QApplication.activeModalWidget() is None:
            return
        box = QMessageBox(QApplication.activeModalWidget() or self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Changed on another workstation")
        box.setText(reload_question(refusal, patient_id))
        reload = box.addButton(f"Reload {patient_id}", QMessageBox.ButtonRole.AcceptRole)
        later = box.addButton("Not now", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(reload)
        box.setEscapeButton(later)
        if self._ask(box) is reload:
            self.reload_patient(patient_id)

    def _on_reload_button_clicked(self) -> None:
        patient_id = self._stale or self.patient_id
        if patient_id is not None and self.store is not None:
            self.reload_patient(patient_id)

    def reload_patient(self, patient_id: str) -> None:
        """Read the patient again as stored now (the other workstation's change shown), with
        what is typed kept in its fields, to be added again on the new version."""
        from tacrocalc.present.ward import reloaded

        self._offer_reload(None)
        if not self._read_again(patient_id):
            return
        self._forget_stale_refusal()
        typed = self._view is not None and bool(self._view.typed_entry())
        self.statusBar().showMessage(reloaded(patient_id, typed=typed))

    def _forget_stale_refusal(self) -> None:
        """The refusal shown beside the fields ("… reload to see it") is no longer true once
        the patient is reloaded: taken away, the other refusals left."""
        said, self._stale_said = self._stale_said, ""
        if not said:
            return
        if self._view is not None:
            self._view.forget_refusal(said)  # the entry row's, kept with the refusals it shows
        for label in self.findChildren(QLabel):
            if said in label.text():
                kept = [line for line in label.text().split("\n") if said not in line]
                label.setText("\n".join(kept))
                if not kept and label.objectName() == "entry_error":
                    label.hide()

    def _ask_password(self, where: str, again: bool) -> str | None:
        from tacrocalc.ui.ward_dialog import ask_password

        return ask_password(self, where, again=again)

    def connect_server(self, url: str, needed: StoreError | None = None) -> StoreError | None:
        """Open the store on the ward server at `url` in place of the one open, asking for the
        password when the server wants one (`needed`: it already said so). None when it is
        open; else why not (the store open stays open)."""
        from tacrocalc.records.store import describe
        from tacrocalc.ui.ward import open_server

        where = describe(url)
        known = self._password[1] if self._password and self._password[0] == url else None
        store, error, password = open_server(
            url,
            self._protocol_for,
            lambda again: self._ask_password(where, again),
            password=known,
            needed=needed,
        )
        if store is None:
            return error
        self._password = (url, password) if password else None
        self._use_store(store)
        return None

    def _use_store(self, store: Store) -> None:
        """`store` in place of the one open, which is closed; no patient is open."""
        old = self.store
        self._reconnect_timer.stop()
        self._stop_listening()
        self._heard.clear()
        if self._probe is not None:  # its answer is about the store being closed
            self._probe.discard()
            self._probe = None
            self._probe_timer.stop()
        if self._view is not None:  # the patient of the other store is not shown over this one
            self.settings.set("window/columns", bytes(self._view.columns.saveState().data()))
            self.right.removeWidget(self._view)
            self._view.deleteLater()
            self._view = None
        self.right.setCurrentWidget(self.welcome_label)
        for item in self.patient_actions:
            item.setEnabled(False)
        self.patients.select(None)  # no patient on screen
        self.patients.search_edit.clear()
        self.attach_store(store)
        self.status_line.clear()
        self._offer_reload(None)
        if old is not None and old is not store:
            old.close()

    def choose_store(self) -> None:
        """File → Ward server…: this computer's data folder or the ward server, saved in the
        settings for the next start (never a password) and opened now in place of the store
        open. What is typed and not added is settled first, as before another patient."""
        import os

        from tacrocalc.paths import user_data_dir
        from tacrocalc.present.ward import now_on_folder, now_on_server, variable_wins
        from tacrocalc.records.store import Store, StoreError
        from tacrocalc.ui.ward import VARIABLE
        from tacrocalc.ui.ward_dialog import WardServerDialog

        folder = self.data_folder or user_data_dir(None)
        current = self.store.server if self.store is not None and self.store.server else ""
        dialog = WardServerDialog(
            current or self.settings.get("ward/server"),
            folder=str(folder),
            note=variable_wins(VARIABLE) if os.environ.get(VARIABLE) else "",
            parent=self,
        )
        settled = False
        while self._exec(dialog):
            address = dialog.address()
            if not settled:
                if self._view is not None and not self._settle_typed_entry(""):
                    return  # stays on this store, with what is typed
                settled = True
            if address:
                error = self.connect_server(address)
                if error is not None:
                    dialog.show_error(str(error))
                    continue
                assert self.store is not None
                said = now_on_server(self.store.where)
            else:
                try:
                    store = Store(folder, protocol_for=self._protocol_for)
                except StoreError as refusal:
                    dialog.show_error(str(refusal))
                    continue
                self._use_store(store)
                said = now_on_folder(str(folder))
            self.settings.set("ward/server", address)
            self.statusBar().showMessage(said)
            return

    def _exec(self, dialog: Any) -> bool:
        """Show a dialog and return whether it was accepted (a seam for tests)."""
        return bool(dialog.exec())

    # -- the rest ----------------------------------------------------------------------------

    def edit_settings(self) -> None:
        from tacrocalc.ui.settings_dialog import SettingsDialog

        if SettingsDialog(self.settings, self._protocols, self).exec():
            if self._view is not None:
                self._view.settings_changed()
            self.statusBar().showMessage("Settings saved")

    def _on_view_saved(self, text: str) -> None:
        self.patients.refresh()
        self.statusBar().showMessage(f"Saved. {text}" if not text.startswith("Saved") else text)

    def _about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        import tacrocalc

        QMessageBox.about(
            self,
            "About TacroCalc",
            f"TacroCalc {tacrocalc.__version__}\nTacrolimus dosing and monitoring."
            "\n\nCheck every dose against the prescription chart.",
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Ctrl+E, Ctrl+F, Ctrl+N, Ctrl+P, Ctrl+L and the other window shortcuts win over a
        text field's own use of the key (a line edit takes Ctrl+E as "end of line"), so they
        work from any widget of this window."""
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and QKeySequence(event.keyCombination()).toString() in self._window_keys
            and isinstance(watched, QWidget)
            and watched.window() is self
        ):
            event.ignore()  # not the field's: the window's shortcut fires
            return True
        return super().eventFilter(watched, event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.set("window/geometry", bytes(self.saveGeometry().data()))
        self.settings.set("window/splitters", bytes(self.splitter.saveState().data()))
        if self._view is not None:
            self.settings.set("window/columns", bytes(self._view.columns.saveState().data()))
        self._stop_listening()
        self._reconnect_timer.stop()
        if self._probe is not None:
            self._probe.discard()
            self._probe = None
            self._probe_timer.stop()
        super().closeEvent(event)
