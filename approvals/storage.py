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
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from approvals.upload_checks import (  # noqa: F401  (re-exported: callers import them from here)
    ALLOWED_TEXT, DOCX, EXTENSIONS, JPEG, MAX_IMAGE_PIXELS, MAX_UNZIPPED_BYTES, PDF, PNG, UploadRejected,
    check_content,
)

MAX_NAME_LENGTH = 120
_STORED_NAME = re.compile(r"[0-9a-f]{32}\.(?:pdf|docx|png|jpg)")
_WINDOWS_RESERVED = re.compile(r'[<>:"|?*]')


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

    content_type = check_content(data, display)

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
