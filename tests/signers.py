"""Physicians who can really sign in tests: accounts with keys certified by the test database's clinic CA."""

from __future__ import annotations

from facetdesk.domain.procedure import Procedure
from facetdesk.domain.users import Actor, Permission, Role, User
from facetdesk.services.context import AppContext
from facetdesk.services.keys import KeyKeeper
from facetdesk.storage import trust as key_store
from facetdesk.storage import users as user_store
from tests.actors import ADMIN_PHYSICIAN, PASSWORD

# Synthetic: every enrolled test account shares it, so the first account's CA share opens for the others.


def enrol(ctx: AppContext, actor: Actor = ADMIN_PHYSICIAN, password: str = PASSWORD) -> User:
    """Make ``actor`` a stored account with a certified signing key (the first one also makes the clinic CA)."""
    with ctx.database.read() as session:
        found = user_store.user_with_hash(session, actor.username)
    if found is not None:
        return found[0]
    if not ctx.accounts.has_accounts():
        return ctx.accounts.create_first_account(
            {"username": actor.username, "display_name": actor.display_name}, password
        )
    keeper = KeyKeeper(ctx.work)
    with ctx.database.transaction() as session:
        admin = next(u for u in user_store.list_users(session) if u.is_admin)
        ca = keeper.open_ca(session, admin, PASSWORD, create=False)
        assert ca is not None, "the first test account was not enrolled with tests.actors.PASSWORD"
        digest = ctx.accounts._hasher.hash(password)
        user = user_store.add_user(
            session,
            User(username=actor.username, display_name=actor.display_name, role=actor.role, is_admin=actor.is_admin),
            digest,
        )
        if actor.role is Role.PHYSICIAN:
            keeper.new_key(session, user, password, ca)
        assert actor.role is not Role.PHYSICIAN or key_store.active_key(session, user.id).certified
    return user


# What a test physician answers for every open warning or critical finding when signing.
REASON = "Synthetic reason: discussed with the patient; benefit outweighs the risk."


def acknowledge_all(ctx: AppContext, procedure_id: int) -> dict[str, str]:
    """A reason for every finding signing would ask about (tests that are not about the signing gate)."""
    try:
        return {f.rule: REASON for f in ctx.signing.open_findings(procedure_id)}
    except Exception:  # noqa: BLE001 - a hostile id: let sign_procedure give its own refusal
        return {}


def sign(ctx: AppContext, procedure_id: int, version: int | None = None, password: str = PASSWORD) -> Procedure:
    """Sign as the context's actor (enrolled first), at ``version`` or the stored one, acknowledging open findings."""
    _enrol_signer(ctx)
    if version is None:
        version = ctx.records.get_procedure(procedure_id)[1].version
    return ctx.signing.sign_procedure(procedure_id, version, password, acknowledge_all(ctx, procedure_id))


def add_addendum(ctx: AppContext, procedure_id: int, text: str, password: str = PASSWORD) -> Procedure:
    _enrol_signer(ctx)
    return ctx.signing.add_addendum(procedure_id, text, password)


def _enrol_signer(ctx: AppContext) -> None:
    # Only someone allowed to sign gets an account here; the service itself refuses everyone else.
    actor = ctx.work.actor
    if actor is not None and actor.may(Permission.SIGN):
        enrol(ctx, actor)
