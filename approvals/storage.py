"""Uploaded-file storage: inspect what an agency uploads, then keep it safely.

Two steps, so a route can check every file of a form before writing any:
``inspect_upload`` accepts PDF, Word (.docx), PNG and JPEG by content and
refuses the rest with a message a training coordinator understands; ``store``
writes an inspected file under a random name. No Flask in here.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import tempfile
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import filetype
from PIL import Image

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PNG = "image/png"
JPEG = "image/jpeg"
EXTENSIONS = {PDF: "pdf", DOCX: "docx", PNG: "png", JPEG: "jpg"}

MAX_NAME_LENGTH = 120
# A letter-size page scanned at 600 dpi is ~34 megapixels; anything far larger
# is not a certificate but an attempt to exhaust memory when decoded.
MAX_IMAGE_PIXELS = 40_000_000
# Declared uncompressed size of a .docx; bounds the work of checking its CRCs.
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024

ALLOWED_TEXT = "a PDF, Word (.docx), PNG or JPEG file"
_STORED_NAME = re.compile(r"[0-9a-f]{32}\.(?:pdf|docx|png|jpg)")
_WINDOWS_RESERVED = re.compile(r'[<>:"|?*]')
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


@dataclass(frozen=True)
class InspectedFile:
    """A file that passed every check, held in memory until it is stored."""

    original_name: str  # sanitised, with the extension of the detected type
    content_type: str
    extension: str
    size: int
    sha256: str
    data: bytes = field(repr=False)

    def open(self) -> BinaryIO:
        """A fresh read-only stream over the contents."""
        return io.BytesIO(self.data)


@dataclass(frozen=True)
class StoredFile:
    """What to record about a stored upload; `stored_name` is the only key to it."""

    stored_name: str
    original_name: str
    content_type: str
    size: int
    sha256: str


def inspect_upload(stream: BinaryIO, original_name: str | None, *,
                   max_bytes: int) -> InspectedFile:
    """Read an upload (at most ``max_bytes`` + 1 bytes) and check its contents.

    The type comes from the bytes, never from the name or the browser's
    content type. Raises ``UploadRejected`` when the file is empty, over
    ``max_bytes``, not one of PDF/DOCX/PNG/JPEG, damaged, macro-enabled, or a
    polyglot (a second format hidden in or appended to the first).
    """
    cleaned = _clean_name(original_name)
    display = cleaned[:MAX_NAME_LENGTH].rstrip(" .") or "document"
    start = stream.tell() if stream.seekable() else None
    data = _read_capped(stream, max_bytes)
    if not data:
        raise UploadRejected(f"“{display}” is empty.")
    if len(data) > max_bytes:
        limit = _human_size(max_bytes)
        if start is None:
            raise UploadRejected(f"“{display}” is larger than the {limit} limit.")
        # Seeking is cheap (werkzeug spools uploads) and reads nothing more.
        size = stream.seek(0, os.SEEK_END) - start
        raise UploadRejected(f"“{display}” is {_human_size(size)}; the limit is {limit}.")

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

    extension = EXTENSIONS[content_type]
    base = cleaned.rpartition(".")[0] if "." in cleaned else cleaned
    base = base.strip(" .")[: MAX_NAME_LENGTH - len(extension) - 1].rstrip(" .") or "document"
    return InspectedFile(original_name=f"{base}.{extension}", content_type=content_type,
                         extension=extension, size=len(data),
                         sha256=hashlib.sha256(data).hexdigest(), data=data)


def store(inspected: InspectedFile, upload_dir: Path) -> StoredFile:
    """Write an inspected file under a new random name inside ``upload_dir``.

    The file appears whole or not at all (temp file + ``os.replace`` in the
    same directory) and never replaces an existing one. Raises ``OSError``
    when the disk write fails; no partial file is left behind.
    """
    upload_dir.mkdir(mode=0o750, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=upload_dir, prefix=".incoming-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), 0o640)  # mkstemp gives 0o600; the web user's group reads
            out.write(inspected.data)
            out.flush()
            os.fsync(out.fileno())
        stored_name = f"{secrets.token_hex(16)}.{inspected.extension}"
        # 128 random bits never clash in practice; the loop only makes "never
        # overwrite" hold even if the generator were broken.
        while (upload_dir / stored_name).exists():
            stored_name = f"{secrets.token_hex(16)}.{inspected.extension}"
        os.replace(tmp, upload_dir / stored_name)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return StoredFile(stored_name=stored_name, original_name=inspected.original_name,
                      content_type=inspected.content_type, size=inspected.size,
                      sha256=inspected.sha256)


def path_for(upload_dir: Path, stored_name: str) -> Path:
    """The path of a stored file.

    Raises ``ValueError`` unless ``stored_name`` is exactly a name ``store``
    generates, so a tampered database value can never leave ``upload_dir``.
    """
    if not isinstance(stored_name, str) or not _STORED_NAME.fullmatch(stored_name):
        raise ValueError(f"not a stored file name: {stored_name!r}")
    return upload_dir / stored_name


def delete_stored(upload_dir: Path, stored_name: str) -> None:
    """Delete a stored file; a file already gone is fine.

    Raises ``ValueError`` for a name ``store`` could not have generated.
    """
    path_for(upload_dir, stored_name).unlink(missing_ok=True)


def _read_capped(stream: BinaryIO, max_bytes: int) -> bytes:
    # One byte past the cap is enough to know it is too big; reading in
    # chunks copes with streams that return short reads.
    buf = bytearray()
    while len(buf) <= max_bytes:
        chunk = stream.read(min(1 << 16, max_bytes + 1 - len(buf)))
        if not chunk:
            break
        buf += chunk
    return bytes(buf)


def _human_size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    unit, scale = ("KB", 1024) if n < 1024 * 1024 else ("MB", 1024 * 1024)
    # Round up so "10.04 MB" never reads as "10 MB" next to a 10 MB limit.
    tenths = -(-n * 10 // scale)
    return f"{tenths // 10} {unit}" if tenths % 10 == 0 else f"{tenths / 10:.1f} {unit}"


def _clean_name(raw: str | None) -> str:
    """The name as the uploader would recognise it, minus anything unsafe."""
    name = unicodedata.normalize("NFC", raw or "")
    # Tabs and newlines become spaces; the rest of category C (controls, NUL,
    # bidi overrides as in "cert\u202efdp.exe") goes.
    name = "".join(" " if ch.isspace() else ch for ch in name
                   if ch.isspace() or not unicodedata.category(ch).startswith("C"))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]  # directories of either OS
    name = " ".join(_WINDOWS_RESERVED.sub("_", name).split())
    return name if name.strip(".") else ""  # "." and ".." are not names


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
