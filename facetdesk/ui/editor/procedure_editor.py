"""Procedure editor: the form, the findings beside it, and the record's buttons; errors shown beside the field.

The editor composes its parts and keeps the record's state (which patient, which stored version, unsaved or
not): the form (editor/form.py), decision support (editor/decisions.py), signing (editor/signing_controls.py),
the undo history (editor/undo.py), and the questions and messages it shows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from facetdesk.domain.catalog import Catalog
from facetdesk.domain.errors import InvalidRecord
from facetdesk.domain.follow_up import FollowUp
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Override, Procedure
from facetdesk.domain.users import NotPermitted, Permission
from facetdesk.rules import Finding
from facetdesk.services.records import RecordService
from facetdesk.services.session import WorkSession
from facetdesk.storage.errors import RecordLocked, StaleRecord, StorageError
from facetdesk.ui.common import style
from facetdesk.ui.common.widgets import ErrorLabel, named, rich
from facetdesk.ui.editor.decisions import DecisionSupport
from facetdesk.ui.editor.findings_panel import FindingsPanel
from facetdesk.ui.editor.form import TAB_OF, TAB_TITLES, ProcedureForm
from facetdesk.ui.editor.messages import EditorMessages
from facetdesk.ui.editor.questions import EditorQuestions
from facetdesk.ui.editor.signing_controls import SigningControls
from facetdesk.ui.editor.undo import EditHistory, StackShortcuts, procedure_for_widgets, restore_raw_fields

if TYPE_CHECKING:
    from facetdesk.services.signing import SigningService

PRESET_TIP = "Fill technique and medications from a clinic preset"


def _no_signing() -> SigningService:
    raise RuntimeError("this editor was built without a signing service")


class ProcedureEditor(QWidget):
    saved = Signal(object)  # Procedure
    closed = Signal()
    loaded = Signal()  # another procedure (or a blank one) now fills the form
    discarded = Signal()  # the user threw the unsaved edits away
    stale = Signal()  # a save or signature refused: another workstation changed or signed the procedure meanwhile
    export_requested = Signal()  # "Export PDF note…" pressed: the window exports (and audits) it
    audit_requested = Signal()  # "Audit trail…" pressed: the window shows this record's history

    TAB_OF = TAB_OF
    TAB_TITLES = TAB_TITLES

    def __init__(self, catalog: Catalog, records: RecordService):
        super().__init__()
        self._catalog = catalog
        self._records = records
        self._patient: Patient | None = None
        self._procedure: Procedure | None = None
        # Set by the main window: who is signed in (None: no session, the services decide everything), the
        # signing service, made on first use (it loads the PDF signer), and the clinic's presets.
        self.work: WorkSession | None = None
        self.signing: Callable[[], SigningService] = _no_signing
        self.presets_source: Callable[[], list] = list
        # The patient's follow-up visits (decision support judges repeats by them), read when a record is shown.
        self.follow_ups_source: Callable[[int], list[FollowUp]] = lambda patient_id: []
        self.follow_ups: list[FollowUp] = []
        self._overrides: list[Override] = []
        self._priors: list[Procedure] = []
        # Re-check shortly after the last keystroke rather than on every one.
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(150)
        self._check_timer.timeout.connect(self.refresh_findings)

        self.header = QLabel()
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setStyleSheet(style.BANNER_STYLE)
        self.error_summary = ErrorLabel()
        self.status = QLabel()
        self.status.setStyleSheet(f"color: {style.MUTED_COLOR};")
        self.messages = EditorMessages(self.status, self.error_summary)
        self.form = self.tabs = ProcedureForm(catalog, self.error_summary)
        # The stored record's images (the window sets images.source, the image service); kept apart from the form.
        self.images = self.form.documentation.images
        form = self.form
        # The fields other code (and tests) reach directly.
        self.errors, self.section, self.indication, self.outcome = (
            form.errors,
            form.section,
            form.indication,
            form.outcome,
        )
        self.performed_at, self.physician = form.performed_at, form.physician
        self.technique, self.guidance = form.technique, form.guidance
        self.targets, self.medications, self.botox, self.pain = form.targets, form.medications, form.botox, form.pain
        self.documentation = form.documentation
        self.history = EditHistory(self, self.data, self._show_snapshot)
        self.undo_stack = self.history.stack
        self.save_button = named(QPushButton(self.tr("Save procedure")), "Save procedure", "Save (Ctrl+S)")
        self.export_button = named(QPushButton(self.tr("Export PDF note…")), "Export PDF", "Export PDF (Ctrl+E)")
        self.close_button = named(QPushButton(self.tr("Back to patient")), "Back to patient")
        self.preset_button = named(QPushButton(self.tr("Apply preset…")), "Apply preset", PRESET_TIP)
        self.findings = FindingsPanel()
        self.decisions = DecisionSupport(self, self, catalog)
        self.signing_controls = SigningControls(self, self)
        self.questions = EditorQuestions(self, self.signing_controls.signer_name)
        controls = self.signing_controls
        self.sign_button, self.addendum_button, self.audit_button = (
            controls.sign_button, controls.addendum_button, controls.audit_button
        )  # fmt: skip
        self.signature_banner, self.addenda_view = controls.signature_banner, controls.addenda_view
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.preset_button)
        buttons.addWidget(self.status, 1)
        for button in (self.audit_button, self.export_button, self.addendum_button, self.sign_button):
            buttons.addWidget(button)
        buttons.addWidget(self.save_button)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.form)
        self.splitter.addWidget(self.findings)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([820, 480])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.header, self.signature_banner, self.addenda_view):
            layout.addWidget(widget)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.error_summary)
        layout.addLayout(buttons)
        controls.show_signature(None)
        self.preset_button.clicked.connect(self.decisions.show_preset_menu)
        self.findings.focus_requested.connect(self.decisions.show_field)
        self.findings.acknowledge_requested.connect(self.decisions.acknowledge)
        controls.stored.connect(self.saved)
        controls.stale.connect(self.stale)
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.closed)
        self.export_button.clicked.connect(self.export_requested)
        self.audit_button.clicked.connect(self.audit_requested)
        form.watch_inputs(self._on_change, StackShortcuts(self))

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
        self.findings.set_findings(self.findings.findings, self._overrides, pinned=self.findings.pinned)
        self.history.record(None)

    def has_unsaved_changes(self) -> bool:
        """Edits since the record was loaded or saved (undoing back to that point leaves none)."""
        return not self.undo_stack.isClean()

    def refresh_findings(self) -> list[Finding]:
        """Evaluate every rule on what the form holds now (no save needed)."""
        self._check_timer.stop()
        return self.decisions.refresh_findings()

    # ---- access (editor/signing_controls.py) --------------------------------
    @property
    def locked(self) -> bool:
        """Signed: the form is read-only."""
        return self.signing_controls.locked

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

    def set_editable(self, edit_all: bool, edit_scores: bool, attach_images: bool = False, why_not: str = "") -> None:
        """Which tabs take input: all of them, or only the pain scores (a nurse's diary entry), or none; and
        whether images may be attached (after signing too). ``why_not``: why not all, said on what it disables."""
        self.form.set_inputs_enabled(edit_all, edit_scores)
        self.images.set_may_attach(attach_images)
        self.save_button.setEnabled(edit_scores)
        self.preset_button.setEnabled(edit_all)
        self.preset_button.setToolTip(self.tr(PRESET_TIP) if edit_all else why_not)
        self.findings.set_can_acknowledge(edit_all, why_not)

    # ---- edits and their history ----------------------------------------------
    def _on_change(self, *args) -> None:
        if self.form.loading:
            return
        self.form.update_derived()
        self._check_timer.start()
        self.history.record(self.sender())

    def _show_snapshot(self, state: dict[str, Any]) -> None:
        """Put the form back to a snapshot (undo/redo) without recording it as a new edit."""
        tab = self.form.currentIndex()
        shown = procedure_for_widgets(state, self._catalog)
        with self.form.filling():
            self.form.load(shown, str(state.get("physician") or ""))
            self._overrides = list(shown.overrides) if shown else []
            restore_raw_fields(self.form, state)
        self.form.update_derived()
        self._check_timer.start()
        self.form.setCurrentIndex(tab)

    def discard_changes(self) -> None:
        """The user chose to throw the edits away: forget them and their history."""
        self.undo_stack.clear()
        self.discarded.emit()

    # ---- loading and saving ---------------------------------------------------
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

    def _show(
        self,
        patient: Patient,
        base: Procedure | None,
        shown: Procedure | None,
        physician_hint: str,
        raw: dict[str, Any] | None = None,
    ) -> None:
        """Load ``shown`` into the widgets while ``base`` is the stored record they will be saved over."""
        with self.form.filling():
            self.form.clear_errors()
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
            self.form.load(shown, physician_hint)
            self.images.show_procedure(base.id if base else None, bool(base and base.is_signed))
            self._overrides = list(shown.overrides) if shown else []
            if raw is not None:
                restore_raw_fields(self.form, raw)
            self._priors = self._records.procedures_of(patient.id) if patient.id is not None else []
            self.follow_ups = self.follow_ups_source(patient.id) if patient.id is not None else []
            self.export_button.setEnabled(base is not None and base.id is not None)
            self.status.setText("")
            self.form.setCurrentIndex(0)
        self.form.update_derived()
        self.refresh_findings()
        self.history.restart()
        self.signing_controls.show_signature(base)
        self.loaded.emit()

    def data(self) -> dict:
        base = self._procedure
        identity = {"id": base.id, "uid": base.uid, "version": base.version} if base else {"id": None, "version": 0}
        return {**identity, **self.form.values(), "overrides": [o.model_dump() for o in self._overrides]}

    def save(self) -> Procedure | None:
        """Validate and store; on failure show every error beside its field and save nothing."""
        assert self._patient is not None and self._patient.id is not None
        try:
            saved = self._records.save_procedure(self._patient.id, self.data())
        except InvalidRecord as exc:
            self.form.show_errors(exc.errors)
            self.error_summary.show_error(
                self.tr("Not saved — {n} problem(s) to fix:\n").format(n=len(exc.errors))
                + "\n".join(f"• {e}" for e in exc.errors)
            )
            return None
        except (StaleRecord, RecordLocked) as exc:
            self.error_summary.show_error(self.tr("Not saved: {msg}").format(msg=str(exc)))
            if not self.locked:  # signed here: the stored version is the one on show; else the window offers it
                self.stale.emit()
            return None
        except (StorageError, NotPermitted) as exc:  # e.g. signed meanwhile: the message says what to do
            self.error_summary.show_error(self.tr("Not saved: {msg}").format(msg=str(exc)))
            return None
        self.form.clear_errors()
        self._procedure = saved
        self.undo_stack.setClean()
        self.export_button.setEnabled(True)
        self.status.setText(self.tr("Saved at {t}").format(t=f"{datetime.now():%H:%M:%S}"))
        self.header.setText(
            self.header.text().replace(
                self.tr("new procedure"), self.tr("procedure of {d}").format(d=f"{saved.performed_at:%Y-%m-%d %H:%M}")
            )
        )
        self.images.show_procedure(saved.id, saved.is_signed)  # a new procedure can take images now
        self.saved.emit(saved)
        return saved

    # ---- what the window asks of the editor (it never reaches into the editor's widgets) ----------
    def set_usual_medication_agents(self, agents: list[str]) -> None:
        self.medications.set_usual_agents(agents)

    def focus_first_field(self) -> None:
        self.performed_at.setFocus()

    def layout_state(self) -> QByteArray:
        """The split between the form and the findings, to restore next time."""
        return self.splitter.saveState()

    def restore_layout_state(self, state: QByteArray | bytes) -> None:
        self.splitter.restoreState(state)
