"""Note preview: the rendered PDF in a QPdfView, with Export PDF and Print beside it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from facetdesk.ui.common import style
from facetdesk.ui.common.printing import load_pdf, print_pdfs
from facetdesk.ui.common.widgets import named


class NotePreview(QDialog):
    """Shows exactly the bytes that Export writes and Print sends."""

    export_requested = Signal()
    printed = Signal(int)  # pages sent to the printer: the main window records the print in the audit trail

    def __init__(
        self,
        pdf: bytes,
        title: str,
        warnings: list[str] | None = None,
        parent=None,
        handout: Callable[[], bytes] | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(900, 1000)
        self.pdf = pdf
        # Renders the patient's handout (instructions and diary sheet), printed with the note in one job, never in
        # it: only when asked for, so a preview does not render (and evaluate the rules for) a second document.
        self.handout = handout
        self.document, self._buffer = load_pdf(pdf, self)
        self.view = named(QPdfView(self), "Note preview")
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.document)
        self.warning = QLabel("\n".join(warnings or []))
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(f"color: {style.ERROR_COLOR};")
        self.warning.setVisible(bool(warnings))
        self.pages = QLabel(self.tr("{n} page(s)").format(n=self.document.pageCount()))
        self.export_button = named(QPushButton(self.tr("Export PDF…")), "Export PDF from preview")
        self.print_button = named(QPushButton(self.tr("Print…")), "Print note", "Print (Ctrl+P)")
        self.print_button.setShortcut("Ctrl+P")
        self.print_both_button = named(
            QPushButton(self.tr("Print note and handout…")),
            "Print note and handout",
            self.tr("The chart note and the patient's instructions and pain diary sheet, in one print job"),
        )
        self.print_both_button.setVisible(handout is not None)
        close = named(QPushButton(self.tr("Close")), "Close preview")
        buttons = QHBoxLayout()
        buttons.addWidget(self.pages, 1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.print_both_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.warning)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.export_button.clicked.connect(self.export_requested)
        self.print_button.clicked.connect(self.print_note)
        self.print_both_button.clicked.connect(self.print_note_and_handout)
        close.clicked.connect(self.accept)

    def choose_printer(self) -> QPrinter | None:
        """The system print dialog (tests replace this with a QPrinter writing a file)."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        return printer if dialog.exec() == QDialog.DialogCode.Accepted else None

    def print_note(self) -> int:
        return self._print([self.pdf])

    def print_note_and_handout(self) -> int:
        return self._print([self.pdf, *([self.handout()] if self.handout else [])])

    def _print(self, documents: list[bytes]) -> int:
        printer = self.choose_printer()
        if printer is None:
            return 0
        try:
            pages = print_pdfs(documents, printer)
        except (OSError, ValueError) as exc:
            self.warning.setText(self.tr("Not printed: {msg}").format(msg=str(exc)))
            self.warning.show()
            return 0
        self.printed.emit(pages)
        return pages
