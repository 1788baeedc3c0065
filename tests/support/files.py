"""Files as customers send them, made in memory: photos (with a GPS position in their EXIF),
PDFs, a program renamed, a decompression bomb."""

import io
import random

from PIL import Image
from pypdf import PdfWriter

GPS_IFD = 0x8825
ORIENTATION = 0x0112
MADRID = {1: "N", 2: (40.0, 25.0, 0.0), 3: "W", 4: (3.0, 42.0, 0.0)}


def photo(
    width: int = 1200, height: int = 800, *, kind: str = "JPEG", gps: bool = True, seed: int = 0
) -> bytes:
    """A photo with detail (noise compresses badly, as a real photo does; the same for the same
    seed) and, for JPEG, EXIF with a camera, an orientation and a GPS position."""
    noise = random.Random(seed).randbytes(width * height * 3)
    picture = Image.frombytes("RGB", (width, height), noise)
    out = io.BytesIO()
    if kind == "JPEG":
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"
        exif[ORIENTATION] = 1
        if gps:
            exif[GPS_IFD] = MADRID
        picture.save(out, "JPEG", exif=exif.tobytes(), quality=92)
    else:
        picture.save(out, kind)
    return out.getvalue()


def png(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 128, 255, 200)).save(out, "PNG")
    return out.getvalue()


def pdf(pages: int = 2) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def program() -> bytes:
    """What a Windows program starts with (the MZ header), as a `.exe` renamed `.jpg` has it."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(2048)


def bomb() -> bytes:
    """A PNG of a few KB that says it is 30,000 × 30,000 pixels (900 MP once decoded)."""
    out = io.BytesIO()
    Image.new("1", (30_000, 30_000)).save(out, "PNG", optimize=True)
    return out.getvalue()


def exif_of(data: bytes) -> dict[int, object]:
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif())
