"""User account repository: accounts as domain Users; password hashes stay here and in the account service."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from facetdesk.domain.base import STORED
from facetdesk.domain.users import User
from facetdesk.storage.errors import DuplicateUsername
from facetdesk.storage.tables import UserRow, utcnow


def _user(row: UserRow) -> User:
    return User.model_validate(
        {
            "id": row.id,
            "username": row.username,
            "display_name": row.display_name,
            "role": row.role,
            "is_admin": row.is_admin,
            "active": row.active,
        },
        context=STORED,
    )


def count_users(session: Session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(UserRow)) or 0


def list_users(session: Session) -> list[User]:
    return [_user(r) for r in session.scalars(sa.select(UserRow).order_by(UserRow.username))]


def user_with_hash(session: Session, username: str) -> tuple[User, str] | None:
    """The account and its password hash, for signing in."""
    row = session.scalar(sa.select(UserRow).where(UserRow.username == username.strip().lower()))
    return None if row is None else (_user(row), row.password_hash)


def get_user(session: Session, user_id: int, *, lock: bool = False) -> User | None:
    """The account, or None; ``lock``: its row stays locked until the transaction ends (on a server)."""
    row = session.get(UserRow, user_id, with_for_update=lock or None)
    return None if row is None else _user(row)


def add_user(session: Session, user: User, password_hash: str) -> User:
    row = UserRow(
        username=user.username,
        display_name=user.display_name,
        role=user.role.value,
        is_admin=user.is_admin,
        active=user.active,
        password_hash=password_hash,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except sa_exc.IntegrityError:
        raise DuplicateUsername(user.username) from None
    return _user(row)


def update_user(session: Session, user: User, password_hash: str | None = None) -> User:
    """Store name, role, administrator flag and active flag (and a new password hash if given)."""
    assert user.id is not None
    row = session.get(UserRow, user.id, with_for_update=True)
    if row is None:
        raise LookupError(f"user {user.id} does not exist")
    row.display_name = user.display_name
    row.role = user.role.value
    row.is_admin = user.is_admin
    row.active = user.active
    if password_hash is not None:
        row.password_hash = password_hash
    row.updated_at = utcnow()
    session.flush()
    return _user(row)


def set_password_hash(session: Session, username: str, password_hash: str) -> None:
    row = session.scalar(sa.select(UserRow).where(UserRow.username == username))
    if row is not None:
        row.password_hash = password_hash
        row.updated_at = utcnow()
        session.flush()
