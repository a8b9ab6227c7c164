"""The documentation items a note is expected to carry: printed when recorded, "not documented" when not, never
invented, and only where they concern the procedure (no off-label toxin line without toxin, no views without
fluoroscopy)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from facetdesk.domain.documentation import ProcedureDocumentation
from facetdesk.domain.documentation_items import ITEMS
from facetdesk.domain.errors import InvalidRecord, field_errors
from facetdesk.domain.procedure import Procedure
from facetdesk.note.content import build_note_content
from facetdesk.note.render import render_note
from tests.builders.cases import GENERATED_AT, clinic, mbb_botox_case
from tests.pdf_pages import pages_text


def _text(case) -> str:
    content = build_note_content(case, generated_at=GENERATED_AT, clinic=clinic())
    return " ".join(" ".join(pages_text(render_note(content))).split())


def _validate(data: dict) -> Procedure:
    """The procedure as a save would check it: every problem a FieldError, as the editor shows them."""
    try:
        return Procedure.model_validate(data)
    except ValidationError as exc:
        raise InvalidRecord(field_errors(exc)) from None


def _case(**changes):
    """The typical case with ``changes`` (plain values, validated as a save would)."""
    case = mbb_botox_case()
    procedure = Procedure.model_validate({**case.procedure.model_dump(), **changes})
    return case.model_copy(update={"procedure": procedure})


@pytest.fixture(scope="module")
def undocumented() -> str:
    return _text(_case(documentation={}, skin_prep=None, position=None))


def test_every_item_not_recorded_prints_as_not_documented(undocumented):
    for line in (
        "Risks, benefits and alternatives: not documented",
        "Off-label use of botulinum toxin: not documented",
        "Skin preparation and sterile draping: not documented.",
        "Monitoring: not documented.",
        "Fluoroscopic views: not documented.",
        "Needle approach: not documented.",
        "Aspiration: not documented.",
        "Fluoroscopy time: not documented",
        "Radiation dose: not documented",
        "Images saved: not documented",
        "Post-procedure neurological check: not documented",
        "Tolerance: not documented",
    ):
        assert line in undocumented, line


def test_nothing_is_invented_when_nothing_is_recorded(undocumented):
    for invented in ("sterile fashion", "negative for blood", "Tolerated", "Unchanged from baseline", "Discussed",
                     "views)", "approach to", "Saved", "mGy"):  # fmt: skip
        assert invented not in undocumented, invented


def test_recorded_values_print_in_their_own_words():
    text = _text(mbb_botox_case())
    assert "Risks, benefits and alternatives: Discussed" in text
    assert "(AP and oblique views)" in text and "by a posterior oblique (down-the-beam) approach" in text
    assert "Fluoroscopy time: 48 s · Radiation dose: 1.9 mGy (reference air kerma) · Images saved: Saved" in text
    assert "Post-procedure neurological check: Unchanged from baseline" in text and "Tolerance: Tolerated well" in text


def test_items_that_do_not_concern_the_procedure_are_not_printed():
    # No toxin: no off-label line. Ultrasound: no views, no fluoroscopy time, no dose; images still apply.
    doc = mbb_botox_case().procedure.documentation.model_dump()
    text = _text(_case(botulinum_toxin=None, guidance="ultrasound", documentation=doc))
    assert "Off-label" not in text and "views" not in text
    assert "Fluoroscopy time" not in text and "Radiation dose" not in text
    assert "Images saved: Saved" in text
    # CT: a dose (in the CT console's unit), no fluoroscopic views or time.
    ct = {**doc, "radiation_dose": 210.0, "radiation_dose_unit": "dlp_mgy_cm"}
    text = _text(_case(guidance="ct", documentation=ct))
    assert "Radiation dose: 210 mGy·cm (CT dose-length product)" in text
    assert "Fluoroscopy time" not in text and "Fluoroscopic views" not in text


def test_a_long_fluoroscopy_time_reads_in_minutes():
    doc = {**mbb_botox_case().procedure.documentation.model_dump(), "fluoroscopy_seconds": 125}
    assert "Fluoroscopy time: 2 min 5 s" in _text(_case(documentation=doc))


def test_a_dose_needs_its_unit_and_a_neurological_change_its_description():
    base = mbb_botox_case().procedure.model_dump()
    with pytest.raises(InvalidRecord) as exc:
        _validate({**base, "documentation": {"radiation_dose": 2.0}})
    assert any(e.path == ("documentation", "radiation_dose_unit") for e in exc.value.errors)
    assert "Documentation › Dose unit: is required when a dose is entered" in str(exc.value)
    changed = {**base["documentation"], "neuro_check": "changed"}
    with pytest.raises(InvalidRecord) as exc:
        _validate({**base, "documentation": changed, "complication_details": ""})
    assert [e.path for e in exc.value.errors] == [("complication_details",)]
    ok = _validate({**base, "documentation": changed, "complication_details": "new L5 numbness"})
    assert ok.documentation.neuro_check.value == "changed"


@pytest.mark.parametrize("field,value", [("fluoroscopy_seconds", 3601), ("fluoroscopy_seconds", -1),
                                         ("radiation_dose", -0.5), ("views", ["ap", "ap"])])  # fmt: skip
def test_out_of_range_documentation_is_refused_by_name(field, value):
    base = mbb_botox_case().procedure.model_dump()
    with pytest.raises(InvalidRecord) as exc:
        _validate({**base, "documentation": {**base["documentation"], field: value}})
    assert [e.path for e in exc.value.errors] == [("documentation", field)]


def test_every_item_is_described_once_with_a_label_and_a_field():
    keys = [item.key for item in ITEMS]
    assert len(keys) == len(set(keys)) and set(keys) == set(ProcedureDocumentation.model_fields)
