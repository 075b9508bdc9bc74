"""The settings dialog: display units, paper, dose times, protocol of new patients."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from tacrocalc.ui.settings import PREFERENCES, Settings, parse_times
from tacrocalc.ui.widgets import ERROR_STYLE


class SettingsDialog(QDialog):
    def __init__(
        self, settings: Settings, protocols: tuple[str, ...], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self._settings = settings
        self.combos: dict[str, QComboBox] = {}
        form = QFormLayout()
        for key, label in (
            ("units/trough", "Trough unit"),
            ("units/creatinine", "Creatinine unit"),
            ("units/weight", "Weight unit"),
            ("report/paper", "Paper"),
        ):
            combo = QComboBox()
            combo.setObjectName(key.replace("/", "_"))
            combo.addItems([str(c) for c in PREFERENCES[key].choices])
            combo.setCurrentText(str(settings.get(key)))
            form.addRow(label + ":", combo)
            self.combos[key] = combo
        protocol = QComboBox()
        protocol.setObjectName("protocol_default")
        protocol.addItems(list(protocols))
        protocol.setCurrentText(settings.get("protocol/default"))
        form.addRow("Protocol of new patients:", protocol)
        self.combos["protocol/default"] = protocol
        self.times_edit = QLineEdit(settings.get("dosing/times"))
        self.times_edit.setObjectName("dosing_times")
        self.times_edit.setPlaceholderText("the protocol's (08:00,20:00)")
        form.addRow("Dose times of new regimens:", self.times_edit)
        self.reopen_check = QCheckBox("Reopen the last patient at start (keeps its id on disk)")
        self.reopen_check.setObjectName("reopen_check")
        self.reopen_check.setChecked(settings.get("session/reopen_last"))
        form.addRow("", self.reopen_check)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        self.error_label = QLabel()
        self.error_label.setStyleSheet(ERROR_STYLE)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    def _on_buttons_accepted(self) -> None:
        text = self.times_edit.text().strip()
        if text and parse_times(text) is None:
            self.error_label.setText(f'Dose times: "{text}" is not HH:MM,HH:MM.')
            return
        for key, combo in self.combos.items():
            self._settings.set(key, combo.currentText())
        self._settings.set("dosing/times", text)
        self._settings.set("session/reopen_last", self.reopen_check.isChecked())
        self.accept()
