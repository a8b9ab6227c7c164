"""Drive widgets as a user would: find them by accessible name, type, click, choose."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDateTimeEdit,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QWidget,
)

from facetdesk.ui.common.widgets import to_qdatetime


def find(root: QWidget, name: str) -> QWidget:
    matches = [w for w in root.findChildren(QWidget) if w.accessibleName() == name]
    assert matches, f"no widget named {name!r}"
    visible = [w for w in matches if w.isVisibleTo(root)] or matches
    return visible[0]


def type_text(qtbot, widget: QWidget, text: str) -> None:
    """Key presses for each character; QTest only knows ASCII keys, so others go as text events."""
    for ch in text:
        if ch.isascii():
            qtbot.keyClicks(widget, ch)
        else:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch))


def type_into(qtbot, widget: QLineEdit, text: str) -> None:
    widget.setFocus()
    widget.selectAll()
    if text:
        type_text(qtbot, widget, text)
    else:
        widget.clear()
    assert widget.text() == text


def click(qtbot, button: QAbstractButton) -> None:
    assert button.isEnabled(), f"{button.accessibleName()} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=button.rect().center())


def choose(combo: QComboBox, value) -> None:
    """Pick the entry holding ``value`` (as a user picks it from the list)."""
    idx = combo.index_of(value) if hasattr(combo, "index_of") else combo.findData(value)
    if idx < 0:
        idx = combo.findText(str(value), Qt.MatchFlag.MatchContains)
    assert idx >= 0, f"{combo.accessibleName()} has no entry {value!r}"
    combo.setCurrentIndex(idx)


def set_spin(qtbot, spin, value) -> None:
    """Type a value into a spin box: select all, type, press Enter."""
    spin.setFocus()
    spin.selectAll()
    text = f"{value:g}" if isinstance(value, float) else str(value)
    qtbot.keyClicks(spin, text)
    qtbot.keyClick(spin, Qt.Key.Key_Enter)
    assert abs(spin.value() - value) < 1e-9, f"{spin.accessibleName()} is {spin.value()}, wanted {value}"


def set_datetime(edit, value) -> None:
    edit.setDateTime(to_qdatetime(value))


def choose_technique(ed, technique=None, intent=None, guidance=None, sedation=None) -> None:
    """Technique, intent, guidance and sedation (a new procedure has none until chosen): a diagnostic MBB under
    fluoroscopy without sedation unless told otherwise."""
    from facetdesk.domain.enums import Guidance, Intent, Sedation, Technique

    choose(find(ed, "Technique"), technique or Technique.MEDIAL_BRANCH_BLOCK)
    choose(find(ed, "Intent"), intent or Intent.DIAGNOSTIC_FIRST)
    choose(find(ed, "Image guidance"), guidance or Guidance.FLUOROSCOPY)
    choose(find(ed, "Sedation"), sedation or Sedation.NONE)


def open_window(qtbot, ctx, *, ask_restore=None, **options):
    """The main window on ``ctx``, on screen (widgets take clicks only there); ``options`` as MainWindow takes them
    (autosave_interval_ms, idle_ms). ``ask_restore`` answers the crash-draft question instead of a dialog."""
    from facetdesk.ui.shell.main_window import MainWindow

    window = MainWindow(ctx, **options)
    if ask_restore is not None:
        window.questions.ask_restore = ask_restore
    qtbot.addWidget(window)
    window.show()  # the restore offer comes now, answered above
    qtbot.waitExposed(window)
    return window


def start_procedure(qtbot, window, patient_id: int, when, physician: str = "Dr. Test", joint: str = "L4-L5 left"):
    """Open the patient, start a new procedure and fill the minimum a procedure needs; returns the editor."""
    window.patients.open_patient(patient_id)
    click(qtbot, find(window, "New procedure"))
    ed = window.editor
    set_datetime(find(ed, "Date and time of procedure"), when)
    type_into(qtbot, find(ed, "Performing physician"), physician)
    choose_technique(ed)
    ed.tabs.setCurrentIndex(2)  # Targets: the check boxes must be on screen to be clicked
    click(qtbot, find(ed, joint))
    return ed


def show_tab(ed, title: str) -> None:
    """Switch tabs as the user does, so the widgets clicked next are on screen."""
    titles = [ed.tabs.tabText(i).removeprefix("⚠ ").replace("&&", "&") for i in range(ed.tabs.count())]
    ed.tabs.setCurrentIndex(titles.index(title))


INPUTS = (QLineEdit, QComboBox, QAbstractSpinBox, QDateTimeEdit, QPlainTextEdit, QAbstractButton, QAbstractItemView)


def _inside(widget: QWidget, kinds: tuple) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, kinds) or type(parent).__name__ == "QComboBoxPrivateContainer":
            return True
        parent = parent.parentWidget()
    return False


def unnamed_inputs(root: QWidget) -> list[str]:
    unnamed = []
    for w in root.findChildren(QWidget):
        if not isinstance(w, INPUTS) or w.accessibleName():
            continue
        if isinstance(w, QAbstractButton) and (w.text().replace("&", "") or w.objectName().startswith("qt_")):
            continue  # a button is read out by its own text; "qt_" buttons are Qt's own chrome
        if isinstance(w.parentWidget(), QLineEdit):
            continue  # the line edit's own clear button
        if (
            isinstance(w, QHeaderView)
            or _inside(w, (QAbstractSpinBox, QComboBox))
            or type(w).__name__ == "QTableCornerButton"
        ):
            continue  # the inner parts Qt builds a spin box or a combo box (and its popup) from
        if isinstance(w, QAbstractButton) and isinstance(w.parentWidget(), QTabBar):
            continue
        unnamed.append(f"{type(w).__name__} {w.objectName()!r} in {type(w.parentWidget()).__name__}")
    return unnamed
