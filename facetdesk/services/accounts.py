"""Local accounts: the first administrator, signing in and out, unlocking, and managing users (Argon2id)."""

from __future__ import annotations

from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from facetdesk.domain.audit import AuditAction, changed_fields
from facetdesk.domain.base import is_row_id
from facetdesk.domain.errors import FieldError, InvalidRecord
from facetdesk.domain.passwords import check_password_rules
from facetdesk.domain.text import storable_text
from facetdesk.domain.users import Actor, Permission, Role, User
from facetdesk.services.keys import KeyKeeper
from facetdesk.services.session import WorkSession
from facetdesk.services.validation import WHOLE_WITHOUT_BASIS, validated, with_changes
from facetdesk.storage import trust as key_store
from facetdesk.storage import users as store
from facetdesk.storage.db import Database
from facetdesk.storage.errors import DuplicateUsername, StaleRecord
from facetdesk.trust import ca as ca_mod
from facetdesk.trust.keys import short_fingerprint


class SignInFailed(Exception):
    """Wrong user name or password, or an inactive account; the message never says which."""

    def __init__(self) -> None:
        super().__init__("The user name or password is not right, or the account is switched off.")


def parse_user(data: dict[str, Any] | User) -> User:
    return validated(User, data)


def _check_password(password: object) -> str:
    if not isinstance(password, str):
        raise InvalidRecord([FieldError(("password",), "enter a password")])
    problem = check_password_rules(password)
    if problem:
        raise InvalidRecord([FieldError(("password",), problem)])
    return password


class AccountService:
    def __init__(self, database: Database, work: WorkSession, hasher: PasswordHasher | None = None):
        self._db = database
        self._work = work
        # argon2-cffi's defaults are the RFC 9106 low-memory profile of Argon2id (64 MiB, t=3).
        self._hasher = hasher or PasswordHasher()
        self._dummy: str | None = None
        self._keys = KeyKeeper(work)

    def _dummy_hash(self) -> str:
        # Verified against when the user name is unknown, so a wrong name takes as long as a wrong password.
        # Made on first use: hashing costs tens of milliseconds the start-up should not pay.
        if self._dummy is None:
            self._dummy = self._hasher.hash("not a password of anyone")
        return self._dummy

    # ---- first start ------------------------------------------------------
    def has_accounts(self) -> bool:
        with self._db.read() as session:
            return store.count_users(session) > 0

    def create_first_account(self, data: dict[str, Any] | User, password: str) -> User:
        """The clinic's first account: a physician and administrator. Refused once any account exists."""
        user = parse_user({**_as_dict(data), "role": Role.PHYSICIAN, "is_admin": True, "active": True})
        password = _check_password(password)
        digest = self._hasher.hash(password)
        with self._db.transaction() as session:
            if store.count_users(session) > 0:
                raise InvalidRecord(
                    [FieldError(("username",), "accounts exist already; ask an administrator to add yours")]
                )
            saved = self._add(session, user, digest)
            self._work.log(
                session,
                AuditAction.USER_CREATE,
                "user",
                saved.id,
                username=saved.username,
                detail={"role": saved.role.value, "is_admin": True, "first_account": True},
            )
            # The clinic's CA is made with the first account (sealed by its password) and certifies its key.
            ca = self._keys.open_ca(session, saved, password, create=True)
            self._keys.new_key(session, saved, password, ca)
            return saved

    # ---- signing in -------------------------------------------------------
    def sign_in(self, username: str, password: str) -> Actor:
        """Check the password and make the account the session's actor; SignInFailed otherwise."""
        if not _is_text(username) or not _is_text(password):
            self._record_failure("(not text)")
            raise SignInFailed()
        name = username.strip().lower()[:64]
        user = self._verify(name, password)
        actor = Actor.for_user(user, self._work.workstation)
        self._work.sign_in(actor)
        with self._db.transaction() as session:
            self._work.log(session, AuditAction.SIGN_IN, "user", user.id)
            self._open_keys(session, user, password)
        return actor

    def _open_keys(self, session, user: User, password: str) -> None:
        """At sign-in: an administrator's session opens the clinic CA (made now if the clinic has none yet);
        an account from before signing keys gets its key pair, certified if its own session holds the CA."""
        if user.is_admin and self._work.clinic_ca is None:
            self._work.clinic_ca = self._keys.open_ca(session, user, password, create=True)
        if user.role is Role.PHYSICIAN and user.id is not None and key_store.active_key(session, user.id) is None:
            self._keys.new_key(session, user, password)

    def unlock(self, password: str) -> Actor:
        """Re-check the signed-in user's password after the idle lock; SignInFailed otherwise."""
        actor = self._work.actor
        if actor is None or actor.role is Role.COMMAND_LINE or not _is_text(password):
            raise SignInFailed()
        user = self._verify(actor.username, password)
        if user.is_admin and self._work.clinic_ca is None:
            with self._db.transaction() as session:
                self._open_keys(session, user, password)
        return actor

    def lock(self) -> None:
        """Record that the workstation locked itself (idle) or was locked by its user."""
        if self._work.actor is not None:
            with self._db.transaction() as session:
                self._work.log(session, AuditAction.LOCK, "workstation", self._work.workstation)

    def sign_out(self) -> None:
        if self._work.actor is not None:
            with self._db.transaction() as session:
                self._work.log(session, AuditAction.SIGN_OUT, "user", self._work.actor.username)
        self._work.sign_out()

    def _verify(self, username: str, password: str) -> User:
        with self._db.read() as session:
            found = store.user_with_hash(session, username) if username else None
        digest = found[1] if found else self._dummy_hash()
        try:
            self._hasher.verify(digest, password or "")
            ok = found is not None and found[0].active
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        if not ok:
            self._record_failure(username or "(blank)")
            raise SignInFailed()
        assert found is not None
        user = found[0]
        if self._hasher.check_needs_rehash(digest):
            # Parameters were raised since this hash was made: store it again with today's.
            with self._db.transaction() as session:
                store.set_password_hash(session, user.username, self._hasher.hash(password))
        return user

    def _record_failure(self, username: str) -> None:
        with self._db.transaction() as session:
            self._work.log(session, AuditAction.SIGN_IN_FAILED, "user", None, username=username)

    # ---- administration ---------------------------------------------------
    def list_users(self) -> list[User]:
        self._work.require(Permission.MANAGE_USERS)
        with self._db.read() as session:
            return store.list_users(session)

    def create_user(self, data: dict[str, Any] | User, password: str) -> User:
        self._work.require(Permission.MANAGE_USERS)
        user = parse_user({**_as_dict(data), "id": None})
        digest = self._hasher.hash(_check_password(password))
        with self._db.transaction() as session:
            saved = self._add(session, user, digest)
            self._work.log(
                session,
                AuditAction.USER_CREATE,
                "user",
                saved.id,
                detail={"role": saved.role.value, "is_admin": saved.is_admin},
            )
            self._keys.enrol(session, saved, password)
            return saved

    def update_user(
        self, data: dict[str, Any] | User, new_password: str | None = None, based_on: User | None = None
    ) -> User:
        """Change name, role, administrator and active flags (and the password, if given).

        ``based_on``: the account as the editor loaded it. When another administrator changed it since, the save
        is refused (StaleRecord naming what changed): the form holds every flag, so saving it would silently undo
        theirs (an account deactivated meanwhile would be active again). Without it, ``data`` is a dict naming the
        account's id and only the fields to change, applied to the account as stored under its row's lock; a whole
        account without ``based_on`` is refused."""
        self._work.require(Permission.MANAGE_USERS)
        if based_on is not None and not isinstance(based_on, User):
            raise InvalidRecord([FieldError(("based_on",), "must be the account as it was loaded")])
        if based_on is None and isinstance(data, User):
            raise InvalidRecord([FieldError(("based_on",), WHOLE_WITHOUT_BASIS)])
        user = parse_user(data) if based_on is not None else None
        user_id = user.id if user is not None else _changes_id(data)
        if user_id is None:
            raise InvalidRecord([FieldError(("id",), "choose a stored account to change")])
        digest = None if new_password is None else self._hasher.hash(_check_password(new_password))
        with self._db.transaction() as session:
            before = store.get_user(session, user_id, lock=True)
            if before is None:
                raise InvalidRecord([FieldError(("id",), "this account no longer exists")])
            if user is None:
                user = validated(User, with_changes(before, data))
            if before.username != user.username:
                raise InvalidRecord([FieldError(("username",), "a user name cannot be changed; add a new account")])
            if based_on is not None and before != based_on:
                changed = changed_fields(based_on.model_dump(mode="json"), before.model_dump(mode="json"))
                raise StaleRecord("account", [name.replace("_", " ") for name in changed])
            self._keep_an_administrator(session, before, user)
            saved = store.update_user(session, user, digest)
            fields = changed_fields(before.model_dump(mode="json"), saved.model_dump(mode="json"))
            self._work.log(
                session, AuditAction.USER_UPDATE, "user", saved.id, fields=[*fields, *(["password"] if digest else [])]
            )
            if new_password is not None:
                # A password set by an administrator: the old key stays for old signatures, a new one signs.
                self._keys.reset(session, saved, new_password)
            return saved

    def change_own_password(self, old_password: str, new_password: str) -> None:
        actor = self._work.actor
        if actor is None or actor.role is Role.COMMAND_LINE or not _is_text(old_password):
            raise SignInFailed()
        user = self._verify(actor.username, old_password)
        digest = self._hasher.hash(_check_password(new_password))
        with self._db.transaction() as session:
            store.set_password_hash(session, user.username, digest)
            self._work.log(session, AuditAction.USER_UPDATE, "user", user.id, fields=["password"])
            assert user.id is not None
            self._keys.rewrap(session, user.id, old_password, new_password)

    # ---- signing keys and the clinic CA ------------------------------------------
    def signing_keys(self) -> dict[int, KeyView]:
        """Each account's active signing key (by user id), for the Users dialog."""
        self._work.require(Permission.MANAGE_USERS)
        with self._db.read() as session:
            return {u.id: KeyView(key_store.active_key(session, u.id)) for u in store.list_users(session) if u.id}

    def key_history(self, user_id: int) -> list[key_store.StoredKey]:
        """Every key the account ever had, oldest first (retired ones still verify old signatures)."""
        self._work.require(Permission.MANAGE_USERS)
        _check_user_id(user_id)
        with self._db.read() as session:
            return key_store.keys_of(session, user_id)

    def holds_clinic_ca(self) -> bool:
        return self._work.clinic_ca is not None

    def certify_key(self, user_id: int) -> KeyView:
        """Certify the account's waiting key with the clinic CA this administrator's session holds."""
        self._work.require(Permission.MANAGE_USERS)
        _check_user_id(user_id)
        with self._db.transaction() as session:
            user = store.get_user(session, user_id)
            key = key_store.active_key(session, user_id) if user else None
            if user is None or key is None:
                raise InvalidRecord([FieldError(("signing_key",), "this account has no key to certify yet")])
            if key.certified:
                return KeyView(key)
            return KeyView(self._keys.certify(session, key, user))

    def clinic_ca_pem(self) -> bytes:
        """The clinic CA's certificate(s), PEM: what a clinic imports into its PDF readers to trust signed notes."""
        self._work.require(Permission.VIEW)
        with self._db.read() as session:
            cas = key_store.clinic_cas(session)
        return b"".join(ca_mod.pem(ca_mod.load_der(c.certificate)) for c in cas)

    def trust_ca(self, pem: bytes) -> str:
        """Trust another clinic's CA certificate (PEM) for signatures imported from its case files; its fingerprint."""
        self._work.require(Permission.MANAGE_USERS)
        try:
            certificate = ca_mod.load_pem(pem) if isinstance(pem, bytes) else None
        except ValueError:
            certificate = None
        if certificate is None or not _is_ca(certificate):
            raise InvalidRecord(
                [FieldError(("certificate",), "must be a CA certificate in PEM form (BEGIN CERTIFICATE)")]
            )
        fingerprint = ca_mod.certificate_fingerprint(certificate)
        with self._db.transaction() as session:
            if all(c.fingerprint != fingerprint for c in key_store.clinic_cas(session)):
                stored = key_store.add_ca(session, ca_mod.der(certificate), fingerprint)
                self._work.log(
                    session, AuditAction.CA_TRUST, "clinic_ca", stored.id, detail={"fingerprint": fingerprint}
                )
        return fingerprint

    def _keep_an_administrator(self, session, before: User, after: User) -> None:
        losing = before.is_admin and before.active and not (after.is_admin and after.active)
        if losing and not any(u.is_admin and u.active and u.id != before.id for u in store.list_users(session)):
            raise InvalidRecord(
                [FieldError(("is_admin",), "this is the last active administrator; make another one first")]
            )

    def _add(self, session, user: User, digest: str) -> User:
        try:
            return store.add_user(session, user, digest)
        except DuplicateUsername as exc:
            raise InvalidRecord([FieldError(("username",), str(exc))]) from None


class KeyView:
    """A user's signing key as the Users dialog shows it."""

    def __init__(self, key: key_store.StoredKey | None):
        self.key = key

    @property
    def fingerprint(self) -> str:
        return short_fingerprint(self.key.fingerprint) if self.key else ""

    @property
    def status(self) -> str:
        if self.key is None:
            return "no key yet (made at next sign-in)"
        return "certified" if self.key.certified else "waiting for certification"


def _is_ca(certificate) -> bool:
    from cryptography import x509

    try:
        return bool(certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _changes_id(data: dict[str, Any] | User) -> int:
    """The id of the account a dict of changes names (anything but a dict is refused by name)."""
    user_id = _as_dict(data).get("id")
    if user_id is None:
        raise InvalidRecord([FieldError(("id",), "choose a stored account to change")])
    _check_user_id(user_id)
    assert isinstance(user_id, int)
    return user_id


def _check_user_id(user_id: object) -> None:
    if not is_row_id(user_id):
        raise InvalidRecord([FieldError(("id",), "choose a stored account")])


def _as_dict(data: dict[str, Any] | User) -> dict[str, Any]:
    if isinstance(data, User):
        return data.model_dump()
    if not isinstance(data, dict):
        raise InvalidRecord([FieldError(("user",), "expected the account's fields (user name, name, role)")])
    return dict(data)


def _is_text(value: object) -> bool:
    return isinstance(value, str) and storable_text(value)
