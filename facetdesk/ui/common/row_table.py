"""A table whose rows are made of input widgets, with Add and Remove buttons."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from facetdesk.ui.common.widgets import ErrorLabel, named


class RowTable(QWidget):
    """Rows of widgets built by ``make_row(row_index) -> list[QWidget | str]`` (a str is a read-only cell)."""

    changed = Signal()

    def __init__(self, name: str, headers: list[str], make_row: Callable[[int], list], add_text: str):
        super().__init__()
        self._make_row = make_row
        self.table = named(QTableWidget(0, len(headers)), name)
        self.table.setHorizontalHeaderLabels(headers)
        self.table.verticalHeader().setVisible(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.add_button = named(QPushButton(add_text), f"{name}: add row")
        self.remove_button = named(QPushButton(self.tr("Remove selected")), f"{name}: remove row")
        self.add_button.clicked.connect(lambda: self.add_row())
        self.remove_button.clicked.connect(self.remove_selected)
        self.error = ErrorLabel()
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.error)

    def add_row(self) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for col, cell in enumerate(self._make_row(row)):
            if isinstance(cell, str):
                self.table.setItem(row, col, QTableWidgetItem(cell))
            else:
                self.table.setCellWidget(row, col, cell)
        self.table.resizeRowsToContents()
        self.changed.emit()
        return row

    def remove_selected(self) -> None:
        row = self.table.currentRow()
        if row < 0:
            row = self.table.rowCount() - 1
        if row >= 0:
            self.table.removeRow(row)
            self.changed.emit()

    def clear(self) -> None:
        self.table.setRowCount(0)
        self.changed.emit()

    def rows(self) -> int:
        return self.table.rowCount()

    def cell(self, row: int, col: int):
        return self.table.cellWidget(row, col)

    def set_text(self, row: int, col: int, text: str) -> None:
        item = self.table.item(row, col)
        if item is None:
            item = QTableWidgetItem()
            self.table.setItem(row, col, item)
        item.setText(text)
