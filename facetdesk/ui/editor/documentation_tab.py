"""The editor's Documentation tab: consent and time-out, how it was done, radiation and images, the check after.

The documentation items' widgets are made from their description (domain/documentation.ITEMS): a yes/no
item is a choice of its own two words after "not recorded", a list is a row of check boxes, a number a
spin box that starts "not recorded". An item that does not concern the procedure as entered (views without
fluoroscopy, off-label toxin without toxin) is greyed out, keeping what it holds.
"""

from __future__ import annotations

import types
import typing
from enum import Enum
from typing import Any

from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from facetdesk.domain.documentation import ProcedureDocumentation
from facetdesk.domain.documentation_items import (
    APPLIES_WORDS,
    GROUP_TITLES,
    ITEMS,
    MAX_FLUOROSCOPY_SECONDS,
    MAX_RADIATION_DOSE,
    Group,
    Item,
    applies,
)
from facetdesk.domain.enums import Position, SkinPrep
from facetdesk.domain.procedure import Procedure
from facetdesk.ui.common.widgets import (
    ChoiceCombo,
    OptionalFloatSpin,
    OptionalIntSpin,
    YesNoUnknown,
    checkbox_grid,
    enum_combo,
    named,
)
from facetdesk.ui.editor.form_sections import AddField

_SPIN_LIMITS = {"fluoroscopy_seconds": MAX_FLUOROSCOPY_SECONDS, "radiation_dose": MAX_RADIATION_DOSE}


def _base_type(annotation: Any) -> tuple[type, bool]:
    """(the type, whether it is a list) of ``X | None`` or ``list[X]``."""
    if typing.get_origin(annotation) is list:
        return typing.get_args(annotation)[0], True
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return next(a for a in typing.get_args(annotation) if a is not type(None)), False
    return annotation, False


class ItemWidget:
    """One documentation item's widget, read and written as the model's value."""

    def __init__(self, item: Item):
        self.item = item
        tp, is_list = _base_type(ProcedureDocumentation.model_fields[item.key].annotation)
        self.boxes: dict[Enum, Any] = {}
        self.widget: QWidget
        if is_list:
            self.widget, self.boxes = checkbox_grid(tp, item.label, columns=2)
            named(self.widget, item.label)
        elif tp is bool:
            yes, no = item.yes_no
            self.widget = named(ChoiceCombo([(True, yes), (False, no)], optional=True), item.label)
        elif issubclass(tp, Enum):
            self.widget = named(enum_combo(tp, optional=True), item.label)
        elif tp is int:
            self.widget = named(OptionalIntSpin(0, _SPIN_LIMITS[item.key], " s"), item.label)
        else:  # float: 0 is a reading (consoles show 0.0 for a tiny dose); "not recorded" is below it
            self.widget = named(OptionalFloatSpin(_SPIN_LIMITS[item.key], decimals=2, minimum=0.0), item.label)
        if item.help:
            self.widget.setToolTip(item.help)

    def value(self) -> Any:
        w = self.widget
        if self.boxes:
            return [member for member, box in self.boxes.items() if box.isChecked()]
        if isinstance(w, ChoiceCombo):
            return w.value()
        return w.value_or_none()  # type: ignore[attr-defined]

    def set_value(self, value: Any) -> None:
        w = self.widget
        if self.boxes:
            for member, box in self.boxes.items():
                box.setChecked(member in (value or []))
        elif isinstance(w, ChoiceCombo):
            w.set_value(value)
        else:
            w.set_value_or_none(value)  # type: ignore[attr-defined]


class DocumentationTab(QWidget):
    """Consent, time-out and technique documentation; radiation and images; the check after the procedure."""

    def __init__(self, add_field: AddField):
        super().__init__()
        self.consent = named(YesNoUnknown(), "Written informed consent obtained")
        self.time_out = named(YesNoUnknown(), "Time-out performed")
        self.position = named(enum_combo(Position, optional=True), "Patient position")
        self.skin_prep = named(enum_combo(SkinPrep, optional=True), "Skin preparation")
        self.needle = named(QLineEdit(), "Needle", "Gauge, length and type, e.g. 22-gauge 3.5-inch spinal needle")
        self.needle.setPlaceholderText(self.tr("e.g. 22-gauge 3.5-inch spinal needle"))
        self.items = {item.key: ItemWidget(item) for item in ITEMS}
        # The procedure's own fields that belong with a group, before its documentation items.
        leading: dict[Group, list[tuple[str, QWidget, tuple]]] = {
            "consent": [
                ("Written informed consent", self.consent, ("consent_obtained",)),
                ("Time-out performed", self.time_out, ("time_out_performed",)),
            ],
            "technique": [
                ("Position", self.position, ("position",)),
                ("Skin preparation", self.skin_prep, ("skin_prep",)),
            ],
            "radiation": [],
            "after": [],
        }
        boxes: dict[Group, QGroupBox] = {}
        for group, title in GROUP_TITLES.items():
            box = boxes[group] = QGroupBox(self.tr(title))
            form = QFormLayout(box)
            # A label longer than its column leaves room for the field by putting it on the next line.
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
            for label, widget, path in leading[group]:
                add_field(form, label, widget, path)
            for item in ITEMS:
                if item.group == group:
                    add_field(form, item.label, self.items[item.key].widget, ("documentation", item.key))
                    if item.key == "approach":  # the needle is named beside its approach
                        add_field(form, "Needle", self.needle, ("needle",))
        row = QHBoxLayout(self)
        for column in (("consent", "technique"), ("radiation", "after")):
            col = QVBoxLayout()
            for group in column:
                col.addWidget(boxes[group])  # type: ignore[index]
            col.addStretch()
            row.addLayout(col, 1)
        # Two columns fit beside the findings panel only if long choices may shrink (the tooltip shows them whole).
        for combo in self.findChildren(QComboBox):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(12)

    def set_context(self, guidance: object, toxin_given: bool) -> None:
        """Grey out the items that do not concern a procedure with this guidance and toxin (their values kept)."""
        value = guidance.value if isinstance(guidance, Enum) else guidance
        for iw in self.items.values():
            ok = applies(iw.item.applies_to, value if isinstance(value, str) else None, toxin_given)
            iw.widget.setEnabled(ok)
            words = APPLIES_WORDS[iw.item.applies_to]
            tip = iw.item.help if ok or not words else f"{iw.item.label} {words}"
            iw.widget.setToolTip(tip)

    def load(self, p: Procedure | None) -> None:
        self.consent.set_value(p.consent_obtained if p else None)
        self.time_out.set_value(p.time_out_performed if p else None)
        self.position.set_value(p.position if p else None)
        self.skin_prep.set_value(p.skin_prep if p else None)
        self.needle.setText(p.needle if p else "")
        self.needle.setCursorPosition(0)  # a long entry shows its start ("22-gauge..."), not its end
        self.load_documentation(p.documentation if p else ProcedureDocumentation())

    def load_documentation(self, doc: ProcedureDocumentation) -> None:
        for key, iw in self.items.items():
            iw.set_value(getattr(doc, key))

    def data(self) -> dict:
        return {
            "consent_obtained": self.consent.value(),
            "time_out_performed": self.time_out.value(),
            "position": self.position.value(),
            "skin_prep": self.skin_prep.value(),
            "needle": self.needle.text(),
            "documentation": {key: iw.value() for key, iw in self.items.items()},
        }
