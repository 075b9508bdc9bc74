"""Small pieces every panel of the window uses: a widget named for tests and screen readers,
the colour of a refusal, and a message that takes no room while it has nothing to say. (Kept
light: the main window imports it before its first paint, and each Qt class a module names
costs its enums at import.)"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

ERROR_STYLE = "color: #b00020;"

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str, accessible: str = "") -> W:
    """`widget` with its object name and, when given, the name a screen reader says."""
    widget.setObjectName(name)
    if accessible:
        widget.setAccessibleName(accessible)
    return widget


class Message(QLabel):
    """A message that takes no room while it has nothing to say (the column keeps its lines
    on a short screen, 1024×640); a refusal when `error`."""

    def __init__(self, *, error: bool = False) -> None:
        super().__init__()
        self.setWordWrap(True)
        if error:
            self.setStyleSheet(ERROR_STYLE)
            self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setVisible(bool(text))

    def clear(self) -> None:
        self.setText("")
