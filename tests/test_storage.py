"""Upload inspection and storage: what is accepted, what is refused and why."""
from __future__ import annotations

import hashlib
import io
import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from pathlib import Path

import pytest
from PIL import Image

from approvals import storage
from approvals.storage import (
    DOCX, JPEG, PDF, PNG, UploadRejected, delete_stored, inspect_upload, path_for, store,
)

MB = 1024 * 1024
CAP = 10 * MB

# --- building real files ---------------------------------------------------

PDF_BYTES = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
             b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
             b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")

OOXML = "http://schemas.openxmlformats.org"
DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f'<Types xmlns="{OOXML}/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="{main}"/></Types>'
)
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def zip_of(entries: dict[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in entries.items():
            zf.writestr(name, content)
    return buf.getvalue()


def docx_entries(main: str = DOCX_MAIN) -> dict[str, bytes | str]:
    return {
        "[Content_Types].xml": DOCX_TYPES.format(main=main),
        "_rels/.rels": f'<Relationships xmlns="{OOXML}/package/2006/relationships"/>',
        "word/document.xml": f'<w:document xmlns:w="{OOXML}/wordprocessingml/2006/main">'
                             '<w:body/></w:document>',
    }


def docx(main: str = DOCX_MAIN, extra: dict[str, bytes | str] | None = None) -> bytes:
    return zip_of({**docx_entries(main), **(extra or {})})


def image(fmt: str, size: tuple[int, int] = (8, 8), mode: str = "RGB", **options) -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, "white" if mode == "RGB" else 1).save(buf, fmt, **options)
    return buf.getvalue()


PNG_BYTES = image("PNG")
JPEG_BYTES = image("JPEG")
ZIP_BYTES = zip_of({"hello.txt": "hello"})


def png_with_zip_in_a_chunk() -> bytes:
    """The classic PNG/ZIP polyglot: nothing after IEND, yet unzip opens it."""
    archive = bytearray(zip_of({"evil.html": "<script>alert(1)</script>"}))
    archive[-2:] = struct.pack("<H", 4 + 12)  # ZIP comment swallows the chunk CRC and IEND
    chunk = b"zIPp" + bytes(archive)
    return (PNG_BYTES[:-12] + struct.pack(">I", len(archive)) + chunk
            + struct.pack(">I", zlib.crc32(chunk)) + PNG_BYTES[-12:])


def corrupt_png_crc(data: bytes) -> bytes:
    at = data.index(b"IDAT") + 4  # first byte of the compressed pixels
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:]


class Unseekable(io.RawIOBase):
    """A stream that cannot tell its size, like a raw socket."""

    def __init__(self, data: bytes) -> None:
        self._inner = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        chunk = self._inner.read(len(b))
        b[:len(chunk)] = chunk
        return len(chunk)


def upload(upload_dir: Path, data: bytes, name: str, max_bytes: int = CAP) -> storage.StoredFile:
    """Inspect, then store, as a route does."""
    return store(inspect_upload(io.BytesIO(data), name, max_bytes=max_bytes), upload_dir)


# --- accepted --------------------------------------------------------------

@pytest.mark.parametrize(("name", "data", "content_type", "extension", "expected_name"), [
    ("course.pdf", PDF_BYTES, PDF, "pdf", "course.pdf"),
    ("Syllabus.docx", docx(), DOCX, "docx", "Syllabus.docx"),
    ("cert.png", PNG_BYTES, PNG, "png", "cert.png"),
    ("cert.jpeg", JPEG_BYTES, JPEG, "jpg", "cert.jpg"),
    # the stored type is the detected one, whatever the name claims
    ("cert.pdf", PNG_BYTES, PNG, "png", "cert.png"),
    ("résumé.PDF", JPEG_BYTES, JPEG, "jpg", "résumé.jpg"),
    ("scan.jpg", image("JPEG", (64, 48), progressive=True), JPEG, "jpg", "scan.jpg"),
    ("scan.jpg", image("JPEG", (64, 48), restart_marker_blocks=1), JPEG, "jpg", "scan.jpg"),
    # the ZIP end-record signature by chance in a stream is not a hidden archive
    ("course.pdf", PDF_BYTES.replace(b"trailer", b"3 0 obj\n<< /Length 8 >>\nstream\nPK\x05\x06"
                                     b"\x00\x00\x00\x00\nendstream\nendobj\ntrailer"),
     PDF, "pdf", "course.pdf"),
])
def test_accepts_allowed_types_by_content(tmp_path, name, data, content_type, extension,
                                          expected_name):
    inspected = inspect_upload(io.BytesIO(data), name, max_bytes=CAP)
    assert (inspected.content_type, inspected.extension) == (content_type, extension)
    assert inspected.original_name == expected_name
    assert inspected.size == len(data)
    assert inspected.sha256 == hashlib.sha256(data).hexdigest()
    assert inspected.open().read() == data
    assert list(tmp_path.iterdir()) == []  # inspecting writes nothing

    stored = store(inspected, tmp_path)
    assert re.fullmatch(r"[0-9a-f]{32}\." + extension, stored.stored_name)
    assert (stored.original_name, stored.content_type, stored.size, stored.sha256) == (
        expected_name, content_type, len(data), inspected.sha256)
    path = path_for(tmp_path, stored.stored_name)
    assert path.read_bytes() == data
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert list(tmp_path.iterdir()) == [path]  # no temp file left behind


def test_two_uploads_of_the_same_file_get_different_names(tmp_path):
    first, second = upload(tmp_path, PDF_BYTES, "a.pdf"), upload(tmp_path, PDF_BYTES, "a.pdf")
    assert first.stored_name != second.stored_name
    assert len(list(tmp_path.iterdir())) == 2


# --- refused ---------------------------------------------------------------

NOT_ALLOWED = "is not a PDF, Word (.docx), PNG or JPEG file — "
JPEG_WITH_HTML = JPEG_BYTES + b"<html><script>alert(document.cookie)</script></html>"


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("course.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "“course.pdf” " + NOT_ALLOWED
     + "its contents look like a Windows program."),
    ("course.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "“course.pdf” " + NOT_ALLOWED
     + "its contents look like a Linux program."),
    ("run.pdf", b"#!/bin/sh\nrm -rf ~\n", "“run.pdf” " + NOT_ALLOWED
     + "its contents look like a script."),
    ("page.pdf", b"<html><body>%PDF-1.4 %%EOF</body></html>", "“page.pdf” " + NOT_ALLOWED
     + "its contents look like a web page."),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "“old.doc” " + NOT_ALLOWED
     + "it is an old-style Office file (for example .doc); save it as .docx or PDF."),
    ("anim.png", image("GIF"), "“anim.png” " + NOT_ALLOWED + "its contents look like a GIF file."),
    ("noise.pdf", b"just some text", "“noise.pdf” " + NOT_ALLOWED
     + "its contents are not in any of those formats."),
    ("x.pdf", b"", "“x.pdf” is empty."),
    # polyglots
    ("both.pdf", PDF_BYTES + ZIP_BYTES, "“both.pdf” has a ZIP archive hidden inside it; "
     "please save or export it again."),
    ("both.pdf", b"%PDF-1.4\n<script>alert(1)</script>\n" + PDF_BYTES[9:],
     "“both.pdf” is a PDF with web-page code at its start; please export it again as a plain PDF."),
    # a PDF reader finds "%PDF-" anywhere in the first KB: here, an entry's name
    ("both.docx", zip_of({"%PDF-1.4.xml": "x", **docx_entries()}), "“both.docx” is both a PDF"
     " and a ZIP archive; please save it again as a plain PDF or .docx."),
    ("cert.png", PNG_BYTES + ZIP_BYTES, "“cert.png” has extra data hidden after the end of the "
     "image; please save or export it again as a plain PNG."),
    ("cert.png", png_with_zip_in_a_chunk(), "“cert.png” has a ZIP archive hidden inside it; "
     "please save or export it again."),
    ("cert.jpg", JPEG_WITH_HTML, "“cert.jpg” has extra data hidden after the end of the image; "
     "please save or export it again as a plain JPEG."),
    # ends in FFD9 again, so a search for the last end marker would be fooled
    ("cert.jpg", JPEG_WITH_HTML + b"\xff\xd9", "“cert.jpg” has extra data hidden after the end "
     "of the image; please save or export it again as a plain JPEG."),
    # Word
    ("notes.docx", ZIP_BYTES, "“notes.docx” " + NOT_ALLOWED
     + "its contents look like a ZIP archive rather than a Word document."),
    ("macro.docm", docx(DOCM_MAIN, {"word/vbaProject.bin": b"\x00" * 64}),
     "“macro.docm” is a macro-enabled Word file; macros are not accepted — "
     "save it as a regular Word document (.docx) or PDF."),
    ("renamed.docx", docx(DOCM_MAIN), "“renamed.docx” is a macro-enabled Word file; macros are "
     "not accepted — save it as a regular Word document (.docx) or PDF."),
    ("tail.docx", docx() + b"<html></html>", "“tail.docx” looks like a Word document but is "
     "damaged or incomplete; please save or export it again."),
    # damaged
    ("cut.pdf", PDF_BYTES[:-7], "“cut.pdf” looks like a PDF but is damaged or incomplete; "
     "please save or export it again."),
    ("half.png", PNG_BYTES[: len(PNG_BYTES) // 2], "“half.png” looks like a PNG image but is "
     "damaged or incomplete; please save or export it again."),
    ("crc.png", corrupt_png_crc(PNG_BYTES), "“crc.png” looks like a PNG image but is damaged or "
     "incomplete; please save or export it again."),
    ("half.jpg", JPEG_BYTES[:-40] + b"\xff\xd9", "“half.jpg” looks like a JPEG image but is "
     "damaged or incomplete; please save or export it again."),
    ("cut.docx", docx()[:-30], "“cut.docx” looks like a Word document but is damaged or "
     "incomplete; please save or export it again."),
])
def test_refuses_with_a_clear_message_and_writes_nothing(tmp_path, name, data, expected):
    with pytest.raises(UploadRejected) as caught:
        upload(tmp_path, data, name)
    assert caught.value.message == expected
    assert str(caught.value) == expected
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("size", [
    (7_000, 7_000),    # over our limit, under Pillow's
    (10_000, 10_000),  # Pillow's DecompressionBombWarning range (an error under pytest)
    (14_000, 14_000),  # Pillow's DecompressionBombError range
])
def test_refuses_decompression_bombs(tmp_path, size):
    bomb = image("PNG", size, mode="1")  # compresses to a few KB
    with pytest.raises(UploadRejected) as caught:
        upload(tmp_path, bomb, "bomb.png")
    assert caught.value.message == "“bomb.png” has too many pixels; the limit is 40 megapixels."
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("data", "max_bytes", "stream", "expected"), [
    (b"%PDF-" + b"0" * 340, 100, io.BytesIO, "“big.pdf” is 345 bytes; the limit is 100 bytes."),
    (b"%PDF-" + b"0" * (int(12.3 * MB) - 5), CAP, io.BytesIO,
     "“big.pdf” is 12.3 MB; the limit is 10 MB."),
    (b"%PDF-" + b"0" * (CAP + 1), CAP, io.BytesIO, "“big.pdf” is 10.1 MB; the limit is 10 MB."),
    (b"%PDF-" + b"0" * 3000, 2048, io.BytesIO, "“big.pdf” is 3 KB; the limit is 2 KB."),
    (PDF_BYTES + b"\n" * 200, 100, Unseekable, "“big.pdf” is larger than the 100 bytes limit."),
])
def test_refuses_files_over_the_cap(tmp_path, data, max_bytes, stream, expected):
    with pytest.raises(UploadRejected) as caught:
        store(inspect_upload(stream(data), "big.pdf", max_bytes=max_bytes), tmp_path)
    assert caught.value.message == expected
    assert list(tmp_path.iterdir()) == []


def test_reads_no_more_than_one_byte_past_the_cap():
    class Counting(io.BytesIO):
        taken = 0

        def read(self, n: int | None = -1) -> bytes:
            chunk = super().read(n)
            Counting.taken += len(chunk)
            return chunk
    with pytest.raises(UploadRejected):
        inspect_upload(Counting(b"%PDF-" + b"0" * 5000), "big.pdf", max_bytes=1000)
    assert Counting.taken == 1001


def test_exactly_at_the_cap_is_accepted(tmp_path):
    stored = upload(tmp_path, PDF_BYTES, "course.pdf", max_bytes=len(PDF_BYTES))
    assert stored.size == len(PDF_BYTES)


# --- names -----------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\win.ini", "win.pdf"),
    ("/abs/path.pdf", "path.pdf"),
    ("C:\\Users\\coord\\course.pdf", "course.pdf"),
    ("co\x00ur\x07se\x1b\r\n.pdf", "course.pdf"),
    ("invoice\u202efdp.exe", "invoicefdp.pdf"),  # right-to-left override spoofing
    ("cafe\u0301 notes.pdf", "caf\u00e9 notes.pdf"),  # NFC
    ("  Use   of\tForce .pdf", "Use of Force.pdf"),
    ('what?:<>"|*.pdf', "what_______.pdf"),
    ("report", "report.pdf"),
    ("report.v2.final.pdf", "report.v2.final.pdf"),
    ("a" * 300 + ".pdf", "a" * 116 + ".pdf"),
    ("b" * 300, "b" * 116 + ".pdf"),
    ("", "document.pdf"),
    ("../", "document.pdf"),
    ("..", "document.pdf"),
    (".pdf", "document.pdf"),
    ("\x00\x01", "document.pdf"),
])
def test_sanitises_names(tmp_path, raw, expected):
    stored = upload(tmp_path, PDF_BYTES, raw)
    assert stored.original_name == expected
    assert unicodedata.is_normalized("NFC", stored.original_name)
    assert [p.name for p in tmp_path.iterdir()] == [stored.stored_name]


def test_messages_show_the_sanitised_name(tmp_path):
    with pytest.raises(UploadRejected) as caught:
        upload(tmp_path, b"", "../../sec\x00ret.pdf")
    assert caught.value.message == "“secret.pdf” is empty."


# --- stored names ------------------------------------------------------------

@pytest.mark.parametrize("bad", [
    "../x", "../" + "0" * 32 + ".pdf", "/etc/passwd", "/" + "0" * 32 + ".pdf", "", "x.pdf",
    "0" * 32 + ".exe", "0" * 31 + ".pdf", "A" * 32 + ".pdf", "0" * 32 + ".pdf\n",
    "0" * 32 + ".pdf/../../x", "sub/" + "0" * 32 + ".pdf", "0" * 32,
])
def test_path_for_refuses_names_we_did_not_generate(tmp_path, bad):
    with pytest.raises(ValueError):
        path_for(tmp_path, bad)
    with pytest.raises(ValueError):
        delete_stored(tmp_path, bad)


def test_delete_stored_removes_the_file_and_tolerates_a_missing_one(tmp_path):
    stored = upload(tmp_path, PNG_BYTES, "cert.png")
    delete_stored(tmp_path, stored.stored_name)
    assert list(tmp_path.iterdir()) == []
    delete_stored(tmp_path, stored.stored_name)


def test_store_never_overwrites(tmp_path, monkeypatch):
    taken = "a" * 32
    (tmp_path / f"{taken}.pdf").write_bytes(b"somebody else's file")
    names = iter([taken, "b" * 32])
    monkeypatch.setattr(storage.secrets, "token_hex", lambda n: next(names))
    stored = upload(tmp_path, PDF_BYTES, "course.pdf")
    assert stored.stored_name == "b" * 32 + ".pdf"
    assert (tmp_path / f"{taken}.pdf").read_bytes() == b"somebody else's file"


def test_a_failed_write_leaves_nothing(tmp_path, monkeypatch):
    def broken_replace(src: str, dst: object) -> None:
        raise OSError("disk full")
    monkeypatch.setattr(storage.os, "replace", broken_replace)
    with pytest.raises(OSError):
        upload(tmp_path, PDF_BYTES, "course.pdf")
    assert list(tmp_path.iterdir()) == []


def test_store_creates_the_upload_dir(tmp_path):
    stored = upload(tmp_path / "uploads", PDF_BYTES, "course.pdf")
    assert path_for(tmp_path / "uploads", stored.stored_name).is_file()
