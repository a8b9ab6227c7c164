"""The window's work area: the patient list beside the pages, which page is on show, and its remembered layout."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QByteArray, QObject, QSettings, Qt
from PySide6.QtWidgets import QMainWindow, QSplitter, QStackedWidget, QWidget

LIST_WIDTH = 380  # the patient list's width until the user sets one


class LaidOut(Protocol):
    """A page whose inner splitters are remembered (the procedure editor)."""

    def layout_state(self) -> QByteArray: ...

    def restore_layout_state(self, state: QByteArray | bytes) -> None: ...


class WorkArea(QObject):
    """The patient list and the page stack side by side; the list folds away while the editor is on show."""

    def __init__(self, window: QMainWindow, patient_list: QWidget, first_page: QWidget):
        super().__init__(window)
        self._window = window
        self.stack = QStackedWidget()
        self.stack.addWidget(first_page)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(patient_list)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([LIST_WIDTH, 900])
        self.splitter.setCollapsible(1, False)
        self._list_width = LIST_WIDTH
        # The editor's splitters as the user left them: applied when the editor is built.
        self.editor_state: QByteArray | None = None

    def on_show(self, page: QWidget) -> bool:
        return self.stack.currentWidget() is page

    def show_editor(self, editor: QWidget) -> None:
        # The editor and its findings need the width; the patient list folds away until needed.
        if self.splitter.sizes()[0] > 0:
            self._list_width = self.splitter.sizes()[0]
        if self.stack.indexOf(editor) < 0:
            self.stack.addWidget(editor)
        self.stack.setCurrentWidget(editor)
        self.splitter.setSizes([0, sum(self.splitter.sizes())])

    def show_page(self, page: QWidget) -> None:
        """A page beside the patient list (unfolded again if the editor had folded it)."""
        self.stack.setCurrentWidget(page)
        self.show_list()

    def show_list(self) -> None:
        if self.splitter.sizes()[0] == 0:
            total = sum(self.splitter.sizes())
            self.splitter.setSizes([self._list_width, total - self._list_width])

    def restore(self, editor: LaidOut | None) -> None:
        """Window size, toolbar and splitter positions as the user left them (per user, via QSettings)."""
        settings = QSettings()
        window = self._window
        for key, restore in (("window/geometry", window.restoreGeometry), ("window/state", window.restoreState)):
            value = settings.value(key)
            if value is not None:
                restore(value)
        stored = settings.value("window/editor_splitter")
        self.editor_state = stored if isinstance(stored, QByteArray) else None
        if editor is not None and self.editor_state is not None:
            editor.restore_layout_state(self.editor_state)
        width = settings.value("window/list_width")
        if width is not None:
            self._list_width = int(width)

    def save(self, editor: LaidOut | None) -> None:
        settings = QSettings()
        settings.setValue("window/geometry", self._window.saveGeometry())
        settings.setValue("window/state", self._window.saveState())
        if editor is not None:  # else the stored state is still the one restored, unchanged
            settings.setValue("window/editor_splitter", editor.layout_state())
        list_width = self.splitter.sizes()[0] or self._list_width
        if list_width:
            settings.setValue("window/list_width", list_width)
