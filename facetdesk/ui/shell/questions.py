"""The questions the main window asks before it drops, reloads, restores or saves something unusual."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox, QWidget

from facetdesk.services.records import NotFound

if TYPE_CHECKING:
    from facetdesk.services.drafts import Draft
    from facetdesk.services.records import RecordService


class WindowQuestions(QObject):
    """Each question as one method, so tests replace it to answer without a dialog; the safe answer is the default."""

    def __init__(self, parent: QWidget, records: RecordService):
        super().__init__(parent)
        self._parent, self._records = parent, records

    def ask_discard(self, what: str = "procedure") -> bool:
        """Drop the unsaved edits of the open procedure (``what`` "procedure") or of the patient's details
        ("patient")?"""
        return self.discard_box(what).exec() == QMessageBox.StandardButton.Discard

    def discard_box(self, what: str = "procedure") -> QMessageBox:
        """The question before unsaved edits are dropped; Enter keeps them (Cancel is the default, never Discard)."""
        text = (
            self.tr("The patient's details have unsaved changes. Discard them?")
            if what == "patient"
            else self.tr("The open procedure has unsaved changes. Discard them?")
        )
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Unsaved changes"),
            text,
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            self._parent,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)
        return box

    def ask_reload(self, what: str) -> bool:
        """After a save refused as stale: reload the stored record?

        The safe answer is the default: keep the edits on screen, so they can be copied before reloading.
        """
        box = QMessageBox(self._parent)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(self.tr("Changed on another workstation"))
        box.setText(
            self.tr("This {what} was changed on another workstation since you opened it. Nothing was saved.").format(
                what=what
            )
        )
        box.setInformativeText(
            self.tr("Reload it to see the other workstation's version (your changes on screen are dropped), or keep")
            + self.tr(" your changes on screen to copy them first.")
        )
        reload_button = box.addButton(self.tr("Reload"), QMessageBox.ButtonRole.AcceptRole)
        keep = box.addButton(self.tr("Keep my changes on screen"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.exec()
        return box.clickedButton() is reload_button

    def ask_restore_details(self, patient_name: str) -> bool:
        """Put back the patient details this user left unsaved when someone else signed in? Enter restores."""
        box = self.restore_details_box(patient_name)
        box.exec()
        return box.clickedButton() is not box.button(QMessageBox.StandardButton.Discard)

    def restore_details_box(self, patient_name: str) -> QMessageBox:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Unsaved changes"),
            self.tr("You had unsaved changes to {name}.").format(name=patient_name),
            QMessageBox.StandardButton.Discard,
            self._parent,
        )
        restore = box.addButton(self.tr("Restore"), QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(restore)
        box.setEscapeButton(restore)  # closing the question loses nothing
        return box

    def ask_quit_with_kept(self, authors: list[str]) -> bool:
        """Quit although unsaved patient details are kept for other users (they are lost)? The default is No."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Unsaved changes kept"),
            self.tr("Unsaved patient details kept for {who} will be lost. Quit anyway?").format(who=", ".join(authors)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self._parent,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)
        return box.exec() == QMessageBox.StandardButton.Yes

    def confirm_weight(self, why: str) -> bool:
        """Save an unusual weight? The default is No."""
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Check the weight"), why + "\n" + self.tr(
            "Save it as entered? (No: go back and correct it)"), QMessageBox.StandardButton.Yes
            | QMessageBox.StandardButton.No, self._parent)  # fmt: skip
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    def ask_restore(self, draft: Draft) -> bool:
        """Restore a recovered draft? It names the patient and says if the procedure was saved since."""
        try:
            name = self._records.get_patient(draft.patient_id).display_name
        except NotFound:
            name = self.tr("a patient")
        text = self.tr("An unsaved procedure for {name} from {time} was recovered. Restore it?").format(
            name=name, time=f"{draft.saved_at:%Y-%m-%d %H:%M}"
        )
        if draft.author is None:
            text += "\n\n" + self.tr(
                "Author unknown (written by an earlier version of FacetDesk). If it is not yours, answer No: "
                "it is kept for whoever wrote it. If you restore and save it, it is saved in your name."
            )
        if self._saved_since(draft):
            text += "\n\n" + self.tr(
                "The procedure has been saved again since this draft was written; "
                "restoring it and saving replaces that later version."
            )
        answer = QMessageBox.question(
            self._parent,
            self.tr("Recovered procedure"),
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _saved_since(self, draft: Draft) -> bool:
        if draft.procedure_id is None or draft.procedure_version is None:
            return False
        try:
            return self._records.get_procedure(draft.procedure_id)[1].version > draft.procedure_version
        except NotFound:
            return False
