"""Local accounts: Argon2id hashes, signing in, roles (nurses record pain scores only, physicians sign)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from facetdesk.domain.audit import AuditAction
from facetdesk.domain.errors import InvalidRecord
from facetdesk.domain.users import NotPermitted
from facetdesk.services.accounts import SignInFailed
from tests import signers
from tests.actors import ADMIN_PHYSICIAN, NURSE

PASSWORD = "correct horse battery"


@pytest.fixture
def accounts(ctx):
    ctx.work.sign_out()
    first = ctx.accounts.create_first_account({"username": "Dr.Admin", "display_name": "Dr. Synthetic Admin"}, PASSWORD)
    ctx.accounts.sign_in("dr.admin", PASSWORD)
    nurse = ctx.accounts.create_user(
        {"username": "rn.one", "display_name": "RN Synthetic One", "role": "nurse"}, "nurse password 1"
    )
    return first, nurse


def test_first_account_is_an_administrating_physician_and_only_once(ctx, accounts):
    first, _ = accounts
    assert (first.username, first.role.value, first.is_admin) == ("dr.admin", "physician", True)
    with pytest.raises(InvalidRecord, match="accounts exist already"):
        ctx.accounts.create_first_account({"username": "other", "display_name": "Dr. Other"}, PASSWORD)


def test_passwords_are_stored_as_argon2id_hashes_only(ctx, accounts):
    with ctx.database.engine.connect() as conn:
        hashes = [r.password_hash for r in conn.execute(sa.text("select password_hash from users"))]
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert not any(PASSWORD in h or "nurse password" in h for h in hashes)


def test_sign_in_checks_the_password_and_records_failures(ctx, accounts):
    ctx.accounts.sign_out()
    with pytest.raises(SignInFailed):
        ctx.accounts.sign_in("rn.one", "wrong password")
    with pytest.raises(SignInFailed):
        ctx.accounts.sign_in("nobody", "whatever123")
    assert ctx.work.actor is None
    actor = ctx.accounts.sign_in("  RN.One ", "nurse password 1")
    assert (actor.username, actor.role.value, ctx.work.actor) == ("rn.one", "nurse", actor)
    ctx.work.sign_in(ADMIN_PHYSICIAN)
    failed = ctx.audit.search(action=AuditAction.SIGN_IN_FAILED)
    assert [e.username for e in failed] == ["nobody", "rn.one"]
    assert ctx.audit.search(action=AuditAction.SIGN_IN, username="rn.one")


def test_inactive_accounts_cannot_sign_in_and_the_last_admin_stays(ctx, accounts):
    first, nurse = accounts
    ctx.accounts.update_user(nurse.model_copy(update={"active": False}), based_on=nurse)
    with pytest.raises(SignInFailed):
        ctx.accounts.sign_in("rn.one", "nurse password 1")
    ctx.accounts.sign_in("dr.admin", PASSWORD)
    with pytest.raises(InvalidRecord, match="last active administrator"):
        ctx.accounts.update_user(first.model_copy(update={"is_admin": False}), based_on=first)


def test_weak_passwords_and_taken_names_are_refused_by_field(ctx, accounts):
    with pytest.raises(InvalidRecord) as info:
        ctx.accounts.create_user({"username": "rn.two", "display_name": "RN Two", "role": "nurse"}, "short")
    assert info.value.errors[0].path == ("password",) and "at least 8 characters" in str(info.value)
    # A lone surrogate (pasted from a broken source) cannot be hashed as UTF-8: refused by name, not a crash.
    with pytest.raises(InvalidRecord) as info:
        ctx.accounts.create_user({"username": "rn.two", "display_name": "RN Two", "role": "nurse"}, "secret\ud800ab")
    assert info.value.errors[0].path == ("password",) and "invalid character" in str(info.value)
    with pytest.raises(InvalidRecord) as info:
        ctx.accounts.create_user({"username": "RN.ONE", "display_name": "RN Again", "role": "nurse"}, PASSWORD)
    assert info.value.errors[0].path == ("username",) and "taken" in str(info.value)
    with pytest.raises(InvalidRecord) as info:
        ctx.accounts.create_user({"username": "bad name!", "display_name": "X", "role": "nurse"}, PASSWORD)
    assert info.value.errors[0].path == ("username",)


def test_unlock_needs_the_signed_in_users_password(ctx, accounts):
    ctx.accounts.sign_in("rn.one", "nurse password 1")
    with pytest.raises(SignInFailed):
        ctx.accounts.unlock(PASSWORD)  # another user's password does not unlock
    assert ctx.accounts.unlock("nurse password 1").username == "rn.one"


def test_a_nurse_records_pain_scores_and_nothing_else(ctx, make_patient_data, make_procedure_data):
    patient = ctx.records.save_patient(make_patient_data())
    procedure = ctx.records.save_procedure(patient.id, make_procedure_data())
    ctx.work.sign_in(NURSE)

    scores = [{"minutes_after": 30, "nrs": 2}, {"minutes_after": 240, "nrs": 5, "activity": "walking"}]
    saved = ctx.records.save_procedure(patient.id, procedure.model_dump() | {"pain_scores": scores})
    assert [p.nrs for p in saved.pain_scores] == [2, 5]

    with pytest.raises(InvalidRecord) as info:
        ctx.records.save_procedure(patient.id, saved.model_dump() | {"guidance": "ct"})
    assert info.value.errors[0].path == ("guidance",) and "nurse" in str(info.value)
    with pytest.raises(NotPermitted, match="may not change a procedure"):
        ctx.records.save_procedure(patient.id, make_procedure_data())
    with pytest.raises(NotPermitted, match="may not change patient details"):
        ctx.records.save_patient(make_patient_data(2))
    with pytest.raises(NotPermitted, match="may not sign procedures"):
        signers.sign(ctx, saved.id, saved.version)
    stored = ctx.records.get_procedure(saved.id)[1]
    assert stored.guidance.value == "fluoroscopy" and not stored.is_signed
    ctx.work.sign_in(ADMIN_PHYSICIAN)
    (entry,) = ctx.audit.search(username=NURSE.username)
    assert entry.action is AuditAction.UPDATE and all(f.startswith("pain_scores") for f in entry.fields)


def test_nobody_signed_in_can_do_nothing(ctx, make_patient_data):
    ctx.work.sign_out()
    with pytest.raises(NotPermitted, match="Sign in to view records"):
        ctx.records.search_patients("")
    with pytest.raises(NotPermitted, match="Sign in"):
        ctx.records.save_patient(make_patient_data())


def test_the_command_line_never_signs(ctx, make_patient_data, make_procedure_data):
    from tests.actors import COMMAND_LINE

    patient = ctx.records.save_patient(make_patient_data())
    procedure = ctx.records.save_procedure(patient.id, make_procedure_data())
    ctx.work.sign_in(COMMAND_LINE)
    with pytest.raises(NotPermitted, match="may not sign"):
        signers.sign(ctx, procedure.id, procedure.version)


def test_an_account_deactivated_on_another_workstation_is_not_reactivated_by_a_stale_form(ctx, accounts):
    from facetdesk.services.context import build_context
    from facetdesk.storage.errors import StaleRecord

    _, nurse = accounts
    other = build_context(ctx.database.url, actor=ADMIN_PHYSICIAN)
    try:
        mine = next(u for u in ctx.accounts.list_users() if u.id == nurse.id)  # both open the users dialog
        theirs = next(u for u in other.accounts.list_users() if u.id == nurse.id)
        other.accounts.update_user(theirs.model_copy(update={"active": False}), based_on=theirs)
        with pytest.raises(StaleRecord) as info:
            ctx.accounts.update_user(mine.model_copy(update={"display_name": "RN Synthetic Renamed"}), based_on=mine)
    finally:
        other.close()
    assert "account" in str(info.value) and "(active)" in str(info.value) and "Nothing was saved" in str(info.value)
    stored = next(u for u in ctx.accounts.list_users() if u.id == nurse.id)
    assert (stored.active, stored.display_name) == (False, "RN Synthetic One")
    with pytest.raises(InvalidRecord) as bad:
        ctx.accounts.update_user(stored, based_on={"active": True})  # type: ignore[arg-type]
    assert bad.value.errors[0].path == ("based_on",)


def test_an_account_changed_without_a_form_changes_only_what_it_names(ctx, accounts):
    from facetdesk.services.context import build_context

    _, nurse = accounts
    other = build_context(ctx.database.url, actor=ADMIN_PHYSICIAN)
    try:
        read_earlier = next(u for u in ctx.accounts.list_users() if u.id == nurse.id)
        other.accounts.update_user({"id": nurse.id, "active": False})  # another workstation, meanwhile
        # A whole account read earlier would reactivate it: refused, naming what it needs.
        with pytest.raises(InvalidRecord) as info:
            ctx.accounts.update_user(read_earlier.model_copy(update={"display_name": "RN Synthetic Renamed"}))
        assert [e.path for e in info.value.errors] == [("based_on",)]
        renamed = ctx.accounts.update_user({"id": nurse.id, "display_name": "RN Synthetic Renamed"})
    finally:
        other.close()
    assert (renamed.active, renamed.display_name, renamed.role) == (False, "RN Synthetic Renamed", nurse.role)
    with pytest.raises(InvalidRecord) as info:
        ctx.accounts.update_user({"display_name": "No id"})
    assert [e.path for e in info.value.errors] == [("id",)]
