"""The technique narrative, standard instructions and printed codes, as data (synthetic cases)."""

from __future__ import annotations

from facetdesk.domain.catalog import get_catalog
from facetdesk.domain.coding import CodeLine, CodingSummary
from facetdesk.domain.enums import Aspiration
from facetdesk.domain.procedure import BotoxSite, BotoxTreatment, MedicationAdministration, Target
from facetdesk.note.content import NOT_RECORDED, SAME_AS_PRE, build_note_content
from facetdesk.note.instructions import EMERGENCY_BOTOX, SEDATION, standard_instructions
from facetdesk.note.narrative import nerve_list, technique_narrative, with_article
from facetdesk.note.procedure_sections import coding_block
from tests.builders.cases import GENERATED_AT, make_case, mbb_botox_case

IA_TARGETS = [
    Target(level="L3-L4", side="right"),
    Target(level="L4-L5", side="left"),
    Target(level="L4-L5", side="right"),
    Target(level="L5-S1", side="left"),
    Target(level="L5-S1", side="right"),
]


def narrative(case) -> str:
    return " ".join(technique_narrative(case.procedure, get_catalog()))


def test_unrecorded_facts_are_named_not_assumed():
    text = narrative(make_case())  # the basic case records no position, prep, draping, views, approach or needle
    for sentence in (
        "Position: not documented.",
        "Skin preparation and sterile draping: not documented.",
        "Monitoring: not documented.",
        "Fluoroscopic views: not documented.",
        "Needle approach: not documented.",
        "Needle type and size: not documented.",
        "Aspiration: not documented.",
        "No contrast was used.",
    ):
        assert sentence in text
    assert "sterile fashion" not in text and "negative" not in text


def test_recorded_refusals_are_stated():
    case = mbb_botox_case()
    doc = case.procedure.documentation.model_copy(
        update={"sterile_drape": False, "aspiration": Aspiration.NOT_PERFORMED}
    )
    text = narrative(mbb_botox_case(documentation=doc))
    assert "The skin was prepped with chlorhexidine and the field recorded as not draped." in text
    assert "Aspiration before injection was not performed." in text
    assert "The patient was placed prone." in text


def test_intra_articular_levels_grouped_by_sides_with_per_joint_and_total_doses():
    case = make_case(
        technique="intra_articular",
        intent="therapeutic",
        needle="18-gauge Tuohy",
        position="lateral",
        botulinum_toxin=None,
        targets=IA_TARGETS,
        medications=[
            MedicationAdministration(
                agent="bupivacaine", concentration_mg_per_ml=2.5, volume_ml=0.5, volume_basis="per_joint"
            ),
            MedicationAdministration(agent="methylprednisolone_acetate", concentration_mg_per_ml=40, volume_ml=1),
        ],
    )
    text = narrative(case)
    assert (
        "Under fluoroscopic guidance, an 18-gauge Tuohy needle was advanced into the L3-L4 facet joint on the right"
        " and the L4-L5 and L5-S1 facet joints bilaterally." in text
    )
    assert "Into each joint, bupivacaine 0.25% 0.5 mL was injected (total 2.5 mL = 6.25 mg, 5 joints)." in text
    assert "In total, methylprednisolone acetate 40 mg/mL 1 mL (40 mg) was injected into the joints." in text
    assert "The patient was placed in the lateral decubitus position." in text


def test_unilateral_and_asymmetric_nerves():
    text = narrative(make_case())  # L3-L4 left, L4-L5 both sides
    assert (
        "was advanced to the L2, L3 and L4 medial branches on the left"
        " and to the L3 and L4 medial branches on the right." in text
    )
    assert "At each nerve, bupivacaine 0.5% 0.5 mL was injected (total 2.5 mL = 12.5 mg, 5 nerves)." in text


def test_botox_sentence_lists_muscles_levels_sides_units_and_dilution():
    bt = BotoxTreatment(
        product="abobotulinumtoxinA",
        vial_units=500,
        diluent_ml=2.5,
        sites=[
            BotoxSite(muscle="multifidus_lumbar", level="L4", side="left", units=100),
            BotoxSite(muscle="multifidus_lumbar", level="L4", side="right", units=50),
        ],
    )
    text = narrative(make_case(botulinum_toxin=bt))
    assert (
        "Botulinum toxin, abobotulinumtoxinA (Dysport) 500 U reconstituted in 2.5 mL (200 U/mL), was injected into"
        " the multifidus (lumbar) at L4 on the left (100 U, 0.5 mL) and the multifidus (lumbar) at L4 on the right"
        " (50 U, 0.25 mL); total 150 U." in text
    )


def test_contrast_without_spread_and_intravascular_uptake():
    text = narrative(mbb_botox_case(contrast_spread="", complications=["intravascular"], complication_details=""))
    assert "Contrast injection (iohexol 300 mgI/mL, 1.5 mL = 450 mg iodine) was performed; the spread was not" in text
    assert "Intravascular uptake of contrast was recorded (see Complications)." in text
    # The complications themselves are their own section of the note, printed once.
    assert "Complications:" not in text


def test_helpers():
    assert with_article("18-gauge needle") == "an 18-gauge needle"
    assert with_article("22-gauge needle") == "a 22-gauge needle"
    assert with_article("8-inch needle") == "an 8-inch needle"
    assert with_article("80 mm needle") == "an 80 mm needle"
    assert with_article("Quincke needle") == "a Quincke needle"
    assert (
        nerve_list(["third occipital nerve", "C3 medial branch"])
        == "the third occipital nerve and the C3 medial branch"
    )
    assert nerve_list(["L4 medial branch", "L5 dorsal ramus"]) == "the L4 medial branch and the L5 dorsal ramus"


def test_new_fields_in_content():
    c = build_note_content(mbb_botox_case(post_procedure_diagnoses=["M47.817"]), generated_at=GENERATED_AT)
    fields = dict(c.procedure)
    assert fields["Position"] == "Prone" and fields["Skin preparation"] == "Chlorhexidine"
    assert fields["Needle"] == "22-gauge 3.5-inch spinal needle"
    assert dict(c.consent) == {
        "Informed consent": "Obtained",
        "Risks, benefits and alternatives": "Discussed",
        "Off-label use of botulinum toxin": "Discussed",
        "Time-out": "Performed",
    }
    assert c.post_diagnoses.rows[0][0] == "M47.817"
    assert c.estimated_blood_loss == "Minimal (< 1 mL)"
    bare = build_note_content(make_case(), generated_at=GENERATED_AT)
    assert bare.post_diagnoses.rows == () and bare.post_diagnoses.empty == SAME_AS_PRE
    assert bare.estimated_blood_loss == NOT_RECORDED and bare.procedure_findings == NOT_RECORDED
    assert dict(bare.consent) == {
        "Informed consent": "not documented",
        "Risks, benefits and alternatives": "not documented",
        "Off-label use of botulinum toxin": "not documented",
        "Time-out": "not documented",
    }


def test_standard_instructions_follow_what_was_done():
    with_toxin = standard_instructions(mbb_botox_case().procedure, clinic_phone="555")
    assert EMERGENCY_BOTOX in with_toxin and SEDATION not in with_toxin
    assert any(line.startswith("Call the clinic at 555 if") for line in with_toxin)
    plain = standard_instructions(mbb_botox_case(botulinum_toxin=None, sedation="moderate").procedure)
    assert EMERGENCY_BOTOX not in plain and SEDATION in plain
    assert any(line.startswith("Call the clinic if") for line in plain)
    therapeutic = standard_instructions(make_case(intent="therapeutic").procedure)
    assert not any("This injection is a test" in line for line in therapeutic)


def test_case_specific_instructions_come_first():
    c = build_note_content(make_case(), generated_at=GENERATED_AT, discharge_instructions=("Synthetic first.", " "))
    assert c.discharge_instructions == ("Synthetic first.",)
    assert c.patient_instructions and c.patient_instructions[0].startswith("Keep your pain diary")


def test_codes_printed_with_modifiers_and_verify_marks():
    summary = CodingSummary(
        procedure_codes=(
            CodeLine("64493", "Synthetic facet code", ("50",), 1, "L4-L5, bilateral", "S45", "C"),
            CodeLine("64646", "Synthetic chemodenervation", (), 1, "4 muscles", "S43", "S"),
        ),
        drug_codes=(CodeLine("J1010", "Synthetic steroid", ("JW", "KX"), 40, "40 mg", "S46", "U"),),
        notes=("Synthetic coding note.",),
    )
    block = coding_block(summary)
    assert block.procedure_codes.rows == (
        ("64493-50", "1", "Synthetic facet code", "L4-L5, bilateral"),
        ("64646 (verify)", "1", "Synthetic chemodenervation", "4 muscles"),
    )
    assert block.drug_codes.rows == (("J1010-JW-KX (verify)", "40", "Synthetic steroid", "40 mg"),)
    assert block.notes == ("Synthetic coding note.",)
    empty = coding_block(CodingSummary((), (), ()))
    assert empty.procedure_codes.rows == () and empty.drug_codes.empty == "No drug code derived"


def test_note_uses_derived_codes():
    c = build_note_content(mbb_botox_case(), generated_at=GENERATED_AT)
    assert c.coding is not None
    assert [row[0].split()[0] for row in c.coding.procedure_codes.rows] == ["64493-50", "64494-50", "64646"]
