"""A return's printable label: an A6 PDF (what parcel-label printers take) with the RMA, the
order, the customer's address and the shop's returns address, the items, the drop-off deadline,
who pays the postage, and a QR code of the RMA for the drop-off point to scan.

Made with pydyf (the PDF writer WeasyPrint is built on) and segno (QR codes): both pure Python,
so they import in the Lambda artefact as they do here. The text uses the PDF's standard Helvetica
in WinAnsi encoding, which covers Spanish and the other Western European scripts of the shop's
addresses; a character outside it is printed as `?` rather than failing the label."""

import io
from typing import Any

import pydyf  # type: ignore[import-untyped]
import segno

from lifecycle.i18n import format_date, translate
from lifecycle.order import Address, Order
from lifecycle.policy import ReturnShippingPayer
from lifecycle.returns import Return

A6 = (298, 420)
"""Points (1/72 inch): 105 × 148 mm."""
MARGIN = 18
QR_SIZE = 110


def return_label(record: Return, order: Order, returns_address: Address, locale: str) -> bytes:
    """The label's PDF bytes."""
    assert record.rma is not None
    texts: dict[str, str] = {
        key: translate(locale, "returns", "label", key)
        for key in ("title", "from", "to", "rma", "order", "items", "drop_off_by", "scan")
    }
    width, height = A6
    page = _Page()
    top = height - MARGIN
    page.text(MARGIN, top - 14, texts["title"], size=14, bold=True)
    page.text(MARGIN, top - 36, record.rma, size=12, bold=True)
    page.text(MARGIN, top - 52, f"{texts['order']}: {order.order_id}", size=9)
    if record.drop_off_by is not None:
        deadline = format_date(record.drop_off_by, locale)
        page.text(MARGIN, top - 66, f"{texts['drop_off_by']}: {deadline}", size=9)
    postage = (
        "postage_customer"
        if record.return_shipping_paid_by is ReturnShippingPayer.CUSTOMER
        else "postage_shop"
    )
    page.text(MARGIN, top - 80, translate(locale, "returns", postage), size=8)

    y = top - 104
    page.text(MARGIN, y, texts["to"], size=8, bold=True)
    for line in _address_lines(returns_address):
        y -= 13
        page.text(MARGIN, y, line, size=11)
    y -= 22
    page.text(MARGIN, y, texts["from"], size=8, bold=True)
    for line in _address_lines(order.shipping_address):
        y -= 11
        page.text(MARGIN, y, line, size=9)
    y -= 20
    page.text(MARGIN, y, texts["items"], size=8, bold=True)
    names = {line.sku: line.name for line in order.items}
    for item in record.items[:6]:
        y -= 11
        page.text(MARGIN, y, f"{item.quantity} × {item.sku} {names.get(item.sku, '')}"[:60], size=8)

    qr_x, qr_y = width - MARGIN - QR_SIZE, MARGIN + 14
    page.qr(record.rma, qr_x, qr_y, QR_SIZE)
    page.text(qr_x, MARGIN, record.rma, size=8)
    page.text(MARGIN, MARGIN, texts["scan"][:40], size=7)
    return page.pdf(width, height)


def _address_lines(address: Address) -> list[str]:
    city = " ".join(part for part in (address.postal_code, address.city) if part)
    lines = [address.name, address.line1, address.line2, city, address.region, address.country]
    return [line for line in lines if line]


class _Page:
    """One page's drawing, in PDF operators."""

    def __init__(self) -> None:
        self.stream = pydyf.Stream()

    def text(self, x: float, y: float, text: str, *, size: float, bold: bool = False) -> None:
        self.stream.begin_text()
        self.stream.set_font_size("Bold" if bold else "Regular", size)
        self.stream.set_text_matrix(1, 0, 0, 1, x, y)
        self.stream.show_text(_pdf_string(text))
        self.stream.end_text()

    def qr(self, data: str, x: float, y: float, size: float) -> None:
        code = segno.make_qr(data, error="m")
        matrix = code.matrix
        quiet = 2
        modules = len(matrix) + 2 * quiet
        unit = size / modules
        self.stream.set_color_rgb(0, 0, 0)
        for row, cells in enumerate(matrix):
            for column, dark in enumerate(cells):
                if dark:
                    left = x + (column + quiet) * unit
                    bottom = y + size - (row + quiet + 1) * unit
                    self.stream.rectangle(left, bottom, unit, unit)
        self.stream.fill()

    def pdf(self, width: int, height: int) -> bytes:
        document = pydyf.PDF()
        fonts: dict[str, Any] = {}
        for name, base in (("Regular", "/Helvetica"), ("Bold", "/Helvetica-Bold")):
            font = pydyf.Dictionary(
                {
                    "Type": "/Font",
                    "Subtype": "/Type1",
                    "BaseFont": base,
                    "Encoding": "/WinAnsiEncoding",
                }
            )
            document.add_object(font)
            fonts[name] = font.reference
        document.add_object(self.stream)
        document.add_page(
            pydyf.Dictionary(
                {
                    "Type": "/Page",
                    "Parent": document.pages.reference,
                    "MediaBox": pydyf.Array([0, 0, width, height]),
                    "Contents": self.stream.reference,
                    "Resources": pydyf.Dictionary({"Font": pydyf.Dictionary(fonts)}),
                }
            )
        )
        output = io.BytesIO()
        document.write(output, compress=True)
        return output.getvalue()


def _pdf_string(text: str) -> bytes:
    """A PDF literal string in WinAnsi (cp1252), with its delimiters escaped."""
    raw = text.encode("cp1252", errors="replace")
    escaped = raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return b"(" + escaped + b")"
