"""Routes field errors from the services to the error label beside the field they concern."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QVBoxLayout, QWidget

from facetdesk.domain.errors import FieldError, InvalidRecord
from facetdesk.storage.errors import StorageError
from facetdesk.ui.common.widgets import ErrorLabel

T = TypeVar("T")


def _rest_label(err: FieldError, prefix_len: int) -> str:
    rest = FieldError(err.path[prefix_len:], err.message)
    return str(rest) if rest.path else err.message


class ErrorRouter:
    def __init__(self, fallback: ErrorLabel):
        self._labels: dict[tuple, ErrorLabel] = {}
        self._fallback = fallback

    def register(self, path: tuple, label: ErrorLabel) -> ErrorLabel:
        self._labels[path] = label
        return label

    def field(self, widget: QWidget, path: tuple) -> QWidget:
        """The widget with its own error label underneath, registered for ``path``."""
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(widget)
        label = self.register(path, ErrorLabel())
        lay.addWidget(label)
        # Once the value is edited the message no longer describes it: a fixed date must not still be "wrong".
        for signal in ("textChanged", "currentIndexChanged", "valueChanged", "dateTimeChanged", "toggled"):
            if hasattr(widget, signal):
                getattr(widget, signal).connect(label.clear_error)
                break
        return box

    def saved(self, save: Callable[[], T]) -> T | None:
        """``save()``'s result; None, with each field's error beside it or the refusal in the general label.

        For a form's Save: a bad value is named where it was typed, and a database or permission problem is
        said once ("Not saved: …"); nothing is half-saved, the service sees to that.
        """
        # Here, not at the top: the sign-in dialog uses this module and paints before pydantic is loaded.
        from facetdesk.domain.users import NotPermitted

        try:
            return save()
        except InvalidRecord as exc:
            self.show(exc.errors)
        except (StorageError, NotPermitted) as exc:
            self.clear()
            self._fallback.show_error(QCoreApplication.translate("ErrorRouter", "Not saved: {msg}").format(msg=exc))
        return None

    def clear(self) -> None:
        for label in [*self._labels.values(), self._fallback]:
            label.clear_error()

    def label_for(self, err: FieldError) -> tuple[ErrorLabel, int]:
        for n in range(len(err.path), 0, -1):
            label = self._labels.get(tuple(err.path[:n]))
            if label is not None:
                return label, n
        return self._fallback, 0

    def show(self, errors: list[FieldError]) -> list[ErrorLabel]:
        """Show each error beside its field; returns the labels used (first = first error)."""
        self.clear()
        texts: dict[int, list[str]] = {}
        used: list[ErrorLabel] = []
        for err in errors:
            label, n = self.label_for(err)
            if label is self._fallback:
                text = str(err)
            else:
                text = _rest_label(err, n)
            texts.setdefault(id(label), []).append(text)
            if label not in used:
                used.append(label)
        for label in used:
            label.show_error("\n".join(texts[id(label)]))
        return used
