"""The procedure editor is built the first time it is needed; until then the window works without it."""

from __future__ import annotations

from PySide6.QtCore import QSettings


def _patient(ctx, n: int = 1):
    return ctx.records.save_patient(
        {"mrn": f"L-{n}", "family_name": "Lazyperson", "given_name": "Kim", "date_of_birth": "1970-01-01"}
    )


def test_the_editor_is_built_when_a_procedure_is_started(qtbot, ctx):
    from facetdesk.ui.shell.main_window import MainWindow

    patient = _patient(ctx)
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    assert w.stack.count() == 1  # only the patient page
    assert not w.menus.undo_action.isEnabled() and not w.menus.redo_action.isEnabled()
    w.save_current()  # nothing open: saves the (empty) patient form, never builds the editor
    w.session.lock()
    w.session.try_unlock("wrong")  # no account behind the test actor: refused, still locked
    assert w.stack.count() == 1
    w.patients.open_patient(patient.id)
    w.procedures.new_procedure()
    assert w.stack.count() == 2 and w.stack.currentWidget() is w.editor
    assert w.undo_group.activeStack() is w.editor.undo_stack


def test_the_editor_layout_survives_a_session_that_never_opened_it(qtbot, ctx):
    from facetdesk.ui.shell.main_window import MainWindow

    patient = _patient(ctx)
    first = MainWindow(ctx)
    qtbot.addWidget(first)
    first.show()
    first.patients.open_patient(patient.id)
    first.procedures.new_procedure()
    total = sum(first.editor.splitter.sizes())
    first.editor.splitter.setSizes([total // 3, total - total // 3])
    wanted = first.editor.splitter.sizes()
    first.close()
    saved = QSettings().value("window/editor_splitter")
    assert saved is not None

    second = MainWindow(ctx)  # opens and closes without ever showing a procedure
    qtbot.addWidget(second)
    second.show()
    second.close()
    assert QSettings().value("window/editor_splitter") == saved

    third = MainWindow(ctx)
    qtbot.addWidget(third)
    third.show()
    third.patients.open_patient(patient.id)
    third.procedures.new_procedure()
    # The same split; in pixels it scales with the window, whose restored width the (offscreen) screen may clamp.
    sizes = third.editor.splitter.sizes()
    assert abs(sizes[0] / sum(sizes) - wanted[0] / sum(wanted)) < 0.01
