"""Presets dialog: create, edit and delete a preset through its widgets; errors beside fields; pick menu."""

from __future__ import annotations

import pytest

from facetdesk.domain.enums import BotoxProduct, DoseUnit, Intent, MedicationSite, Sedation, Technique, VolumeBasis
from facetdesk.domain.errors import FieldError
from facetdesk.services.presets import PresetService
from facetdesk.ui.admin.presets_dialog import PresetsDialog
from facetdesk.ui.editor.preset_menu import preset_menu
from tests.ui.helpers import choose, click, find, set_spin, type_into, unnamed_inputs

MBB_SEED = "Lumbar MBB, bupivacaine 0.5% 0.5 mL per nerve"
IA_SEED = "Lumbar IA, triamcinolone 40 mg + lidocaine 1%"


@pytest.fixture
def service(ctx) -> PresetService:
    return PresetService(ctx.database, ctx.work)


@pytest.fixture
def dialog(qtbot, ctx, service, monkeypatch) -> PresetsDialog:
    # Deleting asks first; tests answer "yes" instead of blocking on a modal box.
    monkeypatch.setattr(PresetsDialog, "confirm_delete", lambda self, preset: True)
    d = PresetsDialog(service, ctx.catalog)
    qtbot.addWidget(d)
    d.show()
    return d


def test_opens_on_the_first_preset_with_every_input_named(dialog):
    assert dialog.names() == [IA_SEED, MBB_SEED]
    assert find(dialog, "Preset name").text() == IA_SEED
    assert find(dialog, "Preset technique").value() == Technique.INTRA_ARTICULAR
    assert find(dialog, "Medication 2 agent").value() == "lidocaine"
    # Totals are for one joint: 0.4 mL of 1% lidocaine = 4 mg.
    assert dialog.medications.rows.table.item(1, 5).text() == "0.4 mL = 4 mg"
    assert unnamed_inputs(dialog) == []


def test_create_preset_through_the_widgets(qtbot, dialog, service):
    click(qtbot, find(dialog, "New preset"))
    assert find(dialog, "Preset name").text() == "" and dialog.medications.rows.rows() == 0
    type_into(qtbot, find(dialog, "Preset name"), "Cervical MBB, lidocaine 2%")
    choose(find(dialog, "Preset technique"), Technique.MEDIAL_BRANCH_BLOCK)
    choose(find(dialog, "Preset intent"), Intent.DIAGNOSTIC_CONFIRMATORY)
    choose(find(dialog, "Preset sedation"), Sedation.MINIMAL)
    choose(find(dialog, "Preset region"), "cervical")
    click(qtbot, find(dialog, "Medications: add row"))
    choose(find(dialog, "Medication 1 agent"), "lidocaine")
    choose(find(dialog, "Medication 1 strength"), 20.0)
    set_spin(qtbot, find(dialog, "Medication 1 volume"), 0.25)
    choose(find(dialog, "Medication 1 volume basis"), VolumeBasis.PER_NERVE)
    click(qtbot, find(dialog, "Save preset"))

    assert dialog.names() == ["Cervical MBB, lidocaine 2%", IA_SEED, MBB_SEED]
    assert dialog.preset_list.currentItem().text() == "Cervical MBB, lidocaine 2%"
    saved = next(p for p in service.list() if p.name == "Cervical MBB, lidocaine 2%")
    assert (saved.technique, saved.intent, saved.guidance, saved.sedation, saved.region) == (
        Technique.MEDIAL_BRANCH_BLOCK,
        Intent.DIAGNOSTIC_CONFIRMATORY,
        None,
        Sedation.MINIMAL,
        "cervical",
    )
    assert [m.model_dump() for m in saved.medications] == [
        {
            "agent": "lidocaine",
            "concentration_mg_per_ml": 20.0,
            "volume_ml": 0.25,
            "volume_basis": VolumeBasis.PER_NERVE,
            "site": MedicationSite.TARGET,
        }
    ]
    assert find(dialog, "Delete preset").isEnabled()


def test_edit_preset(qtbot, dialog, service):
    dialog.select(MBB_SEED)
    assert find(dialog, "Preset name").text() == MBB_SEED
    type_into(qtbot, find(dialog, "Preset name"), "Lumbar MBB, bupivacaine 0.5% 0.4 mL")
    set_spin(qtbot, find(dialog, "Medication 1 volume"), 0.4)
    choose(find(dialog, "Preset sedation"), Sedation.MINIMAL)
    click(qtbot, find(dialog, "Save preset"))
    assert dialog.names() == [IA_SEED, "Lumbar MBB, bupivacaine 0.5% 0.4 mL"]
    edited = next(p for p in service.list() if p.name.startswith("Lumbar MBB"))
    assert edited.medications[0].volume_ml == 0.4 and edited.sedation == Sedation.MINIMAL
    assert len(service.list()) == 2  # updated in place, not added


def test_errors_shown_beside_fields_and_nothing_saved(qtbot, dialog, service):
    click(qtbot, find(dialog, "New preset"))
    type_into(qtbot, find(dialog, "Preset name"), MBB_SEED.lower())
    choose(find(dialog, "Preset technique"), Technique.INTRA_ARTICULAR)
    click(qtbot, find(dialog, "Medications: add row"))
    choose(find(dialog, "Medication 1 agent"), "bupivacaine")
    choose(find(dialog, "Medication 1 volume basis"), VolumeBasis.PER_NERVE)  # no volume entered
    click(qtbot, find(dialog, "Save preset"))

    name_error, _ = dialog.errors.label_for(FieldError(("name",), ""))
    assert name_error.isVisible() and "already exists" in name_error.text()
    meds_error = dialog.medications.rows.error
    assert meds_error.isVisible() and "row 1 › Volume (mL): is required" in meds_error.text()
    assert not dialog.general_error.isVisible()
    assert len(service.list()) == 2

    set_spin(qtbot, find(dialog, "Medication 1 volume"), 0.5)
    type_into(qtbot, find(dialog, "Preset name"), "Lumbar IA, test")
    click(qtbot, find(dialog, "Save preset"))
    assert "medial branch blocks and radiofrequency ablation only" in meds_error.text() and not name_error.isVisible()
    assert len(service.list()) == 2


def test_delete_preset(qtbot, dialog, service):
    dialog.select(MBB_SEED)
    click(qtbot, find(dialog, "Delete preset"))
    assert dialog.names() == [IA_SEED]
    assert [p.name for p in service.list()] == [IA_SEED]
    assert find(dialog, "Preset name").text() == IA_SEED
    click(qtbot, find(dialog, "Delete preset"))
    assert dialog.names() == [] and service.list() == []
    # With nothing left, the form is a new preset and there is nothing to delete.
    assert find(dialog, "Preset name").text() == "" and not find(dialog, "Delete preset").isEnabled()


def test_delete_declined_keeps_preset(qtbot, dialog, service, monkeypatch):
    monkeypatch.setattr(PresetsDialog, "confirm_delete", lambda self, preset: False)
    click(qtbot, find(dialog, "Delete preset"))
    assert len(service.list()) == 2


def test_preset_menu_calls_back_with_the_chosen_preset(qtbot, service):
    picked = []
    menu = preset_menu(service.list(), picked.append)
    actions = menu.actions()
    assert [a.text() for a in actions] == [IA_SEED, MBB_SEED]
    actions[1].trigger()
    assert [p.name for p in picked] == [MBB_SEED]
    empty = preset_menu([], picked.append)
    assert [a.isEnabled() for a in empty.actions()] == [False]


def test_the_usual_toxin_preparation_is_saved_reloaded_and_refused_half_filled(qtbot, dialog, service):
    click(qtbot, find(dialog, "New preset"))
    assert not find(dialog, "Preset botulinum toxin").isChecked()  # a new preset gives no toxin
    type_into(qtbot, find(dialog, "Preset name"), "Lumbar MBB + Botox")
    find(dialog, "Preset botulinum toxin").setChecked(True)
    assert find(dialog, "Preset toxin vial units").text() == "enter vial units"  # nothing that looks recorded
    choose(find(dialog, "Preset toxin product"), BotoxProduct.ONABOTULINUMTOXINA)
    click(qtbot, find(dialog, "Save preset"))
    vial_error, _ = dialog.errors.label_for(FieldError(("botox", "vial_units"), ""))
    assert vial_error.isVisible() and "is required" in vial_error.text()
    assert "Lumbar MBB + Botox" not in dialog.names()
    set_spin(qtbot, find(dialog, "Preset toxin vial units"), 100)
    set_spin(qtbot, find(dialog, "Preset toxin diluent volume"), 2.5)
    saved = dialog.save()
    assert saved is not None and (saved.botox.vial_units, saved.botox.diluent_ml) == (100, 2.5)
    dialog.select(IA_SEED)
    assert not find(dialog, "Preset botulinum toxin").isChecked()
    dialog.select("Lumbar MBB + Botox")
    assert find(dialog, "Preset toxin product").value() == BotoxProduct.ONABOTULINUMTOXINA
    assert find(dialog, "Preset toxin diluent volume").value_or_none() == 2.5


def test_the_usual_documentation_items_are_saved_and_reloaded(qtbot, dialog, service):
    """Only how the clinic usually works is offered: draping, monitoring, views, approach, the dose unit."""
    offered = set(dialog.usual_items)
    assert offered == {"sterile_drape", "monitoring", "views", "approach", "radiation_dose_unit"}
    dialog.select(MBB_SEED)
    choose(find(dialog, "Preset sterile preparation and draping"), True)
    find(dialog, "Fluoroscopic views: AP").setChecked(True)
    find(dialog, "Fluoroscopic views: Oblique").setChecked(True)
    choose(find(dialog, "Preset dose unit"), DoseUnit.DAP_UGY_M2)
    click(qtbot, find(dialog, "Save preset"))
    doc = next(p for p in service.list() if p.name == MBB_SEED).documentation
    assert doc.sterile_drape is True and doc.radiation_dose_unit == DoseUnit.DAP_UGY_M2
    assert [v.value for v in doc.views] == ["ap", "oblique"] and doc.monitoring == []
    dialog.select(IA_SEED)
    assert not find(dialog, "Fluoroscopic views: AP").isChecked()  # the other preset holds none
    dialog.select(MBB_SEED)
    assert find(dialog, "Fluoroscopic views: Oblique").isChecked()
    assert find(dialog, "Preset dose unit").value() == DoseUnit.DAP_UGY_M2
