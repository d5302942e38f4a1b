"""The queue and the review page in a real browser (Debian's chromium via
Playwright): filters, opening an application, a decision, a conflict; each
page is screenshotted (SCREENSHOT_DIR, else the test's tmp folder)."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from approvals import workflow
from approvals.extensions import db
from approvals.models import Application, ApplicationState as S
from approvals.models._types import utcnow
from tests.browser_support import browser, live_server, signed_in  # noqa: F401
from tests.review_support import submit

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


def _age(row: Application, days: float) -> None:
    table = Application.__table__
    db.session.execute(sa.update(table).where(table.c.id == row.id).values(submitted_at=utcnow() - timedelta(days=days)))
    db.session.commit()


@pytest.fixture
def scene(app, make):  # type: ignore[no-untyped-def]
    agencies = [make.agency(name=n) for n in ("Columbia Police Department", "Boone County Sheriff's Office",
                                              "Jefferson City Police Department")]
    staff = [make.user("agency_staff", agency=a, name=f"Coordinator {i}") for i, a in enumerate(agencies)]
    rita = make.user("post_reviewer", name="Rita Alvarez")
    sam = make.user("post_reviewer", name="Sam Okafor")
    admin = make.user("post_admin", name="Ada Brennan")
    titles = ["Crisis Intervention and De-escalation for Patrol", "Legal Update: Search and Seizure 2026",
              "Firearms Low-Light Qualification", "Implicit Bias in Traffic Stops", "Report Writing for Court"]
    rows = []
    for i, title in enumerate(titles):
        row = submit(app, agencies[i % 3], staff[i % 3], title=title)
        if i < 3:
            workflow.assign(row, rita if i != 1 else sam, actor=None)
        rows.append(row)
    workflow.request_changes(rows[1], sam, "Please split the legal hours by topic.")
    db.session.commit()
    rows[1].title = "Legal Update: Search and Seizure (2026 revision)"
    rows[1].hours_deescalation = 3.0
    workflow.submit(rows[1], staff[1])
    workflow.assign(rows[1], sam, actor=None)
    workflow.add_comment(rows[0], rita, "Instructor record is from 2019; ask for a current one?", internal=True)
    workflow.add_comment(rows[0], staff[0], "The range is booked for the practical part.", internal=False)
    db.session.commit()
    for row, days in zip(rows, (24, 13, 4, 11, 1)):
        _age(row, days)
    return {"rows": rows, "rita": rita, "sam": sam, "admin": admin}


def shots_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_queue_and_review_page(live_server, browser, scene, tmp_path):
    shots = shots_dir(tmp_path)
    page = signed_in(browser, live_server, scene["admin"])
    page.goto(f"{live_server}/review/?tab=all")
    assert page.locator("table.queue-table tbody tr").count() == 5
    page.screenshot(path=str(shots / "review-queue.png"), full_page=True)
    page.select_option("#age", "escalated")
    page.click("text=Filter")
    assert page.locator("table.queue-table tbody tr").count() == 1

    page.goto(f"{live_server}/review/?tab=all")
    page.click("text=Legal Update: Search and Seizure (2026 revision)")
    assert page.is_visible("#changes-heading")
    page.screenshot(path=str(shots / "review-page-resubmitted.png"), full_page=True)

    row = scene["rows"][0]
    page.goto(f"{live_server}/review/applications/{row.id}")
    assert "Internal note" in page.inner_text("#comments")
    page.screenshot(path=str(shots / "review-page.png"), full_page=True)
    # Decide from the page.
    page.fill("#message", "Please attach a current instructor record.")
    page.click("text=Send back for changes")
    assert "Sent back to the agency for changes." in page.inner_text("main")
    db.session.expire_all()
    assert db.session.get(Application, row.id).state == S.CHANGES_REQUESTED


def test_second_decision_sees_the_conflict(live_server, browser, scene, tmp_path):
    row = scene["rows"][2]
    rita_page = signed_in(browser, live_server, scene["rita"])
    admin_page = signed_in(browser, live_server, scene["admin"])
    for p in (rita_page, admin_page):
        p.goto(f"{live_server}/review/applications/{row.id}")
    rita_page.fill("#message", "Firearms hours need a range safety plan.")
    rita_page.click("text=Send back for changes")
    admin_page.click("label:has-text('Duplicates a course already approved')")
    admin_page.fill("#reason", "Duplicates an approved course.")
    admin_page.click("button:has-text('Deny')")
    assert "Someone else changed this application" in admin_page.inner_text("main")
    admin_page.screenshot(path=str(shots_dir(tmp_path) / "review-conflict.png"), full_page=True)
    db.session.expire_all()
    assert db.session.get(Application, row.id).state == S.CHANGES_REQUESTED


def test_outbox_and_notifications_pages(live_server, browser, scene, tmp_path, app):
    from approvals.models import Notification, OutboxMessage, OutboxStatus

    row = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.created_at)).first()
    row.status, row.attempts = OutboxStatus.DEAD, 5
    row.last_error = "SMTPRecipientsRefused: {'dana@example.gov': (550, b'5.1.1 Mailbox unavailable')}"
    db.session.add(Notification(user_id=scene["rita"].id, application_id=scene["rows"][0].id, kind="assigned",
                                message="Assigned to you for review: Crisis Intervention and De-escalation for Patrol"))
    db.session.commit()
    page = signed_in(browser, live_server, scene["admin"])
    page.goto(f"{live_server}/admin/outbox")
    assert "Mailbox unavailable" in page.inner_text("main")
    page.screenshot(path=str(shots_dir(tmp_path) / "admin-outbox.png"), full_page=True)
    page.click("button:has-text('Retry')")
    assert "queued again" in page.inner_text("main")
    rita = signed_in(browser, live_server, scene["rita"])
    rita.click("text=Notifications")
    assert "Assigned to you for review" in rita.inner_text("main")
    rita.screenshot(path=str(shots_dir(tmp_path) / "notifications.png"), full_page=True)
