"""The product end to end in a real browser (Debian's chromium via Playwright)
against the test app on loopback, with the real RQ worker run in burst mode
between steps, so routing, the letter and the e-mails (to a real SMTP server)
really happen.

The journey: a coordinator drafts an application through the form with real
uploads; the agency's administrator signs the attestation; it is submitted,
routed, sent back for changes, resubmitted and approved with adjusted hours;
the letter is rendered, downloaded and verified; the course is in the public
catalog; another agency schedules and delivers an offering and posts the
roster; an officer of a third agency sees the credit in their standing. Each
step is screenshotted to test-artifacts/journey/ (the letter is kept there too).
"""
from __future__ import annotations

import io
import re
from datetime import date

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from approvals.demo.pdf import tiny_pdf
from approvals.extensions import db
from approvals.models import Application, ApplicationState as S, Commission, CreditEntry, Officer
from tests.browser_support import (  # noqa: F401
    ARTIFACTS, TIMEOUT_MS, Shots, browser, live_server, new_page, signed_in,
)
from tests.review_support import outbox_rows, smtp, subject, work  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]
expect = pytest.importorskip("playwright.sync_api").expect
expect.set_options(timeout=TIMEOUT_MS)

TITLE = "Crisis Intervention and De-escalation for Patrol"
SYNOPSIS = ("Patrol officers practise recognising a person in a mental-health crisis, slowing the encounter down "
            "and using time, distance and cover. Scenario-based role play with trained actors follows each block; "
            "the legal part covers emergency detention under RSMo 632.305.")
HOURS = {"total": "4", "legal": "1", "technical": "0.5", "interpersonal": "1.5", "skill_development": "1",
         "firearms": "0", "racial_profiling": "0", "implicit_bias": "0.5", "deescalation": "2"}
CONTACT = "dana@columbiapd.example.gov"
LICENSE = "B204711"
SECTION_NAV = "nav[aria-label='Sections of the application']"


def pdf_file(name: str, title: str, lines: list[str]) -> dict:
    """A small valid PDF, as Playwright's set_input_files takes it."""
    return {"name": name, "mimeType": "application/pdf", "buffer": tiny_pdf(title, lines)}


@pytest.fixture
def world(app, make):  # type: ignore[no-untyped-def]
    """Three agencies and their people, one reviewer (the only one routing can pick), an officer who signs in."""
    columbia = make.agency(name="Columbia Police Department", ori="MO0100100")
    boone = make.agency(name="Boone County Sheriff's Office", ori="MO0100000")
    jefferson = make.agency(name="Jefferson City Police Department", ori="MO0260100")
    officer_user = make.user("officer", email="jordan.ellis@jcpd.example.gov", name="Jordan Ellis")
    officer = Officer(license_number=LICENSE, name="Jordan Ellis", licensed_on=date(2019, 6, 1),
                      email=officer_user.email, user_id=officer_user.id)
    officer.commissions.append(Commission(agency_id=jefferson.id, started_on=date(2019, 6, 1)))
    db.session.add(officer)
    db.session.commit()
    return {
        "dana": make.user("agency_staff", agency=columbia, email=CONTACT, name="Dana Whitfield"),
        "marcus": make.user("agency_admin", agency=columbia, email="chief@columbiapd.example.gov", name="Marcus Reyes"),
        "tom": make.user("agency_staff", agency=boone, email="tom@bcso.example.gov", name="Tom Harlan"),
        "rita": make.user("post_reviewer", email="rita@post.example.gov", name="Rita Alvarez"),
        "officer": officer_user,
    }


def outbox_report() -> list[tuple]:
    """Every outbox row (task, status, attempts, error), for assertion messages."""
    return [(r.task, r.status.value, r.attempts, r.last_error) for r in outbox_rows()]


def the_application() -> Application:
    db.session.expire_all()  # the browser's requests changed it
    return db.session.scalar(sa.select(Application).where(Application.title == TITLE))


# --- The steps, each on the page of the person who takes it ----------------------------------------

def draft(dana, shot) -> None:  # type: ignore[no-untyped-def]
    """Sections 1–6 through the form; only the attestation is left (staff cannot sign it)."""
    dana.click("text=Applications")
    dana.click("text=Start a new application")
    dana.fill("#title", TITLE)
    dana.fill("#synopsis", SYNOPSIS)
    dana.click("label[for=delivery_method-0]")  # USWDS hides the radio itself; people click its label
    dana.fill("#attendance_policy", "Attendance at the whole course is required; sign-in sheets are kept.")
    dana.fill("#evaluation_method", "Scenario evaluation against a checklist and a 20-question written test.")
    shot(dana, "coordinator-course-section")
    dana.click("button[value=continue]")
    for key, value in HOURS.items():
        dana.fill(f"#hours_{key}", value)
    shot(dana, "coordinator-hours-section")
    dana.click("button[value=continue]")
    dana.fill("#objectives-0", "Identify five signs of a mental-health crisis.")
    dana.click("text=Add another objective")
    dana.fill("#objectives-1", "Demonstrate three de-escalation techniques in a scenario.")
    dana.click("button[value=continue]")
    dana.fill("#instructors-0-name", "Jane Q. Trainer")
    dana.fill("#instructors-0-email", "jane.trainer@columbiapd.example.gov")
    dana.fill("#instructors-0-qualifications", "CIT instructor since 2015; 40-hour CIT course coordinator.")
    dana.set_input_files("#instructors-0-record", pdf_file(
        "jane-trainer-record.pdf", "Instructor record", ["Jane Q. Trainer", "CIT instructor since 2015"]))
    shot(dana, "coordinator-instructors-section")
    dana.click("button[value=continue]")
    dana.set_input_files("#sample_certificate", pdf_file("certificate.pdf", "Certificate of Completion", [
        "Columbia Police Department", TITLE, "Total contact hours: 4",
        "Legal 1 / Technical 0.5 / Interpersonal 1.5 / Skill Development 1"]))
    dana.click("main button:has-text('Upload')")
    expect(dana.locator("main table")).to_contain_text("jane-trainer-record.pdf")
    expect(dana.locator("main table")).to_contain_text("certificate.pdf")
    shot(dana, "coordinator-documents-uploaded")
    dana.click("main a:has-text('Continue')")
    dana.fill("#contact_name", "Dana Whitfield")
    dana.fill("#contact_email", CONTACT)
    dana.fill("#contact_phone", "(573) 555-0100")
    dana.click("button[value=continue]")
    shot(dana, "coordinator-review-needs-attestation")
    expect(dana.locator("main .usa-alert--warning h4")).to_have_text(["6. Contact & attestation"])


def attest(marcus, shot) -> None:  # type: ignore[no-untyped-def]
    marcus.click("text=Applications")
    marcus.click(f"main a:has-text('{TITLE}')")
    marcus.click("text=Continue editing")
    marcus.click(f"{SECTION_NAV} a:has-text('6. Contact & attestation')")
    marcus.fill("#attestation_name", "Marcus Reyes")
    marcus.fill("#attestation_title", "Chief of Police")
    marcus.click("label[for=attested]")
    shot(marcus, "agency-admin-attests")
    marcus.click("button[value=continue]")
    expect(marcus.locator("main")).to_contain_text("Ready to submit")


def request_changes(rita, shot) -> None:  # type: ignore[no-untyped-def]
    rita.click("text=Review queue")
    shot(rita, "reviewer-queue")
    rita.click(f"main a:has-text('{TITLE}')")
    rita.fill("#message", "Please give the dates of the scenario days and the actors' training.")
    shot(rita, "reviewer-requests-changes")
    rita.click("text=Send back for changes")
    expect(rita.locator("main")).to_contain_text("Sent back to the agency for changes.")


def resubmit(dana, shot) -> None:  # type: ignore[no-untyped-def]
    dana.click("text=Applications")
    dana.click(f"main a:has-text('{TITLE}')")
    expect(dana.locator("main")).to_contain_text("POST asked for changes")
    shot(dana, "coordinator-sees-change-request")
    dana.click("text=Edit and resubmit")
    dana.click(f"{SECTION_NAV} a:has-text('1. Course')")
    dana.fill("#evaluation_method", "Scenario days on the 2nd and 3rd Tuesday, evaluated by two CIT-trained "
                                    "actors against a checklist, and a 20-question written test.")
    dana.click(".form-actions button[value=save]")
    dana.click(f"{SECTION_NAV} a:has-text('7. Review & submit')")
    expect(dana.locator("main")).to_contain_text("Your changes since revision 1")
    shot(dana, "coordinator-review-changes")
    dana.click("text=Resubmit to POST")
    expect(dana.locator("main")).to_contain_text("as revision 2")


def approve_with_adjusted_hours(rita, shot) -> None:  # type: ignore[no-untyped-def]
    rita.reload()
    expect(rita.locator("main")).to_contain_text("Changed since revision 1")
    assert rita.input_value("#approved_deescalation") == "2.0"  # prefilled with the request
    rita.fill("#approved_deescalation", "1.5")
    rita.fill("#note", "Half an hour of the role play is crisis recognition, not de-escalation.")
    shot(rita, "reviewer-approves-adjusted")
    rita.click("main button:has-text('Approve')")
    expect(rita.locator("main")).to_contain_text("Approved.")


def download_and_verify(dana, public, shot, live_server: str, number: str) -> None:  # type: ignore[no-untyped-def]
    """The letter from the panel is a PDF stating the number; the URL it prints verifies it."""
    dana.reload()
    shot(dana, "coordinator-letter-panel")
    with dana.expect_download() as download_info:
        dana.click("text=Download the letter")
    letter = ARTIFACTS / "journey" / "approval-letter.pdf"
    download_info.value.save_as(letter)
    pdf = letter.read_bytes()
    assert pdf.startswith(b"%PDF-")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert number in text and TITLE in " ".join(text.split())
    assert re.search(r"De-escalation\s+1\.5", text)
    # The letter prints its verification URL across lines; it is everything up to the code's label.
    printed_url = "".join(text[text.index("http"):text.index("Verification code")].split())
    verify_path = re.fullmatch(r"https?://[^/]+(/verify/\S+)", printed_url).group(1)
    assert dana.get_attribute("a:has-text('Its public verification page')", "href").endswith(verify_path)
    public.goto(f"{live_server}{verify_path}")
    expect(public.locator("main")).to_contain_text("Genuine letter")
    expect(public.locator("main")).to_contain_text("The approval is current")
    shot(public, "public-verifies-letter")


def find_in_catalog(public, shot, number: str) -> None:  # type: ignore[no-untyped-def]
    public.click("nav.usa-nav a:has-text('Course catalog')")
    public.fill("#q", "de-escalation patrol")
    public.press("#q", "Enter")
    expect(public.locator("main")).to_contain_text(TITLE)
    shot(public, "public-catalog-search")
    public.click(f"main a:has-text('{TITLE}')")
    expect(public.locator("main")).to_contain_text(number)
    shot(public, "public-course-page")


def offer_and_post_roster(tom, shot, day: date) -> None:  # type: ignore[no-untyped-def]
    """Schedule a one-day offering on *day* and, since it has then ended, post its roster."""
    tom.click("nav.usa-nav a:has-text('Course catalog')")
    tom.fill("#q", "crisis")
    tom.press("#q", "Enter")
    tom.click(f"main a:has-text('{TITLE}')")
    tom.click("text=Schedule an offering")
    tom.fill("#starts_on", day.isoformat())
    tom.fill("#ends_on", day.isoformat())
    tom.fill("#location", "Boone County Training Center, 2121 County Dr., Columbia")
    tom.fill("#instructors", "Jane Q. Trainer")
    tom.fill("#seats", "24")
    shot(tom, "other-agency-schedules-offering")
    tom.click("main input[type=submit][value='Save offering']")
    expect(tom.locator("main table")).to_contain_text(TITLE)
    shot(tom, "other-agency-offerings")
    tom.click("main a:has-text('Roster')")
    tom.fill("#rows-0-license_number", LICENSE)  # hours left blank: the whole course
    shot(tom, "other-agency-posts-roster")
    tom.click("text=Post roster")
    expect(tom.locator("main")).to_contain_text("Roster posted.")
    expect(tom.locator("main table")).to_contain_text("Jordan Ellis")
    shot(tom, "roster-posted")


def see_standing(jordan, shot, number: str) -> None:  # type: ignore[no-untyped-def]
    jordan.click("text=My transcript")
    shot(jordan, "officer-transcript")
    expect(jordan.locator("table.transcript-table")).to_contain_text(f"{TITLE} ({number})")
    # Required, earned (as approved, not as requested), remaining.
    expect(jordan.locator("table.requirement-table tr:has-text('De-escalation') td")).to_have_text(["1", "1.5", "met, 0"])
    expect(jordan.locator(".still-needed")).to_contain_text("20 h Total CLEE hours")


def test_course_approval_to_officer_credit(live_server, browser, world, smtp, app):
    shot = Shots(ARTIFACTS / "journey")
    dana = signed_in(browser, live_server, world["dana"])
    draft(dana, shot)
    attest(signed_in(browser, live_server, world["marcus"]), shot)
    dana.reload()
    dana.click("text=Submit to POST")
    expect(dana.locator("main")).to_contain_text("as revision 1")
    shot(dana, "coordinator-submitted")

    work(app)  # routing: to the only eligible reviewer
    row = the_application()
    assert (row.state, row.assigned_reviewer_id, len(row.revisions)) == (S.IN_REVIEW, world["rita"].id, 1), \
        outbox_report()

    rita = signed_in(browser, live_server, world["rita"])
    request_changes(rita, shot)
    work(app)
    assert the_application().state == S.CHANGES_REQUESTED, outbox_report()
    resubmit(dana, shot)
    work(app)
    assert the_application().state == S.IN_REVIEW, outbox_report()

    approve_with_adjusted_hours(rita, shot)
    row = the_application()
    assert (row.state, row.approved_total, row.approved_deescalation) == (S.APPROVED, 4.0, 1.5)
    number = row.approval_number
    assert re.fullmatch(rf"MO-IS-{date.today().year}-\d{{5}}", number)

    work(app)  # the letter, then the approval e-mail carrying it
    approval_mail = [m for m in smtp.to(CONTACT) if number in subject(m)]
    assert [p.get_content_type() for m in approval_mail for p in m.iter_attachments()] == ["application/pdf"], \
        outbox_report()

    public = new_page(browser)
    public.goto(live_server)
    download_and_verify(dana, public, shot, live_server, number)
    find_in_catalog(public, shot, number)
    # Today's offering has ended by the end of today, so its roster can be posted now: no dates to adjust.
    offer_and_post_roster(signed_in(browser, live_server, world["tom"]), shot, date.today())
    see_standing(signed_in(browser, live_server, world["officer"]), shot, number)

    db.session.expire_all()
    entry = db.session.scalar(sa.select(CreditEntry).join(Officer).where(Officer.license_number == LICENSE))
    assert (entry.hours, entry.hours_interpersonal, entry.hours_deescalation) == (4.0, 1.5, 1.5)
    assert len(shot.taken) == 21
