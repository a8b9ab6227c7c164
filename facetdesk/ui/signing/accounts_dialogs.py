"""The first account on a new database and changing one's own password: dialogs the first screen does not need."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from facetdesk.domain.errors import FieldError, InvalidRecord
from facetdesk.domain.passwords import MIN_PASSWORD_LENGTH, check_password_rules
from facetdesk.storage.errors import StorageError
from facetdesk.ui.common.error_router import ErrorRouter
from facetdesk.ui.common.widgets import ErrorLabel, named
from facetdesk.ui.signing.fields import muted, password_field, remember_username

if TYPE_CHECKING:
    from facetdesk.domain.users import Actor
    from facetdesk.services.accounts import AccountService

USERNAME_TIP = "2 to 32 characters: lower-case letters, digits, '.', '_' or '-'"


def with_password_problem(errors: list[FieldError], password: str) -> list[FieldError]:
    """The service stops at the first bad field of the account; the password's problem is worth saying at once."""
    problem = check_password_rules(password)
    if problem and not any(e.path[:1] == ("password",) for e in errors):
        return [*errors, FieldError(("password",), problem)]
    return errors


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
            muted(
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
