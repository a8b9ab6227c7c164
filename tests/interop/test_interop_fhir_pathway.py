"""FHIR for the records around a procedure: follow-up visits as Observations (the pain score coded with the
reference's LOINC, the rest as text), toxin given elsewhere as MedicationStatements, images as Media with the
de-identified PNG attached; an ablation carries its CPT codes."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timedelta

from facetdesk.domain.follow_up import FollowUp
from facetdesk.domain.images import AttachedImage, ProcedureImage
from facetdesk.interop.images import decode_image
from tests.builders.cases import make_case
from tests.builders.images import HEADER_ID, HEADER_NAME, fluoroscopy_dicom
from tests.interop.test_interop_fhir import LOINC, NRS_LOINC, all_text, export, of_type
from tests.note.test_note_rf import ablation_case


def _case():
    case = ablation_case(temperature_c=80)
    p = case.procedure
    later = p.performed_at.date() + timedelta(days=45)
    visit = FollowUp(procedure_uid=p.uid, seen_on=later, recorded_by="RN Synthetic", pain_nrs=2,
                     disability_scale="ODI", disability_score=20, adl_improvement_pct=60, analgesic_use="less",
                     global_impression="much_improved")  # fmt: skip
    data = fluoroscopy_dicom()
    decoded = decode_image(data)
    record = ProcedureImage(procedure_uid=p.uid, view="ap", level="L4-L5", source_format="dicom", modality="XA",
                            width=decoded.width, height=decoded.height, sha256=hashlib.sha256(data).hexdigest(),
                            added_by="Dr. Synthetic", added_at=datetime(2026, 10, 1, 10, 0))  # fmt: skip
    patient = case.patient.model_validate({**case.patient.model_dump(), "toxin_elsewhere": [
        {"given_on": p.performed_at.date() - timedelta(days=40), "product": "onabotulinumtoxinA", "units": 155,
         "indication": "chronic migraine", "source": "neurology clinic"}]})  # fmt: skip
    return case.model_copy(update={"patient": patient, "follow_ups": [visit],
                                   "images": [AttachedImage.of(record, decoded.png)]})  # fmt: skip


def test_follow_up_observations_code_pain_with_the_reference_loinc_and_nothing_else():
    bundle = export(_case())
    follow = [o for o in of_type(bundle, "Observation") if o.note and "Follow-up on" in o.note[0].text]
    by_text = {o.code.text: o for o in follow}
    assert set(by_text) == {
        "Pain at follow-up (NRS 0-10)",
        "Oswestry Disability Index (%)",
        "Daily activities, change since before the procedure",
        "Pain medication since the procedure",
        "Patient's global impression of change",
    }
    pain = by_text["Pain at follow-up (NRS 0-10)"]
    assert [(c.system, c.code) for c in pain.code.coding] == [(LOINC, NRS_LOINC)] and pain.valueInteger == 2
    assert all(not o.code.coding for t, o in by_text.items() if not t.startswith("Pain at"))  # no invented codes
    assert by_text["Daily activities, change since before the procedure"].valueQuantity.value == 60


def test_toxin_elsewhere_is_a_medication_statement_in_its_own_units():
    [statement] = [s for s in of_type(export(_case()), "MedicationStatement") if s.reasonCode]
    assert statement.medicationCodeableConcept.text == "onabotulinumtoxinA (Botox)"
    assert statement.reasonCode[0].text == "chronic migraine" and "155 U" in statement.dosage[0].text


def test_images_are_media_with_the_de_identified_png_never_the_dicom_header():
    bundle = export(_case())
    [media] = of_type(bundle, "Media")
    png = media.content.data  # fhir.resources decodes the JSON's base64
    assert json.loads(bundle.model_dump_json())["entry"] and base64.b64encode(png).decode() in bundle.model_dump_json()
    assert png.startswith(b"\x89PNG") and media.view.text == "AP" and media.content.contentType == "image/png"
    assert HEADER_NAME.encode() not in png and HEADER_ID not in all_text(bundle)


def test_an_ablation_carries_its_cpt_codes():
    [procedure] = [p for p in of_type(export(_case()), "Procedure") if p.code.coding]
    codes = {c.code for c in procedure.code.coding}
    assert codes & {"64635", "64636"} and not codes & {"64493", "64494"}


def test_a_plain_case_has_none_of_these():
    bundle = export(make_case())
    assert (
        of_type(bundle, "Media") == []
        and of_type(bundle, "MedicationStatement") == []
        or all(
            "anticoagulant" in (s.dosage[0].text or "").lower() or s.status == "active"
            for s in of_type(bundle, "MedicationStatement")
        )
    )
