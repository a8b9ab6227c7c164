"""PresetService (validation, unique names, one transaction per call) and apply_preset on form data."""

from __future__ import annotations

from datetime import datetime

import pytest

from facetdesk.domain.enums import BotoxProduct, Guidance, Intent, MedicationSite, Sedation, Technique, VolumeBasis
from facetdesk.domain.errors import InvalidRecord
from facetdesk.domain.preset import Preset, apply_preset
from facetdesk.domain.procedure import Procedure
from facetdesk.services.presets import PresetService
from tests.builders.records import patient_data, scored_block_data

MBB_SEED = "Lumbar MBB, bupivacaine 0.5% 0.5 mL per nerve"
IA_SEED = "Lumbar IA, triamcinolone 40 mg + lidocaine 1%"


@pytest.fixture
def service(ctx) -> PresetService:
    return PresetService(ctx.database, ctx.work)


def preset_data(**overrides) -> dict:
    data: dict = {
        "name": "Thoracic IA, methylprednisolone",
        "technique": "intra_articular",
        "intent": "therapeutic",
        "guidance": "ct",
        "sedation": None,
        "region": "thoracic",
        "medications": [
            {"agent": "methylprednisolone_acetate", "concentration_mg_per_ml": 40, "volume_ml": 0.5},
            {"agent": "bupivacaine", "concentration_mg_per_ml": 2.5, "volume_ml": 0.25, "volume_basis": "per_joint"},
        ],
    }
    data.update(overrides)
    return data


def _by_name(service: PresetService, name: str) -> Preset:
    return next(p for p in service.list() if p.name == name)


def test_seeded_presets_listed(service):
    assert [p.name for p in service.list()] == [IA_SEED, MBB_SEED]


def test_save_dict_get_update_delete(service):
    saved = service.save(preset_data(name="  Thoracic IA, methylprednisolone  "))
    assert saved.id is not None and saved.name == "Thoracic IA, methylprednisolone"
    assert saved.guidance == Guidance.CT and saved.sedation is None and saved.region == "thoracic"
    assert service.get(saved.id) == saved
    updated = service.save(saved.model_copy(update={"sedation": Sedation.MINIMAL}), based_on=saved)
    assert service.get(saved.id) == updated and updated.sedation == Sedation.MINIMAL
    assert len(service.list()) == 3
    assert service.delete(saved.id) is True
    assert service.get(saved.id) is None and service.delete(saved.id) is False


def test_field_errors_name_the_fields(service):
    with pytest.raises(InvalidRecord) as info:
        service.save(
            preset_data(
                name="",
                technique="radiofrequency",
                region="sacral",
                medications=[{"agent": "bupivacaine", "concentration_mg_per_ml": 3, "volume_ml": 0}],
            )
        )
    paths = {e.path for e in info.value.errors}
    assert paths == {
        ("name",),
        ("technique",),
        ("region",),
        ("medications", 0, "concentration_mg_per_ml"),
        ("medications", 0, "volume_ml"),
    }
    assert len(service.list()) == 2


def test_name_longer_than_80_refused(service):
    with pytest.raises(InvalidRecord) as info:
        service.save(preset_data(name="x" * 81))
    assert [e.path for e in info.value.errors] == [("name",)]
    assert "80" in str(info.value)


def test_per_nerve_only_for_medial_branch_blocks(service):
    meds = [{"agent": "bupivacaine", "concentration_mg_per_ml": 5, "volume_ml": 0.5, "volume_basis": "per_nerve"}]
    with pytest.raises(InvalidRecord) as info:
        service.save(preset_data(medications=meds))
    assert [e.path for e in info.value.errors] == [("medications",)]
    assert "medial branch" in str(info.value)


def test_duplicate_name_is_an_error_on_name_and_nothing_saved(service):
    with pytest.raises(InvalidRecord) as info:
        service.save(preset_data(name=MBB_SEED.upper()))
    assert [e.path for e in info.value.errors] == [("name",)]
    assert "already exists" in info.value.errors[0].message
    assert [p.name for p in service.list()] == [IA_SEED, MBB_SEED]


# ---- apply_preset ----------------------------------------------------------


def test_apply_replaces_technique_and_medications_only(service, make_procedure_data):
    draft = make_procedure_data(
        technique="intra_articular",
        intent="therapeutic",
        guidance="ct",
        sedation="moderate",
        complications=["vasovagal"],
        notes="kept",
    )
    before = dict(draft)
    mbb = _by_name(service, MBB_SEED)
    out = apply_preset(mbb, draft)
    assert draft == before  # the caller's dict is not changed
    assert (out["technique"], out["intent"], out["guidance"], out["sedation"]) == (
        Technique.MEDIAL_BRANCH_BLOCK,
        Intent.DIAGNOSTIC_FIRST,
        Guidance.FLUOROSCOPY,
        Sedation.NONE,
    )
    assert out["medications"] == [
        {
            "agent": "bupivacaine",
            "concentration_mg_per_ml": 5.0,
            "volume_ml": 0.5,
            "volume_basis": VolumeBasis.PER_NERVE,
            "site": MedicationSite.TARGET,
        }
    ]
    untouched = set(draft) - {"technique", "intent", "guidance", "sedation", "medications"}
    assert {k: out[k] for k in untouched} == {k: draft[k] for k in untouched}
    assert out["targets"] == draft["targets"] and out["pain_scores"] == draft["pain_scores"]
    # The result is a procedure the physician can save once levels and scores are theirs.
    procedure = Procedure.model_validate(out)
    assert procedure.doses_by_agent() == {"bupivacaine": 2.5 * len(procedure.nerves())}


def test_apply_keeps_the_forms_value_where_the_preset_has_none(service, make_procedure_data):
    preset = service.save(preset_data(intent=None, guidance=None, sedation=None))
    draft = make_procedure_data(intent="diagnostic_confirmatory", sedation="minimal")
    out = apply_preset(preset, draft)
    assert out["technique"] == Technique.INTRA_ARTICULAR
    assert (out["intent"], out["guidance"], out["sedation"]) == ("diagnostic_confirmatory", "fluoroscopy", "minimal")
    assert [m["agent"] for m in out["medications"]] == ["methylprednisolone_acetate", "bupivacaine"]


def test_apply_turns_contrast_on_for_a_contrast_agent(make_procedure_data):
    preset = Preset(
        name="With contrast",
        technique=Technique.MEDIAL_BRANCH_BLOCK,
        medications=[{"agent": "iohexol", "concentration_mg_per_ml": 240, "volume_ml": 0.2}],
    )
    out = apply_preset(preset, make_procedure_data(contrast=False))
    assert out["contrast"] is True
    Procedure.model_validate(out)


def test_apply_ia_seed_to_one_joint_stays_under_lumbar_maximum(service, make_procedure_data):
    draft = make_procedure_data(performed_at=datetime(2025, 4, 2, 10, 15), targets=[{"level": "L4-L5", "side": "left"}])
    procedure = Procedure.model_validate(apply_preset(_by_name(service, IA_SEED), draft))
    per_joint = sum(m.total_volume_ml(procedure) for m in procedure.medications) / len(procedure.targets)
    assert per_joint < 1.5
    assert procedure.doses_by_agent()["triamcinolone_acetonide"] == 40


def test_taken_name_reported_with_the_other_errors(service):
    with pytest.raises(InvalidRecord) as info:
        service.save(preset_data(name=f" {IA_SEED} ", medications=[{"agent": "aspirin", "volume_ml": 1}]))
    paths = [e.path for e in info.value.errors]
    assert paths[0] == ("name",) and "already exists" in info.value.errors[0].message
    assert ("medications", 0, "agent") in paths
    # Its own name is not "taken" when an existing preset is re-saved with another mistake.
    ia = _by_name(service, IA_SEED)
    with pytest.raises(InvalidRecord) as info:
        service.save({**ia.model_dump(), "region": "sacral"})
    assert [e.path for e in info.value.errors] == [("region",)]


# ---- the usual toxin preparation ---------------------------------------------
TOXIN = {"product": "onabotulinumtoxinA", "vial_units": 100, "diluent_ml": 2}


def test_a_preset_keeps_its_toxin_preparation_and_refuses_one_half_filled(service):
    saved = service.save(preset_data(name="MBB with Botox", botox=TOXIN))
    assert service.get(saved.id).botox.model_dump() == {"product": BotoxProduct.ONABOTULINUMTOXINA,
                                                         "vial_units": 100, "diluent_ml": 2}  # fmt: skip
    cleared = service.save(saved.model_copy(update={"botox": None}), based_on=saved)
    assert service.get(cleared.id).botox is None
    with pytest.raises(InvalidRecord) as exc:
        service.save(preset_data(name="Half toxin", botox={**TOXIN, "vial_units": None, "diluent_ml": 0}))
    paths = {e.path: e.message for e in exc.value.errors}
    assert paths[("botox", "vial_units")] == "is required"
    assert "greater than 0" in paths[("botox", "diluent_ml")]
    assert "Half toxin" not in [p.name for p in service.list()]


def test_applying_a_toxin_preset_fills_the_preparation_and_keeps_the_physicians_sites():
    preset = Preset.model_validate(preset_data(botox=TOXIN))
    site = {"muscle": "lumbar_multifidus", "level": "L4", "side": "left", "units": 25}
    draft = Procedure.model_validate(scored_block_data()).model_dump()
    draft["botulinum_toxin"] = {"product": "incobotulinumtoxinA", "vial_units": 50, "diluent_ml": 1, "sites": [site]}
    out = apply_preset(preset, draft)
    assert out["botulinum_toxin"] == {**preset.botox.model_dump(), "sites": [site]}
    assert draft["botulinum_toxin"]["product"] == "incobotulinumtoxinA"  # the form's data is not changed
    no_toxin = apply_preset(Preset.model_validate(preset_data()), draft)
    assert no_toxin["botulinum_toxin"] == draft["botulinum_toxin"]  # a preset without toxin leaves it alone


def test_the_usual_medication_agents_are_the_presets_then_the_most_recorded(ctx, service):
    for p in service.list():
        service.delete(p.id)
    assert ctx.records.usual_medication_agents() == []
    service.save(preset_data(medications=[{"agent": "lidocaine", "concentration_mg_per_ml": 10, "volume_ml": 1}]))
    patient = ctx.records.save_patient(patient_data())
    for agent, times in (("ropivacaine", 1), ("bupivacaine", 2)):
        for n in range(times):
            ctx.records.save_procedure(patient.id, scored_block_data(
                performed_at=datetime(2025, 4, 2 + len(agent) + n, 10, 0),
                medications=[{"agent": agent, "concentration_mg_per_ml": 5.0, "volume_ml": 0.5}]))  # fmt: skip
    assert ctx.records.usual_medication_agents() == ["lidocaine", "bupivacaine", "ropivacaine"]


# ---- the usual documentation items ---------------------------------------------
USUAL_DOCUMENTATION = {
    "sterile_drape": True,
    "monitoring": ["pulse_oximetry", "blood_pressure"],
    "views": ["ap", "oblique"],
    "approach": "posterior_oblique",
    "radiation_dose_unit": "dap_ugy_m2",
}


def test_a_preset_keeps_the_clinics_usual_documentation_items(service):
    saved = service.save(preset_data(name="MBB, usual documentation", documentation=USUAL_DOCUMENTATION))
    again = service.get(saved.id).documentation
    assert again.model_dump(mode="json", exclude_defaults=True) == USUAL_DOCUMENTATION
    # Nothing set: the preset holds no documentation (and leaves the form's alone).
    cleared = service.save(saved.model_copy(update={"documentation": None}), based_on=saved)
    assert service.get(cleared.id).documentation is None


@pytest.mark.parametrize(
    "observed,label",
    [({"aspiration": "negative"}, "Aspiration before injection"), ({"risks_discussed": True}, "Risks, benefits"),
     ({"tolerance": "well"}, "Tolerance"), ({"fluoroscopy_seconds": 30}, "Fluoroscopy time"),
     ({"images_saved": True}, "Images saved")],
)  # fmt: skip
def test_a_preset_refuses_what_is_observed_on_the_day(service, observed, label):
    with pytest.raises(InvalidRecord) as exc:
        service.save(preset_data(name="Pre-documented", documentation={**USUAL_DOCUMENTATION, **observed}))
    (error,) = exc.value.errors
    assert error.path == ("documentation",) and label in error.message and "entered on the day" in error.message
    assert "Pre-documented" not in [p.name for p in service.list()]


def test_applying_a_preset_fills_the_usual_items_and_keeps_what_the_physician_observed():
    preset = Preset.model_validate(preset_data(documentation=USUAL_DOCUMENTATION))
    draft = Procedure.model_validate(scored_block_data()).model_dump()
    draft["documentation"] = {"aspiration": "negative", "views": ["lateral"], "tolerance": "well"}
    out = apply_preset(preset, draft)
    doc = Procedure.model_validate({**draft, **out}).documentation
    assert doc.aspiration.value == "negative" and doc.tolerance.value == "well"  # the day's, kept
    assert [v.value for v in doc.views] == ["ap", "oblique"] and doc.sterile_drape is True  # the clinic's usual
    assert doc.fluoroscopy_seconds is None and doc.risks_discussed is None  # never filled by a preset


def test_a_preset_saved_over_another_workstations_change_is_refused_naming_it(ctx, service):
    from facetdesk.services.context import build_context
    from facetdesk.storage.errors import StaleRecord
    from tests.actors import ADMIN_PHYSICIAN

    mine = service.save(preset_data(name="Thoracic IA"))
    other = build_context(ctx.database.url, actor=ADMIN_PHYSICIAN)
    try:
        theirs = other.presets.get(mine.id)
        medications = [m.model_copy(update={"volume_ml": 0.3}) for m in theirs.medications]
        other.presets.save(theirs.model_copy(update={"medications": medications}), based_on=theirs)
    finally:
        other.close()
    with pytest.raises(StaleRecord) as info:
        service.save(mine.model_copy(update={"sedation": Sedation.MINIMAL}), based_on=mine)
    assert "(medications)" in str(info.value) and "Nothing was saved" in str(info.value)
    stored = service.get(mine.id)
    assert stored.sedation is None and [m.volume_ml for m in stored.medications] == [0.3, 0.3]
    # The page reopened saves; and one that saves twice in a row is not stale against itself.
    again = service.save(stored.model_copy(update={"sedation": Sedation.MINIMAL}), based_on=stored)
    assert service.save(again.model_copy(update={"sedation": None}), based_on=again).sedation is None


def test_a_preset_changed_without_a_form_changes_only_what_it_names(ctx, service):
    from facetdesk.services.context import build_context
    from facetdesk.storage.errors import RecordNotFound
    from tests.actors import ADMIN_PHYSICIAN

    saved = service.save(preset_data(name="Thoracic IA"))
    other = build_context(ctx.database.url, actor=ADMIN_PHYSICIAN)
    try:
        read_earlier = service.get(saved.id)
        medications = [m.model_dump() | {"volume_ml": 0.3} for m in saved.medications]
        other.presets.save({"id": saved.id, "medications": medications})  # another workstation, meanwhile
        # The whole preset read earlier would put the old doses back: refused, naming what it needs.
        with pytest.raises(InvalidRecord) as info:
            service.save(read_earlier.model_copy(update={"sedation": Sedation.MINIMAL}))
        assert [e.path for e in info.value.errors] == [("based_on",)]
        changed = service.save({"id": saved.id, "sedation": Sedation.MINIMAL})
    finally:
        other.close()
    assert changed.sedation is Sedation.MINIMAL and [m.volume_ml for m in changed.medications] == [0.3, 0.3]
    assert service.get(saved.id) == changed
    service.delete(saved.id)
    with pytest.raises(RecordNotFound):
        service.save({"id": saved.id, "sedation": None})
