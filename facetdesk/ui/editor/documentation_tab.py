"""The editor's Documentation tab: consent and time-out, how it was done, radiation and images, the check after.

Built from the form's description (domain/procedure_form.FIELDS, tab "Documentation"): each field's widget comes
from its description and the record's type (common/field_widgets.FieldWidget), in its group, in the described
order. An item that does not concern the procedure as entered (views without fluoroscopy, off-label toxin without
toxin) is greyed out, keeping what it holds.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from facetdesk.domain.documentation import ProcedureDocumentation
from facetdesk.domain.documentation_items import APPLIES_WORDS, GROUP_TITLES, ITEM_BY_KEY, applies
from facetdesk.domain.procedure import Procedure
from facetdesk.domain.procedure_form import FIELDS
from facetdesk.ui.common.field_widgets import FieldWidget
from facetdesk.ui.editor.form_sections import AddField
from facetdesk.ui.editor.images_panel import ImagesPanel

# Which of the two columns each group sits in.
_COLUMNS = (("consent", "technique"), ("radiation", "after"))


class DocumentationTab(QWidget):
    """Consent, time-out and technique documentation; radiation and images; the check after the procedure."""

    def __init__(self, add_field: AddField, images: ImagesPanel):
        super().__init__()
        self.images = images
        described = [f for f in FIELDS if f.tab == "Documentation" and f.group]
        # The record's own fields (consent, position, needle...) and the documentation items, by name.
        self.fields = {f.key: FieldWidget(Procedure, f) for f in described if len(f.path) == 1}
        self.items = {f.key: FieldWidget(ProcedureDocumentation, f) for f in described if len(f.path) == 2}
        boxes: dict[str, QGroupBox] = {}
        self._boxes = boxes
        for group, title in GROUP_TITLES.items():
            box = boxes[group] = QGroupBox(self.tr(title))
            form = QFormLayout(box)
            # A label longer than its column leaves room for the field by putting it on the next line.
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
            for f in described:
                if f.group == group:
                    widget = (self.fields if len(f.path) == 1 else self.items)[f.key].widget
                    add_field(form, f.label, widget, f.path)
        row = QHBoxLayout(self)
        for column in _COLUMNS:
            col = QVBoxLayout()
            for name in column:
                col.addWidget(boxes[name])
                if name == "radiation":  # the images themselves, under "Images saved"
                    col.addWidget(images)
            col.addStretch()
            row.addLayout(col, 1)
        # Two columns fit beside the findings panel only if long choices may shrink (the tooltip shows them whole).
        for combo in self.findChildren(QComboBox):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(12)

    def set_inputs_enabled(self, enabled: bool) -> None:
        """Every group takes input or none does; the images panel is left to its own rule."""
        for box in self._boxes.values():
            box.setEnabled(enabled)

    @property
    def needle(self) -> QLineEdit:
        widget = self.fields["needle"].widget
        assert isinstance(widget, QLineEdit)
        return widget

    def set_context(self, guidance: object, toxin_given: bool) -> None:
        """Grey out the items that do not concern a procedure with this guidance and toxin (their values kept)."""
        value = guidance.value if isinstance(guidance, Enum) else guidance
        for key, fw in self.items.items():
            item = ITEM_BY_KEY[key]
            ok = applies(item.applies_to, value if isinstance(value, str) else None, toxin_given)
            fw.widget.setEnabled(ok)
            words = APPLIES_WORDS[item.applies_to]
            fw.widget.setToolTip(item.help if ok or not words else f"{item.label} {words}")

    def load(self, p: Procedure | None) -> None:
        for key, fw in self.fields.items():
            fw.set_value(getattr(p, key) if p else None)
        self.load_documentation(p.documentation if p else ProcedureDocumentation())

    def load_documentation(self, doc: ProcedureDocumentation) -> None:
        for key, fw in self.items.items():
            fw.set_value(getattr(doc, key))

    def data(self) -> dict[str, Any]:
        return {
            **{key: fw.value() for key, fw in self.fields.items()},
            "documentation": {key: fw.value() for key, fw in self.items.items()},
        }
