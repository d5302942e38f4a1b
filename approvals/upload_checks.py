"""What an uploaded file's bytes must be: PDF, DOCX, PNG or JPEG, whole, and
nothing else hidden inside (no polyglots). Used by approvals.storage, which
owns names, sizes and the files on disk.
"""
from __future__ import annotations

import io
import re
import warnings
import zipfile

import filetype
from PIL import Image

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PNG = "image/png"
JPEG = "image/jpeg"
EXTENSIONS = {PDF: "pdf", DOCX: "docx", PNG: "png", JPEG: "jpg"}

# A letter-size page scanned at 600 dpi is ~34 megapixels; anything far larger
# is not a certificate but an attempt to exhaust memory when decoded.
MAX_IMAGE_PIXELS = 40_000_000
# Declared uncompressed size of a .docx; bounds the work of checking its CRCs.
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024

ALLOWED_TEXT = "a PDF, Word (.docx), PNG or JPEG file"
# Markers a browser or an old IE content sniffer would take as a web page.
_HTML_MARKERS = (b"<html", b"<script", b"<body", b"<head", b"<!doctype", b"<iframe", b"<svg")
_DAMAGED = "“{}” looks like {} but is damaged or incomplete; please save or export it again."
_MACROS = ("“{}” is a macro-enabled Word file; macros are not accepted — "
           "save it as a regular Word document (.docx) or PDF.")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# In scan data 0xFF is followed by 0x00 (stuffing), a restart marker or fill.
_JPEG_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


class UploadRejected(Exception):
    """An upload we refuse; ``message`` is shown to the uploader as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message



def check_content(data: bytes, display: str) -> str:
    """The canonical content type of *data*. Raises UploadRejected when it is
    not one of the four accepted types, is damaged, macro-enabled, or a
    polyglot."""
    content_type = _detect(data, display)
    if content_type == PDF:
        _check_pdf(data, display)
    elif content_type == DOCX:
        _check_docx(data, display)
    else:
        _check_image(data, content_type, display)
    if content_type != DOCX and _contains_zip(data):
        raise UploadRejected(f"“{display}” has a ZIP archive hidden inside it; "
                             "please save or export it again.")
    return content_type


def _detect(data: bytes, display: str) -> str:
    """The canonical content type, or ``UploadRejected`` naming what it looks like."""
    kind = filetype.guess(data)
    mime = kind.mime if kind else None
    if data.startswith(b"%PDF-") and mime == PDF:
        return PDF
    if data.startswith(_PNG_SIGNATURE) and mime in (PNG, "image/apng"):
        return PNG
    if data.startswith(b"\xff\xd8\xff") and mime == JPEG:
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return DOCX  # filetype only guesses from entry order; _check_docx decides
    raise UploadRejected(f"“{display}” is not {ALLOWED_TEXT} — {_describe(data, kind)}.")


def _describe(data: bytes, kind: filetype.Type | None) -> str:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if data.startswith(b"MZ"):
        return "its contents look like a Windows program"
    if data.startswith(b"\x7fELF"):
        return "its contents look like a Linux program"
    if data.startswith(b"#!"):
        return "its contents look like a script"
    if head.startswith(b"<") and any(m in head for m in _HTML_MARKERS):
        return "its contents look like a web page"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "it is an old-style Office file (for example .doc); save it as .docx or PDF"
    if kind is not None:
        name = kind.extension.upper()
        return f"its contents look like {'an' if name[0] in 'AEIOU' else 'a'} {name} file"
    return "its contents are not in any of those formats"


def _check_pdf(data: bytes, display: str) -> None:
    if not re.match(rb"%PDF-\d\.\d", data) or b"%%EOF" not in data[-4096:]:
        raise UploadRejected(_DAMAGED.format(display, "a PDF"))
    # Readers accept a header anywhere in the first KB and browsers sniff the
    # same region, so markup there makes the file double as a web page.
    if any(m in data[:1024].lower() for m in _HTML_MARKERS):
        raise UploadRejected(f"“{display}” is a PDF with web-page code at its start; "
                             "please export it again as a plain PDF.")


def _check_docx(data: bytes, display: str) -> None:
    damaged = UploadRejected(_DAMAGED.format(display, "a Word document"))
    if b"%PDF-" in data[:1024]:  # a PDF reader would open this too
        raise UploadRejected(f"“{display}” is both a PDF and a ZIP archive; "
                             "please save it again as a plain PDF or .docx.")
    eocd = data.rfind(b"PK\x05\x06")
    if eocd < 0 or eocd + 22 + int.from_bytes(data[eocd + 20:eocd + 22], "little") != len(data):
        raise damaged  # truncated, or something appended
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = {info.filename.lower(): info for info in zf.infolist()}
            content_types = infos.get("[content_types].xml")
            if any(name.rsplit("/", 1)[-1] == "vbaproject.bin" for name in infos):
                raise UploadRejected(_MACROS.format(display))
            if content_types is None or "word/document.xml" not in infos:
                raise UploadRejected(f"“{display}” is not {ALLOWED_TEXT} — its contents look "
                                     "like a ZIP archive rather than a Word document.")
            if (sum(i.file_size for i in infos.values()) > MAX_UNZIPPED_BYTES
                    or content_types.file_size > 1024 * 1024):
                raise damaged
            if b"macroenabled" in zf.read(content_types).lower():
                raise UploadRejected(_MACROS.format(display))
            if zf.testzip() is not None:
                raise damaged
    except UploadRejected:
        raise
    except Exception as exc:  # hostile input: any parser failure means "not usable"
        raise damaged from exc


def _check_image(data: bytes, content_type: str, display: str) -> None:
    label = "PNG" if content_type == PNG else "JPEG"
    damaged = UploadRejected(_DAMAGED.format(display, f"a {label} image"))
    end = _png_end(data) if content_type == PNG else _jpeg_end(data)
    if end is None:
        raise damaged
    if end != len(data):
        raise UploadRejected(f"“{display}” has extra data hidden after the end of the image; "
                             f"please save or export it again as a plain {label}.")
    too_big = UploadRejected(f"“{display}” has too many pixels; the limit is "
                             f"{MAX_IMAGE_PIXELS // 1_000_000} megapixels.")
    try:
        # Pillow only warns between its own limit and twice that; make the
        # warning an error here so a bomb is refused in production too.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[label]) as im:
                if im.width * im.height > MAX_IMAGE_PIXELS:
                    raise too_big
                im.verify()  # checksums; the image is unusable afterwards
            with Image.open(io.BytesIO(data), formats=[label]) as im:
                im.load()  # decodes every pixel: catches truncated data
    except UploadRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise too_big from exc
    except Exception as exc:  # hostile input: Pillow raises many types on bad data
        raise damaged from exc


def _png_end(data: bytes) -> int | None:
    """Offset just past the IEND chunk, or None if the chunks run off the end."""
    pos = len(_PNG_SIGNATURE)
    while pos + 12 <= len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        pos += 12 + length
        if kind == b"IEND":
            return pos if pos <= len(data) else None
    return None


def _jpeg_end(data: bytes) -> int | None:
    """Offset just past the EOI marker, found by walking the segments.

    A plain search for the last FFD9 is fooled by appended data that itself
    ends in FFD9; embedded thumbnails hold earlier ones.
    """
    pos = 2
    while pos + 2 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        pos += 1 if marker == 0xFF else 2  # 0xFF: a fill byte before the marker
        if marker == 0xD9:
            return pos
        if marker == 0xFF or 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue  # markers without a length
        length = int.from_bytes(data[pos:pos + 2], "big")
        if length < 2:
            return None
        pos += length
        if marker == 0xDA:  # entropy-coded scan data runs to the next real marker
            found = _JPEG_MARKER.search(data, pos)
            if found is None:
                return None
            pos = found.start()
    return None


def _contains_zip(data: bytes) -> bool:
    """True when a ZIP reader would find an archive in ``data``.

    The 4-byte end-of-central-directory signature alone occurs by chance in
    large compressed PDFs, so it only counts when a central directory (or a
    ZIP64 locator) sits where the record says.
    """
    pos = data.find(b"PK\x05\x06")
    while pos >= 0 and pos + 22 <= len(data):
        entries_here = int.from_bytes(data[pos + 8:pos + 10], "little")
        entries_total = int.from_bytes(data[pos + 10:pos + 12], "little")
        cd_size = int.from_bytes(data[pos + 12:pos + 16], "little")
        cd_start = pos - cd_size
        if entries_here == entries_total and (
                (cd_start >= 0 and data[cd_start:cd_start + 4] == b"PK\x01\x02")
                or (pos >= 20 and data[pos - 20:pos - 16] == b"PK\x06\x07")):
            return True
        pos = data.find(b"PK\x05\x06", pos + 1)
    return False
