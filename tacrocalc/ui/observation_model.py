"""The item model of the observation table (built with the patient view)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

if TYPE_CHECKING:
    from tacrocalc.present.patient import ObservationRow

Index = QModelIndex | QPersistentModelIndex
ALERT = QColor("#c62828")


class ObservationTableModel(QAbstractTableModel):
    """Every observation with its classification; deleted ones struck through when shown."""

    HEADERS = ("Date", "Time", "Kind", "Value", "Assessment")

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[ObservationRow] = []

    def set_rows(self, rows: list[ObservationRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.HEADERS)
        ):
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            text = (row.date, row.time, row.kind, row.value, row.assessment)[index.column()]
            return f"{text} (deleted)" if row.deleted and index.column() == 4 else text
        if role == Qt.ItemDataRole.ForegroundRole and row.flagged and index.column() >= 3:
            return ALERT
        if role == Qt.ItemDataRole.FontRole and row.deleted:
            font = QFont()
            font.setStrikeOut(True)
            return font
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None

    def row(self, index: int) -> ObservationRow:
        return self._rows[index]
