"""What the editor's controllers (decision support, signing) use of the procedure editor, as a protocol.

The controllers are built by the editor and handed the editor itself; typing it by this protocol, not by the
editor's class, keeps them from importing the module that imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from PySide6.QtWidgets import QPushButton

    from facetdesk.domain.follow_up import FollowUp
    from facetdesk.domain.patient import Patient
    from facetdesk.domain.preset import Preset
    from facetdesk.domain.procedure import Override, Procedure
    from facetdesk.domain.users import Permission
    from facetdesk.services.session import WorkSession
    from facetdesk.services.signing import SigningService
    from facetdesk.ui.editor.findings_panel import FindingsPanel
    from facetdesk.ui.editor.form import ProcedureForm
    from facetdesk.ui.editor.messages import EditorMessages
    from facetdesk.ui.editor.questions import EditorQuestions


class EditorHost(Protocol):
    work: WorkSession | None
    signing: Callable[[], SigningService]
    presets_source: Callable[[], list[Preset]]
    form: ProcedureForm
    findings: FindingsPanel
    messages: EditorMessages
    questions: EditorQuestions
    preset_button: QPushButton
    follow_ups: list[FollowUp]

    @property
    def patient(self) -> Patient | None: ...

    @property
    def procedure(self) -> Procedure | None: ...

    @property
    def priors(self) -> list[Procedure]: ...

    @property
    def overrides(self) -> list[Override]: ...

    @property
    def locked(self) -> bool: ...

    def refuse(self, permission: Permission) -> bool: ...

    def data(self) -> dict[str, Any]: ...

    def load_data(self, patient: Patient, procedure: Procedure | None, data: dict[str, Any]) -> None: ...

    def add_override(self, override: Override) -> None: ...

    def has_unsaved_changes(self) -> bool: ...

    def save(self) -> Procedure | None: ...

    def stored_as(self, procedure: Procedure) -> None: ...

    def set_editable(
        self, edit_all: bool, edit_scores: bool, attach_images: bool = False, why_not: str = ""
    ) -> None: ...
