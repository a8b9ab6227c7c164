"""The procedure form: one tab per part of the form's description, each field with its error label beside it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from facetdesk.domain.catalog import Catalog
from facetdesk.domain.enums import Side, Technique
from facetdesk.domain.errors import FieldError
from facetdesk.domain.procedure import Procedure, derive_nerves
from facetdesk.domain.procedure_form import TABS, tab_of
from facetdesk.ui.common import style
from facetdesk.ui.common.error_router import ErrorRouter
from facetdesk.ui.common.widgets import ErrorLabel, named
from facetdesk.ui.editor.botox_panel import BotoxPanel
from facetdesk.ui.editor.documentation_tab import DocumentationTab
from facetdesk.ui.editor.form_sections import IndicationSection, OutcomeSection, ProcedureSection
from facetdesk.ui.editor.images_panel import ImagesPanel
from facetdesk.ui.editor.medications_panel import MedicationsPanel
from facetdesk.ui.editor.pain_panel import PainPanel
from facetdesk.ui.editor.radiofrequency_tab import RadiofrequencyTab
from facetdesk.ui.editor.targets_panel import TargetsPanel

# Which tab holds the field at the start of an error path, so the tab can be marked (domain/procedure_form).
TAB_OF = tab_of()
TAB_TITLES = tuple(title.replace("&", "&&") for title in TABS)  # "&&" shows as "&" in a tab


def _scroll(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setWidget(widget)
    return area


class ProcedureForm(QTabWidget):
    """The widgets of every field, what they hold as raw form values, and the errors shown beside them."""

    def __init__(self, catalog: Catalog, error_summary: ErrorLabel):
        super().__init__()
        named(self, "Procedure sections")
        self._catalog = catalog
        self._focus: dict[tuple, QWidget] = {}
        self.loading = False  # widgets being filled by the program: not an edit
        self.errors = ErrorRouter(error_summary)
        self.section = ProcedureSection(catalog, self._field, self.errors)
        self.indication = IndicationSection(catalog, self._field)
        self.outcome = OutcomeSection(catalog, self._field)
        self.performed_at, self.physician = self.section.performed_at, self.section.physician
        self.technique, self.guidance = self.section.technique, self.section.guidance
        self.targets = TargetsPanel(catalog)
        self.medications = MedicationsPanel(catalog)
        self.errors.register(("medications",), self.medications.rows.error)
        self.botox = BotoxPanel(catalog)
        self.errors.register(("botulinum_toxin",), self.botox.error)
        self.pain = PainPanel(catalog)
        self.errors.register(("pre_procedure_pain",), self.pain.pre_error)
        self.errors.register(("pain_scores",), self.pain.rows.error)
        self.documentation = DocumentationTab(
            self._field,
            ImagesPanel(
                lambda: list(dict.fromkeys(t["level"] for t in self.targets.targets())),
                [j.level for j in catalog.joints],
            ),
        )
        self.radiofrequency = RadiofrequencyTab(self._field)
        # One page per tab of the form's description (domain/procedure_form.TABS), in its order.
        pages: dict[str, QWidget] = {
            "Procedure": _scroll(self.section),
            "Indication": _scroll(self.indication),
            "Targets": _scroll(self._wrap_with_error(self.targets, ("targets",))),
            "Medications": self.medications,
            "Botulinum toxin": _scroll(self.botox),
            "Pain & relief": _scroll(self.pain),
            "Outcome": _scroll(self.outcome),
            "Documentation": _scroll(self.documentation),
            "RF ablation": _scroll(self.radiofrequency),
        }
        for title, shown in zip(TABS, TAB_TITLES, strict=True):
            self.addTab(pages[title], self.tr(shown))
        for path, widget in (
            (("targets",), self.targets),
            (("medications",), self.medications.rows.table),
            (("botulinum_toxin",), self.botox.group),
            (("pain_scores",), self.pain.rows.table),
            (("pre_procedure_pain",), self.pain.pre_pain),
        ):
            self._focus[path] = widget

    def _wrap_with_error(self, widget: QWidget, path: tuple) -> QWidget:
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.addWidget(widget)
        lay.addWidget(self.errors.register(path, ErrorLabel()))
        lay.addStretch()
        return box

    def _field(self, form: QFormLayout, label: str, widget: QWidget, path: tuple) -> None:
        self._focus[path] = widget
        if isinstance(widget, QComboBox | QDateTimeEdit):
            widget.setMaximumWidth(style.COMBO_MAX_WIDTH)
        form.addRow(self.tr(label), self.errors.field(widget, path))

    def watch_inputs(self, on_change: Callable[..., None], text_filter: QObject) -> None:
        """Every edit calls ``on_change``; text fields pass their undo keys through ``text_filter``."""
        for signal in (self.targets.changed, self.medications.changed, self.botox.changed, self.pain.changed):
            signal.connect(on_change)
        for w in self.findChildren(QWidget):
            if w.parent() is None or isinstance(w.parentWidget(), (QAbstractSpinBox, QComboBox)):
                continue
            if isinstance(w, QLineEdit | QPlainTextEdit):
                w.textChanged.connect(on_change)
                w.installEventFilter(text_filter)
            elif isinstance(w, QComboBox):
                w.currentIndexChanged.connect(on_change)
            elif isinstance(w, QDateTimeEdit):
                w.dateTimeChanged.connect(on_change)
            elif isinstance(w, QAbstractSpinBox) and hasattr(w, "valueChanged"):
                w.valueChanged.connect(on_change)
            elif isinstance(w, QCheckBox):
                w.toggled.connect(on_change)
            elif isinstance(w, QListWidget):
                w.itemChanged.connect(on_change)

    @contextmanager
    def filling(self) -> Iterator[None]:
        """The program fills the widgets: their change signals are not the user's edits."""
        self.loading = True
        try:
            yield
        finally:
            self.loading = False

    def field_widget(self, path: tuple) -> QWidget | None:
        """The widget a field of the form is entered in (as registered with its path)."""
        return self._focus.get(tuple(path))

    def focus_field(self, path: tuple) -> bool:
        """Show the tab holding the field at ``path`` (or its nearest registered parent) and focus it."""
        for n in range(len(path), 0, -1):
            widget = self._focus.get(tuple(path[:n]))
            if widget is not None:
                tab = TAB_OF.get(str(path[0]))
                if tab is not None:
                    self.setCurrentIndex(tab)
                widget.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
        return False

    def load(self, p: Procedure | None, physician_hint: str) -> None:
        """Fill every widget from ``p`` (a blank form when None)."""
        self.section.load(p, physician_hint)
        self.indication.load(p)
        self.targets.set_targets(p.targets if p else [])
        self.medications.load(p.medications if p else [])
        self.botox.load(p.botulinum_toxin if p else None)
        self.pain.load(p.pre_procedure_pain if p else None, p.pain_scores if p else [])
        self.outcome.load(p)
        self.documentation.load(p)
        self.radiofrequency.load(p)

    def values(self) -> dict[str, Any]:
        """What the widgets hold, as raw form values (the record's identity and overrides are not the form's)."""
        return {
            **self.section.data(),
            **self.indication.data(),
            "targets": self.targets.targets(),
            "medications": self.medications.data(),
            "botulinum_toxin": self.botox.data(),
            "pre_procedure_pain": self.pain.pre_pain.value_or_none(),
            "pain_scores": self.pain.scores(),
            **self.outcome.data(),
            **self.documentation.data(),
            **self.radiofrequency.data(),
        }

    def update_derived(self) -> None:
        """What follows from the entries: nerves blocked, toxin regions, per-nerve totals, relief, items that apply."""
        targets = self.targets.targets()
        nerves: list[tuple[str, Side]] = []
        technique = self.technique.value()
        if isinstance(technique, Technique) and technique.on_nerves:
            nerves = derive_nerves(((t["level"], t["side"]) for t in targets), self._catalog)
        ablation = technique == Technique.RADIOFREQUENCY_ABLATION
        self.radiofrequency.set_applies(ablation)
        # Shown for an ablation only: a block's form keeps its tabs, and nothing there is left to fill.
        self.setTabVisible(TABS.index("RF ablation"), ablation)
        if technique == Technique.TOXIN_ONLY:
            text = self.tr(
                "A toxin-only visit treats no facet joint: record the injection sites on the Botulinum toxin tab."
            )
            if targets:
                text += " " + self.tr("Clear the {n} joint(s) selected, or choose another technique.").format(
                    n=len(targets)
                )
        elif not targets:
            text = self.tr("No joints selected.")
        else:
            text = self.tr("{n} joint(s) selected.").format(n=len(targets))
            if nerves:
                by_side = {side: ", ".join(n for n, s in nerves if s == side) for side in (Side.LEFT, Side.RIGHT)}
                parts = [f"{side.label}: {names}" for side, names in by_side.items() if names]
                what = (
                    self.tr("Ablation lesions")
                    if technique == Technique.RADIOFREQUENCY_ABLATION
                    else self.tr("Medial branch block targets")
                )
                text += " " + what + " " + self.tr("{n} nerve(s): ").format(n=len(nerves))
                text += "; ".join(parts) + "."
        self.targets.set_summary(text)
        self.targets.set_nerves(nerves)
        self.botox.set_regions(
            list(dict.fromkeys(j.region for t in targets if (j := self._catalog.joint(t["level"])) is not None))
        )
        self.medications.set_counts(len(targets), len(nerves))
        self.pain.update_derived()
        self.documentation.set_context(self.guidance.value(), self.botox.group.isChecked())

    def show_errors(self, errors: list[FieldError]) -> None:
        """Each error beside its field, its tab marked, the first such tab on show."""
        self.errors.show(errors)
        tabs = {TAB_OF.get(str(e.path[0])) for e in errors if e.path}
        self._mark_tabs({t for t in tabs if t is not None})
        first = next((t for t in range(self.count()) if t in tabs), None)
        if first is not None:
            self.setCurrentIndex(first)

    def clear_errors(self) -> None:
        self.errors.clear()
        self._mark_tabs(set())

    def _mark_tabs(self, tabs: set[int]) -> None:
        for i, title in enumerate(TAB_TITLES):
            self.setTabText(i, ("⚠ " if i in tabs else "") + self.tr(title))

    def set_inputs_enabled(self, edit_all: bool, edit_scores: bool) -> None:
        """Which tabs take input: all of them, or only the pain scores (a nurse's diary entry), or none.

        The content inside each tab's scroll area is disabled, so a locked record can still be scrolled and read.
        """
        pain_tab = TAB_OF["pain_scores"]
        for index in range(self.count()):
            page = self.widget(index)
            inner = page.widget() if isinstance(page, QScrollArea) else None
            shown = inner if inner is not None else page
            if shown is self.documentation:  # its images panel follows its own rule (images.set_may_attach)
                self.documentation.set_inputs_enabled(edit_all)
            elif shown is not None:
                shown.setEnabled(edit_scores if index == pain_tab else edit_all)
