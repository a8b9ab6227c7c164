"""A toxin-only visit's note: titled for the toxin, no joint table or LCD exclusions, the sites and the trunk
chemodenervation and toxin codes, within the two-page standard."""

from __future__ import annotations

from facetdesk.domain.catalog import get_catalog
from facetdesk.note.content import build_note_content
from facetdesk.note.render import render_note
from tests.builders.cases import GENERATED_AT, make_case
from tests.builders.records import botox, toxin_visit_data
from tests.pdf_pages import pages_text


def toxin_case():
    case = make_case()
    data = toxin_visit_data([40, 40], performed_at=case.procedure.performed_at, botulinum_toxin=botox([40, 30]))
    data["botulinum_toxin"]["sites"][1] |= {"muscle": "longissimus_lumbar", "level": "L5"}
    procedure = case.procedure.model_validate(data)
    return case.model_copy(update={"procedure": procedure})


def test_the_note_is_titled_for_the_toxin_and_names_no_joint():
    c = build_note_content(toxin_case(), generated_at=GENERATED_AT)
    assert c.title == "Botulinum toxin procedure note"
    assert c.summary == "Botulinum toxin only (no facet joint) · 70 U onabotulinumtoxinA (Botox)"
    assert c.targets.rows == ()
    assert "LCD exclusions" not in dict(c.indication)
    text = " ".join(c.narrative)
    assert text.count("Under ultrasound guidance") == 1 and "was advanced" not in text
    assert "botulinum toxin, onabotulinumtoxinA (Botox) 100 U reconstituted in 2 mL" in text


def test_the_printed_note_carries_the_trunk_chemodenervation_and_toxin_codes_on_two_pages_at_most():
    pages = pages_text(render_note(build_note_content(toxin_case(), generated_at=GENERATED_AT)))
    text = " ".join(pages)
    trunk = get_catalog().code_entry("chemodenervation")["trunk"]["tiers"][0]["code"]
    assert trunk in text and "J0585" in text
    facet = get_catalog().code_entry("facet_injection")["families"]["lumbar_sacral"]["primary"]["code"]
    assert facet not in text
    assert len(pages) <= 2
    assert "Level Side(s) Region" not in text


def test_the_procedure_performed_line_names_the_toxin_once():
    """'Botulinum toxin only (no facet joint) (therapeutic), ...; chemodenervation ... with Botox' said it twice."""
    from facetdesk.domain.wording import procedure_performed

    line = procedure_performed(toxin_case().procedure)
    assert line == (
        "Chemodenervation of paraspinal muscles with onabotulinumtoxinA (Botox) (no facet joint treated), "
        "under ultrasound guidance"
    )
