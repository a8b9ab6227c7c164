"""The editor's decision support and presets: live findings, focus on a finding, overrides, applying presets."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMenu

from facetdesk.domain.preset import apply_preset
from facetdesk.domain.procedure import Override
from facetdesk.domain.users import Permission
from facetdesk.rules import Finding, Status
from facetdesk.rules.registry import rule_title
from facetdesk.rules.risks import concerns_present_risk
from facetdesk.services.decision import check_draft
from facetdesk.ui.editor.preset_menu import preset_menu


class DecisionSupportMixin:
    """Mixed into ProcedureEditor; uses its widgets, patient, priors, overrides and catalog."""

    def refresh_findings(self) -> list[Finding]:
        """Evaluate every rule on what the form holds now (no save needed)."""
        self._check_timer.stop()
        if self._patient is None:
            return []
        result = check_draft(self._patient, self.data(), self._priors, self._catalog)
        problems = [str(p) for p in result.problems]
        if not result.evaluated:
            # Never an earlier result (another procedure's, another patient's): nothing until this form validates.
            self.findings.show_not_evaluated(problems)
            self.pain.set_block_agent(None, None, False)
            self.botox.set_window_status("", None)
            return []
        pinned = [f for f in result.findings if concerns_present_risk(f, self._patient)]
        self.findings.set_findings(result.findings, self._overrides, problems, pinned)
        self._show_running_totals(result)
        return result.findings

    def _show_running_totals(self, result) -> None:
        """Totals the physician watches while typing, as decision support computed them."""
        block = result.block
        self.pain.set_block_agent(block.name if block else None, block.hours if block else None,
                                  bool(block and block.unconfirmed))  # fmt: skip
        window = next((f for f in result.findings if f.rule == "botox.units_window"), None)
        if window is None or self.botox.data() is None:
            self.botox.set_window_status("", None)
        else:
            within = {Status.MET: True, Status.NOT_MET: False}.get(window.status)
            self.botox.set_window_status(window.message, within)

    def show_preset_menu(self) -> QMenu:
        menu = preset_menu(self.presets_source(), self.apply_preset, self)
        menu.popup(self.preset_button.mapToGlobal(self.preset_button.rect().bottomLeft()))
        return menu

    def apply_preset(self, preset) -> None:
        """Fill technique and medications from a clinic preset; levels and scores stay the physician's."""
        assert self._patient is not None
        if self.locked or self._refuse(Permission.EDIT_PROCEDURE):
            return
        self.load_data(self._patient, self._procedure, apply_preset(preset, self.data()))
        self.status.setText(self.tr("Preset applied: {name}").format(name=preset.name))

    def focus_field(self, path: tuple) -> None:
        """Show the tab holding the field a finding concerns and put the cursor there."""
        if path and path[0] == "patient":
            self.status.setText(self.tr("This finding concerns the patient record: edit it on the patient page."))
            return
        for n in range(len(path), 0, -1):
            widget = self._focus.get(tuple(path[:n]))
            if widget is not None:
                tab = self.TAB_OF.get(str(path[0]))
                if tab is not None:
                    self.tabs.setCurrentIndex(tab)
                widget.setFocus(Qt.FocusReason.OtherFocusReason)
                return

    def ask_reason(self, finding: Finding) -> str | None:
        """Ask the physician why they proceed (tests replace this to answer without a dialog)."""
        text, ok = QInputDialog.getMultiLineText(
            self,
            self.tr("Acknowledge finding"),
            self.tr(
                "{rule}\n{msg}\n\nWhy do you proceed? This reason is stored with the procedure and printed in the note."
            ).format(rule=f"{rule_title(finding.rule)} ({finding.rule})", msg=finding.message),
        )
        return text.strip() if ok and text.strip() else None

    def acknowledge(self, finding: Finding) -> Override | None:
        if self.locked or self._refuse(Permission.EDIT_PROCEDURE):  # a signed procedure takes no new ones
            return None
        reason = self.ask_reason(finding)
        if not reason:
            return None
        override = Override(
            rule=finding.rule,
            reason=reason,
            # The person signed in decides, whoever performed the procedure.
            acknowledged_by=self._acknowledger(),
            acknowledged_at=datetime.now().replace(microsecond=0),
        )
        self._overrides = [o for o in self._overrides if o.rule != finding.rule] + [override]
        self._dirty = True
        self.findings.set_findings(self.findings.findings, self._overrides, pinned=self.findings.pinned)
        self._record_edit(None)
        return override

    def _acknowledger(self) -> str:
        actor = self.work.actor if self.work is not None else None
        if actor is not None:
            return actor.display_name
        return self.physician.text().strip() or self.tr("unknown user")
