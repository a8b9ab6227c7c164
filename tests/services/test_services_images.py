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


def test_a_case_file_carries_the_images_de_identified_and_the_originals_only_when_asked(ctx, other_ctx, procedure):
    from facetdesk.interop.casefile import dump_case, parse_case

    data = fluoroscopy_dicom()
    ctx.images.attach(procedure.id, data, AP_L4)
    plain = dump_case(ctx.cases.export_case(procedure.id))
    assert HEADER_NAME not in plain  # nothing of the DICOM header, even base64-encoded
    case = parse_case(plain)
    assert [(i.view, i.level, i.original) for i in case.images] == [(ImageView.AP, "L4-L5", None)]
    asked = parse_case(dump_case(ctx.cases.export_case(procedure.id, originals=True)))
    assert asked.images[0].original == data
    exports = [e.detail for e in ctx.audit.search(entity="procedure") if e.action is AuditAction.EXPORT]
    assert [d["image_originals"] for d in exports] == [True, False]  # newest first

    other_ctx.cases.import_case(case)
    other_ctx.cases.import_case(case)  # the same image is not added twice
    imported_id = other_ctx.records.search_patients("")[0].id
    [moved] = other_ctx.records.list_procedures(imported_id)
    [image] = other_ctx.images.of_procedure(moved.id)
    assert (image.sha256, image.caption) == (case.images[0].sha256, AP_L4["caption"])
    assert other_ctx.images.rendering(image.id) == case.images[0].png
    assert other_ctx.audit.verify().ok
    # The picture shown and printed, swapped in the database, is named (imported renderings are hashed too).
    with other_ctx.database.transaction() as session:
        session.execute(sa.text("update procedure_images set png = :p"), {"p": picture()})
    assert [p.where for p in other_ctx.audit.verify().problems] == [f"image {image.id}"]
