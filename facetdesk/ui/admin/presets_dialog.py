"""Procedure presets: the clinic's manager dialog (list, fields, medications) and the editor's pick menu."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from facetdesk.domain.catalog import Catalog
from facetdesk.domain.documentation import ProcedureDocumentation
from facetdesk.domain.documentation_items import ITEM_BY_KEY
from facetdesk.domain.enums import BotoxProduct, Guidance, Intent, Sedation, Technique
from facetdesk.domain.preset import Preset
from facetdesk.domain.procedure_form import FIELDS as FORM_FIELDS
from facetdesk.domain.users import NotPermitted
from facetdesk.storage.errors import StorageError
from facetdesk.ui.common import style
from facetdesk.ui.common.error_router import ErrorRouter
from facetdesk.ui.common.field_widgets import FieldWidget
from facetdesk.ui.common.widgets import ChoiceCombo, ErrorLabel, OptionalFloatSpin, enum_combo, named
from facetdesk.ui.editor.medications_panel import MedicationsPanel

# Optional fields of a preset: "not set" leaves the procedure form's value alone when applied.
NOT_SET = "not set (keep the form's)"
REGIONS = (("cervical", "Cervical"), ("thoracic", "Thoracic"), ("lumbar", "Lumbar"))


class PresetsDialog(QDialog):
    """Create, edit and delete the clinic's procedure presets, shared by every workstation."""

    def __init__(self, preset_service, catalog: Catalog, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Procedure presets"))
        self._service = preset_service
        self._current: Preset | None = None
        self.general_error = ErrorLabel()
        self.errors = ErrorRouter(self.general_error)

        self.preset_list = named(QListWidget(), "Presets")
        self.preset_list.setMinimumWidth(260)
        self.new_button = named(QPushButton(self.tr("New")), "New preset")
        self.delete_button = named(QPushButton(self.tr("Delete")), "Delete preset")
        self.save_button = named(QPushButton(self.tr("Save")), "Save preset")
        # Enter in a field saves (as in the settings dialog), never "New" or "Delete".
        self.save_button.setDefault(True)
        for button in (self.new_button, self.delete_button):
            button.setAutoDefault(False)

        self.name = named(QLineEdit(), "Preset name")
        self.name.setMaxLength(80)
        self.technique = named(enum_combo(Technique), "Preset technique")
        self.intent = named(self._optional(Intent), "Preset intent")
        self.guidance = named(self._optional(Guidance), "Preset image guidance")
        self.sedation = named(self._optional(Sedation), "Preset sedation")
        self.region = named(ChoiceCombo(REGIONS, optional=True, none_label=self.tr("any")), "Preset region")
        self.medications = MedicationsPanel(catalog)
        # Totals read "per one joint / one nerve": the preset knows no levels.
        self.medications.set_counts(1, 1)
        self.errors.register(("medications",), self.medications.rows.error)
        # The clinic's usual toxin preparation: applying the preset ticks "Botulinum toxin given" and fills
        # product and dilution; the injection sites stay the physician's.
        self.toxin = named(QGroupBox(self.tr("Botulinum toxin (usual preparation)")), "Preset botulinum toxin")
        self.toxin.setCheckable(True)
        self.toxin.setChecked(False)
        self.toxin_product = named(
            enum_combo(BotoxProduct, optional=True, none_label=self.tr("— choose —")), "Preset toxin product"
        )
        self.toxin_vial = named(
            OptionalFloatSpin(10000, 0, " U", minimum=1, empty_text=self.tr("enter vial units")),
            "Preset toxin vial units",
        )
        self.toxin_diluent = named(
            OptionalFloatSpin(100, 1, " mL", minimum=0.1, empty_text=self.tr("enter volume")),
            "Preset toxin diluent volume",
        )
        toxin_form = QFormLayout(self.toxin)
        toxin_form.addRow(self.tr("Product"), self.errors.field(self.toxin_product, ("botox", "product")))
        toxin_form.addRow(self.tr("Vial"), self.errors.field(self.toxin_vial, ("botox", "vial_units")))
        toxin_form.addRow(self.tr("Diluted in"), self.errors.field(self.toxin_diluent, ("botox", "diluent_ml")))
        # The clinic's usual documentation items (draping, monitoring, views, approach, dose unit): what is said,
        # seen or measured on the day is never part of a preset.
        self.usual = QGroupBox(self.tr("Usual documentation"))
        usual_form = QFormLayout(self.usual)
        self.usual_items = {
            f.key: FieldWidget(ProcedureDocumentation, f)
            for f in FORM_FIELDS
            if f.path[0] == "documentation" and len(f.path) == 2 and ITEM_BY_KEY[f.key].usual
        }
        for key, fw in self.usual_items.items():
            named(fw.widget, f"Preset {fw.field.label.lower()}")
            usual_form.addRow(self.tr(fw.field.label), self.errors.field(fw.widget, ("documentation", key)))
        for combo in (self.technique, self.intent, self.guidance, self.sedation, self.region, self.toxin_product):
            combo.setMaximumWidth(style.COMBO_MAX_WIDTH)

        form = QFormLayout()
        form.addRow(self.tr("Name"), self.errors.field(self.name, ("name",)))
        form.addRow(self.tr("Technique"), self.errors.field(self.technique, ("technique",)))
        form.addRow(self.tr("Intent"), self.errors.field(self.intent, ("intent",)))
        form.addRow(self.tr("Image guidance"), self.errors.field(self.guidance, ("guidance",)))
        form.addRow(self.tr("Sedation"), self.errors.field(self.sedation, ("sedation",)))
        form.addRow(self.tr("Region"), self.errors.field(self.region, ("region",)))
        hint = QLabel(
            self.tr("Totals are shown for one joint or one nerve. Levels and scores stay with the physician.")
        )
        hint.setWordWrap(True)
        hint.setStyleSheet(f"color: {style.MUTED_COLOR};")

        left = QVBoxLayout()
        left.addWidget(self.preset_list)
        list_buttons = QHBoxLayout()
        list_buttons.addWidget(self.new_button)
        list_buttons.addWidget(self.delete_button)
        left.addLayout(list_buttons)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(QLabel(self.tr("Medications")))
        right.addWidget(self.medications)
        extras = QHBoxLayout()
        extras.addWidget(self.toxin, 1)
        extras.addWidget(self.usual, 1)
        right.addLayout(extras)
        right.addWidget(hint)
        right.addWidget(self.general_error)
        save_row = QHBoxLayout()
        save_row.addStretch()
        save_row.addWidget(self.save_button)
        right.addLayout(save_row)
        body = QHBoxLayout()
        body.setSpacing(style.SPACING * 2)
        body.addLayout(left)
        body.addLayout(right, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(style.MARGIN, style.MARGIN, style.MARGIN, style.MARGIN)
        layout.addWidget(QLabel(self.tr("Presets are shared by every workstation on this database.")))
        layout.addLayout(body)
        layout.addWidget(close)

        self.new_button.clicked.connect(self.new_preset)
        self.save_button.clicked.connect(self.save)
        self.delete_button.clicked.connect(self.delete)
        self.preset_list.currentItemChanged.connect(self._picked)
        self.refresh()
        if self.preset_list.count():
            self.preset_list.setCurrentRow(0)
        else:
            self.new_preset()

    def _optional(self, enum_cls) -> ChoiceCombo:
        return ChoiceCombo(((m, m.label) for m in enum_cls), optional=True, none_label=self.tr(NOT_SET))

    # ---- list -----------------------------------------------------------
    def refresh(self, select_id: int | None = None) -> None:
        """Reload the list from the database, selecting ``select_id`` when given."""
        self.preset_list.blockSignals(True)
        self.preset_list.clear()
        for preset in self._service.list():
            item = QListWidgetItem(preset.name)
            item.setData(Qt.ItemDataRole.UserRole, preset.id)
            self.preset_list.addItem(item)
            if preset.id == select_id:
                self.preset_list.setCurrentItem(item)
        self.preset_list.blockSignals(False)

    def names(self) -> list[str]:
        return [self.preset_list.item(i).text() for i in range(self.preset_list.count())]

    def select(self, name: str) -> None:
        for i in range(self.preset_list.count()):
            if self.preset_list.item(i).text() == name:
                self.preset_list.setCurrentRow(i)
                return

    def _picked(self, item: QListWidgetItem | None, _previous=None) -> None:
        if item is None:
            return
        preset = self._service.get(item.data(Qt.ItemDataRole.UserRole))
        if preset is None:  # deleted on another workstation
            self.refresh()
            self.new_preset()
            return
        self.load(preset)

    # ---- form -----------------------------------------------------------
    def load(self, preset: Preset | None) -> None:
        self.errors.clear()
        self._current = preset
        self.name.setText(preset.name if preset else "")
        self.technique.set_value(preset.technique if preset else Technique.MEDIAL_BRANCH_BLOCK)
        self.intent.set_value(preset.intent if preset else None)
        self.guidance.set_value(preset.guidance if preset else None)
        self.sedation.set_value(preset.sedation if preset else None)
        self.region.set_value(preset.region if preset else None)
        self.medications.load(preset.medications if preset else [])
        toxin = preset.botox if preset else None
        self.toxin.setChecked(toxin is not None)
        self.toxin_product.set_value(toxin.product if toxin else None)
        self.toxin_vial.set_value_or_none(toxin.vial_units if toxin else None)
        self.toxin_diluent.set_value_or_none(toxin.diluent_ml if toxin else None)
        doc = preset.documentation if preset else None
        for key, iw in self.usual_items.items():
            iw.set_value(getattr(doc, key) if doc else None)
        self.delete_button.setEnabled(preset is not None)

    def new_preset(self) -> None:
        self.preset_list.blockSignals(True)
        self.preset_list.setCurrentRow(-1)
        self.preset_list.clearSelection()
        self.preset_list.blockSignals(False)
        self.load(None)
        self.name.setFocus()

    def data(self) -> dict:
        return {
            "id": self._current.id if self._current else None,
            "name": self.name.text(),
            "technique": self.technique.value(),
            "intent": self.intent.value(),
            "guidance": self.guidance.value(),
            "sedation": self.sedation.value(),
            "region": self.region.value(),
            "medications": self.medications.data(),
            "botox": {
                "product": self.toxin_product.value(),
                "vial_units": self.toxin_vial.value_or_none(),
                "diluent_ml": self.toxin_diluent.value_or_none(),
            }
            if self.toxin.isChecked()
            else None,
            "documentation": {key: iw.value() for key, iw in self.usual_items.items()},
        }

    def save(self) -> Preset | None:
        """Validate and store the form; on failure show each error beside its field and save nothing."""
        saved = self.errors.saved(lambda: self._service.save(self.data(), based_on=self._current))
        if saved is None:
            return None
        self.refresh(select_id=saved.id)
        self.load(saved)
        return saved

    def confirm_delete(self, preset: Preset) -> bool:
        answer = QMessageBox.question(
            self, self.tr("Delete preset"), self.tr("Delete the preset “{name}”?").format(name=preset.name)
        )
        return answer == QMessageBox.StandardButton.Yes

    def delete(self) -> bool:
        preset = self._current
        if preset is None or preset.id is None or not self.confirm_delete(preset):
            return False
        try:
            self._service.delete(preset.id)
        except (StorageError, NotPermitted) as exc:
            self.general_error.show_error(self.tr("Not deleted: {msg}").format(msg=str(exc)))
            return False
        self.refresh()
        if self.preset_list.count():
            self.preset_list.setCurrentRow(0)
        else:
            self.new_preset()
        return True
