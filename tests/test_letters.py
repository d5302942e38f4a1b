"""Approval letter core: facts, verification codes, HTML and PDF rendering.

Database-free, so it builds its own tiny Flask app pointed at the real
templates and static folder instead of using the suite's conftest.
"""
from __future__ import annotations

import dataclasses
import io
import logging
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pypdf
import pytest
from flask import Flask

from approvals.letters import (
    LetterAssetRefused,
    LetterFacts,
    asset_fetcher,
    default_conditions,
    letter_code,
    render_letter_html,
    render_letter_pdf,
    verification_url,
    verify_code,
)

ROOT = Path(__file__).resolve().parent.parent
STATIC_DIR = ROOT / "static"
KEY = "test-letter-key"
BASE_URL = "https://post.example.gov/clee"


def make_facts(**changes: object) -> LetterFacts:
    values: dict[str, object] = dict(
        approval_number="MO-IS-2026-00017",
        agency_name="Springfield Police Department",
        agency_ori="MO0770200",
        agency_address="321 East Chestnut Expressway\nSpringfield, Missouri 65802",
        contact_name="Jordan A. Whitfield",
        contact_email="jwhitfield@springfield.example.gov",
        course_title="Crisis Intervention and De-escalation for Patrol Officers",
        delivery_method="in_person",
        approved_total_hours=8.0,
        area_hours={"legal": 1.0, "technical": 2.0, "interpersonal": 3.0, "skill_development": 2.0},
        designation_hours={"firearms": 1.5, "racial_profiling": 1.0, "implicit_bias": 1.0, "deescalation": 4.0},
        approved_on=date(2026, 3, 4),
        expires_on=date(2028, 3, 4),
        reviewer_name="Dana R. Okafor",
        signatory_name="Michael T. Reynolds",
        signatory_title="Manager, POST Program",
    )
    values.update(changes)
    facts = LetterFacts(**values)  # type: ignore[arg-type]
    if "conditions" not in changes:
        facts = dataclasses.replace(facts, conditions=default_conditions(facts))
    return facts


def long_facts() -> LetterFacts:
    """About the most a real letter has to hold: long names, three address lines, extra conditions."""
    facts = make_facts(
        agency_name="Metropolitan Kansas City Regional Law Enforcement Training Academy Consortium",
        agency_address="Regional Training Center, Building C, Suite 210\n"
                       "6800 Northeast Underground Drive\nKansas City, Missouri 64161-9702",
        contact_name="Alexandra Montgomery-Vasquez",
        course_title="Advanced Crisis Intervention, Mental Health First Response and Tactical "
                     "Communication for Patrol Officers, Supervisors and Dispatch Personnel",
        approved_total_hours=40.0,
        area_hours={"legal": 8.0, "technical": 10.0, "interpersonal": 12.0, "skill_development": 10.0},
        designation_hours={"firearms": 6.0, "racial_profiling": 2.0, "implicit_bias": 2.0, "deescalation": 8.0},
    )
    extra = (
        "Attendance rosters with each officer's DSN must be kept for five years and produced on request.",
        "The scenario-based segments must keep a ratio of no more than eight students per instructor.",
        "Guest presenters not named in the application must be approved by the program in writing first.",
    )
    return dataclasses.replace(facts, conditions=facts.conditions + extra)


@pytest.fixture(scope="module")
def app() -> Flask:
    return Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(STATIC_DIR))


def render(app: Flask, facts: LetterFacts, page_size: str = "letter") -> bytes:
    url = verification_url(BASE_URL, facts.approval_number, letter_code(facts, KEY))
    with app.app_context():
        html = render_letter_html(facts, verify_url=url, program_name="Missouri POST Program",
                                  page_size=page_size)
    return render_letter_pdf(html, static_dir=STATIC_DIR)


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture(scope="module")
def letter_pdf(app: Flask) -> bytes:
    return render(app, make_facts())


def test_pdf_states_the_letter(letter_pdf: bytes) -> None:
    facts = make_facts()
    text = pdf_text(letter_pdf)
    for needle in ("MO-IS-2026-00017", facts.course_title, "Springfield Police Department",
                   "March 4, 2026", "March 4, 2028", "In person", "Michael T. Reynolds"):
        assert needle in text
    for label, hours in [("Legal Studies", "1.0"), ("Technical Studies", "2.0"),
                         ("Interpersonal Perspectives", "3.0"), ("Skill Development", "2.0"),
                         ("Total approved hours", "8.0"), ("Firearms", "1.5"),
                         ("Racial Profiling", "1.0"), ("Implicit Bias", "1.0"), ("De-escalation", "4.0")]:
        assert re.search(rf"{re.escape(label)}\s+{re.escape(hours)}\b", text), label
    code = letter_code(facts, KEY)
    # The URL may wrap inside the verification panel; compare without whitespace.
    assert verification_url(BASE_URL, facts.approval_number, code) in "".join(text.split())
    assert f"Verification code: {code}" in text
    assert "live and hands-on" in text


@pytest.mark.parametrize("page_size, width", [("letter", 612), ("A4", 595), ("a4", 595)])
@pytest.mark.parametrize("facts_factory", [make_facts, long_facts], ids=["typical", "long"])
def test_letter_is_one_page(app: Flask, facts_factory, page_size: str, width: int) -> None:
    reader = pypdf.PdfReader(io.BytesIO(render(app, facts_factory(), page_size)))
    assert len(reader.pages) == 1
    assert round(float(reader.pages[0].mediabox.width)) == width


def test_rendering_logs_no_weasyprint_problems(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        render(app, make_facts())
    assert not caplog.records, [r.getMessage() for r in caplog.records]


@pytest.mark.skipif(not (shutil.which("zbarimg") and shutil.which("pdftoppm")),
                    reason="needs zbarimg (zbar-tools) and pdftoppm (poppler-utils)")
def test_qr_code_scans_to_the_verification_url(letter_pdf: bytes, tmp_path: Path) -> None:
    facts = make_facts()
    (tmp_path / "letter.pdf").write_bytes(letter_pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "300", str(tmp_path / "letter.pdf"), str(tmp_path / "page")],
                   check=True)
    scanned = subprocess.run(["zbarimg", "-q", "--raw", str(next(tmp_path.glob("page*.png")))],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert scanned == verification_url(BASE_URL, facts.approval_number, letter_code(facts, KEY))


def test_facts_are_escaped_in_the_html(app: Flask) -> None:
    facts = make_facts(course_title='<img src="http://example.com/x.png"> & Co',
                       conditions=("Use <b>care</b> with MO-IS-2026-00017.",))
    with app.app_context():
        html = render_letter_html(facts, verify_url=f"{BASE_URL}/verify/X?code=Y",
                                  program_name="P", page_size="letter")
    assert "&lt;img src=" in html and "<img src=\"http" not in html
    assert "Use &lt;b&gt;care&lt;/b&gt; with <span class=\"nowrap\">MO-IS-2026-00017</span>." in html


def test_html_needs_an_app_context() -> None:
    with pytest.raises(RuntimeError):
        render_letter_html(make_facts(), verify_url=f"{BASE_URL}/verify/X?code=Y",
                           program_name="P", page_size="letter")


@pytest.mark.parametrize("page_size, verify_url", [
    ("legal", f"{BASE_URL}/verify/X?code=Y"),
    ("letter", f"{BASE_URL}/verify/X"),
])
def test_html_rejects_bad_arguments(app: Flask, page_size: str, verify_url: str) -> None:
    with app.app_context(), pytest.raises(ValueError):
        render_letter_html(make_facts(), verify_url=verify_url, program_name="P", page_size=page_size)


def test_code_shape_and_url() -> None:
    facts = make_facts()
    code = letter_code(facts, KEY)
    assert re.fullmatch(r"[A-Z2-7]{20}", code)
    assert code == letter_code(facts, KEY.encode())
    assert verification_url(BASE_URL + "/", facts.approval_number, code) == (
        f"{BASE_URL}/verify/MO-IS-2026-00017?code={code}")
    assert verify_code(facts, KEY, code)
    assert verify_code(facts, KEY, f"  {code.lower()} ")


def _one_char_changed(code: str) -> str:
    return code[:7] + ("A" if code[7] != "A" else "B") + code[8:]


@pytest.mark.parametrize("tamper", [
    pytest.param(lambda f, c: (f, KEY, _one_char_changed(c)), id="one-char"),
    pytest.param(lambda f, c: (f, KEY, c[:-1]), id="truncated"),
    pytest.param(lambda f, c: (f, KEY, ""), id="empty"),
    pytest.param(lambda f, c: (f, "another-key", c), id="other-key"),
    pytest.param(lambda f, c: (dataclasses.replace(
        f, area_hours={**f.area_hours, "legal": 2.0, "technical": 1.0}), KEY, c), id="area-hours"),
    pytest.param(lambda f, c: (dataclasses.replace(
        f, approved_total_hours=9.0, area_hours={**f.area_hours, "legal": 2.0}), KEY, c), id="total-hours"),
    pytest.param(lambda f, c: (dataclasses.replace(f, expires_on=date(2029, 3, 4)), KEY, c), id="expiry"),
    pytest.param(lambda f, c: (dataclasses.replace(f, course_title=f.course_title + " II"), KEY, c),
                 id="title"),
    pytest.param(lambda f, c: (dataclasses.replace(f, conditions=f.conditions[1:]), KEY, c), id="conditions"),
])
def test_tampering_fails_verification(tamper) -> None:
    facts = make_facts()
    assert not verify_code(*tamper(facts, letter_code(facts, KEY)))


def test_stored_snapshot_still_verifies() -> None:
    facts = make_facts()
    code = letter_code(facts, KEY)
    again = LetterFacts.from_dict(facts.to_dict())
    assert again == facts
    assert verify_code(again, KEY, code)


@pytest.mark.parametrize("changes", [
    {"delivery_method": "webinar"},
    {"area_hours": {"legal": 1.0, "technical": 2.0, "interpersonal": 3.0}},
    {"approved_total_hours": 9.0},
    {"area_hours": {"legal": 1.05, "technical": 1.95, "interpersonal": 3.0, "skill_development": 2.0}},
    {"designation_hours": {"firearms": 9.0, "racial_profiling": 0, "implicit_bias": 0, "deescalation": 0}},
    {"expires_on": date(2026, 3, 4)},
], ids=["delivery", "missing-area", "sum", "sub-decimal", "designation-over-total", "expiry"])
def test_impossible_facts_are_refused(changes: dict) -> None:
    with pytest.raises(ValueError):
        make_facts(**changes)


def test_empty_key_is_refused() -> None:
    with pytest.raises(ValueError):
        letter_code(make_facts(), b"")


@pytest.mark.parametrize("firearms, expected", [(1.5, True), (0.0, False)])
def test_firearms_condition_only_with_firearms_hours(firearms: float, expected: bool) -> None:
    facts = make_facts(designation_hours={"firearms": firearms, "racial_profiling": 1.0,
                                          "implicit_bias": 1.0, "deescalation": 0.0})
    conditions = default_conditions(facts)
    assert any("live and hands-on" in c for c in conditions) is expected
    assert any("March 4, 2028" in c for c in conditions)
    assert any("new application" in c for c in conditions)


# --- the fetcher: only the app's own assets ---------------------------------

def test_fetcher_serves_static_files_and_data_uris() -> None:
    fetcher = asset_fetcher(STATIC_DIR)
    css = fetcher.fetch((STATIC_DIR / "letters" / "letter.css").as_uri())
    assert css.content_type == "text/css" and b"@page" in css.read()
    assert fetcher.fetch("data:text/plain,hi").read() == b"hi"


@pytest.fixture
def outside_file(tmp_path: Path) -> Path:
    secret = tmp_path / "secret.txt"
    secret.write_text("not for letters")
    return secret


@pytest.mark.parametrize("url", [
    "http://example.com/x.png",
    "https://example.com/x.css",
    "ftp://example.com/x.png",
    (ROOT / "pyproject.toml").as_uri(),
    STATIC_DIR.as_uri() + "/letters/../../pyproject.toml",
    STATIC_DIR.as_uri() + "/letters/%2E%2E/%2E%2E/pyproject.toml",
    "file://example.com" + str(STATIC_DIR / "letters" / "letter.css"),
])
def test_fetcher_refuses_everything_else(url: str) -> None:
    with pytest.raises(LetterAssetRefused):
        asset_fetcher(STATIC_DIR).fetch(url)


def test_fetcher_refuses_symlinks_out_of_static(tmp_path: Path, outside_file: Path) -> None:
    static = tmp_path / "static"
    static.mkdir()
    (static / "link.txt").symlink_to(outside_file)
    with pytest.raises(LetterAssetRefused):
        asset_fetcher(static).fetch((static / "link.txt").as_uri())


@pytest.fixture
def http_server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that records every request, to prove none is made."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize("snippet", [
    '<img src="{base}/x.png">',
    '<link rel="stylesheet" href="{base}/x.css">',
    '<div style="background: url({base}/bg.png)">x</div>',
    '<img src="http://example.com/x.png">',
    '<link rel="stylesheet" href="{outside}">',
])
def test_rendering_never_fetches_outside(http_server, outside_file: Path, snippet: str) -> None:
    base, hits = http_server
    html = ('<!doctype html><html><head><link rel="stylesheet" href="letters/letter.css"></head>'
            f'<body><p>Letter</p>{snippet.format(base=base, outside=outside_file.as_uri())}</body></html>')
    with pytest.raises(LetterAssetRefused):
        render_letter_pdf(html, static_dir=STATIC_DIR)
    assert hits == []


def test_letter_too_long_for_one_page_still_renders_with_numbered_pages(app: Flask) -> None:
    facts = long_facts()
    facts = dataclasses.replace(facts, conditions=facts.conditions + tuple(
        f"Supplementary condition {n} agreed with the agency during review of the application."
        for n in range(1, 16)))
    pages = pypdf.PdfReader(io.BytesIO(render(app, facts))).pages
    assert len(pages) == 2
    second = pages[1].extract_text()
    assert "Approval MO-IS-2026-00017 · page 2 of 2" in second
    assert "page 1 of" not in pages[0].extract_text()
