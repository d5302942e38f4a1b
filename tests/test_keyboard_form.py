"""The application form completed with the keyboard alone, in a real browser:
Tab, Shift+Tab, Enter and Space move and act (typing fills the boxes), never
a click. A save with errors puts focus on the error summary, whose links lead
to the fields. Screenshots go to test-artifacts/journey/keyboard/."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from approvals.extensions import db
from approvals.models import Application
from tests.browser_support import (  # noqa: F401
    ARTIFACTS, TIMEOUT_MS, Shots, browser, focused, is_focused, live_server, new_page, tab_to,
)
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]
expect = pytest.importorskip("playwright.sync_api").expect
expect.set_options(timeout=TIMEOUT_MS)


def test_application_form_with_the_keyboard_alone(live_server, browser, make, app):
    staff = make.user("agency_staff", email="kim@columbiapd.example.gov", name="Kim Park")
    shot = Shots(ARTIFACTS / "journey" / "keyboard")
    page = new_page(browser)
    keys = page.keyboard

    page.goto(f"{live_server}/auth/login")
    tab_to(page, "#email")
    keys.type(staff.email)
    keys.press("Tab")
    keys.type(PASSWORD)
    keys.press("Enter")
    page.wait_for_url(f"{live_server}/")
    tab_to(page, "nav a[href='/agency/']")
    keys.press("Enter")
    page.wait_for_url("**/agency/")
    tab_to(page, "main a[href$='/agency/applications/new']")
    keys.press("Enter")
    page.wait_for_url("**/applications/new")

    # Section 1: text boxes, a radio button (Space), "Save and continue" (Space).
    tab_to(page, "#title")
    keys.type("Report Writing for Court")
    keys.press("Tab")
    assert is_focused(page, "#synopsis"), focused(page)
    keys.type("How to write an incident report that survives cross-examination. " * 4)
    tab_to(page, "input[name=delivery_method]")
    keys.press("Space")
    assert page.is_checked("#delivery_method-0")
    tab_to(page, "button[value=continue]")
    keys.press("Space")
    page.wait_for_url("**/edit/hours")

    # Section 2: two bad values, sent with Enter from a text box.
    tab_to(page, "#hours_total")
    keys.type("four")
    tab_to(page, "#hours_legal")
    keys.type("1.25")
    keys.press("Enter")
    page.wait_for_selector("main .usa-alert--error")
    shot(page, "hours-errors")
    # Focus is on the error summary, so it is announced and the next Tab reaches its links.
    assert is_focused(page, "main .usa-alert--error"), focused(page)
    keys.press("Tab")
    assert is_focused(page, "a[href='#hours_total']"), focused(page)
    keys.press("Enter")
    assert is_focused(page, "#hours_total"), focused(page)
    expect(page.locator("#hours_total-error")).to_contain_text("as a number of hours")
    keys.press("Shift+Tab")  # out and back in selects the wrong value, so typing replaces it
    keys.press("Tab")
    keys.type("4")
    for key, value in (("legal", "1"), ("technical", "1"), ("interpersonal", "1"), ("skill_development", "1"),
                       ("firearms", "0"), ("racial_profiling", "0"), ("implicit_bias", "0"), ("deescalation", "0")):
        tab_to(page, f"#hours_{key}")
        keys.type(value)
    tab_to(page, ".form-actions button[value=continue]")
    keys.press("Enter")
    page.wait_for_url("**/edit/objectives")
    expect(page.locator("main")).to_contain_text("Saved hours.")
    shot(page, "hours-saved")

    # Section 3: a second row added with the keyboard (focus moves into it), then saved.
    tab_to(page, "#objectives-0")
    keys.type("Write a chronological narrative of an arrest.")
    tab_to(page, "button[value=add]")
    keys.press("Space")
    page.wait_for_selector("#objectives-1")
    assert is_focused(page, "#objectives-1"), focused(page)
    keys.type("Identify the elements of the offence in the report.")
    tab_to(page, ".form-actions button[value=save]")
    keys.press("Enter")
    page.wait_for_selector("text=Saved learning objectives.")
    shot(page, "objectives-saved")

    db.session.expire_all()
    row = db.session.scalar(sa.select(Application).where(Application.title == "Report Writing for Court"))
    assert (row.hours_total, row.hours_legal, row.hours_deescalation, row.delivery_method.value) == (
        4.0, 1.0, 0.0, "in_person")
    assert [o.text for o in row.objectives] == ["Write a chronological narrative of an arrest.",
                                                "Identify the elements of the offence in the report."]
