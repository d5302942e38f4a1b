"""Oversized requests are refused before anything is stored.

With the production limits (MAX_UPLOAD_MB 10, the whole request 11 MB, and
Flask's caps on form fields), a body past the cap is a 413: the site's "File
too large" page on the pages, problem+json on the API. A file over the
per-document limit inside an allowed request is refused with a message on
its field. In every case the database and uploads/ are as they were.
"""
from __future__ import annotations

import gc
import io
import warnings
from typing import Any

import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from config import Config
from tests.hostile_world import World, fill, hostile_world
from tests.workflow_helpers import tiny_pdf

DRAFT = "/agency/applications/{draft}"


@pytest.fixture(scope="module")
def world(tmp_path_factory, database_template, redis_url):  # type: ignore[no-untyped-def]
    with hostile_world(tmp_path_factory.mktemp("hostile-oversize"), database_template, redis_url,
                       MAX_UPLOAD_MB=Config.MAX_UPLOAD_MB, MAX_CONTENT_LENGTH=Config.MAX_CONTENT_LENGTH) as w:
        yield w


def _padded_pdf(size: int) -> bytes:
    """A well-formed PDF of exactly *size* bytes (a comment pads it)."""
    pdf = tiny_pdf("big")
    head, tail = pdf.split(b"\n", 1)
    return head + b"\n%" + b"x" * (size - len(pdf) - 2) + b"\n" + tail[: len(tail)]


def _file(size: int, name: str = "big.pdf") -> tuple[io.BytesIO, str]:
    return io.BytesIO(_padded_pdf(size)), name


TOO_BIG = Config.MAX_CONTENT_LENGTH + 1
# (role, URL, a form past a cap: the whole request, or Flask's caps on one text part or the number of parts)
UPLOADS: list[tuple[str, str, Any]] = [
    ("staff", DRAFT + "/edit/documents", lambda ids: {"sample_certificate": _file(TOO_BIG)}),
    ("staff", DRAFT + "/edit/documents", lambda ids: {"other_documents": [_file(6 << 20), _file(6 << 20, "b.pdf")]}),
    ("staff", DRAFT + "/edit/instructors", lambda ids: {"instructors-0-id": str(ids["instructor"]),
                                                        "instructors-0-record": _file(TOO_BIG)}),
    ("post_admin", "/credit/officers/{officer}/credit/approved_provider",
     lambda ids: {"title": "Legal update", "evidence": _file(TOO_BIG)}),
    ("post_admin", "/credit/import", lambda ids: {"csv_file": (io.BytesIO(b"x" * TOO_BIG), "big.csv")}),
    ("staff", "/credit/offerings/{past_offering}/roster",
     lambda ids: {"csv_file": (io.BytesIO(b"1," * TOO_BIG), "r.csv")}),
    ("staff", DRAFT + "/edit/course", lambda ids: {"synopsis": "x" * TOO_BIG}),
    # Flask's caps on multipart forms (every row here is sent as one): a text field past 500 KB,
    # more than 1,000 parts.
    ("staff", DRAFT + "/edit/course", lambda ids: {"synopsis": "x" * 600_000}),
    ("staff", DRAFT + "/edit/objectives", lambda ids: {f"objectives-{i}": "x" for i in range(1001)}),
]


def _multipart(fields: dict[str, Any]) -> dict[str, Any]:
    """The body encoded here, in memory: the test client would spool a large
    one to a temporary file it never closes when the app refuses to read it."""
    items = MultiDict()
    for key, value in fields.items():
        for one in value if isinstance(value, list) else [value]:
            if isinstance(one, tuple):
                one = FileStorage(one[0], filename=one[1], content_type="application/octet-stream")
            items.add(key, one)
    boundary, body = encode_multipart(items)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def _unchanged(world: World, call: Any) -> Any:
    world.clean()
    before, files = world.fingerprint(), world.uploads()
    response = call()
    body = response.get_data(as_text=True)
    response.close()
    assert world.uploads() == files, "something was written to uploads/"
    assert world.fingerprint() == before, "something was saved"
    return response, body


@pytest.mark.parametrize(("role", "url", "data"), [pytest.param(*u, id=f"{u[1]} #{i}") for i, u in enumerate(UPLOADS)])
def test_a_request_past_the_cap_is_413_with_the_sites_page(world, role, url, data):  # type: ignore[no-untyped-def]
    response, body = _unchanged(world, lambda: world.client(role).post(fill(url, world.ids),
                                                                        **_multipart(data(world.ids))))
    assert response.status_code == 413
    assert "File too large" in body and f"at most {Config.MAX_UPLOAD_MB} MB" in body and 'class="usa-header' in body


def test_a_streamed_body_without_a_length_is_cut_off_at_the_cap(world):  # type: ignore[no-untyped-def]
    boundary = "hostile"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"sample_certificate\"; filename=\"big.pdf\"\r\n"
            "Content-Type: application/pdf\r\n\r\n").encode()
    stream = io.BytesIO(head + _padded_pdf(TOO_BIG) + f"\r\n--{boundary}--\r\n".encode())
    with warnings.catch_warnings():
        # Werkzeug's parser spools the part to an anonymous temporary file and,
        # cut off mid-part, leaves closing it to the garbage collector.
        warnings.simplefilter("ignore", ResourceWarning)
        response, _ = _unchanged(world, lambda: world.client("staff").post(
            fill(DRAFT + "/edit/documents", world.ids), input_stream=stream,
            content_type=f"multipart/form-data; boundary={boundary}",
            environ_overrides={"wsgi.input_terminated": True}, headers={"Transfer-Encoding": "chunked"}))
        gc.collect()
    assert response.status_code == 413


def test_a_document_over_its_own_limit_is_refused_on_its_field(world):  # type: ignore[no-untyped-def]
    size = Config.MAX_UPLOAD_MB * 1024 * 1024 + 1  # inside the request cap, over the per-document one
    response, body = _unchanged(world, lambda: world.client("staff").post(
        fill(DRAFT + "/edit/documents", world.ids), **_multipart({"sample_certificate": _file(size, "scan.pdf")})))
    assert response.status_code == 200
    assert "“scan.pdf” is 10.1 MB; the limit is 10 MB." in body


@pytest.mark.parametrize(("url", "kwargs"), [
    ("/api/v1/applications/{draft}/documents", lambda: _multipart({"kind": "other", "file": _file(TOO_BIG)})),
    ("/api/v1/applications", lambda: {"json": {"title": "x" * TOO_BIG}}),
])
def test_the_api_answers_413_as_problem_json(world, url, kwargs):  # type: ignore[no-untyped-def]
    response, _ = _unchanged(world, lambda: world.app.test_client().post(
        fill(url, world.ids), headers=world.headers("staff"), **kwargs()))
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 413 and f"at most {Config.MAX_UPLOAD_MB} MB" in response.json["detail"]
