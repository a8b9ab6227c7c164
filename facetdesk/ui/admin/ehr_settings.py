"""The clinic settings' "EHR interface" page: identifier systems, HL7 v2 names, outbox folder, MLLP engine."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from facetdesk.domain.ehr import PLACEHOLDER_MRN_SYSTEM, PLACEHOLDER_PROCEDURE_SYSTEM, EhrInterface
from facetdesk.ui.common.error_router import ErrorRouter
from facetdesk.ui.common.widgets import named

# (field, label, tip) of the text fields, in the order shown.
_TEXT_FIELDS = (
    ("mrn_system", "MRN identifier system", "The URI your EHR knows MRNs by (FHIR Identifier.system)"),
    ("procedure_id_system", "Procedure identifier system", "The URI FacetDesk's procedure ids are sent under"),
    ("mrn_assigning_authority", "MRN assigning authority", "HL7 v2 PID-3: the namespace of your MRNs"),
    ("sending_application", "Sending application", "HL7 v2 MSH-3 (FacetDesk when left empty)"),
    ("sending_facility", "Sending facility", "HL7 v2 MSH-4: this clinic"),
    ("receiving_application", "Receiving application", "HL7 v2 MSH-5: the EHR or interface engine"),
    ("receiving_facility", "Receiving facility", "HL7 v2 MSH-6"),
)


class EhrInterfacePage(QWidget):
    """Shows one EhrInterface; ``data()`` is what the clinic typed (validated by the settings service)."""

    def __init__(self, current: EhrInterface, errors: ErrorRouter, parent=None):
        super().__init__(parent)
        form = QFormLayout(self)
        form.addRow(
            QLabel(
                self.tr(
                    "Signed notes go to the EHR as an HL7 v2 MDM message with the PDF, and as a FHIR "
                    "DocumentReference: written to the outbox folder, and sent to an interface engine over MLLP."
                )
            )
        )
        self.fields: dict[str, QLineEdit] = {}
        for name, label, tip in _TEXT_FIELDS:
            edit = named(QLineEdit(getattr(current, name)), label, self.tr(tip))
            self.fields[name] = edit
            form.addRow(self.tr(label), errors.field(edit, ("ehr", name)))
        self.fields["mrn_system"].setPlaceholderText(self.tr("not set: {p} is sent").format(p=PLACEHOLDER_MRN_SYSTEM))
        self.fields["sending_application"].setPlaceholderText("FacetDesk")
        self.fields["procedure_id_system"].setPlaceholderText(
            self.tr("not set: {p} is sent").format(p=PLACEHOLDER_PROCEDURE_SYSTEM)
        )
        self.outbox_folder = named(QLineEdit(current.outbox_folder), "Outbox folder")
        self.outbox_folder.setPlaceholderText(self.tr("not set"))
        choose = named(QPushButton(self.tr("Choose…")), "Choose outbox folder")
        choose.clicked.connect(self._choose_folder)
        folder_row = QWidget()
        fr = QHBoxLayout(folder_row)
        fr.setContentsMargins(0, 0, 0, 0)
        fr.addWidget(self.outbox_folder, 1)
        fr.addWidget(choose)
        form.addRow(self.tr("Outbox folder"), errors.field(folder_row, ("ehr", "outbox_folder")))
        self.mllp_host = named(QLineEdit(current.mllp_host), "Interface engine host")
        self.mllp_host.setPlaceholderText(self.tr("optional, e.g. interface.hospital.example"))
        # Text, not a spin box: an empty port means "no interface engine", and a typed one is checked on saving.
        port = "" if current.mllp_port is None else str(current.mllp_port)
        self.mllp_port = named(QLineEdit(port), "Interface engine port")
        self.mllp_port.setPlaceholderText(self.tr("1–65535"))
        self.mllp_port.setMaximumWidth(120)
        form.addRow(self.tr("Interface engine host (MLLP)"), errors.field(self.mllp_host, ("ehr", "mllp_host")))
        form.addRow(self.tr("Interface engine port"), errors.field(self.mllp_port, ("ehr", "mllp_port")))
        self.send_on_signing = named(
            QCheckBox(self.tr("Send each note to the EHR when it is signed (and each addendum)")), "Send on signing"
        )
        self.send_on_signing.setChecked(current.send_on_signing)
        form.addRow(self.tr("Sending"), errors.field(self.send_on_signing, ("ehr", "send_on_signing")))

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Outbox folder"), self.outbox_folder.text())
        if folder:
            self.outbox_folder.setText(folder)

    def data(self) -> dict:
        port = self.mllp_port.text().strip()
        return {
            **{name: edit.text().strip() for name, edit in self.fields.items()},
            "outbox_folder": self.outbox_folder.text().strip(),
            "mllp_host": self.mllp_host.text().strip(),
            # A port that is not a number is passed on as typed, to be refused by name.
            "mllp_port": (int(port) if port.isdigit() else port) if port else None,
            "send_on_signing": self.send_on_signing.isChecked(),
        }
