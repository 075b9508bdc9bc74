"""File → Ward server…: where the window keeps its patients (this computer's data folder or the
ward's PostgreSQL database), and the prompt for the ward server's password."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from tacrocalc.present import ward as words
from tacrocalc.ui.ward import address_refusal
from tacrocalc.ui.widgets import Message, named

WIDTH = 600  # room for the example address and a refusal in two or three lines


def _wrapped(text: str, name: str) -> QLabel:
    label = named(QLabel(text), name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class WardServerDialog(QDialog):
    """The data folder of this computer, or the ward server at an address (checked here: a
    postgresql:// address without a password). The window opens the store chosen and, when it
    cannot, shows why in `error_label` and asks again."""

    def __init__(
        self,
        address: str,
        *,
        folder: str,
        note: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Ward server")
        self.setMinimumWidth(WIDTH)
        self.folder_radio = named(
            QRadioButton(f"This computer's data folder ({folder})"), "folder_radio"
        )
        self.server_radio = named(QRadioButton("The ward server at:"), "server_radio")
        group = QButtonGroup(self)
        group.addButton(self.folder_radio)
        group.addButton(self.server_radio)
        self.address_edit = named(QLineEdit(address), "address_edit", "Ward server address")
        self.address_edit.setPlaceholderText(words.EXAMPLE)
        self.address_edit.setClearButtonEnabled(True)
        (self.server_radio if address else self.folder_radio).setChecked(True)
        self.hint_label = _wrapped(words.NO_PASSWORD_HERE, "hint_label")
        self.hint_label.setStyleSheet("color: palette(placeholder-text);")
        self.note_label = _wrapped(note, "note_label")
        self.note_label.setVisible(bool(note))
        self.error_label = named(Message(error=True), "error_label")
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Open")
        layout = QVBoxLayout(self)
        layout.addWidget(self.folder_radio)
        layout.addWidget(self.server_radio)
        layout.addWidget(self.address_edit)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.note_label)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.address_edit.textEdited.connect(self._on_address_edit_text_edited)
        self.folder_radio.toggled.connect(self._on_choice_toggled)
        self._on_choice_toggled()

    def address(self) -> str:
        """The address chosen; "" for this computer's data folder."""
        return self.address_edit.text().strip() if self.server_radio.isChecked() else ""

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.adjustSize()

    def _on_address_edit_text_edited(self, _text: str) -> None:
        self.server_radio.setChecked(True)
        self.error_label.clear()

    def _on_choice_toggled(self, _checked: bool = False) -> None:
        self.address_edit.setEnabled(self.server_radio.isChecked())
        self.error_label.clear()

    def _on_buttons_accepted(self) -> None:
        if self.server_radio.isChecked():
            refusal = address_refusal(self.address_edit.text())
            if refusal is not None:  # named with the reason; nothing saved, nothing opened
                self.show_error(refusal)
                self.address_edit.setFocus()
                return
        self.accept()


class PasswordDialog(QDialog):
    """The ward server's password, typed masked, naming the server; kept by the caller in
    memory only."""

    def __init__(self, where: str, *, again: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("TacroCalc: password for the ward server")
        self.setMinimumWidth(WIDTH - 120)
        self.question_label = _wrapped(
            words.password_question(where, again=again), "question_label"
        )
        self.password_edit = named(QLineEdit(), "password_edit", "Password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("&Connect")
        self.ok_button.setEnabled(False)
        label = QLabel("&Password:")
        label.setBuddy(self.password_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.question_label)
        layout.addWidget(label)
        layout.addWidget(self.password_edit)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.password_edit.textChanged.connect(lambda text: self.ok_button.setEnabled(bool(text)))

    def password(self) -> str:
        return self.password_edit.text()


def ask_password(parent: QWidget | None, where: str, *, again: bool) -> str | None:
    """The password typed, or None when the user cancelled."""
    dialog = PasswordDialog(where, again=again, parent=parent)
    try:
        return dialog.password() if dialog.exec() and dialog.password() else None
    finally:
        dialog.password_edit.clear()
        dialog.deleteLater()
