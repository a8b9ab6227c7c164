"""The main window's dialogs beside the records: own password, users, audit trail, outcomes export and charts,
presets, settings, the EHR outbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QWidget

from facetdesk.domain.users import NotPermitted, Permission
from facetdesk.services.records import NotFound
from facetdesk.storage.errors import StorageError
from facetdesk.ui.common.access import guarded

if TYPE_CHECKING:  # the dialogs are imported when opened
    from facetdesk.services.context import AppContext
    from facetdesk.ui.admin.audit_viewer import AuditViewer
    from facetdesk.ui.admin.clinic_outcomes_dialog import ClinicOutcomesDialog
    from facetdesk.ui.admin.outbox_dialog import OutboxDialog
    from facetdesk.ui.admin.outcomes_dialog import OutcomesExportDialog
    from facetdesk.ui.admin.presets_dialog import PresetsDialog
    from facetdesk.ui.admin.settings_dialog import ClinicSettingsDialog
    from facetdesk.ui.admin.users_dialog import UsersDialog
    from facetdesk.ui.shell.outbox_runner import OutboxRunner
    from facetdesk.ui.signing.accounts_dialogs import ChangePasswordDialog


def freed_when_closed(dialog: QWidget) -> None:
    """A dialog closed is deleted: opened again and again through a clinic day, none lingers hidden in memory."""
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)


class AdminDialogs(QObject):
    """Opens each dialog over ``parent``; ``open_record`` names what is on show, ("procedure", id) or
    ("patient", id), for "Audit trail of this record"; ``settings_saved`` follows a saved settings dialog."""

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget,
        status: Callable[[str, int], None],
        show_not_permitted: Callable[[Exception], None],
        open_record: Callable[[], tuple[str, int] | None],
        settings_saved: Callable[[], None],
    ):
        super().__init__(parent)
        self._ctx, self._parent, self._status, self._open_record = ctx, parent, status, open_record
        self.show_not_permitted = show_not_permitted
        # The dialog last opened of each kind (kept referenced while open; tests look at them).
        self.password_dialog: ChangePasswordDialog | None = None
        self.users_dialog: UsersDialog | None = None
        self.audit_viewer: AuditViewer | None = None
        self.outcomes_dialog: OutcomesExportDialog | None = None
        self.clinic_outcomes_dialog: ClinicOutcomesDialog | None = None
        self.presets_dialog: PresetsDialog | None = None
        self.settings_dialog: ClinicSettingsDialog | None = None
        self.outbox_dialog: OutboxDialog | None = None
        self._settings_saved = settings_saved
        # The window's OutboxRunner (set once the window made it): the outbox dialog's "Send now".
        self.outbox_runner: OutboxRunner | None = None

    @guarded
    def change_password(self) -> ChangePasswordDialog:
        from facetdesk.ui.signing.accounts_dialogs import ChangePasswordDialog

        dialog = ChangePasswordDialog(self._ctx.accounts, self._parent)
        freed_when_closed(dialog)
        dialog.accepted.connect(lambda: self._status(self.tr("Your password was changed"), 5000))
        dialog.open()
        self.password_dialog = dialog
        return dialog

    @guarded
    def show_users(self) -> UsersDialog:
        from facetdesk.ui.admin.users_dialog import UsersDialog

        self._ctx.work.require(Permission.MANAGE_USERS)
        dialog = UsersDialog(self._ctx.accounts, self._parent)
        freed_when_closed(dialog)
        dialog.open()
        self.users_dialog = dialog
        return dialog

    @guarded
    def show_audit(self, entity: str | None = None, entity_id: int | str | None = None) -> AuditViewer:
        from facetdesk.ui.admin.audit_viewer import AuditViewer

        self._ctx.work.require(Permission.VIEW_AUDIT)
        users = self._ctx.accounts.list_users() if self._ctx.work.may(Permission.MANAGE_USERS) else []
        names = {u.username: u.display_name for u in users}
        accounts = {str(u.id): u.username for u in users}

        def describe(kind: str, record_id: str) -> str | None:
            return self._describe_record(kind, record_id, accounts)

        viewer = AuditViewer(
            self._ctx.audit, names, self._parent, entity=entity, entity_id=entity_id, describe=describe
        )
        freed_when_closed(viewer)
        # Not modal: the physician can look at the record while reading its trail.
        viewer.show()
        self.audit_viewer = viewer
        return viewer

    @guarded
    def show_outcomes_export(self) -> OutcomesExportDialog:
        """The registry export of a date range (File menu: every role that may export, not only administrators)."""
        from facetdesk.ui.admin.outcomes_dialog import OutcomesExportDialog

        self._ctx.work.require(Permission.EXPORT)
        dialog = OutcomesExportDialog(self._ctx.outcomes, self._parent)
        freed_when_closed(dialog)
        dialog.exported.connect(lambda result: self._status(dialog.summary(result), 10000))
        dialog.open()
        self.outcomes_dialog = dialog
        return dialog

    @guarded
    def show_clinic_outcomes(self) -> ClinicOutcomesDialog:
        """The clinic's figures over a date range, as charts (File menu and Administration: whoever may view)."""
        from facetdesk.ui.admin.clinic_outcomes_dialog import ClinicOutcomesDialog

        self._ctx.work.require(Permission.VIEW)
        dialog = ClinicOutcomesDialog(self._ctx.outcomes, self._parent)
        freed_when_closed(dialog)
        # Not modal: the physician may look at a record while the figures stay on screen.
        dialog.show()
        self.clinic_outcomes_dialog = dialog
        return dialog

    @guarded
    def edit_presets(self) -> PresetsDialog:
        from facetdesk.ui.admin.presets_dialog import PresetsDialog

        self._ctx.work.require(Permission.EDIT_PRESETS)
        dialog = PresetsDialog(self._ctx.presets, self._ctx.catalog, self._parent)
        freed_when_closed(dialog)
        dialog.open()
        self.presets_dialog = dialog
        return dialog

    @guarded
    def show_outbox(self) -> OutboxDialog:
        """The EHR outbox: what is pending, sent and failed (whoever may view; Retry for a failed message)."""
        from facetdesk.ui.admin.outbox_dialog import OutboxDialog

        self._ctx.work.require(Permission.VIEW)
        assert self.outbox_runner is not None
        dialog = OutboxDialog(self._ctx.outbox, self.outbox_runner, self._parent)
        freed_when_closed(dialog)
        dialog.show()
        self.outbox_dialog = dialog
        return dialog

    @guarded
    def edit_settings(self) -> ClinicSettingsDialog:
        from facetdesk.ui.admin.settings_dialog import ClinicSettingsDialog

        self._ctx.work.require(Permission.EDIT_SETTINGS)
        dialog = ClinicSettingsDialog(self._ctx.settings, self._parent)
        freed_when_closed(dialog)
        dialog.accepted.connect(self._settings_saved)
        dialog.open()
        self.settings_dialog = dialog
        return dialog

    def _describe_record(self, kind: str, record_id: str, accounts: dict[str, str]) -> str | None:
        """What a record number stands for, on screen only: the log itself keeps numbers, never names."""
        records = self._ctx.records
        try:
            if kind == "patient" and record_id.isdigit():
                patient = records.get_patient(int(record_id))
                return f"{patient.display_name} (MRN {patient.mrn})"
            if kind == "procedure" and record_id.isdigit():
                patient, procedure = records.get_procedure(int(record_id))
                return f"{patient.display_name}, {procedure.performed_at:%Y-%m-%d %H:%M}"
        except (NotFound, NotPermitted, StorageError):
            return None  # deleted, or not this user's to see: the number alone
        if kind == "user":
            return accounts.get(record_id)
        return None

    def show_record_audit(self) -> AuditViewer | None:
        """The trail of what is open (the procedure in the editor, else the patient on show), else the whole trail."""
        record = self._open_record()
        return self.show_audit(*record) if record is not None else self.show_audit()
