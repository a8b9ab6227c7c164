"""A form field's widget made from its description and the record's type: read and written as the model's value.

The description (domain/procedure_form.FormField) gives the label, help and example; the model field's type
gives the widget: yes / no / not recorded for ``bool | None`` (in the item's own words where it has them), a
check box for ``bool``, a choice after "not recorded" for an enum, check boxes for a list of enum members, a
line (or, for long text, a box) for text, a spin box that starts "not recorded" for a number.
"""

from __future__ import annotations

import types
import typing
from enum import Enum
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QCheckBox, QLineEdit, QPlainTextEdit, QSizePolicy, QWidget

from facetdesk.domain.base import ShortText
from facetdesk.domain.documentation_items import ITEM_BY_KEY, MAX_FLUOROSCOPY_SECONDS, MAX_RADIATION_DOSE
from facetdesk.domain.procedure_form import FormField
from facetdesk.ui.common.widgets import (
    ChoiceCombo,
    OptionalFloatSpin,
    OptionalIntSpin,
    checkbox_grid,
    enum_combo,
    named,
)

if TYPE_CHECKING:  # pydantic is loaded by the domain models; importing it here first would race PySide6's hook
    from pydantic import BaseModel

# Bounds of what may be typed in a number field (not clinical limits), with its unit.
_SPINS: dict[str, tuple[float, str]] = {"fluoroscopy_seconds": (MAX_FLUOROSCOPY_SECONDS, " s"),
                                        "radiation_dose": (MAX_RADIATION_DOSE, "")}  # fmt: skip
_SHORT_TEXT_MAX = next(m.max_length for m in typing.get_args(ShortText)[1:] if hasattr(m, "max_length"))


def _base_type(annotation: Any) -> tuple[type, bool]:
    """(the type, whether it is a list) of ``X | None`` or ``list[X]``."""
    if typing.get_origin(annotation) is list:
        return _plain(typing.get_args(annotation)[0]), True
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return _plain(next(a for a in typing.get_args(annotation) if a is not type(None))), False
    return _plain(annotation), False


def _plain(tp: Any) -> Any:
    """``int`` for ``Annotated[int, Field(ge=0, le=10)]`` (the NRS): the constraints are read by _bounds."""
    return typing.get_args(tp)[0] if typing.get_origin(tp) is typing.Annotated else tp


def _bounds(annotation: Any, metadata: list) -> tuple[float | None, float | None]:
    """The (lowest, highest) value the model allows, from its constraints (ge/gt, le/lt) wherever they sit."""
    found = list(metadata)
    for arg in typing.get_args(annotation):  # Nrs | None: the bounds are in the Annotated member
        found += list(getattr(arg, "__metadata__", ()))
        for inner in getattr(arg, "__metadata__", ()):
            found += list(getattr(inner, "metadata", ()))
    low = next((float(m.ge) for m in found if getattr(m, "ge", None) is not None), None)
    high = next((float(m.le) for m in found if getattr(m, "le", None) is not None), None)
    return low, high


def _long_text(model: type[BaseModel], key: str) -> bool:
    limits = [m.max_length for m in model.model_fields[key].metadata if getattr(m, "max_length", None)]
    return bool(limits) and limits[0] > _SHORT_TEXT_MAX


class FieldWidget:
    """The widget of one field of ``model`` (Procedure, ProcedureDocumentation) described by ``field``."""

    def __init__(self, model: type[BaseModel], field: FormField):
        self.field = field
        key, label = field.key, field.label
        info = model.model_fields[key]
        tp, is_list = _base_type(info.annotation)
        optional = info.annotation is not tp and not is_list
        self.boxes: dict[Enum, QCheckBox] = {}
        self._default: Any = None
        self.widget: QWidget
        if is_list:
            self.widget, self.boxes = checkbox_grid(tp, label, columns=2)
            named(self.widget, label)
        elif tp is bool and optional:
            item = ITEM_BY_KEY.get(key) if field.path[0] == "documentation" else None
            yes, no = item.yes_no if item else ("Yes", "No")
            self.widget = named(ChoiceCombo([(True, yes), (False, no)], optional=True), label)
        elif tp is bool:
            self.widget = named(QCheckBox(label), label)
        elif (
            isinstance(tp, type)
            and issubclass(tp, Enum)
            and not optional
            and not info.is_required()
            and not field.unchosen
        ):
            # A choice the record defaults (the pain scale): the default is shown, never an empty choice.
            self._default = info.default
            self.widget = named(enum_combo(tp), label)
        elif isinstance(tp, type) and issubclass(tp, Enum) and (not optional or field.unchosen):
            # Required, with nothing chosen until the physician (or a preset) chooses: never a value that looks
            # recorded.
            self.widget = named(enum_combo(tp, optional=True, none_label="— choose —"), label)
        elif isinstance(tp, type) and issubclass(tp, Enum):
            self.widget = named(enum_combo(tp, optional=True), label)
        elif tp is str:
            self.widget = named(QPlainTextEdit() if _long_text(model, key) else QLineEdit(), label)
            if field.placeholder:
                self.widget.setPlaceholderText(field.placeholder)  # type: ignore[attr-defined]
            if isinstance(self.widget, QPlainTextEdit):
                # Four lines, not growing: a box the form stretched sat centred in its row, away from its label.
                self.widget.setFixedHeight(72)
                self.widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        else:
            # Bounds from the model's constraints (else the typing limits above); "not recorded" is below them.
            low, high = _bounds(info.annotation, info.metadata)
            limit, unit = _SPINS.get(key, (high, field.unit))
            maximum = high if high is not None else limit
            assert maximum is not None, f"{key}: a number field needs an upper bound"
            if tp is int:
                self.widget = named(OptionalIntSpin(int(low or 0), int(maximum), unit), label)
            else:  # 0 is a reading (a console's 0.0 dose, a 0% disability score)
                self.widget = named(
                    OptionalFloatSpin(maximum, decimals=field.decimals, suffix=unit, minimum=low or 0.0), label
                )
        if field.help:
            self.widget.setToolTip(field.help)

    def value(self) -> Any:
        w = self.widget
        if self.boxes:
            return [member for member, box in self.boxes.items() if box.isChecked()]
        if isinstance(w, ChoiceCombo):
            return w.value()
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, QPlainTextEdit):
            return w.toPlainText()
        if isinstance(w, QLineEdit):
            return w.text()
        return w.value_or_none()  # type: ignore[attr-defined]

    def set_value(self, value: Any) -> None:
        w = self.widget
        if self.boxes:
            for member, box in self.boxes.items():
                box.setChecked(member in (value or []))
        elif isinstance(w, ChoiceCombo):
            w.set_value(value if value is not None else self._default)
        elif isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, QPlainTextEdit):
            w.setPlainText(value or "")
        elif isinstance(w, QLineEdit):
            w.setText(value or "")
            w.setCursorPosition(0)  # a long entry shows its start, not its end
        else:
            w.set_value_or_none(value)  # type: ignore[attr-defined]
