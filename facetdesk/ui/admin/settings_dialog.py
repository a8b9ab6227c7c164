"""Clinic settings: letterhead (name, address, phone, logo), the page size of printed notes, the idle lock, and
the EHR interface (its own page)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from facetdesk.domain.enums import PageSize
from facetdesk.domain.settings import MAX_IDLE_LOCK_MINUTES, ClinicSettings
from facetdesk.ui.admin.ehr_settings import EhrInterfacePage
from facetdesk.ui.common import style
from facetdesk.ui.common.error_router import ErrorRouter
from facetdesk.ui.common.widgets import ErrorLabel, enum_combo, named


class ClinicSettingsDialog(QDialog):
    def __init__(self, settings_service, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Clinic settings"))
        self._service = settings_service
        current: ClinicSettings = settings_service.load()
        # What this page was filled from: a save refuses to overwrite another workstation's change made since.
        self._loaded = current
        self._logo: bytes | None = current.logo
        self.general_error = ErrorLabel()
        self.errors = ErrorRouter(self.general_error)
        self.clinic_name = named(QLineEdit(current.clinic_name), "Clinic name")
        self.address = named(QPlainTextEdit(current.address), "Clinic address")
        self.address.setMaximumHeight(80)
        self.phone = named(QLineEdit(current.phone), "Clinic phone")
        self.page_size = named(enum_combo(PageSize), "Page size")
        self.page_size.set_value(current.page_size)
        self.idle_lock = named(
            QSpinBox(),
            "Lock the screen after minutes without use",
            self.tr("An unattended workstation hides patient data and asks for the password again"),
        )
        self.idle_lock.setRange(1, MAX_IDLE_LOCK_MINUTES)
        self.idle_lock.setSuffix(self.tr(" minutes without use"))
        self.idle_lock.setValue(current.idle_lock_minutes)
        self.idle_lock.setMaximumWidth(style.SPIN_MAX_WIDTH)
        self.long_form = named(
            QCheckBox(self.tr("Print the long note (coding notes and the LCD documentation appendix)")),
            "Long note form",
            self.tr("For payers that want the full documentation; the usual note is two pages"),
        )
        self.long_form.setChecked(current.note_long_form)
        self.note_images = named(
            QCheckBox(self.tr("Print the procedure's images on the note (small, de-identified)")),
            "Print images on the note",
            self.tr("Fluoroscopy or CT images attached to the procedure, up to four, as proof of placement"),
        )
        self.note_images.setChecked(current.note_images)
        self.logo_preview = QLabel()
        self.choose_logo = named(QPushButton(self.tr("Choose logo…")), "Choose logo")
        self.clear_logo = named(QPushButton(self.tr("No logo")), "Remove logo")
        logo_row = QWidget()
        lr = QHBoxLayout(logo_row)
        lr.setContentsMargins(0, 0, 0, 0)
        lr.addWidget(self.logo_preview)
        lr.addWidget(self.choose_logo)
        lr.addWidget(self.clear_logo)
        lr.addStretch()
        form = QFormLayout()
        form.addRow(self.tr("Clinic name"), self.errors.field(self.clinic_name, ("clinic_name",)))
        form.addRow(self.tr("Address"), self.errors.field(self.address, ("address",)))
        form.addRow(self.tr("Phone"), self.errors.field(self.phone, ("phone",)))
        form.addRow(self.tr("Logo (PNG or JPEG)"), self.errors.field(logo_row, ("logo",)))
        form.addRow(self.tr("Page size of notes"), self.errors.field(self.page_size, ("page_size",)))
        form.addRow(self.tr("Note form"), self.errors.field(self.long_form, ("note_long_form",)))
        form.addRow(self.tr("Images on the note"), self.errors.field(self.note_images, ("note_images",)))
        form.addRow(
            self.tr("Lock the screen after"),
            self.errors.field(self.idle_lock, ("idle_lock_minutes",)),
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.ehr_page = EhrInterfacePage(current.ehr, self.errors)
        notes_page = QWidget()
        notes_page.setLayout(form)
        self.tabs = QTabWidget()
        self.tabs.addTab(notes_page, self.tr("Notes and letterhead"))
        self.tabs.addTab(self.ehr_page, self.tr("EHR interface"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("These settings are shared by every workstation on this database.")))
        layout.addWidget(self.tabs)
        layout.addWidget(self.general_error)
        layout.addWidget(buttons)
        self.choose_logo.clicked.connect(self._pick_logo)
        self.clear_logo.clicked.connect(lambda: self.set_logo(None))
        self._show_logo()

    def _ehr_refused(self) -> bool:
        return any(not label.isHidden() and label.text() for label in self.ehr_page.findChildren(ErrorLabel))

    def _pick_logo(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose logo"), "", self.tr("Images (*.png *.jpg *.jpeg)"))
        if path:
            self.set_logo(Path(path).read_bytes())

    def set_logo(self, data: bytes | None) -> None:
        self._logo = data
        self._show_logo()

    def _show_logo(self) -> None:
        pixmap = QPixmap()
        if self._logo and pixmap.loadFromData(self._logo):
            self.logo_preview.setPixmap(pixmap.scaledToHeight(40))
        else:
            self.logo_preview.setText(self.tr("no logo") if not self._logo else self.tr("(not an image)"))

    def data(self) -> dict:
        return {
            "clinic_name": self.clinic_name.text().strip(),
            "address": self.address.toPlainText().strip(),
            "phone": self.phone.text().strip(),
            "logo": self._logo,
            "page_size": self.page_size.value(),
            "idle_lock_minutes": self.idle_lock.value(),
            "note_long_form": self.long_form.isChecked(),
            "note_images": self.note_images.isChecked(),
            "ehr": self.ehr_page.data(),
        }

    def save(self) -> ClinicSettings | None:
        saved = self.errors.saved(lambda: self._service.save(self.data(), based_on=self._loaded))
        if saved is None:
            # Show the page holding the first refused field.
            self.tabs.setCurrentWidget(self.ehr_page if self._ehr_refused() else self.tabs.widget(0))
            return None
        self.accept()
        return saved
