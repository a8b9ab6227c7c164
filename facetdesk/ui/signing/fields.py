"""Pieces the sign-in dialog and the account dialogs share: password fields, muted notes, the remembered user name."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLabel, QLineEdit

from facetdesk.ui.common import style
from facetdesk.ui.common.labels import named

LAST_USERNAME_KEY = "last_username"


def password_field(name: str, tip: str | None = None) -> QLineEdit:
    field = named(QLineEdit(), name, tip)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


def muted(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {style.MUTED_COLOR};")
    return label


def remember_username(username: str) -> None:
    """The next start offers the last user name (a name, not a secret); the password is always asked."""
    QSettings().setValue(LAST_USERNAME_KEY, username)
