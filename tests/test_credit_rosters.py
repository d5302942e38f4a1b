"""Rosters: bad rows post nothing, clean rosters credit officers of any agency and the instructors,
posted rosters are locked and corrected only by audited amendments."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from approvals.credit import rosters
from approvals.credit.standing import transcript
from approvals.extensions import db
from approvals.models import AuditEvent, CreditEntry, Roster, RosterAmendment
from tests.credit_helpers import YEAR, approved_course, csv_bytes, officer, past_offering


@pytest.fixture
def world(make):
    a, b = make.agency("Alpha PD"), make.agency("Bravo SO")
    staff_a, staff_b = make.user("agency_staff", a), make.user("agency_staff", b)
    course = approved_course(a, staff_a)
    offering = past_offering(course, a, staff_a, instructors="L-900")
    people = {n: officer(n, agency) for n, agency in (("L-100", a), ("L-200", b), ("L-300", b), ("L-900", a))}
    return {"a": a, "b": b, "staff_a": staff_a, "staff_b": staff_b, "offering": offering, "officers": people}


def _entries() -> list[CreditEntry]:
    return list(db.session.scalars(sa.select(CreditEntry).order_by(CreditEntry.id)))


BAD_ROWS = [
    ("unknown", [("L-100", "8"), ("L-404", "8")], "Row 3: No officer has license number L-404."),
    ("duplicate", [("L-100", "8"), ("l-100 ", "4")], "Row 3: License number L-100 is also on row 2."),
    ("over-hours", [("L-100", "8.5")], "Row 2: 8.5 hours is more than the course's approved 8 hours."),
    ("non-numeric", [("L-100", "eight")], "Row 2: Hours “eight” is not a number of hours, e.g. 4 or 3.5."),
    ("not-half-hours", [("L-100", "2.25")], "Row 2: Hours must be more than 0, in half-hours (e.g. 3.5), not 2.25."),
    ("zero", [("L-100", "0")], "Row 2: Hours must be more than 0, in half-hours (e.g. 3.5), not 0."),
    ("missing-license", [("", "4")], "Row 2: Enter the officer's license number."),
]


@pytest.mark.parametrize("rows,message", [(r, m) for _, r, m in BAD_ROWS], ids=[i for i, _, _ in BAD_ROWS])
def test_a_bad_row_posts_nothing_and_is_reported_by_row(world, rows, message):
    lines = [rosters.RosterLine(i + 2, n, h) for i, (n, h) in enumerate(rows)]

    with pytest.raises(rosters.RosterRejected) as caught:
        rosters.post(world["offering"], lines, world["staff_a"])
    db.session.rollback()

    assert message in [str(p) for p in caught.value.problems]
    assert _entries() == [] and db.session.scalar(sa.select(Roster.id)) is None


def test_csv_with_several_bad_rows_reports_each_and_posts_nothing(world, client, auth):
    auth.login(world["staff_a"])
    data = csv_bytes("license_number,hours", "L-100,8", "L-404,8", "L-200,nine", "L-100,4", "L-300,12")

    response = client.post(f"/credit/offerings/{world['offering'].id}/roster",
                           data={"csv_file": (data, "roster.csv")}, content_type="multipart/form-data")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for expected in ("Row 3: No officer has license number L-404.", "Row 4: Hours “nine” is not a number",
                     "Row 5: License number L-100 is also on row 2.", "Row 6: 12 hours is more than"):
        assert expected in page
    assert "Nothing was posted" in page
    assert _entries() == []


def test_clean_roster_credits_officers_of_any_agency_and_the_instructor(world, client, auth):
    auth.login(world["staff_a"])
    form = {"rows-0-license_number": "L-100", "rows-0-hours": "8",
            "rows-1-license_number": "L-200", "rows-1-hours": "3.5", "rows-2-license_number": "L-300"}

    response = client.post(f"/credit/offerings/{world['offering'].id}/roster", data=form)

    assert response.status_code == 302
    db.session.expire_all()
    entries = {(e.officer.license_number, e.source.value): e for e in _entries()}
    assert set(entries) == {("L-100", "in_service"), ("L-200", "in_service"), ("L-300", "in_service"),
                            ("L-900", "instruction")}
    assert entries[("L-300", "in_service")].hours == 8  # blank hours: the whole course
    partial = entries[("L-200", "in_service")]
    assert partial.hours == 3.5 and sum(partial.areas().values()) == 3.5
    assert partial.hours_firearms <= partial.hours_skill_development
    instruction = entries[("L-900", "instruction")]
    assert (instruction.hours, instruction.areas()) == (8, {"legal": 2, "technical": 2, "interpersonal": 2,
                                                             "skill_development": 2})
    assert instruction.designations() == {"firearms": 2, "deescalation": 1}
    standing = transcript(world["officers"]["L-900"], YEAR).standing
    assert standing.requirement("firearms_live").earned == 2 and standing.requirement("total").earned == 8


def test_cross_agency_credit_shows_on_the_officers_own_agency_dashboard(world, client, auth):
    rosters.post(world["offering"], [rosters.RosterLine(2, "L-200", "8")], world["staff_a"])
    db.session.commit()

    auth.login(world["staff_b"])
    csv_text = client.get(f"/credit/agency.csv?year={YEAR}&sort=license").get_data(as_text=True)
    page = client.get(f"/credit/agency?year={YEAR}").get_data(as_text=True)

    line = next(r for r in csv_text.splitlines() if r.startswith("L-200"))
    assert line.split(",")[4] == "16"  # total remaining: 24 - 8
    assert "Officer L-200" in page and "Officer L-100" not in page  # B's officers only


def test_posted_roster_is_locked(world, client, auth):
    rosters.post(world["offering"], [rosters.RosterLine(2, "L-100", "8")], world["staff_a"])
    db.session.commit()

    with pytest.raises(Exception, match="already posted"):
        rosters.post(world["offering"], [rosters.RosterLine(2, "L-200", "8")], world["staff_a"])
    db.session.rollback()
    auth.login(world["staff_a"])
    page = client.get(f"/credit/offerings/{world['offering'].id}/roster").get_data(as_text=True)
    assert "Posted and locked" in page and "Post roster" not in page


def test_amendment_supersedes_changed_lines_and_is_audited(world):
    roster = rosters.post(world["offering"], [rosters.RosterLine(2, "L-100", "8"), rosters.RosterLine(3, "L-200", "4")],
                          world["staff_a"])
    db.session.commit()
    before = {e.officer.license_number: e for e in _entries() if e.source == "in_service"}

    amendment = rosters.amend(roster, [rosters.RosterLine(2, "L-200", "6"), rosters.RosterLine(3, "L-300", "8")],
                              "Sign-in sheet misread", world["staff_a"])
    db.session.commit()
    db.session.expire_all()

    assert {(c["license_number"], c["before"], c["after"]) for c in amendment.changes} == {
        ("L-100", 8.0, None), ("L-200", 4.0, 6.0), ("L-300", None, 8.0)}
    assert before["L-100"].superseded_at is not None and before["L-200"].superseded_at is not None
    current = {e.officer.license_number: e for e in _entries() if e.superseded_at is None and e.source == "in_service"}
    assert {n: e.hours for n, e in current.items()} == {"L-200": 6.0, "L-300": 8.0}
    assert current["L-200"].replaces_id == before["L-200"].id and current["L-200"].amendment_id == amendment.id
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "roster.amended"))
    assert event.actor_id == world["staff_a"].id and "Sign-in sheet misread" in event.summary
    assert len(event.data["changes"]) == 3
    assert transcript(world["officers"]["L-100"], YEAR).entries == []


def test_amendment_rows_are_append_only(world):
    roster = rosters.post(world["offering"], [rosters.RosterLine(2, "L-100", "8")], world["staff_a"])
    amendment = rosters.amend(roster, [rosters.RosterLine(2, "L-100", "4")], "Left at noon", world["staff_a"])
    db.session.commit()

    amendment.reason = "rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(sa.select(RosterAmendment.reason)) == "Left at noon"


def test_only_the_delivering_agency_posts_and_amends(world, client, auth):
    url = f"/credit/offerings/{world['offering'].id}/roster"
    auth.login(world["staff_b"])
    assert client.get(url).status_code == 404
    assert client.post(url, data={"rows-0-license_number": "L-200", "rows-0-hours": "8"}).status_code == 404
    rosters.post(world["offering"], [rosters.RosterLine(2, "L-100", "8")], world["staff_a"])
    db.session.commit()
    assert client.get(url + "/amend").status_code == 404


def test_amend_page_changes_the_roster(world, client, auth):
    rosters.post(world["offering"], [rosters.RosterLine(2, "L-100", "8")], world["staff_a"])
    db.session.commit()
    auth.login(world["staff_a"])
    url = f"/credit/offerings/{world['offering'].id}/roster/amend"
    assert "L-100" in client.get(url).get_data(as_text=True)

    no_reason = client.post(url, data={"rows-0-license_number": "L-100", "rows-0-hours": "5", "reason": ""})
    assert "Say why the roster is being corrected." in no_reason.get_data(as_text=True)
    done = client.post(url, data={"rows-0-license_number": "L-100", "rows-0-hours": "5", "reason": "Left early"})
    assert done.status_code == 302
    page = client.get(f"/credit/offerings/{world['offering'].id}/roster").get_data(as_text=True)
    assert "Left early" in page and "8 h → 5 h" in page
