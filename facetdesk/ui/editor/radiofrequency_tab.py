"""The Radiofrequency tab: how an ablation's nerves were tested and lesioned, built from the form's description."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from facetdesk.domain.procedure import Procedure
from facetdesk.domain.procedure_form import FIELDS
from facetdesk.domain.radiofrequency import Lesioning
from facetdesk.ui.common import style
from facetdesk.ui.common.field_widgets import FieldWidget
from facetdesk.ui.editor.form_sections import AddField


class RadiofrequencyTab(QWidget):
    """Only a radiofrequency ablation has lesioning: for any other technique the fields are greyed out and empty
    in the record."""

    def __init__(self, add_field: AddField):
        super().__init__()
        outer = QVBoxLayout(self)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet(f"color: {style.MUTED_COLOR};")
        outer.addWidget(self.note)
        form = QFormLayout()
        outer.addLayout(form)
        outer.addStretch()
        self.fields: dict[str, FieldWidget] = {}
        for f in FIELDS:
            if f.tab == "RF ablation" and len(f.path) == 2:
                self.fields[f.key] = FieldWidget(Lesioning, f)
                add_field(form, f.label, self.fields[f.key].widget, f.path)
        self.set_applies(False)

    def set_applies(self, applies: bool) -> None:
        """Whether the procedure is an ablation (Technique on the Procedure tab)."""
        self.applies = applies
        for fw in self.fields.values():
            fw.widget.setEnabled(applies)
        self.note.setText(
            self.tr("The nerves were tested and lesioned as follows.")
            if applies
            else self.tr(
                "Only a radiofrequency ablation is recorded here: choose it as Technique on the Procedure tab."
            )
        )

    def load(self, p: Procedure | None) -> None:
        rf = p.radiofrequency if p else None
        for key, fw in self.fields.items():
            fw.set_value(getattr(rf, key) if rf else None)

    def data(self) -> dict[str, Any]:
        values = {key: fw.value() for key, fw in self.fields.items()}
        return {"radiofrequency": values if self.applies else None}
