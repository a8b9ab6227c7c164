"""Pain diary: the pre-injection score and scores at the clinic's standard time points, % relief and a live chart."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from facetdesk.domain.catalog import Catalog
from facetdesk.domain.procedure import PainScore
from facetdesk.domain.relief import onset_allowance, relief_pct, relief_thresholds, summarize_relief
from facetdesk.domain.timefmt import format_minutes
from facetdesk.domain.wording import relief_summary_text
from facetdesk.ui.common import style
from facetdesk.ui.common.row_table import RowTable
from facetdesk.ui.common.widgets import ErrorLabel, OptionalIntSpin, named
from facetdesk.ui.editor.relief_chart import BlockAgent, ReliefChart

TIME, MINUTES, NRS, ACTIVITY, RELIEF = range(5)
MAX_MINUTES = 60 * 24 * 366
NOT_ENTERED = "—"
# Below this width the chart goes under the grid instead of beside it.
SIDE_BY_SIDE_MIN_WIDTH = 1000
CHART_STACKED_MAX_HEIGHT = 400


def _spin(minimum: int, maximum: int, suffix: str = "") -> OptionalIntSpin:
    spin = OptionalIntSpin(minimum, maximum, suffix)
    spin.setSpecialValueText(NOT_ENTERED)
    return spin


def _item(text: str, italic: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if italic:
        font = QFont()
        font.setItalic(True)
        item.setFont(font)
    return item


@dataclass
class DiaryRow:
    """One time point of the diary; ``label`` is None for a time the user added."""

    label: str | None
    minutes: OptionalIntSpin
    nrs: OptionalIntSpin
    activity: QLineEdit

    @property
    def standard(self) -> bool:
        return self.label is not None

    def entry(self) -> dict | None:
        """The score to save, or None when no NRS was entered (the row is then not recorded)."""
        nrs = self.nrs.value_or_none()
        if nrs is None:
            return None
        return {"minutes_after": self.minutes.value_or_none(), "nrs": nrs, "activity": self.activity.text()}


class DiaryTable(RowTable):
    """A baseline row, then one row per standard time point and any other times the user adds."""

    def __init__(self, timepoints: tuple[tuple[int, str], ...], pre_pain: OptionalIntSpin):
        super().__init__("Pain scores", [""] * 5, lambda row: [], "")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Time"), self.tr("Minutes"), self.tr("NRS 0-10"), self.tr("Provoking activity"), self.tr("Relief")]
        )
        self.add_button.setText(self.tr("Add other time"))
        self.remove_button.setText(self.tr("Clear or remove selected"))
        self.remove_button.setToolTip(self.tr("Clears a standard time point; removes a time you added"))
        self.diary: list[DiaryRow] = []
        self.table.insertRow(0)
        self.table.setItem(0, TIME, _item(self.tr("Baseline")))
        self.table.setItem(0, MINUTES, _item(self.tr("before injection"), italic=True))
        self.table.setCellWidget(0, NRS, pre_pain)
        self.table.setItem(0, ACTIVITY, _item(""))
        self.table.setItem(0, RELIEF, _item(""))
        self._watch(pre_pain)
        self._pre_pain = pre_pain
        for minutes, label in timepoints:
            self._insert(len(self.diary), minutes, label)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(ACTIVITY, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self._renumber()

    # RowTable's API, in diary terms: rows() counts time points, add_row() adds an "other time".
    def rows(self) -> int:
        return len(self.diary)

    def add_row(self, minutes: int | None = None) -> int:
        index = self._insert(len(self.diary), minutes, None)
        self._renumber()
        self.table.scrollToBottom()
        self.changed.emit()
        return index

    def remove_selected(self) -> None:
        row = self.table.currentRow()
        if row == 0:
            baseline = self.table.cellWidget(0, NRS)
            assert isinstance(baseline, OptionalIntSpin)
            baseline.set_value_or_none(None)
            return
        index = (
            row - 1
            if row > 0
            else next((i for i in reversed(range(len(self.diary))) if not self.diary[i].standard), -1)
        )
        if index < 0:
            return
        if self.diary[index].standard:
            self.diary[index].nrs.set_value_or_none(None)
            self.diary[index].activity.clear()
        else:
            self.table.removeRow(index + 1)
            del self.diary[index]
            self._renumber()
        self.changed.emit()

    def clear(self) -> None:
        """Back to the blank diary: standard time points empty, other times gone."""
        for i in reversed(range(len(self.diary))):
            row = self.diary[i]
            if row.standard:
                row.nrs.set_value_or_none(None)
                row.activity.clear()
            else:
                self.table.removeRow(i + 1)
                del self.diary[i]
        self._renumber()
        self.changed.emit()

    def cell(self, row: int, col: int):
        """The widget at a diary row (0 = first time point after the baseline) and column."""
        return self.table.cellWidget(row + 1, col)

    def set_text(self, row: int, col: int, text: str) -> None:
        super().set_text(row + 1, col, text)

    def put(self, minutes: int, nrs: int, activity: str) -> DiaryRow:
        """A stored score onto its standard row, or onto a new row in time order for any other time."""
        row = next((r for r in self.diary if r.minutes.value_or_none() == minutes and r.entry() is None), None)
        if row is None:
            at = next((i for i, r in enumerate(self.diary) if (r.minutes.value_or_none() or 0) > minutes), None)
            row = self.diary[self._insert(len(self.diary) if at is None else at, minutes, None)]
            self._renumber()
        row.nrs.set_value_or_none(nrs)
        row.activity.setText(activity)
        return row

    def _insert(self, index: int, minutes: int | None, label: str | None) -> int:
        minutes_spin = _spin(0, MAX_MINUTES, " min")
        minutes_spin.set_value_or_none(minutes)
        if label is not None:
            # A standard time is the clinic's, not this record's: shown, never edited here.
            minutes_spin.setReadOnly(True)
            minutes_spin.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
            minutes_spin.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        nrs = _spin(0, 10)
        activity = QLineEdit()
        row = DiaryRow(label, minutes_spin, nrs, activity)
        self.diary.insert(index, row)
        self.table.insertRow(index + 1)
        self.table.setItem(index + 1, TIME, _item(label or ""))
        for col, widget in ((MINUTES, minutes_spin), (NRS, nrs), (ACTIVITY, activity)):
            self.table.setCellWidget(index + 1, col, widget)
            self._watch(widget)
        self.table.setItem(index + 1, RELIEF, _item(""))
        minutes_spin.valueChanged.connect(self.changed)
        nrs.valueChanged.connect(self.changed)
        activity.textChanged.connect(self.changed)
        self.table.resizeRowsToContents()
        return index

    def _renumber(self) -> None:
        """Accessible names and row headers follow the display order: "Pain score 1" is the first time point."""
        self.table.setVerticalHeaderItem(0, QTableWidgetItem("B"))
        for i, row in enumerate(self.diary):
            n = i + 1
            tip = self.tr("Standard time point: {t}").format(t=row.label) if row.standard else None
            named(row.minutes, f"Pain score {n} minutes after injection", tip)
            named(row.nrs, f"Pain score {n} NRS", self.tr("0-10; {d} = not recorded (not saved)").format(d=NOT_ENTERED))
            named(row.activity, f"Pain score {n} provoking activity")
            # One example is enough; on every row it reads as data.
            row.activity.setPlaceholderText(self.tr("e.g. lumbar extension") if i == 0 else "")
            self.table.setVerticalHeaderItem(i + 1, QTableWidgetItem(str(n)))
            if not row.standard:
                m = row.minutes.value_or_none()
                cell = self.table.item(i + 1, TIME)
                if cell is not None:
                    cell.setText(self.tr("other time") if m is None else format_minutes(m))

    def _watch(self, widget: QWidget) -> None:
        widget.installEventFilter(self)
        editor = widget.findChild(QLineEdit) if isinstance(widget, QAbstractSpinBox) else None
        if editor is not None:
            editor.installEventFilter(self)

    def next_score(self, spin: QWidget) -> OptionalIntSpin | None:
        """The NRS box after ``spin`` (the baseline's, or a time point's), or None after the last."""
        boxes = [self._pre_pain, *(row.nrs for row in self.diary)]
        at = next((i for i, box in enumerate(boxes) if box is spin), None)
        return boxes[at + 1] if at is not None and at + 1 < len(boxes) else None

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        # Enter in a score goes to the next time point's score, as in a paper diary read down the page:
        # eight scores are eight digits and eight Enters, not a walk through every column.
        if (
            isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key()
            in (
                Qt.Key.Key_Return,
                Qt.Key.Key_Enter,
            )
        ):
            spin = obj if isinstance(obj, OptionalIntSpin) else obj.parent()
            following = self.next_score(spin) if isinstance(spin, OptionalIntSpin) else None
            if following is not None and isinstance(spin, OptionalIntSpin):
                spin.interpretText()
                following.setFocus(Qt.FocusReason.TabFocusReason)
                following.selectAll()
                self.table.scrollTo(self.table.indexAt(following.pos()))
                return True
        # Typing in a row makes it the selected one, so "Clear or remove selected" acts on it.
        if event.type() == QEvent.Type.FocusIn:
            widget = obj if obj.parent() is self.table.viewport() else obj.parent()
            if isinstance(widget, QWidget):
                index = self.table.indexAt(widget.pos())
                if index.isValid() and index.row() != self.table.currentRow():
                    self.table.setCurrentCell(index.row(), index.column())
        return False


class PainPanel(QWidget):
    def __init__(self, catalog: Catalog):
        super().__init__()
        self._thresholds = relief_thresholds(catalog)
        self._onset = onset_allowance(catalog)
        self._loading = False
        self.pre_pain = named(
            _spin(0, 10),
            "Pre-injection pain (NRS)",
            self.tr("Pain score just before the injection, 0-10; {d} = not recorded").format(d=NOT_ENTERED),
        )
        self.pre_error = ErrorLabel()
        self.rows = DiaryTable(catalog.diary_timepoints, self.pre_pain)
        self.chart = ReliefChart(catalog)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.later = QLabel()
        self.later.setWordWrap(True)
        self.later.setStyleSheet(f"color: {style.MUTED_COLOR};")
        self.later.hide()
        hint = QLabel(
            self.tr("Enter the NRS at each time the patient scored; times left at {d} are not saved.").format(
                d=NOT_ENTERED
            )
        )
        hint.setWordWrap(True)
        hint.setStyleSheet(f"color: {style.MUTED_COLOR};")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet(f"color: {style.DERIVED_COLOR}; font-weight: bold;")

        self._chart_box = chart_box = QWidget()
        cl = QVBoxLayout(chart_box)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(self.chart, 1)
        cl.addWidget(self.legend)
        cl.addWidget(self.later)
        self._columns = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._columns.addWidget(self.rows, 3)
        self._columns.addWidget(chart_box, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(hint)
        layout.addWidget(self.pre_error)
        layout.addLayout(self._columns, 1)
        layout.addWidget(self.summary)
        self.changed = self.rows.changed
        self.pre_pain.valueChanged.connect(self.rows.changed)
        self.rows.changed.connect(self.update_derived)
        self.chart.updated.connect(self._show_chart_text)
        self.update_derived()

    def _show_chart_text(self) -> None:
        self.legend.setText(self.chart.legend_html)
        self.later.setText(self.chart.later_text)
        self.later.setVisible(bool(self.chart.later_text))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        wide = event.size().width() >= SIDE_BY_SIDE_MIN_WIDTH
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self._columns.direction() != direction:
            self._columns.setDirection(direction)
            # Stacked, the grid keeps most of the height and the chart a readable band under it.
            self._chart_box.setMaximumHeight(16777215 if wide else CHART_STACKED_MAX_HEIGHT)

    def row_number(self, minutes: int) -> int | None:
        """The "Pain score N" number of the row at this time, if there is one."""
        return next((i + 1 for i, r in enumerate(self.rows.diary) if r.minutes.value_or_none() == minutes), None)

    def set_block_agent(self, name: str | None, hours: float | None, unconfirmed: bool) -> None:
        """The block's anaesthetic and its expected duration (hours), shaded on the chart; None clears it."""
        self.chart.set_block_agent(BlockAgent(name, float(hours), unconfirmed) if name and hours else None)

    def scores(self) -> list[dict]:
        """The recorded scores: rows with an NRS, in display order."""
        return [e for e in (r.entry() for r in self.rows.diary) if e is not None]

    def update_derived(self) -> None:
        if self._loading:
            return
        baseline = self.pre_pain.value_or_none()
        good = QColor(style.DERIVED_COLOR)
        for i, row in enumerate(self.rows.diary):
            entry = row.entry()
            colour = None
            if not row.standard:
                m = row.minutes.value_or_none()
                self.rows.set_text(i, TIME, self.tr("other time") if m is None else format_minutes(m))
            if entry is None:
                text = ""
            elif entry["minutes_after"] is None:
                text, colour = self.tr("enter the time"), QColor(style.ERROR_COLOR)
            elif baseline is None:
                text = self.tr("no baseline")
            elif baseline == 0:
                text = self.tr("baseline 0")
            else:
                pct = relief_pct(baseline, entry["nrs"])
                text = self.tr("{p}% relief").format(p=f"{pct:g}")
                if pct >= min(self._thresholds, default=101):
                    colour = good
            item = self.rows.table.item(i + 1, RELIEF)
            if item is None:
                continue
            item.setText(text)
            item.setForeground(colour if colour is not None else self.palette().text().color())
        # Duplicate times are reported on save; the live summary and chart use the first of each.
        unique: dict[int, PainScore] = {}
        for s in self.scores():
            try:
                unique.setdefault(s["minutes_after"], PainScore(**s))
            except ValueError:  # e.g. no time yet, or an over-long activity: reported on save, not while typing
                continue
        scores = list(unique.values())
        if scores:
            self.summary.setText(relief_summary_text(summarize_relief(baseline, scores, self._thresholds, self._onset)))
        else:
            self.summary.setText("")
        self.chart.set_scores(baseline, [(s.minutes_after, s.nrs) for s in scores])

    def load(self, pre_pain: int | None, scores) -> None:
        self._loading = True
        try:
            self.rows.clear()
            self.pre_pain.set_value_or_none(pre_pain)
            for s in sorted(scores, key=lambda s: s.minutes_after):
                self.rows.put(s.minutes_after, s.nrs, s.activity)
        finally:
            self._loading = False
        self.update_derived()
