"""Every input has an accessible name, so screen readers (and tests) can find it."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDateTimeEdit,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QWidget,
)

from facetdesk.ui.shell.main_window import MainWindow

INPUTS = (QLineEdit, QComboBox, QAbstractSpinBox, QDateTimeEdit, QPlainTextEdit, QAbstractButton, QAbstractItemView)


def _inside(widget: QWidget, kinds: tuple) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, kinds) or type(parent).__name__ == "QComboBoxPrivateContainer":
            return True
        parent = parent.parentWidget()
    return False


def _unnamed_inputs(root: QWidget) -> list[str]:
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


def test_every_input_in_the_main_window_and_editor_is_named(qtbot, ctx):
    patient = ctx.records.save_patient(
        {"mrn": "A-1", "family_name": "Testperson", "given_name": "Kim", "date_of_birth": "1970-01-01"}
    )
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    w.open_patient(patient.id)
    w.patient_page.form.add_anticoagulant("warfarin")
    w.new_procedure()
    ed = w.editor
    ed.medications.rows.add_row()
    ed.botox.sites.add_row()
    ed.pain.rows.add_row()
    unnamed = _unnamed_inputs(w)
    assert unnamed == [], "\n".join(unnamed)
