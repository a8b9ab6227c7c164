"""The form sections of the procedure editor: procedure details, indication, and outcome."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from facetdesk.domain.catalog import Catalog, Exclusion
from facetdesk.domain.enums import (
    Complication,
    ExclusionAnswer,
)
from facetdesk.domain.procedure import Indication, Procedure
from facetdesk.domain.procedure_form import BY_PATH, FIELDS
from facetdesk.ui.common import style
from facetdesk.ui.common.date_fields import OneTabDateTimeEdit
from facetdesk.ui.common.error_router import ErrorRouter
from facetdesk.ui.common.field_widgets import FieldWidget
from facetdesk.ui.common.widgets import (
    ChoiceCombo,
    ErrorLabel,
    checkbox_grid,
    named,
    to_qdatetime,
)


def code_list(catalog: Catalog) -> QListWidget:
    """The ICD-10-CM catalog as a list of check boxes."""
    widget = QListWidget()
    widget.setWordWrap(True)
    for dx in catalog.diagnoses:
        item = QListWidgetItem(f"{dx.code}  {dx.title}")
        item.setData(Qt.ItemDataRole.UserRole, dx.code)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Unchecked)
        widget.addItem(item)
    return widget


def checked_codes(widget: QListWidget) -> list[str]:
    return [
        widget.item(i).data(Qt.ItemDataRole.UserRole)
        for i in range(widget.count())
        if widget.item(i).checkState() == Qt.CheckState.Checked
    ]


def set_checked_codes(widget: QListWidget, codes: list[str]) -> None:
    wanted = set(codes)
    for i in range(widget.count()):
        item = widget.item(i)
        checked = item.data(Qt.ItemDataRole.UserRole) in wanted
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)


# add_field(form, label, widget, model path): places the widget with its error label and registers it.
AddField = Callable[[QFormLayout, str, QWidget, tuple], None]


def _minute(value: object) -> object:
    """A date-time field's value to the minute (the record keeps no seconds)."""
    return value.replace(second=0, microsecond=0) if isinstance(value, datetime) else value


W = TypeVar("W", bound=QWidget)


class ProcedureSection(QWidget):
    """When, who, technique, intent, guidance, contrast, sedation, coverage reasons and diagnoses (consent and the
    rest of the documentation: ui/documentation_tab)."""

    def __init__(self, catalog: Catalog, add_field: AddField, errors: ErrorRouter):
        super().__init__()
        grid = QHBoxLayout(self)
        left = QGroupBox(self.tr("Procedure"))
        form = QFormLayout(left)
        self.performed_at = named(OneTabDateTimeEdit(), "Date and time of procedure")
        self.performed_at.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.performed_at.setCalendarPopup(True)
        add_field(form, BY_PATH[("performed_at",)].label, self.performed_at, ("performed_at",))
        # Who, what and how, as the form's description lists them (the diagnoses have their own column).
        self.fields: dict[str, FieldWidget] = {}
        for f in FIELDS:
            if f.tab == "Procedure" and len(f.path) == 1 and f.key not in ("performed_at", "diagnoses"):
                self.fields[f.key] = FieldWidget(Procedure, f)
                add_field(form, f.label, self.fields[f.key].widget, f.path)
        self.physician = self._typed("physician", QLineEdit)
        self.technique = self._typed("technique", ChoiceCombo)
        self.intent = self._typed("intent", ChoiceCombo)
        self.guidance = self._typed("guidance", ChoiceCombo)
        self.contrast = self._typed("contrast", QCheckBox)
        self.sedation = self._typed("sedation", ChoiceCombo)
        left_column = QWidget()
        lc = QVBoxLayout(left_column)
        lc.setContentsMargins(0, 0, 0, 0)
        lc.addWidget(left)
        lc.addStretch()
        right = QGroupBox(self.tr("Diagnoses (ICD-10-CM)"))
        rl = QVBoxLayout(right)
        self.diagnoses = named(code_list(catalog), "Diagnoses")
        rl.addWidget(self.diagnoses)
        rl.addWidget(errors.register(("diagnoses",), ErrorLabel()))
        grid.addWidget(left_column, 1)
        grid.addWidget(right, 1)

    def _typed(self, key: str, kind: type[W]) -> W:
        """The widget of a described field, as the kind the editor and undo work with."""
        widget = self.fields[key].widget
        assert isinstance(widget, kind), f"{key}: {type(widget).__name__}"
        return widget

    def load(self, p: Procedure | None, physician_hint: str = "") -> None:
        self.performed_at.setDateTime(to_qdatetime(p.performed_at) if p else QDateTime.currentDateTime())
        for key, fw in self.fields.items():
            fw.set_value(getattr(p, key) if p else None)
        if p is None:
            self.physician.setText(physician_hint)  # the signed-in physician performs a new procedure
        set_checked_codes(self.diagnoses, p.diagnoses if p else [])

    def data(self) -> dict:
        return {
            "performed_at": _minute(self.performed_at.dateTime().toPython()),
            **{key: fw.value() for key, fw in self.fields.items()},
            "diagnoses": checked_codes(self.diagnoses),
        }


def exclusion_choices(exclusion: Exclusion) -> ChoiceCombo:
    """No / Yes (/ the LCD's exception), after 'not recorded': an exclusion is never answered by default."""
    choices = [(ExclusionAnswer.ABSENT, ExclusionAnswer.ABSENT.label), (ExclusionAnswer.PRESENT, "Yes")]
    if exclusion.exception:
        choices.append((ExclusionAnswer.EXCEPTED, exclusion.exception))
    return named(ChoiceCombo(choices, optional=True), f"LCD exclusion: {exclusion.question}")


class IndicationSection(QWidget):
    """Pain duration, conservative care, the pain and disability scales (the Indication tab of the form's
    description, in its order), and the LCD exclusions (a question each, from resources/lcd_exclusions.json)."""

    def __init__(self, catalog: Catalog, add_field: AddField):
        super().__init__()
        form = QFormLayout(self)
        self.fields: dict[str, FieldWidget] = {}
        for f in FIELDS:
            if f.tab != "Indication" or len(f.path) != 2 or f.key == "exclusions":
                continue
            self.fields[f.key] = FieldWidget(Indication, f)
            add_field(form, f.label, self.fields[f.key].widget, f.path)
        # The LCD's patient-selection exclusions, one question each (resources/lcd_exclusions.json).
        self.exclusions: dict[str, ChoiceCombo] = {}
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        for row, exclusion in enumerate(catalog.exclusions):
            question = QLabel(self.tr(exclusion.question))
            question.setWordWrap(True)
            question.setToolTip(exclusion.source)
            combo = exclusion_choices(exclusion)
            question.setBuddy(combo)
            grid.addWidget(question, row, 0)
            grid.addWidget(combo, row, 1)
            self.exclusions[exclusion.key] = combo
        grid.setColumnStretch(0, 1)
        if self.exclusions:
            add_field(form, BY_PATH[("indication", "exclusions")].label, box, ("indication", "exclusions"))

    def load(self, p: Procedure | None) -> None:
        ind = p.indication if p else None
        for key, combo in self.exclusions.items():
            combo.set_value(ind.exclusion_answer(key) if ind else None)
        for key, fw in self.fields.items():
            fw.set_value(getattr(ind, key) if ind else None)

    def data(self) -> dict:
        return {
            "indication": {
                **{key: fw.value() for key, fw in self.fields.items()},
                "exclusions": [
                    {"key": key, "answer": combo.value()}
                    for key, combo in self.exclusions.items()
                    if combo.value() is not None
                ],
            }
        }


class OutcomeSection(QWidget):
    """Contrast spread, findings, blood loss, complications, post-procedure diagnosis, disposition, notes: the
    Outcome tab of the form's description, in its order; complications and diagnoses have widgets of their own."""

    def __init__(self, catalog: Catalog, add_field: AddField):
        super().__init__()
        outer = QVBoxLayout(self)
        form = QFormLayout()
        outer.addLayout(form)
        outer.addStretch()  # spare height below the form, not between its rows
        comp_box, self.complications = checkbox_grid(Complication, "Complication")
        none_note = QLabel(self.tr("Leave all unticked when there were no complications."))
        none_note.setStyleSheet(f"color: {style.MUTED_COLOR};")
        grid = comp_box.layout()
        assert isinstance(grid, QGridLayout)  # checkbox_grid lays its boxes out in a grid
        grid.addWidget(none_note, 99, 0, 1, 2)
        self.post_diagnoses = named(code_list(catalog), "Post-procedure diagnoses")
        self.post_diagnoses.setMaximumHeight(110)
        self.post_diagnoses.setToolTip(self.tr("Leave all unticked when they are the pre-procedure diagnoses"))
        own: dict[str, tuple[str, QWidget]] = {
            "complications": ("Complications", comp_box),
            "post_procedure_diagnoses": ("Post-procedure diagnosis (unticked: same as pre)", self.post_diagnoses),
        }
        self.fields: dict[str, FieldWidget] = {}
        for f in FIELDS:
            if f.tab != "Outcome":
                continue
            if f.key in own:
                label, widget = own[f.key]
            else:
                self.fields[f.key] = FieldWidget(Procedure, f)
                label, widget = f.label, self.fields[f.key].widget
            add_field(form, label, widget, f.path)

    @property
    def notes(self) -> QPlainTextEdit:
        widget = self.fields["notes"].widget
        assert isinstance(widget, QPlainTextEdit)
        return widget

    def load(self, p: Procedure | None) -> None:
        for key, fw in self.fields.items():
            fw.set_value(getattr(p, key) if p else None)
        set_checked_codes(self.post_diagnoses, p.post_procedure_diagnoses if p else [])
        for comp, box in self.complications.items():
            box.setChecked(bool(p and comp in p.complications))

    def data(self) -> dict:
        return {
            **{key: fw.value() for key, fw in self.fields.items()},
            "post_procedure_diagnoses": checked_codes(self.post_diagnoses),
            "complications": [c for c, box in self.complications.items() if box.isChecked()],
        }
