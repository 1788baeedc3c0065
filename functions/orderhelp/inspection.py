"""What uploaded bytes really are, whatever their name and declared type said.

First the magic numbers: the bytes must start as the declared type does. Then the bytes are
decoded by a real parser: images by Pillow (HEIC through pillow-heif), refused before decoding
when they declare more pixels than `MAX_IMAGE_PIXELS` (a decompression bomb), and re-encoded
from their pixels alone, so nothing of the original file survives — no EXIF, no GPS position, no
comments, no trailing bytes; a PDF by pypdf, which must find its pages. A thumbnail is made of
every image.

Pure bytes in, bytes out: no AWS here (the processing flow reads and writes the bucket)."""

import io
import warnings
from dataclasses import dataclass

import pillow_heif
from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from lifecycle.attachments import (
    MAX_IMAGE_PIXELS,
    MAX_PDF_PAGES,
    THUMBNAIL_PIXELS,
    AttachmentType,
    RejectionReason,
)

pillow_heif.register_heif_opener()
# Pillow's own guard, for anything that reaches a decoder: past the limit it refuses to decode.
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS

_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}

_PILLOW_FORMATS = {
    AttachmentType.JPEG: "JPEG",
    AttachmentType.PNG: "PNG",
    AttachmentType.WEBP: "WEBP",
    AttachmentType.HEIC: "HEIF",
}

_STORED_AS = {
    AttachmentType.JPEG: (AttachmentType.JPEG, "JPEG"),
    AttachmentType.PNG: (AttachmentType.PNG, "PNG"),
    AttachmentType.WEBP: (AttachmentType.WEBP, "WEBP"),
    # Browsers other than Safari cannot show HEIC: customer service gets a JPEG.
    AttachmentType.HEIC: (AttachmentType.JPEG, "JPEG"),
}


@dataclass(frozen=True)
class Inspected:
    """Bytes that are what they claim, as they are to be kept."""

    data: bytes
    content_type: str
    thumbnail: bytes | None = None
    width: int | None = None
    height: int | None = None
    pages: int | None = None


@dataclass(frozen=True)
class Refused:
    reason: RejectionReason


def sniffed_type(data: bytes) -> AttachmentType | None:
    """The allowed type the bytes' magic numbers name, if any."""
    if data.startswith(b"\xff\xd8\xff"):
        return AttachmentType.JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return AttachmentType.PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return AttachmentType.WEBP
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return AttachmentType.HEIC
    if data.startswith(b"%PDF-"):
        return AttachmentType.PDF
    return None


def inspect(data: bytes, declared: AttachmentType) -> Inspected | Refused:
    if sniffed_type(data) is not declared:
        return Refused(RejectionReason.TYPE_MISMATCH)
    if declared is AttachmentType.PDF:
        return _pdf(data)
    return _image(data, declared)


def _image(data: bytes, declared: AttachmentType) -> Inspected | Refused:
    try:
        with warnings.catch_warnings():
            # Pillow warns between its limit and twice it; here the limit is the limit.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[declared]]) as opened:
                width, height = opened.size
                if width * height > MAX_IMAGE_PIXELS:
                    return Refused(RejectionReason.DECOMPRESSION_BOMB)
                opened.seek(0)  # an animation keeps its first frame only
                opened.load()
                ImageOps.exif_transpose(opened, in_place=True)
                picture = _plain_pixels(opened, declared)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return Refused(RejectionReason.DECOMPRESSION_BOMB)
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError):
        # Pillow's ways of saying the bytes do not decode (truncated, corrupt, crafted).
        return Refused(RejectionReason.UNREADABLE)
    stored_type, stored_format = _STORED_AS[declared]
    return Inspected(
        data=_encoded(picture, stored_format),
        content_type=str(stored_type),
        thumbnail=_thumbnail(picture),
        width=picture.width,
        height=picture.height,
    )


def _plain_pixels(image: Image.Image, declared: AttachmentType) -> Image.Image:
    """The pixels alone, in a plain mode: nothing the original carried besides them (EXIF, GPS,
    comments, colour profiles, text chunks) is kept to be written again. Converted only when the
    mode differs: a 48 MP photo is 144 MB of pixels, and every copy counts against the memory."""
    keeps_alpha = declared in (AttachmentType.PNG, AttachmentType.WEBP)
    mode = "RGBA" if keeps_alpha and _has_alpha(image) else "RGB"
    plain = image if image.mode == mode else image.convert(mode)
    plain.info = {}
    return plain


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def _encoded(image: Image.Image, pillow_format: str) -> bytes:
    out = io.BytesIO()
    if pillow_format == "JPEG":
        image.save(out, "JPEG", quality=88, optimize=True)
    elif pillow_format == "WEBP":
        image.save(out, "WEBP", quality=88)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _thumbnail(image: Image.Image) -> bytes:
    scale = THUMBNAIL_PIXELS / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    small = image if scale >= 1 else image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    if small.mode != "RGB":
        backdrop = Image.new("RGB", small.size, "white")
        backdrop.paste(small, mask=small.getchannel("A") if "A" in small.getbands() else None)
        small = backdrop
    out = io.BytesIO()
    small.save(out, "JPEG", quality=80)
    return out.getvalue()


def _pdf(data: bytes) -> Inspected | Refused:
    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        if reader.is_encrypted:
            return Refused(RejectionReason.ENCRYPTED)
        pages = len(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError):
        return Refused(RejectionReason.UNREADABLE)
    if pages == 0:
        return Refused(RejectionReason.UNREADABLE)
    if pages > MAX_PDF_PAGES:
        return Refused(RejectionReason.TOO_MANY_PAGES)
    return Inspected(data=data, content_type=str(AttachmentType.PDF), pages=pages)
