"""Prints a rendered PDF note page by page, so the printout is exactly the exported PDF."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter

# Pages are rasterised at this resolution, which is what chart printers resolve.
PRINT_DPI = 300


def load_pdf(data: bytes, parent=None) -> tuple[QPdfDocument, QBuffer]:
    """A QPdfDocument over PDF bytes; keep the returned buffer alive as long as the document."""
    buffer = QBuffer(parent)
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument(parent)
    document.load(buffer)
    return document, buffer


def print_pdfs(documents: list[bytes], printer: QPrinter) -> int:
    """Every page of each PDF, in order, as one print job (the note and the patient's handout together);
    returns the number of pages printed."""
    loaded = [load_pdf(data) for data in documents]
    try:
        for document, _buffer in loaded:
            if document.status() != QPdfDocument.Status.Ready or document.pageCount() == 0:
                raise ValueError("the note could not be prepared for printing")
        painter = QPainter()
        if not painter.begin(printer):
            raise OSError("the printer could not be started")
        printed = 0
        try:
            for document, _buffer in loaded:
                for index in range(document.pageCount()):
                    if printed:
                        printer.newPage()
                    points = document.pagePointSize(index)
                    size = QSize(round(points.width() / 72 * PRINT_DPI), round(points.height() / 72 * PRINT_DPI))
                    image = document.render(index, size)
                    area = painter.viewport()
                    # Keep the page's proportions inside the printable area.
                    fitted = size.scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
                    painter.drawImage(QRect(area.topLeft(), fitted), image)
                    printed += 1
        finally:
            painter.end()
        return printed
    finally:
        for document, buffer in loaded:
            document.close()
            buffer.close()
