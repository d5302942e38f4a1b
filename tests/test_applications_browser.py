"""The form in a real browser with JavaScript off: rows are added and removed
by plain buttons, and an error summary link lands on its field."""
from __future__ import annotations

import pytest

from approvals.extensions import db
from approvals.models import Application
from tests.browser_support import browser, live_server, new_page  # noqa: F401
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    return new_page(browser, java_script_enabled=False)


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
