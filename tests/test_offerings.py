"""Offerings: any agency schedules a current course; rules, permissions, audit, pages."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from approvals import workflow
from approvals.extensions import db
from approvals.models import AuditEvent, Offering
from approvals.offerings import (
    CourseNotOfferable,
    OfferingClosed,
    cancel_offering,
    schedule_offering,
    update_offering,
)
from approvals.workflow import Incomplete, NotPermitted
from tests.catalog_support import Courses, details

TODAY = date.today()


@pytest.fixture
def courses(make) -> Courses:  # type: ignore[no-untyped-def]
    return Courses(make)


@pytest.fixture
def course(courses):  # type: ignore[no-untyped-def]
    return courses.approved(title="Emergency Vehicle Operations")


@pytest.fixture
def staff(make):  # type: ignore[no-untyped-def]
    """Staff of an agency other than the one holding the approval."""
    return make.user("agency_staff", agency=make.agency("Hallsville Police Department"))


def test_any_agency_schedules_and_it_is_audited(course, staff) -> None:
    offering = schedule_offering(course, staff, details(instructor_licenses="b123456; c-77 ,d9"))
    db.session.commit()
    assert offering.agency_id == staff.agency_id != course.agency_id
    assert offering.license_numbers == ["B123456", "C-77", "D9"]
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "offering.scheduled"))
    assert (event.actor_id, event.subject_id, event.application_id, event.agency_id) == (
        staff.id, offering.id, course.id, staff.agency_id)


@pytest.mark.parametrize("ending", ["revoked", "expired", "lapsed"])
def test_expired_or_revoked_courses_take_no_offerings(course, staff, make, ending: str) -> None:
    if ending == "revoked":
        workflow.revoke(course, make.user("post_admin"), "Content outdated.")
    elif ending == "expired":
        course.expires_on = TODAY - timedelta(days=1)
        workflow.expire(course)
    else:  # past its date, not yet marked expired by the nightly job
        course.expires_on = TODAY - timedelta(days=1)
    db.session.commit()
    with pytest.raises(CourseNotOfferable) as e:
        schedule_offering(course, staff, details())
    assert course.approval_number in e.value.message
    assert ("revoked" if ending == "revoked" else "expired") in e.value.message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Offering)) == 0


PROBLEMS = [
    ({"starts_on": None}, "starts_on", "Enter the first day"),
    ({"starts_on": TODAY - timedelta(days=1)}, "starts_on", "cannot be in the past"),
    ({"ends_on": None}, "ends_on", "Enter the last day"),
    ({"ends_on": TODAY + timedelta(days=6)}, "ends_on", "cannot be before the first day"),
    ({"ends_on": TODAY + timedelta(days=900)}, "ends_on", "must end by then"),
    ({"seats": None}, "seats", "Enter the number of seats"),
    ({"seats": 0}, "seats", "between 1 and 1,000"),
    ({"seats": 1001}, "seats", "between 1 and 1,000"),
    ({"location": "  "}, "location", "or mark it as online"),
    ({"online": True, "location": ""}, "online_url", "web address students use"),
    ({"online": True, "online_url": "javascript:alert(1)"}, "online_url", "starting with https://"),
    ({"instructors": "", "instructor_licenses": ""}, "instructors", "at least one instructor"),
    ({"instructor_licenses": "B12 <script>"}, "instructor_licenses", "is not a license number"),
    ({"contact_name": ""}, "contact_name", "person to contact"),
    ({"contact_email": "not-an-address"}, "contact_email", "like name@agency.mo.gov"),
    ({"contact_phone": "call me"}, "contact_phone", "like (573) 555-0100"),
]


@pytest.mark.parametrize(("changes", "field", "message"), PROBLEMS)
def test_validation_messages(course, staff, changes: dict, field: str, message: str) -> None:
    with pytest.raises(Incomplete) as e:
        schedule_offering(course, staff, details(**changes))
    assert [p.field for p in e.value.problems] == [field]
    assert message in e.value.problems[0].message


def test_one_day_online_offering_today_is_fine(course, staff) -> None:
    offering = schedule_offering(course, staff, details(starts_on=TODAY, ends_on=TODAY, online=True, location="",
                                                        online_url="https://meet.example.gov/evoc", seats=1000))
    assert offering.online and offering.location == ""


@pytest.mark.parametrize("role", ["officer", "post_reviewer", "post_admin"])
def test_only_agency_staff_schedule(course, make, role: str) -> None:
    with pytest.raises(NotPermitted):
        schedule_offering(course, make.user(role), details())


def test_only_the_delivering_agency_changes_or_cancels(course, staff, make) -> None:
    offering = schedule_offering(course, staff, details())
    holder = make.user("agency_admin", agency=course.agency)  # even the approval holder may not
    for actor in (holder, make.user("post_admin")):
        with pytest.raises(NotPermitted):
            update_offering(offering, actor, details(seats=5))
        with pytest.raises(NotPermitted):
            cancel_offering(offering, actor)
    colleague = make.user("agency_admin", agency=staff.agency)
    update_offering(offering, colleague, details(seats=5))
    cancel_offering(offering, colleague, "Low enrolment")
    db.session.commit()
    assert (offering.seats, offering.cancel_reason) == (5, "Low enrolment")
    with pytest.raises(OfferingClosed):
        cancel_offering(offering, colleague)
    with pytest.raises(OfferingClosed):
        update_offering(offering, colleague, details())
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.subject_type == "offerings")
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["offering.scheduled", "offering.updated", "offering.cancelled"]


def test_edit_keeps_a_started_offering_start(course, staff) -> None:
    offering = schedule_offering(course, staff, details(starts_on=TODAY, ends_on=TODAY + timedelta(days=3)))
    offering.starts_on = TODAY - timedelta(days=1)  # it began yesterday
    db.session.commit()
    update_offering(offering, staff, details(starts_on=offering.starts_on, ends_on=TODAY + timedelta(days=3), seats=9))
    assert offering.seats == 9


# --- through the pages ------------------------------------------------------------------------------

def form_data(**changes: object) -> dict:
    d = details(**changes)
    data = {k: ("y" if v is True else "" if v in (False, None) else str(v)) for k, v in vars(d).items()}
    return {k: v for k, v in data.items() if not (k == "online" and v == "")}


def test_schedule_page_flow(client, auth, course, staff) -> None:
    auth.login(staff)
    page = client.get(f"/catalog/courses/{course.approval_number}").get_data(as_text=True)
    assert f"/offerings/new/{course.approval_number}" in page
    r = client.get(f"/offerings/new/{course.approval_number}")
    assert r.status_code == 200 and staff.email in r.get_data(as_text=True)
    r = client.post(f"/offerings/new/{course.approval_number}", data=form_data(seats="0", starts_on="tomorrow"))
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Enter a date like 2026-03-14." in html and "between 1 and 1,000" in html
    assert 'aria-describedby="seats-error"' in html or 'seats-error' in html
    r = client.post(f"/offerings/new/{course.approval_number}", data=form_data())
    assert r.status_code == 302 and r.headers["Location"].endswith("/offerings/")
    html = client.get("/offerings/").get_data(as_text=True)
    assert "Emergency Vehicle Operations" in html and "Training Center" in html and "scheduled" in html


def test_schedule_page_refuses_revoked_course_with_409(client, auth, course, staff, make) -> None:
    workflow.revoke(course, make.user("post_admin"), "Outdated.")
    db.session.commit()
    auth.login(staff)
    for r in (client.get(f"/offerings/new/{course.approval_number}"),
              client.post(f"/offerings/new/{course.approval_number}", data=form_data())):
        assert r.status_code == 409
        assert "was revoked, so this course can take no new offerings" in r.get_data(as_text=True)


def test_another_agencys_offering_is_404(client, auth, course, staff, make) -> None:
    offering = schedule_offering(course, staff, details())
    db.session.commit()
    auth.login(make.user("agency_staff"))
    assert client.get(f"/offerings/{offering.id}/edit").status_code == 404
    assert client.post(f"/offerings/{offering.id}/edit", data=form_data(seats="3")).status_code == 404
    assert client.post(f"/offerings/{offering.id}/cancel", data={"reason": "x"}).status_code == 404
    assert "Training Center" not in client.get("/offerings/").get_data(as_text=True)
    db.session.refresh(offering)
    assert offering.seats == 24 and offering.cancelled_at is None


@pytest.mark.parametrize(("role", "status"), [(None, 302), ("officer", 404), ("post_reviewer", 404), ("agency_staff", 200)])
def test_offerings_page_access(client, auth, make, role, status: int) -> None:  # type: ignore[no-untyped-def]
    if role:
        auth.login(make.user(role))
    assert client.get("/offerings/").status_code == status


def test_edit_and_cancel_pages(client, auth, course, staff) -> None:
    offering = schedule_offering(course, staff, details())
    db.session.commit()
    auth.login(staff)
    assert client.get(f"/offerings/{offering.id}/edit").status_code == 200
    r = client.post(f"/offerings/{offering.id}/edit", data=form_data(seats="12", location="Gym B"))
    assert r.status_code == 302
    r = client.post(f"/offerings/{offering.id}/cancel", data={"reason": "Weather"})
    assert r.status_code == 302
    db.session.refresh(offering)
    assert (offering.seats, offering.location, offering.cancel_reason) == (12, "Gym B", "Weather")
    assert "Cancelled" in client.get("/offerings/?show=cancelled").get_data(as_text=True)
    assert client.post(f"/offerings/{offering.id}/cancel", data={"reason": "again"}).status_code == 409


def test_past_offerings_are_listed_read_only(client, auth, app, course, staff) -> None:
    offering = schedule_offering(course, staff, details())
    offering.starts_on = offering.ends_on = TODAY - timedelta(days=3)
    db.session.commit()
    auth.login(staff)
    assert "No upcoming offerings" in client.get("/offerings/").get_data(as_text=True)
    html = client.get("/offerings/?show=past").get_data(as_text=True)
    assert "Emergency Vehicle Operations" in html and "Change or cancel" not in html
    if "credit.roster" in app.view_functions:  # the roster pages belong to the credit area
        assert f"/credit/offerings/{offering.id}/roster" in html
    with pytest.raises(OfferingClosed):
        update_offering(offering, staff, details())
