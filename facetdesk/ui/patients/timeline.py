"""The patient's timeline: one line per procedure, newest first, read a page at a time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QTableView, QTableWidgetItem

from facetdesk.domain.catalog import Catalog
from facetdesk.domain.enums import Side
from facetdesk.domain.procedure import PainScore
from facetdesk.domain.relief import onset_allowance, relief_thresholds, summarize_relief
from facetdesk.ui.common.paged_model import PagedRowsModel

if TYPE_CHECKING:
    from facetdesk.storage.repository import ProcedureSummary, RecordVersions

# Procedures read per page of the timeline, newest first; older ones as it is scrolled.
TIMELINE_PAGE_SIZE = 50


def _levels(targets: tuple[tuple[str, Side], ...]) -> list[str]:
    out: list[str] = []
    for level, _side in targets:
        if level not in out:
            out.append(level)
    return out


def _laterality(targets: tuple[tuple[str, Side], ...], levels: list[str]) -> str:
    # As Procedure.laterality: both sides at every level is bilateral, both sides elsewhere mixed.
    sides = {side for _level, side in targets}
    if len(sides) == 2:
        both = all({side for lv, side in targets if lv == level} == sides for level in levels)
        return "bilateral" if both else "mixed"
    return next(iter(sides)).label.lower() if sides else ""


def _regions(levels: list[str], catalog: Catalog) -> list[str]:
    out: list[str] = []
    for level in levels:
        joint = catalog.joint(level)
        if joint is not None and joint.region not in out:
            out.append(joint.region)
    return out


def timeline_row(
    procedure: ProcedureSummary, catalog: Catalog, thresholds: tuple[float, ...] | None = None
) -> tuple[str, ...]:
    """One line of the patient's timeline: when, where, what, and how much relief it gave for how long.

    Computed from the summary the list query reads (targets, pain scores, signature), not from a
    whole Procedure, so a page of the timeline costs no record validation.
    """
    thresholds = thresholds or relief_thresholds(catalog)
    scores = [PainScore.model_construct(minutes_after=m, nrs=n, activity="") for m, n in procedure.pain_scores]
    summary = summarize_relief(procedure.pre_procedure_pain, scores, thresholds, onset_allowance(catalog))
    peak = f"{summary.peak_pct:g}%" if summary.peak_pct is not None else "—"
    meaningful = summary.duration(thresholds[0])
    if meaningful is None or not meaningful.reached:
        lasted = "—" if summary.peak_pct is None else "not reached"
    else:
        lasted = meaningful.short_text()
    levels = _levels(procedure.targets)
    return (
        f"{procedure.performed_at:%Y-%m-%d %H:%M}",
        ", ".join(r.capitalize() for r in _regions(levels, catalog)) or "—",
        procedure.technique.label,
        procedure.intent.label,
        f"{', '.join(levels)} {_laterality(procedure.targets, levels)}" if levels else "—",  # a toxin-only visit
        peak,
        lasted,
        procedure.physician,
        f"Signed {procedure.signed_at:%Y-%m-%d}" if procedure.signed_at is not None else "Draft",
    )


class TimelineModel(PagedRowsModel):
    """The patient's procedures (ProcedureSummary rows), newest first, read a page at a time.

    A row's texts are worked out when the view first shows it, then kept: a page of 50 costs the rows
    on screen, not all fifty.
    """

    def __init__(self, headers: list[str], catalog: Catalog, parent=None):
        super().__init__(TIMELINE_PAGE_SIZE, parent)
        self._headers = headers
        self.HEADERS = tuple(headers)
        self._catalog = catalog
        self._thresholds = relief_thresholds(catalog)
        self._cells: dict[int, tuple[str, ...]] = {}

    def load(self, read) -> None:
        self._cells = {}
        super().load(read)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 (Qt API)
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cells(index.row())[index.column()]
        if role == Qt.ItemDataRole.UserRole:
            return self._rows[index.row()].id
        return None

    def cells(self, row: int) -> tuple[str, ...]:
        summary: ProcedureSummary = self._rows[row]
        cells = self._cells.get(summary.id)
        if cells is None:
            cells = self._cells[summary.id] = timeline_row(summary, self._catalog, self._thresholds)
        return cells

    def procedure_id(self, row: int) -> int:
        return self.row_at(row).id

    def row_of(self, procedure_id: int | None) -> int | None:
        """The row of the procedure among those read so far; None when it is not."""
        return next((n for n, summary in enumerate(self._rows) if summary.id == procedure_id), None)

    def out_of_date(self, versions: RecordVersions) -> bool:
        """Whether the rows read so far differ from what is stored now (changed, signed, added or gone)."""
        shown = {summary.id: summary.version for summary in self._rows}
        through = self._rows[-1].cursor if self._rows and not self.complete else None
        return versions.differ_from(shown, through)


class TimelineTable(QTableView):
    """The timeline's view, with the row and cell accessors of a QTableWidget for the code that reads it."""

    def rowCount(self) -> int:  # noqa: N802 (QTableWidget's name)
        return self.model().rowCount()

    def columnCount(self) -> int:  # noqa: N802
        return self.model().columnCount()

    def currentRow(self) -> int:  # noqa: N802
        index = self.currentIndex()
        return index.row() if index.isValid() else -1

    # Columns that give way, in this order, when the table is narrower than its contents (they elide: the
    # date, region, relief figures and status stay whole, so a row's state is never off screen).
    YIELDING = (7, 2, 3, 4)
    MIN_YIELD = 40

    def fit_columns(self) -> None:
        """Size columns to their contents, then narrow the yielding ones until all fit the view's width."""
        self.resizeColumnsToContents()
        header = self.horizontalHeader()
        excess = header.length() - self.viewport().width()
        # First down to their headings (an elided cell has its whole text on hover, a cut heading such as "ysicia"
        # has none), then, only on a screen too narrow for that, below them: the status must stay in view.
        floors = (
            [max(self.MIN_YIELD, header.sectionSizeFromContents(c).width()) for c in self.YIELDING],
            [self.MIN_YIELD] * len(self.YIELDING),
        )
        for floor in floors:
            for column, least in zip(self.YIELDING, floor, strict=True):
                if excess <= 0:
                    break
                width = header.sectionSize(column)
                cut = min(excess, max(0, width - least))
                header.resizeSection(column, width - cut)
                excess -= cut
        if excess < 0:  # room to spare: the physician's name gets it
            header.resizeSection(self.YIELDING[0], header.sectionSize(self.YIELDING[0]) - excess)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        if self.model() is not None:
            self.fit_columns()

    def item(self, row: int, column: int) -> QTableWidgetItem | None:
        """A detached copy of the cell (its text, and the procedure id as UserRole), or None outside the rows."""
        index = self.model().index(row, column)
        if not index.isValid():
            return None
        item = QTableWidgetItem(str(index.data()))
        item.setData(Qt.ItemDataRole.UserRole, index.data(Qt.ItemDataRole.UserRole))
        return item
