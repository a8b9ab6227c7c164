"""Procedure editor: every field of a facet procedure, errors shown beside the field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from facetdesk.domain.catalog import Catalog
from facetdesk.domain.enums import (
    Side,
    Technique,
)
from facetdesk.domain.errors import FieldError, InvalidRecord
from facetdesk.domain.patient import Patient
from facetdesk.domain.preset import Preset
from facetdesk.domain.procedure import Override, Procedure, derive_nerves
from facetdesk.domain.procedure_form import TABS, tab_of
from facetdesk.domain.users import NotPermitted, Permission
from facetdesk.rules import Finding
from facetdesk.rules.registry import rule_title
from facetdesk.services.records import RecordService
from facetdesk.services.session import WorkSession
from facetdesk.storage.errors import StaleRecord, StorageError
from facetdesk.ui.common import style
from facetdesk.ui.common.error_router import ErrorRouter
from facetdesk.ui.common.widgets import (
    ErrorLabel,
    named,
    rich,
)
from facetdesk.ui.editor.botox_panel import BotoxPanel
from facetdesk.ui.editor.decisions import DecisionSupport
from facetdesk.ui.editor.documentation_tab import DocumentationTab
from facetdesk.ui.editor.findings_panel import FindingsPanel
from facetdesk.ui.editor.form_sections import IndicationSection, OutcomeSection, ProcedureSection
from facetdesk.ui.editor.medications_panel import MedicationsPanel
from facetdesk.ui.editor.pain_panel import PainPanel
from facetdesk.ui.editor.signing_controls import SigningControls
from facetdesk.ui.editor.targets_panel import TargetsPanel
from facetdesk.ui.editor.undo import SnapshotCommand, StackShortcuts, procedure_for_widgets, restore_raw_fields

if TYPE_CHECKING:
    from facetdesk.services.signing import SigningService


def _no_signing() -> SigningService:
    raise RuntimeError("this editor was built without a signing service")


# Which tab holds the field at the start of an error path, so the tab can be marked (domain/procedure_form).
_TAB_OF = tab_of()


def _scroll(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setWidget(widget)
    return area


class ProcedureEditor(QWidget):
    saved = Signal(object)  # Procedure
    closed = Signal()
    loaded = Signal()  # another procedure (or a blank one) now fills the form
    discarded = Signal()  # the user threw the unsaved edits away
    stale = Signal()  # a save was refused: another workstation changed the procedure since it was opened
    export_requested = Signal()  # "Export PDF note…" pressed: the window exports (and audits) it
    audit_requested = Signal()  # "Audit trail…" pressed: the window shows this record's history

    TAB_OF = _TAB_OF
    TAB_TITLES = tuple(title.replace("&", "&&") for title in TABS)  # "&&" shows as "&" in a tab

    def __init__(self, catalog: Catalog, records: RecordService):
        super().__init__()
        self._catalog = catalog
        self._records = records
        self._patient: Patient | None = None
        self._procedure: Procedure | None = None
        self._dirty = False
        # Set by the main window: who is signed in (None: no session, the services decide everything), and the
        # signing service, made on first use (it loads the PDF signer).
        self.work: WorkSession | None = None
        self.signing: Callable[[], SigningService] = _no_signing
        self.decisions = DecisionSupport(self, catalog)
        self._loading = False
        self._overrides: list[Override] = []
        self._priors: list[Procedure] = []
        self._focus: dict[tuple, QWidget] = {}
        # Re-check shortly after the last keystroke rather than on every one.
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(150)
        self._check_timer.timeout.connect(self.refresh_findings)
        # Undo history of this procedure; _snapshot is the form as the top command left it.
        self.undo_stack = QUndoStack(self)
        self.undo_stack.indexChanged.connect(self._stack_moved)
        self._snapshot: dict[str, Any] = {}
        self._shortcuts = StackShortcuts(self)

        self.header = QLabel()
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setStyleSheet(style.BANNER_STYLE)
        self.error_summary = ErrorLabel()
        self.errors = ErrorRouter(self.error_summary)
        self.tabs = named(QTabWidget(), "Procedure sections")
        self.section = ProcedureSection(catalog, self._field, self.errors)
        self.indication = IndicationSection(catalog, self._field)
        self.outcome = OutcomeSection(catalog, self._field)
        # The fields other code (and tests) reach directly.
        self.performed_at, self.physician = self.section.performed_at, self.section.physician
        self.technique, self.guidance = self.section.technique, self.section.guidance
        self.targets = TargetsPanel(catalog)
        self.medications = MedicationsPanel(catalog)
        self.errors.register(("medications",), self.medications.rows.error)
        self.botox = BotoxPanel(catalog)
        self.errors.register(("botulinum_toxin",), self.botox.error)
        self.pain = PainPanel(catalog)
        self.errors.register(("pre_procedure_pain",), self.pain.pre_error)
        self.errors.register(("pain_scores",), self.pain.rows.error)
        self.documentation = DocumentationTab(self._field)
        # One page per tab of the form's description (domain/procedure_form.TABS), in its order.
        pages: dict[str, QWidget] = {
            "Procedure": _scroll(self.section),
            "Indication": _scroll(self.indication),
            "Targets": _scroll(self._wrap_with_error(self.targets, ("targets",))),
            "Medications": self.medications,
            "Botulinum toxin": _scroll(self.botox),
            "Pain & relief": _scroll(self.pain),
            "Outcome": _scroll(self.outcome),
            "Documentation": _scroll(self.documentation),
        }
        for title, shown in zip(TABS, self.TAB_TITLES, strict=True):
            self.tabs.addTab(pages[title], self.tr(shown))

        self.save_button = named(QPushButton(self.tr("Save procedure")), "Save procedure", "Save (Ctrl+S)")
        self.export_button = named(QPushButton(self.tr("Export PDF note…")), "Export PDF", "Export PDF (Ctrl+E)")
        self.close_button = named(QPushButton(self.tr("Back to patient")), "Back to patient")
        self.preset_button = named(
            QPushButton(self.tr("Apply preset…")), "Apply preset", "Fill technique and medications from a clinic preset"
        )
        # Set by the main window: returns the clinic's presets (kept in the database).
        self.presets_source: Callable[[], list] = list
        self.preset_button.clicked.connect(self.decisions.show_preset_menu)
        self.signing_controls = SigningControls(self)
        controls = self.signing_controls
        self.sign_button, self.addendum_button, self.audit_button = (
            controls.sign_button, controls.addendum_button, controls.audit_button
        )  # fmt: skip
        self.signature_banner, self.addenda_view = controls.signature_banner, controls.addenda_view
        controls.show_signature(None)
        self.status = QLabel()
        self.status.setStyleSheet(f"color: {style.MUTED_COLOR};")
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.preset_button)
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.audit_button)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.addendum_button)
        buttons.addWidget(self.sign_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.findings = FindingsPanel()
        self.findings.focus_requested.connect(self.focus_field)
        self.findings.acknowledge_requested.connect(self.decisions.acknowledge)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(self.findings)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([820, 480])
        layout.addWidget(self.header)
        layout.addWidget(self.signature_banner)
        layout.addWidget(self.addenda_view)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.error_summary)
        layout.addLayout(buttons)

        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.closed)
        self.export_button.clicked.connect(self.export_requested)
        self.audit_button.clicked.connect(self.audit_requested)
        for signal in (self.targets.changed, self.medications.changed, self.botox.changed, self.pain.changed):
            signal.connect(self._on_change)
        self._watch_inputs()
        for path, widget in (
            (("targets",), self.targets),
            (("medications",), self.medications.rows.table),
            (("botulinum_toxin",), self.botox.group),
            (("pain_scores",), self.pain.rows.table),
            (("pre_procedure_pain",), self.pain.pre_pain),
        ):
            self._focus[path] = widget

    def _watch_inputs(self) -> None:
        """Every edit marks the record changed and re-runs decision support."""
        for w in self.findChildren(QWidget):
            if w.parent() is None or isinstance(w.parentWidget(), (QAbstractSpinBox, QComboBox)):
                continue
            if isinstance(w, QLineEdit | QPlainTextEdit):
                w.textChanged.connect(self._on_change)
                w.installEventFilter(self._shortcuts)
            elif isinstance(w, QComboBox):
                w.currentIndexChanged.connect(self._on_change)
            elif isinstance(w, QDateTimeEdit):
                w.dateTimeChanged.connect(self._on_change)
            elif isinstance(w, QAbstractSpinBox) and hasattr(w, "valueChanged"):
                w.valueChanged.connect(self._on_change)
            elif isinstance(w, QCheckBox):
                w.toggled.connect(self._on_change)
            elif isinstance(w, QListWidget) and w is not self.findings.list:
                w.itemChanged.connect(self._on_change)

    # ---- building ---------------------------------------------------------
    def _wrap_with_error(self, widget: QWidget, path: tuple) -> QWidget:
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.addWidget(widget)
        lay.addWidget(self.errors.register(path, ErrorLabel()))
        lay.addStretch()
        return box

    def _field(self, form: QFormLayout, label: str, widget: QWidget, path: tuple) -> None:
        self._focus[path] = widget
        if isinstance(widget, QComboBox | QDateTimeEdit):
            widget.setMaximumWidth(style.COMBO_MAX_WIDTH)
        form.addRow(self.tr(label), self.errors.field(widget, path))

    # ---- state ----------------------------------------------------------
    @property
    def patient(self) -> Patient | None:
        return self._patient

    @property
    def procedure(self) -> Procedure | None:
        return self._procedure

    @property
    def priors(self) -> list[Procedure]:
        """The patient's other procedures, as decision support compares this one with them."""
        return self._priors

    @property
    def overrides(self) -> list[Override]:
        """The findings acknowledged on this form, with their reasons."""
        return self._overrides

    def add_override(self, override: Override) -> None:
        """An acknowledgement (replacing any earlier one of its rule): an edit, shown at once and undoable."""
        self._overrides = [o for o in self._overrides if o.rule != override.rule] + [override]
        self._dirty = True
        self.findings.set_findings(self.findings.findings, self._overrides, pinned=self.findings.pinned)
        self._record_edit(None)

    def field_widget(self, path: tuple) -> QWidget | None:
        """The widget a field of the form is entered in (as registered with its path)."""
        return self._focus.get(tuple(path))

    def has_unsaved_changes(self) -> bool:
        return self._dirty

    # ---- decision support, signing and access (editor/decisions.py, editor/signing_controls.py) ------
    def refresh_findings(self) -> list[Finding]:
        """Evaluate every rule on what the form holds now (no save needed)."""
        self._check_timer.stop()
        return self.decisions.refresh_findings()

    def apply_preset(self, preset: Preset) -> None:
        self.decisions.apply_preset(preset)

    def acknowledge(self, finding: Finding) -> Override | None:
        return self.decisions.acknowledge(finding)

    def sign(self) -> Procedure | None:
        return self.signing_controls.sign()

    def add_addendum(self) -> Procedure | None:
        return self.signing_controls.add_addendum()

    @property
    def locked(self) -> bool:
        """Signed: the form is read-only."""
        return self.signing_controls.locked

    def may(self, permission: Permission) -> bool:
        return self.signing_controls.may(permission)

    def refuse(self, permission: Permission) -> bool:
        """Say why, when the signed-in user may not; True when refused."""
        return self.signing_controls.refuse(permission)

    def refresh_access(self) -> None:
        """Apply the signed-in user's role to the form again (after another user signed in)."""
        self.signing_controls.show_signature(self._procedure)

    def stored_as(self, procedure: Procedure) -> None:
        """The record was stored again behind the form (signed, an addendum added): show that version."""
        self.error_summary.clear_error()
        self._procedure = procedure
        if procedure.is_signed:
            self.undo_stack.clear()  # nothing to undo into: the stored record is final

    def set_editable(self, edit_all: bool, edit_scores: bool) -> None:
        """Which tabs take input: all of them, or only the pain scores (a nurse's diary entry), or none."""
        pain_tab = self.TAB_OF["pain_scores"]
        for index, page in enumerate(self._input_pages()):
            page.setEnabled(edit_scores if index == pain_tab else edit_all)
        self.save_button.setEnabled(edit_scores)
        self.preset_button.setEnabled(edit_all)
        if hasattr(self, "findings"):  # built after the signing controls
            self.findings.set_can_acknowledge(edit_all)

    def _input_pages(self) -> list[QWidget]:
        # The content inside each tab's scroll area, so a locked record can still be scrolled and read.
        pages = []
        for i in range(self.tabs.count()):
            page = self.tabs.widget(i)
            inner = page.widget() if isinstance(page, QScrollArea) else None
            shown = inner if inner is not None else page
            if shown is not None:
                pages.append(shown)
        return pages

    # ---- questions the editor asks (tests replace these) ------------------------------------------
    def ask_sign(self, procedure: Procedure) -> str | None:
        """The physician's password to sign with (signing re-authenticates); None when they cancel."""
        return self.ask_password(self.tr("Sign procedure"), self.sign_question(procedure))

    def sign_question(self, procedure: Procedure) -> str:
        return self.tr(
            "Sign this procedure as {name}?\n\nAfter signing it can no longer be changed; "
            "corrections are added as signed addenda.\n\nYour password opens your signing key:"
        ).format(name=self.signing_controls.signer_name(procedure))

    def ask_acknowledgements(self, findings: list) -> dict[str, str] | None:
        """A reason for each open warning and critical finding (signing needs one each); None when cancelled."""
        from facetdesk.ui.signing.acknowledge_dialog import AcknowledgeDialog

        dialog = AcknowledgeDialog(findings, self)
        return dialog.answers() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def ask_password(self, title: str, label: str) -> str | None:
        password, ok = QInputDialog.getText(self, title, label, QLineEdit.EchoMode.Password)
        return password if ok and password else None

    def ask_addendum_text(self) -> str | None:
        text, ok = QInputDialog.getMultiLineText(
            self,
            self.tr("Add addendum"),
            self.tr("Addendum text. It is signed with your name and the time now and cannot be edited afterwards."),
        )
        return text.strip() if ok and text.strip() else None

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

    def focus_field(self, path: tuple) -> None:
        """Show the tab holding the field a finding concerns and put the cursor there."""
        if path and path[0] == "patient":
            self.set_status(self.tr("This finding concerns the patient record: edit it on the patient page."))
            return
        for n in range(len(path), 0, -1):
            widget = self._focus.get(tuple(path[:n]))
            if widget is not None:
                tab = self.TAB_OF.get(str(path[0]))
                if tab is not None:
                    self.tabs.setCurrentIndex(tab)
                widget.setFocus(Qt.FocusReason.OtherFocusReason)
                return

    def _on_change(self, *args) -> None:
        if self._loading:
            return
        self._dirty = True
        self._update_derived()
        self._check_timer.start()
        self._record_edit(self.sender())

    # ---- undo -------------------------------------------------------------
    def _form_state(self) -> dict[str, Any]:
        """What the user typed; the stored identity (id, uid, version) is not theirs to undo."""
        state = self.data()
        for key in ("id", "uid", "version"):
            state.pop(key, None)
        return state

    def _record_edit(self, source: object = None) -> None:
        after = self._form_state()
        if after == self._snapshot:
            return  # a second signal for the same edit, or a change that changed nothing
        name = source.accessibleName() if isinstance(source, QWidget) else ""
        command = SnapshotCommand(self._apply_snapshot, self._snapshot, after, source, name or self.tr("edit"))
        self._snapshot = after
        self.undo_stack.push(command)

    def _apply_snapshot(self, state: dict[str, Any]) -> None:
        """Put the form back to a snapshot (undo/redo) without recording it as a new edit."""
        tab = self.tabs.currentIndex()
        shown = procedure_for_widgets(state, self._catalog)
        self._loading = True
        try:
            self._set_widgets(shown, str(state.get("physician") or ""))
            restore_raw_fields(self, state)
        finally:
            self._loading = False
        self._snapshot = self._form_state()
        self._update_derived()
        self._check_timer.start()
        self.tabs.setCurrentIndex(tab)

    def _stack_moved(self, _index: int) -> None:
        # Undoing back to what was loaded or saved leaves nothing to save.
        self._dirty = not self.undo_stack.isClean()

    def discard_changes(self) -> None:
        """The user chose to throw the edits away: forget them and their history."""
        self.undo_stack.clear()
        self._dirty = False
        self.discarded.emit()

    # ---- decision support ---------------------------------------------------
    def _update_derived(self) -> None:
        targets = self.targets.targets()
        technique = self.technique.value()
        nerves: list[tuple[str, Side]] = []
        if technique == Technique.MEDIAL_BRANCH_BLOCK:
            nerves = derive_nerves(((t["level"], t["side"]) for t in targets), self._catalog)
        if not targets:
            text = self.tr("No joints selected.")
        else:
            text = self.tr("{n} joint(s) selected.").format(n=len(targets))
            if nerves:
                by_side = {side: ", ".join(n for n, s in nerves if s == side) for side in (Side.LEFT, Side.RIGHT)}
                parts = [f"{side.label}: {names}" for side, names in by_side.items() if names]
                text += " " + self.tr("Medial branch block targets {n} nerve(s): ").format(n=len(nerves))
                text += "; ".join(parts) + "."
        self.targets.set_summary(text)
        self.targets.set_nerves(nerves)
        self.botox.set_regions(
            list(dict.fromkeys(j.region for t in targets if (j := self._catalog.joint(t["level"])) is not None))
        )
        self.medications.set_counts(len(targets), len(nerves))
        self.pain.update_derived()
        self.documentation.set_context(self.guidance.value(), self.botox.group.isChecked())

    def load(self, patient: Patient, procedure: Procedure | None, physician_hint: str = "") -> None:
        """Show a stored procedure, or a blank one for the patient when procedure is None."""
        self._show(patient, procedure, procedure, physician_hint)

    def load_data(self, patient: Patient, procedure: Procedure | None, data: dict[str, Any]) -> None:
        """Show raw form values (a recovered draft) over ``procedure``; the result is unsaved.

        The values pass through lenient validation to reach the widgets; then the date, the joints,
        the table rows (half-filled ones included) and free text are put back exactly as they were.
        """
        if procedure is not None and procedure.is_signed:
            self.load(patient, procedure)  # a signed record is final: no draft or preset goes over it
            return
        shown = procedure_for_widgets(data, self._catalog)
        self._show(patient, procedure, shown, str(data.get("physician") or ""), raw=data)
        self.undo_stack.resetClean()  # no undo step leads back to a saved state
        self._dirty = True

    def _show(
        self,
        patient: Patient,
        base: Procedure | None,
        shown: Procedure | None,
        physician_hint: str,
        raw: dict[str, Any] | None = None,
    ) -> None:
        """Load ``shown`` into the widgets while ``base`` is the stored record they will be saved over."""
        self._loading = True
        self.errors.clear()
        self._set_tab_marks(set())
        self._patient = patient
        self._procedure = base
        self.header.setText(
            f"<b>{rich(patient.display_name)}</b> &nbsp; MRN {rich(patient.mrn)} &nbsp; "
            f"DOB {patient.date_of_birth:%Y-%m-%d} &nbsp; — "
            + (
                self.tr("procedure of {d}").format(d=f"{base.performed_at:%Y-%m-%d %H:%M}")
                if base
                else self.tr("new procedure")
            )
        )
        self._set_widgets(shown, physician_hint)
        if raw is not None:
            restore_raw_fields(self, raw)
        self._priors = self._records.procedures_of(patient.id) if patient.id is not None else []
        self.export_button.setEnabled(base is not None and base.id is not None)
        self.status.setText("")
        self.tabs.setCurrentIndex(0)
        self._loading = False
        self._update_derived()
        self.refresh_findings()
        self._snapshot = self._form_state()
        self.undo_stack.clear()
        self._dirty = False
        self.signing_controls.show_signature(base)
        self.loaded.emit()

    def _set_widgets(self, p: Procedure | None, physician_hint: str) -> None:
        self.section.load(p, physician_hint)
        self.indication.load(p)
        self._overrides = list(p.overrides) if p else []
        self.targets.set_targets(p.targets if p else [])
        self.medications.load(p.medications if p else [])
        self.botox.load(p.botulinum_toxin if p else None)
        self.pain.load(p.pre_procedure_pain if p else None, p.pain_scores if p else [])
        self.outcome.load(p)
        self.documentation.load(p)

    def data(self) -> dict:
        base = self._procedure
        identity = {"id": base.id, "uid": base.uid, "version": base.version} if base else {"id": None, "version": 0}
        return {
            **identity,
            **self.section.data(),
            **self.indication.data(),
            "targets": self.targets.targets(),
            "medications": self.medications.data(),
            "botulinum_toxin": self.botox.data(),
            "pre_procedure_pain": self.pain.pre_pain.value_or_none(),
            "pain_scores": self.pain.scores(),
            **self.outcome.data(),
            **self.documentation.data(),
            "overrides": [o.model_dump() for o in self._overrides],
        }

    def save(self) -> Procedure | None:
        """Validate and store; on failure show every error beside its field and save nothing."""
        assert self._patient is not None and self._patient.id is not None
        data = self.data()
        try:
            saved = self._records.save_procedure(self._patient.id, data)
        except InvalidRecord as exc:
            self.show_errors(exc.errors)
            return None
        except StaleRecord as exc:
            self.error_summary.show_error(self.tr("Not saved: {msg}").format(msg=str(exc)))
            self.stale.emit()  # the window offers to reload it
            return None
        except (StorageError, NotPermitted) as exc:  # e.g. signed meanwhile: the message says what to do
            self.error_summary.show_error(self.tr("Not saved: {msg}").format(msg=str(exc)))
            return None
        self.errors.clear()
        self._set_tab_marks(set())
        self._procedure = saved
        self._dirty = False
        self.undo_stack.setClean()
        self.export_button.setEnabled(True)
        self.status.setText(self.tr("Saved at {t}").format(t=f"{datetime.now():%H:%M:%S}"))
        self.header.setText(
            self.header.text().replace(
                self.tr("new procedure"), self.tr("procedure of {d}").format(d=f"{saved.performed_at:%Y-%m-%d %H:%M}")
            )
        )
        self.saved.emit(saved)
        return saved

    # ---- what the window asks of the editor (it never reaches into the editor's widgets) ----------
    def set_status(self, text: str) -> None:
        """A line beside the buttons ("Recovered draft: review it and save")."""
        self.status.setText(text)

    def set_usual_medication_agents(self, agents: list[str]) -> None:
        self.medications.set_usual_agents(agents)

    def focus_first_field(self) -> None:
        self.performed_at.setFocus()

    def layout_state(self) -> QByteArray:
        """The split between the form and the findings, to restore next time."""
        return self.splitter.saveState()

    def restore_layout_state(self, state: QByteArray | bytes) -> None:
        self.splitter.restoreState(state)

    def show_error(self, message: str) -> None:
        """A problem with the whole record (not one field), above the buttons."""
        self.error_summary.show_error(message)

    def show_errors(self, errors: list[FieldError]) -> None:
        self.errors.show(errors)
        tabs = {_TAB_OF.get(str(e.path[0])) for e in errors if e.path}
        self._set_tab_marks({t for t in tabs if t is not None})
        self.error_summary.show_error(
            self.tr("Not saved — {n} problem(s) to fix:\n").format(n=len(errors)) + "\n".join(f"• {e}" for e in errors)
        )
        first = next((t for t in range(self.tabs.count()) if t in tabs), None)
        if first is not None:
            self.tabs.setCurrentIndex(first)

    def _set_tab_marks(self, tabs: set[int]) -> None:
        for i, title in enumerate(self.TAB_TITLES):
            self.tabs.setTabText(i, ("⚠ " if i in tabs else "") + self.tr(title))
