"""Idle lock: an application-wide watch on keyboard and mouse, and the screen that hides patient data when locked."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from facetdesk.domain.users import Actor
from facetdesk.ui.common import style
from facetdesk.ui.common.widgets import ErrorLabel, named

MS_PER_MINUTE = 60_000
# What counts as someone at the workstation. Paint, timer and focus events do not.
_INPUT = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
    }
)


class IdleWatcher(QObject):
    """Emits ``idle`` after ``interval_ms`` without keyboard or mouse input anywhere in the application."""

    idle = Signal()

    def __init__(self, interval_ms: int, parent: QObject | None = None):
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(max(1, int(interval_ms)))
        self.timer.timeout.connect(self.idle)
        self._armed = False
        app = QCoreApplication.instance()
        if app is not None:
            # Removed by Qt when this object goes; every window and dialog of the app passes through here.
            app.installEventFilter(self)

    @property
    def interval_ms(self) -> int:
        return self.timer.interval()

    @property
    def armed(self) -> bool:
        return self._armed

    def set_interval(self, interval_ms: int) -> None:
        self.timer.setInterval(max(1, int(interval_ms)))
        if self._armed:
            self.timer.start()

    def arm(self) -> None:
        """Start counting (the window is on screen and unlocked)."""
        self._armed = True
        self.timer.start()

    def disarm(self) -> None:
        """Stop counting (locked, hidden or closed): nothing locks twice or after the window is gone."""
        self._armed = False
        self.timer.stop()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if self._armed and event.type() in _INPUT:
            self.timer.start()
        return False


class LockScreen(QWidget):
    """Covers the window while locked: the signed-in user unlocks with their password, or someone else signs in."""

    unlock_requested = Signal(str)  # password
    switch_requested = Signal(str, str)  # user name, password

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAutoFillBackground(True)
        self.title = QLabel(self.tr("FacetDesk is locked"))
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.title.setFont(font)
        self.who = QLabel()
        self.who.setWordWrap(True)
        self.draft_note = QLabel()
        self.draft_note.setWordWrap(True)
        self.draft_note.setStyleSheet(style.BANNER_STYLE)
        self.draft_note.hide()

        self.password = named(QLineEdit(), "Your password", self.tr("The password of the user who locked the screen"))
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.unlock_button = named(QPushButton(self.tr("Unlock")), "Unlock")
        self.unlock_button.setDefault(True)
        self.own_box = QGroupBox()
        own = QHBoxLayout(self.own_box)
        own.addWidget(QLabel(self.tr("Password")))
        own.addWidget(self.password, 1)
        own.addWidget(self.unlock_button)

        self.other_name = named(QLineEdit(), "Other user name")
        self.other_password = named(QLineEdit(), "Other user password")
        self.other_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.switch_button = named(
            QPushButton(self.tr("Sign in as this user")),
            "Sign in as another user",
            self.tr("The open procedure and patient are closed; unsaved changes are kept for their author"),
        )
        self.other_box = QGroupBox(self.tr("Someone else"))
        other = QFormLayout(self.other_box)
        other.addRow(self.tr("User name"), self.other_name)
        other.addRow(self.tr("Password"), self.other_password)
        button_row = QHBoxLayout()
        button_row.addStretch()
        button_row.addWidget(self.switch_button)
        other.addRow(button_row)

        self.error = ErrorLabel()
        self.error.setAccessibleName("Lock screen message")
        hint = QLabel(self.tr("Patient data stays hidden until a password is entered."))
        hint.setStyleSheet(f"color: {style.MUTED_COLOR};")
        hint.setWordWrap(True)

        card = QFrame()
        card.setFrameShape(QFrame.Shape.StyledPanel)
        card.setMaximumWidth(520)
        inner = QVBoxLayout(card)
        inner.setSpacing(style.SPACING + 4)
        inner.setContentsMargins(style.MARGIN * 2, style.MARGIN * 2, style.MARGIN * 2, style.MARGIN * 2)
        inner.addWidget(self.title)
        inner.addWidget(self.who)
        inner.addWidget(self.draft_note)
        inner.addWidget(self.own_box)
        inner.addWidget(self.other_box)
        inner.addWidget(self.error)
        inner.addWidget(hint)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 2)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

        self.unlock_button.clicked.connect(self._unlock)
        self.password.returnPressed.connect(self._unlock)
        self.switch_button.clicked.connect(self._switch)
        self.other_password.returnPressed.connect(self._switch)
        self.other_name.returnPressed.connect(self.other_password.setFocus)

    def clear_fields(self) -> None:
        """No password stays in a hidden field."""
        for field in (self.password, self.other_name, self.other_password):
            field.clear()
        self.error.clear_error()

    def show_for(
        self, actor: Actor | None, unsaved: bool, switching: bool = False, unsaved_details: bool = False
    ) -> None:
        """Reset the fields for ``actor`` (None: nobody is signed in, only "someone else" applies); ``unsaved``:
        the open procedure's edits, kept as a draft; ``unsaved_details``: the patient's, kept in memory."""
        self.clear_fields()
        now = f"{datetime.now():%H:%M}"
        if actor is None:
            self.who.setText(self.tr("Sign in to continue."))
        else:
            self.who.setText(
                self.tr("Locked at {t}. Signed in: {name} ({role}).").format(
                    t=now, name=actor.display_name, role=actor.role.label.lower()
                )
            )
            self.own_box.setTitle(self.tr("Continue as {name}").format(name=actor.display_name))
        self.own_box.setVisible(actor is not None)
        self.other_box.setTitle(self.tr("Sign in as someone else") if actor is not None else self.tr("Sign in"))
        name = actor.display_name if actor else ""
        notes: list[str] = []
        if unsaved:
            notes.append(
                self.tr(
                    "The open procedure has unsaved changes. They are kept as a draft: "
                    "if someone else signs in, it is closed and offered again to {name}."
                ).format(name=name)
            )
        if unsaved_details:
            notes.append(
                self.tr(
                    "The patient's details have unsaved changes. If someone else signs in, they are put "
                    "aside for {name} and offered back at their next sign-in (until FacetDesk is closed)."
                ).format(name=name)
            )
        self.draft_note.setText("\n".join(notes))
        self.draft_note.setVisible(bool(notes) and actor is not None)
        target = self.other_name if switching or actor is None else self.password
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_error(self, text: str) -> None:
        self.error.show_error(text)

    def _unlock(self) -> None:
        self.unlock_requested.emit(self.password.text())

    def _switch(self) -> None:
        if not self.other_name.text().strip():
            self.other_name.setFocus()
            self.show_error(self.tr("Enter the user name of the person signing in."))
            return
        self.switch_requested.emit(self.other_name.text().strip(), self.other_password.text())
