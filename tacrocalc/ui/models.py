"""The item model of the patient list."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

if TYPE_CHECKING:
    from tacrocalc.records.store import PatientSummary

Index = QModelIndex | QPersistentModelIndex


class PatientListModel(QAbstractListModel):
    """Patients found by the search: "Name — id, born ..."; the id under Qt.UserRole."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[PatientSummary] = []

    def set_patients(self, rows: list[PatientSummary]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            born = f", born {row.birth_date.isoformat()}" if row.birth_date else ""
            return f"{row.name} — {row.id}{born}"
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{row.name}, id {row.id}"
        return None

    def patient_id(self, row: int) -> str:
        return self._rows[row].id
