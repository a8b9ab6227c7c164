"""Images in the editor: attached to a saved procedure from a file with view and level, shown as thumbnails,
refused beside the field when the file or entry is wrong, and kept once the procedure is signed."""

from __future__ import annotations

import pytest

from facetdesk.domain.errors import FieldError
from facetdesk.domain.images import ImageView
from tests import signers
from tests.builders.images import fluoroscopy_dicom, picture
from tests.builders.records import scored_block_data
from tests.ui.helpers import choose, click, find, show_tab, type_into


@pytest.fixture
def procedure(ctx, patient):
    return ctx.records.save_procedure(patient.id, scored_block_data())


def _panel(qtbot, window, procedure, path):
    window.procedures.open_procedure(procedure.id)
    ed = window.editor
    show_tab(ed, "Documentation")
    panel = ed.images
    panel.choose_file = lambda: str(path)
    return ed, panel


def test_an_image_is_attached_with_its_view_and_level_and_shown(qtbot, window, ctx, procedure, tmp_path):
    path = tmp_path / "ap-l4.dcm"
    path.write_bytes(fluoroscopy_dicom())
    ed, panel = _panel(qtbot, window, procedure, path)
    assert panel.list.count() == 0 and panel.add_button.isEnabled()
    click(qtbot, find(panel, "Add image"))
    dialog = panel.dialog
    qtbot.waitExposed(dialog)
    assert find(dialog, "View").value() is None and find(dialog, "Level").value() is None  # nothing pre-chosen
    assert find(dialog, "Level").itemText(1) == "L4-L5"  # the procedure's own levels first
    choose(find(dialog, "View"), ImageView.AP)
    choose(find(dialog, "Level"), "L4-L5")
    type_into(qtbot, find(dialog, "Caption"), "needle at the L4 medial branch")
    assert dialog.submit() is not None and not dialog.isVisible()
    assert panel.list.count() == 1 and panel.list.item(0).text() == "AP, L4-L5"
    assert "AP, L4-L5: needle at the L4 medial branch" in panel.list.item(0).toolTip()
    assert not panel.list.item(0).icon().isNull()
    [stored] = ctx.images.of_procedure(procedure.id)
    assert (stored.view, stored.level, stored.modality) == (ImageView.AP, "L4-L5", "XA")


def test_a_file_that_is_no_image_and_a_missing_view_are_refused_where_they_are(qtbot, window, ctx, procedure, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.7 not an image")
    ed, panel = _panel(qtbot, window, procedure, path)
    dialog = panel.add_image()
    choose(find(dialog, "Level"), "L4-L5")
    assert dialog.submit() is None and dialog.isVisible()
    beside_view, _ = dialog.errors.label_for(FieldError(("view",), ""))
    assert beside_view is not dialog.errors_label and beside_view.text()
    assert "not a DICOM, PNG or JPEG" in dialog.errors_label.text()  # the file's problem, named with it
    assert ctx.images.of_procedure(procedure.id) == [] and panel.list.count() == 0


def test_a_new_procedure_takes_images_once_saved_and_a_signed_one_keeps_them(qtbot, window, ctx, procedure, tmp_path):
    path = tmp_path / "lateral.png"
    path.write_bytes(picture())
    ctx.images.attach(procedure.id, picture(), {"view": "lateral", "level": "L5-S1"})
    signers.sign(ctx, procedure.id)
    ed, panel = _panel(qtbot, window, procedure, path)
    assert panel.list.count() == 1 and not panel.remove_button.isEnabled()
    assert "Signed" in panel.hint.text() and panel.add_button.isEnabled()
    window.patients.open_patient(ctx.records.get_procedure(procedure.id)[0].id)
    click(qtbot, find(window, "New procedure"))
    assert not window.editor.images.add_button.isEnabled()
    assert "Save the procedure first" in window.editor.images.hint.text()
