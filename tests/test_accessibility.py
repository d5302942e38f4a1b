"""axe-core on every main page, for every role, in a real browser: no serious
or critical violation anywhere.

The demo data (every application state, letters, the catalog, offerings,
rosters, credit) fills the pages as people will see them. Pages with form
errors are scanned too, since errors add the markup most likely to go wrong.
Everything axe reports (minor and moderate included) is written to
test-artifacts/axe/report.json.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from approvals.demo import DEMO_PASSWORD, load_demo
from approvals.extensions import db
from approvals.models import Application, ApplicationState as S, ApprovalLetter, Offering, Roster
from tests.browser_support import (  # noqa: F401
    ARTIFACTS, AXE_JS, axe_violations, browser, describe, live_server, new_page, sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

COORDINATOR = "coordinator@columbiapd.example.gov"
AGENCY_ADMIN = "chief@columbiapd.example.gov"
REVIEWER = "reviewer@post.example.gov"
POST_ADMIN = "admin@post.example.gov"
OFFICER = "officer@columbiapd.example.gov"
SECTIONS = ("course", "hours", "objectives", "instructors", "documents", "contact", "review")


@dataclass
class Scan:
    """What axe found, page by page: everything, and the blocking part."""

    everything: dict[str, list] = field(default_factory=dict)
    blocking: dict[str, list] = field(default_factory=dict)

    def __call__(self, page, name: str) -> None:  # type: ignore[no-untyped-def]
        page.wait_for_load_state()
        found = axe_violations(page, impacts=("minor", "moderate", "serious", "critical"))
        self.everything[name] = found
        serious = [v for v in found if v["impact"] in ("serious", "critical")]
        if serious:
            self.blocking[name] = serious


def scanning_page(browser):  # type: ignore[no-untyped-def]
    """A page whose every document loads axe-core first. The CSP (rightly) refuses
    injected scripts, so only the scan's own context bypasses it."""
    page = new_page(browser, bypass_csp=True)
    page.context.add_init_script(path=str(AXE_JS))
    return page


def _one(stmt):  # type: ignore[no-untyped-def]
    return db.session.scalars(stmt.limit(1)).one()


def _ids() -> dict:
    """Rows of the demo data the pages are about (the demo is Columbia PD's view)."""
    columbia = _one(sa.select(Application.agency_id).where(Application.title.like("Legal Update 2026%")))
    of = sa.select(Application).where(Application.agency_id == columbia).order_by(Application.id)
    approved = _one(of.where(Application.state == S.APPROVED))
    letter = _one(sa.select(ApprovalLetter).where(ApprovalLetter.application_id == approved.id))
    roster = _one(sa.select(Roster).join(Offering).where(Offering.agency_id == columbia))
    upcoming = _one(sa.select(Offering).where(Offering.agency_id == columbia, Offering.cancelled_at.is_(None))
                    .order_by(Offering.starts_on.desc()))
    return {
        "draft": _one(of.where(Application.state == S.DRAFT)).id,
        "changes": _one(of.where(Application.state == S.CHANGES_REQUESTED)).id,
        "submitted": _one(of.where(Application.state == S.SUBMITTED)).id,
        "in_review": _one(sa.select(Application).where(Application.state == S.IN_REVIEW)).id,
        "approved": approved.id,
        "number": approved.approval_number,
        "code": letter.code,
        "roster_offering": roster.offering_id,
        "offering": upcoming.id,
    }


def test_no_serious_or_critical_violations_on_any_main_page(live_server, browser, app):
    assert load_demo() is not None
    ids = _ids()
    scan = Scan()
    draft = f"/agency/applications/{ids['draft']}"
    pages: list[tuple[str | None, list[tuple[str, str]]]] = [
        (None, [
            ("login", "/auth/login"), ("home (anonymous)", "/"), ("catalog search", "/catalog/?q=crisis"),
            ("catalog course", f"/catalog/courses/{ids['number']}"), ("verify lookup", "/verify/"),
            ("verify result", f"/verify/{ids['number']}?code={ids['code']}"),
            ("forgot password", "/auth/forgot"),
        ]),
        (COORDINATOR, [
            ("home (agency staff)", "/"), ("agency dashboard", "/agency/"),
            ("new application", "/agency/applications/new"),
            *[(f"form section {s}", f"{draft}/edit/{s}") for s in SECTIONS],
            ("application (draft)", draft),
            ("application (changes requested)", f"/agency/applications/{ids['changes']}"),
            ("application (approved, letter panel)", f"/agency/applications/{ids['approved']}"),
            ("revision", f"/agency/applications/{ids['approved']}/revisions/1"),
            ("offerings", "/offerings/"), ("schedule offering", f"/offerings/new/{ids['number']}"),
            ("change offering", f"/offerings/{ids['offering']}/edit"),
            ("roster", f"/credit/offerings/{ids['roster_offering']}/roster"),
            ("agency officers", "/credit/agency"), ("notifications", "/notifications"), ("profile", "/profile"),
        ]),
        (AGENCY_ADMIN, [
            ("home (agency admin)", "/"), ("attestation section", f"{draft}/edit/contact"),
            ("agency accounts", "/admin/users"),
        ]),
        (REVIEWER, [
            ("home (reviewer)", "/"), ("review queue", "/review/"),
            ("review page", f"/review/applications/{ids['in_review']}"),
        ]),
        (POST_ADMIN, [
            ("home (POST admin)", "/"), ("review queue (all)", "/review/?tab=all"),
            ("review page (admin)", f"/review/applications/{ids['submitted']}"),
            ("statewide report", "/credit/statewide"), ("admin users", "/admin/users"),
            ("admin agencies", "/admin/agencies"), ("admin outbox", "/admin/outbox"),
            ("extensions", "/credit/extensions"),
        ]),
        (OFFICER, [("home (officer)", "/"), ("my transcript", "/credit/transcript")]),
    ]
    for email, paths in pages:
        page = scanning_page(browser)
        if email:
            sign_in(page, live_server, email, DEMO_PASSWORD)
        for name, path in paths:
            response = page.goto(f"{live_server}{path}")
            assert response.ok, f"{name}: {path} answered {response.status}"
            scan(page, name)
        page.context.close()

    # The same pages showing errors.
    page = scanning_page(browser)
    page.goto(f"{live_server}/auth/login")
    page.fill("#email", COORDINATOR)
    page.fill("#password", "not the password")
    page.click("main [type=submit]")
    scan(page, "login (wrong password)")
    sign_in(page, live_server, COORDINATOR, DEMO_PASSWORD)
    page.goto(f"{live_server}{draft}/edit/hours")
    page.fill("#hours_total", "four")
    page.fill("#hours_legal", "1.25")
    page.press("#hours_legal", "Enter")
    page.wait_for_selector("main .usa-alert--error")
    scan(page, "form section hours (errors)")
    page.goto(f"{live_server}{draft}/edit/review")
    page.click("main button:has-text('Submit to POST')")
    page.wait_for_selector("#submit-problems")
    scan(page, "review & submit (refused)")
    page.goto(f"{live_server}/offerings/new/{ids['number']}")
    page.click("main input[type=submit][value='Save offering']")
    page.wait_for_selector("main .usa-alert--error")
    scan(page, "schedule offering (errors)")
    # The scan can fail: a text box without a label is a critical violation.
    page.set_content('<!doctype html><html lang="en"><title>t</title><main><input type="text"></main></html>')
    assert [v["id"] for v in axe_violations(page)] == ["label"]
    page.context.close()

    out = ARTIFACTS / "axe"
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(scan.everything, indent=2, ensure_ascii=False))
    assert len(scan.everything) >= 45
    assert not scan.blocking, describe(scan.blocking)
