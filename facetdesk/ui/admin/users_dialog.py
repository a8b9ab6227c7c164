"""Administration → Users: the clinic's accounts; add one, change its name, role or flags, reset a password."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from facetdesk.domain.errors import FieldError, InvalidRecord
from facetdesk.domain.passwords import MIN_PASSWORD_LENGTH
from facetdesk.domain.users import NotPermitted, Role, User
from facetdesk.interop.files import write_atomically
from facetdesk.services.accounts import AccountService
from facetdesk.storage.errors import StorageError
from facetdesk.ui.common import style
from facetdesk.ui.common.error_router import ErrorRouter
from facetdesk.ui.common.rows_model import RowsTableModel
from facetdesk.ui.common.widgets import ChoiceCombo, ErrorLabel, named
from facetdesk.ui.signing.accounts_dialogs import USERNAME_TIP, with_password_problem
from facetdesk.ui.signing.fields import password_field

LOGIN_ROLES = (Role.PHYSICIAN, Role.NURSE)


class UserTableModel(RowsTableModel):
    HEADERS = ("User name", "Name", "Role", "Administrator", "Active", "Signing key")
    _keys: dict = {}

    def set_users(self, users: list[User], keys: dict | None = None) -> None:
        self.beginResetModel()
        self._rows = list(users)
        # user id -> services.accounts.KeyView: the key's fingerprint and whether the clinic CA certified it.
        self._keys = keys or {}
        self.endResetModel()

    def user(self, row: int) -> User:
        return self._rows[row]

    def row_of(self, user_id: int | None) -> int:
        return next((i for i, u in enumerate(self._rows) if u.id == user_id), -1)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        u = self._rows[index.row()]
        yes, no = self.tr("yes"), self.tr("no")
        return (
            u.username,
            u.display_name,
            u.role.label,
            yes if u.is_admin else no,
            yes if u.active else self.tr("no (switched off)"),
            self._key_text(u),
        )[index.column()]

    def key_of(self, user: User | None):
        return None if user is None else self._keys.get(user.id)

    def _key_text(self, user: User) -> str:
        key = self._keys.get(user.id)
        if key is None or user.role is not Role.PHYSICIAN:
            return ""
        if key.key is None:
            return self.tr("none yet")
        return self.tr("certified") if key.key.certified else self.tr("waiting")

    def key_description(self, user: User | None) -> str:
        """The key's fingerprint and state, for the form: what a physician compares with their signed notes."""
        key = self.key_of(user)
        if user is None:
            return ""
        if user.role is not Role.PHYSICIAN:
            return self.tr("none (nurses do not sign)")
        if key is None or key.key is None:
            return self.tr("none yet: made when the physician next signs in")
        return f"SHA-256 {key.fingerprint}\n{self.tr(key.status)}"


class UsersDialog(QDialog):
    """Accounts on the left, the chosen (or new) account's form on the right; the service checks every change."""

    def __init__(self, accounts: AccountService, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Users"))
        self.resize(980, 520)
        self._accounts = accounts
        self._editing: User | None = None
        self.model = UserTableModel()
        self.table = named(QTableView(), "User accounts")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.new_button = named(QPushButton(self.tr("New account")), "New account")
        self.certify_button = named(
            QPushButton(self.tr("Certify signing key…")),
            "Certify signing key",
            self.tr("Vouch, with the clinic's certificate authority, for the chosen physician's waiting key"),
        )
        self.export_ca_button = named(
            QPushButton(self.tr("Export clinic certificate…")),
            "Export clinic certificate",
            self.tr("The certificate PDF readers need to trust the clinic's signed notes"),
        )

        self.general_error = ErrorLabel()
        self.general_error.setAccessibleName("Users message")
        self.errors = ErrorRouter(self.general_error)
        self.username = named(QLineEdit(), "User name", self.tr(USERNAME_TIP))
        self.display_name = named(
            QLineEdit(), "Name as printed on signatures", self.tr("Printed under what this person signs")
        )
        self.role = named(ChoiceCombo((r, r.label) for r in LOGIN_ROLES), "Role")
        self.role_hint = QLabel(self.tr("Physicians record, sign and add addenda. Nurses record pain scores only."))
        self.role_hint.setWordWrap(True)
        self.role_hint.setStyleSheet(f"color: {style.MUTED_COLOR};")
        self.is_admin = named(
            QCheckBox(self.tr("Administrator (users, clinic settings, audit trail)")), "Administrator"
        )
        self.active = named(QCheckBox(self.tr("Active (may sign in)")), "Active")
        self.key_label = named(QLabel(), "Signing key")
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_label.setWordWrap(True)
        self.password = password_field("Password", self.tr("At least {n} characters").format(n=MIN_PASSWORD_LENGTH))
        self.repeat = password_field("Repeat password")
        self.password_label = QLabel()
        self.password_hint = QLabel()
        self.password_hint.setWordWrap(True)
        self.password_hint.setStyleSheet(f"color: {style.MUTED_COLOR};")
        self.status = QLabel()
        self.status.setStyleSheet(f"color: {style.DERIVED_COLOR};")
        self.save_button = named(QPushButton(), "Save account")
        self.save_button.setDefault(True)
        self.form_box = QGroupBox()
        form = QFormLayout(self.form_box)
        form.addRow(self.tr("User name"), self.errors.field(self.username, ("username",)))
        form.addRow(self.tr("Name on signatures"), self.errors.field(self.display_name, ("display_name",)))
        form.addRow(self.tr("Role"), self.errors.field(self.role, ("role",)))
        form.addRow("", self.role_hint)
        form.addRow("", self.errors.field(self.is_admin, ("is_admin",)))
        form.addRow("", self.errors.field(self.active, ("active",)))
        form.addRow(self.tr("Signing key"), self.key_label)
        form.addRow(self.password_label, self.errors.field(self.password, ("password",)))
        form.addRow(self.tr("Repeat password"), self.errors.field(self.repeat, ("password_repeat",)))
        form.addRow("", self.password_hint)
        save_row = QHBoxLayout()
        save_row.addStretch()
        save_row.addWidget(self.save_button)
        form.addRow(save_row)

        left = QVBoxLayout()
        left.addWidget(self.table, 1)
        new_row = QHBoxLayout()
        new_row.addWidget(self.new_button)
        new_row.addWidget(self.certify_button)
        new_row.addStretch()
        new_row.addWidget(self.export_ca_button)
        left.addLayout(new_row)
        right = QVBoxLayout()
        right.addWidget(self.form_box)
        right.addWidget(self.general_error)
        right.addWidget(self.status)
        right.addStretch()
        close = named(QPushButton(self.tr("Close")), "Close users")
        close_row = QHBoxLayout()
        close_row.addStretch()
        close_row.addWidget(close)
        right.addLayout(close_row)
        columns = QHBoxLayout(self)
        columns.addLayout(left, 3)
        columns.addLayout(right, 2)

        self.table.selectionModel().currentRowChanged.connect(self._picked)
        self.new_button.clicked.connect(self.new_account)
        self.certify_button.clicked.connect(self.certify)
        self.export_ca_button.clicked.connect(lambda: self.export_ca())
        self.save_button.clicked.connect(self.save)
        close.clicked.connect(self.accept)
        self.refresh()
        self.new_account()

    # ---- list -------------------------------------------------------------
    def refresh(self, select_id: int | None = None) -> None:
        try:
            users = self._accounts.list_users()
            keys = self._accounts.signing_keys()
        except (NotPermitted, StorageError) as exc:
            self.general_error.show_error(str(exc))
            users, keys = [], {}
        self.model.set_users(users, keys)
        row = self.model.row_of(select_id) if select_id is not None else -1
        if row >= 0:
            self.table.selectRow(row)

    def usernames(self) -> list[str]:
        return [self.model.user(r).username for r in range(self.model.rowCount())]

    def select(self, username: str) -> None:
        row = self.usernames().index(username)
        self.table.selectRow(row)

    def _picked(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.load(self.model.user(current.row()))

    # ---- signing keys -------------------------------------------------------
    def ask_certify(self, user: User, fingerprint: str) -> bool:
        answer = QMessageBox.question(
            self,
            self.tr("Certify signing key"),
            self.tr(
                "Certify the signing key of {name}?\n\nFingerprint: {fp}\n\nThe key was made when {name} "
                "signed in with their own password. Certify it only if {name} is the person who uses this "
                "account: from then on, notes signed with it verify as theirs."
            ).format(name=user.display_name, fp=fingerprint),
        )
        return answer == QMessageBox.StandardButton.Yes

    def certify(self) -> bool:
        user = self._editing
        key = self.model.key_of(user)
        if user is None or user.id is None or key is None or not self.ask_certify(user, key.fingerprint):
            return False
        try:
            self._accounts.certify_key(user.id)
        except (InvalidRecord, NotPermitted, StorageError) as exc:
            self.general_error.show_error(str(exc))
            return False
        self.refresh(select_id=user.id)
        self.status.setText(self.tr("Signing key of {name} certified").format(name=user.display_name))
        return True

    def export_ca(self, path: str | None = None) -> str | None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, self.tr("Export clinic certificate"), "clinic-ca.pem", self.tr("Certificate (*.pem)")
            )
            if not path:
                return None
        try:
            pem = self._accounts.clinic_ca_pem()
            if not pem:
                self.general_error.show_error(self.tr("This clinic has no certificate authority yet."))
                return None
            write_atomically(pem, path, shared=True)  # a certificate: no patient data
        except (OSError, NotPermitted, StorageError) as exc:
            self.general_error.show_error(str(exc))
            return None
        self.status.setText(self.tr("Clinic certificate written to {p}").format(p=path))
        return path

    # ---- form -------------------------------------------------------------
    def new_account(self) -> None:
        self.table.clearSelection()
        self.load(None)
        self.username.setFocus()

    def load(self, user: User | None) -> None:
        self._editing = user
        key = self.model.key_of(user)
        waiting = key is not None and key.key is not None and not key.key.certified
        self.certify_button.setEnabled(waiting and self._accounts.holds_clinic_ca())
        self.key_label.setText(self.model.key_description(user))
        self.errors.clear()
        self.status.clear()
        self.username.setText(user.username if user else "")
        # A user name is what the audit trail records: it never changes; a new one is a new account.
        self.username.setReadOnly(user is not None)
        self.username.setFrame(user is None)  # a fixed name reads as text, not as a field to type in
        self.username.setToolTip(
            self.tr(USERNAME_TIP) if user is None else self.tr("A user name cannot change; add a new account instead")
        )
        self.display_name.setText(user.display_name if user else "")
        self.role.set_value(user.role if user else Role.PHYSICIAN)
        self.is_admin.setChecked(bool(user and user.is_admin))
        self.active.setChecked(user.active if user else True)
        self.password.clear()
        self.repeat.clear()
        if user is None:
            self.form_box.setTitle(self.tr("New account"))
            self.password_label.setText(self.tr("Password"))
            self.password_hint.setText(self.tr("Give the person this password; they can change it under File."))
            self.save_button.setText(self.tr("Add account"))
        else:
            self.form_box.setTitle(self.tr("Account {u}").format(u=user.username))
            self.password_label.setText(self.tr("New password"))
            self.password_hint.setText(self.tr("Leave empty to keep the password; fill in to reset a forgotten one."))
            self.save_button.setText(self.tr("Save changes"))

    def data(self) -> dict:
        return {
            "id": self._editing.id if self._editing else None,
            "username": self.username.text().strip(),
            "display_name": self.display_name.text().strip(),
            "role": self.role.value(),
            "is_admin": self.is_admin.isChecked(),
            "active": self.active.isChecked(),
        }

    def save(self) -> User | None:
        self.errors.clear()
        password = self.password.text()
        if password != self.repeat.text():
            self.errors.show([FieldError(("password_repeat",), self.tr("the two passwords differ"))])
            return None
        try:
            if self._editing is None:
                saved = self._accounts.create_user(self.data(), password)
            else:
                saved = self._accounts.update_user(self.data(), password or None, based_on=self._editing)
        except InvalidRecord as exc:
            self.errors.show(
                with_password_problem(exc.errors, password) if password or not self._editing else exc.errors
            )
            return None
        except (NotPermitted, StorageError) as exc:
            self.general_error.show_error(str(exc))
            return None
        self.refresh(select_id=saved.id)
        self.load(saved)
        self.status.setText(self.tr("Account {u} saved.").format(u=saved.username))
        return saved
