"""Widgets built from the form's description take exactly what the record takes: whole numbers where it keeps
whole numbers, its bounds, its default choice, and nothing recorded until typed."""

from __future__ import annotations

import pytest

from facetdesk.domain.procedure import Indication
from facetdesk.domain.procedure_form import BY_PATH
from facetdesk.ui.common.widgets import OptionalFloatSpin, OptionalIntSpin
from facetdesk.ui.editor.procedure_editor import ProcedureEditor


@pytest.fixture
def editor(qtbot, ctx):
    ed = ProcedureEditor(ctx.catalog, ctx.records)
    qtbot.addWidget(ed)
    return ed


@pytest.mark.parametrize(
    "path,kind,low,high",
    [(("indication", "baseline_pain"), OptionalIntSpin, 0, 10),
     (("indication", "pain_duration_months"), OptionalIntSpin, 0, 1200),
     (("indication", "disability_score"), OptionalFloatSpin, 0, 100),
     (("documentation", "fluoroscopy_seconds"), OptionalIntSpin, 0, 3600)],
)  # fmt: skip
def test_a_number_takes_the_records_type_and_bounds_and_starts_unrecorded(editor, path, kind, low, high):
    spin = editor.form.field_widget(path)
    assert type(spin) is kind, f"{BY_PATH[path].label}: {type(spin).__name__}"
    assert spin.value_or_none() is None
    spin.set_value_or_none(high)
    assert spin.value_or_none() == high
    spin.set_value_or_none(low)
    assert spin.value_or_none() == low  # the lowest allowed value is a value, not "not recorded"


def test_a_choice_the_record_defaults_shows_its_default_and_no_empty_entry(editor):
    scale = editor.form.field_widget(("indication", "pain_scale"))
    editor.load_data(*_blank(editor))
    assert scale.value() == Indication.model_fields["pain_scale"].default
    assert None not in [scale.itemData(i) for i in range(scale.count())]


def _blank(editor):
    from datetime import date

    from facetdesk.domain.patient import Patient

    patient = Patient(mrn="FW-1", family_name="Testperson", given_name="Kit", date_of_birth=date(1970, 1, 1), id=1)
    return patient, None, {}
