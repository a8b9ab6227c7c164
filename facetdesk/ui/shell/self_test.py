"""The self-test's window steps: the main window shown, a procedure opened in the editor, its note previewed.

Driven the way a physician's clicks drive them (the same flows, the same preview), on Qt's offscreen platform, so
that a bundle missing a Qt plugin, QtCharts (the editor's relief chart) or QtPdf (the preview) fails here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QTimer

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from facetdesk.ui.shell.main_window import MainWindow


@dataclass(frozen=True)
class PreviewSeen:
    pages: int
    name_found: bool
    page_rendered: bool


def keep_settings_in(folder: Path) -> None:
    """Window sizes and the last user name go to an INI file in ``folder``, never to the user's own settings."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))


def walk_through(
    app: QApplication,
    window: MainWindow,
    ids: tuple[int, int],
    family_name: str,
    screenshot: Path | None,
    step: Callable[[str], None],
) -> list[str]:
    """The window's steps, run in the app's event loop as a user's clicks are; what passed, or the first error."""
    passed: list[str] = []
    failure: list[BaseException] = []

    def walk() -> None:
        try:
            step("showing the main window")
            passed.append(window_shown(window, screenshot))
            step("opening the procedure in the editor")
            passed.append(open_in_editor(window, *ids))
            step("previewing the note")
            seen = preview_note(window, family_name)
            if seen.pages < 1 or not seen.name_found or not seen.page_rendered:
                raise RuntimeError(
                    f"{seen.pages} page(s), the patient's name in its text: {seen.name_found}, "
                    f"page 1 drawn: {seen.page_rendered}"
                )
            passed.append(f"note previewed: {seen.pages} page(s), the patient's name in its text, page 1 drawn")
        except BaseException as exc:  # noqa: BLE001 - raised again once the loop has ended
            failure.append(exc)
        finally:
            window.close()
            app.exit(0)

    QTimer.singleShot(0, walk)
    app.exec()
    if failure:
        raise failure[0]
    return passed


def window_shown(window: MainWindow, screenshot: Path | None) -> str:
    """The main window is on screen and paints; saved as a PNG when asked."""
    if not window.isVisible():
        raise RuntimeError("the main window is not visible")
    picture = window.grab()
    if picture.isNull() or picture.width() < 100 or picture.height() < 100:
        raise RuntimeError("the main window did not paint")
    if screenshot is not None and not picture.save(str(screenshot), "PNG"):
        raise RuntimeError(f"the screenshot could not be written to {screenshot}")
    icon = window.windowIcon()
    if icon.isNull():
        raise RuntimeError("the main window has no icon (resources/icons missing from the bundle?)")
    sizes = len(icon.availableSizes())
    return f"main window shown ({picture.width()}×{picture.height()}, platform {_platform()}, icon in {sizes} sizes)"


def open_in_editor(window: MainWindow, patient_id: int, procedure_id: int) -> str:
    """The patient's page, then the procedure in the editor (its chart, spine picker and rules)."""
    window.patients.open_patient(patient_id)
    window.procedures.open_procedure(procedure_id)
    editor = window.editor
    if window.stack.currentWidget() is not editor or editor.procedure is None or editor.procedure.id != procedure_id:
        raise RuntimeError("the procedure did not open in the editor")
    return "procedure opened in the editor"


def preview_note(window: MainWindow, family_name: str) -> PreviewSeen:
    """File → Preview note: the note rendered by the services, shown by QtPdf; its text read back from the view."""
    from PySide6.QtCore import QSize
    from PySide6.QtPdf import QPdfDocument

    preview = window.note_output.preview_note()
    if preview is None:
        raise RuntimeError("the note preview did not open")
    try:
        document = preview.document
        if document.status() != QPdfDocument.Status.Ready:
            raise RuntimeError(f"QtPdf could not read the note (status {document.status().name})")
        pages = document.pageCount()
        text = "\n".join(document.getAllText(i).text() for i in range(pages))
        image = document.render(0, QSize(425, 550)) if pages else None
        rendered = image is not None and not image.isNull()
        return PreviewSeen(pages, family_name.lower() in text.lower(), rendered)
    finally:
        preview.close()


def _platform() -> str:
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.platformName()
