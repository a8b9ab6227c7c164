"""Every field of a procedure has a label, a tab in the procedure editor, and undo.

What each means here:
- label: FIELD_LABELS (facetdesk/domain/errors.py) names the field, so an error reads "Volume (mL): ..."
  rather than "volume_ml: ...". Checked for Patient and Procedure and every model nested in them.
- tab: ProcedureEditor.TAB_OF names the tab of each field of Procedure, and an error about any part of the
  field (e.g. indication › disability score, medications › row 1 › agent) has its error label on that tab.
- undo: the editor's undo snapshot (_form_state) holds the field; loading a record and reading the form
  back gives the field's value (so a snapshot can hold it); and after one edit that changes every field,
  undo puts each back and redo applies it again.

Records come from tests/builders/every_field.py (every field set, generated from the models), so a field added to a
model is checked here too. Fields the editor does not edit are exempt below, each with its reason.
"""

from __future__ import annotations

import re

import pytest

from facetdesk.domain.base import STORED, ShortText
from facetdesk.domain.errors import FIELD_LABELS, FieldError
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Procedure
from facetdesk.ui.editor.procedure_editor import ProcedureEditor
from tests.builders.every_field import (
    differences,
    field_key,
    full_patient,
    full_procedure,
    minimal_instance,
    model_fields_tree,
    nested_models,
)

# ---- exemptions, each with its reason ----------------------------------------------------------------

# Bookkeeping: never typed, never shown in a form.
_IDENTITY = {
    "Patient.id": "the row id storage assigns",
    "Procedure.id": "the row id storage assigns",
    "Procedure.uid": "the stable identifier made when the record is created; an error about it names 'uid'",
    "Procedure.version": "the row version for optimistic concurrency, moved on by storage",
    "Patient.version": "the row version for optimistic concurrency, moved on by storage",
}
_SIGNING = {
    "Procedure.signature": "set by signing only, shown in the editor's signature banner, never edited",
    "Procedure.addenda": "written by the addendum dialog of a signed record, shown read-only above the form",
}
NO_LABEL = {**_IDENTITY, **_SIGNING}
NO_TAB = {
    **_IDENTITY,
    **_SIGNING,
    "Procedure.overrides": "acknowledged from the findings panel beside the tabs, not typed on a tab",
}
# _form_state drops id, uid and version ("not theirs to undo"); a signed record is read-only.
NO_UNDO = {k: v for k, v in {**_IDENTITY, **_SIGNING}.items() if k.startswith("Procedure.")}
# Loaded into the editor and read back, these come back changed (not lost): known limits of its widgets.
EDITOR_ROUNDS = {
    "Indication.disability_score": "whole percent in the editor (OptionalFloatSpin with 0 decimals)",
    "BotoxPreparation.vial_units": "whole units in the editor (a vial is 50, 100, 200... U)",
}
EDITOR_DROPS = {
    "BotoxSite.product": "case files only: the editor edits one product per treatment, a site's is the treatment's",
}


# ---- the checks, as functions of the model so a new field can be shown to fail them ------------------


def unlabelled(*models: type) -> list[str]:
    return [
        key
        for model in models
        for key, name in model_fields_tree(model, skip=NO_LABEL)
        if name not in FIELD_LABELS and key not in NO_LABEL
    ]


def untabbed(model: type[Procedure]) -> list[str]:
    return [
        field_key(model, name)
        for name in model.model_fields
        if name not in ProcedureEditor.TAB_OF and field_key(model, name) not in NO_TAB
    ]


def not_in_snapshot(model: type[Procedure], snapshot: dict) -> list[str]:
    return [
        field_key(model, name)
        for name in model.model_fields
        if name not in snapshot and field_key(model, name) not in NO_UNDO
    ]


def _undoable(model: type[Procedure] = Procedure) -> list[str]:
    return [name for name in model.model_fields if field_key(model, name) not in NO_UNDO]


_STEP = re.compile(r"\[\d+\]")


def _key_of(difference: str) -> str:
    """ "botulinum_toxin.sites[0].product: ..." -> "BotoxSite.product" (the model that declares the field)."""
    names = _STEP.sub("", difference.split(":", 1)[0]).split(".")
    model: type = Procedure
    for name in names[:-1]:
        model = next(nested_models(model.model_fields[name].annotation))
    return field_key(model, names[-1])


def _leaf_paths(value, path: tuple = ()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaf_paths(v, (*path, k))
    elif isinstance(value, list) and value:
        for i, v in enumerate(value):
            yield from _leaf_paths(v, (*path, i))
    else:
        yield path


# ---- fixtures -----------------------------------------------------------------------------------------


@pytest.fixture
def editor(qtbot, ctx):
    ed = ProcedureEditor(ctx.catalog, ctx.records)
    ed.work = ctx.work
    qtbot.addWidget(ed)
    patient = ctx.records.save_patient(full_patient().model_dump(exclude={"id"}))
    return ed, patient


def _read_back(ed: ProcedureEditor) -> Procedure:
    return Procedure.model_validate(ed.data(), context=STORED)


# ---- labels -------------------------------------------------------------------------------------------


def test_every_field_has_a_label() -> None:
    assert unlabelled(Patient, Procedure) == [], (
        "describe the field in domain/procedure_form.FIELDS (outside the procedure form: domain/errors.FIELD_LABELS)"
    )
    stale = [k for k in NO_LABEL if k.split(".")[1] in FIELD_LABELS]
    assert stale == [], f"{stale} have labels now: remove them from NO_LABEL"


# ---- tabs ---------------------------------------------------------------------------------------------


def test_every_field_has_a_tab() -> None:
    assert untabbed(Procedure) == [], "describe the field, with its tab, in domain/procedure_form.FIELDS"
    assert set(ProcedureEditor.TAB_OF) <= set(Procedure.model_fields), "TAB_OF names a field Procedure lacks"
    stale = [k for k in NO_TAB if k.split(".")[1] in ProcedureEditor.TAB_OF]
    assert stale == [], f"{stale} have a tab now: remove them from NO_TAB"
    assert max(ProcedureEditor.TAB_OF.values()) < len(ProcedureEditor.TAB_TITLES)


def test_every_fields_error_shows_on_its_tab(editor) -> None:
    """An error anywhere in a field lands beside a widget on the tab TAB_OF names (which gets the ⚠ mark)."""
    ed, patient = editor
    ed.load(patient, full_procedure())
    wrong = []
    for path in _leaf_paths(full_procedure().model_dump()):
        key = field_key(Procedure, path[0])
        if key in NO_TAB:
            continue
        label, matched = ed.errors.label_for(FieldError(path, "x"))
        tab = ed.tabs.widget(ProcedureEditor.TAB_OF[path[0]])
        if matched == 0:
            wrong.append(f"{FieldError(path, '').label}: no error label in the editor")
        elif not tab.isAncestorOf(label):
            wrong.append(f"{FieldError(path, '').label}: error shown off tab {ProcedureEditor.TAB_OF[path[0]]}")
    assert wrong == []


# ---- undo ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("longest", [False, True], ids=["typical", "longest"])
def test_the_editor_shows_and_reads_back_every_field(editor, longest) -> None:
    """Load every field, read the form back: each value returns (what an undo snapshot is made of)."""
    ed, patient = editor
    record = full_procedure(longest=longest)
    ed.load(patient, record)
    found = differences(record, _read_back(ed))
    by_key = {_key_of(d): d for d in found}
    problems = [d for d in found if _key_of(d) not in {**EDITOR_ROUNDS, **EDITOR_DROPS}]
    for key in EDITOR_ROUNDS:
        if key in by_key:
            expected, got = (float(x) for x in by_key[key].split(": ", 1)[1].split(" != "))
            if abs(expected - got) > 0.5:
                problems.append(by_key[key])
    assert problems == [], "the editor loses or changes these fields"
    if not longest:  # an exemption the editor no longer needs is reported, so the list stays true
        assert set(by_key) == set(EDITOR_ROUNDS) | set(EDITOR_DROPS), "update EDITOR_ROUNDS / EDITOR_DROPS"


def test_every_field_is_in_the_undo_snapshot(editor) -> None:
    ed, patient = editor
    ed.load(patient, full_procedure())
    snapshot = ed.history.state()
    assert not_in_snapshot(Procedure, snapshot) == [], "the editor's undo snapshot (data()) lacks these fields"


def test_undo_and_redo_restore_every_field(editor) -> None:
    ed, patient = editor
    ed.load(patient, full_procedure())
    before = ed.history.state()
    # One edit that changes every field, as restoring a draft or a preset does: the widgets are set,
    # then the edit is recorded as the form's signals would record it.
    other = minimal_instance(Procedure, variant=1)
    ed._show_snapshot(other.model_dump())
    ed.history.record()
    after = ed.history.state()
    assert ed.undo_stack.count() == 1
    unchanged = [name for name in _undoable() if before.get(name) == after.get(name)]
    assert unchanged == [], "the edit must change every field for undo to be tested on it"

    ed.undo_stack.undo()
    undone = ed.history.state()
    assert [d for name in _undoable() for d in differences(before.get(name), undone.get(name), name)] == []
    ed.undo_stack.redo()
    redone = ed.history.state()
    assert [d for name in _undoable() for d in differences(after.get(name), redone.get(name), name)] == []


# ---- a field added to the model fails the checks above -------------------------------------------------


class _WithNewField(Procedure):
    new_field: ShortText = ""


def test_a_new_field_without_label_tab_or_undo_is_named(editor) -> None:
    ed, patient = editor
    ed.load(patient, full_procedure())
    assert unlabelled(_WithNewField) == ["_WithNewField.new_field"]
    assert untabbed(_WithNewField) == ["_WithNewField.new_field"]
    assert not_in_snapshot(_WithNewField, ed.history.state()) == ["_WithNewField.new_field"]
