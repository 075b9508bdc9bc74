"""The main window."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QGroupBox, QMainWindow, QMessageBox, QVBoxLayout, QWidget

from tacrocalc import __version__
from tacrocalc.domain.protocol import Protocol
from tacrocalc.ui.calculator import DoseCalculator


class MainWindow(QMainWindow):
    def __init__(self, protocol: Protocol, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("TacroCalc")
        self._protocol = protocol
        self.calculator = DoseCalculator(protocol)
        self.calculator.setObjectName("calculator")
        group = QGroupBox("Regimen calculator")
        inner = QVBoxLayout(group)
        inner.addWidget(self.calculator)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(group)
        self.setCentralWidget(central)
        self.statusBar().showMessage(
            f"Protocol: {protocol.title} ({protocol.id} {protocol.version})"
        )

        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        about_action = QAction("&About TacroCalc", self)
        about_action.triggered.connect(self._on_about_action_triggered)
        self.menuBar().addMenu("&File").addAction(quit_action)
        self.menuBar().addMenu("&Help").addAction(about_action)
        self.resize(720, 560)
        self.calculator.weight_edit.setFocus()

    def _on_about_action_triggered(self) -> None:
        QMessageBox.about(
            self,
            "About TacroCalc",
            f"TacroCalc {__version__}\nTacrolimus dosing and monitoring.\n\n"
            f"Protocol: {self._protocol.title}\n{self._protocol.source}\n\n"
            "Check every dose against the prescription chart.",
        )
