"""The reviewer queue page: who may see it, tabs, filters, counts, order, SLA
badges, pagination, and a query count that does not grow with the rows."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from approvals import workflow
from approvals.extensions import db
from approvals.models import Application
from approvals.models._types import utcnow
from tests.review_support import count_queries, submit


@pytest.fixture
def people(make):
    agency = make.agency(name="Columbia Police Department")
    other = make.agency(name="Boone County Sheriff")
    return {"agency": agency, "other": other, "staff": make.user("agency_staff", agency=agency),
            "other_staff": make.user("agency_staff", agency=other),
            "reviewer": make.user("post_reviewer", name="Rita Reviewer"),
            "reviewer2": make.user("post_reviewer", name="Sam Second"), "admin": make.user("post_admin")}


def _age(app_row: Application, days: int) -> None:
    table = Application.__table__
    db.session.execute(sa.update(table).where(table.c.id == app_row.id)
                       .values(submitted_at=utcnow() - timedelta(days=days)))
    db.session.commit()


@pytest.fixture
def queue(app, people):
    """Three open applications: one assigned to the reviewer (old), one in the
    unassigned pool, one sent back for changes; plus one approved (not open)."""
    mine = submit(app, people["agency"], people["staff"], title="Mine: firearms refresher",
                  hours_legal=0.0, hours_skill_development=4.0, hours_firearms=4.0, hours_deescalation=0.0,
                  hours_racial_profiling=0.0, hours_implicit_bias=0.0)
    workflow.assign(mine, people["reviewer"], actor=None)
    pool = submit(app, people["other"], people["other_staff"], title="Pool: legal update")
    back = submit(app, people["agency"], people["staff"], title="Back: report writing")
    workflow.assign(back, people["reviewer2"], actor=None)
    workflow.request_changes(back, people["reviewer2"], "More detail please.")
    done = submit(app, people["agency"], people["staff"], title="Done: approved course")
    workflow.assign(done, people["reviewer"], actor=None)
    workflow.approve(done, people["reviewer"], done.requested_hours())
    db.session.commit()
    _age(mine, 25)
    _age(pool, 12)
    _age(back, 3)
    return {"mine": mine, "pool": pool, "back": back, "done": done}


@pytest.mark.parametrize(("role", "status"), [("agency_staff", 404), ("agency_admin", 404), ("officer", 404),
                                              ("post_reviewer", 200), ("post_admin", 200)])
def test_who_may_see_the_queue(make, client, auth, role, status):
    user = make.user(role, agency=make.agency() if role in ("agency_staff", "agency_admin") else None)
    auth.login(user)
    assert client.get("/review/").status_code == status


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get("/review/").status_code == 302


def titles(response) -> list[str]:  # type: ignore[no-untyped-def]
    html = response.get_data(as_text=True)
    found = [(html.find(t), t) for t in ("Mine: firearms refresher", "Pool: legal update",
                                          "Back: report writing", "Done: approved course") if t in html]
    return [t for _, t in sorted(found)]


@pytest.mark.parametrize(("tab", "expected"), [
    ("mine", ["Mine: firearms refresher"]),
    ("unassigned", ["Pool: legal update"]),
    ("all", ["Mine: firearms refresher", "Pool: legal update", "Back: report writing"]),  # oldest first
])
def test_tabs(client, auth, people, queue, tab, expected):
    auth.login(people["reviewer"])
    assert titles(client.get(f"/review/?tab={tab}")) == expected


def test_reviewer_defaults_to_own_assignments_admin_to_all(client, auth, people, queue):
    auth.login(people["reviewer"])
    assert titles(client.get("/review/")) == ["Mine: firearms refresher"]
    auth.logout()
    auth.login(people["admin"])
    assert len(titles(client.get("/review/"))) == 3


@pytest.mark.parametrize(("query", "expected"), [
    ("state=changes_requested", ["Back: report writing"]),
    ("state=submitted", ["Pool: legal update"]),
    ("area=skill_development", ["Mine: firearms refresher", "Pool: legal update", "Back: report writing"]),
    ("area=legal", ["Pool: legal update", "Back: report writing"]),
    ("designation=firearms", ["Mine: firearms refresher"]),
    ("designation=deescalation", ["Pool: legal update", "Back: report writing"]),
    ("age=ok", ["Back: report writing"]),
    ("age=due", ["Pool: legal update"]),
    ("age=escalated", ["Mine: firearms refresher"]),
])
def test_filters(client, auth, people, queue, query, expected):
    auth.login(people["reviewer"])
    assert titles(client.get(f"/review/?tab=all&{query}")) == expected


def test_agency_filter_and_counts_per_state(client, auth, people, queue):
    auth.login(people["reviewer"])
    html = client.get(f"/review/?tab=all&agency={people['agency'].id}").get_data(as_text=True)
    assert "Pool: legal update" not in html and "Mine: firearms refresher" in html
    counts = client.get("/review/?tab=all").get_data(as_text=True)
    for label, n in (("Submitted", 1), ("In review", 1), ("Changes requested", 1)):
        assert f'{label}</a> <span class="usa-tag usa-tag--big">{n}</span>' in counts


def test_sla_badges_and_age(client, auth, people, queue):
    auth.login(people["reviewer"])
    html = client.get("/review/?tab=all").get_data(as_text=True)
    assert "25 days" in html and "Past 20-day escalation" in html
    assert "12 days" in html and "Past 10-day SLA" in html
    assert "With the agency" in html


def _bulk_open(agency, creator, n: int, reviewer=None) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    rows = [dict(agency_id=agency.id, created_by_id=creator.id, state="in_review" if reviewer else "submitted",
                 version=1, title=f"Bulk course {i:04d}", synopsis="", attendance_policy="", evaluation_method="",
                 contact_name="", contact_email="", contact_phone="", attestation_name="", attestation_title="",
                 attested=False, created_at=now, updated_at=now, last_activity_at=now,
                 submitted_at=now - timedelta(hours=i), revision_count=1, checklist={}, denial_codes=[],
                 decision_reason="", revoked_reason="", hours_total=8.0, hours_legal=8.0,
                 assigned_reviewer_id=reviewer.id if reviewer else None) for i in range(n)]
    db.session.execute(sa.insert(Application.__table__), rows)
    db.session.commit()


@pytest.mark.parametrize("tab", ["mine", "all", "unassigned"])
def test_query_count_does_not_grow_with_rows(app, client, auth, people, tab):
    auth.login(people["reviewer"])
    counts = []
    for n in (5, 45):  # 5 rows, then 50 rows (two full pages)
        _bulk_open(people["agency"], people["staff"], n, reviewer=people["reviewer"] if tab == "mine" else None)
        with count_queries(db.engine) as statements:
            response = client.get(f"/review/?tab={tab}&area=legal")
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 8


def test_pagination_keeps_filters(client, auth, people):
    _bulk_open(people["agency"], people["staff"], 30)
    auth.login(people["reviewer"])
    first = client.get("/review/?tab=unassigned&area=legal").get_data(as_text=True)
    assert "Bulk course 0029" in first and "Bulk course 0004" not in first  # oldest first, 25 a page
    assert "page=2" in first and "area=legal" in first
    second = client.get("/review/?tab=unassigned&area=legal&page=2").get_data(as_text=True)
    assert "Bulk course 0004" in second and "Bulk course 0000" in second


def test_reviewer_marks_self_on_leave_and_back(client, auth, people):
    auth.login(people["reviewer"])
    assert client.post("/review/leave", data={"on_leave": "1"}).status_code == 302
    db.session.expire_all()
    assert people["reviewer"].on_leave
    assert "You are on leave" in client.get("/review/").get_data(as_text=True)
    client.post("/review/leave", data={"on_leave": "0"})
    db.session.expire_all()
    assert not people["reviewer"].on_leave
