"""Injection strings stored through the forms come back inert everywhere they are shown.

One journey over the seeded world: agency A writes script tags, attribute
breakers, template syntax, SQL and spreadsheet formulas into its application
(title, synopsis, policies, objectives, instructor, contact), resubmits it,
POST writes them into a message to the agency and approves the course, the
agency schedules an offering with them. Then every page that shows them must
show them escaped (never as markup, never evaluated), the CSV exports must
neutralise cells a spreadsheet would run, and the e-mails must carry them as
plain text with no header smuggled in through a title.
"""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import sqlalchemy as sa
from markupsafe import escape

from approvals import dispatch
from approvals.extensions import db
from approvals.models import Application, ApplicationState, OutboxMessage, OutboxStatus, Officer
from tests.hostile_world import World, hostile_world
from tests.letters_support import APPROVED_HOURS

SCRIPT = "⟦<script>alert(1)</script>⟧"
ATTRIBUTE = '⟦"><img src=x onerror=alert(1)>⟧'
TEMPLATE = "⟦{{7*7}}{% if 1 %}yes{% endif %}⟧"
SQL = "⟦' OR 1=1 --⟧"
PAYLOADS = (SCRIPT, ATTRIBUTE, TEMPLATE, SQL)
FORMULA = '=HYPERLINK("http://evil.example","click")'
TITLE = f"{FORMULA} {SCRIPT} {TEMPLATE}\r\nBcc: victim@evil.example"
STORED_TITLE = TITLE.replace("\r\n", "\n")
SYNOPSIS = "@SUM(1+1)*cmd|' /C calc'!A0 " + " ".join(PAYLOADS) + " A course long enough to submit. " * 8
OBJECTIVE = "-2+3+cmd|' /C calc'!A0 " + ATTRIBUTE
OFFICER_NAME = "\t=1+2 " + SCRIPT


@pytest.fixture(scope="module")
def world(tmp_path_factory, database_template, redis_url):  # type: ignore[no-untyped-def]
    with hostile_world(tmp_path_factory.mktemp("hostile-injection"), database_template, redis_url) as w:
        yield w


def _ok(response, status: int = 302) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.get_data(as_text=True)[:2000]


@pytest.fixture(scope="module")
def stored(world: World) -> World:
    """Write the payloads through the forms, resubmit, comment, approve, schedule."""
    ids = world.ids
    base = f"/agency/applications/{ids['changes']}"
    staff, admin = world.client("staff"), world.client("post_admin")
    _ok(staff.post(base + "/edit/course", data={
        "title": TITLE, "synopsis": SYNOPSIS, "delivery_method": "in_person",
        "attendance_policy": "+" + SCRIPT, "evaluation_method": TEMPLATE + SQL}))
    _ok(staff.post(base + "/edit/objectives", data={"objectives-0": OBJECTIVE, "objectives-1": TEMPLATE}))
    _ok(staff.post(base + "/edit/instructors", data={
        "instructors-0-id": str(ids["changes_instructor"]), "instructors-0-name": ATTRIBUTE,
        "instructors-0-qualifications": SCRIPT + TEMPLATE}))
    _ok(world.client("agency_admin").post(base + "/edit/contact", data={
        "contact_name": SQL, "contact_email": "dana@example.gov", "attestation_name": SCRIPT,
        "attestation_title": TEMPLATE, "attested": "y"}))
    _ok(staff.post(base + "/submit"))
    _ok(admin.post(f"/review/applications/{ids['changes']}/comments",
                   data={"body": " ".join(PAYLOADS), "visibility": "agency"}))
    db.session.remove()
    app = db.session.get(Application, ids["changes"])
    assert app.title == STORED_TITLE and app.state == ApplicationState.SUBMITTED
    hours = {f"approved_{k}": f"{v:g}" for k, v in APPROVED_HOURS.items()}
    _ok(admin.post(f"/review/applications/{ids['changes']}/approve", data={"seen_version": app.version, **hours}))
    db.session.remove()
    world.ids["changes_number"] = db.session.get(Application, ids["changes"]).approval_number
    start = (date.today() + timedelta(days=7)).isoformat()
    _ok(world.client("other_staff").post(f"/offerings/new/{world.ids['changes_number']}", data={
        "starts_on": start, "ends_on": start, "location": ATTRIBUTE + SQL, "instructors": SCRIPT, "seats": "10",
        "contact_name": TEMPLATE, "contact_email": "bea@example.gov"}))
    officer = db.session.get(Officer, ids["officer2"])
    officer.name = OFFICER_NAME  # officer names arrive by import, not by a form
    db.session.commit()
    return world


def _assert_inert(html: str, payloads: tuple[str, ...] = PAYLOADS) -> None:
    for payload in payloads:
        assert str(escape(payload)) in html, f"{payload!r} is not shown (escaped)"
        if str(escape(payload)) != payload:
            assert payload not in html, f"{payload!r} is in the page as markup"
    assert "⟦49" not in html and "yes⟧" not in html, "template syntax was evaluated"
    assert "<script>alert(1)" not in html and "<img src=x" not in html


PAGES = [
    ("agency application page", "staff", "/agency/applications/{changes}", PAYLOADS),
    ("revision with its changes", "staff", "/agency/applications/{changes}/revisions/2", PAYLOADS),
    ("agency dashboard", "staff", "/agency/", (SCRIPT, TEMPLATE)),
    ("review page", "post_admin", "/review/applications/{changes}", PAYLOADS),
    ("catalog course page", "anonymous", "/catalog/courses/{changes_number}", PAYLOADS),
    ("catalog search results", "anonymous", "/catalog/?q=calc", (SCRIPT, TEMPLATE)),
    ("letters page", "staff", "/letters/applications/{changes}", (SCRIPT, TEMPLATE)),
    ("offerings of the scheduling agency", "other_staff", "/offerings/", (SCRIPT, TEMPLATE)),
    ("transcript", "post_admin", "/credit/officers/{officer2}", (SCRIPT,)),
    ("agency officers", "staff", "/credit/agency", (SCRIPT,)),
]


@pytest.mark.parametrize(("role", "url", "payloads"), [pytest.param(*p[1:], id=p[0]) for p in PAGES])
def test_pages_show_the_strings_escaped(stored, role, url, payloads):  # type: ignore[no-untyped-def]
    response = stored.client(role).get(url.format(**stored.ids))
    assert response.status_code == 200
    _assert_inert(response.get_data(as_text=True), payloads)


def test_catalog_course_page_shows_the_offering_escaped(stored):  # type: ignore[no-untyped-def]
    html = stored.client("anonymous").get(f"/catalog/courses/{stored.ids['changes_number']}").get_data(as_text=True)
    _assert_inert(html, (ATTRIBUTE, SQL))


def _csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_catalog_csv_neutralises_formulas(stored):  # type: ignore[no-untyped-def]
    rows = _csv(stored.client("anonymous").get("/catalog/export.csv"))
    header, row = rows[0], next(r for r in rows if r[0] == stored.ids["changes_number"])
    cells = dict(zip(header, row, strict=True))
    assert cells["Title"] == "'" + STORED_TITLE
    assert cells["Synopsis"].startswith("'@SUM")
    assert cells["Objectives"].startswith("'-2+3")
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in row)


def test_credit_csv_neutralises_formulas(stored):  # type: ignore[no-untyped-def]
    rows = _csv(stored.client("staff").get("/credit/agency.csv"))
    names = [r[1] for r in rows[1:]]
    assert "'" + OFFICER_NAME in names
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for c in r)


def test_emails_carry_the_strings_as_plain_text(stored):  # type: ignore[no-untyped-def]
    rows = db.session.scalars(sa.select(OutboxMessage.id).where(
        OutboxMessage.application_id == stored.ids["changes"], OutboxMessage.task == "notify",
        OutboxMessage.status != OutboxStatus.DONE)).all()
    assert rows
    for row_id in rows:
        dispatch.run_outbox_job(row_id)
    folder = Path(stored.app.config["INSTANCE_DIR"]) / "mail"
    messages = [message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(folder.glob("*.eml"))]
    about = [m for m in messages if "HYPERLINK" in str(m["Subject"])]
    assert about, [str(m["Subject"]) for m in messages]
    comment = next(m for m in about if "New message" in str(m["Subject"]))
    for message in about:
        assert message["Bcc"] is None and "victim@evil.example" not in str(message["To"])
        assert all(part.get_content_type() == "text/plain" for part in message.walk() if not part.is_multipart())
    body = comment.get_body(preferencelist=("plain",)).get_content()
    for payload in PAYLOADS:
        assert payload in body  # verbatim, as text: nothing to escape in text/plain, nothing evaluated
    assert "⟦49" not in body and "yes⟧" not in body
