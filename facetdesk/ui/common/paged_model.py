"""A table model that reads its rows a page at a time, as the view scrolls to them (canFetchMore/fetchMore)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex
from PySide6.QtWidgets import QHeaderView, QStyle, QTableView

from facetdesk.ui.common.rows_model import RowsTableModel

# (the last row read so far, or None for the first page; how many rows at most) -> the next rows, in order.
PageReader = Callable[[Any, int], list]


class PagedRowsModel(RowsTableModel):
    """Rows from a keyset-paged query: the first page when loaded, each further page when the view asks.

    A page is read with one row more than it shows, so the model knows whether there is more without
    an extra query, and the view stops asking at the end.
    """

    def __init__(self, page_size: int, parent=None):
        super().__init__(parent)
        self.page_size = page_size
        self._read: PageReader | None = None
        self._more = False

    def load(self, read: PageReader | None) -> None:
        """Start over: ``read`` (None: no rows) gives the first page now and the others on demand.

        An error reading the first page leaves the model empty and propagates to the caller.
        """
        self.beginResetModel()
        try:
            self._read, self._rows, self._more = read, [], False
            if read is not None:
                self._rows, self._more = self._page(None)
        finally:
            self.endResetModel()

    @property
    def complete(self) -> bool:
        """Whether every row of the query has been read."""
        return not self._more

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    def rows(self) -> list:
        """The rows read so far (a copy)."""
        return list(self._rows)

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: N802 (Qt API)
        return not parent.isValid() and self._more

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: N802
        if parent.isValid() or not self._more or self._read is None:
            return
        # Cleared first: a page that fails to load (the server went away) is not retried at every scroll
        # step; the error reaches the user once, and the next load() starts over.
        self._more = False
        rows, more = self._page(self._rows[-1] if self._rows else None)
        if rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        self._more = more

    def _page(self, last: Any) -> tuple[list, bool]:
        assert self._read is not None
        rows = self._read(last, self.page_size + 1)
        return rows[: self.page_size], len(rows) > self.page_size


def size_columns(view: QTableView, samples: dict[int, str], stretch: int) -> None:
    """Give each column the width ResizeToContents would give ``samples[column]``; ``stretch`` takes the rest.

    For views over paged models: ResizeToContents measures the shown rows at every layout (each keystroke,
    each selection), which costs as much as reading the page; widths from the font cost nothing after this,
    stay put as the rows change, and the user may still drag them wider.
    """
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    metrics = view.fontMetrics()
    # The item delegate's text margins (focus frame margin and one pixel, each side), and the grid line.
    margin = 2 * (view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1) + 1
    for column, sample in samples.items():
        text = metrics.horizontalAdvance(sample) + margin
        header.resizeSection(column, max(text, header.sectionSizeHint(column)))
