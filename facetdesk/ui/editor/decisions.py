"""The editor's decision support and presets: live findings, running totals, acknowledgements, applying presets.

A controller of one ProcedureEditor, built with it and the catalog: it evaluates the rules on what the form holds,
shows the result in the editor's findings panel and running totals, and records acknowledgements through the
editor's public methods.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMenu

from facetdesk.domain.catalog import Catalog
from facetdesk.domain.preset import Preset, apply_preset
from facetdesk.domain.procedure import Override
from facetdesk.domain.users import Permission
from facetdesk.rules import Finding, Status
from facetdesk.rules.risks import concerns_present_risk
from facetdesk.services.decision import DraftCheck, check_draft
from facetdesk.ui.editor.preset_menu import preset_menu

if TYPE_CHECKING:
    from facetdesk.ui.editor.host import EditorHost


class DecisionSupport(QObject):
    def __init__(self, editor: EditorHost, parent: QObject, catalog: Catalog):
        super().__init__(parent)
        self._editor, self._catalog = editor, catalog

    def refresh_findings(self) -> list[Finding]:
        """Evaluate every rule on what the form holds now (no save needed)."""
        editor = self._editor
        patient = editor.patient
        if patient is None:
            return []
        result = check_draft(patient, editor.data(), editor.priors, self._catalog, editor.follow_ups)
        problems = [str(p) for p in result.problems]
        if not result.evaluated:
            # Never an earlier result (another procedure's, another patient's): nothing until this form validates.
            editor.findings.show_not_evaluated(problems)
            editor.form.pain.set_block_agent(None, None, False)
            editor.form.botox.set_window_status("", None)
            return []
        pinned = [f for f in result.findings if concerns_present_risk(f, patient)]
        editor.findings.set_findings(result.findings, editor.overrides, problems, pinned)
        self._show_running_totals(result)
        return result.findings

    def _show_running_totals(self, result: DraftCheck) -> None:
        """Totals the physician watches while typing, as decision support computed them."""
        editor = self._editor
        block = result.block
        editor.form.pain.set_block_agent(block.name if block else None, block.hours if block else None,
                                    bool(block and block.unconfirmed))  # fmt: skip
        window = next((f for f in result.findings if f.rule == "botox.units_window"), None)
        if window is None or editor.form.botox.data() is None:
            editor.form.botox.set_window_status("", None)
        else:
            within = {Status.MET: True, Status.NOT_MET: False}.get(window.status)
            editor.form.botox.set_window_status(window.message, within)

    def show_field(self, path: tuple) -> None:
        """Show the field a finding concerns, with the cursor in it; the patient's own fields are on their page."""
        if path and path[0] == "patient":
            self._editor.messages.set_status(
                self.tr("This finding concerns the patient record: edit it on the patient page.")
            )
        else:
            self._editor.form.focus_field(path)

    def show_preset_menu(self) -> QMenu:
        editor = self._editor
        menu = preset_menu(editor.presets_source(), self.apply_preset, editor.preset_button)
        menu.popup(editor.preset_button.mapToGlobal(editor.preset_button.rect().bottomLeft()))
        return menu

    def apply_preset(self, preset: Preset) -> None:
        """Fill technique and medications from a clinic preset; levels and scores stay the physician's."""
        editor = self._editor
        assert editor.patient is not None
        if editor.locked or editor.refuse(Permission.EDIT_PROCEDURE):
            return
        editor.load_data(editor.patient, editor.procedure, apply_preset(preset, editor.data()))
        editor.messages.set_status(self.tr("Preset applied: {name}").format(name=preset.name))

    def acknowledge(self, finding: Finding) -> Override | None:
        editor = self._editor
        if editor.locked or editor.refuse(Permission.EDIT_PROCEDURE):  # a signed procedure takes no new ones
            return None
        reason = editor.questions.ask_reason(finding)
        if not reason:
            return None
        override = Override(
            rule=finding.rule,
            reason=reason,
            # The person signed in decides, whoever performed the procedure.
            acknowledged_by=self._acknowledger(),
            acknowledged_at=datetime.now().replace(microsecond=0),
        )
        editor.add_override(override)
        return override

    def _acknowledger(self) -> str:
        editor = self._editor
        actor = editor.work.actor if editor.work is not None else None
        if actor is not None:
            return actor.display_name
        return editor.form.physician.text().strip() or self.tr("unknown user")
