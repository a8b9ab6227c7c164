"""Signing keys and the clinic CA: made, certified, opened with a password, re-wrapped, retired.

Rules: a physician's private keys are only ever stored encrypted under their password; the CA's
private key only under administrators' passwords (one share each). So nobody with the database
alone can sign, or certify a key of their own making: `verify` accepts only keys the CA certified.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from facetdesk.domain.audit import AuditAction
from facetdesk.domain.errors import FieldError, InvalidRecord
from facetdesk.domain.users import Role, User
from facetdesk.services.session import WorkSession
from facetdesk.storage import trust as store
from facetdesk.storage.settings import load_settings
from facetdesk.trust import ca as ca_mod
from facetdesk.trust import keys


def not_certified(fingerprint: str) -> InvalidRecord:
    """The physician's key waits for an administrator to certify it: nothing can be signed yet."""
    return InvalidRecord(
        [
            FieldError(
                ("signing_key",),
                f"({keys.short_fingerprint(fingerprint)}) has not been certified by the clinic yet: an administrator "
                "certifies it under Administration → Users… (Certify signing key). Nothing was signed.",
            )
        ]
    )


def wrong_password() -> InvalidRecord:
    return InvalidRecord([FieldError(("password",), "is not your password; nothing was signed")])


class KeyKeeper:
    """Key operations inside a caller's transaction; the caller audits the use case around them."""

    def __init__(self, work: WorkSession):
        self._work = work

    # ---- the clinic CA -----------------------------------------------------
    def open_ca(self, session: Session, user: User, password: str, *, create: bool) -> ca_mod.ClinicCa | None:
        """The clinic CA opened with this administrator's share; made now if the clinic has none and ``create``."""
        assert user.id is not None
        found = store.ca_share(session, user.id)
        if found is not None:
            stored, wrapped = found
            try:
                secret = keys.unwrap(wrapped, password)
            except keys.WrongPassword:
                return None
            return ca_mod.ClinicCa(ca_mod.ca_key_from_bytes(secret), ca_mod.load_der(stored.certificate))
        if not create or store.clinic_cas(session):
            return None
        clinic = load_settings(session)
        made = ca_mod.create_ca(clinic.clinic_name.strip() or "Clinic")
        stored = store.add_ca(session, ca_mod.der(made.certificate), ca_mod.certificate_fingerprint(made.certificate))
        store.put_ca_share(session, stored.id, user.id, keys.wrap(ca_mod.ca_key_bytes(made.key), password))
        self._work.log(
            session, AuditAction.CA_CREATE, "clinic_ca", stored.id, detail={"fingerprint": stored.fingerprint}
        )
        return made

    def share_ca(self, session: Session, user: User, password: str) -> None:
        """Give an administrator a share of the CA open in this session (their password seals it)."""
        held = self._work.clinic_ca
        if held is None or user.id is None:
            return
        for stored in store.clinic_cas(session):
            if stored.certificate == ca_mod.der(held.certificate):
                store.put_ca_share(session, stored.id, user.id, keys.wrap(ca_mod.ca_key_bytes(held.key), password))

    # ---- physicians' keys --------------------------------------------------
    def new_key(
        self, session: Session, user: User, password: str, ca: ca_mod.ClinicCa | None = None
    ) -> store.StoredKey:
        """A fresh key pair for ``user`` sealed with ``password``; certified now if a CA is open (given or held)."""
        assert user.id is not None
        private = keys.PrivateKeys.generate()
        public = private.content_public()
        held = ca or self._work.clinic_ca
        certificates = self._certificates(held, user, private) if held is not None else None
        stored = store.add_key(
            session,
            user.id,
            public,
            keys.pdf_public_der(private.pdf.public_key()),
            keys.fingerprint(public),
            keys.wrap(private.to_bytes(), password),
            certificates,
        )
        self._work.log(
            session,
            AuditAction.KEY_CREATE,
            "user",
            user.id,
            detail={"fingerprint": stored.fingerprint, "certified": stored.certified},
        )
        return stored

    def certify(self, session: Session, key: store.StoredKey, user: User) -> store.StoredKey:
        """Certify a waiting key with the CA open in this session (an administrator's)."""
        held = self._work.clinic_ca
        if held is None:
            raise InvalidRecord(
                [FieldError(("signing_key",), "only an administrator holding the clinic CA can certify keys")]
            )
        public = _public_pair(key)
        certificates = (
            ca_mod.der(ca_mod.issue(held, user.display_name, user.username, public[0])),
            ca_mod.der(ca_mod.issue(held, user.display_name, user.username, public[1])),
        )
        store.certify_key(session, key.id, certificates)
        self._work.log(session, AuditAction.KEY_CERTIFY, "user", user.id, detail={"fingerprint": key.fingerprint})
        found = store.key_by_id(session, key.id)
        assert found is not None
        return found

    def open_key(self, session: Session, user_id: int, password: str) -> tuple[store.StoredKey, keys.PrivateKeys]:
        """The user's active key and its private keys; InvalidRecord (password) when the password is wrong."""
        key = store.active_key(session, user_id)
        if key is None:
            raise LookupError("no active key")
        try:
            private = keys.PrivateKeys.from_bytes(keys.unwrap(key.wrapped, password))
        except keys.WrongPassword:
            raise wrong_password() from None
        if (
            private.content_public() != key.public_key
            or keys.pdf_public_der(private.pdf.public_key()) != key.pdf_public_key
        ):
            # The stored public key is not the one sealed with the password: someone replaced it.
            raise InvalidRecord([FieldError(("signing_key",), "does not match its stored public key; see verify")])
        return key, private

    def rewrap(self, session: Session, user_id: int, old_password: str, new_password: str) -> None:
        """Seal the user's key and CA share with a new password (their own password change)."""
        key = store.active_key(session, user_id)
        if key is not None:
            try:
                secret = keys.unwrap(key.wrapped, old_password)
            except keys.WrongPassword:
                secret = None  # sealed with a password no longer known: the next sign-in makes a new key
            if secret is not None:
                store.rewrap_key(session, key.id, keys.wrap(secret, new_password))
        found = store.ca_share(session, user_id)
        if found is not None:
            try:
                ca_secret = keys.unwrap(found[1], old_password)
            except keys.WrongPassword:
                return
            store.put_ca_share(session, found[0].id, user_id, keys.wrap(ca_secret, new_password))

    def reset(self, session: Session, user: User, password: str) -> None:
        """An administrator set a new password: a new key pair (old public keys kept), CA share renewed or dropped."""
        assert user.id is not None
        store.drop_ca_shares(session, user.id)
        if user.is_admin:
            self.share_ca(session, user, password)
        if user.role is Role.PHYSICIAN:
            self.new_key(session, user, password)

    def enrol(self, session: Session, user: User, password: str) -> None:
        """A new account: a key for a physician, a CA share for an administrator (when this session holds the CA)."""
        if user.is_admin:
            self.share_ca(session, user, password)
        if user.role is Role.PHYSICIAN:
            self.new_key(session, user, password)

    @staticmethod
    def _certificates(held: ca_mod.ClinicCa, user: User, private: keys.PrivateKeys) -> tuple[bytes, bytes]:
        return (
            ca_mod.der(ca_mod.issue(held, user.display_name, user.username, private.content.public_key())),
            ca_mod.der(ca_mod.issue(held, user.display_name, user.username, private.pdf.public_key())),
        )


def _public_pair(key: store.StoredKey):
    """The public keys a waiting key's certificates certify: (Ed25519 content key, P-256 PDF key)."""
    return keys.content_public_key(key.public_key), keys.load_pdf_public(key.pdf_public_key)
