"""The form in a real browser with JavaScript off: rows are added and removed
by plain buttons, and an error summary link lands on its field."""
from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from approvals.extensions import db
from approvals.models import Application
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def live_server(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def page(live_server):  # type: ignore[no-untyped-def]
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(java_script_enabled=False)
        context.set_default_timeout(15000)
        yield context.new_page()
        browser.close()


def test_the_form_works_without_javascript(live_server, page, make):
    staff = make.user("agency_staff")
    draft = Application(agency_id=staff.agency_id, created_by_id=staff.id, title="Browser draft")
    db.session.add(draft)
    db.session.commit()
    page.goto(f"{live_server}/auth/login")
    page.fill("#email", staff.email)
    page.fill("#password", PASSWORD)
    page.click("main [type=submit]")

    page.goto(f"{live_server}/agency/applications/{draft.id}/edit/objectives")
    page.fill("#objectives-0", "Identify signs of crisis.")
    page.click("text=Add another objective")
    page.fill("#objectives-1", "Demonstrate active listening.")
    page.click("button[value=continue]")
    assert page.url.endswith("/edit/instructors")
    page.goto(f"{live_server}/agency/applications/{draft.id}/edit/objectives")
    page.click("button[aria-label='Remove objective 1']")
    assert page.input_value("#objectives-0") == "Demonstrate active listening."

    page.goto(f"{live_server}/agency/applications/{draft.id}/edit/hours")
    page.fill("#hours_total", "abc")
    page.press("#hours_legal", "Enter")  # Enter saves; it must not press a remove button
    page.click(".usa-alert--error a[href='#hours_total']")
    assert page.url.endswith("#hours_total")
    assert page.is_visible("#hours_total-error")
    assert "as a number of hours" in page.inner_text("#hours_total-error")
    db.session.expire_all()
    assert [o.text for o in db.session.get(Application, draft.id).objectives] == ["Demonstrate active listening."]
