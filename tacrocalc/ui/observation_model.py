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
# The roles as ints: a table sized to its contents asks for every role of every cell at each
# layout (some ten thousand calls when a two-year course opens), and `data` gets an int.
_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_FOREGROUND = Qt.ItemDataRole.ForegroundRole.value
_FONT = Qt.ItemDataRole.FontRole.value
_USER = Qt.ItemDataRole.UserRole.value
_ANSWERED = frozenset((_DISPLAY, _TOOLTIP, _FOREGROUND, _FONT, _USER))


class ObservationTableModel(QAbstractTableModel):
    """Every day with results, each value with its classification; deleted values struck
    through when shown."""

    HEADERS = DAY_COLUMNS

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[DayRow] = []
        self._texts: list[tuple[str, ...]] = []  # what each row shows, made once per reset

    def set_rows(self, rows: list[DayRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._texts = [row.texts() for row in self._rows]
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
        if role not in _ANSWERED or not index.isValid():
            return None
        row, column = index.row(), index.column()
        if not 0 <= row < len(self._rows):
            return None
        if role == _DISPLAY:
            return self._texts[row][column]
        cell = self.cell(row, column)
        if role == _TOOLTIP:
            return cell.detail if cell is not None else (self._texts[row][column] or None)
        if role == _FOREGROUND and cell is not None and cell.flagged:
            return ALERT
        if role == _FONT and cell is not None and cell.deleted:
            font = QFont()
            font.setStrikeOut(True)
            return font
        if role == _USER and cell is not None:
            return cell.id
        return None

    def row(self, index: int) -> DayRow:
        return self._rows[index]
