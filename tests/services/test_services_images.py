"""Images of a procedure: attached from a file with its view and level, listed, shown de-identified, audited and
checked by verify; a bad file or entry is refused by field and nothing is kept; removal ends at signing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from facetdesk.domain.audit import AuditAction
from facetdesk.domain.errors import InvalidRecord
from facetdesk.domain.images import ImageFormat, ImageView
from facetdesk.services.records import NotFound
from tests import signers
from tests.builders.images import HEADER_NAME, fluoroscopy_dicom, picture
from tests.builders.records import patient_data, scored_block_data

AP_L4 = {"view": "ap", "level": "L4-L5", "caption": "needle at the L4 medial branch"}


@pytest.fixture
def procedure(ctx):
    patient = ctx.records.save_patient(patient_data())
    return ctx.records.save_procedure(patient.id, scored_block_data())


def test_an_image_is_kept_listed_rendered_and_audited(ctx, procedure):
    data = fluoroscopy_dicom()
    image = ctx.images.attach(procedure.id, data, AP_L4)
    assert (image.view, image.level, image.source_format, image.modality) == (
        ImageView.AP, "L4-L5", ImageFormat.DICOM, "XA",
    )  # fmt: skip
    assert image.added_by == ctx.work.actor.display_name
    assert ctx.images.of_procedure(procedure.id) == [image]
    png = ctx.images.rendering(image.id)
    assert png.startswith(b"\x89PNG") and HEADER_NAME.encode() not in png
    (entry,) = ctx.audit.search(entity="image")
    assert entry.action is AuditAction.CREATE and entry.detail["procedure"] == procedure.id
    assert ctx.audit.verify().ok


@pytest.mark.parametrize(
    ("data", "entry", "path"),
    [
        (b"not an image", AP_L4, ("file",)),
        (picture(), {**AP_L4, "view": None}, ("view",)),
        (picture(), {**AP_L4, "level": "L6-S1"}, ("level",)),
        (picture(), {**AP_L4, "view": "sideways"}, ("view",)),
    ],
)
def test_a_bad_file_or_entry_is_refused_by_field_and_nothing_is_kept(ctx, procedure, data, entry, path):
    with pytest.raises(InvalidRecord) as exc:
        ctx.images.attach(procedure.id, data, entry)
    assert [e.path for e in exc.value.errors] == [path]
    assert ctx.images.of_procedure(procedure.id) == []
    assert ctx.audit.search(entity="image") == []


def test_an_image_of_no_procedure_is_refused(ctx):
    with pytest.raises(NotFound):
        ctx.images.attach(987654, picture(), AP_L4)


def test_an_image_is_removed_while_unsigned_and_kept_once_signed(ctx, procedure):
    first = ctx.images.attach(procedure.id, picture(), AP_L4)
    ctx.images.remove(first.id)
    assert ctx.images.of_procedure(procedure.id) == []
    assert ctx.audit.verify().ok  # the removal is in the trail
    second = ctx.images.attach(procedure.id, picture("JPEG"), {**AP_L4, "view": "lateral"})
    signers.sign(ctx, procedure.id)
    with pytest.raises(InvalidRecord, match="signed"):
        ctx.images.remove(second.id)
    # Images saved from the C-arm later can still be attached to a signed procedure.
    third = ctx.images.attach(procedure.id, fluoroscopy_dicom(), {**AP_L4, "view": "oblique"})
    assert [i.id for i in ctx.images.of_procedure(procedure.id)] == [second.id, third.id]


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("update procedure_images set level = 'L5-S1'", "its record was changed outside FacetDesk"),
        ("update procedure_images set original = :other", "its image file differs from the one attached"),
        ("delete from procedure_images", "was removed outside FacetDesk"),
    ],
)
def test_verify_catches_an_image_changed_swapped_or_removed_behind_the_app(ctx, procedure, sql, expected):
    image = ctx.images.attach(procedure.id, fluoroscopy_dicom(), AP_L4)
    assert ctx.audit.verify().ok
    with ctx.database.engine.begin() as conn:
        conn.execute(sa.text(sql), {"other": picture()} if ":other" in sql else {})
    report = ctx.audit.verify()
    assert [(p.where, p.what) for p in report.problems] == [(f"image {image.id}", expected)], report.lines()
