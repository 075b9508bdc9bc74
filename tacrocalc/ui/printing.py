"""Printing the monitoring plan: the pages of the very PDF that "Export plan…" writes."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QWidget


class PdfPages:
    """A PDF held in memory, page by page, for printing and previewing."""

    def __init__(self, pdf: bytes, parent: QWidget | None = None) -> None:
        self._data = QByteArray(pdf)
        self._buffer = QBuffer(self._data)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(parent) if parent is not None else QPdfDocument()
        self.document.load(self._buffer)

    @property
    def count(self) -> int:
        return int(self.document.pageCount())

    def paint(self, printer: QPrinter) -> int:
        """Draw every page onto `printer` at its resolution; returns the pages drawn."""
        painter = QPainter()
        if not painter.begin(printer):
            return 0
        try:
            for index in range(self.count):
                if index:
                    printer.newPage()
                target = printer.pageLayout().paintRectPixels(printer.resolution())
                size = self.document.pagePointSize(index)
                scale = min(target.width() / size.width(), target.height() / size.height())
                pixels = QSize(int(size.width() * scale), int(size.height() * scale))
                image = self.document.render(index, pixels)
                painter.drawImage(QRectF(0, 0, pixels.width(), pixels.height()), image)
        finally:
            painter.end()
        return self.count


def printer_for(paper: str) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    size = QPageSize.PageSizeId.Letter if paper == "letter" else QPageSize.PageSizeId.A4
    printer.setPageSize(QPageSize(size))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setFullPage(True)  # the PDF has its own margins
    return printer
