"""The workflow verbs, called directly: transitions, permissions, audit, outbox, numbers."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from approvals import workflow
from approvals.extensions import db
from approvals.models import ApplicationState as S, AuditEvent, OutboxMessage, Revision
from tests.workflow_helpers import complete_application

HOURS = dict(total=8.0, legal=2.0, technical=1.0, interpersonal=3.0, skill_development=2.0,
             firearms=0.0, racial_profiling=1.0, implicit_bias=1.0, deescalation=4.0)


@pytest.fixture
def people(make):
    agency = make.agency()
    return {
        "agency": agency,
        "staff": make.user("agency_staff", agency=agency),
        "other_staff": make.user("agency_staff"),
        "reviewer": make.user("post_reviewer"),
        "reviewer2": make.user("post_reviewer"),
        "admin": make.user("post_admin"),
    }


@pytest.fixture
def draft(app, people):
    return complete_application(app, people["agency"], people["staff"])


def _in_review(draft, people):
    workflow.submit(draft, people["staff"])
    workflow.assign(draft, people["reviewer"], actor=None)
    db.session.commit()
    return draft


def test_submit_freezes_revision_audits_and_emits(draft, people):
    revision = workflow.submit(draft, people["staff"])
    db.session.commit()
    assert draft.state == S.SUBMITTED and draft.revision_count == 1 and revision.number == 1
    assert revision.snapshot["fields"]["title"] == draft.title
    assert [d["kind"] for d in revision.snapshot["documents"]] == ["instructor_record", "sample_certificate"]
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.application_id == draft.id)).all()
    assert actions == ["application.submitted"]
    tasks = db.session.scalars(sa.select(OutboxMessage.task).where(OutboxMessage.application_id == draft.id)).all()
    assert sorted(tasks) == ["notify", "route_application"]


def test_incomplete_submission_lists_problems_and_changes_nothing(app, people):
    draft = complete_application(app, people["agency"], people["staff"], title="", hours_legal=3.0)
    with pytest.raises(workflow.Incomplete) as exc:
        workflow.submit(draft, people["staff"])
    fields = {p.field for p in exc.value.problems}
    assert {"title", "hours_total"} <= fields
    assert draft.state == S.DRAFT and draft.revision_count == 0


def test_other_agency_cannot_submit(draft, people):
    with pytest.raises(workflow.NotPermitted):
        workflow.submit(draft, people["other_staff"])


# (verb, starting states where it is legal)
LEGAL = {
    "withdraw": {S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.CHANGES_REQUESTED},
    "request_changes": {S.SUBMITTED, S.IN_REVIEW},
    "deny": {S.SUBMITTED, S.IN_REVIEW},
    "approve": {S.SUBMITTED, S.IN_REVIEW},
    "revoke": {S.APPROVED},
}


def _put_in_state(draft, people, state):
    staff, reviewer, admin = people["staff"], people["reviewer"], people["admin"]
    if state == S.DRAFT:
        return
    workflow.submit(draft, staff)
    if state == S.SUBMITTED:
        return
    workflow.assign(draft, reviewer, actor=None)
    if state == S.IN_REVIEW:
        return
    {
        S.CHANGES_REQUESTED: lambda: workflow.request_changes(draft, reviewer, "Fix the synopsis."),
        S.APPROVED: lambda: workflow.approve(draft, reviewer, HOURS),
        S.DENIED: lambda: workflow.deny(draft, reviewer, ["duplicate"], "Same as MO-IS-2026-00001."),
        S.WITHDRAWN: lambda: workflow.withdraw(draft, staff),
        S.REVOKED: lambda: (workflow.approve(draft, reviewer, HOURS), workflow.revoke(draft, admin, "Instructor decertified.")),
    }[state]()


@pytest.mark.parametrize("verb", list(LEGAL))
@pytest.mark.parametrize("state", [S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.CHANGES_REQUESTED, S.APPROVED, S.DENIED, S.WITHDRAWN, S.REVOKED])
def test_transition_table(draft, people, verb, state):
    _put_in_state(draft, people, state)
    db.session.commit()
    actor = {"withdraw": people["staff"], "revoke": people["admin"]}.get(verb, people["admin"])
    call = {
        "withdraw": lambda: workflow.withdraw(draft, actor),
        "request_changes": lambda: workflow.request_changes(draft, actor, "Please fix."),
        "deny": lambda: workflow.deny(draft, actor, ["other"], "No."),
        "approve": lambda: workflow.approve(draft, actor, HOURS),
        "revoke": lambda: workflow.revoke(draft, actor, "Reason."),
    }[verb]
    if state in LEGAL[verb]:
        call()
        assert draft.state == workflow.TRANSITIONS[verb][1]
    else:
        with pytest.raises(workflow.TransitionError, match="cannot be"):
            call()
        assert draft.state == state


def test_unassigned_reviewer_may_not_decide(draft, people):
    _in_review(draft, people)
    with pytest.raises(workflow.NotPermitted, match="another reviewer"):
        workflow.approve(draft, people["reviewer2"], HOURS)
    with pytest.raises(workflow.NotPermitted):
        workflow.approve(draft, people["staff"], HOURS)


def test_approval_with_changed_hours_needs_a_reason(draft, people):
    _in_review(draft, people)
    changed = {**HOURS, "total": 7.0, "interpersonal": 2.0}
    with pytest.raises(workflow.Incomplete, match="Explain why"):
        workflow.approve(draft, people["reviewer"], changed)
    number = workflow.approve(draft, people["reviewer"], changed, "Role-play block is one hour shorter.")
    assert draft.approved_total == 7.0 and draft.hours_total == 8.0
    assert number.startswith("MO-IS-")


def test_approved_hours_must_be_consistent(draft, people):
    _in_review(draft, people)
    with pytest.raises(workflow.Incomplete, match="add up to"):
        workflow.approve(draft, people["reviewer"], {**HOURS, "legal": 5.0}, "typo")


def test_approval_numbers_are_sequential_per_year(app, people):
    numbers = []
    for _ in range(3):
        a = complete_application(app, people["agency"], people["staff"])
        _in_review(a, people)
        numbers.append(workflow.approve(a, people["reviewer"], HOURS))
        db.session.commit()
    year = numbers[0].split("-")[2]
    assert numbers == [f"MO-IS-{year}-0000{i}" for i in (1, 2, 3)]
    assert all(a for a in numbers)


def test_approval_sets_dates(app, draft, people):
    import datetime as dt

    _in_review(draft, people)
    workflow.approve(draft, people["reviewer"], HOURS, today=dt.date(2026, 3, 1))
    assert draft.approved_on == dt.date(2026, 3, 1) and draft.expires_on == dt.date(2028, 3, 1)
    assert draft.approval_number == "MO-IS-2026-00001"


def test_stale_version_is_a_conflict(draft, people):
    _in_review(draft, people)
    seen = draft.version
    workflow.add_comment(draft, people["reviewer"], "Looking at hours.", internal=True)
    draft.checklist = {"hours_consistent": True}
    db.session.commit()
    with pytest.raises(workflow.StaleVersion, match="Someone else changed"):
        workflow.approve(draft, people["reviewer"], HOURS, seen_version=seen)
    assert draft.state == S.IN_REVIEW


def test_changes_requested_then_resubmitted_makes_revision_two(draft, people):
    _in_review(draft, people)
    workflow.request_changes(draft, people["reviewer"], "Add an objective on documentation.")
    db.session.commit()
    draft.title = "Crisis Intervention, De-escalation and Documentation"
    revision = workflow.resubmit(draft, people["staff"])
    db.session.commit()
    assert revision.number == 2 and draft.state == S.SUBMITTED
    first = db.session.scalar(sa.select(Revision).where(Revision.application_id == draft.id, Revision.number == 1))
    assert first.snapshot["fields"]["title"] == "Crisis Intervention and De-escalation for Patrol"


def test_revisions_are_immutable(draft, people):
    revision = workflow.submit(draft, people["staff"])
    db.session.commit()
    with pytest.raises(sa.exc.DatabaseError):
        with db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE revisions SET number = 9"))
    revision.number = 9
    from approvals.models import RevisionImmutableError

    with pytest.raises(RevisionImmutableError):
        db.session.commit()
    db.session.rollback()


def test_internal_comment_only_by_post(draft, people):
    _in_review(draft, people)
    with pytest.raises(workflow.NotPermitted):
        workflow.add_comment(draft, people["staff"], "psst", internal=True)
    comment = workflow.add_comment(draft, people["staff"], "We added the handout.", internal=False)
    assert not comment.internal


def test_expire(draft, people):
    import datetime as dt

    _in_review(draft, people)
    workflow.approve(draft, people["reviewer"], HOURS, today=dt.date(2024, 1, 10))
    assert workflow.expire(draft, today=dt.date(2025, 1, 1)) is False
    assert workflow.expire(draft, today=dt.date(2026, 1, 11)) is True
    assert draft.state == S.EXPIRED
