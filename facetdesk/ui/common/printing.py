"""Prints a rendered PDF note page by page, so the printout is exactly the exported PDF."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, QSizeF
from PySide6.QtGui import QPageLayout, QPainter
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


def placement(page_points: QSizeF, printer: QPrinter) -> QRectF:
    """Where a page goes on the paper, in the printer's pixels from the paper's corner: at its own size (the note's
    margins are part of it), centred in the area the printer can reach, shrunk only as far as it must to fit there
    (a Letter note on A4), never enlarged. Qt's default margins (10 pt) are not the printer's: fitting the page into
    them shrank every note by 3 % and pushed it right and down."""
    dpi = printer.resolution()
    reachable = QPageLayout(printer.pageLayout())
    reachable.setMargins(reachable.minimumMargins())
    area = QRectF(reachable.paintRectPixels(dpi))
    width, height = page_points.width() / 72 * dpi, page_points.height() / 72 * dpi
    scale = min(1.0, area.width() / width, area.height() / height)
    width, height = width * scale, height * scale
    return QRectF(area.x() + (area.width() - width) / 2, area.y() + (area.height() - height) / 2, width, height)


def print_pdfs(documents: list[bytes], printer: QPrinter) -> int:
    """Every page of each PDF, in order, as one print job (the note and the patient's handout together);
    returns the number of pages printed."""
    loaded = [load_pdf(data) for data in documents]
    try:
        for document, _buffer in loaded:
            if document.status() != QPdfDocument.Status.Ready or document.pageCount() == 0:
                raise ValueError("the note could not be prepared for printing")
        # The painter's origin at the paper's corner, so that placement() alone decides where each page lands.
        printer.setFullPage(True)
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
                    painter.drawImage(placement(points, printer), image)
                    printed += 1
        finally:
            painter.end()
        return printed
    finally:
        for document, buffer in loaded:
            document.close()
            buffer.close()
