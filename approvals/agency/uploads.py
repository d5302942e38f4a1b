"""Reading an uploaded file from a form: the name policy, then approvals.storage's
content checks. No writing happens here."""
from __future__ import annotations

import unicodedata

from flask import current_app
from werkzeug.datastructures import FileStorage

from approvals import storage

# Bidirectional overrides make "cert\u202efdp.exe" display as "certexe.pdf".
_BIDI_CONTROLS = set("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def check_name(raw: str) -> None:
    """Browsers send a bare file name; a folder path or control characters in
    it come from something crafted, so it is refused rather than guessed at
    (storage still sanitises whatever name it is given). Raises
    storage.UploadRejected."""
    visible = "".join(ch for ch in raw if not unicodedata.category(ch).startswith("C"))
    base = visible.replace("\\", "/").rsplit("/", 1)[-1] or "the file"
    if "/" in raw or "\\" in raw or raw.strip() in (".", ".."):
        raise storage.UploadRejected(f"The file name “{base}” includes a folder path; rename the file "
                                     "so its name has no slashes and choose it again.")
    if any(unicodedata.category(ch) == "Cc" or ch in _BIDI_CONTROLS for ch in raw):
        raise storage.UploadRejected(f"The file name “{base}” contains hidden control characters; rename "
                                     "the file and choose it again.")


def inspect_field(upload: FileStorage | None) -> storage.InspectedFile | None:
    """The inspected file of a form field, or None when no file was chosen.
    Raises storage.UploadRejected with a message for the uploader."""
    if upload is None or not isinstance(upload, FileStorage) or not upload.filename:
        return None
    check_name(upload.filename)
    max_bytes = current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024
    return storage.inspect_upload(upload.stream, upload.filename, max_bytes=max_bytes)
