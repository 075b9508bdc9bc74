"""The item model of the results table (built with the patient view): one row per day."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from tacrocalc.present.patient import DAY_COLUMNS, VALUE_COLUMNS

if TYPE_CHECKING:
    from tacrocalc.present.patient import DayRow, ResultCell

Index = QModelIndex | QPersistentModelIndex
ALERT = QColor("#c62828")


class ObservationTableModel(QAbstractTableModel):
    """Every day with results, each value with its classification; deleted values struck
    through when shown."""

    HEADERS = DAY_COLUMNS

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[DayRow] = []

    def set_rows(self, rows: list[DayRow]) -> None:
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

    def cell(self, row: int, column: int) -> ResultCell | None:
        """The value shown at (row, column), if that column shows one."""
        kind = VALUE_COLUMNS.get(column)
        return self._rows[row].cells.get(kind) if kind is not None else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        cell = self.cell(index.row(), index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return row.texts()[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return cell.detail if cell is not None else (row.texts()[index.column()] or None)
        if role == Qt.ItemDataRole.ForegroundRole and cell is not None and cell.flagged:
            return ALERT
        if role == Qt.ItemDataRole.FontRole and cell is not None and cell.deleted:
            font = QFont()
            font.setStrikeOut(True)
            return font
        if role == Qt.ItemDataRole.UserRole and cell is not None:
            return cell.id
        return None

    def row(self, index: int) -> DayRow:
        return self._rows[index]
