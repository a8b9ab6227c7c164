"""Signing in at start: the clinic's first account on a new database, the sign-in dialog, changing one's password.

The sign-in dialog is the first screen and paints before the data layer is imported (ui/signing/opening.py), so this
module imports the services and storage only inside the methods that use them, once the database is open.
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

from facetdesk.domain.errors import FieldError, InvalidRecord
from facetdesk.domain.passwords import MIN_PASSWORD_LENGTH, check_password_rules
from facetdesk.storage.errors import StorageError
from facetdesk.ui.common import style
from facetdesk.ui.common.error_router import ErrorRouter
from facetdesk.ui.common.widgets import ErrorLabel, named

if TYPE_CHECKING:
    from facetdesk.domain.users import Actor
    from facetdesk.services.accounts import AccountService
    from facetdesk.ui.signing.opening import DatabaseOpening

LAST_USERNAME_KEY = "last_username"
USERNAME_TIP = "2 to 32 characters: lower-case letters, digits, '.', '_' or '-'"


def password_field(name: str, tip: str | None = None) -> QLineEdit:
    field = named(QLineEdit(), name, tip)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


def _muted(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {style.MUTED_COLOR};")
    return label


def with_password_problem(errors: list[FieldError], password: str) -> list[FieldError]:
    """The service stops at the first bad field of the account; the password's problem is worth saying at once."""
    problem = check_password_rules(password)
    if problem and not any(e.path[:1] == ("password",) for e in errors):
        return [*errors, FieldError(("password",), problem)]
    return errors


def remember_username(username: str) -> None:
    """The next start offers the last user name (a name, not a secret); the password is always asked."""
    QSettings().setValue(LAST_USERNAME_KEY, username)


class FirstAccountDialog(QDialog):
    """A new database has no accounts: the first one is a physician and administrator, signed in at once."""

    def __init__(self, accounts: AccountService, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Create the first account"))
        self.setMinimumWidth(520)
        self._accounts = accounts
        self.actor: Actor | None = None
        self.general_error = ErrorLabel()
        self.errors = ErrorRouter(self.general_error)
        intro = QLabel(
            self.tr(
                "<b>Welcome to FacetDesk.</b><br>This database has no accounts yet. The account you create now is a "
                "<b>physician</b> and an <b>administrator</b>: it signs procedures and adds the accounts of the "
                "clinic's other physicians and nurses (Administration → Users)."
            )
        )
        intro.setWordWrap(True)
        self.username = named(QLineEdit(), "User name", self.tr(USERNAME_TIP))
        self.username.setPlaceholderText(self.tr("e.g. a.example"))
        self.display_name = named(
            QLineEdit(), "Name as printed on signatures", self.tr("Printed under every procedure you sign")
        )
        self.display_name.setPlaceholderText(self.tr("e.g. Dr. A. Example"))
        self.password = password_field("Password", self.tr("At least {n} characters").format(n=MIN_PASSWORD_LENGTH))
        self.repeat = password_field("Repeat password")
        form = QFormLayout()
        form.addRow(self.tr("User name"), self.errors.field(self.username, ("username",)))
        form.addRow(self.tr("Name on signatures"), self.errors.field(self.display_name, ("display_name",)))
        form.addRow(self.tr("Password"), self.errors.field(self.password, ("password",)))
        form.addRow(self.tr("Repeat password"), self.errors.field(self.repeat, ("password_repeat",)))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.create_button = named(self.buttons.button(QDialogButtonBox.StandardButton.Ok), "Create account")
        self.create_button.setText(self.tr("Create account and sign in"))
        named(self.buttons.button(QDialogButtonBox.StandardButton.Cancel), "Quit").setText(self.tr("Quit"))
        self.buttons.accepted.connect(self.create_account)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(
            _muted(
                self.tr("Passwords: at least {n} characters; a short sentence is easy to remember.").format(
                    n=MIN_PASSWORD_LENGTH
                )
            )
        )
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)

    def create_account(self) -> Actor | None:
        self.errors.clear()
        if self.password.text() != self.repeat.text():
            self.errors.show([FieldError(("password_repeat",), self.tr("the two passwords differ"))])
            return None
        from facetdesk.services.accounts import SignInFailed

        username = self.username.text().strip()
        try:
            self._accounts.create_first_account(
                {"username": username, "display_name": self.display_name.text().strip()}, self.password.text()
            )
            self.actor = self._accounts.sign_in(username, self.password.text())
        except InvalidRecord as exc:
            self.errors.show(with_password_problem(exc.errors, self.password.text()))
            return None
        except (StorageError, SignInFailed) as exc:
            self.general_error.show_error(str(exc))
            return None
        remember_username(self.actor.username)
        self.accept()
        return self.actor


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
        self.opening_note = named(_muted(self.tr("Opening the clinic's database…")), "Database status")
        form = QFormLayout()
        form.addRow(self.tr("User name"), self.username)
        form.addRow(self.tr("Password"), self.password)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
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
            _muted(self.tr("Forgot your password? An administrator can set a new one (Administration → Users)."))
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
            # interpreter with the painting of the first screen.
            QTimer.singleShot(0, self.opening.start)

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


class ChangePasswordDialog(QDialog):
    """The signed-in user replaces their own password; the current one is asked first."""

    def __init__(self, accounts: AccountService, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Change my password"))
        self.setMinimumWidth(440)
        self._accounts = accounts
        self.general_error = ErrorLabel()
        self.errors = ErrorRouter(self.general_error)
        self.current = password_field("Current password")
        self.new = password_field("New password", self.tr("At least {n} characters").format(n=MIN_PASSWORD_LENGTH))
        self.repeat = password_field("Repeat new password")
        form = QFormLayout()
        form.addRow(self.tr("Current password"), self.errors.field(self.current, ("current",)))
        form.addRow(self.tr("New password"), self.errors.field(self.new, ("password",)))
        form.addRow(self.tr("Repeat new password"), self.errors.field(self.repeat, ("password_repeat",)))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = named(buttons.button(QDialogButtonBox.StandardButton.Save), "Change password")
        self.save_button.setText(self.tr("Change password"))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(buttons)

    def save(self) -> bool:
        from facetdesk.services.accounts import SignInFailed

        self.errors.clear()
        if self.new.text() != self.repeat.text():
            self.errors.show([FieldError(("password_repeat",), self.tr("the two passwords differ"))])
            return False
        try:
            self._accounts.change_own_password(self.current.text(), self.new.text())
        except SignInFailed:
            self.errors.show([FieldError(("current",), self.tr("this is not your current password"))])
            return False
        except InvalidRecord as exc:
            self.errors.show(exc.errors)
            return False
        except StorageError as exc:
            self.general_error.show_error(str(exc))
            return False
        self.accept()
        return True


def sign_in_at_start(opening: DatabaseOpening, parent: QWidget | None = None) -> Actor | None:
    """The sign-in dialog at once, the database opening behind it; the first account on a new database.

    None when the user quit, or when the database could not be opened (``opening.error`` says why).
    """
    dialog = SignInDialog(opening, parent, str(QSettings().value(LAST_USERNAME_KEY, "") or ""))
    result = dialog.exec()
    if result == QDialog.DialogCode.Accepted:
        return dialog.actor
    if result == SignInDialog.NEEDS_FIRST_ACCOUNT and opening.context is not None:
        first = FirstAccountDialog(opening.context.accounts, parent)
        if first.exec() == QDialog.DialogCode.Accepted:
            return first.actor
    return None
