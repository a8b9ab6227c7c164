"""Small reusable input widgets: enum combos, optional numbers, yes/no/unknown, error labels."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import Enum
from typing import Any, TypeVar

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QSpinBox,
    QToolTip,
    QWidget,
)

from facetdesk.ui.common import style
from facetdesk.ui.common.labels import ErrorLabel, named, rich  # noqa: F401 (imported from here by most widgets)

NOT_RECORDED = "not recorded"
T = TypeVar("T")


class ChoiceCombo(QComboBox):
    """A combo box over (value, label) pairs, optionally with a leading 'not recorded' entry.

    Values are kept on the Python side: Qt turns str-based enums into plain strings.
    """

    def __init__(
        self, choices: Iterable[tuple[object, str]] = (), optional: bool = False, none_label: str = NOT_RECORDED
    ):
        super().__init__()
        self._values: list[object] = []
        self._base_tip = ""
        if optional:
            self.add_choice(None, none_label)
        for value, label in choices:
            self.add_choice(value, label)
        # A narrow column cuts the choice off ("240 mgI/mL (uncon…"): hovering shows it whole, first.
        self.currentTextChanged.connect(lambda _text: self._show_tip())

    def setToolTip(self, tip: str) -> None:  # noqa: N802 (Qt API)
        self._base_tip = tip
        self._show_tip()

    def _show_tip(self) -> None:
        super().setToolTip("\n".join(part for part in (self.currentText(), self._base_tip) if part))

    def add_choice(self, value: object, label: str) -> None:
        self._values.append(value)
        self.addItem(label, value.value if isinstance(value, Enum) else value)

    def clear(self) -> None:
        self._values.clear()
        super().clear()

    def value(self) -> object:
        idx = self.currentIndex()
        return self._values[idx] if 0 <= idx < len(self._values) else None

    def index_of(self, value: object) -> int:
        for i, v in enumerate(self._values):
            if v == value or (isinstance(v, float) and isinstance(value, (int, float)) and abs(v - value) < 1e-9):
                return i
        return -1

    def set_value(self, value: object) -> None:
        self.setCurrentIndex(max(self.index_of(value), 0))


def usual_first(
    items: Iterable[T], usual: Iterable[str], key: Callable[[T], str], rest_order: Callable[[T], Any]
) -> tuple[list[T], list[T]]:
    """Split ``items`` into the clinic's usual ones (in ``usual``'s order) and the rest (in ``rest_order``):
    choices a physician scans, what they use most at the top."""
    by_key = {key(item): item for item in items}
    lead = [by_key[k] for k in dict.fromkeys(usual) if k in by_key]
    taken = {key(item) for item in lead}
    return lead, sorted((item for item in by_key.values() if key(item) not in taken), key=rest_order)


def enum_combo(enum_cls: type[Enum], optional: bool = False, none_label: str = NOT_RECORDED) -> ChoiceCombo:
    return ChoiceCombo(((m, m.label) for m in enum_cls), optional=optional, none_label=none_label)  # type: ignore[attr-defined]


class YesNoUnknown(ChoiceCombo):
    def __init__(self) -> None:
        super().__init__([(False, "No"), (True, "Yes")], optional=True)


class RefusingSpin:
    """Mixed into spin boxes: a keystroke that would leave the range is refused visibly, never silently.

    Qt drops such a keystroke without a word ("11" in a 0-10 box stays "1"); here the field also says what is
    allowed, beside it (a tooltip) and in ``refused`` for whoever listens (tests, a status bar).
    """

    refused_text = ""

    def _range_words(self) -> str:
        low = self._allowed_minimum()  # type: ignore[attr-defined]
        decimals = getattr(self, "decimals", lambda: 0)()
        # 0.01 to 100 mL: the step's decimals where they matter, none on a round number.
        fmt = (lambda v: f"{v:.{decimals}f}".rstrip("0").rstrip(".")) if decimals else (lambda v: f"{v:g}")
        suffix = self.suffix().strip()  # type: ignore[attr-defined]
        return f"{fmt(low)} to {fmt(self.maximum())}{' ' + suffix if suffix else ''}"  # type: ignore[attr-defined]

    def _allowed_minimum(self) -> float:
        return self.minimum()  # type: ignore[attr-defined]

    def _below_allowed(self, text: str) -> bool:
        """A typed number under the allowed minimum (0 in a volume box), which Qt would take as the
        box's 'not recorded' state: it may still become valid ("0" on the way to "0.5"), so it is
        Intermediate while typing and refused, with the range, if the user leaves it there."""
        if not any(ch.isdigit() for ch in text) or text == self.specialValueText():  # type: ignore[attr-defined]
            return False
        try:
            value = self.valueFromText(text)  # type: ignore[attr-defined]
        except (ValueError, TypeError):
            return False
        return value < self._allowed_minimum() - 1e-9

    def _refuse(self, text: str) -> None:
        name = self.accessibleName() or "This field"  # type: ignore[attr-defined]
        self.refused_text = f"{name}: {text.strip()} is not allowed; enter {self._range_words()}"
        QToolTip.showText(self.mapToGlobal(self.rect().bottomLeft()), self.refused_text, self)  # type: ignore[attr-defined, arg-type]

    def validate(self, text: str, pos: int):  # noqa: D102 (Qt API)
        result = super().validate(text, pos)  # type: ignore[misc]
        state = result[0] if isinstance(result, tuple) else result
        if state == QValidator.State.Invalid and any(ch.isdigit() for ch in text):
            self._refuse(text)
        elif state == QValidator.State.Acceptable and self._below_allowed(text):
            state = QValidator.State.Intermediate
            result = (state, *result[1:]) if isinstance(result, tuple) else state
        return result

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt API)
        # The first digit typed over "not recorded" / "enter units" replaces it, wherever the click put the
        # cursor (otherwise "25" lands inside the words and is thrown away).
        special = self.specialValueText()  # type: ignore[attr-defined]
        typed = event.text()
        if special and self.text() == special and typed and (typed[0].isdigit() or typed[0] in ".,"):  # type: ignore[attr-defined]
            self.lineEdit().selectAll()  # type: ignore[attr-defined]
        super().keyPressEvent(event)  # type: ignore[misc]

    def fixup(self, text: str):  # noqa: D102 (Qt API)
        # Called when the user leaves the field with text that is not acceptable; Qt then restores the
        # previous value, so say why instead of letting the 0 vanish without a word.
        if self._below_allowed(self.cleanText()):  # type: ignore[attr-defined]
            self._refuse(self.cleanText())  # type: ignore[attr-defined]
        return super().fixup(text)  # type: ignore[misc]


class OptionalIntSpin(RefusingSpin, QSpinBox):
    """Whole number with a 'not recorded' state one below the minimum."""

    def __init__(self, minimum: int, maximum: int, suffix: str = ""):
        super().__init__()
        self.setRange(minimum - 1, maximum)
        self.setSpecialValueText(NOT_RECORDED)
        self.setSuffix(suffix)
        self.setValue(minimum - 1)
        self.setMaximumWidth(style.SPIN_MAX_WIDTH)

    def _allowed_minimum(self) -> float:
        return self.minimum() + 1

    def value_or_none(self) -> int | None:
        return None if self.value() == self.minimum() else self.value()

    def set_value_or_none(self, value: int | None) -> None:
        self.setValue(self.minimum() if value is None else int(value))


class OptionalFloatSpin(RefusingSpin, QDoubleSpinBox):
    """Decimal number with a 'not recorded' state one step below ``minimum`` (so ``minimum`` itself, 0 for a
    disability score, is a value that is kept, not read as 'not recorded')."""

    def __init__(
        self, maximum: float, decimals: int = 1, suffix: str = "", minimum: float = 0.0, empty_text: str = NOT_RECORDED
    ):
        super().__init__()
        step = 10.0**-decimals
        self.setDecimals(decimals)
        self.setRange(minimum - step, maximum)
        self.setSpecialValueText(empty_text)
        self.setSuffix(suffix)
        self.setValue(self.minimum())
        self.setMaximumWidth(style.SPIN_MAX_WIDTH)

    def _allowed_minimum(self) -> float:
        return self.minimum() + 10.0 ** -self.decimals()

    def value_or_none(self) -> float | None:
        return None if self.value() <= self.minimum() else self.value()

    def set_value_or_none(self, value: float | None) -> None:
        self.setValue(self.minimum() if value is None else float(value))


def to_qdatetime(value) -> QDateTime:
    return QDateTime(QDate(value.year, value.month, value.day), QTime(value.hour, value.minute))


def to_qdate(value) -> QDate:
    return QDate(value.year, value.month, value.day)


def checkbox_grid(enum_cls: type[Enum], name_prefix: str, columns: int = 2) -> tuple[QWidget, dict]:
    """One labelled check box per enum member, laid out in a grid; returns (widget, {member: box})."""
    box = QWidget()
    grid = QGridLayout(box)
    grid.setContentsMargins(0, 0, 0, 0)
    boxes = {}
    for i, member in enumerate(enum_cls):
        check = named(QCheckBox(member.label), f"{name_prefix}: {member.label}")  # type: ignore[attr-defined]
        grid.addWidget(check, i // columns, i % columns)
        boxes[member] = check
    return box, boxes
