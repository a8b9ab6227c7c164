"""Signing in at start: the sign-in dialog, the first screen, with the database opening behind it.

The sign-in dialog paints before the data layer is imported (ui/signing/opening.py), so this module imports
only Qt and the error label: the services, storage and domain errors inside the methods that use them, once
the database is open, and the first-account dialog (ui/signing/accounts_dialogs.py) only for a new database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QTimer, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from facetdesk.ui.common.app_icon import ensure_application_icon
from facetdesk.ui.common.labels import ErrorLabel, named
from facetdesk.ui.signing.fields import LAST_USERNAME_KEY, muted, password_field, remember_username

if TYPE_CHECKING:
    from facetdesk.domain.users import Actor
    from facetdesk.services.accounts import AccountService
    from facetdesk.ui.signing.opening import DatabaseOpening


class SignInDialog(QDialog):
    """User name and password; a wrong one is said in the dialog, which stays open for another try.

    It is painted before the database is open: the fields take typing at once, and "Sign in" is enabled when
    ``opening`` has opened the database (started by the first paint). A new database with no accounts ends
    the dialog with NEEDS_FIRST_ACCOUNT, a database that cannot be opened with OPENING_FAILED.
    """

    NEEDS_FIRST_ACCOUNT = 2
    OPENING_FAILED = 3
    # Started by the first paint; this late if no paint comes (a minimised start), so it never waits forever.
    START_OPENING_LATEST_MS = 200

    def __init__(self, opening: DatabaseOpening, parent: QWidget | None = None, username: str = ""):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Sign in to FacetDesk"))
        self.setMinimumWidth(420)
        self.opening = opening
        self._accounts: AccountService | None = None
        self.actor: Actor | None = None
        self.username = named(QLineEdit(username), "User name")
        self.password = password_field("Password")
        self.error = ErrorLabel()
        self.error.setAccessibleName("Sign-in message")
        self.opening_note = named(muted(self.tr("Opening the clinic's database…")), "Database status")
        form = QFormLayout()
        form.addRow(self.tr("User name"), self.username)
        form.addRow(self.tr("Password"), self.password)
        # Buttons set after construction: the constructor taking them has an overload with a Qt.Orientation
        # default, and matching it makes PySide6 build its whole Qt namespace, 15 ms before the first paint.
        self.buttons = QDialogButtonBox()
        self.buttons.setStandardButtons(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.sign_in_button = named(self.buttons.button(QDialogButtonBox.StandardButton.Ok), "Sign in")
        self.sign_in_button.setText(self.tr("Sign in"))
        named(self.buttons.button(QDialogButtonBox.StandardButton.Cancel), "Quit").setText(self.tr("Quit"))
        self.buttons.accepted.connect(self.sign_in)
        self.buttons.rejected.connect(self.reject)
        heading = QLabel(self.tr("<b>Sign in to FacetDesk</b>"))
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.opening_note)
        layout.addWidget(self.error)
        layout.addWidget(
            muted(self.tr("Forgot your password? An administrator can set a new one (Administration → Users)."))
        )
        layout.addWidget(self.buttons)
        (self.password if username else self.username).setFocus()
        opening.opened.connect(self._opened)
        opening.failed.connect(self._failed)
        if opening.done:
            QTimer.singleShot(0, self._opened if opening.error is None else self._failed)
        else:
            self.sign_in_button.setEnabled(False)
            QTimer.singleShot(self.START_OPENING_LATEST_MS, opening.start)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().paintEvent(event)
        if not self.opening.started:
            # After this paint has reached the screen: the worker's imports would otherwise share the
            # interpreter with the painting of the first screen, and so would decoding the window icon.
            QTimer.singleShot(0, self.opening.start)
            QTimer.singleShot(0, ensure_application_icon)

    @Slot()
    def _opened(self) -> None:
        if self.opening.context is None:
            return
        if not self.opening.has_accounts:
            self.done(self.NEEDS_FIRST_ACCOUNT)
            return
        self._accounts = self.opening.context.accounts
        self.opening_note.hide()
        self.sign_in_button.setEnabled(True)

    @Slot()
    def _failed(self) -> None:
        self.done(self.OPENING_FAILED)

    def sign_in(self) -> Actor | None:
        from facetdesk.services.accounts import SignInFailed
        from facetdesk.storage.errors import StorageError

        if self._accounts is None:
            return None  # the button is disabled until the database is open; Enter does not reach here
        try:
            self.actor = self._accounts.sign_in(self.username.text(), self.password.text())
        except (SignInFailed, StorageError) as exc:
            self.error.show_error(str(exc))
            self.password.clear()
            self.password.setFocus()
            return None
        remember_username(self.actor.username)
        self.accept()
        return self.actor


def sign_in_at_start(opening: DatabaseOpening, parent: QWidget | None = None) -> Actor | None:
    """The sign-in dialog at once, the database opening behind it; the first account on a new database.

    None when the user quit, or when the database could not be opened (``opening.error`` says why).
    """
    dialog = SignInDialog(opening, parent, str(QSettings().value(LAST_USERNAME_KEY, "") or ""))
    result = dialog.exec()
    if result == QDialog.DialogCode.Accepted:
        return dialog.actor
    if result == SignInDialog.NEEDS_FIRST_ACCOUNT and opening.context is not None:
        from facetdesk.ui.signing.accounts_dialogs import FirstAccountDialog

        first = FirstAccountDialog(opening.context.accounts, parent)
        if first.exec() == QDialog.DialogCode.Accepted:
            return first.actor
    return None
