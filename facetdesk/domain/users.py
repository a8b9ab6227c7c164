"""User accounts, roles and what each role may do; the actor recorded with every change."""

from __future__ import annotations

import re
from enum import Enum

from pydantic import Field, field_validator

from facetdesk.domain.base import Model, Name
from facetdesk.domain.enums import LabelledEnum

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")


class Role(LabelledEnum):
    PHYSICIAN = "physician", "Physician"
    NURSE = "nurse", "Nurse"
    # Not a login role: the command line, acting for the operating-system account that ran it.
    COMMAND_LINE = "command_line", "Command line"


class Permission(str, Enum):
    VIEW = "view"
    EDIT_PATIENT = "edit_patient"
    EDIT_PROCEDURE = "edit_procedure"
    RECORD_PAIN_SCORES = "record_pain_scores"
    SIGN = "sign"
    ADD_ADDENDUM = "add_addendum"
    IMPORT = "import"
    EXPORT = "export"
    EDIT_PRESETS = "edit_presets"
    EDIT_SETTINGS = "edit_settings"
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT = "view_audit"


_CLINICAL = {
    Permission.VIEW,
    Permission.EDIT_PATIENT,
    Permission.EDIT_PROCEDURE,
    Permission.RECORD_PAIN_SCORES,
    Permission.IMPORT,
    Permission.EXPORT,
    Permission.EDIT_PRESETS,
}
_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.PHYSICIAN: frozenset(_CLINICAL | {Permission.SIGN, Permission.ADD_ADDENDUM}),
    # Nurses record the post-procedure pain diary; they neither change the procedure nor sign.
    Role.NURSE: frozenset({Permission.VIEW, Permission.RECORD_PAIN_SCORES, Permission.EXPORT}),
    # The command line is an administrator's tool on the workstation's own account; a signature
    # needs a person who logged in, so it never signs.
    Role.COMMAND_LINE: frozenset(
        _CLINICAL | {Permission.EDIT_SETTINGS, Permission.MANAGE_USERS, Permission.VIEW_AUDIT}
    ),
}
_ADMIN = frozenset({Permission.EDIT_SETTINGS, Permission.MANAGE_USERS, Permission.VIEW_AUDIT})

PERMISSION_LABELS = {
    Permission.VIEW: "view records",
    Permission.EDIT_PATIENT: "change patient details",
    Permission.EDIT_PROCEDURE: "change a procedure",
    Permission.RECORD_PAIN_SCORES: "record pain scores",
    Permission.SIGN: "sign procedures",
    Permission.ADD_ADDENDUM: "add addenda",
    Permission.IMPORT: "import case files",
    Permission.EXPORT: "export or print notes",
    Permission.EDIT_PRESETS: "change procedure presets",
    Permission.EDIT_SETTINGS: "change the clinic settings",
    Permission.MANAGE_USERS: "manage user accounts",
    Permission.VIEW_AUDIT: "view the audit trail",
}


class User(Model):
    """A local account. The password hash never leaves storage and the account service."""

    id: int | None = None
    username: str = Field(min_length=2, max_length=32)
    display_name: Name
    role: Role
    is_admin: bool = False
    active: bool = True

    @field_validator("username", mode="before")
    @classmethod
    def _username(cls, v: object) -> object:
        if not isinstance(v, str):
            return v
        v = v.strip().lower()
        if not USERNAME_PATTERN.match(v):
            raise ValueError(
                "use 2 to 32 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit"
            )
        return v

    @field_validator("role")
    @classmethod
    def _login_role(cls, v: Role) -> Role:
        if v is Role.COMMAND_LINE:
            raise ValueError("choose physician or nurse")
        return v


class Actor(Model):
    """Who is acting, from which workstation: recorded with every audited action."""

    username: str = Field(min_length=1, max_length=64)
    display_name: str = Field(min_length=1, max_length=100)
    role: Role
    is_admin: bool = False
    workstation: str = Field(default="", max_length=100)

    def may(self, permission: Permission) -> bool:
        return permission in _GRANTS[self.role] or (self.is_admin and permission in _ADMIN)

    @classmethod
    def for_user(cls, user: User, workstation: str) -> Actor:
        return cls(
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            is_admin=user.is_admin,
            workstation=workstation,
        )

    @classmethod
    def command_line(cls, os_user: str, workstation: str) -> Actor:
        name = (os_user or "unknown")[:50]
        return cls(
            username=f"os:{name}",
            display_name=f"Command line ({name})",
            role=Role.COMMAND_LINE,
            workstation=workstation,
        )


class NotPermitted(PermissionError):
    """The signed-in user's role does not allow the action."""

    def __init__(self, actor: Actor | None, permission: Permission):
        self.permission = permission
        what = PERMISSION_LABELS[permission]
        if actor is None:
            message = f"Sign in to {what}."
        else:
            message = f"{actor.display_name} ({actor.role.label.lower()}) may not {what}."
        super().__init__(message)
