"""The procedure form is described once (domain/procedure_form): tabs, labels, text fields and signed formats all
come from that description, and it describes every field the record has."""

from __future__ import annotations

from facetdesk.domain import signed_content
from facetdesk.domain.documentation import ProcedureDocumentation
from facetdesk.domain.documentation_items import ITEMS
from facetdesk.domain.errors import FIELD_LABELS
from facetdesk.domain.procedure import Procedure
from facetdesk.domain.procedure_form import BY_PATH, FIELDS, TABS, tab_of, text_paths

# Record fields the form does not show: bookkeeping, and what signing and the findings panel write.
NOT_ON_THE_FORM = {"id", "uid", "version", "signature", "addenda", "overrides"}


def test_every_field_of_the_record_is_described_once():
    top = {f.path[0] for f in FIELDS if len(f.path) == 1}
    assert top == set(Procedure.model_fields) - NOT_ON_THE_FORM
    indication = {f.path[1] for f in FIELDS if f.path[0] == "indication" and len(f.path) == 2}
    assert indication == set(Procedure.model_fields["indication"].annotation.model_fields)  # type: ignore[union-attr]
    documentation = {f.path[1] for f in FIELDS if f.path[0] == "documentation" and len(f.path) == 2}
    assert documentation == set(ProcedureDocumentation.model_fields)
    assert len(BY_PATH) == len(FIELDS), "a path described twice"


def test_tabs_labels_and_text_fields_come_from_the_description():
    assert all(f.tab in TABS for f in FIELDS)
    tabs = tab_of()
    assert tabs["needle"] == TABS.index("Documentation") and tabs["targets"] == TABS.index("Targets")
    assert all(FIELD_LABELS[f.key] == f.label for f in FIELDS)
    assert ("indication", "conservative_care_details") in text_paths() and ("technique",) not in text_paths()


def test_each_documentation_item_is_signed_from_the_format_its_description_names():
    for item in ITEMS:
        for fmt in range(1, signed_content.CURRENT_FORMAT + 1):
            spec = signed_content._FORMATS[fmt].procedure
            covered = next(
                (inner for name, inner in (s for s in spec if isinstance(s, tuple)) if name == "documentation"), ()
            )
            assert (item.key in covered) == (fmt >= item.signed_from), (item.key, fmt)
    described = [item.signed_from for item in ITEMS] + [f.signed_from for f in FIELDS]
    # The newest format is the newest thing described: a procedure field or item, or a patient record field.
    assert signed_content.CURRENT_FORMAT == max(*described, *signed_content._LATER_PATIENT_RECORD)


def test_a_plain_field_described_later_prints_by_its_description(monkeypatch):
    """A field added with its description alone prints with the post-procedure check (or "not documented")."""
    from facetdesk.domain import wording
    from facetdesk.domain.procedure_form import FormField
    from tests.builders.cases import make_case

    later = FormField(("follow_up",), "Follow-up plan", "Outcome", "text", signed_from=4)
    monkeypatch.setattr(wording, "FORM_FIELDS", (*FIELDS, later))
    procedure = make_case().procedure
    assert wording.described_later_fields(procedure.model_copy(update={"follow_up": "Clinic in 2 weeks"})) == (
        ("Follow-up plan", "Clinic in 2 weeks"),
    )
    assert wording.described_later_fields(procedure.model_copy(update={"follow_up": ""})) == (
        ("Follow-up plan", "not documented"),
    )
