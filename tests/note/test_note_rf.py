"""A radiofrequency ablation's note: the cannula, the nerves lesioned, the lesioning as recorded and its codes."""

from __future__ import annotations

from facetdesk.domain.catalog import get_catalog
from facetdesk.note.content import build_note_content
from facetdesk.note.narrative import technique_narrative
from facetdesk.note.procedure_sections import targets_table
from facetdesk.note.render import render_note
from tests.builders.cases import GENERATED_AT, make_case
from tests.pdf_pages import pages_text


def ablation_case(**lesioning):
    case = make_case()
    p = case.procedure
    medications = [m for m in p.medications if m.agent != "triamcinolone_acetonide"]
    rf = {"method": "conventional", **lesioning}
    procedure = p.model_validate(
        p.model_dump()
        | {"technique": "radiofrequency_ablation", "intent": "therapeutic", "radiofrequency": rf,
           "medications": [m.model_dump() for m in medications], "botulinum_toxin": None}
    )  # fmt: skip
    return case.model_copy(update={"procedure": procedure})


def test_the_narrative_names_the_cannula_the_nerves_and_the_lesioning_as_recorded():
    case = ablation_case(temperature_c=80, seconds_per_lesion=90, lesions_per_nerve=2)
    text = " ".join(technique_narrative(case.procedure, get_catalog()))
    assert "a radiofrequency cannula was advanced" in text and "medial branches" in text
    assert "Radiofrequency lesioning (conventional (thermal)): lesions per nerve 2, temperature 80 °C" in text
    assert "time per lesion 90 s" in text
    # Not entered: said so, never a value.
    assert "cannula not recorded" in text and "Sensory stimulation threshold not recorded" in text
    assert "into the joints" not in text  # the anaesthetic before lesioning goes to the nerves


def test_the_targets_table_lists_the_nerves_lesioned():
    table = targets_table(ablation_case().procedure, get_catalog())
    assert table.header[-1] == "Nerves lesioned"


def test_the_printed_note_carries_the_ablation_codes_not_the_injection_codes():
    case = ablation_case(temperature_c=80)
    text = " ".join(pages_text(render_note(build_note_content(case, generated_at=GENERATED_AT))))
    codes = get_catalog().code_entry("radiofrequency")["families"]["lumbar_sacral"]
    injection = get_catalog().code_entry("facet_injection")["families"]["lumbar_sacral"]["primary"]["code"]
    assert codes["primary"]["code"] in text and codes["additional"]["code"] in text
    assert injection not in text
    assert "Radiofrequency ablation" in text


def test_a_recorded_cannula_is_not_called_a_needle():
    """'18-gauge 100 mm RF cannula' is the device: the sentence names it as typed, not as an 'RF cannula needle'."""
    case = ablation_case(temperature_c=80)
    procedure = case.procedure.model_copy(update={"needle": "18-gauge 100 mm RF cannula"})
    text = " ".join(technique_narrative(procedure, get_catalog()))
    assert "an 18-gauge 100 mm RF cannula was advanced" in text and "cannula needle" not in text
