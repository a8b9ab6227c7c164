"""Hostile input at every service entry point: no crash, no partial write, a clear error every time.

Hypothesis throws wrong types, None, huge, negative, NaN and infinite numbers, huge strings, control
characters, NUL, lone surrogates, RTL overrides, SQL-looking text, deep nesting, unknown keys, wrong
enum values and out-of-range dates at every public method of the services, mostly by replacing one
field of a valid synthetic payload at a time (which reaches far more code than pure noise). Each call
must either succeed with a valid result, which then reads back exactly, or raise one of the errors the
UI and the command line show to the user; a refused call leaves every table as it was, and the service
still saves a valid record afterwards.

``test_every_public_entry_point_is_fuzzed`` lists the services' public methods and functions by
introspection, so a new entry point fails the suite until a hostile test covers it.

"""

from __future__ import annotations

import csv
import importlib
import inspect
import itertools
import json
import math
import pkgutil
import re
import weakref
from collections.abc import Callable
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from hypothesis import event, given, settings
from hypothesis import strategies as st

import facetdesk.services
from facetdesk.domain.audit import AuditAction
from facetdesk.domain.case import CaseFile
from facetdesk.domain.catalog import get_catalog
from facetdesk.domain.errors import InvalidRecord
from facetdesk.domain.patient import Patient
from facetdesk.domain.settings import ClinicSettings
from facetdesk.services.accounts import SignInFailed, parse_user
from facetdesk.services.backups import BackupService
from facetdesk.services.decision import check_case, check_draft, lenient_procedure
from facetdesk.services.drafts import Draft, DraftStore, new_draft_id
from facetdesk.services.fhir_export import fhir_bundle_for_case
from facetdesk.services.presets import parse_preset
from facetdesk.services.records import NotFound
from facetdesk.services.settings import parse_settings
from facetdesk.services.validation import parse_patient, parse_procedure, validated, with_changes
from facetdesk.storage.errors import StorageError
from tests import signers
from tests.actors import ADMIN_PHYSICIAN, NURSE
from tests.builders.records import rich_patient_data, rich_procedure_data
from tests.hostile import (
    CLEAR_ERRORS,
    EXTRA_PATIENT_KEYS,
    EXTRA_PRESET_KEYS,
    EXTRA_PROCEDURE_KEYS,
    FRESH,
    HOSTILE,
    PURE,
    PYDANTIC_WORDING,
    SETTINGS_PAYLOAD,
    App,
    Big,
    Mutation,
    a_patient,
    a_procedure,
    a_signed_procedure_id,
    assert_clear,
    assert_still_works,
    attempt,
    db_rows,
    hostile_ids,
    hostile_times,
    hostile_values,
    materialize,
    mutations,
    preset_payload,
)
from tests.profiles import examples


@pytest.fixture
def ctx(ctx):
    """The services' context (tests/services/conftest.py), one database per test function."""
    return App(ctx)


# ---- RecordService ------------------------------------------------------------------------------------------


@HOSTILE
@given(data=st.data())
def test_save_patient_refuses_each_hostile_field_clearly(ctx, data):
    base = rich_patient_data(next(FRESH))
    mutation = data.draw(mutations(base, EXTRA_PATIENT_KEYS))
    payload = mutation.apply(base)

    saved, error = attempt(ctx, ctx.records.save_patient, payload, mutated=mutation.path)

    if error is None:
        assert ctx.records.get_patient(saved.id) == saved
    else:
        assert_still_works(ctx)


@HOSTILE
@given(data=st.data())
def test_save_procedure_refuses_each_hostile_field_clearly(ctx, data):
    patient = a_patient(ctx)
    base = rich_procedure_data()
    mutation = data.draw(mutations(base, EXTRA_PROCEDURE_KEYS))
    payload = mutation.apply(base)

    saved, error = attempt(ctx, ctx.records.save_procedure, patient.id, payload, mutated=mutation.path)

    if error is None:
        owner, stored = ctx.records.get_procedure(saved.id)
        assert owner == ctx.records.get_patient(patient.id)
        assert stored.model_dump() == saved.model_dump()
    else:
        assert_still_works(ctx)


@HOSTILE
@given(patient_id=hostile_ids)
def test_save_procedure_for_a_hostile_patient_id(ctx, patient_id):
    _, error = attempt(ctx, ctx.records.save_procedure, materialize(patient_id), rich_procedure_data())
    if error is not None:
        assert_still_works(ctx)


def _id_calls(ctx) -> dict[str, Callable[[Any], Any]]:
    procedure = a_procedure(ctx)
    return {
        "RecordService.get_patient": ctx.records.get_patient,
        "PresetService.get": ctx.presets.get,
        "PresetService.delete": ctx.presets.delete,
        "RecordService.list_procedures": ctx.records.list_procedures,
        "RecordService.versions_of": ctx.records.versions_of,
        "RecordService.procedures_of": ctx.records.procedures_of,
        "RecordService.get_procedure": ctx.records.get_procedure,
        "RecordService.prior_procedures": lambda pid: ctx.records.prior_procedures(pid, procedure),
        "CaseService.case_for": ctx.cases.case_for,
        "CaseService.export_case": ctx.cases.export_case,
        "NoteService.render_procedure_note": ctx.notes.render_procedure_note,
        "NoteService.render_procedure": ctx.notes.render_procedure,
        "NoteService.render_handout": ctx.notes.render_handout,
        "NoteService.record_print": lambda pid: ctx.notes.record_print(pid, 1),
        "SigningService.open_findings": ctx.signing.open_findings,
        "SigningService.signature_problem": ctx.signing.signature_problem,
        "FollowUpService.of_patient": ctx.follow_ups.of_patient,
        "ImageService.of_procedure": ctx.images.of_procedure,
        "ImageService.renderings": ctx.images.renderings,
        "ImageService.rendering": ctx.images.rendering,
        "ImageService.remove": ctx.images.remove,
        "PathwayService.of_patient": ctx.pathway.of_patient,
        "EhrOutboxService.queue": ctx.outbox.queue,
        # The drawn procedures are unsigned, so nothing is ever written to this path.
        "CaseService.export_document": lambda pid: ctx.cases.export_document(pid, "/nonexistent/doc.json"),
        "EhrOutboxService.queue_signed": ctx.outbox.queue_signed,
        "EhrOutboxService.retry": ctx.outbox.retry,
    }


_PROCEDURE_ID_CALLS = {
    "RecordService.list_procedures",
    "RecordService.procedures_of",
    "RecordService.get_procedure",
    "RecordService.prior_procedures",
    "CaseService.case_for",
    "CaseService.export_case",
    "NoteService.render_procedure_note",
    "NoteService.render_procedure",
    "NoteService.render_handout",
    "NoteService.record_print",
    "SigningService.open_findings",
    "SigningService.signature_problem",
    "EhrOutboxService.queue",
    "EhrOutboxService.queue_signed",
    "EhrOutboxService.retry",
    "CaseService.export_document",
}
_IMAGE_ID_CALLS = {"ImageService.of_procedure", "ImageService.renderings", "ImageService.rendering",
                   "ImageService.remove",
                   "PathwayService.of_patient"}  # fmt: skip
ID_LOOKUPS = sorted(
    _PROCEDURE_ID_CALLS
    | _IMAGE_ID_CALLS
    | {"RecordService.get_patient", "RecordService.versions_of", "PresetService.get", "PresetService.delete"}
)
# These answer "nothing" (an empty list, None, False) for an id that names no record; the others raise NotFound.
_EMPTY_FOR_UNKNOWN = {
    "EhrOutboxService.queue_signed",  # the clinic does not send on signing: nothing is even looked up
    "FollowUpService.of_patient",
    "ImageService.of_procedure",
    "ImageService.renderings",
    "RecordService.list_procedures",
    "RecordService.procedures_of",
    "RecordService.prior_procedures",
    "PresetService.get",
    "PresetService.delete",
    "SigningService.signature_problem",  # None: nothing to tell about a record that is not there
}
# Ids the storage layer can bind today: whole numbers of 64 bits (0 and negatives are simply not found).


@HOSTILE
@given(data=st.data(), name=st.sampled_from(ID_LOOKUPS))
def test_lookups_by_hostile_id_say_not_found(ctx, data, name):
    record_id = materialize(data.draw(hostile_ids))
    call = _id_calls(ctx)[name]

    result, error = attempt(ctx, call, record_id)

    if error is None and name not in _EMPTY_FOR_UNKNOWN:
        assert isinstance(record_id, int) and record_id >= 1, f"{name}({record_id!r}) found something"


@HOSTILE
@given(text=hostile_values, limit=st.one_of(st.just(200), hostile_values))
def test_search_patients_with_hostile_text_and_limit(ctx, text, limit):
    text = materialize(text)
    result, error = attempt(ctx, ctx.records.search_patients, text, materialize(limit))
    if error is None:
        assert isinstance(result, list)


@HOSTILE
@given(procedure_id=hostile_values, version=hostile_values)
def test_sign_procedure_with_hostile_id_and_version(ctx, procedure_id, version):
    procedure_id = materialize(procedure_id)
    signers.enrol(ctx, ctx.work.actor)
    _, error = attempt(ctx, ctx.signing.sign_procedure, procedure_id, materialize(version), signers.PASSWORD)
    if error is not None:
        assert_still_works(ctx)
    # Signing a real procedure at its real version still works (once per database: it renders the note).
    assert ctx.records.get_procedure(a_signed_procedure_id(ctx))[1].is_signed


@HOSTILE
@given(procedure_id=hostile_values, text=hostile_values, real=st.booleans())
def test_add_addendum_with_hostile_text(ctx, procedure_id, text, real):
    if real:
        procedure_id = a_signed_procedure_id(ctx)
    else:
        procedure_id = materialize(procedure_id)
    text = materialize(text)

    signers.enrol(ctx, ctx.work.actor)
    result, error = attempt(ctx, ctx.signing.add_addendum, procedure_id, text, signers.PASSWORD)

    if error is None:
        assert ctx.records.get_procedure(procedure_id)[1].addenda == result.addenda


@HOSTILE
@given(user_id=hostile_values, password=hostile_values)
def test_key_administration_and_signing_password_with_hostile_values(ctx, user_id, password):
    user_id = materialize(user_id)
    for call in (ctx.accounts.certify_key, ctx.accounts.key_history):
        _, error = attempt(ctx, call, user_id)
        if error is not None:
            assert_still_works(ctx)
    _, error = attempt(ctx, ctx.accounts.trust_ca, materialize(password))
    assert error is not None, "something that is no CA certificate was trusted"
    signers.enrol(ctx, ctx.work.actor)
    procedure_id = a_signed_procedure_id(ctx)
    _, error = attempt(ctx, ctx.signing.add_addendum, procedure_id, "Late entry.", materialize(password))
    if materialize(password) != signers.PASSWORD:
        assert error is not None, "an addendum was signed without the signer's password"


# ---- CaseService, NoteService ------------------------------------------------------------------------------------
# import_case takes a validated CaseFile: hostile case files are in tests/interop/test_interop_casefile_hostile.py.


@HOSTILE
@given(pages=hostile_values)
def test_record_print_with_hostile_page_count(ctx, pages):
    procedure_id = a_signed_procedure_id(ctx)
    result, error = attempt(ctx, ctx.notes.record_print, procedure_id, materialize(pages))
    if error is not None:
        assert_still_works(ctx)


HOSTILE_FILE_NAMES = ["a\x00b.pdf", "\ud800.pdf", "x" * 300 + ".pdf", "missing-folder/x.pdf", ".", "", "/", ".."]


@settings(HOSTILE, max_examples=len(HOSTILE_FILE_NAMES))
@given(name=st.sampled_from(HOSTILE_FILE_NAMES) | st.text(min_size=1, max_size=12))
def test_export_procedure_to_a_hostile_file_name(ctx, tmp_path, name):
    procedure_id = a_signed_procedure_id(ctx)
    before = db_rows(ctx)
    try:
        written = ctx.notes.export_procedure(procedure_id, tmp_path / name)
    except OSError as exc:  # the disk or the file system refused: the message says why
        assert exc.strerror or str(exc)
        assert db_rows(ctx) == before, "a failed export was recorded as done"
    else:
        assert written.read_bytes().startswith(b"%PDF")


_fhir_folders = itertools.count(1)


@HOSTILE
@given(data=st.data())
def test_export_fhir_with_hostile_id_file_name_or_clock(ctx, tmp_path, data):
    """One argument hostile at a time; the others those of a real export."""
    procedure_id, name, now = a_signed_procedure_id(ctx), "bundle.json", None
    which = data.draw(st.sampled_from(["procedure_id", "name", "now"]))
    if which == "procedure_id":
        procedure_id = materialize(data.draw(hostile_ids))
    elif which == "name":
        name = data.draw(st.sampled_from(HOSTILE_FILE_NAMES) | st.text(min_size=1, max_size=12))
    else:
        now = materialize(data.draw(hostile_times | hostile_values))
    folder = tmp_path / f"fhir-{next(_fhir_folders)}"
    folder.mkdir()
    before = db_rows(ctx)
    try:
        written = ctx.cases.export_fhir(procedure_id, folder / name, now)
    except CLEAR_ERRORS as exc:
        assert_clear(exc)
        assert db_rows(ctx) == before, f"refused with {type(exc).__name__}, yet the database changed"
        assert list(folder.iterdir()) == [], "a refused export left a file"
    except OSError as exc:  # the disk or the file system refused: the message says why
        assert which == "name" and (exc.strerror or str(exc))
        assert db_rows(ctx) == before, "a failed export was recorded as done"
    else:
        assert isinstance(procedure_id, int) and procedure_id >= 1
        Bundle.model_validate_json(written.read_text(encoding="utf-8"))
        assert db_rows(ctx) != before, "the export was not recorded"


# ---- SettingsService, PresetService ------------------------------------------------------------------------------


@HOSTILE
@given(data=st.data())
def test_save_settings_refuses_each_hostile_field_clearly(ctx, data):
    mutation = data.draw(mutations(SETTINGS_PAYLOAD, []))
    payload = mutation.apply(SETTINGS_PAYLOAD)

    saved, error = attempt(ctx, ctx.settings.save, payload, mutated=mutation.path)

    if error is None:
        assert ctx.settings.load() == saved
    else:
        ctx.settings.save(SETTINGS_PAYLOAD)  # still works


@HOSTILE
@given(data=st.data())
def test_save_preset_refuses_each_hostile_field_clearly(ctx, data):
    base = preset_payload(next(FRESH))
    mutation = data.draw(mutations(base, EXTRA_PRESET_KEYS))
    payload = mutation.apply(base)

    saved, error = attempt(ctx, ctx.presets.save, payload, mutated=mutation.path)

    if error is None:
        assert ctx.presets.get(saved.id) == saved
    else:
        assert ctx.presets.save(preset_payload(next(FRESH))).id is not None


@HOSTILE
@given(data=st.data())
def test_save_follow_up_refuses_each_hostile_field_clearly(ctx, data):
    procedure = a_procedure(ctx)
    base = {
        "procedure_uid": procedure.uid, "seen_on": "2025-06-01", "recorded_by": "RN Synthetic", "pain_nrs": 3,
        "disability_scale": "ODI", "disability_score": 30.0, "adl_improvement_pct": 50.0, "analgesic_use": "less",
        "global_impression": "much_improved", "notes": "Synthetic follow-up.",
    }  # fmt: skip
    mutation = data.draw(mutations(base, ["id", "version"]))

    saved, error = attempt(ctx, ctx.follow_ups.save, mutation.apply(base), mutated=mutation.path)

    patient_id = ctx.records.get_procedure(procedure.id)[0].id
    if error is None:
        assert saved in ctx.follow_ups.of_patient(patient_id)
    else:
        assert ctx.follow_ups.save(base).id is not None  # still works


@HOSTILE
@given(data=st.data(), file=st.one_of(st.just(None), hostile_values))
def test_attach_image_refuses_each_hostile_field_clearly(ctx, data, file):
    """Either the entry has one hostile field (with a good file), or the file itself is hostile."""
    from tests.builders.images import picture

    procedure = a_procedure(ctx)
    base = {"view": "ap", "level": "L4-L5", "caption": "needle at the L4 medial branch"}
    if file is None:
        mutation = data.draw(mutations(base, []))
        content, entry, mutated = picture(), mutation.apply(base), mutation.path
    else:
        content, entry, mutated = materialize(file), base, ("file",)

    saved, error = attempt(ctx, ctx.images.attach, procedure.id, content, entry, mutated=mutated)

    if error is None:
        assert saved in ctx.images.of_procedure(procedure.id)
    else:
        assert ctx.images.attach(procedure.id, picture(), base).id is not None  # still works


def test_settings_and_preset_lists_read_without_arguments(ctx):
    assert ctx.settings.load() is not None
    assert isinstance(ctx.presets.list(), list)


# ---- pure parsing and decision support: no database, many examples ---------------------------------------------

PARSERS: dict[str, tuple[Callable[[Any], Any], dict[str, Any]]] = {
    "validation.parse_patient": (parse_patient, rich_patient_data(1)),
    "validation.parse_procedure": (parse_procedure, rich_procedure_data()),
    "settings.parse_settings": (parse_settings, SETTINGS_PAYLOAD),
    "validation.validated": (lambda data: validated(Patient, data), rich_patient_data(3)),
    # A save naming only the settings it changes, applied to the settings as stored.
    "validation.with_changes": (
        lambda data: validated(ClinicSettings, with_changes(ClinicSettings(), data)),
        SETTINGS_PAYLOAD,
    ),
    "presets.parse_preset": (parse_preset, preset_payload(1)),
    "accounts.parse_user": (
        parse_user,
        {"username": "dr.synthetic", "display_name": "Dr. Synthetic", "role": "physician", "is_admin": False},
    ),
    "decision.lenient_procedure": (lambda data: lenient_procedure(data)[0], rich_procedure_data()),
}


@PURE
@given(data=st.data(), name=st.sampled_from(sorted(PARSERS)))
def test_parsers_refuse_each_hostile_field_clearly(data, name):
    parse, base = PARSERS[name]
    mutation = data.draw(mutations(base, ["id", "uid"]))
    try:
        parse(mutation.apply(base))
    except InvalidRecord as exc:
        assert name != "decision.lenient_procedure", "decision support reports problems, it does not raise"
        assert_clear(exc, mutation.path)


PATIENT = parse_patient(rich_patient_data(2))


@PURE
@given(data=st.data())
def test_check_draft_reports_problems_and_never_raises(data):
    base = rich_procedure_data()
    mutation = data.draw(mutations(base, ["uid", "id"]))

    result = check_draft(PATIENT, mutation.apply(base), [], get_catalog())

    assert result.evaluated == bool(result.findings)
    for problem in result.problems:
        assert problem.label and problem.message
        assert not PYDANTIC_WORDING.search(problem.message), str(problem)
    if not result.evaluated:
        assert result.problems, "a draft left unchecked must say why"


@PURE
@given(data=hostile_values)
def test_check_draft_on_a_payload_that_is_not_a_form(data):
    result = check_draft(PATIENT, materialize(data), [], get_catalog())
    assert not result.evaluated or isinstance(materialize(data), dict)
    assert result.evaluated or result.problems


def test_check_case_on_an_odd_but_valid_case(ctx):
    procedure = a_procedure(ctx, performed_at="2025-04-03T09:00:00")
    assert check_case(ctx.cases.case_for(procedure.id), get_catalog())


FHIR_STAMP = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


# The procedure's free texts, each of which the bundle carries somewhere: (path, may be blank).
_FREE_TEXTS = [
    (("physician",), False),
    (("needle",), True),
    (("contrast_spread",), True),
    (("findings",), True),
    (("estimated_blood_loss",), True),
    (("follow_up",), True),
    (("notes",), True),
    (("complication_details",), False),  # the payload's complication is "other"
    (("indication", "conservative_care_details"), True),
    (("pain_scores", 0, "activity"), True),
    (("overrides", 0, "reason"), False),
    (("overrides", 0, "acknowledged_by"), False),
]


@PURE
@given(data=st.data(), which=st.sampled_from(["patient", "procedure", "text"]))
def test_fhir_bundle_for_a_hostile_but_valid_record(data, which):
    """Whatever a record validly holds (odd text, extreme numbers, empty lists), its bundle builds and validates."""
    patient_raw, procedure_raw = rich_patient_data(3), rich_procedure_data()
    if which == "patient":
        patient_raw = data.draw(mutations(patient_raw, [])).apply(patient_raw)
    elif which == "procedure":
        procedure_raw = data.draw(mutations(procedure_raw, ["uid"])).apply(procedure_raw)
    else:  # odd but valid text in every free-text field at once
        for path, may_be_blank in _FREE_TEXTS:
            text = odd_text | st.sampled_from(["", " ", "\n"]) if may_be_blank else odd_text.filter(str.strip)
            procedure_raw = Mutation("replace", path, data.draw(text)).apply(procedure_raw)
    try:
        patient = parse_patient(patient_raw)
        case = CaseFile(patient=patient, procedure=parse_procedure(procedure_raw, patient))
    except (InvalidRecord, ValueError):  # refused input is the parsers' concern (tested above)
        return

    bundle = Bundle.model_validate_json(fhir_bundle_for_case(case, get_catalog(), FHIR_STAMP))

    procedures = [e.resource for e in bundle.entry if e.resource.get_resource_type() == "Procedure"]
    assert [p.identifier[0].value for p in procedures] == [case.procedure.uid]
    assert bundle.timestamp == FHIR_STAMP


# ---- odd but valid text reads back exactly ------------------------------------------------------------------------

_RTL_AND_FRIENDS = (
    "\u05e9\u05dc\u05d5\u05dd \u0633\u0644\u0627\u0645 \u200f\u200e\u202b\u202a\u202c\u2066\u2069 ÄÖÜß ﬁ 😀 Ω"
)
odd_text = st.text(
    st.characters(categories=["L", "M", "N", "P", "S", "Zs"], exclude_characters="\x00")
    | st.sampled_from(_RTL_AND_FRIENDS),
    min_size=1,
    max_size=100,
)


@HOSTILE
@given(family=odd_text, given_name=odd_text, note=odd_text, long=st.integers(min_value=1, max_value=20000))
def test_odd_but_valid_text_reads_back_exactly(ctx, family, given_name, note, long):
    n = next(FRESH)
    patient, error = attempt(
        ctx, ctx.records.save_patient, rich_patient_data(n, family_name=family, given_name=given_name)
    )
    if error is not None:  # blank once stripped: refused by name
        assert {e.path for e in error.errors} <= {("family_name",), ("given_name",)}
        return
    assert ctx.records.get_patient(patient.id) == patient
    assert patient.family_name in family and patient.given_name in given_name
    assert any(s.id == patient.id for s in ctx.records.search_patients(patient.mrn))
    notes = (note * (long // len(note) + 1))[:long]
    procedure = ctx.records.save_procedure(
        patient.id, rich_procedure_data() | {"notes": notes, "physician": given_name}
    )
    _, stored = ctx.records.get_procedure(procedure.id)
    assert stored.model_dump() == procedure.model_dump()
    assert stored.notes == notes.strip()


# ---- DraftStore ---------------------------------------------------------------------------------------------------


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())} if directory.is_dir() else {}


draft_fields = st.fixed_dictionaries(
    {
        "id": st.one_of(st.builds(new_draft_id), hostile_values),
        "database_url": st.one_of(st.just("sqlite:///synthetic.sqlite3"), hostile_values),
        "patient_id": st.one_of(st.just(1), hostile_values),
        "procedure_id": st.one_of(st.none(), hostile_values),
        "procedure_uid": st.one_of(st.none(), hostile_values),
        "procedure_version": st.one_of(st.none(), hostile_values),
        "data": st.one_of(st.builds(rich_procedure_data), hostile_values),
        "owner_pid": st.one_of(st.just(1), hostile_values),
        "owner_host": st.one_of(st.just("synthetic-host"), hostile_values),
        "author": st.one_of(st.just("dr.synthetic"), st.none(), hostile_values),
    }
)


@HOSTILE
@given(fields=draft_fields, mutated_data=st.data())
def test_draft_store_save_keeps_drafts_or_refuses_clearly(tmp_path, fields, mutated_data):
    store = DraftStore(tmp_path / "drafts")
    fields = materialize(fields)
    if isinstance(fields["data"], dict) and "performed_at" in fields["data"]:  # a form, one field hostile
        fields["data"] = mutated_data.draw(mutations(fields["data"], ["uid"])).apply(fields["data"])
    before = _files(store.directory)
    try:
        draft = Draft(**fields)
        store.save(draft)
    except InvalidRecord as exc:
        assert_clear(exc)
        assert _files(store.directory) == before, "a refused draft left a file behind"
        return
    (loaded,) = [d for d in store.list() if d.id == draft.id]
    assert json.dumps(loaded.to_json(), sort_keys=True) == json.dumps(draft.to_json(), sort_keys=True)
    # Offered to its author (one without an author to a physician), and to them alone.
    author = ADMIN_PHYSICIAN.model_copy(update={"username": draft.author or ADMIN_PHYSICIAN.username})
    assert store.latest_for(draft.database_url, author, include_live=True) is not None
    assert store.latest_for(draft.database_url, NURSE, include_live=True) is None
    store.discard(loaded)
    assert store.list() == []


draft_file_contents = st.one_of(
    st.binary(max_size=64),
    st.builds(lambda value: json.dumps(value, default=str), hostile_values),
    st.builds(
        lambda key, value: json.dumps({**_valid_draft_json(), key: value}, default=str, ensure_ascii=False).encode(
            "utf-8", "surrogatepass"
        ),
        st.sampled_from(
            [
                "id",
                "database_url",
                "patient_id",
                "procedure_id",
                "procedure_uid",
                "procedure_version",
                "saved_at",
                "owner_pid",
                "owner_host",
                "author",
                "data",
                "format",
            ]
        ),
        hostile_values,
    ),
    st.sampled_from([b"[" * 100_000, b'{"a":' * 100_000, b"\xef\xbb\xbf{}", b'{"patient_id": ' + b"9" * 5000 + b"}"]),
)


def _valid_draft_json() -> dict[str, Any]:
    return Draft(new_draft_id(), "sqlite:///synthetic.sqlite3", 1, None, None, None, {"notes": "x"}).to_json()


@HOSTILE
@given(contents=st.lists(draft_file_contents, min_size=1, max_size=3), database_url=hostile_values)
def test_draft_store_list_skips_damaged_files_and_never_crashes(tmp_path_factory, contents, database_url):
    directory = tmp_path_factory.mktemp("drafts")
    for body in contents:
        (directory / f"{new_draft_id()}.json").write_bytes(
            body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")
        )
    store = DraftStore(directory)

    drafts = store.list()

    for draft in drafts:
        assert isinstance(draft, Draft) and draft.saved_at.tzinfo is not None
        draft.owner_alive()
        store.discard(draft)
    store.latest_for(materialize(database_url), ADMIN_PHYSICIAN)
    store.latest_for(materialize(database_url), ADMIN_PHYSICIAN, include_live=True)
    assert store.list() == []


@HOSTILE
@given(draft_id=hostile_values)
def test_draft_store_refuses_a_hostile_draft_id(tmp_path, draft_id):
    store = DraftStore(tmp_path)
    draft_id = materialize(draft_id)
    for call in (store.path_of, store.discard):
        try:
            path = call(draft_id)
        except InvalidRecord as exc:
            assert_clear(exc)
        else:
            assert isinstance(draft_id, str) and re.fullmatch("[0-9a-f]{32}", draft_id)
            assert path is None or path.parent == tmp_path


OTHER_PHYSICIAN = ADMIN_PHYSICIAN.model_copy(update={"username": "dr.other", "is_admin": False})


@HOSTILE
@given(
    authors=st.lists(st.sampled_from([ADMIN_PHYSICIAN.username, NURSE.username, "dr.other", None]), max_size=4),
    actor=st.one_of(st.sampled_from([ADMIN_PHYSICIAN, OTHER_PHYSICIAN, NURSE, None]), hostile_values),
    database_url=st.one_of(st.just("sqlite:///synthetic.sqlite3"), hostile_values),
    not_a_draft=hostile_values,
)
def test_draft_store_offers_and_declines_only_the_actors_own_drafts(
    tmp_path_factory, authors, actor, database_url, not_a_draft
):
    """Whatever stands in for the signed-in user, nobody is offered, or can remove, another user's draft."""
    store = DraftStore(tmp_path_factory.mktemp("drafts"))
    for author in authors:
        store.save(Draft(new_draft_id(), "sqlite:///synthetic.sqlite3", 1, None, None, None, {}, author=author))
    actor, database_url = materialize(actor), materialize(database_url)
    physician = any(actor is a for a in (ADMIN_PHYSICIAN, OTHER_PHYSICIAN))
    username = actor.username if physician or actor is NURSE else None  # a hostile value is nobody
    everyone = store.list()

    offered = store.drafts_of(actor, database_url, include_live=True)

    assert store.list() == everyone, "asking what to offer changed the drafts"
    for draft in everyone:
        theirs = username is not None and (draft.author == username or (draft.author is None and physician))
        assert draft.offered_to(actor) is theirs
        assert (draft in offered) is (theirs and draft.database_url == database_url)
    assert [d.author is None for d in offered] == sorted(d.author is None for d in offered)  # own first
    assert store.latest_for(database_url, actor, include_live=True) == next(iter(offered), None)
    assert store.drafts_of(actor, database_url) == []  # this very process wrote them: still being edited
    with pytest.raises(InvalidRecord) as refused:
        store.decline(materialize(not_a_draft), actor)
    assert_clear(refused.value)
    for draft in everyone:
        removed = store.decline(draft, actor)
        assert removed is (username is not None and draft.author == username)
        assert (draft in store.list()) is not removed


# ---- BackupService ----------------------------------------------------------------------------------------------


@pytest.fixture
def backups(tmp_path) -> BackupService:
    from facetdesk.storage.db import open_database

    url = f"sqlite:///{tmp_path / 'db' / 'facetdesk.sqlite3'}"
    open_database(url).close()
    return BackupService(url, tmp_path / "backups")


def _backup_call(exc_types: tuple, call: Callable[[], Any]) -> Any:
    try:
        return call()
    except exc_types as exc:
        assert_clear(exc)
        return exc


@settings(HOSTILE, max_examples=examples(25))
@given(
    keep=hostile_values,
    now=st.one_of(st.none(), st.datetimes(), st.sampled_from([datetime.min, datetime.max, datetime(1, 1, 1)])),
)
def test_backups_with_hostile_retention_and_clock(backups, keep, now):
    keep = materialize(keep)
    made = _backup_call((StorageError,), lambda: backups.backup_now(now))
    assert isinstance(made, Path) and made.exists()
    _backup_call((StorageError,), lambda: backups.daily_if_due(now))
    removed = _backup_call((StorageError,), lambda: backups.prune(keep))
    listed = backups.list_backups()
    if isinstance(removed, list):
        assert len(listed) <= (keep if keep is not None else backups.keep)
        assert made in listed or made in removed, "a backup the service cannot see is never pruned"


@settings(HOSTILE, max_examples=len(HOSTILE_FILE_NAMES) + 4)
@given(name=st.sampled_from(HOSTILE_FILE_NAMES) | st.text(min_size=1, max_size=12))
def test_backup_to_a_hostile_file_name(backups, tmp_path, name):
    result = _backup_call((StorageError,), lambda: backups.backup_to(tmp_path / "out" / name))
    if isinstance(result, Path):
        assert backups.restore(result) is not None


@settings(HOSTILE, max_examples=examples(20))
@given(body=st.one_of(st.binary(max_size=200), st.sampled_from([b"", b"SQLite format 3\x00" + b"\x00" * 200])))
def test_restore_refuses_a_damaged_backup_and_keeps_the_database(backups, tmp_path_factory, body):
    damaged = tmp_path_factory.mktemp("in") / "backup.sqlite3"
    damaged.write_bytes(body)
    before = backups.database_path.read_bytes()

    result = _backup_call((StorageError,), lambda: backups.restore(damaged))

    assert isinstance(result, StorageError)
    assert backups.database_path.read_bytes() == before


# ---- move_to_server ---------------------------------------------------------------------------------------------

# Addresses that reach no server (port 1 refuses at once) or none at all; each holds a password never to be shown.
HOSTILE_SERVER_URLS = [
    "postgresql://facetdesk:s3cret-pw@127.0.0.1:1/facetdesk",
    "postgresql://facetdesk:s3cret-pw@127.0.0.1:notaport/facetdesk",
    "postgresql+nodriver://facetdesk:s3cret-pw@127.0.0.1:1/facetdesk",
    "mysql://facetdesk:s3cret-pw@127.0.0.1:1/facetdesk",
    "sqlite:///elsewhere.sqlite3",
    "postgresql://facetdesk:s3cret-pw@127.0.0.1:1/fa\x00cetdesk",
    "postgresql://facetdesk:s3cret-pw@127.0.0.1:1/\ud800",
    "postgresql://facetdesk:s3cret-pw@127.0.0.1:1/" + "x" * 5000,
]


@settings(HOSTILE, max_examples=examples(30))
@given(source=hostile_values, target=st.one_of(st.sampled_from(HOSTILE_SERVER_URLS), hostile_values))
def test_move_to_server_refuses_hostile_addresses_clearly(tmp_path_factory, source, target):
    from facetdesk.services.session import WorkSession
    from facetdesk.services.transfer import move_to_server
    from facetdesk.storage.db import open_database

    workstation = tmp_path_factory.mktemp("ws") / "facetdesk.sqlite3"
    open_database(f"sqlite:///{workstation}").close()
    before = workstation.read_bytes()
    calls = [(materialize(source), HOSTILE_SERVER_URLS[0]), (f"sqlite:///{workstation}", materialize(target))]
    for source_url, target_url in calls:
        with pytest.raises(CLEAR_ERRORS) as refused:
            move_to_server(source_url, target_url, WorkSession(ADMIN_PHYSICIAN))
        assert_clear(refused.value)
        assert "s3cret" not in str(refused.value)
    assert workstation.read_bytes() == before


# ---- AccountService, AuditService ------------------------------------------------------------------------------


def cheap_accounts(ctx):
    """The account service with a fast Argon2 setting: these tests are about input, not hashing cost."""
    from argon2 import PasswordHasher

    from facetdesk.services.accounts import AccountService

    return AccountService(ctx.database, ctx.work, PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@settings(HOSTILE, max_examples=examples(20))
@given(username=hostile_values, password=hostile_values)
def test_sign_in_and_unlock_with_hostile_credentials(ctx, username, password):
    accounts = cheap_accounts(ctx)
    username, password = materialize(username), materialize(password)
    # No "nothing written" check here: a failed sign-in is recorded in the audit trail on purpose.
    for call in (
        lambda: accounts.sign_in(username, password),
        lambda: accounts.unlock(password),
        lambda: accounts.change_own_password(password, password),
    ):
        try:
            call()
        except CLEAR_ERRORS as exc:
            assert_clear(exc)
        finally:
            ctx.work.sign_in(ADMIN_PHYSICIAN)


@settings(HOSTILE, max_examples=examples(15))
@given(data=st.data(), password=hostile_values)
def test_create_and_update_user_refuse_hostile_fields(ctx, data, password):
    accounts = cheap_accounts(ctx)
    base = {"username": f"user{next(FRESH)}", "display_name": "Dr. Synthetic", "role": "nurse", "is_admin": False}
    mutation = data.draw(mutations(base, ["id"]))
    good = "synthetic-password-1"
    attempt(ctx, accounts.create_user, mutation.apply(base), good, mutated=mutation.path)
    attempt(ctx, accounts.create_user, base | {"username": f"user{next(FRESH)}"}, materialize(password))
    # These refuse for reasons of their own (an account exists; no stored id), whatever else the data holds.
    attempt(ctx, accounts.create_first_account, mutation.apply(base), good)
    attempt(ctx, accounts.update_user, mutation.apply(base), materialize(password))
    accounts.list_users()
    assert accounts.has_accounts() in (True, False)


@settings(HOSTILE, max_examples=examples(20))
@given(
    filters=st.fixed_dictionaries(
        {},
        optional={
            name: hostile_values
            for name in ("since", "until", "username", "action", "entity", "entity_id", "limit", "offset")
        },
    )
)
def test_audit_search_with_hostile_filters(ctx, filters):
    filters = materialize(filters)
    result, error = attempt(ctx, lambda: ctx.audit.search(**filters))
    if error is None:
        assert isinstance(result, list)
    assert ctx.audit.verify().ok


# ---- OutcomesService ----------------------------------------------------------------------------------------------

# A valid call, then one argument at a time made hostile: right type with odd values (the ends of the
# calendar, impossible days, near-ISO spellings), then anything at all.
OUTCOME_FROM = st.sampled_from(["2025-04-01", "2025-04-02", date(2025, 4, 2), date.min])
OUTCOME_TO = st.sampled_from(["2025-04-02", "2025-04-30", date(2025, 4, 2), date.max])
ODD_DAYS = st.sampled_from(["2025-04-31", "2025-4-2", " 2025-04-02", "٢٠٢٥-04-02", "2025-04-02T10:15", "0000-01-01"])
OUTCOME_ARGS = ["date_from", "date_to", "deidentify", "name"]
_OUTCOME_DATA: weakref.WeakSet = weakref.WeakSet()  # by the context itself: an id() is reused


@settings(HOSTILE, max_examples=examples(40))
@given(data=st.data(), hostile=st.sampled_from([None, *OUTCOME_ARGS]))
def test_export_outcomes_with_hostile_range_and_file_name(ctx, tmp_path_factory, data, hostile):
    if ctx not in _OUTCOME_DATA:
        a_procedure(ctx)  # 2025-04-02, with every free text filled in
        _OUTCOME_DATA.add(ctx)
    args: dict[str, Any] = {
        "date_from": data.draw(OUTCOME_FROM),
        "date_to": data.draw(OUTCOME_TO),
        "deidentify": data.draw(st.booleans()),
        "name": "outcomes.csv",
    }
    if hostile == "name":
        args["name"] = data.draw(st.sampled_from(HOSTILE_FILE_NAMES) | st.text(min_size=1, max_size=12))
    elif hostile is not None:
        odd = ODD_DAYS if hostile != "deidentify" else st.nothing()
        args[hostile] = materialize(data.draw(odd | hostile_values))
    folder = tmp_path_factory.mktemp("outcomes")
    # A leading "/" would leave the test's folder for the file system's root.
    target = folder / args["name"].lstrip("/")
    before = db_rows(ctx)
    try:
        result, error = attempt(
            ctx,
            ctx.outcomes.export_csv,
            target,
            args["date_from"],
            args["date_to"],
            deidentify=args["deidentify"],
            mutated=None if hostile in (None, "name") else (hostile,),
        )
    except OSError as exc:  # the file system refused the name: said why, nothing written or recorded
        assert hostile == "name", f"{exc!r} for a valid file name"
        event("export-outcomes: file name refused")
        assert exc.strerror or str(exc)
        assert db_rows(ctx) == before, "a failed export was recorded as done"
        assert not [p for p in folder.rglob("*") if p.is_file()], "a failed export left a file behind"
        return
    if error is not None:
        assert hostile not in (None, "name"), f"a valid range refused: {error}"
        event("export-outcomes: arguments refused")
        assert not list(folder.iterdir()), "a refused export left a file behind"
        return
    event("export-outcomes: written")
    with open(result.path, encoding="utf-8", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == result.rows
    if hostile in (None, "name"):
        assert result.rows >= 1, "the synthetic procedure of 2025-04-02 is in every valid range drawn"
    (entry,) = ctx.audit.search(action=AuditAction.EXPORT, limit=1)
    assert entry.entity == "procedures" and entry.detail["rows"] == result.rows
    assert entry.detail["deidentified"] is result.deidentified is args["deidentify"]
    assert [p.name for p in folder.rglob("*") if p.is_file()] == [result.path.name]


@settings(HOSTILE, max_examples=examples(30))
@given(data=st.data(), hostile=st.sampled_from([None, "date_from", "date_to", "name"]))
def test_clinic_outcomes_and_their_charts_with_hostile_range_and_file_name(ctx, tmp_path_factory, data, hostile):
    """The figures of a range, and their PDF: the same range rules as the export; a file name the system refuses
    leaves no file and no audit entry."""
    if ctx not in _OUTCOME_DATA:
        a_procedure(ctx)  # 2025-04-02
        _OUTCOME_DATA.add(ctx)
    args: dict[str, Any] = {"date_from": data.draw(OUTCOME_FROM), "date_to": data.draw(OUTCOME_TO), "name": "c.pdf"}
    if hostile == "name":
        args["name"] = data.draw(st.sampled_from(HOSTILE_FILE_NAMES) | st.text(min_size=1, max_size=12))
    elif hostile is not None:
        args[hostile] = materialize(data.draw(ODD_DAYS | hostile_values))
    mutated = None if hostile in (None, "name") else (hostile,)
    figures, error = attempt(ctx, ctx.outcomes.clinic_outcomes, args["date_from"], args["date_to"], mutated=mutated)
    if error is not None:
        assert mutated is not None, f"a valid range refused: {error}"
        event("clinic-outcomes: range refused")
        return
    if mutated is None:
        assert figures.procedures >= 1, "the synthetic procedure of 2025-04-02 is in every valid range drawn"
    folder = tmp_path_factory.mktemp("charts")
    before = db_rows(ctx)
    try:
        result, error = attempt(
            ctx, ctx.outcomes.export_charts_pdf, folder / args["name"].lstrip("/"), args["date_from"], args["date_to"]
        )
    except OSError as exc:  # the file system refused the name: said why, nothing written or recorded
        assert hostile == "name", f"{exc!r} for a valid file name"
        event("clinic-outcomes: file name refused")
        assert db_rows(ctx) == before and not [p for p in folder.rglob("*") if p.is_file()]
        return
    assert error is None, error
    event("clinic-outcomes: charts written")
    assert result.outcomes == figures
    assert [p.name for p in folder.rglob("*") if p.is_file()] == [result.path.name]


# ---- every entry point is covered ---------------------------------------------------------------------------------

# Entry point -> the test (in this file or in the case-file one) that throws hostile values at it.
COVERED: dict[str, str] = {
    "ImageService.attach": "test_attach_image_refuses_each_hostile_field_clearly",
    "ImageService.of_procedure": "test_lookups_by_hostile_id_say_not_found",
    "ImageService.renderings": "test_lookups_by_hostile_id_say_not_found",
    "ImageService.rendering": "test_lookups_by_hostile_id_say_not_found",
    "ImageService.remove": "test_lookups_by_hostile_id_say_not_found",
    "PathwayService.of_patient": "test_lookups_by_hostile_id_say_not_found",
    "FollowUpService.save": "test_save_follow_up_refuses_each_hostile_field_clearly",
    "FollowUpService.of_patient": "test_lookups_by_hostile_id_say_not_found",
    "RecordService.search_patients": "test_search_patients_with_hostile_text_and_limit",
    "RecordService.get_patient": "test_lookups_by_hostile_id_say_not_found",
    "RecordService.save_patient": "test_save_patient_refuses_each_hostile_field_clearly",
    "RecordService.list_procedures": "test_lookups_by_hostile_id_say_not_found",
    "RecordService.versions_of": "test_lookups_by_hostile_id_say_not_found",
    "RecordService.get_procedure": "test_lookups_by_hostile_id_say_not_found",
    "RecordService.procedures_of": "test_lookups_by_hostile_id_say_not_found",
    "RecordService.prior_procedures": "test_lookups_by_hostile_id_say_not_found",
    "RecordService.save_procedure": "test_save_procedure_refuses_each_hostile_field_clearly",
    "SigningService.sign_procedure": "test_sign_procedure_with_hostile_id_and_version",
    "SigningService.add_addendum": "test_add_addendum_with_hostile_text",
    "CaseService.case_for": "test_lookups_by_hostile_id_say_not_found",
    "SigningService.open_findings": "test_lookups_by_hostile_id_say_not_found",
    "SigningService.signature_problem": "test_lookups_by_hostile_id_say_not_found",
    "EhrOutboxService.queue": "test_lookups_by_hostile_id_say_not_found",
    "CaseService.export_document": "test_lookups_by_hostile_id_say_not_found",
    "EhrOutboxService.queue_signed": "test_lookups_by_hostile_id_say_not_found",
    "EhrOutboxService.retry": "test_lookups_by_hostile_id_say_not_found",
    "AccountService.certify_key": "test_key_administration_and_signing_password_with_hostile_values",
    "AccountService.key_history": "test_key_administration_and_signing_password_with_hostile_values",
    "AccountService.trust_ca": "test_key_administration_and_signing_password_with_hostile_values",
    "signature_proofs.check": "tests/services/test_services_signing.py (tampered, stripped, untrusted proofs)",
    "CaseService.export_case": "test_lookups_by_hostile_id_say_not_found",
    "CaseService.export_fhir": "test_export_fhir_with_hostile_id_file_name_or_clock",
    "CaseService.import_case": "tests/interop/test_interop_casefile_hostile.py",
    "NoteService.render_procedure_note": "test_lookups_by_hostile_id_say_not_found",
    "NoteService.render_procedure": "test_lookups_by_hostile_id_say_not_found",
    "NoteService.render_handout": "test_lookups_by_hostile_id_say_not_found",
    "NoteService.export_procedure": "test_export_procedure_to_a_hostile_file_name",
    "NoteService.record_print": "test_record_print_with_hostile_page_count",
    "SettingsService.load": "test_settings_and_preset_lists_read_without_arguments",
    "SettingsService.save": "test_save_settings_refuses_each_hostile_field_clearly",
    "PresetService.list": "test_settings_and_preset_lists_read_without_arguments",
    "PresetService.get": "test_lookups_by_hostile_id_say_not_found",
    "PresetService.save": "test_save_preset_refuses_each_hostile_field_clearly",
    "PresetService.delete": "test_lookups_by_hostile_id_say_not_found",
    "DraftStore.path_of": "test_draft_store_refuses_a_hostile_draft_id",
    "DraftStore.save": "test_draft_store_save_keeps_drafts_or_refuses_clearly",
    "DraftStore.list": "test_draft_store_list_skips_damaged_files_and_never_crashes",
    "DraftStore.latest_for": "test_draft_store_offers_and_declines_only_the_actors_own_drafts",
    "DraftStore.drafts_of": "test_draft_store_offers_and_declines_only_the_actors_own_drafts",
    "DraftStore.decline": "test_draft_store_offers_and_declines_only_the_actors_own_drafts",
    "Draft.offered_to": "test_draft_store_offers_and_declines_only_the_actors_own_drafts",
    "DraftStore.discard": "test_draft_store_refuses_a_hostile_draft_id",
    "Draft.owner_alive": "test_draft_store_list_skips_damaged_files_and_never_crashes",
    "Draft.to_json": "test_draft_store_save_keeps_drafts_or_refuses_clearly",
    "Draft.from_json": "test_draft_store_list_skips_damaged_files_and_never_crashes",
    "BackupService.database_path": "test_restore_refuses_a_damaged_backup_and_keeps_the_database",
    "BackupService.backup_now": "test_backups_with_hostile_retention_and_clock",
    "BackupService.backup_to": "test_backup_to_a_hostile_file_name",
    "BackupService.restore": "test_restore_refuses_a_damaged_backup_and_keeps_the_database",
    "BackupService.list_backups": "test_backups_with_hostile_retention_and_clock",
    "BackupService.prune": "test_backups_with_hostile_retention_and_clock",
    "BackupService.daily_if_due": "test_backups_with_hostile_retention_and_clock",
    "AccountService.has_accounts": "test_create_and_update_user_refuse_hostile_fields",
    "AccountService.create_first_account": "test_create_and_update_user_refuse_hostile_fields",
    "AccountService.sign_in": "test_sign_in_and_unlock_with_hostile_credentials",
    "AccountService.unlock": "test_sign_in_and_unlock_with_hostile_credentials",
    "AccountService.change_own_password": "test_sign_in_and_unlock_with_hostile_credentials",
    "AccountService.list_users": "test_create_and_update_user_refuse_hostile_fields",
    "AccountService.create_user": "test_create_and_update_user_refuse_hostile_fields",
    "AccountService.update_user": "test_create_and_update_user_refuse_hostile_fields",
    "AuditService.search": "test_audit_search_with_hostile_filters",
    "AuditService.verify": "test_audit_search_with_hostile_filters",
    "OutcomesService.export_csv": "test_export_outcomes_with_hostile_range_and_file_name",
    "OutcomesService.clinic_outcomes": "test_clinic_outcomes_and_their_charts_with_hostile_range_and_file_name",
    "OutcomesService.export_charts_pdf": "test_clinic_outcomes_and_their_charts_with_hostile_range_and_file_name",
    "transfer.move_to_server": "test_move_to_server_refuses_hostile_addresses_clearly",
    "decision.check_draft": "test_check_draft_reports_problems_and_never_raises",
    "decision.check_case": "test_check_case_on_an_odd_but_valid_case",
    "fhir_export.fhir_bundle_for_case": "test_fhir_bundle_for_a_hostile_but_valid_record",
    "fhir_export.write_fhir_bundle": "test_export_fhir_with_hostile_id_file_name_or_clock",
    "decision.lenient_procedure": "test_parsers_refuse_each_hostile_field_clearly",
    "validation.parse_patient": "test_parsers_refuse_each_hostile_field_clearly",
    "validation.parse_procedure": "test_parsers_refuse_each_hostile_field_clearly",
    "validation.validated": "test_parsers_refuse_each_hostile_field_clearly",
    "validation.with_changes": "test_parsers_refuse_each_hostile_field_clearly",
    "settings.parse_settings": "test_parsers_refuse_each_hostile_field_clearly",
    "presets.parse_preset": "test_parsers_refuse_each_hostile_field_clearly",
    "accounts.parse_user": "test_parsers_refuse_each_hostile_field_clearly",
}
# Public names that take no outside input (or only the app's own constants), with the reason.
NOT_ENTRY_POINTS: dict[str, str] = {
    "batch_notes.render_batch": "the command line's batch (facetdesk note --batch): its files and folders are "
    "refused one by one, named, in tests/test_cli_note_batch.py",
    "batch_notes.case_files": "expands the command line's paths for render_batch (tests/test_cli_note_batch.py)",
    "batch_notes.warm_up": "no input: imports the renderer in a worker process",
    "BatchReport.failed": "a property of the batch's result, no input",
    "BatchReport.invalid": "a property of the batch's result, no input",
    "BatchReport.rendered": "a property of the batch's result, no input",
    "Outcome.rendered": "a property of one file's result, no input",
    "validation.case_file": "takes records the services loaded (validated models); records that disagree are "
    "tested in test_services_refusals.test_records_that_disagree_behind_the_app_are_refused_by_name_not_with_a_crash",
    "AppContext.close": "no arguments; closes the database",
    "EhrOutboxService.deliver_due": "no arguments; sends what is due (tests/services/test_services_ehr_outbox.py)",
    "EhrOutboxService.entries": "takes the view's own row limit",
    "EhrOutboxService.counts": "no arguments",
    "EhrOutboxService.interface": "no arguments",
    "AccountService.lock": "no arguments; locks the signed-in session",
    "AccountService.sign_out": "no arguments",
    "RecordService.usual_anticoagulants": "no arguments; counts what is stored (test_ui_patient_form)",
    "RecordService.usual_medication_agents": "no arguments; counts what is stored (test_services_usual_agents)",
    "WorkSession.actor": "the signed-in Actor, set from AccountService (fuzzed there)",
    "WorkSession.sign_in": "takes the Actor AccountService built",
    "WorkSession.sign_out": "no arguments",
    "WorkSession.may": "called by the services with Permission members only",
    "WorkSession.require": "called by the services with Permission members only",
    "WorkSession.log": "called by the services inside their own transactions",
    "VerifyReport.ok": "a result value",
    "AccountService.signing_keys": "no arguments; the Users dialog's key column",
    "AccountService.holds_clinic_ca": "no arguments",
    "AccountService.clinic_ca_pem": "no arguments",
    "KeyView.fingerprint": "a result value",
    "KeyView.status": "a result value",
    "Verifier.run": "no arguments; AuditService.verify builds it",
    "verify.signed_record_problem": "reached through NoteService.render_procedure_note (test_services_tampering)",
    "AnchorStore.anchor": "no arguments",
    "AnchorStore.remember": "called by SigningService with the entry it just wrote",
    "anchors.database_key": "takes the open database's own URL",
    "anchors.default_anchor_file": "no arguments",
    "signature_proofs.proofs_of": "inside CaseService.export_case with a stored procedure's id",
    "signature_proofs.certificate_valid": "takes a certificate and envelope already parsed by check",
    "KeyKeeper.certify": "inside AccountService.certify_key's transaction (fuzzed there)",
    "KeyKeeper.enrol": "inside AccountService.create_user's transaction, with a checked password",
    "KeyKeeper.new_key": "inside account and signing transactions, with a checked password",
    "KeyKeeper.open_ca": "inside sign-in, with a password that just signed in",
    "KeyKeeper.open_key": "inside SigningService (password fuzzed there)",
    "KeyKeeper.reset": "inside AccountService.update_user, with a checked password",
    "self_test.seed_record": "the installed app's self-test: its own synthetic record, no outside input "
    "(tests/test_self_test.py)",
    "self_test.synthetic_dicom": "synthetic pixels and the caller's own header; the self-test's and the tests' image",
    "self_test.sign_and_verify": "the self-test's own record, from seed_record (tests/test_self_test.py)",
    "self_test.fhir_bundle_check": "the self-test's own record, from seed_record (tests/test_self_test.py)",
    "self_test.postgresql_driver_check": "no arguments; connects to nothing",
    "self_test.ehr_outbox_check": "the self-test's own record and temporary folder (tests/test_self_test.py)",
    "KeyKeeper.rewrap": "inside AccountService.change_own_password, with checked passwords",
    "KeyKeeper.share_ca": "inside account transactions, with a checked password",
    "keys.not_certified": "builds an error message",
    "keys.wrong_password": "builds an error message",
    "records.record_hash": "takes a validated, stored record",
    "signing.envelope_for": "takes values SigningService made",
    "VerifyReport.lines": "a result value",
    "MoveReport.ok": "a result value",
    "MoveReport.summary": "a result value",
    "MoveReport.lines": "a result value",
    "backups.default_backup_dir": "no arguments",
    "backups.startup_backup": "BackupService.daily_if_due with the app's own URL (fuzzed there)",
    "drafts.default_drafts_dir": "no arguments",
    "drafts.new_draft_id": "no arguments",
    "session.workstation_name": "no arguments",
    "context.build_context": "wiring; the database URL is the storage layer's (tests/storage)",
    "rendering.render_case_note": "takes a validated CaseFile; reached through NoteService and the case-file tests",
    "rendering.render_case_pdf": "takes a validated CaseFile; reached through the case-file tests",
    "rendering.render_case_handout": "takes a validated CaseFile; reached through NoteService.render_handout, the CLI",
    "rendering.write_pdf": "reached through NoteService.export_procedure",
    "rendering.note_content_for_case": "reached through NoteService.export_procedure and CaseService.export_fhir",
}


def public_entry_points() -> set[str]:
    found: set[str] = set()
    for info in pkgutil.iter_modules(facetdesk.services.__path__):
        module = importlib.import_module(f"facetdesk.services.{info.name}")
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isclass(obj) and not issubclass(obj, BaseException):
                for attr, member in vars(obj).items():
                    if attr.startswith("_") or attr in getattr(obj, "__dataclass_fields__", {}):
                        continue
                    if callable(member) or isinstance(member, (property, classmethod, staticmethod)):
                        found.add(f"{name}.{attr}")
            elif inspect.isfunction(obj):
                found.add(f"{info.name}.{name}")
    return found


def test_every_public_entry_point_is_fuzzed():
    here = {name for name, value in globals().items() if name.startswith("test_") and callable(value)}
    missing = public_entry_points() - set(COVERED) - set(NOT_ENTRY_POINTS)
    assert not missing, f"new entry points with no hostile test (add one and list it in COVERED): {sorted(missing)}"
    stale = (set(COVERED) | set(NOT_ENTRY_POINTS)) - public_entry_points()
    assert not stale, f"listed but no longer public: {sorted(stale)}"
    assert {t for t in COVERED.values() if t.startswith("test_")} <= here


# ---- once reported as bugs, now refused clearly: kept so they stay fixed ----------------------------------------


def refused_clearly(calls: dict[str, Callable[[], Any]], expected: tuple[type[BaseException], ...]) -> None:
    """Each call raises one of ``expected`` with a clear message; lists every one that does not."""
    wrong = {}
    for name, call in calls.items():
        try:
            call()
        except expected as exc:
            try:
                assert_clear(exc)
            except AssertionError as unclear:
                wrong[name] = f"unclear: {unclear}"
        except Exception as exc:  # noqa: BLE001 - the point is to name whatever escapes
            wrong[name] = f"{type(exc).__name__}: {str(exc)[:100]}"
        else:
            wrong[name] = "accepted"
    assert not wrong, wrong


def test_once_a_bug_procedure_lookup_with_an_impossible_id(ctx):
    impossible = {"2**63": 2**63, "10**30": 10**30, "list": [1], "dict": {"id": 1}}
    calls = {f"get_procedure({k})": (lambda v=v: ctx.records.get_procedure(v)) for k, v in impossible.items()}
    calls |= {f"list_procedures({k})": (lambda v=v: ctx.records.list_procedures(v)) for k, v in impossible.items()}
    calls |= {f"add_addendum({k})": (lambda v=v: signers.add_addendum(ctx, v, "text")) for k, v in impossible.items()}
    calls |= {f"sign_procedure({k})": (lambda v=v: signers.sign(ctx, v, 1)) for k, v in impossible.items()}
    refused_clearly(calls, (NotFound, StorageError))


def test_once_a_bug_search_with_text_that_is_not_text(ctx):
    refused_clearly(
        {repr(t): (lambda t=t: ctx.records.search_patients(t)) for t in (None, 5, ["Smith"])}, (InvalidRecord,)
    )


def test_once_a_bug_save_procedure_with_another_records_id_or_a_signature(ctx):
    mine = a_procedure(ctx)
    other = ctx.records.save_patient(rich_patient_data(next(FRESH)))
    forged = {"signed_by": "Dr. Someone Else", "signed_at": "2020-01-01T00:00:00"}
    refused_clearly(
        {
            "another patient's procedure id": lambda: ctx.records.save_procedure(
                other.id, rich_procedure_data() | {"id": mine.id, "version": mine.version}
            ),
            "an update with a signature": lambda: ctx.records.save_procedure(
                a_patient(ctx).id, rich_procedure_data() | {"id": mine.id, "uid": mine.uid, "signature": forged}
            ),
            # Saving is not signing: a new procedure must not arrive signed by whoever the data names.
            "a new procedure with a signature": lambda: ctx.records.save_procedure(
                a_patient(ctx).id, rich_procedure_data() | {"signature": forged}
            ),
        },
        (InvalidRecord,),
    )


def test_once_a_bug_export_pdf_to_an_impossible_file_name(ctx, tmp_path):
    procedure_id = a_signed_procedure_id(ctx)
    names = {"nul": "a\x00b.pdf", "surrogate": "\ud800.pdf", "root": "/"}
    refused_clearly(
        {k: (lambda n=n: ctx.notes.export_procedure(procedure_id, tmp_path / n)) for k, n in names.items()}, (OSError,)
    )


def test_once_a_bug_backup_arguments(backups, tmp_path):
    def year_one_backup_is_listed() -> None:
        made = backups.backup_now(datetime(1, 1, 1))  # named facetdesk-10101-000000.sqlite3
        if made not in backups.list_backups():
            raise AssertionError("list_backups and prune never see it")
        raise StorageError("listed")  # the expected outcome, in the shape refused_clearly wants

    refused_clearly(
        {
            "prune(0)": lambda: backups.prune(0),
            "prune('3')": lambda: backups.prune("3"),
            "backup_to NUL": lambda: backups.backup_to(tmp_path / "a\x00b"),
            "backup_to surrogate": lambda: backups.backup_to(tmp_path / "\ud800"),
            "backup_to too long": lambda: backups.backup_to(tmp_path / ("x" * 300)),
            "backup_now in year 1": year_one_backup_is_listed,
        },
        (StorageError,),
    )


def test_once_a_bug_audit_search_with_hostile_filters(ctx):
    filters = [
        {"limit": "many"},
        {"limit": None},
        {"offset": math.inf},
        {"entity_id": [1]},
        {"entity_id": "\ud800"},
        {"since": "yesterday"},
        {"action": 5},
    ]
    refused_clearly({repr(f): (lambda f=f: ctx.audit.search(**f)) for f in filters}, (InvalidRecord,))


def test_once_a_bug_sign_in_with_credentials_that_are_not_text(ctx):
    accounts = cheap_accounts(ctx)
    pairs = [(5, "password"), ("dr.synthetic", 5), (["x"], b"\xff"), ("\ud800", "password"), ("x", "\ud800")]
    refused_clearly({repr(p): (lambda p=p: accounts.sign_in(*p)) for p in pairs}, (SignInFailed, InvalidRecord))


def test_once_a_bug_not_found_message_of_a_huge_or_deep_id(ctx):
    refused_clearly(
        {
            "huge": lambda: ctx.records.get_patient("9" * 100_000),
            "deep": lambda: ctx.records.get_patient(Big("deep_list", 5000).make()),
        },
        (NotFound,),
    )


# ---- REGRESSIONS: one example per bug these tests found and this change fixed ------------------------------------
# Loops rather than parametrization: each case would otherwise open (and migrate) a database of its own.

_BOTOX = rich_procedure_data()["botulinum_toxin"]


def test_regression_botox_numbers_beyond_the_editor_ranges_are_refused(ctx):
    # Were saved; then the note crashed (OverflowError, ZeroDivisionError, LayoutError) and the
    # exported case file held null, so it could not be imported again.
    site = _BOTOX["sites"][0]
    for change in (
        {"vial_units": math.inf},
        {"vial_units": 1e308},
        {"diluent_ml": math.inf},
        {"diluent_ml": 1e-300},
        {"sites": [site | {"units": math.inf}]},
        {"sites": [site | {"units": 1e308}]},
    ):
        data = rich_procedure_data() | {"botulinum_toxin": _BOTOX | change}
        _, error = attempt(ctx, ctx.records.save_procedure, a_patient(ctx).id, data)
        assert error is not None and error.errors[0].path[0] == "botulinum_toxin", change
        assert re.search(r"must be at (most|least) [\d.]+ (U|mL)", str(error)), error


def test_regression_times_beyond_the_calendar_once_made_local_are_refused(ctx):
    patient_id = a_patient(ctx).id
    override = rich_procedure_data()["overrides"][0]
    for change in (
        {"performed_at": "0001-01-01T00:00+14:00"},
        {"performed_at": "9999-12-31T23:59:59-14:00"},
        {"overrides": [override | {"acknowledged_at": "9999-12-31T23:59:59-14:00"}]},
    ):
        _, error = attempt(ctx, ctx.records.save_procedure, patient_id, rich_procedure_data() | change)
        assert error is not None and "outside the calendar" in str(error), change  # was OverflowError
    last_dose = [{"agent": "apixaban", "last_dose_at": "0001-01-01T00:00+14:00"}]
    _, error = attempt(ctx, ctx.records.save_patient, rich_patient_data(next(FRESH), anticoagulants=last_dose))
    assert error is not None and error.errors[0].path[0] == "anticoagulants"


def test_regression_an_acknowledgement_with_an_offset_reads_back_as_saved(ctx):
    override = rich_procedure_data()["overrides"][0] | {"acknowledged_at": "2025-04-02T10:00:00+05:00"}
    saved = ctx.records.save_procedure(a_patient(ctx).id, rich_procedure_data() | {"overrides": [override]})
    # Was returned with its offset but read back as local time.
    assert ctx.records.get_procedure(saved.id)[1].overrides == saved.overrides


def test_regression_ids_that_cannot_be_stored(ctx):
    patient_id = a_patient(ctx).id
    for record_id in (10**30, 2**63, 0, -5):
        for save, data in (
            (ctx.records.save_patient, rich_patient_data(next(FRESH))),
            (lambda d: ctx.records.save_procedure(patient_id, d), rich_procedure_data()),
            (ctx.presets.save, preset_payload(next(FRESH))),
        ):
            _, error = attempt(ctx, save, data | {"id": record_id})  # was OverflowError for the large ones
            assert error is not None and error.errors[0].path == ("id",), error
    for record_id in (10**30, 2**63, [1], {"id": 1}, "1", 1.0, True):
        with pytest.raises(NotFound):  # was OverflowError or sqlalchemy's ProgrammingError
            ctx.records.get_patient(record_id)
        assert ctx.presets.get(record_id) is None
        assert ctx.presets.delete(record_id) is False


def test_regression_nul_in_text_is_refused_as_postgresql_would(ctx):
    for change in (
        {"family_name": "Test\x00person"},
        {"allergies": ["latex", "io\x00dine"]},
        {"anticoagulants": [{"agent": "apixaban\x00"}]},
    ):
        _, error = attempt(ctx, ctx.records.save_patient, rich_patient_data(next(FRESH)) | change)
        assert error is not None and error.errors[0].path[0] == next(iter(change)), change


def test_regression_refusals_are_in_facetdesks_words(ctx):
    for change, wording in (
        ({"family_name": "\ud800"}, "broken character"),
        ({"family_name": 5}, "must be text"),
        ({"id": math.inf}, "finite number"),
        ({"date_of_birth": "1970-06-15T10:00"}, "without a time of day"),
        ({"anticoagulants": "apixaban"}, "must be a list"),
        ({"anticoagulants": ["apixaban"]}, "group of fields"),
        ({"weight_kg": 10**5000}, "must be"),
        ({"": 1}, "''"),
        ({"sex": Big("deep_list", 5000)}, "nested more than 16 levels"),
        ({"anticoagulants": [{"agent": "x" * 100_000}]}, "not in the anticoagulant catalog"),
    ):
        # Were pydantic's wording, a RecursionError, or the whole 100 000-character value echoed back.
        _, error = attempt(ctx, ctx.records.save_patient, rich_patient_data(next(FRESH)) | materialize(change))
        assert error is not None and wording in str(error), (wording, error)
        assert len(str(error)) < 1000


def test_regression_search_and_preset_service_arguments(ctx):
    with pytest.raises(InvalidRecord):
        ctx.records.search_patients("x", None)  # was TypeError
    assert ctx.records.search_patients("Test\ud800") == []  # was UnicodeEncodeError
    for data in (None, "x", [], {"name": "\ud800", "technique": "intra_articular"}):
        _, error = attempt(ctx, ctx.presets.save, data)  # was AttributeError / UnicodeEncodeError
        assert error is not None


def test_regression_record_print(ctx):
    procedure_id = a_signed_procedure_id(ctx)
    for pages in (None, "2", 2.0, math.nan, math.inf, 0, -1, True, 10**30):
        _, error = attempt(ctx, ctx.notes.record_print, procedure_id, pages)
        assert error is not None and error.errors[0].path == ("pages",), pages  # was ValueError/TypeError/...
    _, error = attempt(ctx, ctx.notes.record_print, 10**6, 1)
    assert isinstance(error, NotFound)  # was an audit entry for the print of a note that does not exist


@pytest.mark.parametrize(
    "data",
    [None, "x", [1], {"physician": 10**5000}, {"targets": Big("deep_list", 5000)}, Big("deep_dict", 5000)],
    ids=["none", "text", "list", "huge-int-physician", "deep-targets", "deep-form"],
)
def test_regression_check_draft_reports_instead_of_crashing(data):
    result = check_draft(PATIENT, materialize(data), [], get_catalog())  # was AttributeError/ValueError/RecursionError
    assert not result.evaluated and result.problems


def test_regression_check_draft_leaves_out_what_it_does_not_know():
    form = rich_procedure_data() | {"colour": "blue", "indication": "x", "uid": ["not", "text"]}
    result = check_draft(PATIENT, form, [], get_catalog())  # was left unchecked
    assert result.evaluated
    assert {p.path[0] for p in result.problems} == {"colour", "indication", "uid"}


def _draft(**changes: Any) -> Draft:
    fields = dict(
        id=new_draft_id(),
        database_url="sqlite:///x",
        patient_id=1,
        procedure_id=None,
        procedure_uid=None,
        procedure_version=None,
        data={"notes": "x"},
    )
    return Draft(**(fields | changes))


def test_regression_draft_store_save(tmp_path):
    store = DraftStore(tmp_path)
    kept = store.save(_draft(data={"notes": "A\ud800B"}))  # was UnicodeEncodeError
    assert store.list()[0].data == {"notes": "A\ud800B"}
    kept.unlink()
    for data in ({"x": object()}, {"x": b"\xff"}, {"x": 10**5000}, {"x": Big("deep_list", 5000).make()}):
        with pytest.raises(InvalidRecord):  # were PydanticSerializationError, UnicodeDecodeError, ValueError
            store.save(_draft(data=data))
    for bad_id in ("../x", None, "0" * 32 + "\n"):
        with pytest.raises(InvalidRecord):  # were ValueError, TypeError, and a file name with a newline
            store.path_of(bad_id)
    assert list(tmp_path.iterdir()) == []


def test_regression_draft_store_list_survives_odd_files(tmp_path):
    store = DraftStore(tmp_path)
    good = _draft()
    store.save(good)
    odd = {
        "naive-time": {**good.to_json(), "id": new_draft_id(), "saved_at": "2025-01-01T00:00:00"},
        "inf-patient": json.loads(
            json.dumps({**good.to_json(), "id": new_draft_id()}).replace('"patient_id": 1', '"patient_id": Infinity')
        ),
        "huge-pid": {**good.to_json(), "id": new_draft_id(), "owner_pid": 10**30, "owner_host": good.owner_host},
        "group-pid": {**good.to_json(), "id": new_draft_id(), "owner_pid": 0, "owner_host": good.owner_host},
    }
    for raw in odd.values():
        (tmp_path / f"{raw['id']}.json").write_text(json.dumps(raw))
    (tmp_path / f"{new_draft_id()}.json").write_text("[" * 100_000)
    (tmp_path / f"{new_draft_id()}.json").write_text(json.dumps(good.to_json()))  # a copy under another name

    listed = store.list()  # was TypeError (naive vs aware), OverflowError, RecursionError

    assert {d.id for d in listed} == {good.id, odd["naive-time"]["id"], odd["huge-pid"]["id"], odd["group-pid"]["id"]}
    by_id = {d.id: d for d in listed}
    # pid 0 asked about the whole process group and a huge one overflowed: neither is a live editor.
    assert not by_id[odd["group-pid"]["id"]].owner_alive() and not by_id[odd["huge-pid"]["id"]].owner_alive()
    assert store.latest_for("sqlite:///x", ADMIN_PHYSICIAN) is not None
