"""Routing: the policy as a table of cases (pure), then against the database."""
from __future__ import annotations

from datetime import datetime

import pytest

from approvals import workflow
from approvals.extensions import db
from approvals.models import ApplicationState as S, ReviewerConflict, User
from approvals.routing import Candidate, candidates_for, choose_reviewer, route_application
from tests.review_support import actions, outbox_rows, submit

AGENCY = 7
T1, T2 = datetime(2026, 1, 5), datetime(2026, 3, 1)


def r(id_: int, **kw) -> Candidate:  # type: ignore[no-untyped-def]
    return Candidate(id=id_, **kw)


@pytest.mark.parametrize(("case", "candidates", "previous", "expected"), [
    ("fewest open assignments wins", [r(1, open_assignments=3), r(2, open_assignments=1), r(3, open_assignments=2)], None, 2),
    ("tie: longest since last assignment", [r(1, last_assigned_at=T2), r(2, last_assigned_at=T1)], None, 2),
    ("tie: never assigned counts as longest", [r(1, last_assigned_at=T1), r(2)], None, 2),
    ("tie on everything: lowest id", [r(5), r(4)], None, 4),
    ("load beats recency", [r(1, open_assignments=2), r(2, open_assignments=1, last_assigned_at=T2)], None, 2),
    ("on leave is skipped", [r(1, on_leave=True), r(2, open_assignments=9)], None, 2),
    ("inactive is skipped", [r(1, active=False), r(2, open_assignments=9)], None, 2),
    ("conflict with the agency is skipped", [r(1, conflicts=frozenset({AGENCY})), r(2, open_assignments=9)], None, 2),
    ("conflict with another agency is fine", [r(1, conflicts=frozenset({99})), r(2, open_assignments=9)], None, 1),
    ("administrators are never routed to", [r(1, role="post_admin"), r(2, open_assignments=9)], None, 2),
    ("only administrators: unassigned", [r(1, role="post_admin")], None, None),
    ("everyone on leave: unassigned", [r(1, on_leave=True), r(2, on_leave=True)], None, None),
    ("nobody at all: unassigned", [], None, None),
    ("resubmission returns to the same reviewer", [r(1, open_assignments=9), r(2)], 1, 1),
    ("resubmission: previous reviewer on leave", [r(1, on_leave=True), r(2, open_assignments=4), r(3, open_assignments=5)], 1, 2),
    ("resubmission: previous reviewer now conflicted", [r(1, conflicts=frozenset({AGENCY})), r(2)], 1, 2),
    ("resubmission: previous reviewer gone", [r(2), r(3, open_assignments=1)], 1, 2),
    ("resubmission: previous was an administrator", [r(1, role="post_admin"), r(2)], 1, 2),
])
def test_policy(case, candidates, previous, expected):
    assert choose_reviewer(candidates, AGENCY, previous) == expected, case


@pytest.fixture
def people(make):
    agency = make.agency()
    return {"agency": agency, "staff": make.user("agency_staff", agency=agency),
            "r1": make.user("post_reviewer"), "r2": make.user("post_reviewer"), "admin": make.user("post_admin")}


def test_candidates_carry_load_leave_and_conflicts(app, people):
    first = submit(app, people["agency"], people["staff"])
    workflow.assign(first, people["r1"], actor=None)
    people["r2"].on_leave = True
    db.session.add(ReviewerConflict(reviewer_id=people["admin"].id, agency_id=people["agency"].id, reason="former chief"))
    db.session.commit()
    by_id = {c.id: c for c in candidates_for(people["agency"].id)}
    assert by_id[people["r1"].id].open_assignments == 1 and by_id[people["r1"].id].last_assigned_at is not None
    assert by_id[people["r2"].id].on_leave and by_id[people["r2"].id].open_assignments == 0
    assert people["agency"].id in by_id[people["admin"].id].conflicts
    assert people["staff"].id not in by_id


def test_job_spreads_load_and_is_idempotent(app, people):
    a = submit(app, people["agency"], people["staff"])
    b = submit(app, people["agency"], people["staff"])
    assert route_application(application_id=a.id, revision=1).startswith("assigned")
    assert route_application(application_id=b.id, revision=1).startswith("assigned")
    db.session.commit()
    assert {a.assigned_reviewer_id, b.assigned_reviewer_id} == {people["r1"].id, people["r2"].id}
    assert route_application(application_id=a.id, revision=1) == "nothing to do"
    assert actions(a.id, "application.assigned") == ["application.assigned"]


def test_resubmission_goes_back_to_the_same_reviewer(app, people):
    a = submit(app, people["agency"], people["staff"])
    route_application(application_id=a.id)
    first = a.assigned_reviewer_id
    # The other reviewer now has less work; a fresh submission would go there.
    workflow.request_changes(a, db.session.get(User, first), "Add a second objective.")
    db.session.commit()
    workflow.submit(a, people["staff"])
    db.session.commit()
    assert a.state == S.SUBMITTED
    route_application(application_id=a.id, revision=2)
    db.session.commit()
    assert a.state == S.IN_REVIEW and a.assigned_reviewer_id == first


def test_nobody_eligible_leaves_it_unassigned_and_tells_admins(app, people):
    people["r1"].on_leave = True
    db.session.add(ReviewerConflict(reviewer_id=people["r2"].id, agency_id=people["agency"].id))
    db.session.commit()
    a = submit(app, people["agency"], people["staff"])
    assert route_application(application_id=a.id, revision=1) == "unassigned"
    db.session.commit()
    assert a.state == S.SUBMITTED and a.assigned_reviewer_id is None
    assert "application.unassigned" in actions(a.id)
    assert [r.args["event"] for r in outbox_rows(a.id, "notify")] == ["submitted", "unassigned"]


@pytest.mark.parametrize("state_change", ["withdrawn", "assigned by an admin"])
def test_job_does_nothing_once_the_application_moved_on(app, people, state_change):
    a = submit(app, people["agency"], people["staff"])
    if state_change == "withdrawn":
        workflow.withdraw(a, people["staff"])
    else:
        workflow.assign(a, people["r2"], people["admin"])
    db.session.commit()
    version = a.version
    assert route_application(application_id=a.id, revision=1) == "nothing to do"
    assert a.version == version
